"""``scalinglaws observational SCORES``: an observational scaling law (capability space,
family efficiency, sigmoid link) fitted to a table of public models, and its backtest on the
largest of them.

``--json`` prints ``{"n_models", "benchmarks", "target", "n_components",
"explained_variance", "mean_abs_error", "baseline_mean_abs_error", ...}`` (the errors null
without ``--holdout-largest``).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from . import common as c

ScoresArg = Annotated[str, typer.Argument(
    metavar="SCORES", help="A table of models' benchmark scores (fractions in [0, 1]): a file "
    "or a dataset name (observational).")]
TargetOpt = Annotated[str | None, typer.Option(
    "--target", help="The metric column to link to the capabilities (e.g. GSM8K); left out "
    "of the benchmarks.")]
HoldoutOpt = Annotated[int, typer.Option(
    "--holdout-largest", metavar="N", help="Backtest: hold out the N models of largest "
    "compute, refit on the others, forecast their target (0: no backtest).")]
KOpt = Annotated[int | None, typer.Option(
    "--k", help="Principal components kept (default: the fewest explaining --variance).")]
VarianceOpt = Annotated[float, typer.Option(
    "--variance", help="Share of variance the chosen components reach when --k is not given.")]
BenchOpt = Annotated[str | None, typer.Option(
    "--benchmarks", metavar="A,B,...", help="The benchmark columns (default: the paper's "
    "eight that the table has).")]
FloorOpt = Annotated[float | None, typer.Option(
    "--floor", help="The target's chance level (default: fitted within [0, 0.2]).")]
ViaOpt = Annotated[str, typer.Option(
    "--via", help="Backtest forecasts from the held-out models' scores, or from their "
    "family's efficiency: scores | family.")]
ComputeOpt = Annotated[str, typer.Option(
    "--compute", help="The column of training compute, in units of --compute-scale FLOPs.")]
ScaleOpt = Annotated[float, typer.Option("--compute-scale", help="FLOPs per unit of --compute.")]
FamilyOpt = Annotated[str, typer.Option("--family", help="The column of model families.")]
StandardizeOpt = Annotated[bool, typer.Option(
    "--standardize", help="Scale each benchmark to unit variance before the PCA.")]


def observational_command(
    scores: ScoresArg, target: TargetOpt = None, holdout_largest: HoldoutOpt = 0,
    k: KOpt = None, variance: VarianceOpt = 0.95, benchmarks: BenchOpt = None,
    floor: FloorOpt = None, via: ViaOpt = "scores", compute: ComputeOpt = "FLOPs (1E21)",
    compute_scale: ScaleOpt = 1e21, family: FamilyOpt = "Model Family",
    standardize: StandardizeOpt = False, json_: c.JsonOpt = False, debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Fit an observational scaling law to public models' benchmark scores: the principal
    components of the scores, each family's efficiency, and a sigmoid from the components to
    --target; with --holdout-largest, its backtest beside a compute-only
    sigmoid. The method is that of Ruan et al. (2024).

    Example: scalinglaws observational observational --target GSM8K --holdout-largest 5
    """
    with c.handled(debug, quiet or json_):
        from ..exceptions import OptionError
        from ..observational import fit

        if holdout_largest and target is None:
            raise OptionError("a backtest forecasts a target", "option --holdout-largest",
                              "give --target (e.g. --target GSM8K)")
        if holdout_largest < 0:
            raise OptionError(f"--holdout-largest must be >= 0, got {holdout_largest}",
                              "option --holdout-largest")
        data = c.load_data(scores).to_frame()
        names = ([b.strip() for b in benchmarks.split(",") if b.strip()]
                 if benchmarks is not None else None)
        result = fit(data, benchmarks=names, compute=compute, family=family,
                     compute_scale=compute_scale, k=k, target=target, floor=floor,
                     variance=variance, standardize=standardize)
        bt = result.backtest(holdout_largest, via=via) if holdout_largest else None
    doc = _document(result, bt)
    if json_:
        c.emit_json(doc)
        return
    c.out.print(str(result), markup=False, highlight=False)
    if bt is not None:
        c.out.print("")
        c.out.print(str(bt), markup=False, highlight=False)


def _document(result: Any, bt: Any) -> dict[str, Any]:
    whole = result.to_dict()
    doc = {key: whole[key] for key in (
        "n_models", "benchmarks", "target", "n_components", "explained_variance",
        "explained_variance_all", "n_imputed", "loadings", "link", "baseline", "unfitted")}
    doc["mean_abs_error"] = bt.mean_abs_error if bt is not None else None
    doc["baseline_mean_abs_error"] = bt.baseline_mean_abs_error if bt is not None else None
    doc["backtest"] = bt.to_dict() if bt is not None else None
    return doc
