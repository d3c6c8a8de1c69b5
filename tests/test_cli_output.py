"""The command line's output for people: written to a pipe or a file, tables keep every digit
and every word on their row's line; formulas print whole; numbers read as numbers
(``4.19×10⁷``, ``37×``); an interval's two ends never print equal; ``plan`` shows the intervals
its ``--json`` holds; a joint fit is answered for every group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.common.numbers import ends, readable, sci, span, times


def piped(*args, columns=None):
    """Run ``scalinglaws ARGS`` in a fresh interpreter, stdout to a pipe (not a terminal)."""
    env = dict(os.environ)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    proc = subprocess.run([sys.executable, "-m", "scalinglaws", *map(str, args)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def line_with(text, *needles):
    """The one line of ``text`` that holds every needle."""
    lines = [line for line in text.splitlines() if all(n in line for n in needles)]
    assert len(lines) == 1, (needles, text)
    return lines[0]


# -- tables in a pipe keep every digit and every word -------------------------------------------
def test_select_into_a_pipe_keeps_every_number_and_every_choice_whole():
    # COLUMNS=60 would squeeze a table fitted to the terminal; a pipe has no terminal width
    out = piped("select", "chinchilla", "--laws", "chinchilla", columns=60)
    assert "…" not in out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        sel = sl.validate.select(sl.datasets.load("chinchilla"), laws=["chinchilla"])
    from scalinglaws.cli.validation import SHOWN

    for row in sel.table.head(SHOWN).to_dict(orient="records"):
        # the choice's name whole, its errors in full, all on the row's one line
        line = line_with(out, f"│ {row['choice']} ", f"{row['rank']} │ chinchilla")
        assert f"{row['error']:.2%}" in line and f"{row['max_abs_rel_error']:.2%}" in line
    assert sel.summary_line() in out  # the caption whole, on one line
    assert f"{len(sel.table) - SHOWN} more candidates in --json" in out


def test_laws_prints_every_formula_whole_on_one_line():
    out = piped("laws", columns=40)
    for name in sl.laws.names():
        law = sl.laws.get(name)
        line = line_with(out, f"{name} ", law.formula)
        assert line.split(maxsplit=1) == [name, law.formula]
    assert "…" not in out


def test_the_console_is_as_wide_as_the_terminal_and_unbounded_in_a_pipe():
    import io

    from scalinglaws.cli.common import PIPE_WIDTH, PipeWideConsole

    piped_console = PipeWideConsole(file=io.StringIO())
    assert piped_console.width == PIPE_WIDTH
    terminal = PipeWideConsole(file=io.StringIO(), force_terminal=True, width=72)
    assert terminal.width == 72


# -- numbers for reading --------------------------------------------------------------------------
def test_numbers_read_as_numbers():
    assert readable(41921869.1) == "4.19×10⁷"
    assert times(670377302630098403328) == "6.7×10²⁰×"
    assert readable(2.0134, 4) == "2.013" and readable(123.4) == "123"
    assert readable(float("inf")) == "inf" and readable(-3e-7) == "-3×10⁻⁷"


def test_an_interval_never_prints_its_two_ends_equal():
    assert span(4.31e9, 4.34e9, 2, sci) == "4.31e9–4.34e9"
    assert span(4.3e9, 4.3e9 * (1 + 1e-9), 2) != "4.3×10⁹–4.3×10⁹"
    a, b = ends(4.3e9, 4.3e9 * (1 + 1e-9), 2)
    assert a != b
    assert ends(2.0, 2.0, 3) == ("2", "2")  # equal ends stay equal, and say so
    assert span(1.92e9, 1.92e9, 2, sci) == "1.9e9 (no spread)"


def test_isoflop_intervals_have_ends_that_differ():
    out = piped("isoflop", "chinchilla", "--budgets", "log", "--n-boot", "30")
    cells = [cell.strip() for line in out.splitlines() for cell in line.split("│")
             if "–" in cell and "e" in cell]
    assert cells, out
    for cell in cells:  # ends that print equal only where every resample agreed
        lo, hi = cell.split("–")
        assert lo != hi, cell
    # budgets of three sizes: every resample with three sizes gives the same minimum
    assert "(no spread)" in out


# -- plan: readable numbers, --level and the intervals of --json ---------------------------------
def test_plan_far_beyond_the_data_reads_as_powers_of_ten(fit_json):
    result = run("plan", fit_json, "--flops", "1e40")
    assert "×10" in result.stdout and "e+" not in result.stdout
    doc = json.loads(run("plan", fit_json, "--flops", "1e40", "--json").stdout)
    row = line_with(result.stdout, readable(doc["params"]))
    assert times(doc["extrapolation"]) in row
    warnings_ = [line for line in result.stderr.splitlines() if "largest fitted" in line]
    assert len(warnings_) == 2  # the optimal params and tokens, each far beyond the data
    for line in warnings_:
        assert "× the largest fitted value" in line and "e+" not in line


@pytest.fixture(scope="module")
def boot_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("boot") / "fit.json"
    run("fit", "chinchilla", "--law", "chinchilla", "--exclude", "epoch_excluded",
        "--bootstrap", "30", "--out", path, "--json")
    return path


def test_plan_shows_the_bootstrap_intervals_of_its_json_at_its_level(boot_json):
    doc = json.loads(run("plan", boot_json, "--flops", "1e22", "--level", "0.8",
                         "--json").stdout)
    assert doc["level"] == 0.8
    out = run("plan", boot_json, "--flops", "1e22", "--level", "0.8").stdout
    assert "params 80%" in out and "tokens 80%" in out and "loss 80%" in out
    assert "parameter-only (bootstrap percentiles" in out
    row = line_with(out, readable(doc["params"]))
    assert span(*doc["params_interval"]) in row and span(*doc["tokens_interval"]) in row
    lo, hi = ends(*doc["loss_forecast_interval"], 4, lambda v, d: f"{v:.{d}f}")
    assert lo in row and hi in row  # the calibrated interval of the loss, at the same level
    default = json.loads(run("plan", boot_json, "--flops", "1e22", "--json").stdout)
    assert default["level"] == 0.9
    wide, narrow = default["params_interval"], doc["params_interval"]
    assert wide[0] <= narrow[0] and narrow[1] <= wide[1]
    run("plan", boot_json, "--flops", "1e22", "--level", "1.5", code=2)


# -- a joint fit is answered for every group -----------------------------------------------------
@pytest.fixture(scope="module")
def joint_json(tmp_path_factory):
    from test_shared import families

    folder = tmp_path_factory.mktemp("joint")
    families().to_csv(folder / "runs.csv", index=False)
    run("fit", folder / "runs.csv", "--law", "chinchilla", "--shared", "alpha,beta",
        "--groups", "family", "--out", folder / "joint.json", "--json")
    return folder / "joint.json"


def test_predict_on_a_joint_fit_answers_for_every_group(joint_json):
    fit = sl.load_shared_fit(joint_json)
    doc = json.loads(run("predict", joint_json, "--at", "params=1e9,2e9", "tokens=1e11",
                         "--interval", "0.9", "--json").stdout)
    assert doc["by"] == "family" and doc["group"] == ["a", "a", "b", "b", "c", "c"]
    want = fit.predict(params=[1e9, 2e9], tokens=1e11)
    assert doc["prediction"] == pytest.approx(list(want["loss"]), rel=1e-12)
    assert all(lo < v < hi for lo, v, hi in zip(doc["lower"], doc["prediction"], doc["upper"],
                                                strict=True))
    out = run("predict", joint_json, "--at", "params=1e9", "tokens=1e11").stdout
    for group, value in zip(fit.groups, fit.predict(params=1e9, tokens=1e11)["loss"],
                            strict=True):
        assert f"{value:.5g}" in line_with(out, f"│ {group} ")
    one = json.loads(run("predict", joint_json, "--at", "params=1e9", "tokens=1e11",
                         "--group", "b", "--json").stdout)
    assert "group" not in one and one["prediction"] == pytest.approx(
        fit.predict(family="b", params=1e9, tokens=1e11), rel=1e-12)


def test_plan_on_a_joint_fit_answers_for_every_group(joint_json):
    fit = sl.load_shared_fit(joint_json)
    docs = json.loads(run("plan", joint_json, "--flops", "1e21", "--json").stdout)
    assert [d["group"] for d in docs] == list(fit.groups)
    for d in docs:
        expected = sl.plan.compute_optimal(fit.for_group(d["group"]), 1e21)
        assert d["params"] == pytest.approx(float(expected.params[0]), rel=1e-9)
    out = run("plan", joint_json, "--flops", "1e21", "1e22").stdout
    for d in docs:
        assert readable(d["params"]) in line_with(out, f"│ {d['group']} ", "1×10²¹")
    several = json.loads(run("plan", joint_json, "--flops", "1e21", "1e22", "--json").stdout)
    assert len(several) == 2 * len(fit.groups)
    req = json.loads(run("plan", joint_json, "--loss", "3", "--params", "1e9",
                         "--json").stdout)
    assert [d["group"] for d in req] == list(fit.groups)
    assert all(d["loss"] == pytest.approx(3.0, rel=1e-6) for d in req)
    single = json.loads(run("plan", joint_json, "--flops", "1e21", "--group", "a",
                            "--json").stdout)
    assert isinstance(single, dict) and single["params"] == pytest.approx(docs[0]["params"])


def test_library_predict_answers_a_joint_fit_for_every_group(joint_json):
    fit = sl.load_shared_fit(joint_json)
    pred = sl.fitting.predict(fit, {"params": 1e9, "tokens": 1e11}, level=0.9)
    assert pred.groups == list(fit.groups) and pred.by == "family"
    for group, value in zip(pred.groups, pred.values, strict=True):
        assert value == pytest.approx(fit.predict(family=group, params=1e9, tokens=1e11))
    text = str(pred)
    rows = text.splitlines()[3:]
    assert [r.split()[0] for r in rows] == list(fit.groups) and "90% interval" in text
    one = sl.fitting.predict(fit, {"params": 1e9, "tokens": 1e11, "family": "c"})
    assert one.groups is None and one.values == pytest.approx(pred.values[2])
