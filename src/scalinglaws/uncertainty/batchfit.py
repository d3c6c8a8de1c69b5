"""Refit one problem under many weightings at once (bootstrap resamples, jackknife, ...).

Each weighting is a row of the batch; every row starts from the full-data optimum (a warm
start) and from the other local optima the full fit found, and the whole batch is polished by
the engine's batched Newton steps with the exact Hessian.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine.objective import Objective
from ..engine.optimizer import minimize_batched

Array = np.ndarray

#: cap on rows × points × parameters² per batch (memory of the exact Hessians)
_BATCH_BUDGET = 1.2e7


@dataclass(frozen=True)
class Refits:
    """Best natural parameters per weighting (NaN rows where every start failed) and whether
    each row's best came from another basin than the warm start."""

    params: Array
    moved: Array


def refit_weighted(
    obj: Objective,
    warm: Array,
    W: Array,
    *,
    others: Array | None = None,
    max_iter: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> Refits:
    """Minimise ``obj`` under each row of case weights ``W`` (K, n).

    ``warm`` is the full-data optimum in search coordinates (p,); ``others`` (m, p) further
    starts (other basins). Rows are processed in chunks that bound memory.
    """
    starts = warm[None, :] if others is None or len(others) == 0 else np.vstack([warm, others])
    S, p = starts.shape
    K, n = W.shape
    chunk = max(1, int(_BATCH_BUDGET // (S * n * max(p, 1) ** 2)))
    params = np.full((K, p), np.nan)
    moved = np.zeros(K, dtype=bool)
    for lo in range(0, K, chunk):
        hi = min(K, lo + chunk)
        params[lo:hi], moved[lo:hi] = _refit_chunk(obj, starts, W[lo:hi], max_iter)
        if progress is not None:
            progress(hi, K)
    return Refits(params, moved)


def refit_outcomes(obj: Objective, warm: Array, Y: Array, *, max_iter: int = 100) -> Refits:
    """Minimise ``obj`` with its observed values replaced by each row of ``Y`` (K, n): one
    design refitted on K sets of simulated outcomes, from the warm start ``warm`` (p,), in
    chunks that bound memory."""
    K, n = Y.shape
    p = warm.shape[0]
    chunk = max(1, int(_BATCH_BUDGET // (n * max(p, 1) ** 2)))
    params = np.full((K, p), np.nan)
    moved = np.zeros(K, dtype=bool)
    for lo in range(0, K, chunk):
        hi = min(K, lo + chunk)
        params[lo:hi], moved[lo:hi] = _refit_chunk(obj, warm[None, :], None, max_iter,
                                                   Y=Y[lo:hi])
    return Refits(params, moved)


def _refit_chunk(obj: Objective, starts: Array, W: Array | None,
                 max_iter: int, Y: Array | None = None) -> tuple[Array, Array]:
    S = starts.shape[0]
    k = W.shape[0] if W is not None else 0 if Y is None else Y.shape[0]
    U0 = np.repeat(starts, k, axis=0)  # start-major: rows s*k .. (s+1)*k-1 use start s
    if W is not None:
        batch_obj = obj.with_row_weights(np.tile(W, (S, 1)))
    else:
        assert Y is not None
        batch_obj = obj.with_row_targets(np.tile(Y, (S, 1)))
    res = minimize_batched(batch_obj, U0, max_iter=max_iter, exact=True, lam0=1e-6)
    value = np.where(res.usable, res.value, np.inf).reshape(S, k)
    best = np.argmin(value, axis=0)
    cols = np.arange(k)
    U = res.U.reshape(S, k, -1)[best, cols]
    P = obj.natural(U)
    fbest = value[best, cols]
    P[~np.isfinite(fbest)] = np.nan
    warm_P = obj.natural(res.U.reshape(S, k, -1)[0])
    with np.errstate(invalid="ignore"):
        rel = np.abs(P - warm_P) / (np.abs(warm_P) + 1e-12)
    # largest finite relative change per row (-inf, so not moved, where none is finite)
    far = np.max(np.where(np.isfinite(rel), rel, -np.inf), axis=1, initial=-np.inf)
    moved = (best != 0) & (far > 1e-2) & (fbest < value[0] - 1e-12)
    return P, moved
