"""``scalinglaws each DATA --by COLUMN``: one law fitted to every group of rows of a table
(:func:`scalinglaws.fit_each`), in one batch, locally or on a Dask cluster.

It prints how many groups converged and the first rows of the table of fits; ``--out`` writes
the whole table (``.csv`` or ``.json``, atomically); ``--json`` prints ``{"law", "by",
"groups", "status": {name: count}, "fits": [{group columns..., parameters..., "objective",
"status", "n_points", "error"}]}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from . import common as c

#: characters of a group's error shown in the printed table
ERROR_WIDTH = 60

ByOpt = Annotated[str, typer.Option(
    "--by", help="The column (or comma-separated columns) whose values name the groups.")]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="Write the table of fits (.csv or .json).")]
ShowOpt = Annotated[int, typer.Option("--show", help="Rows of the table printed.")]
RefitOpt = Annotated[bool, typer.Option(
    "--refit/--no-refit", help="Fit a group the batch leaves unconverged alone (default), or "
    "keep the batch's end point and its status.")]
EachWorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help="Threads for the compiled kernels, or the workers of the local Dask "
    "cluster with --dask.")]
DaskOpt = Annotated[bool, typer.Option("--dask", help="Fit on a local Dask cluster.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS", help="A Dask scheduler (tcp://HOST:8786) to fit on.")]


def each_command(
    data: c.DataArg, by: ByOpt, law: c.LawOpt = "chinchilla", x: c.XOpt = None,
    y: c.YOpt = None, loss: c.FitLossOpt = None, refit: RefitOpt = True,
    where: c.WhereOpt = None, dropna: c.DropnaOpt = False, last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None, best_by: c.BestByOpt = None, out: OutOpt = None,
    show: ShowOpt = 10, workers: EachWorkersOpt = None, dask: DaskOpt = False,
    scheduler: SchedulerOpt = None, json_: c.JsonOpt = False, debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Fit --law to every group of rows of DATA that share the values of --by (one batch; a
    group with bad data says why in its row).

    Examples: scalinglaws each curves.csv --by run --law "E + A*x**(-alpha)" --x step --loss
    mse --out fits.csv; scalinglaws each seeds.csv --by seed --law chinchilla --json
    """
    with c.handled(debug, quiet or json_):
        c.check_out(out, "--out", (".csv", ".json"), "table")
        keys = [k.strip() for k in by.split(",") if k.strip()]
        if not keys:
            from ..exceptions import OptionError

            raise OptionError("--by names no column", "option --by",
                              "give the column whose values name the groups, e.g. --by run")
        from ..fitting import fit_each

        frame = c.load_frame(data, rows=c.Rows(where, dropna, last_by, best_of, best_by),
                             reads=(*keys, x, y))
        options: dict[str, Any] = {k: v for k, v in (("x", x), ("y", y), ("loss", loss))
                                   if v is not None}
        remote = dask or scheduler is not None
        table = fit_each(law, frame, keys if len(keys) > 1 else keys[0], refit=refit,
                         backend="dask" if remote else "local", client=scheduler,
                         workers=workers if remote else None,
                         threads=None if remote else workers, **options)
        if out is not None:
            _write(table, out)
    counts = {str(k): int(v) for k, v in table["status"].value_counts().items()}
    if json_:
        c.emit_json({"law": law, "by": keys, "groups": len(table), "status": counts,
                     "fits": _records(table)})
        return
    summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    c.out.print(f"{len(table):,} groups by {', '.join(keys)}: {summary}", highlight=False)
    if show > 0:
        shown = table.head(show)
        errors = shown["error"].str.len() > ERROR_WIDTH  # the whole message: --json, --out
        shown = shown.assign(error=shown["error"].where(
            ~errors, shown["error"].str.slice(0, ERROR_WIDTH - 1) + "…"))
        c.out.print(c.escape(shown.to_string()), highlight=False)
        if len(table) > show:
            c.out.print(f"... {len(table) - show:,} more", highlight=False)
    if out is not None:
        c.written("table of fits", out)


def _records(table: Any) -> list[dict[str, Any]]:
    """The table's rows as JSON records, the group columns first (NaN as null)."""
    import numpy as np

    flat = table.reset_index()
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else
                 v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in flat.to_dict(orient="records")]


def _write(table: Any, path: Path) -> None:
    from ..data.files import write_json_atomic, write_text_atomic

    if path.suffix.lower() == ".json":
        write_json_atomic(path, _records(table))
    else:
        write_text_atomic(path, table.reset_index().to_csv(index=False))
