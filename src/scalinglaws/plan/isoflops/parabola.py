"""The batched parabola fits: every budget (and every bootstrap resample) at once, as 3x3
normal equations; their minima, the optional window of sizes, and the log-log power laws."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .inputs import Array


@dataclass(frozen=True)
class Budgets:
    """Runs of the usable budgets, padded to (G, M) and sorted by size within each budget."""

    logx: Array      # (G, M) ln size, centred per budget (minus ``centre``)
    loss: Array      # (G, M)
    mask: Array      # (G, M) a real run
    size_id: Array   # (G, M) index of the run's distinct size within its budget
    n_runs: Array    # (G,)
    n_sizes: Array   # (G,)
    centre: Array    # (G,) mean ln size of the budget's runs
    size_onehot: Array  # (G, M, S)


def pack(groups: list[tuple[Array, Array]]) -> Budgets:
    """The runs ``(ln size, loss)`` of each budget, padded and sorted into :class:`Budgets`."""
    G = len(groups)
    M = max(len(x) for x, _ in groups)
    logx = np.zeros((G, M))
    loss = np.zeros((G, M))
    mask = np.zeros((G, M), dtype=bool)
    size_id = np.zeros((G, M), dtype=int)
    n_runs = np.zeros(G, dtype=int)
    n_sizes = np.zeros(G, dtype=int)
    centre = np.zeros(G)
    for g, (lx, y) in enumerate(groups):
        order = np.argsort(lx, kind="stable")
        lx, y = lx[order], y[order]
        m = len(lx)
        centre[g] = lx.mean()
        logx[g, :m] = lx - centre[g]
        loss[g, :m] = y
        mask[g, :m] = True
        _, ids = np.unique(lx, return_inverse=True)
        size_id[g, :m] = ids
        n_runs[g], n_sizes[g] = m, ids.max() + 1
    S = int(n_sizes.max())
    onehot = np.zeros((G, M, S))
    onehot[np.arange(G)[:, None], np.arange(M)[None, :], size_id] = mask
    return Budgets(logx, loss, mask, size_id, n_runs, n_sizes, centre, onehot)


def parabolas(bud: Budgets, counts: Array, window: int | None) -> dict[str, Array]:
    """Weighted least-squares parabolas ``loss = c0 + c1 u + c2 u²`` in centred ln size.

    ``counts`` (R, G, M) are case weights (1 for the data, bootstrap counts for a resample).
    With ``window`` only the ``window`` distinct sizes (among those drawn) nearest in rank to
    the size of the lowest drawn loss enter. Returns per (R, G): ``vertex`` (centred ln size
    of the minimum), ``curvature`` (2·c2), ``loss_opt``, ``has_min`` (three or more sizes and
    a parabola that opens upwards) and ``ok`` (has a minimum within the sizes drawn).
    """
    w = counts * bud.mask
    size_w = np.einsum("rgm,gms->rgs", w, bud.size_onehot)
    present = size_w > 0
    drawn_lo = np.where(w > 0, bud.logx, np.inf).min(axis=-1)
    drawn_hi = np.where(w > 0, bud.logx, -np.inf).max(axis=-1)
    if window is not None:
        drawn_loss = np.where(w > 0, bud.loss, np.inf)
        best_run = np.argmin(drawn_loss, axis=-1)                       # (R, G)
        best_size = np.take_along_axis(
            np.broadcast_to(bud.size_id, w.shape), best_run[..., None], axis=-1)[..., 0]
        rank = np.cumsum(present, axis=-1) - 1
        n_present = present.sum(axis=-1)
        r_best = np.take_along_axis(rank, best_size[..., None], axis=-1)[..., 0]
        start = np.clip(r_best - (window - 1) // 2, 0, np.maximum(n_present - window, 0))
        chosen = present & (rank >= start[..., None]) & (rank < (start + window)[..., None])
        run_chosen = np.take_along_axis(
            chosen, np.broadcast_to(bud.size_id, w.shape), axis=-1)
        w = w * run_chosen
        present = chosen
    n_sizes = present.sum(axis=-1)
    u, y = bud.logx, bud.loss
    powers = np.stack([np.ones_like(u), u, u**2, u**3, u**4], axis=-1)  # (G, M, 5)
    s = np.einsum("rgm,gmk->rgk", w, powers)                             # (R, G, 5)
    t = np.einsum("rgm,gmk->rgk", w, powers[..., :3] * y[..., None])     # (R, G, 3)
    A = np.stack([s[..., 0:3], s[..., 1:4], s[..., 2:5]], axis=-2)       # (R, G, 3, 3)
    enough = n_sizes >= 3
    A = np.where(enough[..., None, None], A, np.eye(3))
    with np.errstate(all="ignore"):
        coef = np.linalg.solve(A, t[..., None])[..., 0]
        c0, c1, c2 = coef[..., 0], coef[..., 1], coef[..., 2]
        scale = np.maximum(np.abs(c0), 1.0)
        has_min = enough & np.isfinite(coef).all(axis=-1) & (c2 > 1e-12 * scale)
        vertex = np.where(has_min, -c1 / (2.0 * c2), np.nan)
        loss_opt = np.where(has_min, c0 - c1**2 / (4.0 * c2), np.nan)
    inside = has_min & (vertex >= drawn_lo) & (vertex <= drawn_hi)
    return {"vertex": vertex, "curvature": 2.0 * c2, "loss_opt": loss_opt,
            "has_min": has_min, "ok": inside}


def power_laws(logc: Array, logy: Array, ok: Array) -> tuple[Array, Array]:
    """Least-squares slope and intercept of ``logy`` on ``logc`` over the ``ok`` budgets.

    ``logy`` and ``ok`` are (R, G); NaN where fewer than two budgets (or one budget value).
    """
    m = ok.astype(float)
    n = m.sum(axis=-1)
    y = np.where(ok, logy, 0.0)
    with np.errstate(all="ignore"):
        cbar = (m * logc).sum(axis=-1) / n
        ybar = (m * y).sum(axis=-1) / n
        dc = logc - cbar[..., None]
        sxx = (m * dc**2).sum(axis=-1)
        slope = (m * dc * (y - ybar[..., None])).sum(axis=-1) / sxx
        good = (n >= 2) & (sxx > 0)
        slope = np.where(good, slope, np.nan)
        intercept = np.where(good, ybar - slope * cbar, np.nan)
    return slope, intercept
