"""The ``scalinglaws`` command: a thin Typer skin over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import __version__
from ..validate.split import RULES_HELP
from . import common as c
from . import validate as v

app = typer.Typer(
    name="scalinglaws",
    help="Fit, check and act on neural scaling laws.\n\n"
    "Examples:\n\n"
    "  scalinglaws demo\n\n"
    "  scalinglaws fit runs.csv --law chinchilla --out fit.json\n\n"
    "  scalinglaws predict fit.json --at params=7e10 tokens=1.4e12 --interval 0.9\n\n"
    "  scalinglaws backtest runs.csv --law chinchilla --train 'flops<1e21'\n\n"
    "  scalinglaws plan fit.json --flops 5.76e23",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of errors.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")]
FitArg = Annotated[Path, typer.Argument(metavar="FIT", help="A fit JSON file.")]
EXTRA = {"allow_extra_args": True, "ignore_unknown_options": False}


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
                               "citation": law.citation, "description": law.description}
                              for law in entries]})
        return
    table = Table(title="scalinglaws catalog")
    for col in ("name", "formula", "inputs", "source"):
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
    y: c.YOpt = "loss",
    loss: c.LossOpt = "huber",
    delta: c.DeltaOpt = 1e-3,
    starts: Annotated[str, typer.Option(help="auto | grid")] = "auto",
    exclude: c.ExcludeOpt = None,
    bootstrap: Annotated[int | None, typer.Option(
        "--bootstrap", metavar="N",
        help="Refit on N resamples and give percentile intervals, e.g. 200.")] = None,
    by: Annotated[str | None, typer.Option(
        "--by", help="Resample whole clusters of this column (run, seed, family...), "
        "not points.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap's resampling.")] = 0,
    level: Annotated[float | None, typer.Option(
        help="Level of the --bootstrap intervals (default 0.95).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the fit as JSON.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report.")] = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Fit a law to the runs in DATA.

    Examples: scalinglaws fit runs.csv --law chinchilla --out fit.json;
    scalinglaws fit runs.csv --law "E + A*C**(-alpha)" --col C=flops;
    scalinglaws fit runs.csv --law chinchilla --bootstrap 200 --by run --out fit.json
    """
    from ..fit.engine import fit as run_fit

    _no_extra(ctx)
    bs = None
    with c.handled(debug, quiet or json_) as warned:
        mapping = c.parse_pairs(col or [], "--col")
        boot = v.BootstrapOptions.checked(bootstrap, by, seed, level)
        ds = c.load_data(data, exclude=exclude)
        if boot:
            boot.check_data(ds)
        result = run_fit(law, ds, x=x, y=y, columns=mapping, loss=loss, delta=delta,
                         starts=starts)
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
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Predict the target from a saved fit, optionally with an interval.

    Examples: scalinglaws predict fit.json --at params=7e10 tokens=1.4e12;
    scalinglaws predict fit.json --at params=7e10 tokens=1.4e12 --interval 0.9 --observation
    """
    from ..data.fitfile import load_fit

    items = list(at or []) + _extra_pairs(ctx)
    if not items:
        c.fail("predict needs inputs — e.g. --at params=7e10 tokens=1.4e12")
    pairs = c.parse_pairs(items, "--at")
    inputs = {k: c.parse_numbers(v, f"--at {k}") for k, v in pairs.items()}
    level = 0.9 if observation and interval is None else interval
    with c.handled(debug, json_):
        result = load_fit(fit_file)
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
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap's resampling.")] = 0,
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
    _no_extra(ctx)
    with c.handled(debug, quiet or json_):
        bt = v.run_backtest(data, law, train, columns=c.parse_pairs(col or [], "--col"),
                            exclude=exclude, x=x, y=y, level=level, n_boot=n_boot, seed=seed,
                            order=order, loss=loss, delta=delta)
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
        "--laws", help="Candidate laws, comma-separated (default: the catalog laws whose "
        "inputs the data have).")] = None,
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
    _no_extra(ctx)
    with c.handled(debug, quiet or json_):
        sel = v.run_select(data, laws or [], holdout, columns=c.parse_pairs(col or [], "--col"),
                           exclude=exclude, x=x, y=y, level=level, order=order)
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
        "--loss", help="Target loss: the FLOPs needed to reach it.")] = None,
    flops_factor: Annotated[float, typer.Option(help="k in C = k·N·D.")] = 6.0,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Compute-optimal model size and tokens for a budget, or the budget to reach a loss.

    Examples: scalinglaws plan fit.json --flops 5.76e23; scalinglaws plan fit.json --loss 2.0
    """
    from ..data.fitfile import load_fit
    from ..plan import compute_optimal, flops_to_reach

    budgets = [v for item in (flops or []) for v in c.parse_numbers(item, "--flops")]
    budgets += [v for item in _extra_numbers(ctx) for v in c.parse_numbers(item, "--flops")]
    if not budgets and loss is None:
        c.fail("plan needs --flops BUDGET or --loss TARGET — e.g. --flops 5.76e23")
    if any(b <= 0 for b in budgets) or (loss is not None and loss <= 0):
        c.fail("--flops and --loss must be positive — e.g. --flops 5.76e23")
    with c.handled(debug, quiet or json_):
        result = load_fit(fit_file)
        if loss is not None:
            alloc = flops_to_reach(result, loss, flops_factor=flops_factor)
        else:
            alloc = compute_optimal(result, budgets, flops_factor=flops_factor)
    if json_:
        doc = alloc.to_dict()
        if loss is not None:
            doc["target_loss"] = loss
        c.emit_json(doc)
        return
    table = Table(title=f"compute-optimal allocation ({result.law.name}, {alloc.method})")
    for col in ("FLOPs", "params N", "tokens D", "tokens/param", f"predicted {result.target}"):
        table.add_column(col, justify="right")
    for r in alloc.records():
        table.add_row(f"{r['flops']:.3g}", f"{r['params']:.3g}", f"{r['tokens']:.3g}",
                      f"{r['tokens'] / r['params']:.1f}", f"{r['loss']:.4f}")
    c.out.print(table)
    for w in alloc.warnings:
        if not quiet:
            c.err.print(f"[yellow]warning:[/] {c.escape(w)}")


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


def _no_extra(ctx: typer.Context) -> None:
    if ctx.args:
        c.fail(f"unexpected argument(s): {' '.join(map(c.escape, ctx.args))} — "
               f"see scalinglaws {ctx.info_name} --help")


def _command_line(ctx: typer.Context) -> str:
    import shlex
    import sys

    return "scalinglaws " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def main() -> None:
    """Entry point of the ``scalinglaws`` script."""
    app()
