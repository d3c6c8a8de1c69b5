"""Power laws with a floor, one per mixture, sharing their exponent: ``y = E_g + A_g x^-a``.
The nested pipeline fits hundreds of them (a step law per run, a size law per mixture, again
in every bootstrap resample), so they are fitted here by variable projection: for each
exponent, every mixture's E and A solve a weighted 2 x 2 least-squares problem (relative
residuals, all mixtures at once); the exponent is searched on a grid, then refined."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize as so

#: the exponents searched (steps and sizes: 0.02 to 3)
_GRID = np.geomspace(0.02, 3.0, 61)


@dataclass(frozen=True)
class SharedPower:
    """The fit: the shared exponent, each group's (E, A), the fitted values at the data and
    each group's prediction at the query with its standard error."""

    alpha: float
    coef: np.ndarray
    fitted: np.ndarray
    at: dict[str, tuple[float, float]]


def shared_power(x: np.ndarray, y: np.ndarray, groups: np.ndarray, at: float,
                 labels: Sequence[str]) -> SharedPower:
    """Fit ``y = E_g + A_g x^-alpha`` (relative residuals) and predict every group at
    ``x = at``, with the delta method's standard error on the joint fit's covariance."""
    index = {g: i for i, g in enumerate(labels)}
    gi = np.array([index[g] for g in groups])
    k = len(labels)
    lx = np.log(x)
    u = 1.0 / y

    def solve(alpha: float) -> tuple[float, np.ndarray]:
        v = np.exp(-alpha * lx) * u
        suu, suv, svv = (np.bincount(gi, w, k) for w in (u * u, u * v, v * v))
        su, sv = np.bincount(gi, u, k), np.bincount(gi, v, k)
        det = suu * svv - suv * suv
        det = np.where(np.abs(det) > 0, det, np.finfo(float).tiny)
        coef = np.column_stack([(svv * su - suv * sv) / det, (suu * sv - suv * su) / det])
        resid = coef[gi, 0] * u + coef[gi, 1] * v - 1.0
        return float(resid @ resid), coef

    values = [solve(a)[0] for a in _GRID]
    best = int(np.argmin(values))
    lo, hi = _GRID[max(best - 1, 0)], _GRID[min(best + 1, len(_GRID) - 1)]
    alpha = float(so.minimize_scalar(lambda a: solve(a)[0], bounds=(lo, hi),
                                     method="bounded", options={"xatol": 1e-6}).x)
    sse, coef = solve(alpha)
    basis = np.exp(-alpha * lx)
    fitted = coef[gi, 0] + coef[gi, 1] * basis
    # Jacobian of the relative residuals in (alpha, E_1, A_1, ..., E_G, A_G)
    jac = np.zeros((len(y), 1 + 2 * k))
    jac[:, 0] = -coef[gi, 1] * basis * lx * u
    jac[np.arange(len(y)), 1 + 2 * gi] = u
    jac[np.arange(len(y)), 2 + 2 * gi] = basis * u
    dof = max(len(y) - jac.shape[1], 1)
    cov = np.linalg.pinv(jac.T @ jac) * sse / dof
    b = at ** -alpha
    out = {}
    for g, i in index.items():
        grad = np.zeros(jac.shape[1])
        grad[0], grad[1 + 2 * i], grad[2 + 2 * i] = -coef[i, 1] * b * np.log(at), 1.0, b
        variance = float(grad @ cov @ grad)
        out[g] = (float(coef[i, 0] + coef[i, 1] * b), float(np.sqrt(max(variance, 0.0))))
    return SharedPower(alpha, coef, fitted, out)
