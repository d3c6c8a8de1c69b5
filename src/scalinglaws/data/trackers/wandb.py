"""Runs from Weights & Biases: the CSV files its web page exports
(:func:`from_wandb_export`), or its public API (:func:`from_wandb`, with ``wandb`` installed).

The runs table (*Runs* → *Export as CSV*) has one row per run: ``Name``, ``State``, the
config and the summary (each metric's last logged value) as plain columns. A history adds the
curves, in either shape W&B gives: long, one row per logged step with ``_step``, a run
column (``Name``, ``run`` or ``ID``) and the metrics (``run.history()`` of each run, stacked);
or a chart's export, ``Step`` and one column ``<run> - <metric>`` per run (its ``__MIN`` and
``__MAX`` columns are left aside). Without a history only the summary's final values are at
hand, so the reduction is ``"final"``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...common.warning import warn
from ...exceptions import DataError, OptionError
from ..dataset import Dataset
from .options import Request, request, require
from .reduce import Reduction
from .runs import Imported, Progress, TrackedRun, assemble
from .status import WANDB_STATES, names_text

NAME_COLUMNS = ("Name", "name", "run", "Run", "run_name", "ID", "id", "run_id")
ID_COLUMNS = ("ID", "id", "run_id")
STATE_COLUMNS = ("State", "state")
#: the text W&B writes for a value that is not finite
_NOT_FINITE = frozenset({"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"})


def from_wandb_export(path: str | os.PathLike[str],
                      history: str | os.PathLike[str] | None = None, *, metric: str = "loss",
                      params: Mapping[str, str] | Sequence[str] | None = None,
                      reduce: str | Reduction = "final", mean_last: int | None = None,
                      at_tokens: float | None = None, drop_warmup: float | None = None,
                      min_step: float | None = None, include_unfinished: bool = False,
                      run_values: Any = None, target: str = "loss",
                      progress: Progress | None = None) -> Dataset:
    """The runs of a W&B export (a runs table, and optionally a history) as a Dataset.

    ``path`` is the runs table's CSV, ``history`` the history's; ``metric`` a summary or
    history column; ``params`` maps columns to config, summary or history columns
    (``{"params": "n_params", "tokens": "tokens"}``); the ``State`` of each run (finished,
    failed, crashed, killed, running...) gives its ``status``. The other arguments are those
    of :func:`~scalinglaws.data.from_mlflow`.

    >>> ds = sl.data.from_wandb_export("runs.csv", history="history.csv", metric="loss",
    ...                                params={"params": "n_params"})  # doctest: +SKIP
    """
    return read_wandb_export(path, history, metric=metric, params=params, reduce=reduce,
                             mean_last=mean_last, at_tokens=at_tokens,
                             drop_warmup=drop_warmup, min_step=min_step,
                             include_unfinished=include_unfinished, run_values=run_values,
                             target=target, progress=progress).dataset


def read_wandb_export(path: str | os.PathLike[str], history: str | os.PathLike[str] | None,
                      **options: Any) -> Imported:
    """:func:`from_wandb_export` with what became of each run (for the command line)."""
    table_path = Path(os.fspath(path))
    progress = options.pop("progress", None)
    req = request(**options, states=WANDB_STATES, tracker="W&B",
                  source=f"W&B export {table_path.resolve()}"
                  + (f" with history {Path(os.fspath(history)).resolve()}" if history else ""),
                  name=table_path.stem)
    if history is None:
        _summary_only(req)
    table = read_csv(table_path, "runs table")
    name_column = pick(table, NAME_COLUMNS, table_path, "the run names")
    state_column = pick(table, STATE_COLUMNS, table_path, "the run states")
    key_column = next((c for c in ID_COLUMNS if c in table.columns and c != name_column), None)
    curves = {} if history is None else read_history(Path(os.fspath(history)))
    names = {str(n) for n in table[name_column]}
    keys = {str(k): str(n) for k, n in zip(table[key_column], table[name_column], strict=True)
            } if key_column else {}
    curves = {keys.get(run, run): frame for run, frame in curves.items()}
    extra = sorted(set(curves) - names)
    if extra:
        warn(f"{len(extra)} runs of the history are not in the runs table and are left out: "
             f"{names_text(extra)}")
    logged = {c for frame in curves.values() for c in frame.columns if c != "_step"}
    runs = []
    for row in table.to_dict("records"):
        name = str(row[name_column])
        values = {str(k): v for k, v in row.items() if k not in (name_column, state_column)}
        summary = {k: values.pop(k) for k in list(values) if k in logged or k == "_step"}
        frame = curves.get(name)
        runs.append(TrackedRun(
            name=name, state=row[state_column], values=values, summary=summary,
            series=set() if frame is None else {c for c in frame.columns
                                                if c != "_step" and frame[c].notna().any()},
            load=_loader(frame, name, Path(os.fspath(history or table_path))),
            key=None if key_column is None else str(row[key_column])))
    return assemble(runs, req, progress)


def _summary_only(req: Request) -> None:
    r = req.reduction
    if r.reduce != "final" or any(v is not None for v in (r.mean_last, r.at_tokens,
                                                          r.drop_warmup, r.min_step)):
        raise OptionError(f"{r.describe()} needs each run's logged steps, and the runs table "
                          "holds only its final values", "argument 'history'",
                          "export the history too and pass it as history=, or use "
                          "reduce='final' alone")


def read_csv(path: Path, what: str) -> pd.DataFrame:
    """A W&B CSV export; ``NaN`` and ``inf`` are kept as text (a diverged run's value), an
    empty cell is missing."""
    if not path.is_file():
        raise DataError(f"no W&B {what} at {path}" if not path.exists()
                        else f"{path} is a folder, not a W&B {what}", f"path {path}",
                        "give the CSV file the W&B page exported")
    try:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"cannot read the W&B {what} {path.name} as CSV: {first}",
                        f"file {path}", "export it again from the W&B page") from None
    if frame.empty:
        raise DataError(f"the W&B {what} {path.name} has no rows", f"file {path}",
                        "export it with the runs shown")
    return frame


def pick(frame: pd.DataFrame, candidates: Sequence[str], path: Path, what: str) -> str:
    """The first of ``candidates`` among the columns, or a DataError listing them."""
    for name in candidates:
        if name in frame.columns:
            return name
    raise DataError(f"no column with {what} ({' or '.join(candidates[:3])})",
                    f"file {path}, columns: {', '.join(map(str, frame.columns[:30]))}",
                    f"export the table with its {candidates[0]} column, or rename yours")


def read_history(path: Path) -> dict[str, pd.DataFrame]:
    """Each run's history rows (``_step`` and one column per metric), from either shape."""
    frame = read_csv(path, "history")
    if "_step" in frame.columns:
        run = pick(frame, NAME_COLUMNS, path, "the run of each row")
        return {str(k): g.drop(columns=run).sort_values("_step", kind="stable")
                for k, g in frame.groupby(run, sort=False)}
    if "Step" in frame.columns:
        return _chart_export(frame)
    raise DataError("a W&B history has a _step column (or Step, exported from a chart)",
                    f"file {path}, columns: {', '.join(map(str, frame.columns[:30]))}",
                    "export the runs' history with its _step column")


def _chart_export(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A chart's export (``Step``, ``<run> - <metric>``) as each run's history."""
    columns: dict[str, dict[str, pd.Series]] = {}
    for column in frame.columns:
        run, sep, metric = str(column).rpartition(" - ")
        if sep and not metric.endswith(("__MIN", "__MAX")):
            columns.setdefault(run, {})[metric] = frame[column]
    return {run: pd.DataFrame({"_step": frame["Step"], **series}).sort_values(
        "_step", kind="stable") for run, series in columns.items()}


def numbers(series: pd.Series, column: str, where: str) -> pd.Series:
    """A column of a CSV export as floats: ``NaN`` and ``inf`` as such, other text an
    error naming the rows."""
    converted = pd.to_numeric(series, errors="coerce")
    if converted.dtype.kind != "f":
        converted = converted.astype(float)
    text = series.astype(str).str.strip().str.lower()
    bad = converted.isna() & series.notna() & ~text.isin(_NOT_FINITE)
    if bad.any():
        rows = [int(i) for i in bad.to_numpy().nonzero()[0][:5]]
        raise DataError(f"the column '{column}' holds text that is not a number "
                        f"({series[bad].iloc[0]!r})", f"{where}, rows {rows}",
                        "correct those values")
    return converted


def _loader(frame: pd.DataFrame | None, run: str, path: Path) -> Any:
    def load(name: str) -> pd.DataFrame:
        if frame is None or name not in frame.columns:
            return pd.DataFrame({"step": [], "value": []})
        held = frame[frame[name].notna()]
        steps = numbers(held["_step"], "_step", f"file {path}, run '{run}'")
        values = numbers(held[name], name, f"file {path}, run '{run}'")
        out = pd.DataFrame({"step": steps.to_numpy(), "value": values.to_numpy()})
        return out.sort_values("step", kind="stable").drop_duplicates("step", keep="last")

    return load


def from_wandb(project: str, *, metric: str = "loss",
               params: Mapping[str, str] | Sequence[str] | None = None,
               reduce: str | Reduction = "final", mean_last: int | None = None,
               at_tokens: float | None = None, drop_warmup: float | None = None,
               min_step: float | None = None, include_unfinished: bool = False,
               run_values: Any = None, target: str = "loss", filters: Any = None,
               api: Any = None, progress: Progress | None = None) -> Dataset:
    """The runs of a W&B project (``"entity/project"``) through W&B's public API (``pip
    install wandb``, and ``wandb login`` or ``WANDB_API_KEY``): config values are run-level,
    histories are read with ``run.scan_history`` (every logged step), ``filters`` is passed to
    ``wandb.Api().runs``. The other arguments are those of :func:`from_wandb_export`.

    >>> ds = sl.data.from_wandb("my-team/sweep", metric="val/loss",
    ...                         params={"params": "n_params"})  # doctest: +SKIP
    """
    req = request(metric=metric, params=params, reduce=reduce, mean_last=mean_last,
                  at_tokens=at_tokens, drop_warmup=drop_warmup, min_step=min_step,
                  include_unfinished=include_unfinished, target=target,
                  run_values=run_values, states=WANDB_STATES, tracker="W&B",
                  source=f"W&B project '{project}'", name=str(project))
    if api is None:
        api = require("wandb", "wandb", "Weights & Biases").Api()
    try:
        found = list(api.runs(project, filters=filters))
    except Exception as exc:  # the client's errors: no network, no login, no such project
        raise DataError(f"cannot list the runs of the W&B project '{project}': {exc}",
                        "argument 'project'", "give it as entity/project and log in "
                        "(wandb login, or WANDB_API_KEY)") from None
    if not found:
        raise DataError(f"the W&B project '{project}' has no runs", "argument 'project'",
                        "check the project's name and the filters")
    runs = [_api_run(run) for run in found]
    return assemble(runs, req, progress).dataset


def _api_run(run: Any) -> TrackedRun:
    summary = {str(k): v for k, v in dict(run.summary).items()
               if isinstance(v, int | float) and not isinstance(v, bool)}

    def load(name: str) -> pd.DataFrame:
        rows = list(run.scan_history(keys=["_step", name]))
        frame = pd.DataFrame({"step": [float(r["_step"]) for r in rows],
                              "value": [float(r[name]) for r in rows]})
        return frame.sort_values("step", kind="stable").drop_duplicates("step", keep="last")

    config = {str(k): v for k, v in dict(run.config).items() if not str(k).startswith("_")}
    return TrackedRun(name=str(run.name), state=str(run.state), values=config,
                      series={k for k in summary if not k.startswith("_")}, load=load,
                      key=str(run.id), summary=summary)
