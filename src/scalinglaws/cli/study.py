"""``scalinglaws study DATA`` (an estimation-design study: the law fitted on a grid of subsets
of a sweep, each scored on the target runs it never saw) and ``scalinglaws suggest FIT`` (the
next runs that most narrow the fit's forecast at a target, within a budget).

``study --json`` prints ``{"law", "target", "size", "borrowed", "total_cost", "fits": [...],
"predictions": [...]}``; ``suggest --json`` prints ``{"law", "target", "level",
"budget_flops", "spent_flops", "width_before", "width_after", "shrink", "runs": [...]}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from . import common as c
from .progress import progress_bar

TargetRuleOpt = Annotated[str, typer.Option(
    "--target", help="The runs to forecast, never fitted: COLUMN==max, COLUMN==min or a "
    "comparison such as params>=2e8 (join with &).")]
MaxSizesOpt = Annotated[str | None, typer.Option(
    "--max-sizes", metavar="N1,N2,...", help="Largest model sizes to try (default: every "
    "size with at least two below it).")]
FractionsOpt = Annotated[str | None, typer.Option(
    "--fractions", metavar="F1,F2,...", help="Fractions of training seen (default 0.25, "
    "0.5, 0.75, 1; 1 alone for final points).")]
NModelsOpt = Annotated[str | None, typer.Option(
    "--n-models", metavar="K1,K2,...", help="Numbers of model sizes used (default: all up "
    "to the largest).")]
SeedsOpt = Annotated[int, typer.Option(
    "--seeds", help="Draws per cell: seed 0 takes the largest sizes, the others draw the "
    "smaller ones at random.")]
SkipOpt = Annotated[float, typer.Option(
    "--skip-early", help="Fraction of each run's training left out of every fit.")]
BorrowOpt = Annotated[str | None, typer.Option(
    "--borrow", metavar="P1,P2", help="Parameters to hold at the values of --borrow-from "
    "(every cell is then fitted both ways).")]
BorrowFromOpt = Annotated[Path | None, typer.Option(
    "--borrow-from", metavar="FIT", help="A fit JSON file of the same law on another family.")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", help="Local worker processes (default: the cores), or the workers of the "
    "local Dask cluster with --dask.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS", help="A Dask scheduler (tcp://HOST:8786) to run the "
    "fits on.")]
RunBestOfOpt = Annotated[str | None, typer.Option(
    "--best-of", metavar="COLUMN", help="Keep per --best-by group the RUN whose final COLUMN "
    "is lowest, with all its checkpoints: --best-of loss --best-by params,planned_tokens (the "
    "best learning rate of each size and budget).")]
FigureOpt = Annotated[Path | None, typer.Option(
    "--figure", help="Write the heat map of the errors (.png, .pdf or .svg).")]


def study_command(
    data: c.DataArg, law: c.LawOpt = "chinchilla", target: TargetRuleOpt = "params==max",
    max_sizes: MaxSizesOpt = None, fractions: FractionsOpt = None, n_models: NModelsOpt = None,
    seeds: SeedsOpt = 1, skip_early: SkipOpt = 0.1, where: c.WhereOpt = None,
    dropna: c.DropnaOpt = False, last_by: c.LastByOpt = None, best_of: RunBestOfOpt = None,
    best_by: c.BestByOpt = None, loss: c.FitLossOpt = None, borrow: BorrowOpt = None,
    borrow_from: BorrowFromOpt = None, workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None, figure: FigureOpt = None, json_: c.JsonOpt = False,
    debug: c.DebugOpt = False, quiet: c.QuietOpt = False,
) -> None:
    """How small may the models be and how much of training must be seen? Fit the law on a
    grid of subsets of the sweep in DATA (largest model, fraction of training, number of
    models) and score each fit's forecast of the --target runs' final losses.

    Examples: scalinglaws study sweep.csv --law chinchilla --target "params==max" --best-of
    loss --best-by params,planned_tokens --figure study.png;
    scalinglaws study sweep.csv --scheduler tcp://10.0.0.5:8786 --json
    """
    with c.handled(debug, quiet or json_):
        c.check_out(figure, "--figure", (".png", ".pdf", ".svg"), "figure")
        from ..fitting import load
        from ..study import estimation_design

        grid: dict[str, Any] = {}
        if max_sizes:
            grid["max_size"] = c.parse_numbers(max_sizes, "--max-sizes")
        if fractions:
            grid["fraction"] = c.parse_numbers(fractions, "--fractions")
        if n_models:
            grid["n_models"] = [_count(v) for v in c.parse_numbers(n_models, "--n-models")]
        ds = c.load_data(data, rows=c.Rows(where, dropna, last_by))
        source = load(borrow_from) if borrow_from is not None else None
        with progress_bar("fits", 0, not (quiet or json_)) as report:
            result = estimation_design(
                ds, law, target=target, grid=grid or None, seeds=seeds, skip_early=skip_early,
                best_of=best_of, best_by=_names(best_by), borrow=_names(borrow),
                borrow_from=source, fit_options={"loss": loss} if loss else None,
                backend="dask" if scheduler else "local", workers=workers, client=scheduler,
                progress=report)
        if figure is not None:
            from ..report.figures import estimation_design_figure, save_figure

            save_figure(estimation_design_figure(result), figure)
    if json_:
        c.emit_json(result.to_dict())
        return
    c.out.print(c.escape(str(result)), highlight=False)
    if figure is not None:
        c.written("heat map", figure)


def suggest_command(
    fit_file: c.FitArg,
    target_flops: Annotated[float | None, typer.Option(
        "--target-flops", help="The forecast that matters: the compute-optimal run at this "
        "budget.")] = None,
    at: Annotated[list[str] | None, typer.Option(
        "--at", metavar="COLUMN=VALUE", help="The forecast that matters, by input "
        "(--at params=7e10 --at tokens=1.4e12), instead of --target-flops.")] = None,
    budget: Annotated[float, typer.Option(
        "--budget", help="FLOPs the next runs may spend together.")] = 0.0,
    candidates: Annotated[str | None, typer.Option(
        "--candidates", metavar="FILE", help="Runs that could be trained (the law's input "
        "columns; default: a grid around the fitted sizes).")] = None,
    cost: Annotated[str | None, typer.Option(
        "--cost", help="The candidates' cost column (default: flops, else 6·N·D).")] = None,
    n_runs: Annotated[int | None, typer.Option("--n-runs", help="At most this many runs.")
                      ] = None,
    method: Annotated[str, typer.Option(
        "--method", help="linear (shrinkage of the linearised variance per FLOP) | simulate "
        "(each round priced by refits on simulated outcomes).")] = "linear",
    level: Annotated[float, typer.Option("--level", help="Level of the forecast's range.")
                     ] = 0.9,
    data: Annotated[str | None, typer.Option(
        "--data", help="The data the fit was made on, when its file does not carry them "
        "(with the row options it was fitted with).")] = None,
    where: c.WhereOpt = None, dropna: c.DropnaOpt = False, last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None, best_by: c.BestByOpt = None,
    seed: c.SeedOpt = 0,
    json_: c.JsonOpt = False, debug: c.DebugOpt = False, quiet: c.QuietOpt = False,
) -> None:
    """The next runs to train: those that most narrow the forecast of FIT at the target per
    FLOP, within --budget.

    Examples: scalinglaws suggest fit.json --target-flops 1e23 --budget 1e20;
    scalinglaws suggest fit.json --at params=7e10 --at tokens=1.4e12 --budget 1e21 --json
    """
    with c.handled(debug, quiet or json_):
        from ..exceptions import OptionError
        from ..fitting import FitResult, load
        from ..study import suggest_runs

        if (target_flops is None) == (not at):
            raise OptionError("give the target either by --target-flops or by --at",
                              "options --target-flops, --at",
                              "e.g. --target-flops 1e23, or --at params=7e10 --at tokens=1.4e12")
        if budget <= 0:
            raise OptionError(f"--budget must be positive FLOPs, not {budget:g}",
                              "option --budget", "e.g. --budget 1e20")
        fit = load(fit_file)
        if not isinstance(fit, FitResult):
            raise OptionError("suggest takes a single fit, not a joint one", "argument FIT",
                              "fit the family alone")
        target = ({"flops": target_flops} if target_flops is not None else
                  {k: _number(v, "--at") for k, v in c.parse_pairs(at or [], "--at").items()})
        frame = c.load_data(candidates).to_frame() if candidates is not None else None
        result = suggest_runs(fit, target, budget_flops=budget, candidates=frame, cost=cost,
                              n_runs=n_runs, method=method, level=level, seed=seed,
                              data=c.load_data(data, rows=c.Rows(
                                  where, dropna, last_by, best_of, best_by))
                              if data is not None else None)
    if json_:
        c.emit_json(result.to_dict())
        return
    c.out.print(c.escape(str(result)), highlight=False)


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [n.strip() for n in text.split(",") if n.strip()]


def _count(value: float) -> int:
    if value != int(value) or value < 1:
        c.fail(f"--n-models takes positive whole numbers, got {value:g} — e.g. --n-models 3,4")
    return int(value)


def _number(text: str, option: str) -> float:
    return c.parse_numbers(text, option)[0]
