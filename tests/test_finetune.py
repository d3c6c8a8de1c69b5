"""Choosing the base model to fine-tune (Lin et al. 2024): synthetic fine-tuning curves with a
pre-power phase, the rectified law as the ground truth, 0.1% noise on every measured loss."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import DataError, OptionError

LAW = sl.laws.get("rectified")
FULL = 409_600.0
#: the subsets a fine-tuning run can be asked for: 50 examples (the flat phase of most
#: candidates) doubling to FULL / 8
SIZES = 50.0 * 2.0 ** np.arange(11)


def candidates(seed: int) -> tuple[np.ndarray, int]:
    """Five candidates' (B, D_l, beta, E), drawn around the rectified law's typical values,
    and the index of the truly best at FULL. A draw whose best leads the runner-up by less
    than 1% at FULL is drawn again: 8x beyond the largest subset, 0.1% noise leaves the
    forecasts a few tenths of a percent apart, so a closer race is a coin toss for any
    method."""
    rng = np.random.default_rng(seed)
    while True:
        p = np.column_stack([np.exp(rng.uniform(np.log(30), np.log(150), 5)),
                             np.exp(rng.uniform(np.log(5), np.log(60), 5)),
                             rng.uniform(0.45, 0.65, 5), rng.uniform(0.75, 1.1, 5)])
        at_full = LAW.evaluate([np.array([[FULL]])], p)[:, 0]
        ordered = np.sort(at_full)
        if ordered[1] / ordered[0] - 1 >= 0.01:
            return p, int(np.argmin(at_full))


def oracle_of(p: np.ndarray, seed: int):
    """Fine-tuning simulated: the candidate's rectified curve with 0.1% lognormal noise."""
    noise = np.random.default_rng(10_000 + seed)

    def oracle(candidate: str, size: float) -> float:
        i = int(candidate[1:])
        clean = LAW.evaluate([np.array([[size]])], p[i:i + 1])[0, 0]
        return float(clean * np.exp(noise.normal(0.0, 0.001)))
    return oracle


NAMES = [f"m{i}" for i in range(5)]


def test_the_best_of_crossing_curves_is_chosen_and_losers_stop_early() -> None:
    # seed 0: the truly best candidate at the full size is not the best on 800 examples
    # (the curves cross), the case a plain comparison on a small subset gets wrong
    p, best = candidates(0)
    small = LAW.evaluate([np.array([[800.0]])], p)[:, 0]
    assert int(np.argmin(small)) != best
    pick = sl.finetune.select(NAMES, oracle=oracle_of(p, 0), full_size=FULL, sizes=SIZES)
    assert pick.best == f"m{best}"
    assert pick.fraction < 0.5
    frame = pick.to_frame()
    assert list(frame.columns) == ["candidate", "rank", "loss", "low", "high", "status",
                                   "largest_subset", "subsets", "examples"]
    assert frame["rank"].tolist() == [1, 2, 3, 4, 5]
    assert (frame["low"] <= frame["loss"]).all() and (frame["loss"] <= frame["high"]).all()
    # the stopped candidates were fine-tuned on no more examples than the chosen one, and
    # some on fewer: the compute went to the candidates still in the running
    stopped = frame[frame["status"] == "stopped"]
    chosen = frame.loc[frame["status"] == "best", "examples"].iloc[0]
    assert len(stopped) >= 1
    assert stopped["examples"].max() <= chosen and stopped["examples"].min() < chosen
    # the spent compute is the examples of every subset requested, over 5 full runs
    assert pick.spent == pytest.approx(frame["examples"].sum())
    assert pick.full_cost == pytest.approx(5 * FULL)
    doc = json.loads(json.dumps(pick.to_dict()))
    assert doc["best"] == pick.best and len(doc["candidates"]) == 5
    text = str(pick)
    assert f"fine-tune '{pick.best}'" in text and "stopped" in text
    assert repr(pick).startswith("<Selection best=")
    assert "<table" in pick._repr_html_()


@pytest.mark.slow
def test_picks_the_best_of_five_in_ninety_percent_of_runs_for_under_half_the_compute() -> None:
    # 100 repetitions: five candidates drawn afresh each time, their subsets doubling from
    # the flat phase into the power phase, 0.1% noise. The selection must pick the truly
    # best at the full size in at least 90 of them, and spend under half of the compute of
    # fine-tuning all five on the full set in every one
    right, fractions = 0, []
    for seed in range(100):
        p, best = candidates(seed)
        pick = sl.finetune.select(NAMES, oracle=oracle_of(p, seed), full_size=FULL,
                                  sizes=SIZES)
        right += pick.best == f"m{best}"
        fractions.append(pick.fraction)
    assert right >= 90, right
    assert max(fractions) < 0.5, max(fractions)


def recorded(seed: int) -> tuple[pd.DataFrame, int]:
    """Every candidate fine-tuned on every subset and on the full set: a table of runs."""
    p, best = candidates(seed)
    oracle = oracle_of(p, seed)
    rows = [(n, d, oracle(n, d)) for n in NAMES for d in [*SIZES, FULL]]
    return pd.DataFrame(rows, columns=["model", "n", "eval_loss"]), best


def test_recorded_runs_are_replayed_and_the_saving_is_reported() -> None:
    table, best = recorded(5)
    pick = sl.finetune.select(table, columns={"candidate": "model", "examples": "n",
                                              "loss": "eval_loss"})
    # the full size defaults to the largest recorded subset (the full runs are in the table)
    assert pick.full_size == FULL and pick.recorded
    assert pick.best == f"m{best}"
    # the replay stops before the full runs: what it used is a fraction of what was spent
    assert pick.fraction < 0.5
    # the same runs given per candidate, as (sizes, losses), give the same choice
    per = {n: (g["n"].to_numpy(), g["eval_loss"].to_numpy()) for n, g in table.groupby("model")}
    again = sl.finetune.select(per)
    assert again.best == pick.best
    assert again.to_frame()["loss"].tolist() == pytest.approx(pick.to_frame()["loss"].tolist())


def test_functions_of_the_subset_size_and_the_figure() -> None:
    from scalinglaws.report.figures import selection_figure

    p, best = candidates(7)
    oracle = oracle_of(p, 7)
    curves = {n: (lambda d, n=n: oracle(n, d)) for n in NAMES}
    pick = sl.finetune.select(curves, full_size=FULL, sizes=SIZES)
    assert pick.best == f"m{best}"
    fig = selection_figure(pick)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "fine-tuning examples"
    # one error bar per candidate at the full size
    assert sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets")) >= 5
    with pytest.raises(OptionError, match="Selection"):
        selection_figure("not a selection")  # type: ignore[arg-type]


def test_bad_input_says_what_where_and_how_to_fix() -> None:
    table, _ = recorded(5)
    table = table.rename(columns={"model": "candidate", "n": "examples", "eval_loss": "loss"})
    one = pd.concat([table, pd.DataFrame({"candidate": ["lonely"], "examples": [100.0],
                                          "loss": [2.0]})])
    with pytest.raises(DataError, match="'lonely' has 1 distinct subset size") as info:
        sl.finetune.select(one)
    assert "rows of candidate 'lonely'" in str(info.value)
    negative = table.copy()
    negative.loc[3, "examples"] = -100.0
    with pytest.raises(DataError, match=r"examples value.*not positive") as info:
        sl.finetune.select(negative)
    assert "row(s) 3" in str(info.value)
    with pytest.raises(DataError, match="no column 'loss'"):
        sl.finetune.select(table.drop(columns="loss"))
    with pytest.raises(OptionError, match="needs an oracle"):
        sl.finetune.select(NAMES, full_size=FULL)
    with pytest.raises(OptionError, match="full fine-tuning set is not given"):
        sl.finetune.select(NAMES, oracle=lambda c, d: 1.0)
    with pytest.raises(OptionError, match="oracle= is given with a table"):
        sl.finetune.select(table, oracle=lambda c, d: 1.0)
    with pytest.raises(OptionError, match="budget must be a fraction"):
        sl.finetune.select(table, budget=2.0)
    with pytest.raises(OptionError, match="cannot pay"):
        sl.finetune.select(table, budget=0.001)
    with pytest.raises(OptionError, match="sizes must increase"):
        sl.finetune.select(NAMES, oracle=lambda c, d: 1.0, full_size=FULL,
                           sizes=[100, 50, 200, 400, 800])
    with pytest.raises(DataError, match="nothing to choose"):
        sl.finetune.select(["only"], oracle=lambda c, d: 1.0, full_size=FULL)
