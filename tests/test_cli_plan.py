"""The command line's planning commands: ``plan`` (compute-optimal, inverse and
inference-aware queries) and ``isoflop`` (JSON keys and values against the library, the
one-object-or-list shape, tables, warnings, exit codes)."""

import json
import warnings

import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.cli.planning import parse_budget_rule


def doc_of(*args):
    return json.loads(run(*args, "--json").stdout)




@pytest.fixture(scope="module")
def fit(fit_json):
    return sl.load_fit(fit_json)


def approx_doc(doc, expected):
    """Same keys; numbers equal to 1e-9 relative (lists element by element)."""
    assert set(doc) == set(expected), set(doc) ^ set(expected)
    for key, want in expected.items():
        if isinstance(want, float | list) and key != "warnings":
            assert doc[key] == pytest.approx(want, rel=1e-9), key
        else:
            assert doc[key] == want, key


# -- plan --flops: one object, or a list of one object per budget --------------------------------
def test_plan_flops_object_for_one_list_for_several(fit_json, fit):
    one = doc_of("plan", fit_json, "--flops", "1e23")
    assert isinstance(one, dict)
    approx_doc(one, sl.plan.compute_optimal(fit, 1e23).to_dict())
    several = doc_of("plan", fit_json, "--flops", "1e22", "1e23")
    assert isinstance(several, list) and len(several) == 2
    for doc, budget in zip(several, (1e22, 1e23), strict=True):
        approx_doc(doc, sl.plan.compute_optimal(fit, budget).to_dict())
    # the comma form is the same query
    assert doc_of("plan", fit_json, "--flops", "1e22,1e23") == several


# -- plan --loss [--params | --tokens] ------------------------------------------------------------
def test_plan_loss_with_params_gives_tokens(fit_json, fit):
    doc = doc_of("plan", fit_json, "--loss", "2.1", "--params", "7e9")
    expected = sl.plan.tokens_to_reach(fit, 2.1, params=7e9).to_dict()
    approx_doc(doc, {**expected, "target_loss": 2.1})
    assert doc["solved_for"] == "tokens" and doc["params"] == 7e9
    assert doc["flops"] == pytest.approx(6 * doc["params"] * doc["tokens"], rel=1e-12)
    assert fit.predict(params=7e9, tokens=doc["tokens"]) == pytest.approx(2.1, rel=1e-6)


def test_plan_loss_with_tokens_gives_params(fit_json, fit):
    doc = doc_of("plan", fit_json, "--loss", "2.0", "--tokens", "2e12")
    expected = sl.plan.params_to_reach(fit, 2.0, tokens=2e12).to_dict()
    approx_doc(doc, {**expected, "target_loss": 2.0})
    assert doc["solved_for"] == "params" and doc["tokens"] == 2e12


def test_plan_loss_alone_is_compute_optimal_flops_to_reach(fit_json, fit):
    doc = doc_of("plan", fit_json, "--loss", "2.0")
    approx_doc(doc, {**sl.plan.flops_to_reach(fit, 2.0).to_dict(), "target_loss": 2.0})


def test_plan_inverse_tables(fit_json):
    out = run("plan", fit_json, "--loss", "2.1", "--params", "7e9").stdout
    assert "tokens to reach loss 2.1" in out and "training FLOPs" in out
    out = run("plan", fit_json, "--loss", "2.0", "--tokens", "2e12").stdout
    assert "params to reach loss 2" in out


def test_plan_extrapolation_warning_on_stderr_or_in_json(fit_json):
    result = run("plan", fit_json, "--loss", "2.0", "--params", "7e9")
    assert "warning:" in result.stderr and "extrapolation" in result.stderr
    assert "warning:" not in run("plan", fit_json, "--loss", "2.0", "--params", "7e9",
                                 "--quiet").stderr
    json_run = run("plan", fit_json, "--loss", "2.0", "--params", "7e9", "--json")
    assert "extrapolation" in json.loads(json_run.stdout)["warnings"][0]
    assert json_run.stderr == ""


# -- plan --inference-tokens --------------------------------------------------------------------
def test_plan_inference_for_a_budget(fit_json, fit):
    doc = doc_of("plan", fit_json, "--flops", "1e23", "--inference-tokens", "1e13")
    expected = sl.plan.inference_optimal(fit, flops=1e23, inference_tokens=1e13).to_dict()
    approx_doc(doc, {**expected, "flops": 1e23})
    assert doc["params"] < doc["chinchilla_params"] and doc["tokens"] > doc["chinchilla_tokens"]
    assert 0 < doc["savings"] < 1
    # the Chinchilla-optimal plan beside it is the compute-optimal one at that budget
    assert 6 * doc["chinchilla_params"] * doc["chinchilla_tokens"] == pytest.approx(1e23, 1e-6)


@pytest.mark.slow
def test_plan_inference_several_budgets_and_loss(fit_json, fit):
    several = doc_of("plan", fit_json, "--flops", "1e22", "1e23", "--inference-tokens", "1e13")
    assert isinstance(several, list) and [d["flops"] for d in several] == [1e22, 1e23]
    assert several[0]["params"] < several[1]["params"]
    doc = doc_of("plan", fit_json, "--loss", "2.1", "--inference-tokens", "1e13")
    expected = sl.plan.inference_optimal(fit, loss=2.1, inference_tokens=1e13).to_dict()
    approx_doc(doc, {**expected, "target_loss": 2.1})


@pytest.mark.slow
def test_plan_inference_table(fit_json):
    out = run("plan", fit_json, "--flops", "1e22,1e23", "--inference-tokens", "1e13").stdout
    assert "inference-aware" in out and "Chinchilla-optimal" in out and "saves" in out
    assert "C = 1×10²²" in out and "C = 1×10²³" in out and "inference FLOPs" in out
    out = run("plan", fit_json, "--loss", "2.1", "--inference-tokens", "1e13").stdout
    assert "loss 2.1000" in out and "…" not in out  # fits 80 columns


# -- plan: failed queries exit 1, bad usage exits 2 ---------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--loss", "1.0"), "below"),
        (("--loss", "1.5", "--params", "7e9"), "at or below"),
        (("--loss", "1.5", "--tokens", "2e12"), "at or below"),
        (("--loss", "1.0", "--inference-tokens", "1e13"), "below"),
    ],
)
def test_plan_target_below_the_floor_exits_1(fit_json, args, needle):
    result = run("plan", fit_json, *args, code=1)
    assert needle in result.stderr
    result = run("plan", fit_json, *args, "--json", code=1)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--params", "7e9"), "--flops"),
        (("--flops", "1e23", "--params", "7e9"), "goes with --loss"),
        (("--flops", "1e23", "--loss", "2.0"), "not both"),
        (("--loss", "2.0", "--params", "7e9", "--tokens", "2e12"), "not both"),
        (("--loss", "2.0", "--params", "-7e9"), "--params must be positive"),
        (("--loss", "2.0", "--tokens", "0"), "--tokens must be positive"),
        (("--loss", "2.0", "--params", "7e9", "--inference-tokens", "1e13"), "drop --params"),
        (("--flops", "1e23", "--inference-tokens", "-1"), "inference_tokens"),
        (("--flops", "1e23", "--inference-tokens", "1e13", "--inference-factor", "0"),
         "inference_factor"),
        (("--loss", "nan", "--params", "7e9"), "loss"),
        (("--loss", "2.0", "--params", "x"), "--params"),
    ],
)
def test_plan_bad_usage_exits_2(fit_json, args, needle):
    result = run("plan", fit_json, *args, code=2)
    assert needle in result.stderr


# -- isoflop --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chinchilla_isoflop():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return sl.plan.isoflop(sl.datasets.load("chinchilla"), budgets="log", n_boot=50)


def test_isoflop_json_matches_the_library(chinchilla_isoflop):
    result = run("isoflop", "chinchilla", "--budgets", "log", "--n-boot", 50, "--json")
    doc = json.loads(result.stdout)
    assert result.stderr == ""  # under --json the warnings are in the document
    assert {"a", "b", "a_interval", "b_interval", "budgets", "warnings"} <= set(doc)
    iso = chinchilla_isoflop
    assert doc["a"] == pytest.approx(iso.a, rel=1e-12)
    assert doc["b"] == pytest.approx(iso.b, rel=1e-12)
    assert doc["a_interval"] == pytest.approx(list(iso.a_interval), rel=1e-12)
    assert doc["b_interval"] == pytest.approx(list(iso.b_interval), rel=1e-12)
    assert doc["a_interval"][0] < doc["a"] < doc["a_interval"][1]
    assert len(doc["budgets"]) == len(iso.budgets)
    assert [b["status"] for b in doc["budgets"]] == iso.budgets["status"].tolist()
    assert {"flops", "n_runs", "n_opt", "d_opt", "at_edge", "status"} <= set(doc["budgets"][0])
    assert doc["warnings"] == list(iso.warnings) and doc["n_boot"] == 50


def test_isoflop_options_reach_the_library():
    ds = sl.datasets.load("chinchilla")
    ds = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        iso = sl.plan.isoflop(ds, budgets=8, level=0.8, n_boot=20, seed=3, window=5)
    doc = doc_of("isoflop", "chinchilla", "--budgets", 8, "--level", 0.8, "--n-boot", 20,
                 "--seed", 3, "--window", 5, "--exclude", "epoch_excluded")
    assert doc["a"] == pytest.approx(iso.a, rel=1e-12)
    assert doc["a_interval"] == pytest.approx(list(iso.a_interval), rel=1e-12)
    assert doc["level"] == 0.8 and doc["window"] == 5 and doc["n_boot"] == 20
    assert sum(b["n_runs"] for b in doc["budgets"]) == 240
    edges = doc_of("isoflop", "chinchilla", "--budgets", "1e19,1e20,1e21,1e22", "--n-boot", 0)
    assert len(edges["budgets"]) == 3 and edges["a_interval"] == [None, None]


def test_isoflop_estimator_akima_reaches_the_library():
    ds = sl.datasets.load("chinchilla")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        iso = sl.plan.isoflop(ds, budgets="log", n_boot=20, estimator="akima")
    doc = doc_of("isoflop", "chinchilla", "--budgets", "log", "--n-boot", 20,
                 "--estimator", "akima")
    assert doc["estimator"] == "akima"
    assert doc["a"] == pytest.approx(iso.a, rel=1e-12)
    assert doc["a_interval"] == pytest.approx(list(iso.a_interval), rel=1e-12)
    assert [b["status"] for b in doc["budgets"]] == iso.budgets["status"].tolist()
    table = run("isoflop", "chinchilla", "--budgets", "log", "--n-boot", 0, "--estimator",
                "akima", "--quiet")
    assert "Akima spline" in table.stdout and "a = " in table.stdout
    assert doc_of("isoflop", "chinchilla", "--budgets", "log", "--n-boot", 0
                  )["estimator"] == "parabola"


def test_isoflop_table_and_warnings_on_stderr():
    result = run("isoflop", "chinchilla", "--budgets", "log", "--n-boot", 20)
    assert "a = " in result.stdout and "b = " in result.stdout
    assert "used (edge)" in result.stdout and "too_few_sizes" in result.stdout
    assert "…" not in result.stdout  # fits 80 columns
    assert "warning:" in result.stderr and "skipped" in result.stderr
    assert "edge of the sampled sizes" in result.stderr
    quiet = run("isoflop", "chinchilla", "--budgets", "log", "--n-boot", 20, "--quiet")
    assert quiet.stderr == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "at least 2 budgets"),  # exact FLOPs: every chinchilla run is its own budget
        (("--budgets", "linear"), "unknown budgets rule"),
        (("--budgets", "0"), "budgets must be an integer"),
        (("--budgets", "1e19"), "at least two"),
        (("--budgets", "1e19,abc"), "not a number"),
        (("--budgets", "log", "--n-boot", "1"), "at least 2 resamples"),
        (("--budgets", "log", "--level", "1.5"), "between 0 and 1"),
        (("--budgets", "log", "--window", "2"), "window"),
        (("--budgets", "log", "--estimator", "spline"), "estimator"),
        (("--budgets", "log", "--x", "loss"), "model-size column"),
        (("--budgets", "log", "--x", "nosuch"), "nosuch"),
        (("--budgets", "log", "--exclude", "nosuch"), "nosuch"),
        (("--budgets", "log", "extra"), "unexpected"),
    ],
)
def test_isoflop_bad_input_exits_2(args, needle):
    result = run("isoflop", "chinchilla", *args, code=2)
    assert needle in result.stderr


def test_isoflop_missing_file_exits_2():
    assert "not found" in run("isoflop", "missing.csv", code=2).stderr


def test_parse_budget_rule():
    assert parse_budget_rule("exact") == "exact" and parse_budget_rule(" log ") == "log"
    assert parse_budget_rule("8") == 8
    assert parse_budget_rule("1e19,1e20") == [1e19, 1e20]
    assert parse_budget_rule("sideways") == "sideways"  # the library names the rules


# -- compare ------------------------------------------------------------------------------
def _setup_csv(path, multiplier, seed):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    s = np.sqrt(multiplier)
    rows = [{"params": n, "tokens": m * n,
             "loss": (1.8 + 480 * (n / s) ** -0.34 + 2100 * (m * n / s) ** -0.37)
             * np.exp(rng.normal(0, 0.002))}
            for n in np.geomspace(2e7, 2e9, 7) for m in (5, 10, 20, 40, 80)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_compare_json_contract(tmp_path):
    a = _setup_csv(tmp_path / "a.csv", 1.0, 0)
    b = _setup_csv(tmp_path / "b.csv", 3.0, 1)
    doc = json.loads(run("compare", a, b, "--law", "chinchilla", "--n-boot", 50,
                         "--json").stdout)
    for key in ("compute_multiplier", "crossover_flops", "p_a_better"):
        assert key in doc
    # B was built to need 3x the compute of A (0.2% noise): within 10%
    assert abs(doc["compute_multiplier"] - 3.0) < 0.3
    assert doc["p_a_better"] > 0.975 and doc["significant"]
    assert len(doc["sensitivity"]) == 4
    ds_a, ds_b = sl.Dataset.from_csv(a), sl.Dataset.from_csv(b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        direct = sl.plan.compare_data(ds_a, ds_b, n_boot=0)
    assert doc["compute_multiplier"] == direct.multiplier_at_budget
    table = run("compare", a, b, "--n-boot", 0).stdout
    assert "needs" in table and "mse_log" in table


def test_compare_a_dataset_with_itself_is_no_detectable_difference(tmp_path):
    doc = json.loads(run("compare", "chinchilla", "chinchilla", "--law", "chinchilla",
                         "--json").stdout)
    assert doc["significant"] is False and 0.025 <= doc["p_a_better"] <= 0.975
    lo, hi = doc["multiplier_interval"]
    assert lo <= 1.0 <= hi and doc["level"] == 0.95 and doc["n_pairs"] == 200
    assert "no detectable difference" in doc["statement"]
    assert not any("flips" in w for w in doc["warnings"])
    table = run("compare", "chinchilla", "chinchilla", "--n-boot", 50).stdout
    assert "no detectable difference" in " ".join(table.split()) and "tie" in table


def test_compare_with_loss_ten_percent_higher_is_significant(tmp_path):
    frame = sl.datasets.load("chinchilla").to_frame()
    frame["loss"] = frame["loss"] * 1.1
    worse = tmp_path / "worse.csv"
    frame.to_csv(worse, index=False)
    doc = json.loads(run("compare", "chinchilla", worse, "--law", "chinchilla",
                         "--json").stdout)
    assert doc["significant"] is True and doc["p_a_better"] > 0.975
    assert doc["multiplier_interval"][0] > 1.0
    assert "B needs" in doc["statement"] and "significant at 95%" in doc["statement"]


def test_compare_bad_input(tmp_path):
    a = _setup_csv(tmp_path / "a.csv", 1.0, 0)
    result = run("compare", a, tmp_path / "missing.csv", code=2)
    assert "Traceback" not in result.output
    result = run("compare", a, a, "--budget", -1, code=2)
    assert "budget" in result.output
