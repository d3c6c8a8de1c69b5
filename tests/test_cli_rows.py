"""The command line's row options (``--where``, ``--dropna``, ``--last-by``, ``--best-of``
with ``--best-by``) on every command that reads DATA: a W&B export and the (Mis)Fitting
sweep's raw checkpoints fitted from the shell, and errors that name the option (exit 2)."""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.cli.main import app
from scalinglaws.data.saved import data_fingerprint

MISFITTING = (Path(__file__).resolve().parents[2] / "shared" / "data" / "misfitting"
              / "checkpoints.csv")
TRUTH = {"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}
FAST = ("--no-calibrate", "--json")


#: the columns a Chinchilla fit reads: its fingerprint covers them
USED = ("params", "tokens", "loss")


def chinchilla_loss(params: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    return (TRUTH["E"] + TRUTH["A"] / params ** TRUTH["alpha"]
            + TRUTH["B"] / tokens ** TRUTH["beta"])


@pytest.fixture(scope="module")
def wandb_csv(tmp_path_factory) -> Path:
    """A W&B runs-table export: 24 finished runs on the Chinchilla law (no noise), 3 crashed
    runs with an empty ``train/loss``, 2 running runs whose loss is still high."""
    params = np.repeat(np.geomspace(5e7, 2e9, 6), 4)
    tokens = params * np.tile([10, 20, 40, 80], 6)
    finished = pd.DataFrame({"Name": [f"sweep-{i}" for i in range(24)], "State": "finished",
                             "params": params, "tokens": tokens,
                             "train/loss": chinchilla_loss(params, tokens),
                             "_step": (tokens // 2**20).astype(int)})
    crashed = pd.DataFrame({"Name": ["crash-0", "crash-1", "crash-2"], "State": "crashed",
                            "params": 1e9, "tokens": 2e10, "train/loss": np.nan,
                            "_step": [12, 40, 7]})
    running = pd.DataFrame({"Name": ["live-0", "live-1"], "State": "running",
                            "params": 3e9, "tokens": 6e10, "train/loss": [3.4, 2.9],
                            "_step": [900, 5000]})
    path = tmp_path_factory.mktemp("wandb") / "wandb_export.csv"
    pd.concat([finished, running.iloc[:1], crashed, running.iloc[1:]]).to_csv(path,
                                                                                index=False)
    return path


def test_a_wandb_export_is_fitted_with_where_and_dropna_alone(wandb_csv):
    doc = json.loads(run("fit", wandb_csv, "--law", "chinchilla", "--y", "train/loss",
                         "--where", "State != 'running'", "--dropna", *FAST).stdout)
    assert doc["n_points"] == 24 and doc["status"] == "converged"
    for name, value in TRUTH.items():
        # noiseless data from the law itself: the optimum is the truth, up to the search's
        # tolerance, far below 0.1%
        assert doc["params"][name] == pytest.approx(value, rel=1e-3), name


def test_without_dropna_the_crashed_runs_stop_the_fit_and_the_error_says_how(wandb_csv):
    result = run("fit", wandb_csv, "--law", "chinchilla", "--y", "train/loss",
                 "--where", "State != 'running'", code=2)
    assert "'train/loss' has missing values" in result.stderr and "--dropna" in result.stderr


def test_without_where_the_running_runs_are_fitted_too(wandb_csv):
    doc = json.loads(run("fit", wandb_csv, "--law", "chinchilla", "--y", "train/loss",
                         "--dropna", *FAST, "-q").stdout)
    assert doc["n_points"] == 26


def test_backticks_quote_a_column_name_with_a_slash(wandb_csv):
    doc = json.loads(run("fit", wandb_csv, "--law", "chinchilla", "--y", "train/loss",
                         "--where", "State == 'finished' and `train/loss` < 3.5",
                         *FAST).stdout)
    frame = pd.read_csv(wandb_csv)
    assert doc["n_points"] == int(((frame["State"] == "finished")
                                   & (frame["train/loss"] < 3.5)).sum()) < 24


@pytest.mark.skipif(not MISFITTING.is_file(), reason=f"real data absent: {MISFITTING} "
                    "(../shared/data is beside the clone, not part of the package)")
def test_best_learning_rate_reducer_reproduces_the_misfitting_table():
    # from the raw checkpoints: the final one of each run, then the best learning rate of
    # each model and token budget: the 76 rows built by hand with pandas
    ck = pd.read_csv(MISFITTING)
    final = ck[ck["final"].astype(bool)]
    best = final.loc[final.groupby(["model", "planned_tokens"])["loss"].idxmin()].sort_index()
    doc = json.loads(run("fit", MISFITTING, "--law", "chinchilla", "--where", "final",
                         "--best-of", "loss", "--best-by", "model,planned_tokens", *FAST,
                         "-q").stdout)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        expected = sl.Dataset.from_frame(best)
    assert doc["n_points"] == len(best) == 76
    # the fit's data are those very rows, in file order: the same fingerprint
    assert doc["fingerprint"] == data_fingerprint(expected, USED)


def test_last_by_keeps_the_last_checkpoint_of_each_run(tmp_path):
    params = np.repeat(np.geomspace(5e7, 2e9, 6), 3)
    tokens = params * np.tile([10, 20, 40], 6)
    rows = []
    for i, (n, d) in enumerate(zip(params, tokens, strict=True)):
        for fraction in (0.25, 1.0, 0.5):  # checkpoints out of order; the last is step 4
            rows.append({"run": f"r{i}", "step": int(4 * fraction), "params": n,
                         "tokens": d * fraction, "loss": chinchilla_loss(n, d * fraction)})
    path = tmp_path / "curves.csv"
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    doc = json.loads(run("fit", path, "--law", "chinchilla", "--last-by", "run", *FAST).stdout)
    expected = sl.Dataset.from_frame(frame[frame["step"] == 4])
    assert doc["n_points"] == 18 and doc["fingerprint"] == data_fingerprint(expected, USED)


# -- every command that reads DATA ----------------------------------------------------------------
ROW_PARAMETERS = {"where", "dropna", "last_by", "best_of", "best_by"}
DATA_PARAMETERS = {"data", "data_a", "source"}


def test_every_command_that_reads_data_declares_the_row_options():
    reading = {}
    for command in app.registered_commands:
        parameters = set(inspect.signature(command.callback).parameters)
        if parameters & DATA_PARAMETERS:
            reading[command.name] = ROW_PARAMETERS - parameters
    assert set(reading) == {"fit", "backtest", "select", "compare", "isoflop", "plot",
                            "report", "study", "suggest", "each"}
    assert all(not missing for missing in reading.values()), reading


@pytest.fixture(scope="module")
def fit_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fit") / "fit.json"
    run("fit", "chinchilla", "--law", "chinchilla", "--exclude", "epoch_excluded",
        "--no-calibrate", "--out", path, "-q")
    return path


def commands(fit_file: Path, out: Path) -> dict[str, list[object]]:
    """A call of each command on DATA (the bundled Chinchilla runs) that reaches the data."""
    return {
        "fit": ["fit", "chinchilla", "--law", "chinchilla"],
        "fit-groups": ["fit", "chinchilla", "--law", "chinchilla", "--shared", "alpha",
                       "--groups", "epoch_excluded"],
        "backtest": ["backtest", "chinchilla", "--law", "chinchilla", "--train", "flops<1e21"],
        "select": ["select", "chinchilla"],
        "compare": ["compare", "chinchilla", "chinchilla"],
        "isoflop": ["isoflop", "chinchilla"],
        "plot-fit": ["plot", "chinchilla", "--kind", "fit", "--law", "chinchilla",
                     "--out", out / "fit.png"],
        "plot-isoflop": ["plot", "chinchilla", "--kind", "isoflop", "--out", out / "iso.png"],
        "plot-backtest": ["plot", "chinchilla", "--kind", "backtest", "--law", "chinchilla",
                          "--train", "flops<1e21", "--out", out / "bt.png"],
        "plot-data": ["plot", fit_file, "--data", "chinchilla", "--kind", "fit",
                      "--out", out / "fit.png"],
        "report": ["report", fit_file, "--data", "chinchilla", "--out", out / "r.html"],
    }


@pytest.mark.parametrize("name", ["fit", "fit-groups", "backtest", "select", "compare",
                                  "isoflop", "plot-fit", "plot-isoflop", "plot-backtest",
                                  "plot-data", "report"])
def test_every_command_applies_the_row_options_to_its_data(name, fit_file, tmp_path):
    # a misspelt column in --where is found when the data are read: every command reads
    # them through the row options, and the error names the option (exit 2)
    args = commands(fit_file, tmp_path)[name]
    result = run(*args, "--where", "parms > 1e9", code=2)
    assert "no column 'parms'" in result.stderr and "option --where" in result.stderr
    assert "did you mean 'params'" in result.stderr.lower()
    result = run(*args, "--best-of", "loss", "--best-by", "tokns", code=2)
    assert "option --best-by" in result.stderr and "'tokens'" in result.stderr


def test_the_report_records_the_row_options_and_refuses_them_without_data(fit_file, tmp_path):
    out = tmp_path / "report.html"
    run("report", fit_file, "--data", "chinchilla", "--where", "params > 1e8", "--out", out)
    assert "--where" in out.read_text() and "params &gt; 1e8" in out.read_text()
    result = run("report", fit_file, "--dropna", "--out", out, code=2)
    assert "option --dropna" in result.stderr and "--data" in result.stderr


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("options", "shown"), [
    (["--where", "tokns > 1e9"], ["no column 'tokns'", "option --where 'tokns > 1e9'",
                                  "Did you mean 'tokens'"]),
    (["--where", "params >"], ["cannot read the row filter: invalid syntax",
                               "option --where 'params >'", "backticks"]),
    (["--where", "params > 1e15"], ["keeps none of the 245 rows", "option --where"]),
    (["--where", "loss"], ["true or false for each row", "option --where"]),
    (["--best-of", "loss"], ["no group is given", "option --best-of", "option --best-by too"]),
    (["--best-by", "params"], ["not the column to minimise", "option --best-by",
                               "option --best-of too"]),
    (["--best-of", "los", "--best-by", "params"], ["no column 'los'", "option --best-of"]),
    (["--last-by", "rn"], ["no column 'rn'", "option --last-by"]),
    (["--where", "params > 1e9", "--exclude", "loss"], ["option --exclude", "column 'loss'",
                                                        "true or false"]),
], ids=["unknown-column", "syntax", "no-rows-left", "not-boolean", "best-of-alone",
        "best-by-alone", "best-of-unknown", "last-by-unknown", "exclude-not-flags"])
def test_row_option_errors_name_the_option_and_exit_2(options, shown):
    result = run("fit", "chinchilla", "--law", "chinchilla", *options, code=2)
    for part in shown:
        assert part in result.stderr, (part, result.stderr)
    assert "argument '" not in result.stderr  # the command line speaks of options
