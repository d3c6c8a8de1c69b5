"""Extrapolation and determination: how far beyond the fitted data does a query lie, and are
there enough points for the number of free parameters?"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...exceptions import OptionError
from .common import Array


def _fold(f: float) -> str:
    """A fold factor: ``1.7``, ``23``, ``1.2e+05``."""
    if f < 10:
        return f"{f:.2g}"
    if f < 1e4:
        return f"{f:.0f}"
    return f"{f:.2g}"


def extrapolation(input_ranges: Mapping[str, tuple[float, float]],
                  query: Mapping[str, Array | float], factor: float = 10.0) -> list[str]:
    """Messages for query values that lie far outside the fitted data.

    For each column of ``query`` that has a range ``(lo, hi)``, the fold distance of a value
    ``q`` is ``max(q / hi, lo / q)`` (above 1 outside the range). When the worst value of a
    column lies more than ``factor`` times beyond the range, one message names it.

    Parameters
    ----------
    input_ranges
        Column -> ``(min, max)`` of the data the law was fitted on.
    query
        Column -> the query value(s). Columns without a range and non-positive or non-finite
        values are ignored.
    factor
        How many times beyond the range a value may lie before it is reported; > 1.

    Returns
    -------
    list of str
        At most one message per column, in the order of ``query``.

    Raises
    ------
    OptionError
        ``factor`` is not greater than 1.
    """
    if not factor > 1.0:
        raise OptionError(f"the extrapolation factor must be greater than 1, got {factor!r}",
                          "argument 'factor'", "e.g. factor=10 for one order of magnitude")
    out: list[str] = []
    for column, values in query.items():
        if column not in input_ranges:
            continue
        a, b = (float(v) for v in input_ranges[column])
        lo, hi = min(a, b), max(a, b)
        q = np.asarray(values, dtype=float).ravel()
        q = q[np.isfinite(q) & (q > 0)]
        if not q.size:
            continue
        with np.errstate(all="ignore"):
            above = q / hi if np.isfinite(hi) and hi > 0 else np.zeros_like(q)
            below = lo / q if np.isfinite(lo) and lo > 0 else np.zeros_like(q)
        fold = np.fmax(above, below)
        fold = np.where(np.isfinite(fold), fold, 0.0)
        i = int(np.argmax(fold))
        if fold[i] > factor:
            side = f"max {hi:.3g}" if above[i] >= below[i] else f"min {lo:.3g}"
            out.append(f"query {column}={q[i]:.3g} lies {_fold(float(fold[i]))}x beyond the "
                       f"fitted data ({side}); predictions this far out are extrapolations")
    return out


def extrapolation_factor(input_ranges: Mapping[str, tuple[float, float]],
                         query: Mapping[str, Array | float]) -> Array:
    """Per query point, how many times beyond the fitted data it lies: the largest over the
    columns of ``query`` with a range ``(lo, hi)`` of ``max(q / hi, lo / q)``, and 1 inside
    every range (columns without a range and non-positive values count as inside)."""
    factor: Array = np.ones(())
    for column, values in query.items():
        q = np.asarray(values, dtype=float)
        factor = np.broadcast_to(factor, np.broadcast_shapes(factor.shape, q.shape))
        if column not in input_ranges:
            continue
        a, b = (float(v) for v in input_ranges[column])
        lo, hi = min(a, b), max(a, b)
        with np.errstate(all="ignore"):
            fold = np.fmax(q / hi if hi > 0 else 0.0 * q, lo / q if lo > 0 else 0.0 * q)
        factor = np.fmax(factor, np.where(np.isfinite(fold) & (q > 0), fold, 1.0))
    return np.asarray(factor, dtype=float)


def points_per_parameter(n_points: int, n_params: int, minimum: float = 5.0) -> str | None:
    """A warning when there are fewer than ``minimum`` data points per free parameter.

    Returns
    -------
    str or None
        The message, or None when ``n_points / n_params >= minimum`` (or there are no free
        parameters).
    """
    if n_params <= 0:
        return None
    ratio = n_points / n_params
    if ratio >= minimum:
        return None
    state = "underdetermined" if n_points < n_params else "barely determined"
    pts = "point" if n_points == 1 else "points"
    prm = "parameter" if n_params == 1 else "parameters"
    return (f"only {ratio:.3g} points per parameter ({n_points} {pts}, {n_params} {prm}): the "
            f"fit is {state}; add runs or fix parameters")


def repeated_inputs(inputs: Mapping[str, Array], y: Array, target: str,
                    keep: Array | None = None, tolerance: float = 0.05) -> str | None:
    """A warning when rows that agree in every input column differ in the target by more than
    ``tolerance`` (relative to the larger value): runs of several families or setups pooled
    without a column that tells them apart. Seeds of one setup differ by about 1%.

    Returns
    -------
    str or None
        The message (naming the columns and the first rows of the worst group), or None.
    """
    rows = np.arange(np.asarray(y).size) if keep is None else np.flatnonzero(keep)
    if not inputs or rows.size < 2:
        return None
    keys = np.stack([np.asarray(v, dtype=float).ravel()[rows] for v in inputs.values()], axis=1)
    values = np.asarray(y, dtype=float).ravel()[rows]
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = np.asarray(group).ravel()
    hi = np.full(int(group.max()) + 1, -np.inf)
    lo = np.full_like(hi, np.inf)
    np.maximum.at(hi, group, values)
    np.minimum.at(lo, group, values)
    scale = np.maximum(np.abs(hi), np.abs(lo))
    with np.errstate(all="ignore"):
        spread = np.where(scale > 0, (hi - lo) / scale, 0.0)
    bad = np.flatnonzero(spread > tolerance)
    if not bad.size:
        return None
    worst = int(bad[np.argmax(spread[bad])])
    shown = rows[group == worst][:5].tolist()
    return (f"{bad.size} group(s) of rows share the same {', '.join(inputs)} but their "
            f"{target} differs by up to {spread[worst]:.0%} (e.g. rows {shown}): runs of "
            "several families or setups seem pooled in one fit; add a column that tells them "
            "apart and fit them jointly (by='family'; CLI: --groups family) or one by one")
