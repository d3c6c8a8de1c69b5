"""Importers of experiment trackers: one sweep written for real to an MLflow store (SQLite,
through MLflow's client), to TensorBoard event files (tensorboardX's writer) and to a W&B-style
export reads back as the same Dataset from each; reductions, run states and bad inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tracker_runs import (
    Run,
    mlflow_database,
    sweep,
    write_mlflow,
    write_tensorboard,
    write_wandb_export,
)

import scalinglaws as sl
from scalinglaws import DataError, OptionError, ScalingLawWarning
from scalinglaws.data.trackers.options import require

RUNS = sweep(12, 50)
PARAMS = {"params": "n_params", "tokens": "tokens"}
COLUMNS = ["run", "status", "step", "loss", "params", "tokens", "flops"]
#: TensorBoard stores scalars as 32-bit floats: a relative error up to 2**-24 ≈ 6e-8
FLOAT32 = 1e-6


def _states() -> list[Run]:
    """Five runs: finished, failed (its last loss NaN), killed, still running, and one whose
    loss turned NaN."""
    runs = sweep(5, 20, seed=1)
    for run, state in zip(runs, ["FINISHED", "FAILED", "KILLED", "RUNNING", "FINISHED"],
                          strict=True):
        run.state = state
    runs[1].loss[-1:] = np.nan
    runs[4].loss[-3:] = np.nan
    return runs


STATES = _states()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    uri = mlflow_database(tmp_path_factory.mktemp("mlflow") / "mlflow.db")
    write_mlflow(uri, "sweep", RUNS)
    write_mlflow(uri, "states", STATES)
    return uri


@pytest.fixture(scope="module")
def logdir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tb")
    write_tensorboard(folder, RUNS)
    return folder


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[Path, Path]:
    return write_wandb_export(tmp_path_factory.mktemp("wandb"), RUNS)


def _table(ds: sl.Dataset) -> pd.DataFrame:
    return ds.to_frame()[COLUMNS].sort_values(["run", "step"]).reset_index(drop=True)


@pytest.mark.parametrize("reduce", ["final", "curve"])
def test_the_three_trackers_give_the_same_dataset(store, logdir, export, reduce):
    from_mlflow = _table(sl.data.from_mlflow(store, "sweep", params=PARAMS, reduce=reduce))
    from_tb = _table(sl.data.from_tensorboard(logdir, params=PARAMS, reduce=reduce))
    from_wandb = _table(sl.data.from_wandb_export(*export, params=PARAMS, reduce=reduce))
    assert len(from_mlflow) == (12 if reduce == "final" else 600)
    expected = pd.DataFrame({
        "run": [r.name for r in RUNS for _ in (r.steps if reduce == "curve" else [0])],
        "loss": np.concatenate([r.loss if reduce == "curve" else r.loss[-1:] for r in RUNS]),
    })
    np.testing.assert_array_equal(from_mlflow["run"], expected["run"])
    np.testing.assert_allclose(from_mlflow["loss"], expected["loss"], rtol=1e-15)
    numeric = ["step", "loss", "params", "tokens", "flops"]
    for other, rtol in ((from_tb, FLOAT32), (from_wandb, 1e-15)):
        assert list(other["run"]) == list(from_mlflow["run"])
        assert set(other["status"]) == {"finished"}
        np.testing.assert_allclose(other[numeric], from_mlflow[numeric], rtol=rtol)


def test_min_reduction_is_each_runs_lowest_value(store):
    ds = sl.data.from_mlflow(store, "sweep", params=PARAMS, reduce="min")
    frame = ds.to_frame().set_index("run")
    for run in RUNS:
        at = int(np.argmin(run.loss))
        assert frame.loc[run.name, "loss"] == run.loss[at]
        assert frame.loc[run.name, "step"] == run.steps[at]
        assert frame.loc[run.name, "tokens"] == run.tokens[at]


def test_mean_last_averages_the_last_values(logdir):
    ds = sl.data.from_tensorboard(logdir, params=PARAMS, mean_last=5)
    frame = ds.to_frame().set_index("run")
    for run in RUNS:
        np.testing.assert_allclose(frame.loc[run.name, "loss"], run.loss[-5:].mean(),
                                   rtol=FLOAT32)
        assert frame.loc[run.name, "step"] == 50


def test_warmup_dropped_by_fraction_or_step(export):
    by_fraction = sl.data.from_wandb_export(*export, params=PARAMS, reduce="curve",
                                            drop_warmup=0.2)
    assert by_fraction.step.min() == 10 and len(by_fraction) == 12 * 41
    by_step = sl.data.from_wandb_export(*export, params=PARAMS, reduce="min", min_step=30)
    assert by_step.step.min() >= 30


def test_at_tokens_picks_the_row_nearest_and_names_runs_short_of_it(store):
    budget = RUNS[1].tokens[-1]  # the smallest runs never log this many tokens
    with pytest.warns(ScalingLawWarning, match="never log tokens within 10%") as caught:
        ds = sl.data.from_mlflow(store, "sweep", params=PARAMS, at_tokens=budget)
    # short of it: the runs that end before, and those whose first step already logs more
    short = [r.name for r in RUNS if np.abs(np.log(r.tokens / budget)).min() > np.log(1.1)]
    assert any(r.tokens[-1] < budget / 1.1 for r in RUNS if r.name in short)
    assert short and all(name in str(caught[0].message) for name in short)
    frame = ds.to_frame()
    assert set(frame["run"]) == {r.name for r in RUNS} - set(short)
    assert (abs(np.log(frame["tokens"] / budget)) <= np.log(1.1)).all()


def test_provenance_is_recorded_and_printed(store):
    ds = sl.data.from_mlflow(store, "sweep", metric="loss", params=PARAMS, mean_last=3,
                             drop_warmup=0.1)
    for words in ("MLflow experiment 'sweep'", "loss = metric 'loss'",
                  "the mean of each run's last 3 logged values",
                  "rows before 10% of each run's last step dropped", "params = 'n_params'"):
        assert words in ds.citation
        assert words in str(ds)


def test_unfinished_runs_are_left_out_and_named(store):
    with pytest.warns(ScalingLawWarning) as caught:
        ds = sl.data.from_mlflow(store, "states", params=PARAMS)
    message = " ".join(str(w.message) for w in caught)
    for run, status in zip(STATES[1:], ["failed", "unfinished", "unfinished", "diverged"],
                           strict=True):
        assert f"{run.name} ({status})" in message
    assert list(ds.to_frame()["run"]) == [STATES[0].name]
    assert "left out (did not finish)" in ds.citation


def test_include_unfinished_keeps_them_with_their_status(store):
    ds = sl.data.from_mlflow(store, "states", params=PARAMS, include_unfinished=True)
    status = ds.to_frame().set_index("run")["status"].to_dict()
    assert status == {STATES[0].name: "finished", STATES[1].name: "failed",
                      STATES[2].name: "unfinished", STATES[3].name: "unfinished",
                      STATES[4].name: "diverged"}
    # a failed or diverged run keeps its finite values: the last is the final one
    steps = ds.to_frame().set_index("run")["step"]
    assert steps[STATES[1].name] == 19 and steps[STATES[4].name] == 17


def test_wandb_states_map_to_status(tmp_path):
    table, history = write_wandb_export(tmp_path, STATES)
    ds = sl.data.from_wandb_export(table, history, params=PARAMS, include_unfinished=True)
    assert list(ds.to_frame()["status"]) == ["finished", "failed", "unfinished", "unfinished",
                                             "diverged"]
    # the runs table alone: the failed and the diverged runs' final values are NaN, and
    # nothing else is left of them
    with pytest.warns(ScalingLawWarning, match=r"no finite value .* run001 \(failed\), "
                                               r"run004 \(diverged\)"):
        summary_only = sl.data.from_wandb_export(table, params=PARAMS, include_unfinished=True)
    assert list(summary_only.to_frame()["status"]) == ["finished", "unfinished", "unfinished"]


def test_a_state_that_cannot_be_mapped_is_named(tmp_path):
    table, history = write_wandb_export(tmp_path, RUNS[:3])
    frame = pd.read_csv(table)
    frame.loc[1, "State"] = "exploded"
    frame.to_csv(table, index=False)
    with pytest.raises(DataError, match="'exploded'") as error:
        sl.data.from_wandb_export(table, history, params=PARAMS)
    assert RUNS[1].name in str(error.value) and "crashed" in str(error.value)


@pytest.mark.parametrize("uri", ["sqlite:///{tmp}/nope.db", "{tmp}/nope", "{tmp}/nope.db",
                                 "file://{tmp}/mlruns"])
def test_a_tracking_store_that_does_not_exist_is_a_data_error(tmp_path, uri):
    with pytest.raises(DataError, match=r"no MLflow (store|database) at"):
        sl.data.from_mlflow(uri.format(tmp=tmp_path), "sweep")
    assert not (tmp_path / "nope.db").exists()  # MLflow would have created an empty one


def test_a_folder_that_is_no_mlflow_store_is_named(tmp_path):
    with pytest.raises(DataError, match="holds no MLflow experiment"):
        sl.data.from_mlflow(tmp_path, "sweep")


def test_unknown_experiment_lists_the_experiments(store):
    with pytest.raises(DataError, match="no MLflow experiment named 'swep'") as error:
        sl.data.from_mlflow(store, "swep")
    assert "'sweep'" in str(error.value) and "'states'" in str(error.value)


def test_unknown_tag_lists_the_tags(logdir):
    with pytest.raises(DataError, match="no run logs the tag 'val_loss'") as error:
        sl.data.from_tensorboard(logdir, tag="val_loss")
    assert "loss, tokens" in str(error.value)


def _tb_run(folder: Path, scalars: dict[str, list[float]], hparams: dict | None = None) -> None:
    from tensorboardX import SummaryWriter

    writer = SummaryWriter(str(folder), filename_suffix=".scalars")
    for tag, values in scalars.items():
        for step, value in enumerate(values, start=1):
            writer.add_scalar(tag, value, step)
    if hparams:
        writer.add_hparams(hparams, {}, name="hparams")
    writer.close()


def test_metric_missing_in_some_runs_names_them(tmp_path):
    _tb_run(tmp_path / "a", {"val_loss": [3.0, 2.5]})
    _tb_run(tmp_path / "b", {"loss": [3.0, 2.5]})
    _tb_run(tmp_path / "c", {"loss": [3.0, 2.5]})
    with pytest.raises(DataError, match="2 of 3 runs do not log the tag 'val_loss': 'b', 'c'"):
        sl.data.from_tensorboard(tmp_path, tag="val_loss")


def test_a_value_missing_in_some_runs_names_them(tmp_path):
    _tb_run(tmp_path / "a", {"loss": [3.0, 2.5]}, {"n_params": 1e8})
    _tb_run(tmp_path / "b", {"loss": [3.0, 2.4]})
    with pytest.raises(DataError, match="no value 'n_params' for the column 'params'") as error:
        sl.data.from_tensorboard(tmp_path, params={"params": "n_params"})
    assert "1 of 2 runs: 'b'" in str(error.value)


def _event_file(folder: Path) -> Path:
    return next(p for p in folder.rglob("*tfevents*.scalars"))


def test_a_corrupt_event_file_is_a_data_error(tmp_path):
    _tb_run(tmp_path / "a", {"loss": list(np.linspace(3, 2, 40))})
    path = _event_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="is corrupt: the checksum") as error:
        sl.data.from_tensorboard(tmp_path)
    assert path.name in str(error.value) and "byte" in str(error.value)


def test_a_file_that_is_no_event_file_is_named(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "events.out.tfevents.1.host").write_bytes(b"not an event file" * 20)
    with pytest.raises(DataError, match="is not a readable TensorBoard event file"):
        sl.data.from_tensorboard(tmp_path)


def test_an_event_file_cut_short_reads_the_records_before_it(tmp_path):
    _tb_run(tmp_path / "a", {"loss": list(np.linspace(3, 2, 40))})
    path = _event_file(tmp_path)
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.warns(ScalingLawWarning, match="is cut short"):
        ds = sl.data.from_tensorboard(tmp_path, reduce="curve")
    assert len(ds) == 39


def test_a_logdir_without_event_files_says_what_it_holds(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DataError, match=r"no TensorBoard event file .* notes.txt"):
        sl.data.from_tensorboard(tmp_path)


def test_an_mlflow_folder_store_is_read(tmp_path, monkeypatch):
    folder = tmp_path / "mlruns"
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 asks it to write one
    write_mlflow(folder.as_uri(), "sweep", RUNS[:3])
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE")
    ds = sl.data.from_mlflow(folder, "sweep", params=PARAMS)
    assert sorted(ds.to_frame()["run"]) == [r.name for r in RUNS[:3]]
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ  # set only while reading


def test_a_wandb_chart_export_reads_like_the_long_history(tmp_path, export):
    history = pd.read_csv(export[1])
    wide = history.pivot(index="_step", columns="Name", values="loss")
    chart = pd.DataFrame({"Step": wide.index})
    for run in wide.columns:
        chart[f"{run} - loss"] = wide[run].to_numpy()
        chart[f"{run} - loss__MIN"] = wide[run].to_numpy()
    chart.to_csv(tmp_path / "chart.csv", index=False)
    ds = sl.data.from_wandb_export(export[0], tmp_path / "chart.csv", reduce="curve",
                                   params={"params": "n_params"})
    long = sl.data.from_wandb_export(*export, reduce="curve", params={"params": "n_params"})
    cols = ["run", "step", "loss", "params"]
    pd.testing.assert_frame_equal(ds.to_frame()[cols], long.to_frame()[cols])


def test_a_wandb_runs_table_alone_gives_the_final_values(export):
    ds = sl.data.from_wandb_export(export[0], params=PARAMS)
    np.testing.assert_array_equal(ds.loss, [r.loss[-1] for r in RUNS])
    with pytest.raises(OptionError, match="needs each run's logged steps"):
        sl.data.from_wandb_export(export[0], params=PARAMS, reduce="curve")


def test_run_values_give_what_the_tracker_lacks(tmp_path):
    _tb_run(tmp_path / "a", {"loss": [3.0, 2.5]})
    _tb_run(tmp_path / "b", {"loss": [3.0, 2.4]})
    table = pd.DataFrame({"run": ["a", "b"], "n": [1e8, 2e8], "tokens": [2e9, 4e9],
                          "status": ["finished", "failed"]})
    with pytest.warns(ScalingLawWarning, match=r"b \(failed\)"):
        ds = sl.data.from_tensorboard(tmp_path, params={"params": "n"}, run_values=table)
    assert ds.to_frame()[["run", "params", "tokens", "flops"]].to_dict("records") == [
        {"run": "a", "params": 1e8, "tokens": 2e9, "flops": 6 * 1e8 * 2e9}]
    with pytest.raises(DataError, match="does not hold: 'c'"):
        sl.data.from_tensorboard(tmp_path, run_values={"c": {"n": 1.0}})


def test_runs_of_the_same_name_are_told_apart(tmp_path):
    uri = mlflow_database(tmp_path / "dups.db")
    runs = sweep(2, 5)
    runs[1].name = runs[0].name
    write_mlflow(uri, "dups", runs)
    names = list(sl.data.from_mlflow(uri, "dups").to_frame()["run"])
    assert len(set(names)) == 2 and all(n.startswith(runs[0].name + " (") for n in names)


@pytest.mark.parametrize(("options", "match"), [
    ({"reduce": "last"}, "unknown reduction 'last'"),
    ({"reduce": "curve", "mean_last": 3}, "mean_last picks the value of reduce='final'"),
    ({"mean_last": 0}, "mean_last must be an integer of at least 1"),
    ({"drop_warmup": 1.5}, "drop_warmup must be a fraction"),
    ({"at_tokens": -1.0}, "at_tokens must be a positive number"),
    ({"params": "n_params"}, "params maps columns"),
    ({"params": {"run": "n_params"}}, "the column 'run' is written by the import itself"),
    ({"at_tokens": 1e9}, "no column 'tokens' is named"),
])
def test_bad_options_are_option_errors(logdir, options, match):
    with pytest.raises(OptionError, match=match):
        sl.data.from_tensorboard(logdir, **options)


def test_the_checksums_are_tensorboards():
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as reference

    from scalinglaws.data.trackers.crc import masked_crc32c

    rng = np.random.default_rng(0)
    data = rng.integers(0, 256, 4000, dtype=np.uint8)
    starts = rng.integers(0, 3000, 200)
    lengths = rng.integers(0, 60, 200)
    ours = masked_crc32c(data, starts, lengths)
    assert [int(v) for v in ours] == [reference(data[s:s + n].tobytes())
                                      for s, n in zip(starts, lengths, strict=True)]


def test_a_missing_tracker_package_says_how_to_install_it():
    with pytest.raises(DataError, match=r"Install it: pip install 'scalinglaws\[trackers\]'"):
        require("a_package_that_is_not_there", "a-package", "a tracker")


def test_importing_the_package_loads_no_tracker():
    code = ("import sys, json, scalinglaws as sl; sl.data.from_mlflow; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('mlflow', 'tensorboard', 'tensorboardX', 'wandb', 'sqlalchemy'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert json.loads(proc.stdout) == []


@pytest.mark.skipif(not os.environ.get("WANDB_API_KEY")
                    or not os.environ.get("SCALINGLAWS_WANDB_PROJECT"),
                    reason="needs wandb, network, WANDB_API_KEY and SCALINGLAWS_WANDB_PROJECT "
                    "(entity/project of a project with runs logging 'loss')")
def test_from_wandb_through_the_public_api():
    pytest.importorskip("wandb")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)
        ds = sl.data.from_wandb(os.environ["SCALINGLAWS_WANDB_PROJECT"], metric="loss",
                                include_unfinished=True)
    assert len(ds) > 0 and set(ds.to_frame()["status"]) <= set(sl.data.trackers.STATUSES)
