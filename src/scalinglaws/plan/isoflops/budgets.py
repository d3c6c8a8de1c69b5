"""Grouping runs into training budgets (exact FLOP values, log bins, or given bin edges) and
the per-budget table of an IsoFLOP analysis."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...common.checks import integer_at_least
from ...exceptions import OptionError
from .inputs import Array

#: FLOP values within this relative difference count as one budget (``budgets="exact"``)
EXACT_RTOL = 1e-6
#: width of the bins of ``budgets="log"``, in decades of FLOPs (a factor 10**0.1 ≈ 1.26)
LOG_BIN_DECADES = 0.1


def group_budgets(c: Array, budgets: Any) -> tuple[Array, str, list[str]]:
    """A budget label per run (-1: outside every bin), a description of the rule, notes."""
    if isinstance(budgets, str):
        if budgets == "exact":
            return _exact_budgets(c)
        if budgets == "log":
            return _log_bins(c)
        raise OptionError(f"unknown budgets rule {budgets!r}", "argument 'budgets'",
                          "use 'exact', 'log', a number of log bins, or an array of bin edges")
    if isinstance(budgets, numbers.Integral) and not isinstance(budgets, bool):
        n = integer_at_least(budgets, "budgets", 1, "e.g. budgets=8 (eight log-spaced bins)")
        return _equal_log_bins(c, n)
    return _bins_between_edges(c, budgets)


def _exact_budgets(c: Array) -> tuple[Array, str, list[str]]:
    """FLOP values equal within :data:`EXACT_RTOL` (relative) are one budget."""
    order = np.argsort(c, kind="stable")
    labels = np.empty(len(c), dtype=int)
    group, start = 0, c[order[0]]
    for i in order:
        if c[i] > start * (1.0 + EXACT_RTOL):
            group, start = group + 1, c[i]
        labels[i] = group
    return labels, f"exact (FLOPs equal within {EXACT_RTOL:g} relative)", []


def _log_bins(c: Array) -> tuple[Array, str, list[str]]:
    """Bins of LOG_BIN_DECADES centred on multiples of it (1e19, 1.26e19, 1.58e19, ...)."""
    k = np.round(np.log10(c) / LOG_BIN_DECADES).astype(int)
    _, labels = np.unique(k, return_inverse=True)
    width = f"{LOG_BIN_DECADES:g}"
    text = f"log bins of {width} decades centred on 10^(k*{width})"
    return labels.astype(int), text, []


def _equal_log_bins(c: Array, n: int) -> tuple[Array, str, list[str]]:
    """``n`` equal bins of log FLOPs between the smallest and the largest budget."""
    logc = np.log10(c)
    lo, hi = logc.min(), logc.max()
    if hi == lo:
        return np.zeros(len(c), dtype=int), f"{n} log bins (one FLOP value)", []
    idx = np.minimum(((logc - lo) / (hi - lo) * n).astype(int), n - 1)
    _, labels = np.unique(idx, return_inverse=True)
    return labels.astype(int), f"{n} equal log bins from {10**lo:.3g} to {10**hi:.3g}", []


def _bins_between_edges(c: Array, budgets: Any) -> tuple[Array, str, list[str]]:
    """Bins between increasing FLOP edges; runs outside every bin are left out (label -1)."""
    try:
        edges = np.asarray(budgets, dtype=float)
    except (TypeError, ValueError):
        edges = np.array([np.nan])
    if (edges.ndim != 1 or edges.size < 2 or not np.isfinite(edges).all() or (edges <= 0).any()
            or (np.diff(edges) <= 0).any()):
        raise OptionError(
            f"budget edges must be at least two increasing positive FLOP values, got {budgets!r}",
            "argument 'budgets'", "e.g. budgets=[3e18, 3e19, 3e20, 3e21]")
    idx = np.searchsorted(edges, c, side="right") - 1
    idx[c == edges[-1]] = edges.size - 2  # the last bin includes its upper edge
    inside = (idx >= 0) & (idx < edges.size - 1)
    labels = np.full(len(c), -1, dtype=int)
    if inside.any():
        _, labels[inside] = np.unique(idx[inside], return_inverse=True)
    notes = []
    if (~inside).any():
        notes.append(f"{int((~inside).sum())} run(s) with FLOPs outside the budget edges "
                     f"[{edges[0]:.3g}, {edges[-1]:.3g}] were left out")
    return labels, f"{edges.size - 1} bins between the given edges", notes


#: the columns of an IsoFLOP analysis's per-budget table (:attr:`IsoFlop.budgets`)
TABLE_COLUMNS = ["flops", "n_runs", "n_sizes", "n_opt", "d_opt", "loss_opt", "curvature",
                 "at_edge", "n_opt_lo", "n_opt_hi", "status"]


@dataclass(frozen=True)
class BudgetRows:
    """The budgets of an analysis: ``table`` (one row per budget, used or skipped; filled in
    as the analysis goes), the table rows of the budgets with enough sizes (``usable``), the
    ``(ln size, loss)`` of their runs (``groups``) and those runs' indices (``members``);
    ``few`` describes the budgets skipped for too few sizes."""

    table: pd.DataFrame
    usable: list[int]
    groups: list[tuple[Array, Array]]
    members: list[Array]
    few: list[str]


def budget_rows(c: Array, size: Array, loss: Array, labels: Array,
                min_sizes: int) -> BudgetRows:
    """The per-budget table of the runs labelled by :func:`group_budgets`: a budget's FLOPs
    is the geometric mean of its runs' FLOPs; one with fewer than ``min_sizes`` distinct
    sizes is skipped (status ``too_few_sizes``)."""
    few: list[str] = []
    rows: list[dict[str, Any]] = []
    usable: list[int] = []
    groups: list[tuple[Array, Array]] = []
    members: list[Array] = []
    for g in range(labels.max() + 1 if (labels >= 0).any() else 0):
        idx = np.flatnonzero(labels == g)
        if idx.size == 0:
            continue
        c_g = float(np.exp(np.mean(np.log(c[idx]))))
        n_sizes = int(np.unique(size[idx]).size)
        row: dict[str, Any] = {
            "flops": c_g, "n_runs": int(idx.size), "n_sizes": n_sizes, "n_opt": np.nan,
            "d_opt": np.nan, "loss_opt": np.nan, "curvature": np.nan, "at_edge": False,
            "n_opt_lo": np.nan, "n_opt_hi": np.nan, "status": "used"}
        if n_sizes < min_sizes:
            row["status"] = "too_few_sizes"
            few.append(f"C={c_g:.3g} ({n_sizes} size{'s' if n_sizes > 1 else ''})")
        else:
            usable.append(len(rows))
            groups.append((np.log(size[idx]), loss[idx]))
            members.append(idx)
        rows.append(row)
    return BudgetRows(pd.DataFrame(rows, columns=TABLE_COLUMNS), usable, groups, members, few)
