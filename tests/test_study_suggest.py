"""``sl.study.suggest_runs`` and ``sl.study.replay``: the next runs that most narrow a forecast
per FLOP, judged against a regular ladder of the same cost on data from a known law, and
replayed on a real sweep."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import DataError, OptionError
from scalinglaws.study.candidates import candidate_grid
from scalinglaws.study.simulate import Simulator

TRUTH = {"E": 1.8, "A": 400.0, "B": 1200.0, "alpha": 0.34, "beta": 0.30}
TARGET = {"params": 2e9, "tokens": 4e10}  # 20x beyond the largest model fitted
N0 = np.repeat([1e7, 2.5e7, 5e7, 1e8], 3)
D0 = N0 * np.tile([10.0, 20.0, 40.0], 4)
MISFITTING = Path(__file__).resolve().parents[2] / "shared" / "data" / "misfitting" / \
    "checkpoints.csv"


def law(n: np.ndarray, d: np.ndarray) -> np.ndarray:
    return TRUTH["E"] + TRUTH["A"] * n ** -TRUTH["alpha"] + TRUTH["B"] * d ** -TRUTH["beta"]


def noisy_fit(seed: int) -> sl.FitResult:
    rng = np.random.default_rng(seed)
    y = law(N0, D0) * np.exp(rng.normal(0.0, 0.01, N0.size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sl.fit("chinchilla", pd.DataFrame({"params": N0, "tokens": D0, "loss": y}))
    assert isinstance(out, sl.FitResult)
    return out


def ladder(sizes: np.ndarray, spent: float) -> np.ndarray:
    """The regular design a team would run for the same compute: consecutive sizes of the
    candidates' grid at 20 tokens per parameter, the most expensive run of rungs within
    ``spent``."""
    best = sizes[:1]
    for top in range(1, sizes.size + 1):
        for lo in range(top):
            n = sizes[lo:top]
            if 120 * (n ** 2).sum() <= spent * 1.0001 and (n ** 2).sum() > (best ** 2).sum():
                best = n
    return best


@pytest.mark.slow
def test_suggested_runs_narrow_the_forecast_more_than_a_ladder_of_the_same_cost() -> None:
    # the judge: refits on outcomes simulated from the TRUE law with the true 1% noise, the
    # same 400 sets for every design, so a design's width is its estimator's real spread
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 12 exact points for 5 parameters: said, and meant
        exact = sl.fit("chinchilla", pd.DataFrame({"params": N0, "tokens": D0,
                                                   "loss": law(N0, D0)}))
    assert isinstance(exact, sl.FitResult)
    judge = Simulator.of(exact, n_sim=400, extra=60, level=0.9, seed=123, noise=0.01)
    t = np.array([[TARGET["params"]], [TARGET["tokens"]]])
    ours, theirs = [], []
    for rep in range(20):
        fit = noisy_fit(rep)
        s = sl.study.suggest_runs(fit, TARGET, budget_flops=2e18, n_sim=32, seed=rep)
        assert 0 < s.spent <= 2e18 * (1 + 1e-9)
        rungs = ladder(np.unique(candidate_grid(fit)["params"]), s.spent)
        ours.append(judge.width(np.vstack([s.runs["params"], s.runs["tokens"]]), t)[0])
        theirs.append(judge.width(np.vstack([rungs, 20 * rungs]), t)[0])
    ours_a, theirs_a = np.array(ours), np.array(theirs)
    # measured: narrower in 19 of 20 repetitions, 18% narrower on average; 16 of 20 leaves
    # room for the noise of the judge (400 sets) without accepting a coin flip
    assert (ours_a < theirs_a).sum() >= 16, (ours_a, theirs_a)
    assert ours_a.mean() < 0.92 * theirs_a.mean()


def test_suggestions_are_ordered_within_budget_and_reproducible() -> None:
    fit = noisy_fit(3)
    a = sl.study.suggest_runs(fit, TARGET, budget_flops=5e17, n_sim=32, seed=1)
    b = sl.study.suggest_runs(fit, TARGET, budget_flops=5e17, n_sim=32, seed=1)
    pd.testing.assert_frame_equal(a.runs, b.runs)
    assert a.spent == pytest.approx(a.runs["cost"].sum()) and a.spent <= 5e17 * (1 + 1e-9)
    assert np.allclose(a.runs["cost"], 6 * a.runs["params"] * a.runs["tokens"])
    # the linearised width can only shrink as runs are added (information only grows)
    lin = np.concatenate([[a.width_linear_before], a.runs["width_linear"].to_numpy()])
    assert np.all(np.diff(lin) <= 1e-12)
    assert a.width_after < a.width_before
    doc = a.to_dict()
    assert doc["runs"] and set(doc) >= {"target", "width_before", "width_after", "spent_flops"}
    assert "Next runs" in str(a)


def test_a_target_in_flops_is_the_compute_optimal_point() -> None:
    fit = noisy_fit(4)
    s = sl.study.suggest_runs(fit, {"flops": 1e21}, budget_flops=1e17, n_sim=16, n_runs=2)
    plan = sl.plan.compute_optimal(fit, 1e21)
    assert s.target["params"] == pytest.approx(float(plan.params[0]))
    assert s.target["tokens"] == pytest.approx(float(plan.tokens[0]))
    assert len(s.runs) <= 2


def test_the_simulated_rule_and_given_candidates() -> None:
    fit = noisy_fit(5)
    cands = pd.DataFrame({"params": [1e7, 5e7, 2e8, 4e8], "tokens": [2e8, 1e9, 4e9, 8e9],
                          "gpu_hours": [1.0, 5.0, 20.0, 40.0]})
    s = sl.study.suggest_runs(fit, TARGET, budget_flops=30.0, candidates=cands,
                              cost="gpu_hours", method="simulate", n_sim=32, screen=4)
    assert s.spent <= 30.0 and set(s.runs["candidate"]) <= {0, 1, 2, 3}
    assert len(s.runs) >= 1 and s.width_after < s.width_before


def test_bad_input_is_named() -> None:
    fit = noisy_fit(6)
    with pytest.raises(OptionError, match="budget_flops"):
        sl.study.suggest_runs(fit, TARGET, budget_flops=0)
    with pytest.raises(OptionError, match="does not read"):
        sl.study.suggest_runs(fit, {"params": 1e9, "width": 3}, budget_flops=1e18)
    with pytest.raises(OptionError, match="does not give 'tokens'"):
        sl.study.suggest_runs(fit, {"params": 1e9}, budget_flops=1e18)
    with pytest.raises(OptionError, match="unknown method"):
        sl.study.suggest_runs(fit, TARGET, budget_flops=1e18, method="exact")
    with pytest.raises(OptionError, match="n_sim"):
        sl.study.suggest_runs(fit, TARGET, budget_flops=1e18, n_sim=4)
    bad = pd.DataFrame({"params": [1e7, 2e7], "tokens": [1e8, 2e8], "c": [1.0, -1.0]})
    with pytest.raises(DataError, match="not positive"):
        sl.study.suggest_runs(fit, TARGET, budget_flops=1e18, candidates=bad, cost="c")
    with pytest.raises(DataError, match="no candidate"):
        sl.study.suggest_runs(fit, TARGET, budget_flops=1e18, candidates=bad.iloc[:0])
    with pytest.raises(OptionError, match="single fit"):
        sl.study.suggest_runs("fit.json", TARGET, budget_flops=1e18)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.skipif(not MISFITTING.exists(), reason="../shared/data/misfitting not present")
def test_replay_on_the_open_lm_sweep_with_a_tenth_of_its_cost() -> None:
    sweep = pd.read_csv(MISFITTING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sl.study.replay(sweep, "chinchilla", target="params==max", budget=0.1,
                            best_of="loss", best_by=["params", "planned_tokens"])
    assert r.spent <= 0.1 + 1e-9 and len(r.runs) > r.start
    # measured: 0.90% mean error on the 302M model's three runs from 9.99% of the sweep's
    # compute, against 0.79% fitting all 73 of its other runs ("about as well": within
    # half as much again; the starting runs move it: 3.5-3.9% from 7 or 8 cheapest runs)
    assert r.are <= 1.5 * r.are_all, str(r)
    assert r.are_all < 0.01
