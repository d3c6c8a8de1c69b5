"""Bad input to the post-training and inference-time pieces, in the library and on the
command line: a negative KL for the reward laws, fewer than one sample for best-of-n and
pass@k, more passes than samples, k beyond the samples, a coverage curve at k < 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.exceptions import DataError, LawError, OptionError
from scalinglaws.laws.published.posttraining import bon_distance

D = np.linspace(0.1, 8, 25)


def reward_points(bad_row: int | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"kl_distance": D, "gold_reward": D * (1.0 - 0.12 * D)})
    if bad_row is not None:
        frame.loc[bad_row, "kl_distance"] = -0.5
    return frame


@pytest.mark.parametrize("law", ["reward_bon", "reward_rl"])
def test_negative_kl_in_the_data_is_refused(law):
    with pytest.raises(DataError, match="column 'kl_distance' has values below 0") as info:
        sl.fit(law, reward_points(bad_row=3))
    assert "row 3" in str(info.value) and "KL >= 0" in str(info.value)


def test_negative_kl_in_a_query_is_refused():
    fit = sl.fit("reward_bon", reward_points())
    with pytest.raises(OptionError, match="kl_distance must be a finite number of at least 0"):
        fit.predict(kl_distance=-1.0)
    # the peak of the fit on valid points is where it belongs (the law's d* = alpha/2beta)
    assert sl.plan.reward_peak(fit).d == pytest.approx(1 / 0.24, rel=1e-3)


def test_negative_kl_on_the_command_line(tmp_path):
    path = tmp_path / "kl.csv"
    reward_points(bad_row=3).to_csv(path, index=False)
    result = run("fit", path, "--law", "reward_bon", code=2)
    assert "kl_distance" in result.stderr and "below 0" in result.stderr
    good = tmp_path / "good.csv"
    reward_points().to_csv(good, index=False)
    run("fit", good, "--law", "reward_bon", "--out", tmp_path / "fit.json")
    result = run("predict", tmp_path / "fit.json", "--at", "kl_distance=-1", code=2)
    assert "kl_distance" in result.stderr and "at least 0" in result.stderr


@pytest.mark.parametrize("n", [0, -1, 0.5])
def test_best_of_fewer_than_one_sample_is_refused(n):
    with pytest.raises(LawError, match="n >= 1"):
        bon_distance(n)


def test_pass_at_k_with_no_samples_is_refused():
    with pytest.raises(OptionError, match="n must be at least 1"):
        sl.inference.pass_at_k(0, 0, 1)
    result = run("passk", "--n", "0", "--c", "0", "--k", "1", code=2)
    assert "n must be at least 1" in result.stderr and "option --n" in result.stderr


def test_passk_command_c_above_n_and_k_above_n():
    result = run("passk", "--n", "10", "--c", "11", "--k", "1", code=2)
    assert "c > n" in result.stderr
    result = run("passk", "--n", "10", "--c", "3", "--k", "11", code=2)
    assert "k must lie between 1 and n" in result.stderr and "--k" in result.stderr
    with pytest.raises(DataError, match="c > n"):
        sl.inference.pass_at_k(10, 11, 1)
    with pytest.raises(OptionError, match="between 1 and n"):
        sl.inference.pass_at_k(10, 3, 11)


def test_coverage_at_fewer_than_one_sample_is_refused():
    k = np.array([0.5, 1, 2, 4, 8])
    with pytest.raises(DataError, match="column 'samples' has values below 1"):
        sl.fit("coverage", pd.DataFrame({"samples": k, "coverage": np.exp(-1.6 * k**-0.35)}))
