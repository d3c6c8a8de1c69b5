"""Residual trends: do the log residuals of a fit still vary systematically with an input?

A law that misses a break or a term leaves a curved residual pattern; :func:`residual_trend`
tests each input for one and returns a :class:`Trend` per input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from ...common.jsonvalues import float_text
from ...exceptions import OptionError
from .common import Array, check_length, p_text
from .leastsq import pinv_gram

#: a trend counts only if its range over the data is at least this fraction of the residual std
TREND_MIN_RANGE = 0.5


@dataclass(frozen=True)
class Trend:
    """A regression of the log residuals on ``[1, z, z²]``, ``z`` the standardised log input.

    ``slope`` and ``curvature`` are the least-squares coefficients of ``z`` and ``z²`` (in
    log-residual units per standard deviation of the log input; ``curvature`` is 0 when the
    input has fewer than three distinct values and only the linear term was fitted).
    ``p_value`` is the F-test of the trend terms against the intercept alone and ``r2`` its
    R², both from the same regression of the residuals' *normal scores* (van der Waerden:
    ``Φ⁻¹((rank - ½)/n)``), so that a few outlying runs, which a Huber fit deliberately
    discounts, can neither make a trend nor hide one (an outlier is one extreme rank, whatever
    its size; for normal residuals the scores are the standardised residuals, and the test
    loses nothing). ``significant`` needs ``p_value < alpha`` *and* a fitted trend (of the
    scores) whose range over the data is at least half their standard deviation.
    """

    column: str
    slope: float
    curvature: float
    r2: float
    p_value: float
    significant: bool

    @property
    def message(self) -> str:
        """A one-line, human-readable finding."""
        if not self.significant:
            return (f"residuals show no systematic trend with log({self.column}) "
                    f"(p{p_text(self.p_value)})")
        return (f"residuals trend with log({self.column}) (slope {self.slope:.3g}, "
                f"curvature {self.curvature:.3g}, p{p_text(self.p_value)}): the law misses "
                f"systematic structure in {self.column}; consider a law with a break or "
                f"more terms")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (non-finite numbers as the strings ``"nan"``, ``"inf"``)."""
        return {"column": self.column, "slope": float_text(self.slope),
                "curvature": float_text(self.curvature), "r2": float_text(self.r2),
                "p_value": float_text(self.p_value), "significant": self.significant}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Trend:
        return cls(str(d["column"]), float(d["slope"]), float(d["curvature"]), float(d["r2"]),
                   float(d["p_value"]), bool(d["significant"]))


def residual_trend(residuals: Array, inputs: Mapping[str, Array], *,
                   alpha: float = 0.01) -> list[Trend]:
    """Test each input for a systematic (linear + quadratic) trend of the log residuals.

    Parameters
    ----------
    residuals
        The fit's log residuals ``log f - log y``, one per data point.
    inputs
        Column name -> its values (one per point, positive; others are left out of that
        column's regression).
    alpha
        Significance level of the F-test, in (0, 1).

    Returns
    -------
    list of Trend
        One per input that could be tested, in the order of ``inputs``; filter on
        ``Trend.significant`` for the ones to report. Inputs with fewer than two distinct
        (positive) values, or fewer than four usable points, are skipped; with two distinct
        values only the linear term is fitted. Degenerate data (constant residuals or
        inputs) never raise and never come back significant.

    Raises
    ------
    OptionError
        ``alpha`` is not in (0, 1).
    DataError
        An input's length differs from the residuals'.
    """
    if not 0.0 < alpha < 1.0:
        raise OptionError(f"alpha must lie in (0, 1), got {alpha!r}", "argument 'alpha'",
                          "e.g. alpha=0.01")
    r_all = np.asarray(residuals, dtype=float).ravel()
    n_all = r_all.size
    if n_all <= 3:
        return []
    out: list[Trend] = []
    scores: Array | None = None  # of all residuals, shared by the inputs that use them all
    for column, values in inputs.items():
        x = np.asarray(values, dtype=float).ravel()
        check_length(column, x.size, n_all, "residuals")
        with np.errstate(all="ignore"):
            keep = np.isfinite(r_all) & np.isfinite(x) & (x > 0)
            if keep.all():
                if scores is None:
                    scores = _normal_scores(r_all)
                trend = _trend(column, r_all, np.log(x), alpha, scores)
            else:
                r = r_all[keep]
                trend = _trend(column, r, np.log(x[keep]), alpha, _normal_scores(r))
        if trend is not None:
            out.append(trend)
    return out


def _normal_scores(r: Array) -> Array:
    """``Φ⁻¹((rank - ½)/n)``, ties given their average rank."""
    n = r.size
    order = np.argsort(r, kind="stable")
    ordered = r[order]
    if n > 1 and bool((ordered[1:] == ordered[:-1]).any()):
        from scipy.stats import rankdata  # scipy.stats loads in ~0.3 s: only when needed

        ranks = rankdata(r)
    else:
        ranks = np.empty(n)
        ranks[order] = np.arange(1.0, n + 1.0)
    return np.asarray(special.ndtri((ranks - 0.5) / n))


def _trend(column: str, r: Array, lx: Array, alpha: float, s: Array) -> Trend | None:
    """The trend of ``r ~ 1 + z (+ z²)`` and its F-test on ``s``, the normal scores of ``r``;
    None when it cannot be carried out. (Written with few numpy calls: it runs on every fit.)"""
    n = r.size
    if n <= 3:
        return None
    lo, hi = float(lx.min()), float(lx.max())
    if not hi > lo:  # fewer than two distinct values
        return None
    k = 2 if bool(((lx > lo) & (lx < hi)).any()) else 1  # a third distinct value: add z²
    if n - k - 1 < 1:
        return None
    c = lx - lx.sum() / n
    sd = math.sqrt(float(c @ c) / n)
    if not np.isfinite(sd) or sd <= 0:
        return None
    X = np.empty((n, k + 1))
    X[:, 0] = 1.0
    X[:, 1] = c / sd
    if k == 2:
        X[:, 2] = X[:, 1] * X[:, 1]
    inv = pinv_gram(X.T @ X)
    beta = inv @ (X.T @ r)
    slope = float(beta[1])
    curvature = float(beta[2]) if k == 2 else 0.0
    dev = r - r.sum() / n
    # constant (or numerically constant) residuals: nothing to explain
    scale = max(float(np.abs(r).max()), np.finfo(float).tiny)
    if not np.isfinite(float(dev @ dev)) or float(dev @ dev) <= (1e-12 * scale) ** 2 * n:
        return Trend(column, slope, curvature, 0.0, 1.0, False)
    # the test, the r² and the size of the trend on the residuals' normal scores (van der
    # Waerden): an outlier counts as one extreme rank, whatever its size
    bs = inv @ (X.T @ s)
    fitted = X[:, 1:] @ bs[1:]
    e = s - X @ bs
    sse = float(e @ e)
    dev = s - s.sum() / n
    sst = float(dev @ dev)
    if not sst > 0:
        return Trend(column, slope, curvature, 0.0, 1.0, False)
    r2 = min(max(1.0 - sse / sst, 0.0), 1.0)
    dof = n - k - 1
    if sse <= 1e-24 * sst:
        p_value = 0.0
    else:
        f_stat = ((sst - sse) / k) / (sse / dof)
        p_value = float(special.fdtrc(k, dof, f_stat))
    if not np.isfinite(p_value):
        p_value = 1.0
    practical = float(fitted.max() - fitted.min()) >= TREND_MIN_RANGE * math.sqrt(sst / n)
    return Trend(column, slope, curvature, r2, p_value, bool(p_value < alpha and practical))
