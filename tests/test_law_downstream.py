"""Downstream laws: sigmoid of log compute (with a chance floor), a task's loss, the BLEU log
law and the power law on -log accuracy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import LawError


def test_sigmoid_with_a_chance_floor_recovers_its_midpoint_from_binomial_scores() -> None:
    law = sl.laws.get("sigmoid_compute", chance=0.25)
    assert law.parameter_names == ("ceiling", "k", "C0")  # the floor is not fitted
    rng = np.random.default_rng(3)
    flops = np.geomspace(1e20, 1e25, 40)
    truth = {"ceiling": 0.85, "k": 0.6, "C0": 3e22}
    p = np.asarray(law(truth, flops=flops))
    questions = 14_000  # MMLU's size: binomial sd <= 0.0042
    scores = rng.binomial(questions, p) / questions
    fit = sl.fit(law, pd.DataFrame({"flops": flops, "accuracy": scores}), loss="mse")
    # 40 points with sd 0.004 pin the midpoint to a few percent and the ceiling to 0.01
    assert fit.params["C0"] == pytest.approx(3e22, rel=0.15)
    assert fit.params["ceiling"] == pytest.approx(0.85, abs=0.02)
    assert float(fit.predict(flops=1e18)) == pytest.approx(0.25, abs=0.01)


def test_log_law_and_log_accuracy_recover_known_constants() -> None:
    tokens = np.geomspace(1e9, 1e12, 30)
    bleu = sl.laws.get("log_law")
    truth = {"A": 1.0, "alpha": 0.35, "beta": 1.9}
    y = np.asarray(bleu(truth, tokens=tokens)) * np.exp(np.random.default_rng(0).normal(
        0, 0.002, tokens.size))
    fit = sl.fit(bleu, pd.DataFrame({"tokens": tokens, "bleu": y}))
    # 0.2% noise on 30 points: the prediction at 3x the largest within 1%
    assert float(fit.predict(tokens=3e12)) == pytest.approx(
        float(bleu(truth, tokens=3e12)), rel=0.01)
    acc = sl.laws.get("log_accuracy")
    flops = np.geomspace(1e20, 1e24, 25)
    truth = {"A": 30.0, "alpha": 0.06}
    fit = sl.fit(acc, pd.DataFrame({"flops": flops, "accuracy": acc(truth, flops=flops)}))
    assert fit.params["alpha"] == pytest.approx(0.06, rel=1e-3)


def test_task_loss_in_compute_and_in_n_and_d() -> None:
    law = sl.laws.get("task_loss", inputs="params_tokens")
    assert set(law.inputs.values()) == {"params", "tokens"} and law.target == "task_loss"
    compute = sl.laws.get("task_loss")
    assert set(compute.inputs.values()) == {"flops"}
    with pytest.raises(LawError, match="unknown inputs"):
        sl.laws.get("task_loss", inputs="steps")
    with pytest.raises(LawError, match="chance must lie"):
        sl.laws.get("sigmoid_compute", chance=1.2)


def test_scores_are_fitted_on_their_scale_and_checked() -> None:
    law = sl.laws.get("sigmoid_compute", chance=0.25)
    flops = np.geomspace(1e20, 1e25, 20)
    scores = np.asarray(law({"ceiling": 0.85, "k": 0.6, "C0": 3e22}, flops=flops))
    frame = pd.DataFrame({"flops": flops, "accuracy": scores})
    assert sl.fit(law, frame).loss == "mse"  # the default for a score target
    with pytest.warns(sl.ScalingLawWarning, match="fits the logs of accuracy"):
        sl.fit(law, frame, loss="huber")
    with pytest.raises(sl.DataError, match="outside it"):
        sl.fit(law, frame.assign(accuracy=scores * 100))  # percentages, not fractions
    flat = frame.assign(accuracy=0.25 + np.r_[np.zeros(18), 0.1, 0.2])
    with pytest.raises(sl.DataError, match="only 2 of 20 scores"):
        sl.fit(law, flat)
    mostly = frame.assign(accuracy=0.25 + np.r_[np.zeros(16), 0.05, 0.1, 0.2, 0.3])
    with pytest.warns(sl.ScalingLawWarning, match="sit at chance"):
        sl.fit(law, mostly)
    # a loss target keeps Huber on log residuals
    assert sl.fit("chinchilla", sl.datasets.load("chinchilla")).loss == "huber"


def test_cli_fits_a_score_with_a_chance_floor(tmp_path) -> None:
    import json

    from cli_runner import run

    law = sl.laws.get("sigmoid_compute", chance=0.25)
    flops = np.geomspace(1e20, 1e25, 20)
    path = tmp_path / "scores.csv"
    pd.DataFrame({"flops": flops, "mmlu": law({"ceiling": 0.85, "k": 0.6, "C0": 3e22},
                                              flops=flops)}).to_csv(path, index=False)
    doc = json.loads(run("fit", path, "--law", "sigmoid_compute", "--metric", "mmlu",
                         "--chance", "0.25", "--json").stdout)
    assert doc["law"] == "sigmoid_compute(chance=0.25)" and doc["loss"] == "mse"
    assert doc["params"]["C0"] == pytest.approx(3e22, rel=1e-3)
    assert "--chance goes with" in run("fit", path, "--law", "chinchilla", "--chance", "0.25",
                                       code=2).stderr
    pd.DataFrame({"flops": flops, "mmlu": 100 * law({"ceiling": 0.85, "k": 0.6, "C0": 3e22},
                                                    flops=flops)}).to_csv(path, index=False)
    assert "outside it" in run("fit", path, "--law", "sigmoid_compute", "--metric", "mmlu",
                               code=2).stderr


def test_a_run_above_an_accuracy_law_is_not_called_diverged() -> None:
    law = sl.laws.get("sigmoid_compute", chance=0.25)
    flops = np.geomspace(1e20, 1e25, 20)
    flops = np.geomspace(1e20, 1e25, 40)
    scores = np.array(law({"ceiling": 0.85, "k": 0.6, "C0": 3e22}, flops=flops))
    scores = scores + np.random.default_rng(0).normal(0, 0.003, flops.size)
    scores[3] = 0.55  # a small run twice as good as the trend (chance is 0.25 there)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sl.fit(law, pd.DataFrame({"flops": flops, "accuracy": scores}))
    assert not [w for w in caught if "diverged" in str(w.message)]


@pytest.mark.slow
def test_binomial_weighted_intervals_cover_the_truth_at_their_nominal_rate() -> None:
    # 200 synthetic benchmarks of 1,000 questions each, scores binomial around a known
    # sigmoid; the 90% interval of the law's value at three computes must cover the truth
    # 85-95% of the time (Monte Carlo standard error of a coverage: sqrt(.09/200) = 2.1
    # points). Unweighted least squares under-covers where the noise is largest (84.5% at
    # the midpoint, measured); the binomial weights put each score at its own variance.
    law = sl.laws.get("sigmoid_compute", chance=0.25)
    truth = {"ceiling": 0.85, "k": 0.6, "C0": 3e22}
    flops = np.geomspace(1e20, 1e25, 25)
    p = np.asarray(law(truth, flops=flops))
    query = np.array([3e21, 3e22, 1e24])
    target = np.asarray(law(truth, flops=query))
    rng = np.random.default_rng(0)
    hits = np.zeros(3)
    for _ in range(200):
        scores = rng.binomial(1000, p) / 1000
        fit = sl.fit(law, pd.DataFrame({"flops": flops, "accuracy": scores}), questions=1000)
        lo, hi = fit.predict_interval(0.9, kind="mean", flops=query)
        hits += (lo <= target) & (target <= hi)
    coverage = hits / 200
    assert np.all(np.abs(coverage - 0.9) <= 0.05), coverage


def test_questions_weighting_needs_a_score() -> None:
    with pytest.raises(sl.OptionError, match="binomial noise"):
        sl.fit("chinchilla", sl.datasets.load("chinchilla"), questions=1000)
