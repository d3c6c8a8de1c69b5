"""Variable projection: for fixed nonlinear parameters, solve the linear ones exactly.

A law ``f = g0(x; θ) + Σ_j c_j f_j(x; θ)`` is linear in ``c``. For every point of a grid over
θ we solve the (relative, for log losses) least-squares problem for ``c`` under its bounds, as
one batched computation: normal equations for all grid points, and the box constraints by
enumerating which coefficients sit at a bound (exact for the few linear parameters that laws
have). The projected candidates are then ranked by the real robust objective.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .objective import Objective

Array = np.ndarray
_MAX_COMBOS = 64
#: bytes the projection's working arrays (grid points × rows × basis functions) may take at
#: once; the grid is projected in chunks of that size, so memory does not grow with it
MEMORY_BUDGET = 256 * 2**20


def projected_values(obj: Objective, theta: Array,
                     budget: int = MEMORY_BUDGET) -> tuple[Array, Array]:
    """Full natural parameter rows (G, p) for nonlinear values ``theta`` (G, k) and the
    objective at each, projected in chunks so that no array over grid points × rows exceeds
    about ``budget`` bytes."""
    G = theta.shape[0]
    n = int(np.size(obj.y))
    m = len(obj.law.linear_names)
    # per grid point: the basis (n × m), its weighted copy, g0, the fit and a few n-vectors
    per_point = 8 * n * (2 * m + 6)
    size = max(1, int(budget // max(per_point, 1)))
    P = np.empty((G, len(obj.law.parameter_names)))
    values = np.empty(G)
    for start in range(0, G, size):
        rows = slice(start, min(start + size, G))
        P[rows], f = project(obj, theta[rows])
        values[rows] = obj.value_from_prediction(f)
    return P, values


def project(obj: Objective, theta: Array) -> tuple[Array, Array]:
    """Full natural parameter rows (G, p) for nonlinear values ``theta`` (G, k), and the
    law's values at them (G, n).

    It solves relative least squares (log losses) or least squares (``mse``); the candidates
    are then ranked by the real objective. (IRLS re-weighting passes towards the Huber
    minimiser were measured: they did not shorten the polish and doubled this step's cost.)
    """
    law = obj.law
    names = law.parameter_names
    lin = [names.index(n) for n in law.linear_names]
    nonlin = [i for i in range(len(names)) if i not in lin]
    G = theta.shape[0]
    P = np.empty((G, len(names)))
    P[:, nonlin] = theta
    if not lin:
        with np.errstate(all="ignore"):
            return P, obj.law.evaluate(obj.X, P)
    lower = np.array([law.parameters[i].lower for i in lin])
    upper = np.array([law.parameters[i].upper for i in lin])
    with np.errstate(all="ignore"):
        g0, F = law.basis(obj.X, theta)
        base = obj.link.slope(obj.y)  # h'(y): the residuals linearised at the data
        w = np.broadcast_to(base, g0.shape)
        if obj.case_weights is not None:
            w = w * np.sqrt(obj.case_weights)
        c, bad = _weighted_solve(F, obj.y - g0, w, lower, upper)
        f = g0 + (F @ c[..., None])[..., 0]
    P[:, lin] = c
    P[bad] = np.nan
    return P, f


def _weighted_solve(F: Array, t: Array, w: Array, lower: Array,
                    upper: Array) -> tuple[Array, Array]:
    """min_c Σ w²(t - F c)² within bounds, for every grid row; returns c and bad rows."""
    Fw = F * w[..., None]
    tw = t * w
    FwT = Fw.transpose(0, 2, 1)
    A = FwT @ Fw
    z = (FwT @ tw[..., None])[..., 0]
    tt = (tw * tw).sum(axis=1)
    c, value = solve_normal(A, z, tt, lower, upper)
    return c, ~np.isfinite(value)


def solve_normal(A: Array, z: Array, tt: Array, lower: Array,
                 upper: Array) -> tuple[Array, Array]:
    """min_c tt - 2 c·z + cᵀAc within bounds for every row of normal equations ``A`` (G, m,
    m), ``z`` (G, m), ``tt`` (G,): the coefficients and the minimum (inf for a bad row)."""
    m = A.shape[-1]
    s = np.sqrt(np.einsum("gmm->gm", A))
    s = np.where((s > 0) & np.isfinite(s), s, 1.0)
    A = A / (s[:, :, None] * s[:, None, :])
    z = z / s
    tt = np.array(tt, dtype=float)
    bad = ~(np.isfinite(A).all(axis=(1, 2)) & np.isfinite(z).all(axis=1) & np.isfinite(tt))
    A[bad], z[bad], tt[bad] = np.eye(m), 0.0, np.inf
    A = A + 1e-12 * np.eye(m)
    lo, hi = lower[None, :] * s, upper[None, :] * s
    with np.errstate(all="ignore"):
        c = small_solve(A, z)
    # rows whose free solution lies inside the bounds are solved; the others enumerate
    # which coefficients sit at a bound
    out = ~(np.isfinite(c).all(axis=1) & (c >= lo).all(axis=1) & (c <= hi).all(axis=1))
    if out.any():
        c[out] = _box_least_squares(A[out], z[out], tt[out], lo[out], hi[out])
    with np.errstate(all="ignore"):
        value = tt - 2 * np.einsum("gm,gm->g", c, z) + np.einsum("gm,gml,gl->g", c, A, c)
    value[bad] = np.inf
    return c / s, value


def small_solve(A: Array, z: Array) -> Array:
    """``A⁻¹z`` for a stack of symmetric systems (G, m, m), (G, m): by the adjugate where
    m <= 2 (a closed form, ten times faster than LAPACK's per-matrix call on hundreds of
    thousands of tiny systems), by ``numpy.linalg.solve`` otherwise."""
    m = A.shape[-1]
    if m == 1:
        return z / A[:, 0, :]
    if m == 2:
        a, b, d = A[:, 0, 0], A[:, 0, 1], A[:, 1, 1]
        det = a * d - b * b
        return np.stack([(d * z[:, 0] - b * z[:, 1]) / det,
                         (a * z[:, 1] - b * z[:, 0]) / det], axis=1)
    return np.linalg.solve(A, z[..., None])[..., 0]


def _box_least_squares(A: Array, z: Array, tt: Array, lo: Array, hi: Array) -> Array:
    """min_c tt - 2 c·z + cᵀAc subject to lo <= c <= hi, for every row, exactly."""
    G, m = z.shape
    options = []
    for j in range(m):
        opts = [0]  # free
        if np.isfinite(lo[:, j]).all():
            opts.append(1)
        if np.isfinite(hi[:, j]).all():
            opts.append(2)
        options.append(opts)
    # count before listing: 27 bounded coefficients would be 3^27 combinations
    if math.prod(len(o) for o in options) > _MAX_COMBOS:
        combos: list[tuple[int, ...]] = [(0,) * m]
    else:
        combos = list(itertools.product(*options))
    best = np.full(G, np.inf)
    best_c = np.clip(np.linalg.solve(A, z[..., None])[..., 0], lo, hi)
    for combo in combos:
        state = np.array(combo)
        free = state == 0
        fixed_val = np.where(state == 1, lo, np.where(state == 2, hi, 0.0))
        fixed_val = np.where(free[None, :], 0.0, fixed_val)
        Mf = np.where(free[:, None] & free[None, :], A, 0.0) + np.diag(~free * 1.0)
        rhs = np.where(free[None, :], z - np.einsum("gml,gl->gm", A, fixed_val), fixed_val)
        with np.errstate(all="ignore"):
            c = np.linalg.solve(Mf, rhs[..., None])[..., 0]
            ok = ((c >= lo) | ~free).all(axis=1)
            ok &= ((c <= hi) | ~free).all(axis=1)
            val = tt - 2 * np.einsum("gm,gm->g", c, z) + np.einsum("gm,gml,gl->g", c, A, c)
        better = ok & (val < best)
        best[better] = val[better]
        best_c[better] = c[better]
    return best_c
