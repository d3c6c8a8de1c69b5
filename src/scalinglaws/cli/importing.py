"""The ``import`` commands: runs from MLflow, TensorBoard event files or a W&B export, reduced
to rows and written to a file that every command taking DATA reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import common as c
from .progress import progress_bar

if TYPE_CHECKING:
    from ..data.trackers.runs import Imported

app = typer.Typer(
    help="Import runs from an experiment tracker into a table of runs.\n\n"
    "Examples:\n\n"
    "  scalinglaws import mlflow sqlite:///mlflow.db --experiment sweep --metric val_loss "
    "--param params=n_params --param tokens=tokens --out runs.parquet\n\n"
    "  scalinglaws import tensorboard logs/ --tag train/loss --param params=n_params "
    "--reduce curve --drop-warmup 0.1 --out curves.parquet\n\n"
    "  scalinglaws import wandb-export runs.csv --history history.csv --metric loss "
    "--param params=n_params --out runs.csv",
    no_args_is_help=True,
    rich_markup_mode=None,
)

OutOpt = Annotated[Path, typer.Option(
    "--out", help="The table to write: .parquet, .csv or .jsonl (read by fit, backtest, ...).")]
ParamOpt = Annotated[list[str] | None, typer.Option(
    "--param", "-p", metavar="COLUMN=NAME", help="A column from a run parameter, tag, "
    "hyper-parameter, config value or logged series: --param params=n_params --param "
    "tokens=tokens_seen (or params=n_params,tokens=tokens_seen).")]
ReduceOpt = Annotated[str, typer.Option(
    "--reduce", help="final (each run's last value), min (its lowest) or curve (one row per "
    "logged step, with step and run).")]
MeanLastOpt = Annotated[int | None, typer.Option(
    "--mean-last", metavar="K", help="With --reduce final: the mean of the last K values.")]
AtTokensOpt = Annotated[float | None, typer.Option(
    "--at-tokens", metavar="D", help="With --reduce final: the value logged nearest D tokens "
    "(needs a per-step tokens column, --param tokens=NAME).")]
WarmupOpt = Annotated[float | None, typer.Option(
    "--drop-warmup", metavar="FRACTION", help="Drop the rows before this fraction of each "
    "run's last step.")]
MinStepOpt = Annotated[float | None, typer.Option(
    "--min-step", metavar="STEP", help="Drop the rows logged before this step.")]
UnfinishedOpt = Annotated[bool, typer.Option(
    "--include-unfinished", help="Keep runs that failed, were killed, are still running or "
    "diverged (left out by default); the status column says which.")]
RunValuesOpt = Annotated[Path | None, typer.Option(
    "--run-values", metavar="FILE", help="A table (CSV/Parquet) with a run column: values per "
    "run given by hand (a model size the tracker lacks, a status).")]
TargetOpt = Annotated[str, typer.Option(
    "--target", help="The name of the column the metric goes to.")]


def mlflow_command(
    source: Annotated[str, typer.Argument(
        metavar="SOURCE", help="Tracking URI: sqlite:///mlflow.db, http://host:5000, or the "
        "folder MLflow wrote (mlruns).")],
    experiment: Annotated[str, typer.Option("--experiment", "-e", help="Experiment name.")],
    out: OutOpt,
    metric: Annotated[str, typer.Option("--metric", help="The metric to fit.")] = "loss",
    param: ParamOpt = None, reduce: ReduceOpt = "final", mean_last: MeanLastOpt = None,
    at_tokens: AtTokensOpt = None, drop_warmup: WarmupOpt = None, min_step: MinStepOpt = None,
    include_unfinished: UnfinishedOpt = False, run_values: RunValuesOpt = None,
    target: TargetOpt = "loss", json_: c.JsonOpt = False, debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Import the runs of an MLflow experiment, each metric history reduced to rows.

    Example: scalinglaws import mlflow sqlite:///mlflow.db --experiment sweep --metric loss
    --param params=n_params --param tokens=tokens --out runs.parquet
    """
    with c.handled(debug, quiet or json_):
        options = _options(out, param, reduce, mean_last, at_tokens, drop_warmup, min_step,
                           include_unfinished, run_values, target)
        from ..data.trackers.mlflow import read_mlflow

        imported = _read(read_mlflow, (source, experiment), {"metric": metric, **options},
                         quiet or json_)
    _finish(imported, out, json_)


def tensorboard_command(
    source: Annotated[str, typer.Argument(
        metavar="SOURCE", help="The log folder: one sub-folder of event files per run.")],
    out: OutOpt,
    tag: Annotated[str, typer.Option("--tag", help="The scalar tag to fit.")] = "loss",
    param: ParamOpt = None, reduce: ReduceOpt = "final", mean_last: MeanLastOpt = None,
    at_tokens: AtTokensOpt = None, drop_warmup: WarmupOpt = None, min_step: MinStepOpt = None,
    include_unfinished: UnfinishedOpt = False, run_values: RunValuesOpt = None,
    target: TargetOpt = "loss", json_: c.JsonOpt = False, debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Import the runs of a TensorBoard log folder, each scalar curve reduced to rows.

    Run-level values come from the logged hyper-parameters, a scalar tag, or --run-values.
    Example: scalinglaws import tensorboard logs/ --tag loss --param params=n_params
    --reduce curve --out curves.parquet
    """
    with c.handled(debug, quiet or json_):
        options = _options(out, param, reduce, mean_last, at_tokens, drop_warmup, min_step,
                           include_unfinished, run_values, target)
        from ..data.trackers.tensorboard import read_tensorboard

        imported = _read(read_tensorboard, (source,), {"tag": tag, **options}, quiet or json_)
    _finish(imported, out, json_)


def wandb_export_command(
    source: Annotated[str, typer.Argument(
        metavar="SOURCE", help="The runs table the W&B page exports (CSV: Name, State, "
        "config and summary columns).")],
    out: OutOpt,
    history: Annotated[Path | None, typer.Option(
        "--history", help="The history CSV (_step and a run column, or a chart's export); "
        "without it only the summary's final values are read.")] = None,
    metric: Annotated[str, typer.Option("--metric", help="The metric to fit.")] = "loss",
    param: ParamOpt = None, reduce: ReduceOpt = "final", mean_last: MeanLastOpt = None,
    at_tokens: AtTokensOpt = None, drop_warmup: WarmupOpt = None, min_step: MinStepOpt = None,
    include_unfinished: UnfinishedOpt = False, run_values: RunValuesOpt = None,
    target: TargetOpt = "loss", json_: c.JsonOpt = False, debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Import the runs of a Weights & Biases export (runs table, and history for curves).

    Example: scalinglaws import wandb-export runs.csv --history history.csv --metric loss
    --param params=n_params --out runs.parquet
    """
    with c.handled(debug, quiet or json_):
        options = _options(out, param, reduce, mean_last, at_tokens, drop_warmup, min_step,
                           include_unfinished, run_values, target)
        from ..data.trackers.wandb import read_wandb_export

        imported = _read(read_wandb_export, (source, history), {"metric": metric, **options},
                         quiet or json_)
    _finish(imported, out, json_)


def _read(read: Callable[..., Imported], args: tuple[Any, ...], options: dict[str, Any],
          quiet: bool) -> Imported:
    """``read(*args, **options)`` with a progress bar over the runs (none when ``quiet``)."""
    with progress_bar("reading runs", 0, not quiet) as progress:
        return read(*args, progress=progress, **options)


def _options(out: Path, param: list[str] | None, reduce: str, mean_last: int | None,
             at_tokens: float | None, drop_warmup: float | None, min_step: float | None,
             include_unfinished: bool, run_values: Path | None, target: str
             ) -> dict[str, Any]:
    """The options every import takes, checked before any run is read (``--out`` first)."""
    from ..data.trackers.output import SUFFIXES

    c.check_out(out, "--out", SUFFIXES, "table")
    pairs = [part for item in param or [] for part in item.split(",") if part.strip()]
    table = None
    if run_values is not None:
        from ..data.io import read_table

        with c.naming("--run-values", c.DataError):
            table = read_table(run_values, None)
    return {"params": c.parse_pairs(pairs, "--param") or None, "reduce": reduce,
            "mean_last": mean_last, "at_tokens": at_tokens, "drop_warmup": drop_warmup,
            "min_step": min_step, "include_unfinished": include_unfinished,
            "run_values": table, "target": target}


def _finish(imported: Imported, out: Path, json_: bool) -> None:
    """Write the table; say what was written (``--json``: one document on stdout)."""
    with c.handled(False, json_):
        from ..data.trackers.output import write_runs

        path = write_runs(imported.dataset, out)
    if json_:
        c.emit_json({"out": str(path), **imported.summary()})
        return
    summary = imported.summary()
    c.err.print(f"{summary['runs']} runs read, {len(summary['left_out'])} left out; "
                f"{summary['rows']} rows")
    c.err.print(f"provenance: {c.escape(imported.provenance)}")
    c.written("runs", path)


app.command("mlflow")(mlflow_command)
app.command("tensorboard")(tensorboard_command)
app.command("wandb-export")(wandb_export_command)
