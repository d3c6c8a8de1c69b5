"""Many problems of one law in one search: K data sets of n rows each, fitted at once.

Each problem is a row of the batch (its own inputs and observed values), so the engine's
batched Levenberg–Marquardt and Newton polish run every problem together as array operations
instead of K Python-level fits. The starts come from variable projection over the law's
projected grid, as a single fit's do, solved for every (problem, grid point) pair at once; when
every problem shares its inputs (a designed sweep), the basis is evaluated once and the normal
equations of all problems are matrix products, so the cost of the starts hardly grows with K.

Unlike :func:`.multistart.search`, which polishes four diverse starts per fit and keeps the
best, a problem here is polished from its two best projected starts (one for a law with a
single nonlinear parameter, whose projected profile the grid reads whole): the batch is for many
well-posed problems (a study, a benchmark, a design), where each one's full diagnostics are
not needed; ``scalinglaws.fit`` gives them for any problem that asks.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..laws.law import Law
from . import jit
from . import starts as st
from .boundary import snap_to_zero
from .multistart import STALL_SHIFT, STALL_WINDOW
from .objective import Objective
from .optimizer import CONVERGED, FAILED, MAX_ITER, STALLED, BatchResult, minimize_batched
from .options import FitOptions
from .projection import project, solve_normal

Array = np.ndarray
#: elements (problems × grid points × rows) of one chunk of the general projection
_CHUNK_ELEMENTS = 2_000_000
#: grid points per problem at most: the projected grid thinned (a single fit's grid is
#: denser because it polishes several diverse starts; here the one best start is polished)
BATCH_GRID = 32
#: projected starts polished per problem (a single fit polishes four diverse ones): the best
#: two by the projection's least squares, the problem's best end point kept; one where a
#: single nonlinear parameter makes the projected profile a curve the grid reads whole
BATCH_STARTS = 2
#: iterations of the first (IRLS) stage and of the Newton polish: the few problems that need
#: more (slow valleys) are left unconverged here, for a single fit each (``fit_many``)
COARSE_ITER, FINE_ITER = 100, 200


@dataclass(frozen=True)
class BatchSearch:
    """Per problem: natural parameters (K, p), objective, engine status code, iterations."""

    params: Array
    value: Array
    status: Array
    n_iter: Array

    @property
    def converged(self) -> Array:
        """Converged, or settled in a flat valley (the single fit's ``stalled``)."""
        return np.isin(self.status, [CONVERGED, STALLED]) & np.isfinite(self.value)


def search_batch(law: Law, X: Sequence[Array], Y: Array, options: FitOptions,
                 weights: Array | None = None, threads: int | None = None) -> BatchSearch:
    """Fit ``law`` to K problems at once: ``X`` one (K, n) array per input, ``Y`` (K, n).

    Least squares and Huber's objective on positive inputs run in compiled kernels where
    Numba is installed (:mod:`.jit`, on ``threads`` threads); the rest in NumPy."""
    Y = np.asarray(Y, dtype=float)
    X = [np.broadcast_to(np.asarray(x, dtype=float), Y.shape) for x in X]
    compiled = jit.usable(law, options.loss, X)
    # compiled: inputs every problem shares are one row for all (not copied per problem)
    shared = compiled and all(bool((x == x[:1]).all()) for x in X)
    obj = Objective(law, [x[:1] for x in X] if shared else X, Y, options.loss, options.delta,
                    options.overestimate_penalty, weights)
    if compiled:
        return _search_compiled(obj, law, X, Y, options, threads, shared)
    K = Y.shape[0]
    U0 = _starts(obj, law, X, Y)  # (S*K, p), start-major
    S = U0.shape[0] // K
    many = obj.rows(np.tile(np.arange(K), S)) if S > 1 else obj
    coarse = minimize_batched(many, U0, max_iter=min(options.max_iter, COARSE_ITER), ftol=1e-4)
    dof = max(Y.shape[1] - U0.shape[1], 1)
    fine = minimize_batched(many, coarse.U, max_iter=min(options.max_iter, FINE_ITER),
                            exact=True, lam0=1e-6,
                            stall_window=STALL_WINDOW, stall_rtol=STALL_SHIFT / dof,
                            stall_stop=True)
    value = np.where(np.isfinite(fine.value), fine.value, coarse.value)
    U = np.where(np.isfinite(fine.value)[:, None], fine.U, coarse.U)
    ranked = np.where(np.isin(fine.status, [CONVERGED, STALLED]), value, np.inf)
    ranked = np.where(np.isfinite(ranked), ranked, np.where(np.isfinite(value), 1e300, np.inf))
    best = np.argmin(ranked.reshape(S, K), axis=0) * K + np.arange(K)
    return BatchSearch(params=obj.natural(U[best]), value=value[best], status=fine.status[best],
                       n_iter=(coarse.n_iter + fine.n_iter)[best])


#: the engine's status of each kernel status code (1 converged, 2 iteration limit, 3 failed,
#: 5 stalled)
_KERNEL_STATUS = np.array([FAILED, CONVERGED, MAX_ITER, FAILED, FAILED, STALLED])


def _search_compiled(obj: Objective, law: Law, X: Sequence[Array], Y: Array,
                     options: FitOptions, threads: int | None, shared: bool) -> BatchSearch:
    """:func:`search_batch` in compiled kernels: the projected starts (in the kernel where
    the problems share their inputs), then Levenberg–Marquardt from each, the best kept."""
    K, n = Y.shape
    if shared and law.linear_names:
        theta = _grid(law, X, n)
        S = 1 if _one_axis(law) else min(BATCH_STARTS, theta.shape[0])
        if S == 1 and obj.link.identity and (obj.case_weights is None
                                              or np.ndim(obj.case_weights) == 1):
            # one weighting for every problem: the normal matrices are shared
            w = np.ones(n) if obj.case_weights is None else np.asarray(obj.case_weights)
            P0 = jit.uniform_starts(law, [x[:1] for x in X], theta, Y, w, threads)
        else:
            W = np.ones_like(Y) if obj.case_weights is None else np.broadcast_to(
                np.asarray(obj.case_weights, dtype=float), Y.shape)
            with np.errstate(all="ignore"):
                WL = obj.link.slope(obj.y) ** 2 * W
            P0 = jit.shared_starts(law, [x[:1] for x in X], theta, Y, WL, S, threads)
        P0 = _usable_starts(law, P0.reshape(S * K, -1), Y)
    else:
        P0 = obj.natural(_starts(obj, law, X, Y))
        S = P0.shape[0] // K
    many = obj.rows(np.tile(np.arange(K), S)) if S > 1 else obj
    limit = min(options.max_iter, COARSE_ITER + FINE_ITER)
    polish = functools.partial(_kernel_minimize, threads=threads)
    found = snap_to_zero(many, polish(many, obj.clip(obj.search(P0)), limit), limit, polish)
    status = found.status
    ranked = np.where(np.isin(status, [CONVERGED, STALLED]), found.value, np.inf)
    ranked = np.where(np.isfinite(ranked), ranked,
                      np.where(np.isfinite(found.value), 1e300, np.inf))
    best = np.argmin(ranked.reshape(S, K), axis=0) * K + np.arange(K)
    return BatchSearch(params=obj.natural(found.U[best]), value=found.value[best],
                       status=status[best], n_iter=found.n_iter[best])


def _kernel_minimize(obj: Objective, U0: Array, max_iter: int,
                     threads: int | None = None) -> BatchResult:
    """The compiled Levenberg–Marquardt (:func:`.jit.polish`) from every row of ``U0`` on
    ``obj``'s rows (their data, weights and bounds), as the NumPy optimiser reports it."""
    target = np.broadcast_to(obj.target, (U0.shape[0], np.shape(obj.target)[-1]))
    W = np.ones(target.shape[1]) if obj.case_weights is None else np.broadcast_to(
        np.asarray(obj.case_weights, dtype=float), target.shape)
    dof = max(target.shape[1] - U0.shape[1], 1)
    U, value, code, n_iter = jit.polish(obj.law, list(obj.X), target, W, U0,
                                        obj.lower, obj.upper, obj.loss,
                                        obj.overestimate_penalty, obj.delta, max_iter, threads,
                                        window=STALL_WINDOW, stall_rtol=STALL_SHIFT / dof)
    return BatchResult(U=U, value=value, status=_KERNEL_STATUS[np.clip(code, 0, 5)],
                       n_iter=n_iter)


def _grid(law: Law, X: Sequence[Array], n: int) -> Array:
    """The projected grid of the nonlinear parameters, thinned to about BATCH_GRID points."""
    design = st.projected_design(law, [_span(x, n) for x in X])
    return design.theta[::-(-len(design.theta) // BATCH_GRID)]


def _one_axis(law: Law) -> bool:
    """One nonlinear parameter: the projected profile is a curve the grid reads whole."""
    return len(law.parameters) - len(law.linear_names) <= 1


def _usable_starts(law: Law, start: Array, Y: Array) -> Array:
    """Starts in bounds: a log-scale parameter's non-positive start at a small floor (as the
    search coordinates need), anything not finite at 1, then clipped to the bounds."""
    K = Y.shape[0]  # rows are start-major: row r is problem r % K's
    for i, prm in enumerate(law.parameters):
        if prm.log:
            low = np.flatnonzero(~(start[:, i] > 0))  # the data read for those rows alone
            start[low, i] = 1e-12 * (1.0 + np.max(np.abs(Y[low % K]), axis=1, initial=0.0))
    start = np.where(np.isfinite(start), start, 1.0)
    lo = np.array([p.lower for p in law.parameters], dtype=float)
    hi = np.array([p.upper for p in law.parameters], dtype=float)
    return np.clip(start, lo, hi)


def _starts(obj: Objective, law: Law, X: Sequence[Array], Y: Array) -> Array:
    """The BATCH_STARTS best projected starts of every problem, in search coordinates
    (BATCH_STARTS·K, p), start-major (rows s·K .. (s+1)·K - 1 are every problem's s-th)."""
    K, n = Y.shape
    theta = _grid(law, X, n)
    shared = all(bool((x == x[:1]).all()) for x in X)
    if shared and law.linear_names:
        P, values = _shared_projection(obj, law, [x[:1] for x in X], theta)
    else:
        P, values = _general_projection(obj, theta)
    values = np.where(np.isfinite(P).all(axis=2), values, np.inf)
    S = 1 if _one_axis(law) else min(BATCH_STARTS, values.shape[1])
    order = np.argsort(values, axis=1, kind="stable")[:, :S]  # (K, S)
    start = P[np.arange(K)[None, :], order.T].reshape(S * K, -1)
    return np.asarray(obj.clip(obj.search(_usable_starts(law, start, Y))))


def _span(x: Array, n: int) -> Array:
    """One row spanning every problem's values of an input (the grid's ranges read it)."""
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    if lo > 0 and hi > lo:
        return np.geomspace(lo, hi, n)[None, :]
    return np.linspace(lo, hi, n)[None, :]


def _general_projection(obj: Objective, theta: Array) -> tuple[Array, Array]:
    """Projected parameters (K, G, p) and objective (K, G), problems in chunks."""
    K, n = obj.y.shape
    G = theta.shape[0]
    p = len(obj.law.parameters)
    P = np.empty((K, G, p))
    values = np.empty((K, G))
    step = max(1, _CHUNK_ELEMENTS // max(G * n, 1))
    for lo in range(0, K, step):
        hi = min(K, lo + step)
        rows = np.repeat(np.arange(lo, hi), G)
        sub = obj.rows(rows) if obj.batched else obj
        Pc, f = project(sub, np.tile(theta, (hi - lo, 1)))
        P[lo:hi] = Pc.reshape(hi - lo, G, p)
        values[lo:hi] = sub.value_from_prediction(f).reshape(hi - lo, G)
    return P, values


def _shared_projection(obj: Objective, law: Law, X1: Sequence[Array],
                       theta: Array) -> tuple[Array, Array]:
    """As :func:`_general_projection` when every problem has the same inputs: the basis once
    for the grid (G, n, m), the weighted normal equations of all K problems by matrix
    products, and candidates ranked by the (relative) least squares the projection solves."""
    names = law.parameter_names
    lin = [names.index(nm) for nm in law.linear_names]
    nonlin = [i for i in range(len(names)) if i not in lin]
    K, n = obj.y.shape
    G = theta.shape[0]
    with np.errstate(all="ignore"):
        g0, F = law.basis(list(X1), theta)  # (G, n), (G, n, m)
        g0 = np.broadcast_to(g0, (G, n))
        F = np.broadcast_to(F, (G, n, F.shape[-1]))
        m = F.shape[-1]
        w = obj.link.slope(obj.y)  # h'(y): the residuals linearised at the data
        if obj.case_weights is not None:
            w = w * np.sqrt(obj.case_weights)
        W2 = w * w  # (K, n)
        A = np.empty((K, G, m, m))
        for i in range(m):
            for j in range(i, m):
                A[:, :, i, j] = A[:, :, j, i] = W2 @ (F[:, :, i] * F[:, :, j]).T
        W2y = W2 * obj.y
        z = np.stack([W2y @ F[:, :, i].T - W2 @ (g0 * F[:, :, i]).T for i in range(m)],
                     axis=-1)  # (K, G, m)
        tt = ((W2y * obj.y).sum(axis=1)[:, None] - 2.0 * (W2y @ g0.T) + W2 @ (g0 * g0).T)
        lower = np.array([law.parameters[i].lower for i in lin])
        upper = np.array([law.parameters[i].upper for i in lin])
        c, value = solve_normal(A.reshape(K * G, m, m), z.reshape(K * G, m),
                                tt.reshape(K * G), lower, upper)
    P = np.empty((K, G, len(names)))
    P[:, :, nonlin] = theta[None, :, :]
    P[:, :, lin] = c.reshape(K, G, m)
    return P, value.reshape(K, G)
