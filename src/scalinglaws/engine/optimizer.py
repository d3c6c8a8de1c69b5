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

    @property
    def usable(self) -> Array:
        """Which starts ended at a finite objective, converged or at the iteration limit."""
        return np.isin(self.status, [CONVERGED, MAX_ITER]) & np.isfinite(self.value)


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
    stall_stop: bool = False,
) -> BatchResult:
    """Minimise from every row of ``U0`` (search coordinates) together.

    ``exact=False`` uses the IRLS/Gauss–Newton Hessian (robust far from the optimum);
    ``exact=True`` Newton's Hessian (quadratic convergence for the final polish).
    With ``stall_window``, a start still running at ``max_iter`` whose objective fell by no
    more than ``stall_rtol`` of its value over its last ``stall_window`` iterations ends as
    ``STALLED`` rather than ``MAX_ITER``: it was creeping along a valley whose descent no
    longer matters (the engine sets ``stall_rtol`` from the objective's statistical
    resolution). Nothing stops early for it: the rule only names how the iterations ended,
    and a run shorter than the window is never named stalled. With ``stall_stop`` (many
    problems in one batch, where a slow valley of one would keep the whole batch iterating)
    the rule is applied every ``stall_window`` iterations instead, and a creeping start
    leaves the batch then as ``STALLED``.
    """
    steps = _Steps(exact=exact, ftol=ftol, xtol=xtol, lam0=lam0)
    state = _start(objective, U0, steps)
    window = stall_window if stall_window and stall_window <= max_iter else 0
    checkpoint = state.f.copy()
    for it in range(1, max_iter + 1):
        idx = np.flatnonzero(state.status == RUNNING)
        if idx.size == 0:
            break
        if window and stall_stop and it > 1 and (it - 1) % window == 0:
            crept = checkpoint[idx] - state.f[idx] <= stall_rtol * np.abs(state.f[idx])
            state.status[idx[crept]] = STALLED
            checkpoint[idx] = state.f[idx]
            idx = idx[~crept]
            if idx.size == 0:
                break
        elif window and max_iter - it + 1 == window:  # the last window starts: remember f
            checkpoint[idx] = state.f[idx]
        if prune_every and it % prune_every == 0 and idx.size > keep:
            idx = _prune(state, idx, keep)
        _iterate(objective, state, idx, it, steps)
    if window:  # a run shorter than the window is never named stalled
        running = np.flatnonzero(state.status == RUNNING)
        crept = checkpoint[running] - state.f[running] <= stall_rtol * np.abs(state.f[running])
        state.status[running[crept]] = STALLED
    state.status[state.status == RUNNING] = MAX_ITER
    return BatchResult(U=state.U, value=state.f, status=state.status, n_iter=state.n_iter)


@dataclass(frozen=True)
class _Steps:
    """How the steps are taken and when a start has converged (the options of
    :func:`minimize_batched`)."""

    exact: bool
    ftol: float
    xtol: float
    lam0: float

    def derivatives(self, obj: BatchedObjective, U: Array) -> tuple[Array, Array, Array]:
        return obj.derivatives_hybrid(U) if self.exact else obj.derivatives(U)


@dataclass
class _State:
    """Every start's point, objective, gradient, Hessian, damping, status and iterations;
    updated in place, row by row, as the starts move."""

    U: Array
    f: Array
    g: Array
    H: Array
    lam: Array
    status: Array
    n_iter: Array


def _start(objective: BatchedObjective, U0: Array, steps: _Steps) -> _State:
    U = np.clip(np.array(U0, dtype=float), objective.lower, objective.upper)
    K = U.shape[0]
    f, g, H = steps.derivatives(objective, U)
    return _State(U=U, f=f, g=g, H=H, lam=np.full(K, steps.lam0),
                  status=np.where(np.isfinite(f), RUNNING, FAILED),
                  n_iter=np.zeros(K, dtype=int))


def _prune(state: _State, idx: Array, keep: int) -> Array:
    """Successive halving: the worse half of the running starts ``idx`` (never below
    ``keep``) is pruned; returns the survivors."""
    order = idx[np.argsort(state.f[idx])]
    half = max(keep, idx.size // 2)
    state.status[order[half:]] = PRUNED
    return np.sort(order[:half])


def _iterate(objective: BatchedObjective, state: _State, idx: Array, it: int,
             steps: _Steps) -> None:
    """One damped step of the running starts ``idx``: proposed, tried, accepted or not."""
    sub = objective.rows(idx)
    Ua, ga, Ha, fa, la = state.U[idx], state.g[idx], state.H[idx], state.f[idx], state.lam[idx]
    step = _damped_step(Ua, ga, Ha, la, sub.lower, sub.upper)
    if steps.exact:
        # Newton's model predicts (almost) no further decrease: converged without paying
        # for another evaluation
        pred = -np.einsum("ki,ki->k", ga, step) - 0.5 * np.einsum(
            "ki,kij,kj->k", step, Ha, step)
        settled = (pred >= 0) & (pred <= steps.ftol * (np.abs(fa) + 1e-300)) & (
            la <= steps.lam0)
        if settled.any():
            state.status[idx[settled]] = CONVERGED
            state.n_iter[idx[settled]] = it
            keep_rows = ~settled
            idx, sub = idx[keep_rows], sub.rows(np.flatnonzero(keep_rows))
            Ua, fa, la, step = Ua[keep_rows], fa[keep_rows], la[keep_rows], step[keep_rows]
            if idx.size == 0:
                return
    _try_step(sub, state, idx, it, (Ua, fa, la, step), steps)


def _damped_step(Ua: Array, ga: Array, Ha: Array, la: Array, lo: Array, hi: Array) -> Array:
    """The Levenberg–Marquardt step of each start, parameters at a bound (and pushed against
    it) held still."""
    at_lo = (Ua <= lo) & (ga > 0)
    at_hi = (Ua >= hi) & (ga < 0)
    free = ~(at_lo | at_hi)
    both = free[:, :, None] & free[:, None, :]
    diag = np.einsum("kii->ki", Ha)
    scale = np.maximum(diag, 1e-12 * np.maximum(diag.max(axis=1, keepdims=True), 1e-300))
    eye = np.eye(Ua.shape[1])
    M = np.where(both, Ha, 0.0) + eye * np.where(free, la[:, None] * scale, 1.0)[:, :, None]
    rhs = np.where(free, -ga, 0.0)
    return _solve(M, rhs)


def _try_step(sub: BatchedObjective, state: _State, idx: Array, it: int,
              current: tuple[Array, Array, Array, Array], steps: _Steps) -> None:
    """Evaluate the steps; keep those that lower the objective (less damping next time),
    damp the others more, and mark the starts that converged."""
    Ua, fa, la, step = current
    Un = np.clip(Ua + step, sub.lower, sub.upper)
    fn, gn, Hn = steps.derivatives(sub, Un)
    accept = fn < fa
    moved = np.abs(Un - Ua).max(axis=1)
    state.n_iter[idx] = it
    acc = idx[accept]
    state.U[acc], state.f[acc] = Un[accept], fn[accept]
    state.g[acc], state.H[acc] = gn[accept], Hn[accept]
    state.lam[acc] = np.maximum(la[accept] / 3.0, 1e-12)
    rej = idx[~accept]
    state.lam[rej] = np.maximum(la[~accept] * _REJECT_FACTOR, _REJECT_FLOOR)
    small_gain = accept & (fa - fn <= steps.ftol * (np.abs(fn) + 1e-300))
    small_step = moved <= steps.xtol * (1.0 + np.abs(Ua).max(axis=1))
    stuck = ~accept & (la * 4.0 > 1e12)
    state.status[idx[small_gain | small_step | stuck]] = CONVERGED


def _solve(M: Array, rhs: Array) -> Array:
    try:
        return np.linalg.solve(M, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.zeros_like(rhs)
        for k in range(M.shape[0]):
            out[k] = np.linalg.lstsq(M[k], rhs[k], rcond=None)[0]
        return out
