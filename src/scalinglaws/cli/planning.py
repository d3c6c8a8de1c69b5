"""The planning commands that read runs directly: ``compare`` and ``isoflop``."""

from __future__ import annotations

from typing import Annotated

import typer

from . import common as c
from . import plan as p


def compare_command(
    ctx: typer.Context,
    data_a: Annotated[str, typer.Argument(metavar="DATA_A", help="Runs of setup A.")],
    data_b: Annotated[str, typer.Argument(metavar="DATA_B", help="Runs of setup B.")],
    law: Annotated[str, typer.Option("--law", help="The law fitted to both.")] = "chinchilla",
    budget: Annotated[float | None, typer.Option(
        "--budget", help="FLOPs at which to give the verdict (default: the largest run).")
    ] = None,
    n_boot: Annotated[int, typer.Option(
        "--n-boot", help="Bootstrap resamples per setup for P(A better) (0: none).")] = 200,
    seed: c.SeedOpt = 0,
    col: c.ColOpt = None,
    exclude: c.ExcludeOpt = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """How many times more compute B needs to match A's loss, where the two cross, how sure
    that is, and whether the verdict survives other fitting choices.

    Example: scalinglaws compare runs_a.csv runs_b.csv --law chinchilla --json
    """
    c.no_extra(ctx)
    with c.handled(debug, quiet or json_):
        cmp = p.run_compare(data_a, data_b, law, columns=c.parse_pairs(col or [], "--col"),
                            exclude=exclude, budget=budget, n_boot=n_boot, seed=seed)
    if json_:
        c.emit_json(cmp.to_dict())
    else:
        c.out.print(p.compare_table(cmp))
        p.print_warnings(cmp.warnings, quiet)


def isoflop_command(
    ctx: typer.Context,
    data: c.DataArg,
    budgets: Annotated[str, typer.Option(
        "--budgets", help="How runs group into budgets: exact (equal FLOPs), log (bins of 0.1 "
        "decade), N (N equal log bins) or bin edges 3e18,3e19,3e20.")] = "exact",
    x: Annotated[str, typer.Option("--x", help="Model-size column whose optimum is sought.")
                 ] = "params",
    level: Annotated[float, typer.Option(help="Level of the bootstrap intervals.")] = 0.95,
    n_boot: Annotated[int, typer.Option(
        "--n-boot", help="Bootstrap resamples of the runs within each budget (0: none).")
    ] = 1000,
    seed: c.SeedOpt = 0,
    window: Annotated[int | None, typer.Option(
        "--window", metavar="K", help="Fit each parabola to the K sizes nearest the lowest "
        "loss (default: all sizes).")] = None,
    min_sizes: Annotated[int, typer.Option(
        "--min-sizes", help="Skip budgets with fewer distinct sizes.")] = 3,
    estimator: Annotated[str, typer.Option(
        "--estimator", help="Each budget's optimum: parabola (Hoffmann et al.) or akima (the "
        "minimum of an Akima spline through ln loss, Porian et al. 2024).")] = "parabola",
    col: c.ColOpt = None,
    exclude: c.ExcludeOpt = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Compute-optimal exponents N_opt ∝ C^a, D_opt ∝ C^b from IsoFLOP profiles (Hoffmann et
    al. 2022, Approach 2): a parabola per budget, power laws through their minima.

    Examples: scalinglaws isoflop runs.csv; scalinglaws isoflop chinchilla --budgets log
    --n-boot 200 --json
    """
    c.no_extra(ctx)
    with c.handled(debug, quiet or json_):
        iso = p.run_isoflop(data, budgets, columns=c.parse_pairs(col or [], "--col"),
                            exclude=exclude, x=x, level=level, n_boot=n_boot, seed=seed,
                            window=window, min_sizes=min_sizes, estimator=estimator)
    if json_:
        c.emit_json(iso.to_dict())
    else:
        c.out.print(p.isoflop_table(iso))
