"""Least-squares helpers shared by the diagnostics: small regressions solved from
their Gram matrices, the numerical rank of a design, and two-sided t-test p-values."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .common import Array


def ols(X: Array, t: Array) -> tuple[Array, Array]:
    """Least squares of ``t`` on ``X``: the coefficients and their two-sided t-test p-values
    (1 where undefined, e.g. without residual degrees of freedom)."""
    n, p = X.shape
    inv = pinv_gram(X.T @ X)
    beta = inv @ (X.T @ t)
    dof = n - p
    if dof < 1:
        return beta, np.ones(p)
    e = t - X @ beta
    var = np.diag(inv) * (float(e @ e) / dof)
    return beta, _t_p(beta, var, dof)


def ols_gram(G: Array, b: Array, tt: float, n: int,
             idx: list[int]) -> tuple[Array, Array, int]:
    """Least squares of ``t`` on the columns ``idx`` of a full-rank design, from the design's
    Gram matrix ``G = XᵀX``, ``b = Xᵀt`` and ``tt = tᵀt``: the coefficients, their variances
    and the residual degrees of freedom (variances nan without any)."""
    sub = G[np.ix_(idx, idx)]
    try:  # the columns are standardised: no scaling needed
        inv = np.linalg.inv(sub)
    except np.linalg.LinAlgError:
        inv = pinv_gram(sub)
    bs = b[idx]
    beta = inv @ bs
    dof = n - len(idx)
    if dof < 1:
        return beta, np.full(len(idx), np.nan), dof
    sse = max(tt - float(bs @ beta), 0.0)
    return beta, np.diag(inv) * (sse / dof), dof


#: eigenvalues of the column-scaled Gram matrix below this fraction of the largest count as
#: zero (singular values of the design below 1e-6 of the largest: its columns are collinear)
_RANK_TOL = 1e-12


def _scaled_eigh(G: Array) -> tuple[Array, Array, Array]:
    """Eigenvalues and vectors of ``G`` scaled to a unit diagonal, and the scale."""
    d = np.sqrt(np.diag(G))
    d = np.where(d > 0, d, 1.0)
    w, V = np.linalg.eigh(G / np.outer(d, d))
    return w, V, d


def pinv_gram(G: Array) -> Array:
    """The pseudo-inverse of a small Gram matrix ``XᵀX`` (column-scaled, so the columns'
    units do not matter; one small eigendecomposition instead of an SVD of ``X``)."""
    w, V, d = _scaled_eigh(G)
    keep = w > _RANK_TOL * max(float(w[-1]), np.finfo(float).tiny)
    return np.asarray((V[:, keep] / w[keep]) @ V[:, keep].T / np.outer(d, d))


def rank_gram(G: Array) -> int:
    """The numerical rank of the design whose Gram matrix is ``G``."""
    w, _, _ = _scaled_eigh(G)
    return int(np.sum(w > _RANK_TOL * max(float(w[-1]), np.finfo(float).tiny)))


def t_p_value(estimate: float, variance: float, dof: int) -> float:
    """The two-sided t-test p-value of one estimate with ``variance`` (1 where undefined)."""
    if dof < 1 or not (math.isfinite(estimate) and math.isfinite(variance)) or variance < 0:
        return 1.0
    if variance == 0:
        return 0.0 if estimate != 0 else 1.0
    p = float(2.0 * special.stdtr(dof, -abs(estimate) / math.sqrt(variance)))
    return p if math.isfinite(p) else 1.0


def _t_p(estimate: Array, variance: Array, dof: int) -> Array:
    """Two-sided t-test p-values of ``estimate`` with ``variance``, elementwise; 1 where
    undefined."""
    with np.errstate(all="ignore"):
        t = np.abs(estimate) / np.sqrt(variance)
        p = 2.0 * special.stdtr(dof, -t)
    zero_var = variance == 0
    p = np.where(zero_var, np.where(estimate != 0, 0.0, 1.0), p)
    bad = ~(np.isfinite(estimate) & np.isfinite(variance)) | (variance < 0) | ~np.isfinite(p)
    return np.asarray(np.where(bad, 1.0, p))
