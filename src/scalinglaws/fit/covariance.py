"""Parameter covariance at the optimum.

For the Huber objective we use Huber's (1981) "H1" estimate, as statsmodels' RLM does:
``cov = K² · [Σψ²/(n-p)] / m² · (JᵀJ)⁻¹`` with ``m`` the mean of ψ' (the share of residuals
inside ±delta), ``K = 1 + (p/n)·var(ψ')/m²`` and ``J`` the Jacobian of the (log) residuals in
natural units (the Gauss–Newton Hessian). For the squared losses it is the classical
``σ²(JᵀJ)⁻¹`` with ``σ² = Σr²/(n-p)``. Parameters at a bound are held fixed (no error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .objective import Objective, robust_loss

Array = np.ndarray


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
    r, J, _ = obj.residual_jacobian(U)
    r, J = r[0], J[0]
    scale = np.where(obj.log_mask, p_hat, 1.0)
    with np.errstate(all="ignore"):
        J = J / scale  # back to natural units
    free = ~fixed & np.isfinite(J).all(axis=0)
    n, q = r.size, int(free.sum())
    if q == 0 or n <= q or not np.isfinite(r).all():
        return Covariance(cov, np.inf, tuple(n for n, f in zip(names, free, strict=True) if f))
    _, psi, _, d2 = robust_loss(r, obj.loss, obj.delta)
    c = obj._weights(r[None, :])[0]
    Jf = J[:, free] * np.sqrt(c)[:, None]
    JTJ = Jf.T @ Jf
    d = np.sqrt(np.diag(JTJ))
    d = np.where(d > 0, d, 1.0)
    R = JTJ / np.outer(d, d)
    eig, vec = np.linalg.eigh(R)
    condition = float(eig[-1] / eig[0]) if eig[0] > 0 else np.inf
    flat: tuple[str, ...] = ()
    free_names = [nm for nm, f in zip(names, free, strict=True) if f]
    if not np.isfinite(condition) or condition > 1e14:
        flat = (free_names[int(np.argmax(np.abs(vec[:, 0])))],)
    inv = np.linalg.pinv(R) / np.outer(d, d)
    if obj.loss == "huber":
        m = float(np.mean(d2))
        if m == 0:
            return Covariance(cov, condition, flat or tuple(free_names))
        k = 1.0 + (q / n) * float(np.var(d2)) / m**2
        s2 = float(np.sum((c * psi) ** 2)) / (n - q)
        factor = k**2 * s2 / m**2
    else:
        factor = float(np.sum(c * r**2)) / (n - q)
    sub = factor * inv
    idx = np.flatnonzero(free)
    cov[np.ix_(idx, idx)] = sub
    return Covariance(cov, condition, flat)
