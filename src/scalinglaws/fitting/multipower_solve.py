"""Bounded least squares of the multi-power law's log losses (scipy ``least_squares``,
trust-region reflective, analytic Jacobian): one polish from one start, shared by the fit
(:mod:`.multipower_fit`) and its bootstrap (:mod:`.multipower_boot`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .multipower_law import PARAMETERS, Design, evaluate

LOWER = {"L0": 0.0, "A": 0.0, "alpha": 1e-3, "B": 0.0, "C": 1e-8, "beta": 1e-3, "gamma": 0.0}
UPPER = {"L0": np.inf, "A": np.inf, "alpha": 3.0, "B": np.inf, "C": np.inf, "beta": 10.0,
         "gamma": 3.0}


@dataclass(frozen=True)
class Solved:
    """One polished fit: all seven parameters ``theta``, its ``cost`` (half the sum of
    squared log residuals), the ``residuals``, whether it ``converged`` and why it stopped."""

    theta: np.ndarray
    cost: float
    residuals: np.ndarray
    converged: bool
    message: str


def solve(designs: list[Design], logy: np.ndarray, start: np.ndarray,
          held: Mapping[str, float], max_nfev: int) -> Solved | None:
    """Bounded least squares of the log losses from ``start`` (seven values; those named in
    ``held`` stay); None when the fit is not finite."""
    from scipy.optimize import least_squares

    free = [i for i, k in enumerate(PARAMETERS) if k not in held]
    lo = np.array([LOWER[PARAMETERS[i]] for i in free])
    hi = np.array([UPPER[PARAMETERS[i]] for i in free])
    base = np.array([held.get(k, v) for k, v in zip(PARAMETERS, start, strict=True)])

    def full(theta: np.ndarray) -> np.ndarray:
        out = base.copy()
        out[free] = theta
        return out

    def residuals(theta: np.ndarray) -> np.ndarray:
        return np.log(np.maximum(stack(full(theta), designs), 1e-12)) - logy

    def jacobian(theta: np.ndarray) -> np.ndarray:
        p = dict(zip(PARAMETERS, full(theta), strict=True))
        parts = [evaluate(p, d, jacobian=True) for d in designs]
        pred = np.maximum(np.concatenate([v for v, _ in parts]), 1e-12)
        return np.concatenate([J[:, free] for _, J in parts]) / pred[:, None]

    theta = np.clip(base[free], lo + 1e-12, np.where(np.isfinite(hi), hi - 1e-12, hi))
    with np.errstate(all="ignore"):
        res = least_squares(residuals, theta, jac=jacobian, bounds=(lo, hi),
                            x_scale="jac", max_nfev=max_nfev, method="trf")
    if not np.isfinite(res.cost):
        return None
    return Solved(full(res.x), float(res.cost), res.fun, bool(res.status > 0),
                  str(res.message))


def stack(theta: np.ndarray, designs: list[Design]) -> np.ndarray:
    p = dict(zip(PARAMETERS, theta, strict=True))
    return np.concatenate([evaluate(p, d) for d in designs])
