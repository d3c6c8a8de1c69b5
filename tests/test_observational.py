"""Observational scaling laws (Ruan, Maddison, Hashimoto 2024) on the bundled public table."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.observational import PAPER_BENCHMARKS, PAPER_FAMILIES

#: the paper: PC-1 explains about 80% of the variance of the benchmark scores (Sec. 3.2)
PAPER_PC1 = 0.80


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return sl.datasets.load("observational").to_frame()


@pytest.fixture(scope="module")
def gsm8k(table):
    return sl.observational.fit(table, target="GSM8K")


# -- the capability space --------------------------------------------------------------------
def test_pc1_share_on_the_papers_models_is_the_papers(table):
    paper = table[table["Model Family"].isin(PAPER_FAMILIES)]
    fit = sl.observational.fit(paper)
    assert len(paper) == 80 and fit.benchmarks == PAPER_BENCHMARKS
    # the paper states "about 80%"; its table was the repository's earlier file of these 21
    # families, so the stated figure is rounded and the scores may differ slightly: 3 points
    assert abs(fit.explained_variance[0] - PAPER_PC1) < 0.03
    # three components, as the paper uses, are the fewest reaching 95% of the variance
    assert fit.n_components == 3 and fit.explained_variance[:3].sum() >= 0.95


def test_pc1_share_on_the_whole_table(table):
    # the whole bundled table (148 models, later releases added): measured 0.853 as they are,
    # 0.794 standardised; deterministic computations, so a tight 0.005 tolerance
    assert abs(sl.observational.fit(table).explained_variance[0] - 0.853) < 0.005
    std = sl.observational.fit(table, standardize=True)
    assert abs(std.explained_variance[0] - 0.794) < 0.005
    assert np.allclose(std.explained_variance.sum(), 1.0)


def test_pc1_grows_with_every_benchmark(gsm8k):
    assert (gsm8k.loadings["PC-1"] > 0).all()
    assert list(gsm8k.loadings.index) == [b for b in PAPER_BENCHMARKS if b != "GSM8K"]


def test_imputation_recovers_hidden_scores_better_than_the_column_mean(table):
    complete = table.dropna(subset=list(PAPER_BENCHMARKS)).reset_index(drop=True)
    rng = np.random.default_rng(0)
    hidden = complete.copy()
    cells = [(i, b) for i in range(len(complete)) for b in PAPER_BENCHMARKS]
    picked = [cells[j] for j in rng.choice(len(cells), 60, replace=False)]
    for i, b in picked:
        hidden.loc[i, b] = np.nan
    space = sl.observational.fit(hidden).space
    filled = space.fill(hidden[list(PAPER_BENCHMARKS)].to_numpy(float))
    col = {b: j for j, b in enumerate(PAPER_BENCHMARKS)}
    truth = np.array([complete.loc[i, b] for i, b in picked])
    pca = np.array([filled[i, col[b]] for i, b in picked])
    mean = np.array([hidden[b].mean() for _, b in picked])
    assert space.n_imputed == 60
    # rank-1 PCA imputation uses the model's other scores: at least twice as close
    assert np.abs(pca - truth).mean() < 0.5 * np.abs(mean - truth).mean()


def test_the_fit_does_not_depend_on_the_order_of_the_models(table, gsm8k):
    shuffled = sl.observational.fit(table.sample(frac=1.0, random_state=1), target="GSM8K")
    assert np.allclose(shuffled.explained_variance, gsm8k.explained_variance)
    a = gsm8k.predict("meta-llama/Llama-2-70b-hf", n_boot=0).value
    b = shuffled.predict("meta-llama/Llama-2-70b-hf", n_boot=0).value
    assert abs(a - b) < 1e-6


# -- efficiency ---------------------------------------------------------------------------------
def test_family_efficiency_is_a_line_in_log_compute(gsm8k):
    eff = gsm8k.efficiency.set_index("family")
    llama2 = eff.loc["Llama-2"]
    # capabilities rise with compute within a family, almost exactly on a line
    assert llama2["fitted"] and llama2["PC-1 slope"] > 0 and llama2["PC-1 r2"] > 0.95
    pythia = eff.loc["Pythia"]
    assert pythia["PC-1 r2"] > 0.8


def test_a_single_model_family_is_reported_not_pooled(gsm8k):
    assert "single model" in gsm8k.unfitted["DeepSeek-V2"]
    assert "compute known for 0" in gsm8k.unfitted["Mistral"]
    row = gsm8k.efficiency.set_index("family").loc["DeepSeek-V2"]
    assert not row["fitted"] and np.isnan(row["PC-1 slope"])
    with pytest.raises(sl.QueryError, match="single model"):
        gsm8k.predict(family="DeepSeek-V2", compute=1e24)
    assert "no efficiency for DeepSeek-V2" in str(gsm8k)


# -- forecasts -------------------------------------------------------------------------------
def test_a_prediction_has_a_bootstrap_interval(gsm8k):
    p = gsm8k.predict("meta-llama/Llama-2-70b-hf", n_boot=100, level=0.9, seed=0)
    assert p.low <= p.value <= p.high and p.n_used == 100
    # the same model given as a mapping of its scores: the same forecast
    row = gsm8k.table.scores[list(gsm8k.table.models).index("meta-llama/Llama-2-70b-hf")]
    q = gsm8k.predict(dict(zip(gsm8k.benchmarks, row, strict=True)), n_boot=0)
    assert abs(q.value - p.value) < 1e-9
    again = gsm8k.predict("meta-llama/Llama-2-70b-hf", n_boot=100, level=0.9, seed=0)
    assert (again.low, again.high) == (p.low, p.high)


def test_a_family_forecast_follows_its_compute(gsm8k):
    small = gsm8k.predict(family="Llama-2", compute=8.4e22, n_boot=0).value
    large = gsm8k.predict(family="Llama-2", compute=8.4e23, n_boot=0).value
    # Llama-2 7B (8.4e22 FLOPs) scores 0.145 and 70B (8.4e23) 0.541 on GSM8K
    assert small < large
    assert abs(small - 0.145) < 0.1 and abs(large - 0.541) < 0.1


# -- the backtest --------------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["GSM8K", "MMLU"])
def test_held_out_largest_models_beat_compute_only(table, target):
    bt = sl.observational.fit(table, target=target).backtest(5)
    assert bt.n_scored == 5 and len(bt.points) == 5
    # measured: GSM8K 0.038 vs 0.311, MMLU 0.034 vs 0.216; the observational forecast must
    # beat the baseline and stay within 6 points of accuracy on average
    assert bt.mean_abs_error < bt.baseline_mean_abs_error
    assert bt.mean_abs_error < 0.06
    assert bt.points["flops"].min() > bt.train_max_flops


def test_the_backtest_holds_out_the_largest_by_compute(table):
    bt = sl.observational.fit(table, target="GSM8K").backtest(3)
    known = table.dropna(subset=["FLOPs (1E21)"]).nlargest(3, "FLOPs (1E21)")
    assert set(bt.points["model"]) == set(known["Model"])


def test_forecasts_from_family_lines_score_only_fitted_families(table):
    bt = sl.observational.fit(table, target="GSM8K").backtest(10, via="family")
    scored = bt.points["predicted"].notna()
    assert bt.n_scored == int(scored.sum()) and 0 < bt.n_scored < 10


# -- bad inputs ------------------------------------------------------------------------------
def test_a_benchmark_with_every_value_missing(table):
    bad = table.assign(MMLU=np.nan)
    with pytest.raises(sl.DataError, match="every value of the benchmark column 'MMLU'"):
        sl.observational.fit(bad)


def test_scores_outside_zero_one_name_the_models(table):
    bad = table.copy()
    bad.loc[3, "ARC-C"] = 50.9
    with pytest.raises(sl.DataError, match="huggyllama/llama-7b") as info:
        sl.observational.fit(bad)
    assert "ARC-C" in str(info.value) and "percentages" in str(info.value)
    with pytest.raises(sl.DataError, match="target"):
        sl.observational.fit(table.assign(GSM8K=table["GSM8K"] * 100), target="GSM8K")


def test_too_few_models(table):
    with pytest.raises(sl.DataError, match="at least 3 models"):
        sl.observational.fit(table.head(2))
    # five models cannot fit a 3-component link with a free floor (5 parameters)
    with pytest.raises(sl.DataError, match="sigmoid link has 5 parameters"):
        sl.observational.fit(table.head(5), target="GSM8K", k=3)


def test_other_bad_options(table):
    with pytest.raises(sl.OptionError, match="also a benchmark"):
        sl.observational.fit(table, target="GSM8K", benchmarks=["MMLU", "GSM8K"])
    with pytest.raises(sl.DataError, match="no benchmark column"):
        sl.observational.fit(table, benchmarks=["MMLU", "nope"])
    with pytest.raises(sl.OptionError, match="k must be"):
        sl.observational.fit(table, k=9)
    with pytest.raises(sl.OptionError, match="floor"):
        sl.observational.fit(table, target="GSM8K", floor=1.0)
    with pytest.raises(sl.DataError, match="no score on any benchmark"):
        sl.observational.fit(table.assign(**{b: table[b].where(table.index != 0)
                                             for b in PAPER_BENCHMARKS}))
    fit = sl.observational.fit(table)
    with pytest.raises(sl.QueryError, match="no target"):
        fit.predict("meta-llama/Llama-2-70b-hf")


def test_a_table_without_compute_fits_without_efficiency():
    frame = sl.datasets.load("observational_leaderboard").to_frame()
    fit = sl.observational.fit(frame, benchmarks=[c for c in frame.columns if c != "Model"])
    assert fit.n_models == 72 and not fit.lines and fit.baseline is None
    assert any("no compute column" in n for n in fit.notes)


# -- output ----------------------------------------------------------------------------------
def test_outputs(gsm8k):
    doc = json.loads(json.dumps(gsm8k.to_dict(), allow_nan=False))
    assert doc["n_components"] == 3 and len(doc["explained_variance"]) == 3
    assert doc["link"]["inputs"] == ["PC-1", "PC-2", "PC-3"]
    assert "GSM8K = " in str(gsm8k) and "<table" in gsm8k._repr_html_()
    bt = gsm8k.backtest(5)
    assert json.loads(json.dumps(bt.to_dict(), allow_nan=False))["n_test"] == 5
    assert "compute-only" in str(bt) and "<table" in bt._repr_html_()


def test_cli_prints_the_backtest():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = run("observational", "observational", "--target", "GSM8K",
                  "--holdout-largest", "5", "--json")
    doc = json.loads(out.stdout)
    assert doc["n_components"] == 3 and len(doc["explained_variance"]) == 3
    assert doc["mean_abs_error"] < doc["baseline_mean_abs_error"]
    assert len(doc["backtest"]["points"]) == 5


def test_cli_bad_input_exits_2_with_the_message():
    out = run("observational", "observational", "--target", "GSM8K", "--benchmarks",
              "MMLU,GSM8K", code=2)
    assert "also a benchmark" in out.stderr
    out = run("observational", "observational", "--holdout-largest", "3", code=2)
    assert "--target" in out.stderr
