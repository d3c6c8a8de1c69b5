"""The tables of ``plan``, ``isoflop`` and ``compare``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..common.numbers import general, sci
from . import common as c

if TYPE_CHECKING:
    from ..fitting import FitResult
    from ..plan import Allocation, Comparison, InferenceAllocation, IsoFlop, Requirement


def allocation_table(fit: FitResult, alloc: Allocation) -> Table:
    """One row per budget: the optimum, its predicted loss, how far beyond the data it lies
    and, for a calibrated fit, the interval of a run's loss there (the caption says which
    kind of interval it is)."""
    from ..common.numbers import level_label
    from ..fitting import KIND_LABELS

    forecast = alloc.loss_forecast
    caption = None
    if forecast is not None and alloc.forecast_level is not None:
        caption = (f"{level_label(alloc.forecast_level)} interval of {fit.target}: "
                   f"{KIND_LABELS['calibrated']}")
    elif fit.calibration is None:
        caption = ("no interval: the fit is not calibrated (scalinglaws fit calibrates unless "
                   "--no-calibrate)")
    table = Table(title=f"compute-optimal allocation ({fit.law.name}, {alloc.method})",
                  caption=caption)
    heads = ["FLOPs", "params N", "tokens D", "tokens/param", f"predicted {fit.target}",
             "beyond data"] + (["lower", "upper"] if forecast is not None else [])
    for col in heads:
        table.add_column(col, justify="right")
    ext = alloc.extrapolation
    for i, r in enumerate(alloc.records()):
        factor = float(ext[i]) if ext is not None else 1.0
        row = [f"{r['flops']:.3g}", f"{r['params']:.3g}", f"{r['tokens']:.3g}",
               f"{r['tokens'] / r['params']:.1f}", f"{r['loss']:.4f}",
               "inside" if factor <= 1.0 else f"{factor:.1f}x"]
        if forecast is not None:
            row += [f"{forecast[i][0]:.4f}", f"{forecast[i][1]:.4f}"]
        table.add_row(*row)
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
        interval = f"{sci(lo, 2)}–{sci(hi, 2)}" if math.isfinite(lo) else "—"
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
