"""Intervals from the covariance matrix by the delta method (normal approximation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from ..common.checks import check_level
from ..engine.links import link_for
from ..laws.law import shaped

if TYPE_CHECKING:
    from .fitted import FittedLaw


def delta_interval(fit: FittedLaw, level: float, kind: str,
                   inputs: Mapping[str, Any]) -> tuple[Any, Any]:
    """Normal interval for the law's mean (or a new observation) at the inputs.

    For log losses the interval is symmetric in log space: ``f·exp(±z·s)`` with
    ``s² = ∇log f ᵀ Σ ∇log f`` (plus the residual variance for an observation). Parameters
    held at a bound (no variance) count as known; when no parameter has a variance (the
    covariance failed) both ends are NaN.
    """
    level = check_level(level)
    law = fit.law
    flat, shape = law.flat_inputs(inputs)
    cov = usable_cov(fit.cov)
    if cov is None:
        nan = np.full(flat[0].shape[-1], np.nan)
        return shaped(nan, shape), shaped(nan, shape)
    P = np.array([[fit.params[n] for n in law.parameter_names]], dtype=float)
    with np.errstate(all="ignore"):
        f = law.evaluate(flat, P)[0]
        J = law.jacobian(flat, P)[0]
        var = np.einsum("mi,ij,mj->m", J, cov, J)
        link = link_for(fit.loss)
        if not link.identity:  # the variance of h(f): J·h'(f)
            q = link.inverse_slope(f)
            var = var / (q * q)
        if kind == "observation":
            var = var + fit.residual_scale**2
        sd = np.sqrt(np.maximum(var, 0.0))
        z = float(stats.norm.ppf(0.5 + level / 2.0))
        if not link.identity:
            lo, hi = link.shifted(f, -z * sd), link.shifted(f, z * sd)
        else:
            lo, hi = f - z * sd, f + z * sd
    return shaped(lo, shape), shaped(hi, shape)


def usable_cov(cov: Any) -> np.ndarray | None:
    """``cov`` with the rows and columns of parameters without a variance (NaN diagonal: held
    at a bound) set to zero, or None when no parameter has a finite variance."""
    cov = np.array(cov, dtype=float)
    held = np.isnan(np.diag(cov))
    if not np.isfinite(np.diag(cov)).any():
        return None
    cov[held, :] = 0.0
    cov[:, held] = 0.0
    return cov
