"""Benchmarks whose trend a monotone law cannot follow: inverse scaling (the score gets worse as
the model grows: McKenzie et al. 2023, "Inverse Scaling: When Bigger Isn't Better") and
U-shaped trends (it gets worse, then better, or the reverse).

The score is regressed on the log of each input of the law (compute, size, tokens): a
significant slope in the wrong direction (accuracy falling, error rising; p < 0.01) is inverse
scaling; a significant quadratic term whose turning point lies inside the central 90% of the
inputs, with significant slopes of opposite signs on its two sides, is a U shape. Either is
warned about: a sigmoid or power law fitted to such a benchmark extrapolates a trend the data
do not have.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import stats

from ..common.warning import warn

Array = np.ndarray
#: the significance a trend needs to be reported
P_VALUE = 0.01
#: fewest points (and distinct input values) a trend is tested on
MIN_POINTS = 6


def warn_score_trends(values: Array, target: str, inputs: Mapping[str, Array],
                      higher_is_better: bool) -> tuple[str, ...]:
    """Warn (and return the messages) for each input in which the score ``values`` scale
    inversely or U-shaped."""
    y = np.asarray(values, dtype=float)
    out = []
    for column, raw in inputs.items():
        x = np.asarray(raw, dtype=float)
        keep = np.isfinite(x) & (x > 0) & np.isfinite(y)
        if keep.sum() < MIN_POINTS or np.unique(x[keep]).size < MIN_POINTS // 2:
            continue
        message = _trend(np.log(x[keep]), y[keep], target, column, higher_is_better)
        if message:
            warn(message)
            out.append(message)
    return tuple(out)


def _trend(lx: Array, y: Array, target: str, column: str, higher: bool) -> str | None:
    u_shape = _u_shape(lx, y, target, column)
    if u_shape:
        return u_shape
    fit = stats.linregress(lx, y)
    worse = fit.slope < 0 if higher else fit.slope > 0
    if worse and fit.pvalue < P_VALUE:
        direction = "falls" if higher else "rises"
        return (f"'{target}' {direction} as {column} grows (slope {fit.slope:+.3g} per e-fold, "
                f"p = {fit.pvalue:.1g}): inverse scaling, which a monotone law cannot follow; "
                "check the benchmark before forecasting it")
    return None


def _u_shape(lx: Array, y: Array, target: str, column: str) -> str | None:
    design = np.column_stack([np.ones_like(lx), lx, lx * lx])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    if coef[2] == 0:
        return None
    turn = -coef[1] / (2 * coef[2])
    lo, hi = np.quantile(lx, [0.05, 0.95])
    if not lo < turn < hi:
        return None
    left, right = lx <= turn, lx > turn
    if left.sum() < 3 or right.sum() < 3 or np.unique(lx[left]).size < 2 \
            or np.unique(lx[right]).size < 2:
        return None
    a, b = stats.linregress(lx[left], y[left]), stats.linregress(lx[right], y[right])
    if a.pvalue < P_VALUE and b.pvalue < P_VALUE and np.sign(a.slope) != np.sign(b.slope):
        shape = "U-shaped" if a.slope < 0 else "∩-shaped"
        return (f"'{target}' is {shape} in {column} (turning near {np.exp(turn):.3g}; slopes "
                f"{a.slope:+.3g} and {b.slope:+.3g} per e-fold on its two sides): a monotone "
                "law cannot follow it; fit the runs past the turn, or check the benchmark")
    return None
