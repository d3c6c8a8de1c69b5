"""Parameter covariance at the optimum.

For the Huber objective we use the sandwich estimate of an M-estimator (Huber 1967):
``cov = H⁻¹ (Σ ψ_i² J_i J_iᵀ) H⁻¹ · n/(n-p)`` with ``H`` the exact Hessian of the objective
at the optimum (from the law's symbolic Hessian), ``ψ`` the Huber influence of each residual and
``J`` the Jacobian of the (log) residuals in natural units. For the squared losses it is the
classical
``σ²(JᵀJ)⁻¹`` with ``σ² = Σr²/(n-p)``. Parameters at a bound are held fixed (no error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .objective import Objective, robust_loss

Array = np.ndarray
#: a parameter whose whole effect on the predictions is below this fraction of their size is
#: a flat direction (rounding-level influence)
_NEGLIGIBLE = 1e-10


@dataclass(frozen=True)
class Covariance:
    cov: Array
    condition: float
    flat: tuple[str, ...]


def covariance(obj: Objective, p_hat: Array, fixed: Array) -> Covariance:
    """Covariance of the natural parameters ``p_hat`` (p,); ``fixed`` marks held parameters."""
    names = obj.law.parameter_names
    p = len(names)
    cov = np.full((p, p), np.nan)
    U = obj.search(p_hat[None, :])
    r, J, f = obj.residual_jacobian(U)
    r, J, f = r[0], J[0], f[0]
    scale = np.where(obj.log_mask, p_hat, 1.0)
    with np.errstate(all="ignore"):
        J = J / scale  # back to natural units
    free = ~fixed & np.isfinite(J).all(axis=0)
    n, q = r.size, int(free.sum())
    if q == 0 or n <= q or not np.isfinite(r).all():
        return Covariance(cov, np.inf, tuple(n for n, f in zip(names, free, strict=True) if f))
    psi = robust_loss(r, obj.loss, obj.delta)[1]
    c = obj.point_weights(r[None, :])[0]
    Jf = J[:, free] * np.sqrt(c)[:, None]
    JTJ = Jf.T @ Jf
    d = np.sqrt(np.diag(JTJ))
    d = np.where(d > 0, d, 1.0)
    with np.errstate(all="ignore"):
        R = JTJ / np.outer(d, d)
    free_names = [nm for nm, fr in zip(names, free, strict=True) if fr]
    try:
        if not np.isfinite(R).all():
            raise np.linalg.LinAlgError("the Jacobian's products overflow")
        eig, vec = np.linalg.eigh(R)
        inv = np.linalg.pinv(R) / np.outer(d, d)
    except np.linalg.LinAlgError:  # no covariance at this point: every parameter is suspect
        return Covariance(cov, np.inf, tuple(free_names))
    condition = float(eig[-1] / eig[0]) if eig[0] > 0 else np.inf
    flat: tuple[str, ...] = ()
    # R rescales every column to unit size, so a parameter that no longer moves the
    # predictions at all (e.g. a rate so large that exp(-rate*x) = 0 at every point) looks
    # well conditioned there: also compare each column's whole effect (|J_j| * max(|p_j|, 1))
    # with the size of the predictions (of the log or logit predictions off the identity link)
    size = np.sqrt(np.sum(c * f**2)) if obj.link.identity else np.sqrt(np.sum(c))
    effect = np.sqrt(np.diag(JTJ)) * np.maximum(np.abs(p_hat[free]), 1.0)
    if np.isfinite(size) and size > 0 and (effect < _NEGLIGIBLE * size).any():
        condition = np.inf
    if not np.isfinite(condition) or condition > 1e14:
        negligible = effect < _NEGLIGIBLE * size
        worst = int(np.argmin(effect)) if negligible.any() else int(np.argmax(np.abs(vec[:, 0])))
        flat = (free_names[worst],)
    if obj.loss == "huber":
        sub = _sandwich(obj, p_hat, J, c * psi, free, n, q)
        if sub is None:
            return Covariance(cov, condition, flat or tuple(free_names))
    else:
        sub = float(np.sum(c * r**2)) / (n - q) * inv
    idx = np.flatnonzero(free)
    cov[np.ix_(idx, idx)] = sub
    return Covariance(cov, condition, flat)


def _sandwich(obj: Objective, p_hat: Array, J: Array, score: Array, free: Array, n: int,
              q: int) -> Array | None:
    """Huber (1967) sandwich H⁻¹ B H⁻¹ · n/(n-q): H the exact Hessian of the objective,
    B = Σ ψ_i² J_i J_iᵀ, both in natural units over the free parameters."""
    U = obj.search(p_hat[None, :])
    _, g_u, H_u = obj.derivatives_exact(U)
    d1 = np.where(obj.log_mask, p_hat, 1.0)
    d2 = np.where(obj.log_mask, p_hat, 0.0)
    H = (H_u[0] - np.diag(g_u[0] / d1 * d2)) / np.outer(d1, d1)
    H = H[np.ix_(free, free)]
    Js = J[:, free] * score[:, None]
    B = Js.T @ Js
    if not np.isfinite(H).all() or not np.isfinite(B).all():
        return None
    d = np.sqrt(np.abs(np.diag(H)))
    d = np.where(d > 0, d, 1.0)
    try:
        Hinv = np.linalg.pinv(H / np.outer(d, d)) / np.outer(d, d)
    except np.linalg.LinAlgError:
        return None
    out = Hinv @ B @ Hinv * n / (n - q)
    return np.asarray(0.5 * (out + out.T))
