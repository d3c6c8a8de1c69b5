"""The ``report`` command: an interactive HTML report of saved fits."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from . import common as c


def report_command(
    fits: Annotated[list[Path], typer.Argument(
        metavar="FIT", help="Fit JSON files written by scalinglaws fit --out.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    data: Annotated[str | None, typer.Option(
        "--data", help="The runs to plot (CSV/Parquet/JSONL or a bundled dataset), one file "
        "for all fits (default: the runs each fit file carries).")] = None,
    title: Annotated[str | None, typer.Option(
        "--title", help="The report's title (default: from the laws and the data's names, "
        "e.g. 'chinchilla and kaplan on runs.csv').")] = None,
    exclude: c.ExcludeOpt = None,
    where: c.WhereOpt = None,
    dropna: c.DropnaOpt = False,
    last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None,
    best_by: c.BestByOpt = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Write one self-contained interactive HTML report (plots, tables, provenance) of FITs.

    Examples: scalinglaws report fit.json --out report.html (the runs the fit carries);
    scalinglaws report fit.json --data runs.csv --out report.html;
    scalinglaws report a.json b.json --data chinchilla --exclude epoch_excluded --out cmp.html;
    scalinglaws report fit.json --title "Sweep 12: chinchilla" --out report.html
    """
    with c.handled(debug, quiet or json_):
        c.check_out(out, "--out", (".html", ".htm"), "report")
        from ..fitting import load
        from ..report import html
        from .hyper import law_fit

        items = [law_fit(load(path), "a report") for path in fits]
        rows = c.Rows(where, dropna, last_by, best_of, best_by)
        if data is None:
            rows.without_data()
        ds = c.load_data(data, exclude=exclude, rows=rows) if data is not None else None
        command = _command(fits, out, data, title, exclude) + "".join(
            f" {shlex.quote(w)}" for w in rows.words())
        path = html(items, out, data=ds, title=title, command=command)
    if json_:
        c.emit_json({"out": str(path), "items": len(items), "bytes": path.stat().st_size,
                     "data": data})
    else:
        c.written("report", path)


def _command(fits: list[Path], out: Path, data: str | None, title: str | None,
             exclude: str | None) -> str:
    """The command as run, rebuilt from its arguments (for the report's provenance)."""
    words = ["scalinglaws", "report", *map(str, fits), "--out", str(out)]
    if data is not None:
        words += ["--data", data]
    if exclude is not None:
        words += ["--exclude", exclude]
    if title is not None:
        words += ["--title", title]
    return shlex.join(words)
