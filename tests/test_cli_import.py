"""``scalinglaws import mlflow|tensorboard|wandb-export``: the table written, read back by the
commands that take DATA, its ``--json`` summary, and bad input refused with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_runner import run
from tracker_runs import mlflow_database, sweep, write_mlflow, write_tensorboard, write_wandb_export

import scalinglaws as sl

RUNS = sweep(12, 50)
PARAMS = ["--param", "params=n_params,tokens=tokens"]


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path | str]:
    folder = tmp_path_factory.mktemp("trackers")
    uri = mlflow_database(folder / "mlflow.db")
    write_mlflow(uri, "sweep", RUNS)
    write_tensorboard(folder / "tb", RUNS)
    table, history = write_wandb_export(folder / "wandb", RUNS)
    return {"mlflow": uri, "tb": folder / "tb", "table": table, "history": history}


def test_mlflow_to_parquet_then_fit(sources, tmp_path):
    out = tmp_path / "runs.parquet"
    result = run("import", "mlflow", sources["mlflow"], "--experiment", "sweep", *PARAMS,
                 "--out", out)
    assert "12 runs read, 0 left out; 12 rows" in result.stderr
    assert "provenance: MLflow experiment 'sweep'" in result.stderr
    provenance = pq.read_schema(out).metadata[b"scalinglaws.provenance"].decode()
    assert "each run's last logged value" in provenance
    # reading the file back restores its provenance as the dataset's citation
    assert sl.Dataset.read(out).citation == provenance
    assert sl.Dataset.read(out, citation="mine").citation == "mine"
    fit = json.loads(run("fit", out, "--law", "chinchilla", "--json").stdout)
    # twelve noiseless-but-for-0.2% runs of the law recover its exponents within 0.02
    assert fit["n_points"] == 12 and abs(fit["params"]["alpha"] - 0.3478) < 0.02


def test_tensorboard_curve_json_summary(sources, tmp_path):
    out = tmp_path / "curves.csv"
    result = run("import", "tensorboard", sources["tb"], *PARAMS, "--reduce", "curve",
                 "--drop-warmup", "0.1", "--out", out, "--json")
    summary = json.loads(result.stdout)
    assert summary["rows"] == 12 * 46 and summary["runs"] == 12
    assert summary["status"] == {"finished": 12} and summary["left_out"] == {}
    assert "rows before 10% of each run's last step dropped" in summary["provenance"]
    frame = sl.Dataset.read(out).to_frame()
    assert list(frame.columns) == ["run", "status", "step", "loss", "params", "tokens", "flops"]
    assert frame["step"].min() == 5


def test_wandb_export_reads_the_same_as_mlflow(sources, tmp_path):
    run("import", "wandb-export", sources["table"], "--history", sources["history"], *PARAMS,
        "--reduce", "min", "--out", tmp_path / "w.jsonl", "--quiet")
    run("import", "mlflow", sources["mlflow"], "-e", "sweep", *PARAMS, "--reduce", "min",
        "--out", tmp_path / "m.jsonl", "--quiet")
    wandb, mlflow = (pd.read_json(tmp_path / name, lines=True, precise_float=True)
                     for name in ("w.jsonl", "m.jsonl"))
    wandb, mlflow = (f.sort_values("run").reset_index(drop=True) for f in (wandb, mlflow))
    pd.testing.assert_frame_equal(wandb, mlflow)
    np.testing.assert_array_equal(mlflow["loss"], [r.loss.min() for r in RUNS])


def test_run_values_file(sources, tmp_path):
    table = tmp_path / "sizes.csv"
    pd.DataFrame({"run": [r.name for r in RUNS],
                  "width": np.arange(12) * 64 + 256}).to_csv(table, index=False)
    out = tmp_path / "runs.csv"
    run("import", "tensorboard", sources["tb"], "--param", "params=n_params", "--run-values",
        table, "--out", out, "--quiet")
    assert list(pd.read_csv(out)["width"]) == list(np.arange(12) * 64 + 256)


@pytest.mark.parametrize(("args", "message"), [
    (["mlflow", "sqlite:///{tmp}/none.db", "-e", "sweep"], "no MLflow database at"),
    (["mlflow", "{mlflow}", "-e", "swep"], "Name one of the experiments there: 'Default', "
                                           "'sweep'"),
    (["tensorboard", "{tb}", "--tag", "val_loss"], "Name one of the tags the runs log: loss, "
                                                   "tokens"),
    (["tensorboard", "{tb}", "--reduce", "last"], "unknown reduction 'last'"),
    (["tensorboard", "{tb}", "--param", "params"], "--param expects key=value"),
    (["wandb-export", "{table}", "--reduce", "curve"], "needs each run's logged steps"),
    (["tensorboard", "{tb}", "--run-values", "{tmp}/none.csv"], "option --run-values"),
])
def test_bad_input_exits_2_with_the_reason(sources, tmp_path, args, message):
    words = [a.format(tmp=tmp_path, **sources) for a in args]
    result = run("import", *words, "--out", tmp_path / "out.csv", code=2)
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "out.csv").exists()


def test_an_output_it_cannot_write_is_refused_before_reading(sources, tmp_path):
    result = run("import", "tensorboard", sources["tb"], "--out", tmp_path / "runs.txt",
                 code=2)
    assert "End it with .parquet, .pq, .csv or .jsonl" in result.stderr
    assert "reading runs" not in result.stderr
