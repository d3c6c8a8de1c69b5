"""The ``scalinglaws`` command: a thin Typer skin over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ..common.version import __version__
from ..validate.split import RULES_HELP
from . import common as c
from . import plan as p
from . import planning
from . import report as report_cli
from . import shared as sh
from . import validate as v
from .common import EXTRA, DebugOpt, FitArg, JsonOpt, QuietOpt
from .plot import plot_command

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
        c.out.print(f"scalinglaws {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Fit, check and act on neural scaling laws."""


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for fit.json and report.html.")] = Path(
        "scalinglaws-demo"),
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Fit the bundled Chinchilla data, print the fit and a compute-optimal plan, write a report.

    Example: scalinglaws demo --out ./scalinglaws-demo
    """
    from .demo import print_demo, run_demo

    with c.handled(debug, quiet or json_):
        result = run_demo(out)
    if json_:
        c.emit_json(result.to_dict())
    else:
        print_demo(result)


@app.command()
def laws(json_: JsonOpt = False) -> None:
    """List the catalog of laws with their formulas.

    Example: scalinglaws laws --json
    """
    from ..laws import catalog

    entries = [catalog.get(n) for n in catalog.names()]
    if json_:
        c.emit_json({"laws": [{"name": law.name, "formula": law.formula,
                               "inputs": law.inputs, "parameters": list(law.parameter_names),
                               "citation": law.citation, "description": law.description,
                               "domain": law.domain, "reference": law.reference,
                               "ranges": law.input_ranges,
                               "specs": [p.to_dict() for p in law.parameters]}
                              for law in entries]})
        return
    table = Table(title="scalinglaws catalog")
    table.add_column("name", no_wrap=True, min_width=max(len(law.name) for law in entries))
    for col in ("formula", "inputs", "source"):
        table.add_column(col)
    for law in entries:
        inputs = ", ".join(f"{s}={col or '(choose with --x)'}" for s, col in law.inputs.items())
        table.add_row(law.name, law.formula, inputs, law.citation)
    c.out.print(table)


@app.command(context_settings=EXTRA)
def fit(
    ctx: typer.Context,
    data: c.DataArg,
    law: Annotated[str, typer.Option("--law", help="Catalog name or expression.")],
    col: c.ColOpt = None,
    x: c.XOpt = None,
    y: c.YOpt = None,
    loss: c.LossOpt = "huber",
    delta: c.DeltaOpt = 1e-3,
    starts: Annotated[str, typer.Option(help="auto | grid")] = "auto",
    max_iter: Annotated[int, typer.Option(
        "--max-iter", metavar="N", help="Iterations of each stage of the search per start "
        "(raise it when a fit stops at its iteration limit).")] = 1000,
    exclude: c.ExcludeOpt = None,
    bootstrap: Annotated[int | None, typer.Option(
        "--bootstrap", metavar="N",
        help="Refit on N resamples and give percentile intervals, e.g. 200.")] = None,
    by: Annotated[str | None, typer.Option(
        "--by", help="Resample whole clusters of this column (run, seed, family...), "
        "not points.")] = None,
    seed: c.SeedOpt = 0,
    level: Annotated[float | None, typer.Option(
        help="Level of the --bootstrap intervals (default 0.95).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the fit as JSON.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report.")] = None,
    shared: sh.SharedOpt = None,
    groups: sh.GroupsOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Fit a law to the runs in DATA.

    Examples: scalinglaws fit runs.csv --law chinchilla --out fit.json;
    scalinglaws fit runs.csv --law "E + A*C**(-alpha)" --col C=flops;
    scalinglaws fit runs.csv --law chinchilla --bootstrap 200 --by run --out fit.json;
    scalinglaws fit runs.csv --law chinchilla --shared alpha,beta --groups family
    """
    from ..fitting.api import fit as run_fit

    c.no_extra(ctx)
    bs = None
    if groups is not None or shared is not None:
        with c.handled(debug, quiet or json_) as warned:
            sh.check_combination(groups, shared, bootstrap, report)
            assert groups is not None
            joint = sh.run_shared(law, c.load_data(data, exclude=exclude), groups=groups,
                                  shared=shared, x=x, y=y,
                                  columns=c.parse_pairs(col or [], "--col"), loss=loss,
                                  delta=delta, starts=starts, max_iter=max_iter)
            if out:
                joint.save(out)
        if json_:
            c.emit_json({**sh.shared_doc(joint, warned), **({"out": str(out)} if out else {})})
        else:
            c.out.print(sh.shared_table(joint))
            if out:
                c.err.print(f"fit written to {out}")
        if not joint.status.ok:
            raise typer.Exit(c.EXIT_FAILED)
        return
    with c.handled(debug, quiet or json_) as warned:
        mapping = c.parse_pairs(col or [], "--col")
        boot = v.BootstrapOptions.checked(bootstrap, by, seed, level)
        ds = c.load_data(data, exclude=exclude)
        if boot:
            boot.check_data(ds)
        result = run_fit(law, ds, x=x, y=y, columns=mapping, loss=loss, delta=delta,
                         starts=starts, max_iter=max_iter)
        failed = result.status.value in ("failed", "max_iter")
        if boot and not failed:
            bs = v.run_bootstrap(result, boot, show_progress=not (quiet or json_))
            result = result.with_bootstrap(bs)
        if out:
            result.save(out)
        if report:
            from ..report import html

            html([result], report, data=[ds], command=_command_line(ctx))
    if json_:
        doc = {"law": result.law.name, "formula": result.law.formula,
               "params": result.params, "stderr": result.stderr,
               "status": result.status.value, "n_points": result.n_points,
               "objective": result.objective, "loss": result.loss,
               "warnings": list(result.warnings) or warned}
        if bs is not None and boot is not None:
            doc.update(v.bootstrap_doc(bs, boot.level))
        if out:
            doc["out"] = str(out)
        c.emit_json(doc)
    else:
        c.out.print(v.fit_table(result, bs, boot.level if boot else v.BOOTSTRAP_LEVEL))
        if boot and failed:
            c.err.print("[yellow]warning:[/] no bootstrap: the fit itself failed")
        if out:
            c.err.print(f"fit written to {out}")
    if failed:
        raise typer.Exit(c.EXIT_FAILED)


@app.command(context_settings=EXTRA)
def predict(
    ctx: typer.Context,
    fit_file: FitArg,
    at: Annotated[list[str] | None, typer.Option(
        "--at", help="Inputs: --at params=7e10 tokens=1.4e12 (comma lists allowed).")] = None,
    interval: Annotated[float | None, typer.Option(
        "--interval", metavar="LEVEL", help="Add a LEVEL interval, e.g. 0.9: from the fit's "
        "bootstrap when the file carries one, else the delta method.")] = None,
    observation: Annotated[bool, typer.Option(
        "--observation", help="Interval for a new run (adds the residual noise), not for "
        "the law's mean; implies --interval 0.9 when not given.")] = False,
    group: sh.GroupOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Predict the target from a saved fit, optionally with an interval.

    Examples: scalinglaws predict fit.json --at params=7e10 tokens=1.4e12;
    scalinglaws predict fit.json --at params=7e10 tokens=1.4e12 --interval 0.9 --observation
    """
    from ..fitting.files import load_fit

    items = list(at or []) + _extra_pairs(ctx)
    if not items:
        c.fail("predict needs inputs — e.g. --at params=7e10 tokens=1.4e12")
    pairs = c.parse_pairs(items, "--at")
    inputs = {k: c.parse_numbers(v, f"--at {k}") for k, v in pairs.items()}
    level = 0.9 if observation and interval is None else interval
    with c.handled(debug, json_):
        result = load_fit(fit_file, group)
        values: dict[str, Any] = {k: (v[0] if len(v) == 1 else v) for k, v in inputs.items()}
        pred = v.predict(result, values, level, observation)
    if json_:
        c.emit_json({**pred.to_dict(), "at": values, "law": result.law.name,
                     "target": result.target})
    else:
        c.out.print(v.predict_table(result, values, pred))


@app.command(context_settings=EXTRA)
def backtest(
    ctx: typer.Context,
    data: c.DataArg,
    law: Annotated[str, typer.Option("--law", help="Catalog name or expression.")],
    train: Annotated[str, typer.Option(
        "--train", help=f"Which runs to fit on (the others are forecast): {RULES_HELP}.")],
    level: Annotated[float, typer.Option(help="Level of the prediction intervals.")] = 0.9,
    n_boot: Annotated[int, typer.Option(
        "--n-boot", help="Bootstrap resamples for the intervals (0: delta method).")] = 200,
    seed: c.SeedOpt = 0,
    order: c.OrderOpt = None,
    col: c.ColOpt = None,
    x: c.XOpt = None,
    y: c.YOpt = "loss",
    loss: c.LossOpt = "huber",
    delta: c.DeltaOpt = 1e-3,
    exclude: c.ExcludeOpt = None,
    points: Annotated[bool, typer.Option(
        "--points", help="Also give every test point's forecast and error.")] = False,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Fit a law on some runs, forecast the others, and score the forecast.

    Examples: scalinglaws backtest runs.csv --law chinchilla --train "flops<1e21";
    scalinglaws backtest runs.csv --law chinchilla --train largest=2 --json --points
    """
    c.no_extra(ctx)
    with c.handled(debug, quiet or json_):
        bt = v.run_backtest(data, law, train, columns=c.parse_pairs(col or [], "--col"),
                            exclude=exclude, x=x, y=y or "loss", level=level,
                            n_boot=n_boot, seed=seed, order=order, loss=loss, delta=delta,
                            show_progress=not (quiet or json_))
    if json_:
        c.emit_json(bt.to_dict(points=points))
    else:
        c.out.print(v.backtest_table(bt))
        if points:
            c.out.print(v.points_table(bt))
    if bt.failed:
        raise typer.Exit(c.EXIT_FAILED)


@app.command(context_settings=EXTRA)
def select(
    ctx: typer.Context,
    data: c.DataArg,
    laws: Annotated[list[str] | None, typer.Option(
        "--laws", help="Candidate laws, comma-separated (default: chinchilla, kaplan and "
        "power_law, those whose inputs the data have).")] = None,
    holdout: Annotated[str, typer.Option(
        help=f"Held-out runs the candidates are scored on: {RULES_HELP}.")] = "rolling",
    level: Annotated[float, typer.Option(help="Level of the prediction intervals.")] = 0.9,
    order: c.OrderOpt = None,
    col: c.ColOpt = None,
    x: c.XOpt = None,
    y: c.YOpt = "loss",
    exclude: c.ExcludeOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the selected fit (refitted on all the data) as JSON.")] = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Choose the law and fitting choice that forecast held-out runs best; refit it on all.

    Examples: scalinglaws select runs.csv; scalinglaws select runs.csv --laws chinchilla,kaplan
    --out fit.json
    """
    c.no_extra(ctx)
    with c.handled(debug, quiet or json_):
        sel = v.run_select(data, laws or [], holdout, columns=c.parse_pairs(col or [], "--col"),
                           exclude=exclude, x=x, y=y or "loss", level=level, order=order,
                           show_progress=not (quiet or json_))
        if out:
            sel.fit.save(out)
    if json_:
        c.emit_json({**sel.to_dict(), **({"out": str(out)} if out else {})})
    else:
        c.out.print(v.select_table(sel))
        if out:
            c.err.print(f"fit written to {out}")
    if sel.fit.status.value in ("failed", "max_iter"):
        raise typer.Exit(c.EXIT_FAILED)


@app.command(context_settings=EXTRA)
def plan(
    ctx: typer.Context,
    fit_file: FitArg,
    flops: Annotated[list[str] | None, typer.Option(
        "--flops", help="Training budget(s) in FLOPs: --flops 1e22 1e23 or 1e22,1e23.")] = None,
    loss: Annotated[float | None, typer.Option(
        "--loss", help="Target loss: the FLOPs needed to reach it (compute-optimally, or at "
        "the --params or --tokens given).")] = None,
    params: Annotated[float | None, typer.Option(
        "--params", help="With --loss: the tokens a model of this size needs.")] = None,
    tokens: Annotated[float | None, typer.Option(
        "--tokens", help="With --loss: the parameters needed on this many tokens.")] = None,
    inference_tokens: Annotated[float | None, typer.Option(
        "--inference-tokens", metavar="T", help="Tokens the model will serve: the least "
        "training + inference compute for the loss of --flops (or for --loss), beside the "
        "Chinchilla-optimal plan.")] = None,
    flops_factor: Annotated[float, typer.Option(help="k in C = k·N·D.")] = 6.0,
    inference_factor: Annotated[float, typer.Option(
        help="Inference FLOPs per token and parameter (2·N per token).")] = 2.0,
    group: sh.GroupOpt = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Compute-optimal model size and tokens for a budget, or what reaching a loss takes.

    Examples: scalinglaws plan fit.json --flops 5.76e23; scalinglaws plan fit.json --loss 2.0
    --params 7e9; scalinglaws plan fit.json --flops 1e23 --inference-tokens 1e13
    """
    from ..fitting.files import load_fit

    budgets = [v for item in (flops or []) for v in c.parse_numbers(item, "--flops")]
    budgets += [v for item in _extra_numbers(ctx) for v in c.parse_numbers(item, "--flops")]
    query = p.PlanQuery.checked(budgets, loss, params, tokens, inference_tokens, flops_factor,
                                inference_factor)
    with c.handled(debug, quiet or json_):
        answer = p.run_plan(load_fit(fit_file, group), query)
    if json_:
        c.emit_json(answer.doc)
        return
    c.out.print(answer.table)
    p.print_warnings(answer.warnings, quiet)


def _extra_pairs(ctx: typer.Context) -> list[str]:
    bad = [a for a in ctx.args if "=" not in a]
    if bad:
        c.fail(f"unexpected argument(s) {' '.join(map(c.escape, bad))} — "
               "inputs are written key=value")
    return list(ctx.args)


def _extra_numbers(ctx: typer.Context) -> list[str]:
    for a in ctx.args:
        try:
            float(a.split(",")[0])
        except ValueError:
            c.fail(f"unexpected argument '{c.escape(a)}' — budgets are numbers like 1e23")
    return list(ctx.args)


def _command_line(ctx: typer.Context) -> str:
    import shlex
    import sys

    return "scalinglaws " + " ".join(shlex.quote(a) for a in sys.argv[1:])


app.command("compare", context_settings=EXTRA)(planning.compare_command)
app.command("isoflop", context_settings=EXTRA)(planning.isoflop_command)
app.command("report")(report_cli.report_command)
app.command("plot", context_settings=EXTRA)(plot_command)


def main() -> None:
    """Entry point of the ``scalinglaws`` script."""
    app()
