"""``scalinglaws backtest`` and ``scalinglaws select``: forecasts of held-out runs, scored."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import common as c

if TYPE_CHECKING:
    from rich.table import Table

    from ..validate import Backtest, Selection

LevelOpt = Annotated[float, typer.Option(help="Level of the prediction intervals.")]
PointsOpt = Annotated[bool, typer.Option(
    "--points", help="Also give every test point's forecast and error.")]
NBootOpt = Annotated[int, typer.Option(
    "--n-boot", help="Bootstrap resamples for parameter-only intervals (0: delta method).")]
IntervalOpt = Annotated[str, typer.Option(
    "--interval", help="calibrated (on backtests inside each fold's training runs) | "
    "observation (parameter-only, --n-boot) | none.")]
LawsOpt = Annotated[list[str] | None, typer.Option(
    "--laws", help="Candidate laws, comma-separated (default: chinchilla, kaplan and "
    "power_law, those whose inputs the data have).")]
HoldoutOpt = Annotated[str, typer.Option(
    help=f"Held-out runs the candidates are scored on (the others are fitted): "
    f"{c.HOLDOUT_HELP}. Fewer than 10 held-out points keep the default candidate.")]
SelectOutOpt = Annotated[Path | None, typer.Option(
    "--out", help="Write the selected fit (refitted on all the data) as JSON.")]


def backtest_command(
    ctx: typer.Context,
    data: c.DataArg,
    law: c.LawOpt,
    train: Annotated[str, typer.Option(
        "--train", help=f"Which runs to fit on (the others are forecast): {c.RULES_HELP}.")],
    level: LevelOpt = 0.9,
    interval: IntervalOpt = "calibrated",
    n_boot: NBootOpt = 200,
    seed: c.SeedOpt = 0,
    order: c.OrderOpt = None,
    col: c.ColOpt = None,
    x: c.XOpt = None,
    y: c.YOpt = "loss",
    loss: c.LossOpt = "huber",
    delta: c.DeltaOpt = 1e-3,
    exclude: c.ExcludeOpt = None,
    where: c.WhereOpt = None,
    dropna: c.DropnaOpt = False,
    last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None,
    best_by: c.BestByOpt = None,
    points: PointsOpt = False,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Fit a law on some runs, forecast the others, and score the forecast.

    Examples: scalinglaws backtest runs.csv --law chinchilla --train "flops<1e21";
    scalinglaws backtest runs.csv --law chinchilla --train largest=2 --json --points
    """
    col = c.more_cols(ctx, col)
    if interval not in ("calibrated", "observation", "none"):
        c.fail(f"--interval must be calibrated, observation or none, got {c.escape(interval)}")
    with c.handled(debug, quiet or json_):
        bt = run_backtest(data, law, train, columns=c.parse_pairs(col or [], "--col"),
                          exclude=exclude, x=x, y=y or "loss", level=level, n_boot=n_boot,
                          seed=seed, order=order, loss=loss, delta=delta,
                          show_progress=not (quiet or json_),
                          interval=None if interval == "none" else interval,
                          rows=c.Rows(where, dropna, last_by, best_of, best_by))
    if json_:
        c.emit_json(bt.to_dict(points=points))
    else:
        c.out.print(backtest_table(bt))
        if points:
            c.out.print(points_table(bt))
    if bt.failed:
        raise typer.Exit(c.EXIT_FAILED)


def run_backtest(data: str, law: str, train: str, *, columns: Mapping[str, str],
                 exclude: str | None, x: str | None, y: str, level: float, n_boot: int,
                 seed: int | None, order: str | None, loss: str, delta: float,
                 show_progress: bool = False, interval: str | None = "calibrated",
                 rows: c.Rows | None = None) -> Backtest:
    """Read the data as ``fit`` does and backtest the law on the train rule (with a progress
    bar over the folds on stderr when ``show_progress``)."""
    from ..validate import backtest
    from .progress import progress_bar

    if n_boot < 0 or n_boot == 1:
        c.fail(f"--n-boot must be 0 (the delta method) or at least 2, got {n_boot} — "
               "e.g. --n-boot 200")
    ds = c.load_data(data, exclude=exclude, rows=rows,
                     reads=[x, y, order, *columns.values()])
    with progress_bar("backtest", 1, show_progress) as update:
        return backtest(law, ds, train, level=level, interval=interval, n_boot=n_boot,
                        seed=seed, order=order, x=x, y=y, columns=columns or None, loss=loss,
                        delta=delta, progress=update)


def select_command(
    ctx: typer.Context,
    data: c.DataArg,
    laws: LawsOpt = None,
    holdout: HoldoutOpt = "rolling",
    strategy: Annotated[str, typer.Option(
        help="best | average (of the best 5, by backtest error) | auto (the one whose nested "
        "backtest error is lower).")] = "auto",
    nested: Annotated[bool, typer.Option(
        "--nested/--no-nested", help="Backtest the choice itself one level up (its error is "
        "what to expect of it on larger runs).")] = True,
    level: LevelOpt = 0.9,
    order: c.OrderOpt = None,
    col: c.ColOpt = None,
    x: c.XOpt = None,
    y: c.YOpt = "loss",
    exclude: c.ExcludeOpt = None,
    where: c.WhereOpt = None,
    dropna: c.DropnaOpt = False,
    last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None,
    best_by: c.BestByOpt = None,
    out: SelectOutOpt = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Choose the law and fitting choice that forecast held-out runs best; refit it on all.

    Examples: scalinglaws select runs.csv; scalinglaws select runs.csv --laws chinchilla,kaplan
    --out fit.json; scalinglaws select runs.csv --holdout "flops>=1e21" (score the runs of
    1e21 FLOPs and more, fit on the smaller ones)
    """
    from ..validate import select
    from .progress import progress_bar

    col = c.more_cols(ctx, col)
    with c.handled(debug, quiet or json_) as caught:
        c.check_out(out, "--out", (".json",), "fit file")
        columns = c.parse_pairs(col or [], "--col")
        ds = c.load_data(data, exclude=exclude, rows=c.Rows(where, dropna, last_by, best_of,
                                                            best_by),
                         reads=[x, y, order, *columns.values()])
        with progress_bar("select", 1, not (quiet or json_)) as update:
            sel = select(ds, laws=split_laws(laws or []) or None, holdout=holdout,
                         strategy=strategy, nested_backtest=nested, level=level, order=order,
                         x=x, y=y or "loss", columns=columns or None, progress=update)
        if out:
            sel.fit.save(out)
    if json_:
        c.emit_json({**sel.to_dict(), "warnings": list(caught.messages),
                     **({"out": str(out)} if out else {})})
    else:
        c.out.print(select_table(sel))
        c.out.print(forecast_table(sel))
        if out:
            c.written("fit", out)
    if sel.fit.status.value in ("failed", "max_iter"):
        raise typer.Exit(c.EXIT_FAILED)


def split_laws(items: list[str]) -> list[str]:
    """Law names from ``--laws a,b --laws c``; commas inside parentheses stay (expressions)."""
    names: list[str] = []
    for item in items:
        depth, start = 0, 0
        for i, ch in enumerate(item + ","):
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == "," and depth <= 0:
                if part := item[start:i].strip():
                    names.append(part)
                start = i + 1
    return names


# -- tables ---------------------------------------------------------------------------------------
def backtest_table(bt: Backtest) -> Table:
    from rich.table import Table
    from rich.text import Text

    from ..common.numbers import level_label, percent, times
    from ..fitting import KIND_LABELS

    table = Table(title=Text(f"backtest of {bt.law} (train: {bt.rule})"),
                  caption=Text(f"{len(bt.folds)} fold(s) · status {bt.status}"))
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [("fitted rows", str(bt.n_train)), ("scored rows", str(bt.n_test)),
            ("mean |rel. error|", percent(bt.mean_abs_rel_error)),
            ("max |rel. error|", percent(bt.max_abs_rel_error)),
            ("median |rel. error|", percent(bt.median_abs_rel_error)),
            ("RMSE (log)", f"{bt.rmse_log:.4f}"),
            (f"{level_label(bt.level)} interval coverage", percent(bt.coverage)),
            ("median interval width", percent(bt.median_width)),
            ("interval", "; ".join(KIND_LABELS.get(k, k) for k in bt.interval_kinds)),
            ("max extrapolation", times(bt.max_extrapolation, 3))]
    for k, v in rows:
        table.add_row(k, v)
    return table


def points_table(bt: Backtest) -> Table:
    """One row per scored test point: the forecast, its interval and its error."""
    from rich.table import Table
    from rich.text import Text

    from ..common.numbers import ends, general, percent, times

    table = Table(title=Text(f"backtest of {bt.law}: test points"))
    cols = ["fold", "y", "predicted", "lower", "upper", "abs_rel_error", "extrapolation"]
    heads = ["fold", "y", "predicted", "lower", "upper", "|rel. err|", "extrap."]
    for col, head in zip(cols, heads, strict=True):
        table.add_column(head, justify="left" if col == "fold" else "right",
                         no_wrap=col == "fold")
    for record in bt.points[cols].to_dict(orient="records"):
        lower, upper = ends(record["lower"], record["upper"], 5, general)
        table.add_row(Text(str(record["fold"])), general(record["y"], 5),
                      general(record["predicted"], 5), lower, upper,
                      percent(record["abs_rel_error"]), times(record["extrapolation"], 3))
    return table


#: candidates the select table shows (all of them are in --json)
SHOWN = 12


def select_table(sel: Selection) -> Table:
    from rich.table import Table
    from rich.text import Text

    from ..common.numbers import percent

    more = len(sel.table) - SHOWN
    caption = sel.summary_line() + (f" — {more} more candidates in --json" if more > 0 else "")
    table = Table(title=Text(f"laws and fitting choices by weighted held-out error "
                             f"({sel.holdout})"), caption=Text(caption))
    cols = ["rank", "law", "choice", "error", "nested_error", "max_abs_rel_error", "n_test",
            "status"]
    heads = ["rank", "law", "choice", "error", "nested", "max |err|", "tests", "status"]
    shown = [(col, head) for col, head in zip(cols, heads, strict=True) if col in sel.table]
    for col, head in shown:
        table.add_column(head, justify="right" if col in ("rank", "n_test") or "error" in col
                         else "left", no_wrap=col in ("law", "choice"))
    for record in sel.table[[col for col, _ in shown]].head(SHOWN).to_dict(orient="records"):
        table.add_row(*(Text(percent(record[k]) if "error" in k else str(record[k]))
                        for k, _ in shown))
    return table


def forecast_table(sel: Selection) -> Table:
    """Per held-out size: observed, the chosen forecast, the candidates' range."""
    from rich.table import Table
    from rich.text import Text

    from ..common.numbers import percent, readable

    table = Table(title=Text(f"forecasts of the held-out sizes ({sel.strategy})"),
                  caption=Text("spread: (highest - lowest candidate forecast) / chosen"))
    for head in ("fold", "size", "runs", "observed", "chosen", "lowest", "highest", "error",
                 "spread"):
        table.add_column(head, justify="left" if head == "fold" else "right")
    for r in sel.forecast_table.to_dict(orient="records"):
        table.add_row(Text(str(r["fold"])), readable(r["size"], 4), str(int(r["n"])),
                      f"{r['observed']:.4g}", f"{r['chosen']:.4g}", f"{r['lowest']:.4g}",
                      f"{r['highest']:.4g}", percent(r["error"]), percent(r["spread"]))
    return table
