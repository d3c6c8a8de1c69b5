"""The ``scalinglaws`` command: the Typer app and its commands' registrations.

Each command lives in the module of its family (:mod:`.fitting`, :mod:`.validation`,
:mod:`.planning`, :mod:`.catalog`, :mod:`.demo`, :mod:`.report`, :mod:`.plot`, :mod:`.arch`,
:mod:`.walltime`, :mod:`.finetune`, :mod:`.mixing`, :mod:`.study`); those modules import only
Typer and Rich when the app starts, and the library inside each command, so that ``--help``
and ``--version`` start at once.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import (
    arch,
    catalog,
    datasets,
    demo,
    each,
    finetune,
    fitting,
    forecast,
    importing,
    mixing,
    observational,
    passk,
    planning,
    plot,
    report,
    study,
    validation,
    walltime,
)
from . import common as c

app = typer.Typer(
    name="scalinglaws",
    help="Fit, check and act on neural scaling laws.\n\n"
    "Examples:\n\n"
    "  scalinglaws demo\n\n"
    "  scalinglaws fit runs.csv --law chinchilla --out fit.json\n\n"
    "  scalinglaws predict fit.json --at params=7e10 tokens=1.4e12 --interval 0.9\n\n"
    "  scalinglaws backtest runs.csv --law chinchilla --train 'flops<1e21'\n\n"
    "  scalinglaws plan fit.json --flops 5.76e23\n\n"
    "  scalinglaws isoflop runs.csv --budgets log",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from ..common.version import __version__

        c.out.print(f"scalinglaws {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Fit, check and act on neural scaling laws."""


app.command("demo")(demo.demo_command)
app.command("laws")(catalog.laws_command)
app.command("datasets")(datasets.datasets_command)
app.command("passk", context_settings=c.EXTRA)(passk.passk_command)
app.command("fit", context_settings=c.EXTRA)(fitting.fit_command)
app.command("predict", context_settings=c.EXTRA)(fitting.predict_command)
app.command("backtest", context_settings=c.EXTRA)(validation.backtest_command)
app.command("select", context_settings=c.EXTRA)(validation.select_command)
app.command("plan", context_settings=c.EXTRA)(planning.plan_command)
app.command("compare", context_settings=c.EXTRA)(planning.compare_command)
app.command("isoflop", context_settings=c.EXTRA)(planning.isoflop_command)
app.command("report")(report.report_command)
app.command("plot", context_settings=c.EXTRA)(plot.plot_command)
app.command("observational")(observational.observational_command)
app.command("each")(each.each_command)
app.command("study")(study.study_command)
app.command("suggest")(study.suggest_command)
app.add_typer(importing.app, name="import")
app.add_typer(forecast.app, name="forecast")
app.add_typer(arch.app, name="arch")
app.add_typer(walltime.app, name="time")
app.add_typer(finetune.app, name="finetune")
app.add_typer(mixing.app, name="mix")


def main() -> None:
    """Entry point of the ``scalinglaws`` script."""
    app()
