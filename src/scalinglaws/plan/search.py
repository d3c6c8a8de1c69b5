"""Golden-section search of one-dimensional minima, many brackets at once.

The planners first locate a minimum on a grid (which also tells them when it sits at an edge,
i.e. there is none inside), then refine it inside the grid cells either side. Each bracket is
narrowed by the golden ratio per step with one new evaluation per step, for every bracket in
the same call.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray

#: the golden-section ratio (sqrt(5) - 1) / 2
GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def golden_section(fun: Callable[[Array], Array], lo: Array | float, hi: Array | float,
                   steps: int = 60) -> Array:
    """The midpoint of each bracket [lo, hi] after ``steps`` golden-section steps towards
    the minimum of ``fun`` (assumed unimodal inside it).

    ``fun`` maps an array of points, one per bracket (shape of ``lo``), to their values.
    After 60 steps a bracket is 0.618^60 = 3e-13 of its starting width.
    """
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    x1, x2 = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    f1, f2 = fun(x1), fun(x2)
    for _ in range(steps):
        left = f1 < f2  # the minimum lies in [a, x2]: x1 becomes the new right point
        a, b = np.where(left, a, x1), np.where(left, x2, b)
        x1, x2 = np.where(left, b - GOLDEN * (b - a), x2), np.where(left, x1, a + GOLDEN * (b - a))
        fnew = fun(np.where(left, x1, x2))
        f1, f2 = np.where(left, fnew, f2), np.where(left, f1, fnew)
    return 0.5 * (a + b)
