"""Laws beyond pretraining: the rectified fine-tuning law, reward over-optimisation under
best-of-n and RL, and coverage under repeated sampling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import LawError
from scalinglaws.laws.published.posttraining import bon_distance, peak


def test_rectified_predicts_the_largest_subset_where_a_power_law_misses() -> None:
    # fine-tuning subsets doubling from the flat phase into the power phase, 0.1% noise;
    # fitted on all but the largest quarter, the rectified law predicts the largest within
    # 2% while a power law with an offset, which has no flat phase, misses by more
    law = sl.laws.get("rectified")
    truth = {"B": 60.0, "D_l": 15.0, "beta": 0.55, "E": 0.9}
    d = 200 * 2.0 ** np.arange(12)
    y = np.asarray(law(truth, examples=d)) * np.exp(
        np.random.default_rng(0).normal(0, 0.001, d.size))
    frame = pd.DataFrame({"examples": d, "loss": y})
    train, test = frame.iloc[:9], frame.iloc[9:]
    rect = sl.fit(law, train)
    got = np.asarray(rect.predict(examples=test["examples"].to_numpy(), extrapolation=None))
    err = np.abs(got / test["loss"].to_numpy() - 1)
    assert err.max() < 0.02
    power = sl.fit("power_law", train, x="examples")
    other = np.asarray(power.predict(examples=test["examples"].to_numpy(), extrapolation=None))
    assert np.abs(other / test["loss"].to_numpy() - 1).max() > err.max()


@pytest.mark.parametrize(("name", "truth"), [("reward_bon", {"alpha": 1.0, "beta": 0.12}),
                                             ("reward_rl", {"alpha": 1.0, "beta": 0.45})])
def test_the_over_optimisation_peak_is_found_within_five_percent(name, truth) -> None:
    law = sl.laws.get(name)
    d_star = peak(name, truth["alpha"], truth["beta"])
    d = np.linspace(0.1, 2.0 * d_star, 30)
    rng = np.random.default_rng(1)
    reward = np.asarray(law(truth, kl_distance=d)) + rng.normal(0, 0.01, d.size)
    fit = sl.fit(law, pd.DataFrame({"kl_distance": d, "gold_reward": reward}))
    assert fit.loss == "mse"  # a reward from its start crosses zero: never a log loss
    found = peak(name, fit.params["alpha"], fit.params["beta"])
    # 30 points with noise 1% of the peak reward: the peak's position within 5%
    assert found == pytest.approx(d_star, rel=0.05)


def test_best_of_n_distance_and_bad_inputs() -> None:
    assert bon_distance(1) == 0.0
    assert bon_distance(64) == pytest.approx(math.sqrt(math.log(64) - 63 / 64))
    with pytest.raises(LawError, match="n >= 1"):
        bon_distance(0.5)
    with pytest.raises(LawError, match="no peak"):
        peak("coverage", 1.0, 1.0)


def test_coverage_from_pass_at_k_predicts_larger_k() -> None:
    # 200 problems with per-problem pass rates from a Beta distribution, 1,000 samples each:
    # coverage at k from pass@k (unbiased), fitted on k <= 100, predicted at k = 1000
    rng = np.random.default_rng(2)
    rates = rng.beta(0.2, 2.0, 200)
    passes = rng.binomial(1000, rates)
    ks = np.array([1, 2, 5, 10, 20, 50, 100])
    cov = np.array([np.mean(sl.inference.pass_at_k(1000, passes, k)) for k in ks])
    fit = sl.fit("coverage", pd.DataFrame({"samples": ks, "coverage": cov}))
    truth = float(np.mean(sl.inference.pass_at_k(1000, passes, 1000)))
    # log coverage as a power law in k is an approximation (Brown et al.): 10x beyond the
    # fitted k, within 10% of the coverage measured with every sample
    assert float(fit.predict(samples=1000, extrapolation=None)) == pytest.approx(truth, rel=0.1)


def test_reward_peak_with_an_interval_and_the_best_n(tmp_path) -> None:
    import json

    from cli_runner import run

    truth = {"alpha": 1.0, "beta": 0.12}
    law = sl.laws.get("reward_bon")
    n = np.unique(np.geomspace(2, 20000, 30).round())
    d = np.array([bon_distance(v) for v in n])
    reward = np.asarray(law(truth, kl_distance=d)) + np.random.default_rng(3).normal(
        0, 0.01, d.size)
    frame = pd.DataFrame({"kl_distance": d, "gold_reward": reward})
    top = sl.plan.reward_peak(sl.fit(law, frame), n_boot=200, seed=0)
    d_star = peak("reward_bon", **truth)
    assert top.interval[0] <= d_star <= top.interval[1]
    assert top.kl == pytest.approx(top.d ** 2)
    assert bon_distance(top.n) == pytest.approx(top.d, rel=1e-6)  # the n that reaches d*
    path = tmp_path / "kl.csv"
    frame.to_csv(path, index=False)
    doc = json.loads(run("fit", path, "--law", "reward_bon", "--json").stdout)
    assert doc["peak"]["d"] == pytest.approx(d_star, rel=0.05)
    assert "gold reward peaks at" in run("fit", path, "--law", "reward_bon").stdout
    with pytest.raises(sl.OptionError, match="reward_bon or reward_rl"):
        sl.plan.reward_peak(sl.fit("chinchilla", sl.datasets.load("chinchilla")))
