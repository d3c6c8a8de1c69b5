"""Training curves fitted as if they were final losses: the warning says so and how to fit
the runs' last rows, instead of calling early checkpoints diverged runs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.data import curves


def _curves(run_column: str) -> pd.DataFrame:
    """12 runs (4 sizes × 3 budgets) of a Chinchilla-law loss, each logged at 20 steps from
    1% of training; the first checkpoints sit far above any law of finished runs."""
    rows = []
    for n in (5e7, 1e8, 2e8, 4e8):
        for mult in (10, 20, 40):
            total = mult * n
            for f in np.geomspace(0.01, 1.0, 20):
                d = f * total
                loss = 1.7 + 400 / n ** 0.34 + 410 / d ** 0.28
                if f < 0.03:  # the first steps, near the loss of a uniform guess
                    loss = 8.0 - 50 * f
                rows.append({run_column: f"{n:g}-{mult}", "params": n, "tokens": d,
                             "step": int(1000 * f), "loss": loss})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("run_column", ["run", "run_id"])
def test_curves_fitted_whole_are_named_as_curves(run_column: str) -> None:
    frame = _curves(run_column)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sl.fit("chinchilla", frame)
    text = " ".join(str(w.message) for w in caught)
    assert "the data are training curves (12 runs in column " f"'{run_column}')" in text
    assert f"--last-by {run_column}" in text and "diverged or unfinished" not in text
    # the advice works: the runs' last rows are fitted without that warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sl.fit("chinchilla", curves.finals(frame, run=run_column))
    assert not any("far above" in str(w.message) for w in caught)


def test_a_diverged_final_run_is_still_called_so() -> None:
    rng = np.random.default_rng(0)
    n = np.repeat(np.geomspace(5e7, 1e9, 6), 4)
    d = np.tile([1e9, 3e9, 1e10, 3e10], 6)
    loss = (1.7 + 400 / n ** 0.34 + 410 / d ** 0.28) * np.exp(rng.normal(0, 0.003, n.size))
    loss[5] *= 1.6
    frame = pd.DataFrame({"run": [f"r{i}" for i in range(n.size)], "params": n, "tokens": d,
                          "loss": loss})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sl.fit("chinchilla", frame)
    text = " ".join(str(w.message) for w in caught)
    assert "1 run(s) lie far above the fitted law" in text and "runs r5" in text
    assert "training curves" not in text
