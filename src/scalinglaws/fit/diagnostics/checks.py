"""Extrapolation and determination: how far beyond the fitted data does a query lie, and are
there enough points for the number of free parameters?"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...exceptions import OptionError
from ._common import Array


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
