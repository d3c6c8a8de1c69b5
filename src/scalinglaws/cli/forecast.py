"""The ``forecast`` commands: record a forecast in the ledger before the big run, observe its
outcome when it lands, list the ledger and score it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from . import common as c

app = typer.Typer(
    help="A ledger of forecasts (SQLite by default, PostgreSQL for a team): record before the "
    "big run, observe when it lands, score.\n\n"
    "Examples:\n\n"
    "  scalinglaws forecast record fit.json --at params=7e10 tokens=1.4e12 --run big-7b "
    "--interval 0.9 --note 'before launch'\n\n"
    "  scalinglaws forecast observe --run big-7b --value 2.31\n\n"
    "  scalinglaws forecast score --by law --json",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DbOpt = Annotated[str | None, typer.Option(
    "--db", metavar="URL", help="The ledger: a SQLite file or a SQLAlchemy URL "
    "(postgresql://user:pw@host/db). Default: $SCALINGLAWS_LEDGER, else ./scalinglaws.db.")]
AtOpt = Annotated[list[str] | None, typer.Option(
    "--at", help="The inputs: --at params=7e10 tokens=1.4e12.")]
RunOpt = Annotated[str | None, typer.Option(
    "--run", help="The run the forecast is for (how an outcome finds it).")]


def record_command(
    ctx: typer.Context, fit_file: c.FitArg, at: AtOpt = None, run: RunOpt = None,
    interval: Annotated[float, typer.Option(
        "--interval", metavar="LEVEL", help="The interval's level.")] = 0.9,
    no_interval: Annotated[bool, typer.Option(
        "--no-interval", help="Record the point forecast alone.")] = False,
    kind: Annotated[str, typer.Option(
        "--kind", help="auto | calibrated | observation | mean (as predict).")] = "auto",
    target: Annotated[str | None, typer.Option(
        "--target", help="What is forecast (default: the fit's target).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free text kept with it.")] = None,
    tag: Annotated[list[str] | None, typer.Option(
        "--tag", help="A label to score by (repeatable).")] = None,
    supersedes: Annotated[int | None, typer.Option(
        "--supersedes", metavar="ID", help="The forecast this one corrects.")] = None,
    group: Annotated[str | None, typer.Option(
        "--group", help="For a joint fit across groups: the group to forecast for.")] = None,
    db: DbOpt = None, json_: c.JsonOpt = False, debug: c.DebugOpt = False,
) -> None:
    """Record a saved fit's forecast (point and interval) in the ledger."""
    from .fitting import extra_pairs

    items = list(at or []) + extra_pairs(ctx)
    if not items:
        c.fail("record needs the inputs — e.g. --at params=7e10 tokens=1.4e12")
    inputs = {k: c.parse_numbers(v, f"--at {k}")[0]
              for k, v in c.parse_pairs(items, "--at").items()}
    with c.handled(debug, json_):
        from ..fitting import load
        from ..ledger import Ledger

        fit = load(fit_file)
        book = Ledger(db)
        made = book.record(fit, inputs, target=target, level=None if no_interval else interval,
                           kind=kind, run=run, note=note, tags=tag or (),
                           supersedes=supersedes, interval=not no_interval, group=group)
    if json_:
        c.emit_json(made.to_dict())
    else:
        c.out.print(c.escape(repr(made)), highlight=False)
        c.err.print(f"recorded in {c.escape(book.url)}", highlight=False)


def observe_command(
    ctx: typer.Context,
    value: Annotated[float | None, typer.Option(
        "--value", help="The outcome (e.g. the final loss).")] = None,
    run: RunOpt = None, at: AtOpt = None,
    data: Annotated[str | None, typer.Option(
        "--data", metavar="DATA", help="Observe every row of a table (or a registry name): "
        "its --target column, matched by its run column or by the forecasts' inputs.")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", help="The outcome's name (default: any forecast's target; 'loss' for "
        "--data).")] = None,
    rtol: Annotated[float, typer.Option(
        "--rtol", help="Inputs match when equal within this relative tolerance.")] = 0.01,
    db: DbOpt = None, json_: c.JsonOpt = False, debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Attach outcomes to the forecasts they answer (by run, or by inputs)."""
    from .fitting import extra_pairs

    items = list(at or []) + extra_pairs(ctx)
    inputs = {k: c.parse_numbers(v, f"--at {k}")[0]
              for k, v in c.parse_pairs(items, "--at").items()} if items else None
    if data is None and value is None:
        c.fail("observe needs --value (with --run or --at) or --data TABLE")
    with c.handled(debug, quiet or json_):
        from ..ledger import Ledger

        book = Ledger(db)
        if data is not None:
            report = book.observe_from(c.load_data(data), target=target or "loss", rtol=rtol)
        else:
            report = book.observe(float(value or 0.0), run=run, at=inputs, target=target,
                                  rtol=rtol)
    if json_:
        c.emit_json(report.to_dict())
    else:
        c.out.print(c.escape(str(report)), highlight=False)


def list_command(
    superseded: Annotated[bool, typer.Option(
        "--superseded", help="Show corrected forecasts too.")] = False,
    db: DbOpt = None, json_: c.JsonOpt = False, debug: c.DebugOpt = False,
) -> None:
    """List the ledger's forecasts."""
    with c.handled(debug, json_):
        from ..ledger import Ledger

        table = Ledger(db).forecasts(superseded=superseded)
    if json_:
        c.emit_json({"forecasts": _records(table)})
        return
    from ..common.display import text_table
    from ..ledger.ledger import forecast_rows

    c.out.print(c.escape(text_table(*forecast_rows(table), left=9)), highlight=False)


def score_command(
    by: Annotated[str, typer.Option(
        "--by", help="law, tag, dataset, kind, target, user, run (comma list).")] = "law",
    db: DbOpt = None, json_: c.JsonOpt = False, debug: c.DebugOpt = False,
    figure: Annotated[Path | None, typer.Option(
        "--figure", metavar="FILE", help="Write the calibration figure (.png, .svg, .pdf).")]
    = None,
    html: Annotated[Path | None, typer.Option(
        "--html", metavar="FILE", help="Write a self-contained HTML report of the scorecard.")]
    = None,
) -> None:
    """Score the forecasts that have an outcome: error, bias, coverage, sharpness."""
    with c.handled(debug, json_):
        from ..ledger import Ledger

        if figure is not None:
            c.check_out(figure, "--figure", (".png", ".svg", ".pdf"))
        if html is not None:
            c.check_out(html, "--html", (".html", ".htm"), "report")
        card = Ledger(db).scorecard([k.strip() for k in by.split(",") if k.strip()])
        if figure is not None:
            from ..report.figures import calibration_figure, save_figure

            save_figure(calibration_figure(card), figure)
        if html is not None:
            from ..report import html as write_html

            write_html([], html, scorecard=card, command="scalinglaws forecast score")
    if json_:
        c.emit_json(card.to_dict())
    else:
        c.out.print(c.escape(str(card)), highlight=False)
    if figure is not None:
        c.written("calibration figure", figure)
    if html is not None:
        c.written("report", html)


def _records(table: Any) -> list[dict[str, Any]]:
    frame = table.copy()
    frame["created_at"] = frame["created_at"].astype(str)
    return list(frame.to_dict("records"))


app.command("record", context_settings=c.EXTRA)(record_command)
app.command("observe", context_settings=c.EXTRA)(observe_command)
app.command("list")(list_command)
app.command("score")(score_command)
