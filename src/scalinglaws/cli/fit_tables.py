"""The tables of ``fit`` and ``predict``: a fit's summary (with its bootstrap's intervals), a
joint fit's groups, and predictions."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from ..common.numbers import ends, general, level_label, readable, times

if TYPE_CHECKING:
    from ..fitting import FitResult, Prediction, SharedFit


def fit_table(result: FitResult) -> Table:
    """The fit's summary table, with interval columns when the fit carries a bootstrap (at the
    bootstrap's level, as its saved ``intervals``); its warnings are left to stderr, where
    the command prints them (once)."""
    table = dataclasses.replace(result.summary(), warnings=()).rich()
    bs = result.uncertainty
    if bs is None:
        return table
    intervals = bs.intervals(bs.level, bs.method)
    unit = f"clusters of '{bs.by}'" if bs.by else "points"
    caption = Text.assemble(table.caption or "",
                            f"\nbootstrap: {bs.n} resamples of {bs.n_clusters} {unit}; "
                            f"{bs.n_failed} failed, {bs.n_moved} in another basin")
    grown = Table(title=table.title, caption=caption)
    for col in table.columns:
        grown.add_column(col.header, justify=col.justify)
    grown.add_column(f"{level_label(bs.level)} lower", justify="right")
    grown.add_column(f"{level_label(bs.level)} upper", justify="right")
    rows = zip(*(list(col.cells) for col in table.columns), strict=True)
    for name, cells in zip(bs.names, rows, strict=True):
        lo, hi = intervals[name]
        grown.add_row(*cells, Text(f"{lo:.6g}"), Text(f"{hi:.6g}"))
    return grown


def shared_table(fit: SharedFit) -> Table:
    """One row per group: its parameters (the shared ones marked) and its points."""
    table = Table(title=f"{fit.law.name}: joint fit by '{fit.by}' "
                        f"(shared: {', '.join(fit.shared) or 'none'})",
                  caption=f"status {fit.status.value}; {sum(fit.group_sizes)} points")
    table.add_column(fit.by)
    for name in fit.law.parameter_names:
        table.add_column(name + (" (shared)" if name in fit.shared else ""), justify="right")
    table.add_column("points", justify="right")
    for (group, params), size in zip(fit.params.items(), fit.group_sizes, strict=True):
        table.add_row(group, *(f"{params[n]:.6g}" for n in fit.law.parameter_names), str(size))
    return table


def predict_table(result: FitResult | SharedFit, inputs: Mapping[str, Any],
                  pred: Prediction) -> Table:
    """One row per query point (per group and query point for a joint fit asked without a
    group): the inputs, the prediction, how far beyond the fitted data it lies and its
    interval, whose kind the caption names."""
    title = f"{result.law.name}: predicted {result.target}"
    caption = None
    if pred.level is not None:
        title += f" with a {level_label(pred.level)} interval"
        caption = f"interval: {pred.label}"
        if pred.kind != "calibrated":
            caption += (f" ({pred.method}); it does not widen for the law's own error beyond "
                        "the data, and such intervals under-cover held-out larger runs "
                        "(docs/uncertainty.md)")
    table = Table(title=title, caption=caption)
    groups = pred.groups
    if groups is not None:
        table.add_column(pred.by or "group")
    for k in inputs:
        table.add_column(k, justify="right")
    table.add_column(result.target, justify="right")
    table.add_column("beyond data", justify="right")
    if pred.level is not None:
        table.add_column("lower", justify="right")
        table.add_column("upper", justify="right")
    preds = _listed(pred.values)
    factors = _listed(pred.extrapolation)
    lows, highs = _listed(pred.lower), _listed(pred.upper)
    points = len(preds) // len(set(groups)) if groups else len(preds)
    for i in range(len(preds)):
        j = i % points  # the query point of row i
        row = [groups[i]] if groups is not None else []
        row += [readable(v if isinstance(v, float) else v[j if len(v) > 1 else 0], 4)
                for v in inputs.values()]
        row.append(f"{preds[i]:.5g}")
        factor = factors[i if len(factors) > 1 else 0]
        row.append("inside" if factor <= 1.0 else times(factor))
        if pred.level is not None:
            row += list(ends(lows[i], highs[i], 5, general))
        table.add_row(*(Text(cell) for cell in row))
    return table


def _listed(value: Any) -> list[float]:
    if value is None:
        return []
    return [value] if isinstance(value, float) else list(value)


def reward_peak_of(result: Any) -> Any:
    """The over-optimisation peak of a ``reward_bon``/``reward_rl`` fit (None for others):
    what such a fit is for, shown beside it."""
    if getattr(getattr(result, "law", None), "name", None) not in ("reward_bon", "reward_rl"):
        return None
    from ..plan import reward_peak

    return reward_peak(result)
