"""``scalinglaws time fit`` and ``scalinglaws time plan``: the cost model and the plan in
hours from the shell, JSON output, and bad input (exit 2, one message, no traceback)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from cli_runner import run
from test_time import CHINCHILLA, TRUE, measured_steps

import scalinglaws as sl


@pytest.fixture(scope="module")
def files(tmp_path_factory, chinchilla_fit):
    folder = tmp_path_factory.mktemp("walltime")
    measured_steps(noise=0.05).to_csv(folder / "steps.csv", index=False)
    fit = dataclasses.replace(chinchilla_fit, params=dict(CHINCHILLA), uncertainty=None,
                              calibration=None)
    fit.save(folder / "fit.json")
    return folder


def test_fit_writes_the_library_s_cost_model(files):
    result = run("time", "fit", files / "steps.csv", "--out", files / "tp.json", "--json")
    doc = json.loads(result.stdout)
    library = sl.time.fit_throughput(files / "steps.csv")
    assert doc["a"] == pytest.approx(library.a) and doc["n_points"] == 96
    assert sl.time.Throughput.load(files / "tp.json") == library
    text = run("time", "fit", files / "steps.csv").stdout
    assert "step-time cost model" in text and "R²" in text


def test_plan_prints_the_library_s_plan(files):
    run("time", "fit", files / "steps.csv", "--out", files / "tp.json")
    result = run("time", "plan", files / "fit.json", "--throughput", files / "tp.json",
                 "--hours", "24", "--json")
    doc = json.loads(result.stdout)
    expected = sl.time.plan(sl.load_fit(files / "fit.json"),
                            sl.time.Throughput.load(files / "tp.json"), hours=24)
    assert doc["params"] == pytest.approx(expected.params)
    assert doc["loss"] == pytest.approx(expected.loss)
    assert set(doc["plans"]) == {"hours-optimal", "FLOP-optimal, same FLOPs",
                                 "FLOP-optimal, same hours"}
    table = run("time", "plan", files / "fit.json", "--throughput", files / "tp.json",
                "--hours", "24").stdout
    assert "hours-optimal" in table


@pytest.mark.parametrize(("args", "message"), [
    (["--hours", "0"], "--hours"),
    (["--hours", "-3"], "--hours"),
    (["--hours", "10", "--aspect", "0"], "--aspect"),
])
def test_plan_bad_options_exit_2(files, args, message):
    run("time", "fit", files / "steps.csv", "--out", files / "tp.json")
    result = run("time", "plan", files / "fit.json", "--throughput", files / "tp.json", *args,
                 code=2)
    assert message in result.stderr and "must be" in result.stderr


def test_plan_refuses_a_cost_model_without_throughput(files):
    bad = {**TRUE.to_dict(), "peak_flops": 0}
    (files / "bad_tp.json").write_text(json.dumps(bad))
    result = run("time", "plan", files / "fit.json", "--throughput", files / "bad_tp.json",
                 "--hours", "10", code=2)
    assert "peak_flops must be positive" in result.stderr
    assert "--throughput" in result.stderr
    (files / "not_tp.json").write_text(json.dumps({"law": "chinchilla"}))
    result = run("time", "plan", files / "fit.json", "--throughput", files / "not_tp.json",
                 "--hours", "10", code=2)
    assert "not a step-time cost model" in result.stderr


def test_fit_bad_input_exits_2(files):
    steps = measured_steps(noise=0.0).drop(columns=["seq_len"])
    steps.to_csv(files / "no_seq.csv", index=False)
    result = run("time", "fit", files / "no_seq.csv", code=2)
    assert "lack column(s) seq_len" in result.stderr
    result = run("time", "fit", files / "steps.csv", "--peak-flops", "0", code=2)
    assert "peak_flops must be a positive number" in result.stderr
    assert "--peak-flops" in result.stderr
    result = run("time", "fit", files / "missing.csv", code=2)
    assert "no file" in result.stderr and "STEPS" in result.stderr
