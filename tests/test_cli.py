"""The command line: outputs, JSON documents and exit codes (0 ok, 1 failed, 2 bad input)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.cli.main import app


@pytest.fixture(scope="module")
def runs_csv(tmp_path_factory):
    ds = sl.datasets.load("chinchilla")
    frame = ds.to_frame()
    frame = frame[~frame["epoch_excluded"]].drop(columns=["epoch_excluded", "flops"])
    path = tmp_path_factory.mktemp("data") / "runs.csv"
    frame.rename(columns={"params": "n_params"}).to_csv(path, index=False)
    return path




@pytest.mark.slow
def test_laws_json_lists_catalog():
    doc = json.loads(run("laws", "--json").stdout)
    names = {entry["name"] for entry in doc["laws"]}
    assert {"chinchilla", "kaplan", "power_law"} <= names
    chin = next(e for e in doc["laws"] if e["name"] == "chinchilla")
    assert "alpha" in chin["parameters"] and "2203.15556" in chin["citation"]


def test_laws_lists_the_same_with_or_without_the_catalogs_listing(monkeypatch):
    # the command prints catalog.describe() where the catalog has it, else builds the same
    # entries from each law: both give one output
    from scalinglaws.laws import catalog

    doc, table = run("laws", "--json").stdout, run("laws").stdout
    monkeypatch.delattr(catalog, "describe", raising=False)
    assert run("laws", "--json").stdout == doc and run("laws").stdout == table
    entries = json.loads(doc)["laws"]
    assert [e["name"] for e in entries] == catalog.names()
    assert all(set(e) == {"name", "formula", "inputs", "parameters", "citation", "description",
                          "domain", "reference", "ranges", "specs"} for e in entries)


def test_fit_max_iter_option(runs_csv, tmp_path):
    # one iteration per stage cannot reach the optimum: status max_iter, exit 1, and the
    # warning says to raise the limit; the default limit converges (exit 0)
    stopped = json.loads(run("fit", runs_csv, "--law", "chinchilla", "--col", "N=n_params",
                             "--max-iter", "1", "--json", code=1).stdout)
    assert stopped["status"] == "max_iter"
    assert any("iteration limit" in w for w in stopped["warnings"])
    ok = json.loads(run("fit", runs_csv, "--law", "chinchilla", "--col", "N=n_params",
                        "--max-iter", "300", "--json").stdout)
    assert ok["status"] == "converged"
    frame = pd.read_csv(runs_csv)
    frame["half"] = np.where(frame["n_params"] > frame["n_params"].median(), "big", "small")
    halves = tmp_path / "halves.csv"
    frame.to_csv(halves, index=False)
    joint = run("fit", halves, "--law", "chinchilla", "--col", "N=n_params", "--shared",
                "alpha", "--groups", "half", "--max-iter", "1", "--json", code=1)
    assert json.loads(joint.stdout)["status"] == "max_iter"
    bad = run("fit", runs_csv, "--law", "chinchilla", "--max-iter", "0", code=2)
    assert "max_iter must be a positive integer" in bad.stderr


def test_fit_json_with_column_mapping(runs_csv, tmp_path):
    out = tmp_path / "f.json"
    doc = json.loads(run("fit", runs_csv, "--law", "chinchilla", "--col", "N=n_params",
                         "--out", out, "--json").stdout)
    assert {"law", "params", "status", "n_points"} <= set(doc)
    assert doc["n_points"] == 240 and doc["status"] == "converged"
    # Epoch's grid optimum (MANIFEST): alpha 0.34731, within 1%
    assert abs(doc["params"]["alpha"] - 0.34731) / 0.34731 < 0.01
    assert sl.load_fit(out).params == pytest.approx(doc["params"], rel=1e-12)


def saved_document(path):
    """The document of the fit saved at ``path``, read back and written as JSON again."""
    from scalinglaws.common.jsonvalues import json_value

    return json.loads(json.dumps(json_value(sl.load(path).to_dict())))


@pytest.mark.parametrize("extra", [(), ("--bootstrap", "20")], ids=["plain", "bootstrap"])
def test_fit_json_is_the_saved_document(tmp_path, extra):
    out = tmp_path / "fit.json"
    result = run("fit", "chinchilla", "--law", "chinchilla", "--exclude", "epoch_excluded",
                 *extra, "--out", out, "--json")
    doc = json.loads(result.stdout)
    assert isinstance(sl.load(out), sl.FitResult)
    # stdout is FitResult.to_dict() of the fit that was saved, byte for byte as JSON values
    assert doc == saved_document(out) == json.loads(out.read_text())
    assert doc["schema_version"] == 3 and doc["law"] == "chinchilla"
    assert ("intervals" in doc) == bool(extra)
    # where the file went is said on stderr, not in the document
    assert "out" not in doc and f"fit written to {out}" in result.stderr


def test_fit_bootstrap_level_sets_the_saved_intervals(tmp_path):
    out = tmp_path / "fit.json"
    doc = json.loads(run("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", "20",
                         "--level", "0.8", "--out", out, "--json").stdout)
    boot = sl.load_fit(out).uncertainty
    assert boot is not None and boot.level == 0.8 and doc["bootstrap"]["level"] == 0.8
    for name, (lo, hi) in boot.intervals(0.8).items():
        assert doc["intervals"][name] == pytest.approx([lo, hi], rel=1e-12)
    wide = boot.intervals(0.95)["alpha"]
    assert wide[1] - wide[0] > doc["intervals"]["alpha"][1] - doc["intervals"]["alpha"][0]


def test_warnings_from_reading_the_data_are_folded_into_the_fit(runs_csv, tmp_path):
    frame = pd.read_csv(runs_csv)
    path = tmp_path / "dup.csv"
    pd.concat([frame, frame.iloc[[3]]], ignore_index=True).to_csv(path, index=False)
    out = tmp_path / "fit.json"
    result = run("fit", path, "--law", "chinchilla", "--col", "N=n_params", "--out", out,
                 "--json")
    doc = json.loads(result.stdout)
    assert any("duplicated row" in w for w in doc["warnings"])
    assert doc == saved_document(out)
    assert list(sl.load(out).warnings) == doc["warnings"]


def test_joint_fit_json_carries_the_saved_document(runs_csv, tmp_path):
    frame = pd.read_csv(runs_csv)
    frame["half"] = np.where(frame["n_params"] > frame["n_params"].median(), "big", "small")
    halves = tmp_path / "halves.csv"
    frame.to_csv(halves, index=False)
    out = tmp_path / "joint.json"
    result = run("fit", halves, "--law", "chinchilla", "--col", "N=n_params", "--shared",
                 "alpha,beta", "--groups", "half", "--out", out, "--json")
    doc = json.loads(result.stdout)
    joint = sl.load(out)
    assert isinstance(joint, sl.SharedFit)
    saved = saved_document(out)
    # the joint fit's one document, SharedFit.to_dict(), as saved
    assert doc == saved
    assert {"law", "formula", "groups", "stderr", "n_points", "status", "objective",
            "warnings"} <= set(doc)
    assert doc["law"] == joint.law.name and doc["definition"] == joint.law.to_dict()
    assert doc["status"] == joint.status.value and doc["warnings"] == list(joint.warnings)
    assert doc["n_points"] == dict(zip(joint.groups, joint.group_sizes, strict=True))
    for group, params in joint.params.items():
        assert doc["groups"][group] == pytest.approx(params, rel=1e-12)
    assert f"fit written to {out}" in result.stderr


def test_fit_by_role_mapping_and_expression(runs_csv):
    doc = json.loads(run("fit", runs_csv, "--law", "E + A*x**(-alpha)", "--col", "x=tokens",
                         "--json").stdout)
    assert doc["status"] == "converged" and doc["params"]["alpha"] > 0


def test_fit_human_output_has_table(fit_json):
    result = run("fit", "chinchilla", "--law", "chinchilla", "--exclude", "epoch_excluded")
    assert "alpha" in result.stdout and "converged" in result.stdout


def test_predict_json(fit_json):
    doc = json.loads(run("predict", fit_json, "--at", "params=7e10", "tokens=1.4e12",
                         "--json").stdout)
    fit = sl.load_fit(fit_json)
    assert doc["prediction"] == pytest.approx(fit.predict(params=7e10, tokens=1.4e12))
    doc = json.loads(run("predict", fit_json, "--at", "params=1e9,1e10", "--at",
                         "tokens=2e10,2e11", "--json").stdout)
    assert len(doc["prediction"]) == 2 and doc["prediction"][0] > doc["prediction"][1]


def test_plan_single_and_several_budgets(fit_json):
    one = json.loads(run("plan", fit_json, "--flops", "5.76e23", "--json").stdout)
    assert {"flops", "params", "tokens", "loss"} <= set(one)
    assert one["flops"] == 5.76e23
    # C = 6 N D holds for the answer
    assert 6 * one["params"] * one["tokens"] == pytest.approx(5.76e23, rel=1e-9)
    several = json.loads(run("plan", fit_json, "--flops", "1e22", "1e23", "--json").stdout)
    # several budgets: a list with one object per budget
    assert [b["flops"] for b in several] == [1e22, 1e23]
    assert several[1]["params"] > several[0]["params"]
    human = run("plan", fit_json, "--flops", "1e22,1e23")
    assert "params N" in human.stdout


def test_plan_loss_inverse_query(fit_json):
    doc = json.loads(run("plan", fit_json, "--loss", "2.0", "--json").stdout)
    fit = sl.load_fit(fit_json)
    # the compute-optimal model at that budget reaches the target loss
    assert fit.predict(params=doc["params"], tokens=doc["tokens"]) == pytest.approx(2.0, 1e-6)


def test_query_failure_exits_1(fit_json):
    result = run("plan", fit_json, "--loss", "1.0", code=1)
    assert "below" in result.stderr and "irreducible" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("fit", "missing.csv", "--law", "chinchilla"), "not found"),
        (("fit", "chinchilla", "--law", "nope"), "unknown law"),
        (("fit", "chinchilla", "--law", "E + A.real"), "unexpected"),
        (("fit", "chinchilla", "--law", "chinchilla", "--col", "Nparams"), "key=value"),
        (("fit", "chinchilla", "--law", "chinchilla", "--col", "N=nosuch"), "nosuch"),
        (("fit", "chinchilla", "--law", "power_law"), "--x flops"),
        (("fit", "chinchilla", "--law", "chinchilla", "--loss", "l1"), "unknown loss"),
        (("plan", "FIT", "--flops", "abc"), "not a number"),
        (("plan", "FIT", "--flops", "-1e20"), "positive"),
        (("plan", "FIT"), "--flops"),
        (("predict", "FIT"), "--at"),
        (("predict", "FIT", "--at", "params"), "key=value"),
        (("predict", "missing.json", "--at", "params=1"), "not found"),
    ],
)
def test_bad_input_exits_2_with_message(args, needle, fit_json):
    args = tuple(str(fit_json) if a == "FIT" else a for a in args)
    result = run(*args, code=2)
    assert needle in result.stderr


def test_bad_data_file_names_column_and_row(tmp_path):
    frame = pd.DataFrame({"params": [1e8, 1e9, 1e10, 2e10], "tokens": [1e9, 1e10, 1e11, 2e11],
                          "loss": [3.0, np.nan, 2.5, 2.4]})
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    result = run("fit", path, "--law", "chinchilla", code=2)
    assert "'loss'" in result.stderr and "row 1" in result.stderr


def test_truncated_fit_file_exits_2(fit_json, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(fit_json.read_text()[:200])
    result = run("plan", broken, "--flops", "1e23", code=2)
    assert "truncated" in result.stderr or "not valid JSON" in result.stderr


@pytest.mark.slow
def test_entry_point_subprocess_exit_code_and_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "scalinglaws", "fit", "missing.csv", "--law",
                           "chinchilla"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "not found" in proc.stderr


def test_every_command_s_short_help_is_a_whole_phrase() -> None:
    """The command list shows each command's first sentence; a citation's "et al." must not
    cut it there (click ends the short help at the first full stop)."""
    import typer.main

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    root = typer.main.get_command(app)
    seen = 0
    for path, cmd in walk(root, "scalinglaws"):
        short = cmd.get_short_help_str(limit=1000)
        assert not short.rstrip(".").endswith(("et al", "(")), (path, short)
        seen += 1
    assert seen > 30


def test_fit_prints_each_warning_once_on_stderr() -> None:
    """The warnings a fit raises go to stderr once; the table on stdout does not repeat them
    (a terminal would show both)."""
    result = run("fit", "chinchilla", "--law", "chinchilla", "--no-calibrate")
    assert result.exit_code == 0
    assert "lie far above the fitted law" in result.stderr
    assert result.stderr.count("lie far above the fitted law") == 1
    assert "warning" not in result.stdout
