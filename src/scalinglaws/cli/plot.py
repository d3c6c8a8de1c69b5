"""``scalinglaws plot``: a publication-quality figure of a fit, its residuals, an IsoFLOP
analysis, a backtest, a bootstrap or training curves, written as PDF, PNG or SVG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..exceptions import OptionError
from . import common as c

KINDS = ("fit", "residuals", "isoflop", "backtest", "corner", "curves")


def plot_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(
        metavar="FIT|DATA", help="A fit JSON file (scalinglaws fit --out), or runs: a "
        "CSV/Parquet/JSONL file or a bundled dataset.")],
    kind: Annotated[str, typer.Option(
        "--kind", help="fit | residuals | isoflop | backtest | corner | curves")],
    out: Annotated[Path, typer.Option(
        "--out", help="The figure file: .pdf, .png or .svg.")],
    data: Annotated[str | None, typer.Option(
        "--data", help="The runs, with a FIT file (default: the runs it carries).")] = None,
    law: Annotated[str | None, typer.Option(
        "--law", help="With DATA: the law to fit (kinds fit, residuals, corner, curves, "
        "backtest).")] = None,
    group: Annotated[str | None, typer.Option(
        "--group", help="For a joint fit file: draw this group only (default: all).")] = None,
    train: Annotated[str | None, typer.Option(
        "--train", help=f"backtest: which runs to fit on: {c.RULES_HELP}.")] = None,
    level: Annotated[float | None, typer.Option(
        help="Level of the bands and intervals (default 0.9; isoflop 0.95).")] = None,
    n_boot: Annotated[int | None, typer.Option(
        "--n-boot", help="Bootstrap resamples: backtest intervals (default 200), isoflop "
        "(1000), corner from DATA (200).")] = None,
    seed: c.SeedOpt = 0,
    budgets: Annotated[str, typer.Option(
        "--budgets", help="isoflop: exact, log, N equal log bins or edges 3e18,3e19.")
    ] = "exact",
    x: Annotated[str | None, typer.Option(
        "--x", help="The x column: the input of a one-input law; curves: default step; "
        "isoflop: the size column (default params).")] = None,
    y: c.YOpt = None,
    by: Annotated[str, typer.Option("--by", help="curves: the column naming runs.")] = "run",
    title: Annotated[str | None, typer.Option(
        "--title", help="The figure's title (default: the law's name and citation; \"\" for "
        "none).")] = None,
    width: Annotated[float | None, typer.Option(
        "--width", help="The figure's width in inches (the height follows; default: one "
        "column, 3.4 in, for a one-panel figure in the paper style).")] = None,
    dpi: Annotated[float | None, typer.Option(
        "--dpi", help="Resolution of a PNG, dots per inch (default 300 paper, 200 slide).")
    ] = None,
    style: Annotated[str, typer.Option(
        "--style", help="paper (8 pt text for a column of a paper) or slide (twice the size, "
        "14 pt text).")] = "paper",
    col: c.ColOpt = None,
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
    """Draw a figure and write it as PDF, PNG or SVG (by the extension of --out).

    Examples: scalinglaws plot fit.json --data runs.csv --kind fit --out fit.pdf;
    scalinglaws plot runs.csv --law chinchilla --kind residuals --out residuals.png;
    scalinglaws plot runs.csv --kind isoflop --budgets log --out isoflop.svg;
    scalinglaws plot runs.csv --kind backtest --law chinchilla --train "flops<1e21" --out bt.pdf;
    scalinglaws plot fit.json --kind corner --out corner.pdf (a fit saved with --bootstrap);
    scalinglaws plot curves.csv --kind curves --x step --out curves.png;
    scalinglaws plot fit.json --kind fit --style slide --title "Our 2025 sweep" --out fit.png
    """
    col = c.more_cols(ctx, col)
    with c.handled(debug, quiet or json_):
        from ..report.figures import FORMATS, Look, save_figure

        c.check_out(out, "--out", tuple(f".{f}" for f in FORMATS), "figure")
        if kind not in KINDS:
            raise OptionError(f"unknown figure kind '{kind}'", "--kind",
                              f"use one of {', '.join(KINDS)}")
        Look.of(style, width, dpi)  # a bad option fails before any fit is made
        options: dict[str, Any] = {
            "data": data, "law": law, "group": group, "train": train, "level": level,
            "n_boot": n_boot, "seed": seed, "budgets": budgets, "x": x, "y": y, "by": by,
            "columns": c.parse_pairs(col or [], "--col"), "exclude": exclude,
            "rows": c.Rows(where, dropna, last_by, best_of, best_by),
            "look": {"title": title, "width": width, "dpi": dpi, "style": style}}
        fig = draw(kind, source, **options)
        path = save_figure(fig, out)
    if json_:
        c.emit_json({"kind": kind, "out": str(path), "format": path.suffix.lstrip(".")})
    else:
        c.written(f"{kind} figure", path)


def draw(kind: str, source: str, *, data: str | None, law: str | None, group: str | None,
         train: str | None, level: float | None, n_boot: int | None, seed: int,
         budgets: str, x: str | None, y: str | None, by: str, columns: dict[str, str],
         exclude: str | None, rows: c.Rows | None = None,
         look: dict[str, Any] | None = None) -> Any:
    """The figure of ``kind`` from the command's arguments (``look``: the figure options
    title, width, dpi and style)."""
    from ..report import figures as f

    look = look or {}

    if kind == "isoflop":
        from ..plan import isoflop
        from .planning import parse_budget_rule

        runs = _data_source(source, data, kind)
        rule = parse_budget_rule(budgets)
        ds = c.load_data(runs, columns=columns, exclude=exclude, rows=rows, reads=[x])
        iso = isoflop(ds, budgets=rule, x=x or "params", level=level or 0.95,
                      n_boot=1000 if n_boot is None else n_boot, seed=seed)
        return f.isoflop_figure(iso, ds, **look)
    if kind == "backtest":
        from .validation import run_backtest

        if law is None or train is None:
            raise OptionError("a backtest figure needs --law and --train", "--kind backtest",
                              'e.g. --law chinchilla --train "flops<1e21"')
        bt = run_backtest(_data_source(source, data, kind), law, train, columns=columns,
                          exclude=exclude, x=x, y=y or "loss", level=level or 0.9,
                          n_boot=200 if n_boot is None else n_boot, seed=seed, order=None,
                          loss="huber", delta=1e-3, rows=rows)
        return f.backtest_figure(bt, x=x if x is not None and x in bt.points else None,
                                 **look)
    fit, ds = _fit_and_data(source, data, law, group, kind, x=x, y=y, columns=columns,
                            exclude=exclude, rows=rows)
    if kind == "fit":
        return f.fit_figure(fit, ds, level=level or 0.9, **look)
    if kind == "residuals":
        return f.residuals_figure(fit, ds, **look)
    if kind == "curves":
        if ds is None:
            raise OptionError("a curves figure needs the runs", "--kind curves",
                              "give DATA, or --data DATA with a fit file")
        return f.curves_figure(ds, fit, x=x or "step", y=y or "loss", by=by, **look)
    # corner
    if fit is None:
        raise OptionError("a corner figure needs a fit with a bootstrap", "--kind corner",
                          "give a fit saved with scalinglaws fit --bootstrap 200 --out fit.json, "
                          "or DATA with --law")
    if getattr(fit, "uncertainty", None) is None and law is not None:
        fit = fit.with_bootstrap(fit.bootstrap(200 if n_boot is None else n_boot, seed=seed))
    return f.corner_figure(fit, level=level or 0.9, **look)


def _is_fit_file(source: str) -> bool:
    path = Path(source)
    return path.suffix.lower() == ".json" and path.is_file()


def _carried_runs(source: str, fit: Any, group: str | None) -> Any:
    """The runs a fit file carries (all groups' for a joint fit), or None."""
    from ..fitting import SharedFit, load_shared_fit

    whole = load_shared_fit(source) if group is not None else fit
    return whole.joint.data if isinstance(whole, SharedFit) else whole.data


def _data_source(source: str, data: str | None, kind: str) -> str:
    if _is_fit_file(source):
        raise OptionError(f"a {kind} figure is drawn from the runs, not from a fit file",
                          f"argument {source}", f"give DATA: scalinglaws plot runs.csv --kind "
                          f"{kind} ...")
    if data is not None:
        raise OptionError("--data goes with a FIT file", "--data",
                          "give the runs as the first argument only")
    return source


def _fit_and_data(source: str, data: str | None, law: str | None, group: str | None,
                  kind: str, *, x: str | None, y: str | None, columns: dict[str, str],
                  exclude: str | None, rows: c.Rows | None = None) -> tuple[Any, Any]:
    """The fit (read from FIT, or fitted to DATA with --law; None for curves without one)
    and the runs (--data with a FIT file, else DATA)."""
    from ..fitting import fit as fit_law
    from ..fitting import load

    if _is_fit_file(source):
        if law is not None:
            raise OptionError("--law goes with DATA; a fit file has its law", "--law",
                              "drop --law")
        fit: Any = load(source, group)
        if data:
            return fit, c.load_data(data, columns=columns, exclude=exclude, rows=rows,
                                    reads=[x, y, *columns.values()])
        if rows is not None:
            rows.without_data()
        return fit, _carried_runs(source, fit, group)
    if group is not None:
        raise OptionError("--group picks a group of a joint fit file", "--group",
                          "give a file written by scalinglaws fit --shared ... --out")
    if data is not None:
        raise OptionError("--data goes with a FIT file", "--data",
                          "give the runs as the first argument only")
    ds = c.load_data(source, columns=columns, exclude=exclude, rows=rows,
                     reads=[x, y, *columns.values()])
    if law is None:
        if kind == "curves":
            return None, ds
        raise OptionError(f"a {kind} figure from DATA needs --law, the law to fit", "--law",
                          "e.g. --law chinchilla, or give a fit file written by "
                          "scalinglaws fit --out")
    x_input = x if kind != "curves" else None
    return fit_law(law, ds, x=x_input, y=y, columns=columns or None), ds
