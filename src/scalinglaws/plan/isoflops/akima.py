"""Porian et al.'s estimator of a budget's optimum: the minimum of an Akima spline through
``ln loss`` against ``ln N`` (scipy's :class:`~scipy.interpolate.Akima1DInterpolator`), for the
data and every bootstrap resample.

The spline is piecewise cubic, so its minimum is found exactly: the stationary points of each
piece (the roots of its quadratic derivative) and the sampled sizes are the candidates, and
the lowest wins. This is the limit of Porian et al.'s search on a grid 25 times finer than the
sizes. A minimum at the first or last sampled size is no minimum within the sweep: Porian et
al. drop such budgets, and so does :func:`akimas` (``ok`` false).
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import Akima1DInterpolator

from .inputs import Array
from .parabola import Budgets


def akimas(bud: Budgets, counts: Array) -> dict[str, Array]:
    """Akima-spline minima per (R, G), with the keys of :func:`.parabola.parabolas`.

    ``counts`` (R, G, M) are case weights; the runs drawn at one size enter as the weighted
    mean of their ``ln loss``. ``vertex`` is the centred ``ln x`` of the minimum,
    ``loss_opt`` its loss, ``curvature`` d²loss/d(ln x)² there (NaN at a size, where the
    spline has a kink in its second derivative only by chance), ``has_min`` three or more
    sizes drawn, ``ok`` the minimum lies strictly between the first and last size drawn.
    """
    w = counts * bud.mask                                              # (R, G, M)
    R, G, _ = w.shape
    n_at = np.einsum("rgm,gms->rgs", w, bud.size_onehot)               # (R, G, S)
    log_loss = np.log(np.where(bud.mask, bud.loss, 1.0))
    sum_y = np.einsum("rgm,gms->rgs", w * log_loss, bud.size_onehot)
    per_size = np.maximum(np.einsum("gm,gms->gs", bud.mask.astype(float), bud.size_onehot),
                          1.0)
    size_x = np.einsum("gm,gms->gs", bud.logx * bud.mask, bud.size_onehot) / per_size
    present = n_at > 0
    with np.errstate(all="ignore"):
        mean_y = sum_y / n_at
    vertex = np.full((R, G), np.nan)
    log_opt = np.full((R, G), np.nan)
    second = np.full((R, G), np.nan)
    has_min = present.sum(axis=-1) >= 3
    ok = np.zeros((R, G), dtype=bool)
    for g in range(G):
        rows = np.flatnonzero(has_min[:, g])
        if rows.size == 0:
            continue
        # resamples that drew the same sizes share one spline call (y with a column each)
        patterns, which = np.unique(present[rows, g], axis=0, return_inverse=True)
        for p, pattern in enumerate(patterns):
            r = rows[which.ravel() == p]
            x = size_x[g, pattern]
            spline = Akima1DInterpolator(x, mean_y[r, g][:, pattern].T)
            u, val, d2, inner = _minimum(spline.x, spline.c)
            vertex[r, g], log_opt[r, g], second[r, g], ok[r, g] = u, val, d2, inner
    with np.errstate(all="ignore"):
        loss_opt = np.exp(log_opt)
    return {"vertex": vertex, "curvature": loss_opt * second, "loss_opt": loss_opt,
            "has_min": has_min, "ok": ok & has_min}


def _minimum(x: Array, c: Array) -> tuple[Array, Array, Array, Array]:
    """Global minimum of piecewise cubics ``c`` (4, K-1, Q) on breakpoints ``x`` (K,).

    Returns per column: the argmin, the minimum, the second derivative there (NaN at a
    breakpoint) and whether the argmin lies strictly inside ``(x[0], x[-1])``.
    """
    a3, a2, a1, a0 = c[0], c[1], c[2], c[3]                            # (K-1, Q)
    h = np.diff(x)[:, None]
    # roots of 3·a3·t² + 2·a2·t + a1, by the cancellation-free formula
    qa, qb, qc = 3.0 * a3, 2.0 * a2, a1
    with np.errstate(all="ignore"):
        disc = qb**2 - 4.0 * qa * qc
        root = np.sqrt(np.where(disc >= 0, disc, np.nan))
        q = -0.5 * (qb + np.where(qb >= 0, 1.0, -1.0) * root)
        t = np.stack([q / qa, qc / q])                                 # (2, K-1, Q)
        inside = np.isfinite(t) & (t > 0) & (t < h)
        t = np.where(inside, t, 0.0)
        val = np.where(inside, ((a3 * t + a2) * t + a1) * t + a0, np.inf)
    # candidates: the 2·(K-1) interior stationary points, then the K breakpoints
    knots_y = np.concatenate([a0, (((a3 * h + a2) * h + a1) * h + a0)[-1:]], axis=0)
    cand_val = np.concatenate([val.reshape(-1, val.shape[-1]), knots_y], axis=0)
    cand_u = np.concatenate([(x[:-1, None] + t).reshape(-1, val.shape[-1]),
                             np.broadcast_to(x[:, None], knots_y.shape)], axis=0)
    cand_d2 = np.concatenate([(6.0 * a3 * t + 2.0 * a2).reshape(-1, val.shape[-1]),
                              np.full(knots_y.shape, np.nan)], axis=0)
    best = np.argmin(cand_val, axis=0)
    cols = np.arange(cand_val.shape[1])
    u = cand_u[best, cols]
    n_stat = val.shape[0] * val.shape[1]
    interior = (best < n_stat) | ((best > n_stat) & (best < cand_val.shape[0] - 1))
    return u, cand_val[best, cols], cand_d2[best, cols], interior
