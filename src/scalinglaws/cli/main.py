"""The ``scalinglaws`` command: a thin Typer skin over the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .. import __version__
from ..exceptions import LawError
from . import common as c

app = typer.Typer(
    name="scalinglaws",
    help="Fit, check and act on neural scaling laws.\n\n"
    "Examples:\n\n"
    "  scalinglaws demo\n\n"
    "  scalinglaws fit runs.csv --law chinchilla --out fit.json\n\n"
    "  scalinglaws predict fit.json --at params=7e10 tokens=1.4e12\n\n"
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
    data: Annotated[str, typer.Argument(help="CSV/Parquet/JSONL file, or a bundled dataset.")],
    law: Annotated[str, typer.Option("--law", help="Catalog name or expression.")],
    col: Annotated[list[str] | None, typer.Option(
        "--col", help="Map a symbol or role to a column: --col N=n_params.")] = None,
    x: Annotated[str | None, typer.Option("--x", help="Input column of a one-input law.")] = None,
    y: Annotated[str, typer.Option("--y", help="Target column.")] = "loss",
    loss: Annotated[str, typer.Option(help="huber | mse_log | mse")] = "huber",
    delta: Annotated[float, typer.Option(help="Huber threshold on log residuals.")] = 1e-3,
    starts: Annotated[str, typer.Option(help="auto | grid")] = "auto",
    exclude: Annotated[str | None, typer.Option(
        help="Drop rows where this true/false column is true.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the fit as JSON.")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report.")] = None,
    json_: JsonOpt = False,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Fit a law to the runs in DATA.

    Examples: scalinglaws fit runs.csv --law chinchilla --out fit.json;
    scalinglaws fit runs.csv --law "E + A*C**(-alpha)" --col C=flops
    """
    from ..fit.engine import fit as run_fit

    _no_extra(ctx)
    with c.handled(debug, quiet or json_) as warned:
        mapping = c.parse_pairs(col or [], "--col")
        ds = c.load_data(data, exclude=exclude)
        result = run_fit(law, ds, x=x, y=y, columns=mapping, loss=loss, delta=delta,
                         starts=starts)
        if out:
            result.save(out)
        if report:
            from ..report import html

            html([result], report, data=[ds], command=_command_line(ctx))
    failed = result.status.value in ("failed", "max_iter")
    if json_:
        doc = {"law": result.law.name, "formula": result.law.formula,
               "params": result.params, "stderr": result.stderr,
               "status": result.status.value, "n_points": result.n_points,
               "objective": result.objective, "loss": result.loss,
               "warnings": list(result.warnings) or warned}
        if out:
            doc["out"] = str(out)
        c.emit_json(doc)
    else:
        c.out.print(result.summary().rich())
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
    json_: JsonOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Predict the target from a saved fit.

    Example: scalinglaws predict fit.json --at params=7e10 tokens=1.4e12
    """
    from ..data.fitfile import load_fit

    items = list(at or []) + _extra_pairs(ctx)
    if not items:
        c.fail("predict needs inputs — e.g. --at params=7e10 tokens=1.4e12")
    pairs = c.parse_pairs(items, "--at")
    inputs = {k: c.parse_numbers(v, f"--at {k}") for k, v in pairs.items()}
    with c.handled(debug, json_):
        result = load_fit(fit_file)
        values: dict[str, Any] = {k: (v[0] if len(v) == 1 else v) for k, v in inputs.items()}
        try:
            pred = result.predict(**values)
        except ValueError as exc:  # shapes that do not broadcast
            raise LawError(f"the --at lists do not line up ({exc})", "--at",
                           "give lists of equal length, or single values") from None
    pred_out = pred if isinstance(pred, float) else [float(v) for v in pred]
    if json_:
        c.emit_json({"prediction": pred_out, "at": values, "law": result.law.name,
                     "target": result.target})
        return
    table = Table(title=f"{result.law.name}: predicted {result.target}")
    for k in values:
        table.add_column(k, justify="right")
    table.add_column(result.target, justify="right")
    preds = [pred_out] if isinstance(pred_out, float) else pred_out
    n = len(preds)
    for i in range(n):
        row = [c.fmt(v if isinstance(v, float) else v[i if len(v) > 1 else 0])
               for v in values.values()]
        table.add_row(*row, f"{preds[i]:.5g}")
    c.out.print(table)


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
               "see scalinglaws fit --help")


def _command_line(ctx: typer.Context) -> str:
    import shlex
    import sys

    return "scalinglaws " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def main() -> None:
    """Entry point of the ``scalinglaws`` script."""
    app()
