"""``scalinglaws each``: ``sl.fit_each`` from the shell. The printed summary and table, the
JSON document and the written table are the library's answer; a group with bad data is that
group's row, not the command's failure; bad options exit 2 with one message."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl

LAW = "E + A*x**(-alpha)"


@pytest.fixture(scope="module")
def table_file(tmp_path_factory):
    rng = np.random.default_rng(4)
    x = np.logspace(6, 9, 12)
    parts = []
    for r in range(8):
        a, alpha = rng.uniform(50, 500), rng.uniform(0.2, 0.5)
        y = (1.7 + a * x ** -alpha) * np.exp(rng.normal(0, 0.01, x.size))
        parts.append(pd.DataFrame({"run": f"r{r}", "seed": r % 2, "x": x, "loss": y}))
    frame = pd.concat(parts, ignore_index=True)
    frame.loc[frame.index[frame["run"] == "r3"][4], "loss"] = -1.0  # one bad group
    path = tmp_path_factory.mktemp("each") / "runs.csv"
    frame.to_csv(path, index=False)
    return path


def library(path, **options):
    return sl.fit_each(LAW, pd.read_csv(path), by="run", x="x", **options)


def test_json_is_the_library_table(table_file):
    result = run("each", table_file, "--by", "run", "--law", LAW, "--x", "x", "--loss", "mse",
                 "--json")
    doc = json.loads(result.stdout)
    lib = library(table_file, loss="mse")
    assert doc["groups"] == 8 and doc["by"] == ["run"]
    assert doc["status"] == {"converged": 7, "failed": 1}
    fits = {f["run"]: f for f in doc["fits"]}
    for label, row in lib.iterrows():
        if row["status"] == "failed":
            assert fits[label]["A"] is None and "strictly positive" in fits[label]["error"]
            continue
        assert [fits[label][k] for k in ("E", "A", "alpha")] == pytest.approx(
            row[["E", "A", "alpha"]].tolist(), rel=1e-12)


def test_prints_a_summary_and_the_first_rows_and_writes_the_table(table_file, tmp_path):
    out = tmp_path / "fits.csv"
    result = run("each", table_file, "--by", "run", "--law", LAW, "--x", "x", "--show", "3",
                 "--out", out)
    assert "8 groups by run: 7 converged, 1 failed" in result.stdout
    assert "r2" in result.stdout and "r4" not in result.stdout and "... 5 more" in result.stdout
    assert "fits.csv" in result.stdout + result.stderr  # where it was written
    written = pd.read_csv(out)
    lib = library(table_file)
    assert list(written["run"]) == list(lib.index)
    np.testing.assert_allclose(written["alpha"], lib["alpha"], rtol=1e-12)
    assert written.loc[written["run"] == "r3", "status"].item() == "failed"


def test_several_group_columns_and_a_json_file(table_file, tmp_path):
    out = tmp_path / "fits.json"
    run("each", table_file, "--by", "run,seed", "--law", LAW, "--x", "x", "--out", out, "-q",
        "--show", "0")
    records = json.loads(out.read_text())
    assert len(records) == 8 and {"run", "seed", "alpha", "error"} <= set(records[0])


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "rn"], "no column 'rn' to group by"),
    (["--by", ","], "--by names no column"),
    (["--by", "run", "--out", "fits.txt"], "cannot tell the table format"),
    (["--by", "run", "--where", "nothing > 1"], "--where"),
])
def test_bad_options_exit_2(table_file, tmp_path, args, message):
    args = [tmp_path / a if a.endswith(".txt") else a for a in args]
    result = run("each", table_file, "--law", LAW, "--x", "x", *args, code=2)
    assert message in result.stderr


def test_row_options_select_the_rows_before_the_groups(table_file):
    doc = json.loads(run("each", table_file, "--by", "run", "--law", LAW, "--x", "x",
                         "--where", "x < 5e8", "--json").stdout)
    assert all(f["n_points"] == 10 for f in doc["fits"])  # x < 5e8 keeps 10 of 12 points
    doc = json.loads(run("each", table_file, "--by", "seed", "--law", LAW, "--x", "x",
                         "--best-of", "loss", "--best-by", "seed,x", "--json").stdout)
    assert [f["n_points"] for f in doc["fits"]] == [12, 12]
