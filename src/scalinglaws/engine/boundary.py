"""Boundary probes: finish parameters that crawl towards a bound at zero in log space.

A scale parameter bounded below by 0 (say Chinchilla's ``E``) is searched as ``log E``, which
has no finite lower bound. When the data favour ``E = 0`` the optimiser walks ``log E``
towards minus infinity with steps that shrink as ``E`` stops mattering, and runs out of
iterations with ``E`` small but not 0. For every start that stopped at its iteration limit,
each such parameter whose gradient still pushes it down is snapped to a negligible value
(1e-12 of its current value) and the others are re-polished with it pinned; the snapped
result replaces the start's when its objective is no worse and the parameter has stopped
mattering (the other parameters have not moved to compensate for it). The fit then reports the
parameter at its bound instead of an iteration limit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .objective import Objective
from .optimizer import CONVERGED, MAX_ITER, STALLED, BatchResult, minimize_batched

Array = np.ndarray
#: ``minimize(objective, U0, max_iter)``: a polish of every row of U0 (the NumPy optimiser's
#: exact Newton by default, the compiled kernels' for a compiled batch)
Minimizer = Callable[[Objective, Array, int], BatchResult]


def _newton(obj: Objective, U0: Array, max_iter: int) -> BatchResult:
    return minimize_batched(obj, U0, max_iter=max_iter, exact=True, lam0=1e-6)

#: a snapped parameter is its current value times this (well below the engine's 1e-10 "at 0")
SNAP = 1e-12


def snap_to_zero(obj: Objective, batch: BatchResult, max_iter: int,
                 minimize: Minimizer = _newton) -> BatchResult:
    """Re-polish the ``MAX_ITER`` (or ``STALLED``) rows of ``batch`` with crawling log
    parameters at ~0 (by ``minimize``)."""
    open_low = obj.log_mask & ~np.isfinite(obj.lower)
    rows = np.flatnonzero(np.isin(batch.status, [MAX_ITER, STALLED]))
    if rows.size == 0 or not open_low.any():
        return batch
    _, g, _ = obj.rows(rows).derivatives(batch.U[rows])
    k, par = np.nonzero(open_low & (g > 0))
    if k.size == 0:
        return batch
    idx = rows[k]
    at = np.arange(idx.size)
    U0 = batch.U[idx].copy()
    U0[at, par] += np.log(SNAP)
    sub = obj.rows(idx)
    lower = np.broadcast_to(sub.lower, U0.shape).copy()
    upper = np.broadcast_to(sub.upper, U0.shape).copy()
    lower[at, par] = upper[at, par] = U0[at, par]
    pinned = sub.with_row_bounds(lower, upper)
    res = minimize(pinned, U0, max_iter)
    negligible = is_negligible(sub, res.U, par)
    U, value = batch.U.copy(), batch.value.copy()
    status, n_iter = batch.status.copy(), batch.n_iter.copy()
    for c, row in enumerate(idx):
        tol = 1e-12 * max(abs(value[row]), 1e-300)
        if negligible[c] and res.status[c] == CONVERGED and res.value[c] <= value[row] + tol:
            U[row], value[row], status[row] = res.U[c], res.value[c], CONVERGED
            n_iter[row] += res.n_iter[c]
    return BatchResult(U=U, value=value, status=status, n_iter=n_iter)


def is_negligible(obj: Objective, U: Array, par: Array) -> Array:
    """Whether each snapped parameter no longer matters: shrinking it by another factor of
    1e12 leaves the law's values unchanged (1e-9 relative). When the other parameters have
    moved to compensate (say an amplitude at ~0 times a scale at ~inf), the parameter still
    matters, the fit is heading for a limit of the law rather than the bound, and the snap is
    refused."""
    rows = np.arange(len(par))
    V = U.copy()
    V[rows, par] += np.log(SNAP)
    with np.errstate(all="ignore"):
        f = obj.law.evaluate(obj.X, obj.natural(U))
        g = obj.law.evaluate(obj.X, obj.natural(V))
        change = np.max(np.abs(g - f) / np.maximum(np.abs(f), 1e-300), axis=1)
    return np.asarray(np.isfinite(change) & (change <= 1e-9))
