"""The step and size law of every mixture, fitted at once on every logged loss of every run:
``L_g(N, S) = E_g + A_g (N/N*)^-alpha + B_g (S/S*)^-beta`` (``form="additive"``), or with
one step amplitude per run, ``E_g + A_g (N/N*)^-alpha + B_gn ((S/S*)^-beta - 1)``
(``form="per_run"``: each run's step law is free, only its value at the target steps
follows the size law, which is Ye et al.'s nested model exactly). The exponents are shared
by the mixtures (one optimiser, schedule and architecture), the scales are each mixture's
own. N* and S* are the target size and steps, so ``E_g + A_g + B_g`` is the prediction.

The fit is least squares on log losses (lognormal noise, the same relative error at every
loss), each size's runs weighted by the inverse of their residual variance (noise that
differs between small and large models), by variable projection: for given exponents every
mixture's scales solve a small weighted linear problem (all mixtures at once); the
exponents are searched on a grid, then all parameters are polished by Gauss-Newton in log
space. The predictions' covariance across mixtures is the delta method on the polished fit
(the shared exponents correlate every mixture's error)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize as so

#: the exponents searched (steps and sizes: 0.02 to 3)
_GRID = np.geomspace(0.02, 3.0, 17)
#: the step-law forms
FORMS = ("additive", "per_run")


@dataclass(frozen=True)
class Surface:
    """The fit: the shared exponents, each mixture's prediction at the target (``at``), the
    covariance of the predictions' logs across mixtures (``cov``), the fitted values at the
    data and the log residuals' standard deviation."""

    alpha: float
    beta: float
    at: np.ndarray
    cov: np.ndarray
    fitted: np.ndarray
    sigma: float


@dataclass(frozen=True)
class _Design:
    """The data in the form the fit reads: log sizes and steps relative to the target,
    log losses, each point's mixture and column of its step amplitude, weights."""

    ln: np.ndarray
    ls: np.ndarray
    ly: np.ndarray
    group: np.ndarray
    slot: np.ndarray
    groups: int
    width: int
    per_run: bool

    def columns(self, alpha: float, beta: float) -> np.ndarray:
        """The local design (points x width): 1, size term, step term in its slot."""
        x = np.zeros((len(self.ly), self.width))
        x[:, 0] = 1.0
        x[:, 1] = np.exp(-alpha * self.ln)
        step = np.exp(-beta * self.ls)
        x[np.arange(len(x)), self.slot] = step - 1.0 if self.per_run else step
        return x

    def derivatives(self, alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
        """d columns / d alpha and d beta (the size and step columns)."""
        return (-self.ln * np.exp(-alpha * self.ln), -self.ls * np.exp(-beta * self.ls))


def fit_surface(sizes: np.ndarray, steps: np.ndarray, losses: np.ndarray,
                groups: np.ndarray, runs: np.ndarray, target_params: float,
                target_steps: float, form: str = "additive",
                start: tuple[float, float] | None = None) -> Surface:
    """Fit the surface of one validation domain's ``losses``; ``groups`` numbers each point's
    mixture (0..G-1), ``runs`` its run within the mixture (0..R-1); ``start``: exponents to
    polish from instead of searching (a bootstrap resample starts from the full fit's)."""
    per_run = form == "per_run"
    width = 2 + (int(runs.max()) + 1 if per_run else 1)
    slot = 2 + runs if per_run else np.full(len(losses), 2)
    design = _Design(np.log(sizes / target_params), np.log(steps / target_steps),
                     np.log(losses), groups, slot,
                     int(groups.max()) + 1, width, per_run)
    weights = np.ones(len(losses))
    if start is None:
        alpha, beta, coef = _project(design, weights)
    else:
        alpha, beta = start
        coef = _solve(design, weights, alpha, beta)[1]
    for _ in range(2):  # noise per size, then the fit again with those weights
        alpha, beta, coef = _polish(design, weights, alpha, beta, coef)
        resid = design.ly - np.log(_value(design, alpha, beta, coef))
        weights = _per_size_weights(design.ln, resid, design.groups * width + 2)
    jac = _jacobian(design, alpha, beta, coef)
    resid = design.ly - np.log(_value(design, alpha, beta, coef))
    wj = jac * np.sqrt(weights)[:, None]
    dof = max(len(resid) - jac.shape[1], 1)
    scale = float(weights @ resid ** 2) / dof
    cov = np.linalg.pinv(wj.T @ wj) * scale
    at = coef[:, 0] + coef[:, 1] + (0.0 if per_run else coef[:, 2])
    grad = np.zeros((design.groups, jac.shape[1]))  # d log(at_g) / d parameters
    rows = np.arange(design.groups)
    grad[rows, 2 + rows * width] = 1.0 / at
    grad[rows, 3 + rows * width] = 1.0 / at
    if not per_run:
        grad[rows, 4 + rows * width] = 1.0 / at
    sigma = float(np.sqrt(float(resid @ resid) / dof))
    return Surface(alpha, beta, at, grad @ cov @ grad.T,
                   _value(design, alpha, beta, coef), sigma)


def _solve(design: _Design, weights: np.ndarray, alpha: float, beta: float
           ) -> tuple[float, np.ndarray]:
    """Every mixture's scales for given exponents: weighted least squares of the relative
    residuals (the first-order log residuals), all mixtures at once."""
    x = design.columns(alpha, beta)
    u = np.sqrt(weights) / np.exp(design.ly)  # 1/y: relative residuals
    xu = x * u[:, None]
    target = np.sqrt(weights)
    p, g = design.width, design.groups
    gram = np.empty((g, p, p))
    rhs = np.empty((g, p))
    for a in range(p):
        rhs[:, a] = np.bincount(design.group, xu[:, a] * target, g)
        for b in range(a, p):
            gram[:, a, b] = gram[:, b, a] = np.bincount(design.group, xu[:, a] * xu[:, b], g)
    try:
        coef = np.linalg.solve(gram, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a mixture whose points cannot tell its scales apart
        coef = np.einsum("gij,gj->gi", np.linalg.pinv(gram), rhs)
    resid = np.einsum("np,np->n", xu, coef[design.group]) - target
    return float(resid @ resid), coef


def _project(design: _Design, weights: np.ndarray) -> tuple[float, float, np.ndarray]:
    """The exponents by a grid search of the projected objective, then Nelder-Mead."""
    values = np.array([[_solve(design, weights, a, b)[0] for b in _GRID] for a in _GRID])
    i, j = np.unravel_index(int(np.argmin(values)), values.shape)
    res = so.minimize(lambda z: _solve(design, weights, *np.exp(z))[0],
                      np.log([_GRID[i], _GRID[j]]), method="Nelder-Mead",
                      options={"xatol": 1e-5, "fatol": 1e-14, "maxiter": 400})
    alpha, beta = (float(v) for v in np.exp(res.x))
    return alpha, beta, _solve(design, weights, alpha, beta)[1]


def _value(design: _Design, alpha: float, beta: float, coef: np.ndarray) -> np.ndarray:
    value = np.einsum("np,np->n", design.columns(alpha, beta), coef[design.group])
    return np.maximum(value, 1e-300)


def _jacobian(design: _Design, alpha: float, beta: float, coef: np.ndarray) -> np.ndarray:
    """d log f / d (alpha, beta, then each mixture's scales in turn)."""
    n, p = len(design.ly), design.width
    f = _value(design, alpha, beta, coef)
    jac = np.zeros((n, 2 + design.groups * p))
    d_size, d_step = design.derivatives(alpha, beta)
    mine = coef[design.group]
    jac[:, 0] = mine[:, 1] * d_size / f
    jac[:, 1] = mine[np.arange(n), design.slot] * d_step / f
    x = design.columns(alpha, beta) / f[:, None]
    for a in range(p):
        jac[np.arange(n), 2 + design.group * p + a] = x[:, a]
    return jac


def _polish(design: _Design, weights: np.ndarray, alpha: float, beta: float,
            coef: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Least squares on log residuals over every parameter (Levenberg-Marquardt)."""
    root = np.sqrt(weights)
    shape = coef.shape

    def resid(z: np.ndarray) -> np.ndarray:
        return root * (np.log(_value(design, z[0], z[1], z[2:].reshape(shape))) - design.ly)

    def jac(z: np.ndarray) -> np.ndarray:
        return root[:, None] * _jacobian(design, z[0], z[1], z[2:].reshape(shape))

    start = np.concatenate([[alpha, beta], coef.ravel()])
    res = so.least_squares(resid, start, jac=jac, method="lm", xtol=1e-12, ftol=1e-12)
    z = res.x if res.success and np.all(np.isfinite(res.x)) else start
    return float(z[0]), float(z[1]), z[2:].reshape(shape)


def _per_size_weights(ln: np.ndarray, resid: np.ndarray, parameters: int) -> np.ndarray:
    """Inverse residual variance of each size's points (the degrees of freedom shared out
    in proportion to the points), scaled to average one."""
    sizes, index = np.unique(ln, return_inverse=True)
    share = max(1.0 - parameters / len(resid), 0.1)
    sse = np.bincount(index, resid ** 2, len(sizes))
    count = np.bincount(index, minlength=len(sizes))
    variance = np.maximum(sse / (count * share), 1e-30)
    w = 1.0 / variance[index]
    return w / w.mean()
