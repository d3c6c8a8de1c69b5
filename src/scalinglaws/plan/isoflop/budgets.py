"""Grouping runs into training budgets: exact FLOP values, log bins, or given bin edges."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ...exceptions import OptionError
from ._common import Array, _check_int

#: FLOP values within this relative difference count as one budget (``budgets="exact"``)
EXACT_RTOL = 1e-6
#: width of the bins of ``budgets="log"``, in decades of FLOPs (a factor 10**0.1 ≈ 1.26)
LOG_BIN_DECADES = 0.1


def _group_budgets(c: Array, budgets: Any) -> tuple[Array, str, list[str]]:
    """A budget label per run (-1: outside every bin), a description of the rule, notes."""
    logc = np.log10(c)
    notes: list[str] = []
    if isinstance(budgets, str):
        if budgets == "exact":
            order = np.argsort(c, kind="stable")
            labels = np.empty(len(c), dtype=int)
            group, start = 0, c[order[0]]
            for i in order:
                if c[i] > start * (1.0 + EXACT_RTOL):
                    group, start = group + 1, c[i]
                labels[i] = group
            return labels, f"exact (FLOPs equal within {EXACT_RTOL:g} relative)", notes
        if budgets == "log":
            # bins of LOG_BIN_DECADES centred on multiples of it (1e19, 1.26e19, 1.58e19, ...)
            k = np.round(logc / LOG_BIN_DECADES).astype(int)
            _, labels = np.unique(k, return_inverse=True)
            width = f"{LOG_BIN_DECADES:g}"
            text = f"log bins of {width} decades centred on 10^(k*{width})"
            return labels.astype(int), text, notes
        raise OptionError(f"unknown budgets rule {budgets!r}", "argument 'budgets'",
                          "use 'exact', 'log', a number of log bins, or an array of bin edges")
    if isinstance(budgets, numbers.Integral) and not isinstance(budgets, bool):
        n = _check_int(budgets, "budgets", 1, "e.g. budgets=8 (eight log-spaced bins)")
        lo, hi = logc.min(), logc.max()
        if hi == lo:
            return np.zeros(len(c), dtype=int), f"{n} log bins (one FLOP value)", notes
        idx = np.minimum(((logc - lo) / (hi - lo) * n).astype(int), n - 1)
        _, labels = np.unique(idx, return_inverse=True)
        return labels.astype(int), f"{n} equal log bins from {10**lo:.3g} to {10**hi:.3g}", notes
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
    if (~inside).any():
        notes.append(f"{int((~inside).sum())} run(s) with FLOPs outside the budget edges "
                     f"[{edges[0]:.3g}, {edges[-1]:.3g}] were left out")
    return labels, f"{edges.size - 1} bins between the given edges", notes
