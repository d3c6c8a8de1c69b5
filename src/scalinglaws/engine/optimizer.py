"""A batched, bound-constrained Levenberg–Marquardt on robust objectives.

Every start is optimised at once: one call evaluates the objective, gradient and IRLS
(Gauss–Newton) Hessian of all active starts as array operations, and one batched linear
solve gives all steps. Starts that converge leave the batch; with ``prune_every`` the worse
half of the remaining starts is dropped periodically (successive halving), so an exhaustive
grid of thousands of starts costs a few times one start's work per surviving start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

Array = np.ndarray

_REJECT_FACTOR, _REJECT_FLOOR = 4.0, 1e-4
RUNNING, CONVERGED, MAX_ITER, FAILED, PRUNED, STALLED = 0, 1, 2, 3, 4, 5
STATUS_NAMES = {RUNNING: "running", CONVERGED: "converged", MAX_ITER: "max_iter",
                FAILED: "failed", PRUNED: "pruned", STALLED: "stalled"}


class BatchedObjective(Protocol):
    lower: Array
    upper: Array

    def rows(self, idx: Array) -> BatchedObjective: ...

    def derivatives(self, U: Array) -> tuple[Array, Array, Array]: ...

    def derivatives_hybrid(self, U: Array) -> tuple[Array, Array, Array]: ...


@dataclass(frozen=True)
class BatchResult:
    """Final point, objective, status code and iteration count of every start."""

    U: Array
    value: Array
    status: Array
    n_iter: Array


def minimize_batched(
    objective: BatchedObjective,
    U0: Array,
    *,
    max_iter: int = 300,
    ftol: float = 1e-13,
    xtol: float = 1e-11,
    prune_every: int | None = None,
    keep: int = 8,
    exact: bool = False,
    lam0: float = 1e-3,
    stall_window: int | None = None,
    stall_rtol: float = 0.0,
) -> BatchResult:
    """Minimise from every row of ``U0`` (search coordinates) together.

    ``exact=False`` uses the IRLS/Gauss–Newton Hessian (robust far from the optimum);
    ``exact=True`` Newton's Hessian (quadratic convergence for the final polish).
    With ``stall_window``, a start still running at ``max_iter`` whose objective fell by no
    more than ``stall_rtol`` of its value over its last ``stall_window`` iterations ends as
    ``STALLED`` rather than ``MAX_ITER``: it was creeping along a valley whose descent no
    longer matters (the engine sets ``stall_rtol`` from the objective's statistical
    resolution). Nothing stops early for it: the rule only names how the iterations ended,
    and a run shorter than the window is never named stalled.
    """
    def derivatives(obj: BatchedObjective, U: Array) -> tuple[Array, Array, Array]:
        return obj.derivatives_hybrid(U) if exact else obj.derivatives(U)

    U = np.clip(np.array(U0, dtype=float), objective.lower, objective.upper)
    K, p = U.shape
    f, g, H = derivatives(objective, U)
    lam = np.full(K, lam0)
    status = np.where(np.isfinite(f), RUNNING, FAILED)
    n_iter = np.zeros(K, dtype=int)
    eye = np.eye(p)
    window = stall_window if stall_window and stall_window <= max_iter else 0
    checkpoint = f.copy()
    for it in range(1, max_iter + 1):
        idx = np.flatnonzero(status == RUNNING)
        if idx.size == 0:
            break
        if window and max_iter - it + 1 == window:  # the last window starts: remember f
            checkpoint[idx] = f[idx]
        if prune_every and it % prune_every == 0 and idx.size > keep:
            order = idx[np.argsort(f[idx])]
            half = max(keep, idx.size // 2)
            status[order[half:]] = PRUNED
            idx = np.sort(order[:half])
        sub = objective.rows(idx)
        lo, hi = sub.lower, sub.upper
        Ua, ga, Ha, fa, la = U[idx], g[idx], H[idx], f[idx], lam[idx]
        at_lo = (Ua <= lo) & (ga > 0)
        at_hi = (Ua >= hi) & (ga < 0)
        free = ~(at_lo | at_hi)
        both = free[:, :, None] & free[:, None, :]
        diag = np.einsum("kii->ki", Ha)
        scale = np.maximum(diag, 1e-12 * np.maximum(diag.max(axis=1, keepdims=True), 1e-300))
        M = np.where(both, Ha, 0.0) + eye * np.where(free, la[:, None] * scale, 1.0)[:, :, None]
        rhs = np.where(free, -ga, 0.0)
        step = _solve(M, rhs)
        if exact:
            # Newton's model predicts (almost) no further decrease: converged without paying
            # for another evaluation
            pred = -np.einsum("ki,ki->k", ga, step) - 0.5 * np.einsum(
                "ki,kij,kj->k", step, Ha, step)
            settled = (pred >= 0) & (pred <= ftol * (np.abs(fa) + 1e-300)) & (la <= lam0)
            if settled.any():
                status[idx[settled]] = CONVERGED
                n_iter[idx[settled]] = it
                keep_rows = ~settled
                idx, sub = idx[keep_rows], sub.rows(np.flatnonzero(keep_rows))
                Ua, ga, Ha, fa, la = Ua[keep_rows], ga[keep_rows], Ha[keep_rows], fa[
                    keep_rows], la[keep_rows]
                step = step[keep_rows]
                lo, hi = sub.lower, sub.upper
                if idx.size == 0:
                    continue
        Un = np.clip(Ua + step, lo, hi)
        fn, gn, Hn = derivatives(sub, Un)
        accept = fn < fa
        moved = np.abs(Un - Ua).max(axis=1)
        n_iter[idx] = it
        acc = idx[accept]
        U[acc], f[acc], g[acc], H[acc] = Un[accept], fn[accept], gn[accept], Hn[accept]
        lam[acc] = np.maximum(la[accept] / 3.0, 1e-12)
        rej = idx[~accept]
        lam[rej] = np.maximum(la[~accept] * _REJECT_FACTOR, _REJECT_FLOOR)
        small_gain = accept & (fa - fn <= ftol * (np.abs(fn) + 1e-300))
        small_step = moved <= xtol * (1.0 + np.abs(Ua).max(axis=1))
        stuck = ~accept & (la * 4.0 > 1e12)
        done = small_gain | small_step | stuck
        status[idx[done]] = CONVERGED
    if window:  # a run shorter than the window is never named stalled
        running = np.flatnonzero(status == RUNNING)
        crept = checkpoint[running] - f[running] <= stall_rtol * np.abs(f[running])
        status[running[crept]] = STALLED
    status[status == RUNNING] = MAX_ITER
    return BatchResult(U=U, value=f, status=status, n_iter=n_iter)


def _solve(M: Array, rhs: Array) -> Array:
    try:
        return np.linalg.solve(M, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.zeros_like(rhs)
        for k in range(M.shape[0]):
            out[k] = np.linalg.lstsq(M[k], rhs[k], rcond=None)[0]
        return out
