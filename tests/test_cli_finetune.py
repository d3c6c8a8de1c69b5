"""``scalinglaws finetune select``: the choice from a table of fine-tuning runs, its JSON
document, and bad input refused with exit code 2 and a message that says how to fix it."""

from __future__ import annotations

import json

import pytest
from cli_runner import run
from test_finetune import FULL, recorded


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    table, best = recorded(5)
    path = tmp_path_factory.mktemp("ft") / "runs.csv"
    table.rename(columns={"model": "candidate", "n": "examples", "eval_loss": "loss"}).to_csv(
        path, index=False)
    return path, table, best


def test_select_prints_one_json_document(runs) -> None:
    path, _, best = runs
    doc = json.loads(run("finetune", "select", path, "--json").stdout)
    assert doc["best"] == f"m{best}"
    assert doc["full_size"] == FULL and doc["recorded"] is True
    assert 0 < doc["fraction"] < 0.5
    assert [c["rank"] for c in doc["candidates"]] == [1, 2, 3, 4, 5]
    assert {c["status"] for c in doc["candidates"]} <= {"best", "kept", "stopped"}


def test_select_reads_mapped_columns_and_prints_a_table(runs, tmp_path) -> None:
    _, table, best = runs
    path = tmp_path / "mine.csv"
    table.to_csv(path, index=False)
    text = run("finetune", "select", path, "--col", "candidate=model", "examples=n",
               "loss=eval_loss", "--full-size", FULL).stdout
    assert f"fine-tune 'm{best}'" in text and "largest_subset" in text


@pytest.mark.parametrize(("change", "message"), [
    ("one", "'lonely' has 1 distinct subset size"),
    ("negative", "not positive"),
    ("missing", "no column 'loss'"),
])
def test_bad_runs_exit_2_with_a_fix(runs, tmp_path, change, message) -> None:
    _, table, _ = runs
    frame = table.rename(columns={"model": "candidate", "n": "examples", "eval_loss": "loss"})
    if change == "one":
        frame.loc[len(frame)] = ["lonely", 100.0, 2.0]
    elif change == "negative":
        frame.loc[2, "examples"] = -50.0
    else:
        frame = frame.drop(columns="loss")
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    result = run("finetune", "select", path, "--json", code=2)
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_bad_options_exit_2(runs) -> None:
    path, _, _ = runs
    result = run("finetune", "select", path, "--budget", "3", code=2)
    assert "budget must be a fraction" in " ".join(result.stderr.split())
    result = run("finetune", "select", path, "--col", "examples", code=2)
    assert "key=value" in " ".join(result.stderr.split())
