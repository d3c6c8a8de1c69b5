"""Power laws with a floor, one per mixture, sharing their exponent: ``y = E_g + A_g x^-a``.
The nested pipeline fits hundreds of them (a step law per run, a size law per mixture), so
they are fitted here by variable projection: for each exponent, every mixture's E and A are
a weighted linear least-squares solution; the exponent is searched on a grid, then refined."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize as so

#: the exponents searched (steps and sizes: 0.02 to 3)
_GRID = np.geomspace(0.02, 3.0, 61)


def shared_power(x: np.ndarray, y: np.ndarray, groups: np.ndarray, at: float,
                 labels: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Each group's prediction at ``x = at`` and its standard error (relative residuals,
    the delta method on the joint fit's covariance)."""
    index = {g: i for i, g in enumerate(labels)}
    gi = np.array([index[g] for g in groups])
    lx = np.log(x)

    def solve(alpha: float) -> tuple[float, np.ndarray]:
        coef = np.empty((len(labels), 2))
        sse = 0.0
        basis = np.exp(-alpha * lx)
        for i in range(len(labels)):
            rows = gi == i
            design = np.column_stack([np.ones(rows.sum()), basis[rows]]) / y[rows, None]
            c, *_ = np.linalg.lstsq(design, np.ones(rows.sum()), rcond=None)
            coef[i] = c
            sse += float(np.sum((design @ c - 1.0) ** 2))
        return sse, coef

    values = [solve(a)[0] for a in _GRID]
    best = int(np.argmin(values))
    lo, hi = _GRID[max(best - 1, 0)], _GRID[min(best + 1, len(_GRID) - 1)]
    alpha = float(so.minimize_scalar(lambda a: solve(a)[0], bounds=(lo, hi),
                                     method="bounded", options={"xatol": 1e-6}).x)
    sse, coef = solve(alpha)
    # Jacobian of the relative residuals in (alpha, E_1, A_1, ..., E_G, A_G)
    basis = np.exp(-alpha * lx)
    jac = np.zeros((len(y), 1 + 2 * len(labels)))
    jac[:, 0] = -coef[gi, 1] * basis * lx / y
    jac[np.arange(len(y)), 1 + 2 * gi] = 1.0 / y
    jac[np.arange(len(y)), 2 + 2 * gi] = basis / y
    dof = max(len(y) - jac.shape[1], 1)
    cov = np.linalg.pinv(jac.T @ jac) * sse / dof
    out = {}
    b = at ** -alpha
    for g, i in index.items():
        grad = np.zeros(jac.shape[1])
        grad[0], grad[1 + 2 * i], grad[2 + 2 * i] = -coef[i, 1] * b * np.log(at), 1.0, b
        variance = float(grad @ cov @ grad)
        out[g] = (float(coef[i, 0] + coef[i, 1] * b), float(np.sqrt(max(variance, 0.0))))
    return out
