"""Bootstrap confidence intervals: percentile and BCa (Efron 1987)."""

from __future__ import annotations

import numpy as np
from scipy import stats

Array = np.ndarray


def percentile(samples: Array, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the finite ``samples``."""
    s = samples[np.isfinite(samples)]
    if s.size == 0:
        return float("nan"), float("nan")
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(s, [a, 1.0 - a])
    return float(lo), float(hi)


def bca(samples: Array, estimate: float, jackknife: Array, level: float) -> tuple[float, float]:
    """Bias-corrected and accelerated interval (Efron 1987; Efron & Tibshirani 1993, 14.3).

    ``jackknife`` holds the leave-one-unit-out estimates that give the acceleration.
    """
    s = samples[np.isfinite(samples)]
    jk = jackknife[np.isfinite(jackknife)]
    if s.size == 0 or not np.isfinite(estimate):
        return float("nan"), float("nan")
    below = (np.sum(s < estimate) + 0.5 * np.sum(s == estimate)) / s.size
    below = float(np.clip(below, 0.5 / s.size, 1.0 - 0.5 / s.size))
    z0 = stats.norm.ppf(below)
    d = jk.mean() - jk if jk.size else np.zeros(1)
    denom = 6.0 * float(np.sum(d * d)) ** 1.5
    accel = float(np.sum(d**3)) / denom if denom > 0 else 0.0
    z = stats.norm.ppf([(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    with np.errstate(all="ignore"):
        adj = stats.norm.cdf(z0 + (z0 + z) / (1.0 - accel * (z0 + z)))
    adj = np.clip(np.nan_to_num(adj, nan=0.5), 0.0, 1.0)
    lo, hi = np.quantile(s, adj)
    return float(lo), float(hi)
