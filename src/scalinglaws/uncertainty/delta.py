"""Intervals from the covariance matrix by the delta method (normal approximation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from .resample import check_level

if TYPE_CHECKING:
    from ..fit.result import FitResult


def delta_interval(fit: FitResult, level: float, kind: str,
                   inputs: Mapping[str, Any]) -> tuple[Any, Any]:
    """Normal interval for the law's mean (or a new observation) at the inputs.

    For log losses the interval is symmetric in log space: ``f·exp(±z·s)`` with
    ``s² = ∇log f ᵀ Σ ∇log f`` (plus the residual variance for an observation).
    """
    level = check_level(level)
    law = fit.law
    X = law.input_arrays(inputs)
    shape = np.broadcast_shapes(*(x.shape for x in X))
    flat = [np.broadcast_to(x, shape).reshape(1, -1) for x in X]
    P = np.array([[fit.params[n] for n in law.parameter_names]], dtype=float)
    cov = np.nan_to_num(np.asarray(fit.cov, dtype=float), nan=0.0)
    with np.errstate(all="ignore"):
        f = law.evaluate(flat, P)[0]
        J = law.jacobian(flat, P)[0]
        var = np.einsum("mi,ij,mj->m", J, cov, J)
        log_space = fit.loss != "mse"
        if log_space:
            var = var / (f * f)
        if kind == "observation":
            var = var + fit.residual_scale**2
        sd = np.sqrt(np.maximum(var, 0.0))
        z = float(stats.norm.ppf(0.5 + level / 2.0))
        if log_space:
            lo, hi = f * np.exp(-z * sd), f * np.exp(z * sd)
        else:
            lo, hi = f - z * sd, f + z * sd
    return _shaped(lo, shape), _shaped(hi, shape)


def _shaped(values: np.ndarray, shape: tuple[int, ...]) -> Any:
    out = np.asarray(values).reshape(shape)
    return float(out) if out.ndim == 0 else out
