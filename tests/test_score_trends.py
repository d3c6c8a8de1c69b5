"""Benchmarks a monotone law cannot follow are flagged: inverse scaling and U-shaped trends
of a score in compute (McKenzie et al. 2023), and nothing for an ordinary rising sigmoid."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl

C = np.logspace(19, 25, 24)


def scores(trend: np.ndarray, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    acc = np.clip(trend + rng.normal(0, 0.01, trend.size), 0.01, 0.99)
    return pd.DataFrame({"flops": C, "accuracy": acc})


def messages(data: pd.DataFrame, law: str = "sigmoid_compute") -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sl.fit(law, data)
    return [str(w.message) for w in caught]


def test_an_inverse_trend_is_flagged() -> None:
    # accuracy falling from 0.7 to 0.4 as compute grows (1% noise): slope per e-fold about
    # -0.02, far beyond the noise over 24 runs
    falling = 0.7 - 0.3 * (np.log(C) - np.log(C[0])) / (np.log(C[-1]) - np.log(C[0]))
    found = [m for m in messages(scores(falling)) if "inverse scaling" in m]
    assert found and "'accuracy' falls as flops grows" in found[0]


def test_a_u_shaped_trend_is_flagged() -> None:
    t = (np.log(C) - np.log(1e22)) / 3.0
    u = 0.3 + 0.3 * t * t  # worse, then better: turning at 1e22 inside the range
    found = [m for m in messages(scores(u, seed=1)) if "U-shaped" in m]
    assert found and "turning near" in found[0]
    turn = float(found[0].split("turning near ")[1].split(";")[0])
    assert 1e21 < turn < 1e23


def test_an_ordinary_rising_benchmark_is_not_flagged() -> None:
    rising = 0.25 + 0.65 / (1 + np.exp(-1.2 * (np.log(C) - np.log(1e22))))
    found = [m for m in messages(scores(rising, seed=2))
             if "inverse scaling" in m or "-shaped" in m]
    assert not found


def test_an_error_rate_rising_with_scale_is_inverse() -> None:
    data = pd.DataFrame({"flops": C, "top1_error": np.linspace(0.3, 0.5, C.size)})
    with pytest.warns(sl.ScalingLawWarning, match="'top1_error' rises as flops grows"):
        sl.fit("E + A*C**(-alpha)", data, y="top1_error", x="flops")
