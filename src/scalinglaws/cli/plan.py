"""Bodies of the planning commands: ``plan`` (compute-optimal, inverse and inference-aware
queries on a saved fit) and ``isoflop`` (Hoffmann et al.'s Approach 2 on the runs themselves).

The Typer signatures live in :mod:`.main`; here the options are checked, the library is
called, and its results are turned into JSON documents and Rich tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from . import common as c

if TYPE_CHECKING:
    from ..fitting.result import FitResult
    from ..plan import Allocation, InferenceAllocation, IsoFlop, Requirement


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

    @classmethod
    def checked(cls, flops: list[float], loss: float | None, params: float | None,
                tokens: float | None, inference_tokens: float | None, flops_factor: float,
                inference_factor: float) -> PlanQuery:
        """The query, or exit 2 with a message on a combination of options that means nothing
        (value ranges the library checks itself, with its own messages)."""
        if not flops and loss is None:
            c.fail("plan needs --flops BUDGET or --loss TARGET — e.g. --flops 5.76e23, or "
                   "--loss 2.0 [--params 7e9 | --tokens 2e12]")
        if flops and loss is not None:
            c.fail("give --flops (the plan for a budget) or --loss (what reaching a loss "
                   "takes), not both")
        if any(b <= 0 for b in flops) or (loss is not None and loss <= 0):
            c.fail("--flops and --loss must be positive — e.g. --flops 5.76e23")
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
            if value is not None and not value > 0:
                c.fail(f"{name} must be positive — e.g. {name} "
                       f"{'7e9' if name == '--params' else '2e12'}")
        return cls(tuple(flops), loss, params, tokens, inference_tokens, flops_factor,
                   inference_factor)


@dataclass(frozen=True)
class PlanAnswer:
    """The JSON document (an object, or a list with one object per budget), the table and the
    warnings of a ``plan`` query."""

    doc: Any
    table: RenderableType
    warnings: tuple[str, ...]


def run_plan(fit: FitResult, q: PlanQuery) -> PlanAnswer:
    """Answer the query with the library: compute-optimal (``--flops``), flops to reach
    (``--loss``), tokens or params to reach (``--loss`` with ``--params`` or ``--tokens``), or
    the inference-aware plan (``--inference-tokens``)."""
    from ..plan import (
        compute_optimal,
        flops_to_reach,
        inference_optimal,
        params_to_reach,
        tokens_to_reach,
    )

    k = q.flops_factor
    if q.inference_tokens is not None:
        served = q.inference_tokens

        def infer(**target: Any) -> InferenceAllocation:
            return inference_optimal(fit, inference_tokens=served, flops_factor=k,
                                     inference_factor=q.inference_factor, **target)

        if q.loss is not None:
            plan = infer(loss=q.loss)
            return PlanAnswer({**plan.to_dict(), "target_loss": q.loss},
                              inference_table(fit, plan), plan.warnings)
        plans = [infer(flops=b) for b in q.flops]
        docs = [{**p.to_dict(), "flops": b} for p, b in zip(plans, q.flops, strict=True)]
        whole = infer(flops=list(q.flops)) if len(plans) > 1 else plans[0]
        return PlanAnswer(_one_or_list(docs), inference_table(fit, whole, q.flops),
                          whole.warnings)
    if q.loss is not None:
        req: Requirement | None = None
        if q.params is not None:
            req = tokens_to_reach(fit, q.loss, params=q.params, flops_factor=k)
        elif q.tokens is not None:
            req = params_to_reach(fit, q.loss, tokens=q.tokens, flops_factor=k)
        if req is not None:
            return PlanAnswer({**req.to_dict(), "target_loss": q.loss},
                              requirement_table(fit, req, q.loss), req.warnings)
        alloc = flops_to_reach(fit, q.loss, flops_factor=k)
        return PlanAnswer({**alloc.to_dict(), "target_loss": q.loss},
                          allocation_table(fit, alloc), alloc.warnings)
    docs = [compute_optimal(fit, b, flops_factor=k).to_dict() for b in q.flops]
    alloc = compute_optimal(fit, list(q.flops), flops_factor=k)
    return PlanAnswer(_one_or_list(docs), allocation_table(fit, alloc), alloc.warnings)


def _one_or_list(docs: list[dict[str, Any]]) -> Any:
    """One budget: its object; several: a list of objects, one per budget."""
    return docs[0] if len(docs) == 1 else docs


def print_warnings(messages: tuple[str, ...] | list[str], quiet: bool) -> None:
    if quiet:
        return
    for w in messages:
        c.err.print(f"[yellow]warning:[/] {c.escape(w)}")


def allocation_table(fit: FitResult, alloc: Allocation) -> Table:
    table = Table(title=f"compute-optimal allocation ({fit.law.name}, {alloc.method})")
    for col in ("FLOPs", "params N", "tokens D", "tokens/param", f"predicted {fit.target}"):
        table.add_column(col, justify="right")
    for r in alloc.records():
        table.add_row(f"{r['flops']:.3g}", f"{r['params']:.3g}", f"{r['tokens']:.3g}",
                      f"{r['tokens'] / r['params']:.1f}", f"{r['loss']:.4f}")
    return table


def requirement_table(fit: FitResult, req: Requirement, loss: float) -> Table:
    held = "params" if req.solved_for == "tokens" else "tokens"
    value = float((req.params if held == "params" else req.tokens)[0])
    table = Table(title=Text(f"{req.solved_for} to reach {fit.target} {loss:g} with "
                             f"{held} = {value:.3g} ({fit.law.name})"))
    for col in ("params N", "tokens D", "tokens/param", "training FLOPs",
                f"predicted {fit.target}"):
        table.add_column(col, justify="right")
    for n, d, f, y in zip(req.params, req.tokens, req.flops, req.loss, strict=True):
        table.add_row(f"{n:.3g}", f"{d:.3g}", f"{d / n:.1f}", f"{f:.3g}", f"{y:.4f}")
    return table


def inference_table(fit: FitResult, plan: InferenceAllocation,
                    budgets: tuple[float, ...] | None = None) -> Group:
    """One table per target: the inference-aware plan beside the Chinchilla-optimal one."""
    tables = []
    for i, row in enumerate(plan.to_frame().to_dict(orient="records")):
        target = f"{fit.target} {row['loss']:.4f}"
        if budgets:
            target = f"C = {budgets[i]:.3g} (compute-optimal {target})"
        table = Table(
            title=Text(f"{target}, serving {plan.inference_tokens:.3g} tokens "
                       f"({fit.law.name})"),
            caption=Text(f"the inference-aware plan saves {row['savings']:.1%} of the "
                         f"total compute (training {plan.flops_factor:g}·N·D, inference "
                         f"{plan.inference_factor:g}·N per token; Sardana et al. 2023)"))
        table.add_column("")
        table.add_column("inference-aware", justify="right")
        table.add_column("Chinchilla-optimal", justify="right")
        n_c, d_c = row["chinchilla_params"], row["chinchilla_tokens"]
        train_c = plan.flops_factor * n_c * d_c
        total_c = row["chinchilla_total_flops"]
        for name, mine, chin in (
                ("params N", row["params"], n_c), ("tokens D", row["tokens"], d_c),
                ("tokens/param", row["tokens"] / row["params"], d_c / n_c),
                ("training FLOPs", row["training_flops"], train_c),
                ("inference FLOPs", row["inference_flops"], total_c - train_c),
                ("total FLOPs", row["total_flops"], total_c)):
            fmt = ".1f" if name == "tokens/param" else ".3g"
            table.add_row(name, f"{mine:{fmt}}", f"{chin:{fmt}}")
        tables.append(table)
    return Group(*tables)


# -- isoflop --------------------------------------------------------------------------------------
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


def run_isoflop(data: str, budgets: str, *, columns: dict[str, str], exclude: str | None,
                x: str, level: float, n_boot: int, seed: int | None, window: int | None,
                min_sizes: int, estimator: str = "parabola") -> IsoFlop:
    """Load the data as ``fit`` does and run the IsoFLOP analysis."""
    from ..plan import isoflop

    rule = parse_budget_rule(budgets)
    ds = c.load_data(data, columns=columns, exclude=exclude)
    return isoflop(ds, budgets=rule, x=x, level=level, n_boot=n_boot, seed=seed,
                   min_sizes=min_sizes, window=window, estimator=estimator)


def isoflop_table(iso: IsoFlop) -> Table:
    """One row per budget (used or skipped); the exponents and their intervals on top."""
    pct = f"{100 * iso.level:g}%"

    def ci(lo_hi: tuple[float, float]) -> str:
        lo, hi = lo_hi
        return f"[{lo:.3f}, {hi:.3f}]" if math.isfinite(lo) else "(no bootstrap)"

    n_used = int((iso.budgets["status"] == "used").sum())
    title = Text(
        f"IsoFLOP analysis (Hoffmann et al. 2022, Approach 2): {n_used} of "
        f"{len(iso.budgets)} budgets used\n"
        f"N_opt = {iso.k_N:.4g}·C^a   a = {iso.a:.4f}  {pct} {ci(iso.a_interval)}\n"
        f"D_opt = {iso.k_D:.4g}·C^b   b = {iso.b:.4f}  {pct} {ci(iso.b_interval)}")
    shape = ("Akima spline of ln loss" if iso.estimator == "akima" else "parabola")
    caption = Text(f"budgets: {iso.budget_rule}; {shape} in ln {iso.x}"
                   + (f" over the {iso.window} sizes nearest the lowest loss"
                      if iso.window else "")
                   + f"; D_opt from {iso.tokens_from}; bootstrap: {iso.n_boot} resamples; "
                   "(edge): fewer than two sizes on one side of the minimum")
    table = Table(title=title, caption=caption, show_edge=False)
    heads = ["FLOPs", "runs\n(sizes)", f"{iso.x}\nopt", f"{pct}\ninterval", "tokens\nopt",
             "loss\nopt", "status"]
    for head in heads:
        table.add_column(head, justify="left" if head == "status" else "right")
    for r in iso.budgets.to_dict(orient="records"):
        lo, hi = float(r["n_opt_lo"]), float(r["n_opt_hi"])
        interval = f"{_sci(lo, 2)}–{_sci(hi, 2)}" if math.isfinite(lo) else "—"
        status = str(r["status"]) + (" (edge)" if r["at_edge"] else "")
        table.add_row(_sci(r["flops"]), f"{r['n_runs']} ({r['n_sizes']})", _sci(r["n_opt"]),
                      interval, _sci(r["d_opt"]), _g(r["loss_opt"], 4), status)
    return table


def _sci(value: Any, digits: int = 3) -> str:
    """Compact scientific notation: ``5.34e18``, ``1.6e8``; ``—`` for a missing value."""
    v = float(value)
    if not math.isfinite(v):
        return "—"
    mantissa, _, exponent = f"{v:.{digits - 1}e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}e{int(exponent)}"


def _g(value: Any, digits: int = 3) -> str:
    v = float(value)
    return f"{v:.{digits}g}" if math.isfinite(v) else "—"


def run_compare(data_a: str, data_b: str, law: str, *, columns: dict[str, str],
                exclude: str | None, budget: float | None, n_boot: int,
                seed: int | None) -> Any:
    """Load both datasets as ``fit`` does, fit the law to each and compare them."""
    from ..plan import compare_data

    ds_a = c.load_data(data_a, columns=columns, exclude=exclude)
    ds_b = c.load_data(data_b, columns=columns, exclude=exclude)
    return compare_data(ds_a, ds_b, law, budget=budget, n_boot=n_boot, seed=seed)


def compare_table(cmp: Any) -> Table:
    """The verdict on top, the sensitivity of the multiplier to the fitting choice below."""
    table = Table(title=cmp.statement(), title_justify="left")
    for name in ("fitting choice", "compute multiplier", "A better", "status"):
        table.add_column(name)
    if cmp.sensitivity is not None:
        for row in cmp.sensitivity.to_dict(orient="records"):
            table.add_row(c.escape(str(row["choice"])), _g(row["compute_multiplier"]),
                          str(row["a_better"]), c.escape(str(row["status"])))
    return table
