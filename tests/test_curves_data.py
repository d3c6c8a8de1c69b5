"""Loss curves as data: checks, late checkpoints, thinning, finals and run weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.data import curves
from scalinglaws.exceptions import DataError, OptionError


@pytest.fixture()
def table() -> pd.DataFrame:
    # two runs: one logged 100 times, one 10 times
    steps = list(range(1, 101)) + list(range(10, 101, 10))
    runs = ["long"] * 100 + ["short"] * 10
    loss = [4 * s ** -0.1 for s in steps]
    return pd.DataFrame({"run": runs, "step": steps, "loss": loss,
                         "params": 1e8, "tokens": [s * 1e6 for s in steps]})


def test_late_drops_the_early_fraction_of_each_run(table) -> None:
    kept = curves.late(table, 0.1)
    assert kept[kept.run == "long"]["step"].min() == 10  # 10% of 100
    assert kept[kept.run == "short"]["step"].min() == 10
    ds = curves.late(sl.Dataset(table), 0.5)
    assert isinstance(ds, sl.Dataset) and len(ds) == 51 + 6


def test_thin_keeps_log_spaced_checkpoints_and_the_last(table) -> None:
    thin = curves.thin(table, 8)
    long = thin[thin.run == "long"]["step"].to_numpy()
    assert len(long) <= 8 and long[-1] == 100 and long[0] == 1
    gaps = np.diff(np.log(long))
    assert gaps.max() / gaps.min() < 3  # even in log step, up to rounding to logged steps
    short = thin[thin.run == "short"]["step"].to_numpy()
    assert len(short) <= 8 and short[-1] == 100
    assert len(curves.thin(table, 10)[lambda t: t.run == "short"]) == 10  # short enough: whole


def test_finals_and_final_mask(table) -> None:
    assert curves.finals(table)["step"].tolist() == [100, 100]
    assert curves.is_final(table).sum() == 2


def test_run_weights_give_each_run_the_same_total(table) -> None:
    w = curves.run_weights(table)
    totals = pd.Series(w).groupby(table["run"]).sum()
    assert totals.to_numpy() == pytest.approx([1.0, 1.0])
    half = curves.run_weights(table, final=0.5)
    last = curves.is_final(table)
    assert half[last] == pytest.approx([0.5, 0.5])
    assert pd.Series(half).groupby(table["run"]).sum().to_numpy() == pytest.approx([1, 1])


def test_checks_refuse_disordered_steps_and_warn_of_one_point_runs(table) -> None:
    curves.check(table)
    shuffled = table.iloc[[1, 0, *range(2, len(table))]]
    with pytest.raises(DataError, match="do not increase within run"):
        curves.check(shuffled)
    one = pd.concat([table, pd.DataFrame({"run": ["x"], "step": [5], "loss": [3.0]})])
    with pytest.warns(sl.ScalingLawWarning, match="single logged point: x"):
        curves.check(one)
    with pytest.raises(DataError, match="no step column"):
        curves.check(table.drop(columns="step"))
    with pytest.raises(OptionError, match="fraction"):
        curves.late(table, 1.5)
    with pytest.raises(OptionError, match="per_run"):
        curves.thin(table, 0)


def test_backtest_on_checkpoints_scores_final_points_and_resamples_runs() -> None:
    # a ladder of runs with checkpoints: L = 1.7 + 400/N^0.34 + 2000/D^0.37, checkpoints at
    # 20%..100% of each run, the intermediate ones 2% above the law (an undecayed schedule)
    rows = []
    for n in np.geomspace(3e7, 3e9, 7):
        for total in (20 * n, 60 * n):
            for f in (0.2, 0.4, 0.6, 0.8, 1.0):
                d = f * total
                loss = (1.7 + 400 / n ** 0.34 + 2000 / d ** 0.37) * (1.02 if f < 1 else 1)
                rows.append({"run": f"{n:.0e}-{total:.0e}", "params": n, "tokens": d,
                             "step": f * 100, "loss": loss})
    ds = sl.Dataset(pd.DataFrame(rows))
    final = curves.is_final(ds)
    bt = sl.validate.backtest("chinchilla", ds, train="params<1e9", score=final,
                              cluster="run", interval="observation", n_boot=20)
    assert len(bt.points) == int((final & (ds.params >= 1e9)).sum())
    assert bt.points["run"].nunique() == len(bt.points)  # one final point per held-out run
    with pytest.raises(OptionError, match="no column 'seed'"):
        sl.validate.backtest("chinchilla", ds, train="params<1e9", cluster="seed")
    with pytest.raises(OptionError, match="no held-out row"):
        sl.validate.backtest("chinchilla", ds, train="params<1e9", score=~final & final)


def test_checkpoints_of_a_ladder_raise_no_false_shape_warning() -> None:
    # checkpoints from 5% to 100% of runs of 5-100 tokens per parameter: loss against params
    # alone turns (large models' early checkpoints sit high), but the law, which falls in N
    # and in D, fits the rows without a trend; no "U-shaped" warning may claim otherwise
    rng = np.random.default_rng(0)
    rows = []
    for n in np.geomspace(1e7, 1e10, 20):
        for ratio in np.geomspace(5, 100, 10):
            d = ratio * n * np.geomspace(0.05, 1, 30)
            loss = 1.82 + 478 / n ** 0.347 + 2144 / d ** 0.367
            rows.append(pd.DataFrame({"params": n, "tokens": d,
                                      "loss": loss * np.exp(rng.normal(0, 0.005, d.size))}))
    ds = sl.Dataset(pd.concat(rows, ignore_index=True))
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sl.fit("chinchilla", ds)
    assert not [w for w in caught if "U-shaped" in str(w.message)]
    assert fit.params["alpha"] == pytest.approx(0.347, abs=0.01)


def test_a_schedule_law_without_learning_rate_areas_says_how_to_get_them() -> None:
    t = pd.DataFrame({"run": ["a"] * 5, "step": [1, 2, 3, 4, 5],
                      "loss": [5, 4, 3.5, 3.2, 3.0]})
    with pytest.raises(DataError, match="schedule_areas"):
        sl.fit("schedule", t)
