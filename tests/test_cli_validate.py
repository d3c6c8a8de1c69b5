"""The command line's uncertainty and validation commands: ``fit --bootstrap``,
``predict --interval``, ``backtest`` and ``select`` (JSON keys, values, files, exit codes)."""

import json
import re
import subprocess
import sys

import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.cli.validation import split_laws
from scalinglaws.validate import backtest

EXCLUDE = ("--exclude", "epoch_excluded")
AT = ("--at", "params=7e10", "tokens=1.4e12")




def progress_shown(stderr: str) -> bool:
    """Whether the bootstrap's progress bar (``bootstrap ━━━━ 50/50 0:00:00``) was drawn."""
    return "━" in stderr or re.search(r"\d+/\d+", stderr) is not None


@pytest.fixture(scope="module")
def boot_fit(tmp_path_factory):
    """A fit saved with a 50-resample bootstrap, and the JSON document the command printed."""
    path = tmp_path_factory.mktemp("boot") / "fit.json"
    result = run("fit", "chinchilla", "--law", "chinchilla", *EXCLUDE, "--bootstrap", 50,
                 "--seed", 1, "--out", path, "--json")
    return path, json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def plain_fit(tmp_path_factory):
    path = tmp_path_factory.mktemp("plain") / "fit.json"
    run("fit", "chinchilla", "--law", "chinchilla", *EXCLUDE, "--out", path, "--json",
        "--no-calibrate")
    return path


# -- fit --bootstrap ------------------------------------------------------------------------------
def test_fit_bootstrap_json_intervals_and_summary(boot_fit):
    _, doc, _ = boot_fit
    assert doc["status"] == "converged" and doc["n_points"] == 240
    assert set(doc["intervals"]) == set(doc["params"])
    for name, (lo, hi) in doc["intervals"].items():
        assert lo < hi, name
    lo, hi = doc["intervals"]["alpha"]
    assert lo < doc["params"]["alpha"] < hi and hi - lo < 0.2
    summary = doc["bootstrap"]
    assert {"n", "by", "n_failed", "n_moved", "level"} <= set(summary)
    assert summary["n"] == 50 and summary["by"] is None and summary["level"] == 0.95
    # the document is the fit's saved one (FitResult.to_dict()), its resamples included
    assert summary["n_failed"] == 0 and len(summary["samples"]) == 50


def test_fit_bootstrap_matches_the_library(boot_fit):
    _, doc, _ = boot_fit
    ds = sl.datasets.load("chinchilla")
    ds = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    bs = sl.fit("chinchilla", ds).bootstrap(50, seed=1)
    for name, (lo, hi) in bs.intervals(0.95).items():
        assert doc["intervals"][name] == pytest.approx([lo, hi], rel=1e-6)


def test_fit_bootstrap_saved_with_the_fit(boot_fit):
    path, doc, _ = boot_fit
    assert len(json.loads(path.read_text())["bootstrap"]["samples"]) == 50
    loaded = sl.load_fit(path)
    assert loaded.uncertainty is not None and loaded.uncertainty.n == 50
    assert loaded.params == pytest.approx(doc["params"], rel=1e-12)


def test_fit_bootstrap_no_progress_under_json(boot_fit):
    *_, stderr = boot_fit
    assert not progress_shown(stderr), stderr


def test_fit_bootstrap_table_progress_and_clusters():
    result = run("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", 50, "--level", 0.9,
                 "--by", "params")
    assert "90% lower" in result.stdout and "90% upper" in result.stdout
    assert "clusters of 'params'" in result.stdout
    assert progress_shown(result.stderr)  # the bar's final state, stderr not being a terminal
    quiet = run("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", 50, "--quiet")
    assert "95% lower" in quiet.stdout and not progress_shown(quiet.stderr)
    doc = json.loads(run("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", 50, "--by",
                         "params", "--json").stdout)
    assert doc["bootstrap"]["by"] == "params" and doc["bootstrap"]["n"] == 50


def _seeds_csv(path, k):
    """The Chinchilla rows with a ``seed`` column of ``k`` values."""
    frame = sl.datasets.load("chinchilla").to_frame()
    frame["seed"] = [f"s{i % k}" for i in range(len(frame))]
    frame.to_csv(path, index=False)
    return path


def test_fit_bootstrap_over_two_seeds_exits_2(tmp_path):
    data = _seeds_csv(tmp_path / "two.csv", 2)
    result = run("fit", data, "--law", "chinchilla", "--bootstrap", 200, "--by", "seed",
                 "--json", code=2)
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert "2 distinct value(s)" in message and "only 3 distinct resample(s)" in message
    assert "leave out --by" in message and "more seed values" in message


def test_fit_bootstrap_over_six_seeds_warns(tmp_path):
    data = _seeds_csv(tmp_path / "six.csv", 6)
    result = run("fit", data, "--law", "chinchilla", "--bootstrap", 20, "--by", "seed")
    message = " ".join(result.stderr.split())
    assert "warning:" in message and "only 6 clusters (462 distinct resamples)" in message
    doc = json.loads(run("fit", data, "--law", "chinchilla", "--bootstrap", 20, "--by", "seed",
                         "--json").stdout)
    assert doc["bootstrap"]["n_clusters"] == 6


@pytest.mark.slow
def test_fit_bootstrap_subprocess_json_has_clean_stderr():
    proc = subprocess.run([sys.executable, "-m", "scalinglaws", "fit", "chinchilla", "--law",
                           "chinchilla", "--bootstrap", "20", "--json"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["bootstrap"]["n"] == 20
    assert not progress_shown(proc.stderr) and "Traceback" not in proc.stderr


# -- predict --interval ---------------------------------------------------------------------------
def test_predict_interval_uses_the_saved_bootstrap(boot_fit):
    path, *_ = boot_fit
    # a saved fit is calibrated: by default the interval is calibrated on backtests
    auto = json.loads(run("predict", path, *AT, "--interval", 0.9, "--json").stdout)
    assert auto["kind"] == "calibrated" and auto["interval_method"] == "backtests"
    assert "misfit" in auto["interval_label"] and auto["extrapolation"] > 1
    lo, hi = sl.load_fit(path).predict_interval(0.9, kind="calibrated", params=7e10,
                                                tokens=1.4e12)
    assert [auto["lower"], auto["upper"]] == pytest.approx([lo, hi], rel=1e-12)
    doc = json.loads(run("predict", path, *AT, "--interval", 0.9, "--kind", "mean",
                         "--json").stdout)
    assert doc["interval_method"] == "bootstrap" and doc["kind"] == "mean"
    assert doc["interval_label"].startswith("parameter-only")
    assert doc["level"] == 0.9
    assert doc["lower"] < doc["prediction"] < doc["upper"]
    lo, hi = sl.load_fit(path).predict_interval(0.9, params=7e10, tokens=1.4e12)
    assert [doc["lower"], doc["upper"]] == pytest.approx([lo, hi], rel=1e-12)
    obs = json.loads(run("predict", path, *AT, "--interval", 0.9, "--observation",
                         "--json").stdout)
    assert obs["kind"] == "observation" and obs["interval_method"] == "bootstrap"
    assert obs["lower"] < obs["upper"]
    table = run("predict", path, *AT, "--interval", 0.9, "--kind", "observation").stdout
    assert "lower" in table and "upper" in table and "bootstrap" in table
    assert "parameter-only" in table and "under-cover" in table


def test_predict_interval_delta_method_without_bootstrap(plain_fit):
    # a fit saved with --no-calibrate: the parameter-only interval of a new run, said so
    doc = json.loads(run("predict", plain_fit, "--at", "params=1e9,7e10",
                         "tokens=2e10,1.4e12", "--interval", 0.9, "--json").stdout)
    assert doc["interval_method"] == "delta" and doc["kind"] == "observation"
    assert doc["interval_label"].startswith("parameter-only")
    assert doc["extrapolation"][0] == 1.0 and doc["extrapolation"][1] > 4
    refused = run("predict", plain_fit, *AT, "--interval", 0.9, "--kind", "calibrated",
                  code=2)
    assert "no calibration" in refused.stderr and "--no-calibrate" in refused.stderr
    assert len(doc["lower"]) == len(doc["upper"]) == len(doc["prediction"]) == 2
    assert all(lo < p < hi for lo, p, hi in zip(doc["lower"], doc["prediction"], doc["upper"],
                                                 strict=True))
    obs = json.loads(run("predict", plain_fit, "--at", "params=1e9,7e10", "tokens=2e10,1.4e12",
                         "--observation", "--json").stdout)
    assert obs["level"] == 0.9 and obs["kind"] == "observation"
    assert obs["lower"] == doc["lower"]  # what --interval gives a fit without calibration
    mean = json.loads(run("predict", plain_fit, "--at", "params=1e9,7e10",
                          "tokens=2e10,1.4e12", "--interval", 0.9, "--kind", "mean",
                          "--json").stdout)
    # a new run's interval adds the residual noise to the law's uncertainty
    assert obs["upper"][0] - obs["lower"][0] > mean["upper"][0] - mean["lower"][0]
    bare = json.loads(run("predict", plain_fit, *AT, "--json").stdout)
    assert "lower" not in bare and "interval_method" not in bare


# -- backtest -------------------------------------------------------------------------------------
def test_backtest_json_scores():
    result = run("backtest", "chinchilla", "--law", "chinchilla", "--train", "flops<1e21",
                 "--n-boot", 20, "--json")
    assert not progress_shown(result.stderr)
    doc = json.loads(result.stdout)
    assert {"n_train", "n_test", "mean_abs_rel_error", "max_abs_rel_error", "coverage"} <= set(doc)
    assert doc["n_train"] + doc["n_test"] == 245 and doc["n_test"] > 0
    assert 0 < doc["mean_abs_rel_error"] <= doc["max_abs_rel_error"] < 0.2
    assert 0 <= doc["coverage"] <= 1 and doc["level"] == 0.9 and "points" not in doc
    bt = backtest("chinchilla", sl.datasets.load("chinchilla"), "flops<1e21", n_boot=20, seed=0)
    assert doc["mean_abs_rel_error"] == pytest.approx(bt.mean_abs_rel_error, rel=1e-9)
    assert doc["coverage"] == pytest.approx(bt.coverage)


def test_backtest_points_exclude_and_table():
    doc = json.loads(run("backtest", "chinchilla", "--law", "chinchilla", "--train",
                         "largest=2", *EXCLUDE, "--n-boot", 0, "--level", 0.8, "--points",
                         "--json").stdout)
    assert doc["n_train"] + doc["n_test"] == 240 and doc["level"] == 0.8
    assert len(doc["points"]) == doc["n_test"]
    assert {"y", "predicted", "lower", "upper", "abs_rel_error"} <= set(doc["points"][0])
    human = run("backtest", "chinchilla", "--law", "chinchilla", "--train", "flops<1e21",
                "--n-boot", 20, "--points")
    assert "coverage" in human.stdout and "predicted" in human.stdout
    # a progress bar over the folds on stderr (none under --json, as above)
    assert progress_shown(human.stderr) and "backtest" in human.stderr


# -- select ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_select_json_and_saved_fit(tmp_path):
    out = tmp_path / "sel.json"
    # 'flops>=1e21' holds out the 23 largest-budget runs (none of them excluded): enough
    # held-out points for the ranking to choose
    result = run("select", "chinchilla", "--laws", "chinchilla,kaplan", *EXCLUDE, "--holdout",
                 "flops>=1e21", "--out", out, "--json")
    assert not progress_shown(result.stderr)
    doc = json.loads(result.stdout)
    assert {"law", "choice", "backtest_error", "table"} <= set(doc)
    assert doc["law"] in ("chinchilla", "kaplan") and isinstance(doc["choice"], str)
    assert 0 < doc["backtest_error"] < 0.1
    assert {row["law"] for row in doc["table"]} == {"chinchilla", "kaplan"}
    assert doc["table"][0]["law"] == doc["law"] and doc["table"][0]["choice"] == doc["choice"]
    saved = sl.load_fit(out)
    assert saved.law.name == doc["law"] and saved.n_points == 240
    assert saved.params == pytest.approx(doc["params"], rel=1e-12)


def test_select_table():
    result = run("select", "chinchilla", "--laws", "chinchilla", "--holdout", "largest=2")
    assert "selected (best): chinchilla with huber 1e-3 (100%)" in " ".join(result.stdout.split())
    # three held-out points do not choose a fitting choice: the default is kept, and said so
    assert "only 3 held-out points" in " ".join(result.stdout.split())
    assert "warning:" in result.stderr and "only 3 held-out points" in " ".join(
        result.stderr.split())
    # a progress bar over the candidates on stderr, and none under --quiet
    assert progress_shown(result.stderr) and "select" in result.stderr
    quiet = run("select", "chinchilla", "--laws", "chinchilla", "--holdout", "largest=2",
                "--quiet")
    assert not progress_shown(quiet.stderr)


def test_select_holdout_names_the_held_out_runs():
    # the user's report: --holdout "flops>=1e21" trained on the largest runs and scored the
    # smallest; now it holds out the runs of 1e21 FLOPs and more (23) and fits on the rest
    doc = json.loads(run("select", "chinchilla", "--laws", "chinchilla", "--holdout",
                         "flops>=1e21", "--json").stdout)
    assert {row["n_test"] for row in doc["table"]} == {23} and doc["holdout"] == "flops>=1e21"
    assert not any("backcast" in w for w in doc["warnings"])
    assert "over 23 held-out points" in doc["reason"]
    # the opposite rule holds out the 222 smaller runs: a backcast, and the command says so
    back = run("select", "chinchilla", "--laws", "chinchilla", "--holdout", "flops<1e21")
    assert "222" in back.stdout
    assert "backcast, not a forecast" in " ".join(back.stderr.split())


def test_select_help_says_the_holdout_names_the_held_out_runs():
    text = " ".join(run("select", "--help").stdout.split())
    assert "hold out the runs the comparison selects and fit on the rest" in text
    assert "Fewer than 10 held-out points keep the default candidate" in text


def test_split_laws_keeps_commas_inside_expressions():
    assert split_laws(["chinchilla, kaplan", "E + A*max(x, 1)**(-a)"]) == [
        "chinchilla", "kaplan", "E + A*max(x, 1)**(-a)"]


# -- bad input: exit code 2, the library's message, no traceback --------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", "1"), "at least 2"),
        (("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", "20", "--by", "nosuch"),
         "nosuch"),
        (("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", "20", "--level", "1.5"),
         "between 0 and 1"),
        (("fit", "chinchilla", "--law", "chinchilla", "--by", "params"), "--bootstrap"),
        (("predict", "FIT", "--at", "params=7e10", "tokens=1.4e12", "--interval", "1.5"),
         "between 0 and 1"),
        (("backtest", "chinchilla", "--law", "chinchilla", "--train", "flops<1e5"),
         "no training rows"),
        (("backtest", "chinchilla", "--law", "chinchilla", "--train", "flops>0"),
         "nothing is left"),
        (("backtest", "chinchilla", "--law", "chinchilla", "--train", "gibberish"),
         "cannot read the train rule"),
        (("backtest", "chinchilla", "--law", "chinchilla", "--train", "nosuch<1"), "nosuch"),
        (("backtest", "chinchilla", "--law", "chinchilla", "--train", "flops<1e21",
          "--n-boot", "1"), "--n-boot"),
        (("backtest", "missing.csv", "--law", "chinchilla", "--train", "flops<1e21"),
         "not found"),
        (("select", "chinchilla", "--laws", "nope"), "unknown law"),
        (("select", "chinchilla", "--holdout", "sideways"), "cannot read the holdout rule"),
        (("select", "chinchilla", "--holdout", "flops>1e30"), "holds out no rows"),
    ],
)
def test_bad_input_exits_2_with_message(args, needle, plain_fit):
    args = tuple(str(plain_fit) if a == "FIT" else a for a in args)
    result = run(*args, code=2)
    assert needle in result.stderr
    assert not progress_shown(result.stderr)


# -- JSON output is strict JSON (no NaN), and --exclude rejects values it cannot read ----------
def _no_constants(name):
    raise AssertionError(f"not strict JSON: {name}")


def test_json_value_recurses_into_mappings():
    import numpy as np

    from scalinglaws.common.jsonvalues import json_value

    doc = {"a": {"b": np.float64("nan"), 1: (np.int64(2), np.inf)}, "c": [{"d": np.bool_(1)}]}
    assert json_value(doc) == {"a": {"b": None, "1": [2, None]}, "c": [{"d": True}]}


def test_fit_json_with_a_parameter_at_its_bound_is_strict_json(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    flops = np.geomspace(1e18, 1e22, 12)
    loss = 50 * flops**-0.1 * np.exp(rng.normal(0, 0.002, flops.size))  # no floor: E -> 0
    path = tmp_path / "runs.csv"
    rows = "".join(f"{c:.17g},{v:.17g}\n" for c, v in zip(flops, loss, strict=True))
    path.write_text("flops,loss\n" + rows)
    result = run("fit", path, "--law", "E + A*C**(-alpha)", "--col", "C=flops", "--json")
    doc = json.loads(result.stdout, parse_constant=_no_constants)
    assert doc["status"] == "at_bound"
    assert doc["stderr"]["E"] is None
    assert all(isinstance(v, float) for v in doc["params"].values())


@pytest.mark.parametrize(
    ("values", "shown"),
    [(["yes", "no"], "'yes'"), (["true", ""], "blank"), (["1", "2"], "'2'")],
    ids=["yes-no", "blank", "two"],
)
def test_exclude_rejects_values_it_cannot_read(tmp_path, values, shown):
    frame = sl.datasets.load("chinchilla").to_frame()
    flags = [values[i % 2] for i in range(len(frame))]
    frame = frame.drop(columns=["epoch_excluded"]).assign(skip=flags)
    path = tmp_path / "runs.csv"
    frame.to_csv(path, index=False)
    result = run("fit", path, "--law", "chinchilla", "--exclude", "skip", code=2)
    assert "'skip'" in result.stderr and shown in result.stderr


def test_exclude_reads_true_false_and_1_0(tmp_path):
    frame = sl.datasets.load("chinchilla").to_frame()
    kept = int((~frame["epoch_excluded"]).sum())
    for name, flags in {"text": frame["epoch_excluded"].map({True: "TRUE", False: "false"}),
                        "ints": frame["epoch_excluded"].astype(int)}.items():
        path = tmp_path / f"{name}.csv"
        frame.assign(epoch_excluded=flags).to_csv(path, index=False)
        doc = json.loads(run("fit", path, "--law", "chinchilla", *EXCLUDE, "--json").stdout)
        assert doc["n_points"] == kept
