"""The tables of ``plan``, ``isoflop`` and ``compare``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..common.numbers import ends, fixed, general, level_label, readable, sci, span, times
from . import common as c

if TYPE_CHECKING:
    from ..fitting import FitResult
    from ..plan import Allocation, Comparison, InferenceAllocation, IsoFlop, Requirement


def allocation_table(fit: FitResult, allocs: Mapping[str | None, Allocation],
                     by: str | None = None) -> Table:
    """One row per budget (and per group of a joint fit, ``allocs`` by group label): the
    optimum, its predicted loss, how far beyond the data it lies and the intervals the answer
    carries: the bootstrap's percentiles of N, D and the loss when the fit carries a
    bootstrap, the calibrated interval of a run's loss there when it is calibrated (the
    caption says which kind each is)."""
    first = next(iter(allocs.values()))
    table = Table(title=f"compute-optimal allocation ({fit.law.name}, {first.method})",
                  caption=_allocation_caption(fit, first))
    bands = first.params_interval is not None and first.level is not None
    forecast = first.loss_forecast is not None
    pct = level_label(first.level) if bands and first.level is not None else ""
    heads = ([by] if by else []) + ["FLOPs", "params N", "tokens D", "tokens/param",
                                    f"predicted {fit.target}", "beyond data"]
    heads += [f"params {pct}", f"tokens {pct}", f"{fit.target} {pct}"] if bands else []
    heads += ["forecast lower", "forecast upper"] if forecast else []
    for col in heads:
        table.add_column(col, justify="left" if col == by else "right")
    for label, alloc in allocs.items():
        ext = alloc.extrapolation
        for i, r in enumerate(alloc.records()):
            factor = float(ext[i]) if ext is not None else 1.0
            row = ([str(label)] if by else []) + [
                readable(r["flops"]), readable(r["params"]), readable(r["tokens"]),
                readable(r["tokens"] / r["params"]), fixed(r["loss"]),
                "inside" if factor <= 1.0 else times(factor)]
            if bands:
                row += [span(*_pair(alloc.params_interval, i)),
                        span(*_pair(alloc.tokens_interval, i)),
                        span(*_pair(alloc.loss_interval, i), 4, fixed)]
            if forecast:
                row += list(ends(*_pair(alloc.loss_forecast, i), 4, fixed))
            table.add_row(*(Text(cell) for cell in row))
    return table


def _pair(band: Any, i: int) -> tuple[float, float]:
    lo, hi = np.asarray(band, dtype=float).reshape(-1, 2)[i]
    return float(lo), float(hi)


def _allocation_caption(fit: FitResult, alloc: Allocation) -> str | None:
    """What each interval column is (none without a bootstrap or a calibration)."""
    from ..fitting import KIND_LABELS

    lines = []
    if alloc.params_interval is not None and alloc.level is not None:
        lines.append(f"{level_label(alloc.level)} intervals of N, D and {fit.target}: "
                     "parameter-only (bootstrap percentiles of the allocation)")
    if alloc.loss_forecast is not None and alloc.forecast_level is not None:
        lines.append(f"forecast: {level_label(alloc.forecast_level)} interval of "
                     f"{fit.target}, {KIND_LABELS['calibrated']}")
    elif fit.calibration is None:
        lines.append("no forecast interval: the fit is not calibrated (scalinglaws fit "
                     "calibrates unless --no-calibrate)")
    return "\n".join(lines) or None


def requirement_table(fit: FitResult, reqs: Mapping[str | None, Requirement], loss: float,
                      by: str | None = None) -> Table:
    """One row per query (and per group of a joint fit): the size and tokens that reach the
    loss, and the training FLOPs that takes."""
    first = next(iter(reqs.values()))
    held = "params" if first.solved_for == "tokens" else "tokens"
    value = float((first.params if held == "params" else first.tokens)[0])
    table = Table(title=Text(f"{first.solved_for} to reach {fit.target} {loss:g} with "
                             f"{held} = {readable(value)} ({fit.law.name})"))
    heads = ([by] if by else []) + ["params N", "tokens D", "tokens/param", "training FLOPs",
                                    f"predicted {fit.target}"]
    for col in heads:
        table.add_column(col, justify="left" if col == by else "right")
    for label, req in reqs.items():
        for n, d, f, y in zip(req.params, req.tokens, req.flops, req.loss, strict=True):
            table.add_row(*([Text(str(label))] if by else []), readable(n), readable(d),
                          readable(d / n), readable(f), fixed(y))
    return table


def inference_table(fit: FitResult, plan: InferenceAllocation,
                    budgets: tuple[float, ...] | None = None,
                    label: str | None = None) -> Group:
    """One table per target: the inference-aware plan beside the Chinchilla-optimal one
    (``label`` names the group of a joint fit)."""
    tables = []
    for i, row in enumerate(plan.to_frame().to_dict(orient="records")):
        target = f"{fit.target} {row['loss']:.4f}"
        if budgets:
            target = f"C = {readable(budgets[i])} (compute-optimal {target})"
        group = f"{label}: " if label else ""
        table = Table(
            title=Text(f"{group}{target}, serving {readable(plan.inference_tokens)} tokens "
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
            table.add_row(name, readable(mine), readable(chin))
        tables.append(table)
    return Group(*tables)


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
        interval = span(lo, hi, 2, sci) if math.isfinite(lo) else "—"
        status = str(r["status"]) + (" (edge)" if r["at_edge"] else "")
        table.add_row(sci(r["flops"]), f"{r['n_runs']} ({r['n_sizes']})", sci(r["n_opt"]),
                      interval, sci(r["d_opt"]), general(r["loss_opt"], 4), status)
    return table


def compare_table(cmp: Comparison) -> Table:
    """The verdict on top, the sensitivity of the multiplier to the fitting choice below."""
    table = Table(title=cmp.statement(), title_justify="left")
    for name in ("fitting choice", "compute multiplier", "A better", "status"):
        table.add_column(name)
    if cmp.sensitivity is not None:
        for row in cmp.sensitivity.to_dict(orient="records"):
            status = str(row["status"])
            verdict = ("tie" if row["a_better"] is None and not status.startswith("error")
                       else str(row["a_better"]))
            table.add_row(c.escape(str(row["choice"])), general(row["compute_multiplier"]),
                          verdict, c.escape(status))
    return table
