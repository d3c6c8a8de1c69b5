"""``scalinglaws study`` and ``scalinglaws suggest``: the library's answers from the shell, JSON
output, the heat map file, and bad input (exit 2, one message, no traceback)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_runner import run
from test_study_design import curves
from test_study_suggest import D0, N0, law

import scalinglaws as sl


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    curves(noise=0.01, seed=3).to_csv(folder / "curves.csv", index=False)
    rng = np.random.default_rng(7)
    runs = pd.DataFrame({"params": N0, "tokens": D0,
                         "loss": law(N0, D0) * np.exp(rng.normal(0, 0.01, N0.size))})
    runs.to_csv(folder / "runs.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sl.fit("chinchilla", runs).save(folder / "fit.json")
    return folder


def test_study_json_matches_the_library(files):
    result = run("study", files / "curves.csv", "--law", "chinchilla", "--fractions",
                 "0.5,1", "--max-sizes", "8e7,1.6e8", "--workers", "1", "--json", "-q")
    doc = json.loads(result.stdout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib = sl.study.estimation_design(curves(noise=0.01, seed=3), "chinchilla",
                                         grid={"fraction": [0.5, 1], "max_size": [8e7, 1.6e8]},
                                         workers=1)
    assert [f["are"] for f in doc["fits"]] == pytest.approx(lib.frame["are"].tolist())
    assert doc["target"] == "params==max" and len(doc["fits"]) == 4


def test_study_prints_the_table_and_writes_the_heat_map(files):
    out = files / "study.png"
    result = run("study", files / "curves.csv", "--fractions", "0.5,1", "--workers", "1",
                 "--figure", out, "-q")
    assert "fraction of training seen" in result.stdout and "best:" in result.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_suggest_json(files):
    result = run("suggest", files / "fit.json", "--at", "params=2e9", "--at", "tokens=4e10",
                 "--budget", "5e17", "--json", "-q")
    doc = json.loads(result.stdout)
    assert doc["target"] == {"params": 2e9, "tokens": 4e10}
    assert 0 < doc["spent_flops"] <= 5e17 and doc["runs"]
    assert doc["width_after"] < doc["width_before"]
    text = run("suggest", files / "fit.json", "--target-flops", "1e21", "--budget", "1e17",
               "-q").stdout
    assert "Next runs" in text and "linearised" in text


@pytest.mark.parametrize(("args", "message"), [
    (["suggest", "FIT", "--budget", "1e18"], "--target-flops or by --at"),
    (["suggest", "FIT", "--target-flops", "1e21"], "--budget must be positive"),
    (["suggest", "FIT", "--target-flops", "1e21", "--budget", "1e18", "--method", "x"],
     "unknown method"),
    (["study", "CURVES", "--max-sizes", "3e7"], "option --max-sizes"),
    (["study", "CURVES", "--fractions", "0,1"], "option --fractions"),
    (["study", "CURVES", "--n-models", "2.5"], "--n-models takes positive whole numbers"),
    (["study", "CURVES", "--target", "params>1e15"], "no run matches"),
    (["study", "CURVES", "--figure", "heat.txt"], "--figure"),
    (["study", "CURVES", "--where", "parms > 1e9"], "option --where"),
    (["suggest", "FIT", "--target-flops", "1e21", "--budget", "1e18", "--data", "CURVES",
      "--where", "parms > 1e9"], "option --where"),
])
def test_bad_input_exits_2(files, args, message):
    args = [str(files / "fit.json") if a == "FIT" else str(files / "curves.csv")
            if a == "CURVES" else a for a in args]
    result = run(*args, code=2)
    assert message in result.output + result.stderr


def test_study_on_a_scheduler_that_does_not_answer_exits_2(files):
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = run("study", files / "curves.csv", "--fractions", "0.5,1", "--scheduler",
                     "tcp://127.0.0.1:1", "-q", code=2)
    assert "no Dask scheduler answered at 'tcp://127.0.0.1:1'" in result.stderr
    assert "--scheduler" in result.stderr
