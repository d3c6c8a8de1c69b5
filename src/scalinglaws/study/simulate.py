"""How wide a fit's forecast would be with other runs: outcomes simulated from the fitted law
at every run of a design (the fit's own runs plus candidates), the law refitted on each set of
outcomes, and the spread of the refits' forecasts at the target: the width of a ``level``
normal interval with the same interquartile range (robust to the few refits that wander off
in a long extrapolation, and steadier than the sets' own tail quantiles).

Every simulated set draws its noise from the same standard-normal table (common random
numbers), so two designs differ only by their runs, not by luck; the noise is the fit's, on the
scale of its objective (log residuals for the log losses): the larger of its residuals' robust
spread and their root mean square, corrected for the degrees of freedom the fit used (or the
run-to-run noise the user knows). The refits of one design are one batched call of the engine, from
the fitted parameters (:func:`scalinglaws.uncertainty.batchfit.refit_outcomes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..engine.objective import Objective
from ..fitting import FitResult
from ..uncertainty.batchfit import refit_outcomes
from ..uncertainty.refit import estimate_search, fit_data

Array = np.ndarray

#: the interquartile range of a standard normal: a spread read from the quartiles, which a few
#: dozen simulated sets estimate far more steadily than the tails of a 90% range
IQR_NORMAL = 1.3489795003921634
#: Newton iterations of a simulated refit from the fitted parameters (as the bootstrap's
#: refits): fewer stop refits short of their optimum, and the spread with them
MAX_ITER = 100
#: the smallest noise simulated, relative (a fit through its points would otherwise have none)
MIN_NOISE = 1e-4


@dataclass
class Simulator:
    """The fit's design and noise, ready to price more runs."""

    fit: FitResult
    columns: list[str]  # the law's input columns
    X: Array  # (m, n) the fit's runs
    weights: Array | None
    warm: Array  # the fitted parameters in search coordinates
    noise: float
    Z: Array  # (n_sim, n + extra) the common random numbers
    level: float

    @classmethod
    def of(cls, fit: FitResult, *, n_sim: int, extra: int, level: float,
           seed: int | None, noise: float | None = None, data: Any = None) -> Simulator:
        ds = fit_data(fit, data, "suggest_runs")
        columns = [str(c) for c in fit.law.inputs.values()]
        X = np.vstack([ds.column(c) for c in columns])
        obj = _objective(fit, X, ds.column(fit.target), fit.case_weights)
        warm = estimate_search(fit, obj)
        r = obj.residual_jacobian(warm[None, :])[0][0]
        r = r[np.isfinite(r)]
        scale = float(np.median(np.abs(ds.column(fit.target)))) if obj.link.identity else 1.0
        if noise is None:
            noise = residual_noise(r, len(fit.law.parameters))
        noise = max(float(noise), MIN_NOISE * scale)
        Z = np.random.default_rng(seed).standard_normal((n_sim, X.shape[1] + extra))
        return cls(fit, columns, X, fit.case_weights, warm, noise, Z, level)

    def inputs(self, frame: pd.DataFrame) -> Array:
        """The law's inputs of the rows of ``frame`` (m, k)."""
        return np.vstack([frame[c].to_numpy(dtype=float) for c in self.columns])

    def width(self, new: Array, target: Array) -> tuple[float, Array]:
        """The ``level`` range of the forecasts at ``target`` (m, 1) of refits on the fit's
        runs plus ``new`` (m, k), and the forecasts themselves."""
        X = np.hstack([self.X, new]) if new.size else self.X
        n = X.shape[1]
        weights = None if self.weights is None else np.concatenate(
            [self.weights, np.ones(n - self.X.shape[1])])
        law = self.fit.law
        mean = np.asarray(law.evaluate([x[None, :] for x in X], self._natural()), dtype=float)[0]
        obj = _objective(self.fit, X, mean, weights)
        if not obj.link.identity:
            Y = obj.link.untransform(obj.link.transform(mean)[None, :]
                                     + self.noise * self.Z[:, :n])
        else:
            Y = mean[None, :] + self.noise * self.Z[:, :n]
        refits = refit_outcomes(obj, self.warm, Y, max_iter=MAX_ITER)
        ok = np.isfinite(refits.params).all(axis=1)
        if ok.sum() < max(3, self.Z.shape[0] // 2):
            return np.inf, np.full(self.Z.shape[0], np.nan)
        with np.errstate(all="ignore"):
            pred = np.asarray(law.evaluate([t[None, :] for t in target], refits.params[ok]),
                              dtype=float)[:, 0]
        pred = pred[np.isfinite(pred)]
        q1, q3 = np.quantile(pred, [0.25, 0.75])
        return float((q3 - q1) / IQR_NORMAL * 2.0 * NormalDist().inv_cdf(0.5 + self.level / 2)
                     ), pred

    def target_scale(self, target: Array) -> float:
        """What turns a spread on the objective's scale into one of the forecast: the
        1/h'(f) of the objective's link at the forecast f: f (+ shift) for the log objectives,
        f (1 − f) for the logit, else 1."""
        obj = _objective(self.fit, self.X, np.ones(self.X.shape[1]), None)
        if obj.link.identity:
            return 1.0
        f = np.asarray(self.fit.law.evaluate([t[None, :] for t in target], self._natural()),
                       dtype=float)[0, 0]
        return float(obj.link.inverse_slope(f))

    def jacobian(self, X: Array) -> Array:
        """Rows of the Jacobian of the objective's residuals at the fit (k, p), for runs
        ``X`` (m, k): what the linear screening of candidates reads."""
        mean = np.asarray(self.fit.law.evaluate([x[None, :] for x in X], self._natural()),
                          dtype=float)[0]
        obj = _objective(self.fit, X, mean, None)
        return np.asarray(obj.residual_jacobian(self.warm[None, :])[1][0])

    def _natural(self) -> Array:
        names = self.fit.law.parameter_names
        return np.array([[self.fit.params[k] for k in names]], dtype=float)


def residual_noise(r: Array, p: int) -> float:
    """The spread of a run's outcome around the law, from a fit's residuals ``r`` with ``p``
    parameters: the larger of the robust spread (1.4826·MAD) and the root mean square, each
    corrected for the degrees of freedom the fit used (a fit of 5 parameters to 9 runs leaves
    residuals about 1.5 times smaller than the runs' noise)."""
    if r.size == 0:
        return 0.0
    dof = max(r.size - p, 1)
    mad = 1.4826 * float(np.median(np.abs(r - np.median(r)))) * np.sqrt(r.size / dof)
    rms = float(np.sqrt(np.sum(r * r) / dof))
    return max(mad, rms)


def _objective(fit: FitResult, X: Array, y: Array, weights: Any) -> Objective:
    return Objective(fit.law, [x[None, :] for x in X], np.asarray(y, dtype=float), fit.loss,
                     fit.delta, fit.overestimate_penalty, weights)


def linear_gain(J: Array, Jc: Array, g: Array, ridge: float = 1e-9) -> Array:
    """How much each candidate row of ``Jc`` (c, p) would shrink the linearised variance of
    the forecast whose gradient is ``g`` (p,), given the design's Jacobian ``J`` (n, p)
    (Sherman–Morrison on the information matrix JᵀJ)."""
    M = J.T @ J
    M = M + ridge * (np.trace(M) / max(M.shape[0], 1) + 1e-300) * np.eye(M.shape[0])
    Minv = np.linalg.pinv(M)
    u = Jc @ (Minv @ g)
    q = np.einsum("cp,pq,cq->c", Jc, Minv, Jc)
    return u * u / (1.0 + q)
