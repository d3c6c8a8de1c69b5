"""``sl.study.estimation_design``: the Hitchhiker's analysis (largest model used, fraction of
training seen, number of models, seeds) on synthetic curves from a known law and on the real
open-LM sweep, and its heat map."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import OptionError
from scalinglaws.report.figures import estimation_design_figure

MISFITTING = Path(__file__).resolve().parents[2] / "shared" / "data" / "misfitting" / \
    "checkpoints.csv"
SIZES = [1e7, 2e7, 4e7, 8e7, 1.6e8, 6.4e8]


def curves(noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Loss curves whose every checkpoint lies on a Chinchilla law in (N, D seen): 20
    tokens per parameter, 20 checkpoints per run."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in SIZES:
        total = 20 * n
        for k in range(1, 21):
            d = total * k / 20
            loss = (1.7 + 400 * n ** -0.34 + 1200 * d ** -0.3) * np.exp(rng.normal(0, noise))
            rows.append({"run": f"m{n:.0e}", "step": k, "params": n, "tokens": d,
                         "loss": loss, "fraction_of_training": k / 20})
    return pd.DataFrame(rows)


def quiet_study(*args: object, **kwargs: object) -> sl.study.EstimationDesign:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sl.study.estimation_design(*args, **kwargs)  # type: ignore[arg-type]


def test_grid_costs_and_exact_recovery_on_curves_from_the_law() -> None:
    study = quiet_study(curves(), "chinchilla", target="params==max", workers=1)
    frame = study.frame
    # default axes: every size with two below it (4e7, 8e7, 1.6e8) x four fractions
    assert sorted(frame["max_size"].unique()) == [4e7, 8e7, 1.6e8]
    assert sorted(frame["fraction"].unique()) == [0.25, 0.5, 0.75, 1.0]
    assert (frame["status"] == "converged").all()
    # the checkpoints lie on the law: every cell forecasts the 640M run within 0.1%
    assert frame["are"].max() < 1e-3
    # seeing more of training costs more, and all runs to the end cost the whole pool
    for _, g in frame.groupby("max_size"):
        assert np.all(np.diff(g.sort_values("fraction")["cost"].to_numpy()) > 0)
    full = frame[(frame["max_size"] == 1.6e8) & (frame["fraction"] == 1.0)]
    assert float(full["cost_fraction"].iloc[0]) == pytest.approx(1.0)
    # the first 10% of training is never fitted: 18 checkpoints of each run at fraction 1
    assert int(full["n_points"].iloc[0]) == 18 * 5
    assert len(study.predictions) == len(frame)  # one target run per fit


def test_noise_shows_what_larger_models_buy() -> None:
    study = quiet_study(curves(noise=0.01, seed=1), "chinchilla",
                        grid={"fraction": [1.0], "n_models": [3]}, seeds=3, workers=1)
    table = study.pivot(x="fraction", y="max_size")
    assert table.shape == (3, 1)
    assert set(study.frame["n_models"]) == {3} and set(study.frame["seed"]) == {0, 1, 2}
    # seed 0 uses the three largest sizes up to max_size, others draw two of the smaller
    # ones at random; every fit keeps the largest, so n_runs is 3 everywhere
    assert (study.frame["n_runs"] == 3).all()
    text = str(study)
    assert "best:" in text and "Estimation design" in text
    doc = study.to_dict()
    assert len(doc["fits"]) == 9 and doc["target"] == "params==max"


def test_borrowed_exponents_are_fitted_both_ways() -> None:
    data = curves(noise=0.005, seed=2)
    donor = sl.fit("chinchilla", data)
    study = quiet_study(data, "chinchilla", grid={"max_size": [4e7], "fraction": [0.5, 1.0]},
                        borrow=["alpha", "beta"], borrow_from=donor, workers=1)
    assert sorted(study.frame["borrowed"].unique().tolist()) == [False, True]
    assert study.borrowed == ("alpha", "beta")
    assert "borrowing alpha, beta" in str(study)
    assert not study.pivot(borrowed=True).equals(study.pivot(borrowed=False))


def test_heat_map_draws_every_cell() -> None:
    study = quiet_study(curves(noise=0.01), "chinchilla", workers=1)
    fig = estimation_design_figure(study)
    ax = fig.axes[0]
    cells = np.isfinite(study.pivot().to_numpy()).sum()
    assert len(ax.texts) == cells == 12
    assert [t.get_text() for t in ax.get_xticklabels()] == ["25%", "50%", "75%", "100%"]
    with pytest.raises(OptionError, match="EstimationDesign"):
        estimation_design_figure("study")  # type: ignore[arg-type]


def test_bad_input_is_named() -> None:
    data = curves()
    with pytest.raises(OptionError, match="unknown grid axis 'sizes'"):
        quiet_study(data, grid={"sizes": [1e7]})
    with pytest.raises(OptionError, match="not a model size"):
        quiet_study(data, grid={"max_size": [3e7]})
    with pytest.raises(OptionError, match=r"lie in \(0, 1\]"):
        quiet_study(data, grid={"fraction": [0.0, 1.0]})
    with pytest.raises(OptionError, match="no run matches"):
        quiet_study(data, target="params>1e12")
    with pytest.raises(OptionError, match="every run matches"):
        quiet_study(data, target="params>0")
    with pytest.raises(OptionError, match="cannot read the target rule"):
        quiet_study(data, target="largest")
    with pytest.raises(OptionError, match="borrow_from"):
        quiet_study(data, borrow=["alpha"])
    with pytest.raises(OptionError, match="seeds"):
        quiet_study(data, seeds=0)


def test_a_cell_asking_for_more_sizes_than_there_are_says_so() -> None:
    study = quiet_study(curves(), grid={"max_size": [2e7], "fraction": [1.0],
                                        "n_models": [5]}, workers=1)
    assert study.frame["status"].iloc[0].startswith("only 2 sizes")
    assert study.fitted.empty


@pytest.mark.slow
@pytest.mark.skipif(not MISFITTING.exists(), reason="../shared/data/misfitting not present")
def test_open_lm_sweep_needs_large_models_and_most_of_training() -> None:
    sweep = pd.read_csv(MISFITTING)
    study = quiet_study(sweep, "chinchilla", target="params==max", best_of="loss",
                        best_by=["params", "planned_tokens"],
                        grid={"max_size": [25174528, 99112704], "fraction": [0.25, 1.0]})
    table = study.pivot()
    # measured: 15.5% from models up to 25M seeing a quarter of training, 0.33% from models
    # up to 99M seeing all of it (the Guide's finding: size and training seen both matter)
    assert table.loc[25174528, 0.25] > 0.10
    assert table.loc[99112704, 1.0] < 0.01
    assert table.loc[99112704, 1.0] < table.loc[99112704, 0.25] < table.loc[25174528, 0.25]
