"""``scalinglaws plan`` (compute-optimal, inverse and inference-aware queries on a saved fit),
``compare`` (two setups) and ``isoflop`` (Hoffmann et al.'s Approach 2 on the runs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import common as c

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..fitting import FitResult, SharedFit
    from ..plan import Allocation, InferenceAllocation, Requirement


# -- plan -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanQuery:
    """What ``plan FIT`` asks, checked: budgets or a target loss, and what is held fixed."""

    flops: tuple[float, ...]
    loss: float | None
    params: float | None
    tokens: float | None
    inference_tokens: float | None
    flops_factor: float
    inference_factor: float
    level: float = 0.9

    @classmethod
    def checked(cls, flops: list[float], loss: float | None, params: float | None,
                tokens: float | None, inference_tokens: float | None, flops_factor: float,
                inference_factor: float, level: float = 0.9) -> PlanQuery:
        """The query, or exit 2 with a message on a combination of options that means nothing
        (value ranges the library checks itself, with its own messages)."""
        if not flops and loss is None:
            c.fail("plan needs --flops BUDGET or --loss TARGET — e.g. --flops 5.76e23, or "
                   "--loss 2.0 [--params 7e9 | --tokens 2e12]")
        if flops and loss is not None:
            c.fail("give --flops (the plan for a budget) or --loss (what reaching a loss "
                   "takes), not both")
        if any(not 0 < b < float("inf") for b in flops) or (
                loss is not None and not 0 < loss < float("inf")):
            c.fail("--flops and --loss must be positive and finite — e.g. --flops 5.76e23")
        if params is not None and tokens is not None:
            c.fail("give --params (the tokens a model of that size needs) or --tokens (the "
                   "parameters needed on that many tokens), not both")
        held = "--params" if params is not None else "--tokens" if tokens is not None else None
        if held and loss is None:
            c.fail(f"{held} goes with --loss — e.g. --loss 2.0 {held} "
                   f"{'7e9' if held == '--params' else '2e12'}")
        if held and inference_tokens is not None:
            c.fail(f"--inference-tokens chooses the model size itself; drop {held}")
        for name, value in (("--params", params), ("--tokens", tokens)):
            if value is not None and not 0 < value < float("inf"):
                c.fail(f"{name} must be positive and finite — e.g. {name} "
                       f"{'7e9' if name == '--params' else '2e12'}")
        if not 0 < level < 1:
            c.fail(f"--level must lie strictly between 0 and 1, got {level:g} — e.g. "
                   "--level 0.9")
        return cls(tuple(flops), loss, params, tokens, inference_tokens, flops_factor,
                   inference_factor, level)


@dataclass(frozen=True)
class PlanAnswer:
    """The JSON document (an object, or a list with one object per budget), the table and the
    warnings of a ``plan`` query."""

    doc: Any
    table: RenderableType
    warnings: tuple[str, ...]


def plan_command(
    ctx: typer.Context,
    fit_file: c.FitArg,
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
    level: Annotated[float, typer.Option(
        "--level", help="Level of the intervals shown (and in --json): the bootstrap's "
        "percentiles of N, D and the loss when the fit carries a bootstrap, the calibrated "
        "interval of the loss when it is calibrated.")] = 0.9,
    group: Annotated[str | None, typer.Option(
        "--group", help="For a joint fit across groups: the group to plan for (default: "
        "every group, a row each).")] = None,
    config: Annotated[bool, typer.Option(
        "--config", help="With --flops: a concrete transformer shape (layers, d_model, "
        "heads, d_ff) for each compute-optimal size.")] = False,
    vocab: Annotated[int, typer.Option(
        "--vocab", help="With --config: the vocabulary size.")] = 32000,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Compute-optimal model size and tokens for a budget, or what reaching a loss takes.

    Examples: scalinglaws plan fit.json --flops 5.76e23; scalinglaws plan fit.json --loss 2.0
    --params 7e9; scalinglaws plan fit.json --flops 1e23 --inference-tokens 1e13
    """
    budgets = [v for item in (flops or []) for v in c.parse_numbers(item, "--flops")]
    budgets += [v for item in extra_numbers(ctx) for v in c.parse_numbers(item, "--flops")]
    query = PlanQuery.checked(budgets, loss, params, tokens, inference_tokens, flops_factor,
                              inference_factor, level)
    if config and (not budgets or loss is not None or inference_tokens is not None):
        c.fail("--config goes with --flops (a compute-optimal plan) — e.g. plan fit.json "
               "--flops 1e23 --config")
    with c.handled(debug, quiet or json_):
        from ..fitting import load
        from .hyper import law_fit

        answer = run_plan(law_fit(load(fit_file, group), "plan"), query)
        shapes = with_configs(answer, vocab) if config else []
    if json_:
        c.emit_json(answer.doc)
        return
    c.out.print(answer.table)
    for shape in shapes:
        c.out.print(c.escape(str(shape)), highlight=False)
    c.print_warnings(answer.warnings, quiet)


def with_configs(answer: PlanAnswer, vocab: int) -> list[Any]:
    """Add to each planned budget (an object of the document) the best transformer shape for
    its compute-optimal size under ``config``; return the shapes' tables."""
    from ..plan.configure import Constraints, configure

    docs = answer.doc if isinstance(answer.doc, list) else [answer.doc]
    shapes = []
    for doc in docs:
        found = configure(float(doc["params"]), constraints=Constraints(vocab=vocab))
        doc["config"] = found.best.to_dict()
        shapes.append(found)
    return shapes


def run_plan(fit: FitResult | SharedFit, q: PlanQuery) -> PlanAnswer:
    """Answer the query with the library: compute-optimal (``--flops``), flops to reach
    (``--loss``), tokens or params to reach (``--loss`` with ``--params`` or ``--tokens``), or
    the inference-aware plan (``--inference-tokens``). A joint fit is answered for each of its
    groups: its document is a list of objects, each with its ``group``."""
    from rich.console import Group

    from ..fitting import SharedFit
    from . import plan_tables as t

    fits: dict[str | None, FitResult] = {None: fit} if not isinstance(fit, SharedFit) else {}
    if isinstance(fit, SharedFit):
        fits.update(fit.per_group())
    by = fit.by if isinstance(fit, SharedFit) else None
    one = next(iter(fits.values()))
    if q.inference_tokens is not None:
        answers = {g: _inference_plan(f, q, g) for g, f in fits.items()}
        return PlanAnswer(_grouped({g: a.doc for g, a in answers.items()}),
                          Group(*(a.table for a in answers.values())),
                          _warnings(a.warnings for a in answers.values()))
    if q.loss is not None and (q.params is not None or q.tokens is not None):
        reqs = {g: _requirement(f, q) for g, f in fits.items()}
        return PlanAnswer(_grouped({g: {**r.to_dict(), "target_loss": q.loss}
                                    for g, r in reqs.items()}),
                          t.requirement_table(one, reqs, q.loss, by),
                          _warnings(r.warnings for r in reqs.values()))
    if q.loss is not None:
        allocs = {g: flops_to_reach_at(f, q) for g, f in fits.items()}
        return PlanAnswer(_grouped({g: {**a.to_dict(), "target_loss": q.loss}
                                    for g, a in allocs.items()}),
                          t.allocation_table(one, allocs, by),
                          _warnings(a.warnings for a in allocs.values()))
    docs = {g: _one_or_list([compute_optimal_at(f, [b], q).to_dict() for b in q.flops])
            for g, f in fits.items()}
    allocs = {g: compute_optimal_at(f, list(q.flops), q) for g, f in fits.items()}
    return PlanAnswer(_grouped(docs), t.allocation_table(one, allocs, by),
                      _warnings(a.warnings for a in allocs.values()))


def compute_optimal_at(fit: FitResult, flops: list[float], q: PlanQuery) -> Allocation:
    from ..plan import compute_optimal

    return compute_optimal(fit, flops, flops_factor=q.flops_factor, level=q.level)


def flops_to_reach_at(fit: FitResult, q: PlanQuery) -> Allocation:
    from ..plan import flops_to_reach

    return flops_to_reach(fit, q.loss, flops_factor=q.flops_factor, level=q.level)


def _requirement(fit: FitResult, q: PlanQuery) -> Requirement:
    from ..plan import params_to_reach, tokens_to_reach

    if q.params is not None:
        return tokens_to_reach(fit, q.loss, params=q.params, flops_factor=q.flops_factor)
    return params_to_reach(fit, q.loss, tokens=q.tokens, flops_factor=q.flops_factor)


def _grouped(docs: dict[str | None, Any]) -> Any:
    """A plain fit's document as it is; a joint fit's, a list of its groups' objects (each
    budget's, for several budgets), each with its ``group``."""
    if list(docs) == [None]:
        return docs[None]
    return [{"group": g, **d} for g, doc in docs.items()
            for d in (doc if isinstance(doc, list) else [doc])]


def _warnings(groups: Any) -> tuple[str, ...]:
    """The groups' warnings, each once."""
    return tuple(dict.fromkeys(w for ws in groups for w in ws))


def _inference_plan(fit: FitResult, q: PlanQuery, label: str | None = None) -> PlanAnswer:
    """``--inference-tokens``: the least training + inference compute for the loss of each
    budget (or for ``--loss``), beside the Chinchilla-optimal plan."""
    from ..plan import inference_optimal
    from .plan_tables import inference_table

    served = q.inference_tokens
    assert served is not None

    def infer(**target: Any) -> InferenceAllocation:
        return inference_optimal(fit, inference_tokens=served,
                                 flops_factor=q.flops_factor,
                                 inference_factor=q.inference_factor, **target)

    if q.loss is not None:
        plan = infer(loss=q.loss)
        return PlanAnswer({**plan.to_dict(), "target_loss": q.loss},
                          inference_table(fit, plan, label=label), plan.warnings)
    plans = [infer(flops=b) for b in q.flops]
    docs = [{**p.to_dict(), "flops": b} for p, b in zip(plans, q.flops, strict=True)]
    whole = infer(flops=list(q.flops)) if len(plans) > 1 else plans[0]
    return PlanAnswer(_one_or_list(docs), inference_table(fit, whole, q.flops, label),
                      whole.warnings)


def _one_or_list(docs: list[dict[str, Any]]) -> Any:
    """One budget: its object; several: a list of objects, one per budget."""
    return docs[0] if len(docs) == 1 else docs


def extra_numbers(ctx: typer.Context) -> list[str]:
    """Extra budgets (``--flops 1e22 1e23``); anything that is not a number is refused."""
    for a in ctx.args:
        try:
            float(a.split(",")[0])
        except ValueError:
            c.fail(f"unexpected argument '{c.escape(a)}' — budgets are numbers like 1e23")
    return list(ctx.args)


# -- compare --------------------------------------------------------------------------------------
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
    where: c.WhereOpt = None,
    dropna: c.DropnaOpt = False,
    last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None,
    best_by: c.BestByOpt = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """How many times more compute B needs to match A's loss, where the two cross, how sure
    that is, and whether the verdict survives other fitting choices.

    Example: scalinglaws compare runs_a.csv runs_b.csv --law chinchilla --json
    """
    col = c.more_cols(ctx, col)
    with c.handled(debug, quiet or json_):
        from ..plan import compare_data

        columns = c.parse_pairs(col or [], "--col")
        rows = c.Rows(where, dropna, last_by, best_of, best_by)
        ds_a, ds_b = (c.load_data(d, columns=columns, exclude=exclude, rows=rows,
                                  reads=columns.values()) for d in (data_a, data_b))
        cmp = compare_data(ds_a, ds_b, law, budget=budget, n_boot=n_boot, seed=seed)
    if json_:
        c.emit_json(cmp.to_dict())
    else:
        from .plan_tables import compare_table

        c.out.print(compare_table(cmp))
        c.print_warnings(cmp.warnings, quiet)


# -- isoflop --------------------------------------------------------------------------------------
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
    where: c.WhereOpt = None,
    dropna: c.DropnaOpt = False,
    last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None,
    best_by: c.BestByOpt = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Compute-optimal exponents N_opt ∝ C^a, D_opt ∝ C^b from IsoFLOP profiles: a parabola
    per budget, power laws through their minima. This is Approach 2 of Hoffmann et al. (2022).

    Examples: scalinglaws isoflop runs.csv; scalinglaws isoflop chinchilla --budgets log
    --n-boot 200 --json
    """
    col = c.more_cols(ctx, col)
    with c.handled(debug, quiet or json_):
        from ..plan import isoflop

        rule = parse_budget_rule(budgets)
        ds = c.load_data(data, columns=c.parse_pairs(col or [], "--col"), exclude=exclude,
                         rows=c.Rows(where, dropna, last_by, best_of, best_by), reads=[x])
        iso = isoflop(ds, budgets=rule, x=x, level=level, n_boot=n_boot, seed=seed,
                      min_sizes=min_sizes, window=window, estimator=estimator)
    if json_:
        c.emit_json(iso.to_dict())
    else:
        from .plan_tables import isoflop_table

        c.out.print(isoflop_table(iso))


def parse_budget_rule(text: str) -> Any:
    """``--budgets``: ``exact``, ``log``, a number of log bins (``8``) or bin edges in FLOPs
    (``3e18,3e19,3e20``); unknown words go to the library, which names the rules."""
    t = text.strip()
    try:
        return int(t)
    except ValueError:
        pass
    if "," in t:
        return c.parse_numbers(t, "--budgets")
    try:
        return [float(t)]  # one edge: the library says it needs at least two
    except ValueError:
        return t
