"""Diagnostics of a fit and of its data: residual trends, non-monotone data, extrapolation.

Every function here is pure numpy/scipy, quiet (no numpy warnings) and returns findings rather
than warning itself; the caller decides how to surface them.

- :func:`residual_trend` — do the log residuals still vary systematically with an input?
  (a law that misses a break or a term leaves a curved residual pattern)
- :func:`monotonicity` — are the data themselves U-shaped or increasing in an input, so that
  no monotone decreasing power law can follow them?
- :func:`extrapolation` — how far beyond the fitted data does a query lie?
- :func:`points_per_parameter` — are there enough points for the number of free parameters?

:class:`Diagnostics` gathers the findings of one fit (the fit engine builds it for every
:class:`~scalinglaws.FitResult`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import special
from scipy.stats import rankdata

from ..data.jsonvalues import float_text
from ..exceptions import DataError, OptionError

Array = np.ndarray

#: a trend counts only if its range over the data is at least this fraction of the residual std
TREND_MIN_RANGE = 0.5
#: significance level of the quadratic term and of the slope in :func:`monotonicity`
SHAPE_ALPHA = 0.01
#: a turning point counts only inside this central fraction of the data's log-x range
SHAPE_CENTRAL = 0.9
#: equally good starts whose parameters differ by more than this (relative) mean the optimum
#: is not unique
SPREAD_TOL = 0.01
#: fewer data points per free parameter than this is reported
MIN_POINTS_PER_PARAMETER = 5.0


# -- formatting -----------------------------------------------------------------------------------

def _p(p: float) -> str:
    """A p-value in one or two significant digits, floored at the float resolution."""
    if not math.isfinite(p):
        return "nan"
    if p < 1e-16:
        return "<1e-16"
    return f"={p:.1g}"


def _fold(f: float) -> str:
    """A fold factor: ``1.7``, ``23``, ``1.2e+05``."""
    if f < 10:
        return f"{f:.2g}"
    if f < 1e4:
        return f"{f:.0f}"
    return f"{f:.2g}"


# -- residual trends ------------------------------------------------------------------------------

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
                    f"(p{_p(self.p_value)})")
        return (f"residuals trend with log({self.column}) (slope {self.slope:.3g}, "
                f"curvature {self.curvature:.3g}, p{_p(self.p_value)}): the law misses "
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
        _check_length(column, x.size, n_all, "residuals")
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
    inv = _pinv_gram(X.T @ X)
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


# -- monotonicity of the data ---------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    """A non-monotone or increasing dependence of the data on one input.

    ``kind`` is ``"u_shaped"`` (the log-log slope changes sign at ``turning_point``, a minimum
    when ``curvature > 0``, a maximum otherwise) or ``"inverse"`` (``y`` rises with the input;
    ``turning_point`` is None). ``p_value`` is, for u_shaped, the largest of the p-values of
    the quadratic term and of the two slopes either side of the turning point; for inverse,
    that of the slope. ``slope`` is the partial log-log slope ``d log y / d log x`` of the
    linear regression (the average slope over the data); ``curvature`` the coefficient of
    ``(log x)²`` in the quadratic one.
    """

    column: str
    kind: Literal["u_shaped", "inverse"]
    turning_point: float | None
    p_value: float
    slope: float = math.nan
    curvature: float = math.nan

    @property
    def message(self) -> str:
        """A one-line, human-readable finding."""
        if self.kind == "u_shaped":
            where = "minimum" if self.curvature >= 0 else "maximum"
            shape = "U-shaped" if self.curvature >= 0 else "∩-shaped"
            return (f"the data are {shape} in {self.column} ({where} near "
                    f"{self.turning_point:.2g}, p{_p(self.p_value)}): a monotone power law "
                    f"cannot follow them; fit each side separately or use a law with a break")
        return (f"the data rise with {self.column} (average log-log slope {self.slope:+.3g}, "
                f"p{_p(self.p_value)}): a law that falls with {self.column} cannot follow "
                f"them; check the column and the direction of the target")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (non-finite numbers as the strings ``"nan"``, ``"inf"``)."""
        return {"column": self.column, "kind": self.kind,
                "turning_point": (None if self.turning_point is None
                                  else float_text(self.turning_point)),
                "p_value": float_text(self.p_value), "slope": float_text(self.slope),
                "curvature": float_text(self.curvature)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Shape:
        kind = str(d["kind"])
        if kind not in ("u_shaped", "inverse"):
            raise ValueError(f"unknown shape kind {kind!r}")
        turning = d.get("turning_point")
        return cls(str(d["column"]), "u_shaped" if kind == "u_shaped" else "inverse",
                   None if turning is None else float(turning), float(d["p_value"]),
                   float(d.get("slope", "nan")), float(d.get("curvature", "nan")))


def monotonicity(inputs: Mapping[str, Array], y: Array) -> list[Shape]:
    """Flag inputs in which the data are U-shaped or increasing.

    For each input ``x`` under test, ``log y`` is regressed on an intercept, every usable log
    input (linearly) and ``(log x)²``. The input is flagged

    - ``"u_shaped"`` when the partial slope ``d log y / d log x = b1 + 2 b2 log x`` changes
      sign inside the central 90% of the observed log-x range, the quadratic term is
      significant (t-test, p < 0.01), *and* an interrupted ("two lines") regression broken at
      that turning point finds significant slopes of opposite signs on the two sides
      (each p < 0.01). The last check matters: a quadratic finds an inner turning point in
      any curved monotone data, e.g. a saturating ``E + A x^-a`` over several decades;
    - ``"inverse"`` otherwise, when the partial slope of the linear regression (no square)
      is positive and significant (p < 0.01): ``y`` rises with ``x`` on average.

    Parameters
    ----------
    inputs
        Column name -> its values (one per point). Inputs with non-positive or non-finite
        values are skipped (neither tested nor used as covariates); inputs with fewer than four
        distinct values are not tested (but still used as covariates).
    y
        The target, one per point; points with a non-positive or non-finite target are
        dropped.

    Returns
    -------
    list of Shape
        Only the flagged inputs, in the order of ``inputs``.

    Raises
    ------
    DataError
        An input's length differs from ``y``'s.
    """
    yv = np.asarray(y, dtype=float).ravel()
    n_all = yv.size
    with np.errstate(all="ignore"):
        rows = np.isfinite(yv) & (yv > 0)
        ly = np.log(yv[rows])
        logs: dict[str, Array] = {}
        for column, values in inputs.items():
            x = np.asarray(values, dtype=float).ravel()
            _check_length(column, x.size, n_all, "y")
            x = x[rows]
            if x.size and np.all(np.isfinite(x)) and np.all(x > 0):
                logs[column] = np.log(x)
        if ly.size < 5:
            return []
        out: list[Shape] = []
        for column, lx in logs.items():
            if np.unique(lx).size < 4:
                continue
            shape = _shape(column, ly, lx, [v for c, v in logs.items() if c != column])
            if shape is not None:
                out.append(shape)
    return out


def _shape(column: str, ly: Array, lx: Array, others: list[Array]) -> Shape | None:
    """The quadratic, two-lines and linear partial regressions of one input (see
    :func:`monotonicity`).

    The linear and quadratic models are sub-models of ``[1, z, z², covariates]``; both, and the
    collinearity checks of the covariates, are solved from that one design's Gram matrix.
    """
    n = ly.size
    X = np.empty((n, 3 + len(others)))
    X[:, 0] = 1.0
    m, sd = _standardise(lx, X[:, 1])
    if not sd > 0:
        return None
    z = X[:, 1]
    np.multiply(z, z, out=X[:, 2])
    usable = [_standardise(lo, X[:, 3 + i])[1] > 0 for i, lo in enumerate(others)]
    t = ly - ly.sum() / n  # every model has an intercept: centring changes only the intercept
    G, b, tt = X.T @ X, X.T @ t, float(t @ t)
    keep = [0, 1]
    for j in range(3, X.shape[1]):  # covariates, each kept only if not collinear with the rest
        idx = [*keep, j, 2]
        if usable[j - 3] and _rank_gram(G[np.ix_(idx, idx)]) == len(idx):
            keep.append(j)
    covariates = X[:, keep[2:]]
    beta, var, dof = _ols_gram(G, b, tt, n, keep)
    slope_z, p_slope = float(beta[1]), _t_p1(float(beta[1]), float(var[1]), dof)
    slope = slope_z / sd
    beta, var, dof = _ols_gram(G, b, tt, n, [0, 1, 2, *keep[2:]])
    b1, b2, p_quad = float(beta[1]), float(beta[2]), _t_p1(float(beta[2]), float(var[2]), dof)
    curvature = b2 / sd**2
    if b2 != 0.0 and p_quad < SHAPE_ALPHA:
        z_turn = -b1 / (2.0 * b2)
        lo_z, hi_z = float(z.min()), float(z.max())
        margin = 0.5 * (1.0 - SHAPE_CENTRAL) * (hi_z - lo_z)
        if lo_z + margin <= z_turn <= hi_z - margin:
            p_two = _two_lines(z, ly, covariates, z_turn, b2 > 0)
            if p_two < SHAPE_ALPHA:
                return Shape(column, "u_shaped", float(np.exp(m + sd * z_turn)),
                             max(p_quad, p_two), slope, curvature)
    if slope_z > 0 and p_slope < SHAPE_ALPHA:
        return Shape(column, "inverse", None, p_slope, slope, curvature)
    return None


def _standardise(x: Array, out: Array) -> tuple[float, float]:
    """Write ``(x - mean) / sd`` into ``out``; returns ``(mean, sd)`` (when ``sd`` is not
    positive and finite, ``out`` is zeroed and ``sd`` comes back as 0)."""
    m = float(x.sum()) / x.size
    np.subtract(x, m, out=out)
    sd = math.sqrt(float(out @ out) / x.size)
    if not (math.isfinite(sd) and sd > 0):
        out[:] = 0.0
        return m, 0.0
    out /= sd
    return m, sd


def _two_lines(z: Array, ly: Array, covariates: Array, z_break: float, minimum: bool) -> float:
    """Interrupted regression at ``z_break`` (Simonsohn 2018, "Two lines"): the larger of the
    p-values of the slopes below and above the break, or 1 when their signs are not those of
    a minimum (``minimum``; else a maximum) or a side has fewer than two distinct points.

    A quadratic fit finds a turning point in any convex or concave monotone curve (e.g. a
    saturating power law ``E + A x^-a`` over several decades); the two lines confirm that the
    data really fall on one side of it and rise on the other.
    """
    high = z >= z_break
    if np.unique(z[high]).size < 2 or np.unique(z[~high]).size < 2:
        return 1.0
    d = z - z_break
    X = np.column_stack([np.ones(z.size), high, np.where(high, 0.0, d), np.where(high, d, 0.0),
                         covariates])
    if _rank_gram(X.T @ X) < X.shape[1]:
        return 1.0
    beta, pv = _ols(X, ly)
    sign = 1.0 if minimum else -1.0
    if not (sign * beta[2] < 0 < sign * beta[3]):
        return 1.0
    return float(max(pv[2], pv[3]))


def _ols(X: Array, t: Array) -> tuple[Array, Array]:
    """Least squares of ``t`` on ``X``: the coefficients and their two-sided t-test p-values
    (1 where undefined, e.g. without residual degrees of freedom)."""
    n, p = X.shape
    inv = _pinv_gram(X.T @ X)
    beta = inv @ (X.T @ t)
    dof = n - p
    if dof < 1:
        return beta, np.ones(p)
    e = t - X @ beta
    var = np.diag(inv) * (float(e @ e) / dof)
    return beta, _t_p(beta, var, dof)


def _ols_gram(G: Array, b: Array, tt: float, n: int,
              idx: list[int]) -> tuple[Array, Array, int]:
    """Least squares of ``t`` on the columns ``idx`` of a full-rank design, from the design's
    Gram matrix ``G = XᵀX``, ``b = Xᵀt`` and ``tt = tᵀt``: the coefficients, their variances
    and the residual degrees of freedom (variances nan without any)."""
    sub = G[np.ix_(idx, idx)]
    try:  # the columns are standardised: no scaling needed
        inv = np.linalg.inv(sub)
    except np.linalg.LinAlgError:
        inv = _pinv_gram(sub)
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


def _pinv_gram(G: Array) -> Array:
    """The pseudo-inverse of a small Gram matrix ``XᵀX`` (column-scaled, so the columns'
    units do not matter; one small eigendecomposition instead of an SVD of ``X``)."""
    w, V, d = _scaled_eigh(G)
    keep = w > _RANK_TOL * max(float(w[-1]), np.finfo(float).tiny)
    return np.asarray((V[:, keep] / w[keep]) @ V[:, keep].T / np.outer(d, d))


def _rank_gram(G: Array) -> int:
    """The numerical rank of the design whose Gram matrix is ``G``."""
    w, _, _ = _scaled_eigh(G)
    return int(np.sum(w > _RANK_TOL * max(float(w[-1]), np.finfo(float).tiny)))


def _t_p1(estimate: float, variance: float, dof: int) -> float:
    """:func:`_t_p` of one estimate."""
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


# -- extrapolation and determination --------------------------------------------------------------

def extrapolation(input_ranges: Mapping[str, tuple[float, float]],
                  query: Mapping[str, Array | float], factor: float = 10.0) -> list[str]:
    """Messages for query values that lie far outside the fitted data.

    For each column of ``query`` that has a range ``(lo, hi)``, the fold distance of a value
    ``q`` is ``max(q / hi, lo / q)`` (above 1 outside the range). When the worst value of a
    column lies more than ``factor`` times beyond the range, one message names it.

    Parameters
    ----------
    input_ranges
        Column -> ``(min, max)`` of the data the law was fitted on.
    query
        Column -> the query value(s). Columns without a range and non-positive or non-finite
        values are ignored.
    factor
        How many times beyond the range a value may lie before it is reported; > 1.

    Returns
    -------
    list of str
        At most one message per column, in the order of ``query``.

    Raises
    ------
    OptionError
        ``factor`` is not greater than 1.
    """
    if not factor > 1.0:
        raise OptionError(f"the extrapolation factor must be greater than 1, got {factor!r}",
                          "argument 'factor'", "e.g. factor=10 for one order of magnitude")
    out: list[str] = []
    for column, values in query.items():
        if column not in input_ranges:
            continue
        a, b = (float(v) for v in input_ranges[column])
        lo, hi = min(a, b), max(a, b)
        q = np.asarray(values, dtype=float).ravel()
        q = q[np.isfinite(q) & (q > 0)]
        if not q.size:
            continue
        with np.errstate(all="ignore"):
            above = q / hi if np.isfinite(hi) and hi > 0 else np.zeros_like(q)
            below = lo / q if np.isfinite(lo) and lo > 0 else np.zeros_like(q)
        fold = np.fmax(above, below)
        fold = np.where(np.isfinite(fold), fold, 0.0)
        i = int(np.argmax(fold))
        if fold[i] > factor:
            side = f"max {hi:.3g}" if above[i] >= below[i] else f"min {lo:.3g}"
            out.append(f"query {column}={q[i]:.3g} lies {_fold(float(fold[i]))}x beyond the "
                       f"fitted data ({side}); predictions this far out are extrapolations")
    return out


def points_per_parameter(n_points: int, n_params: int, minimum: float = 5.0) -> str | None:
    """A warning when there are fewer than ``minimum`` data points per free parameter.

    Returns
    -------
    str or None
        The message, or None when ``n_points / n_params >= minimum`` (or there are no free
        parameters).
    """
    if n_params <= 0:
        return None
    ratio = n_points / n_params
    if ratio >= minimum:
        return None
    state = "underdetermined" if n_points < n_params else "barely determined"
    pts = "point" if n_points == 1 else "points"
    prm = "parameter" if n_params == 1 else "parameters"
    return (f"only {ratio:.3g} points per parameter ({n_points} {pts}, {n_params} {prm}): the "
            f"fit is {state}; add runs or fix parameters")


# -- the diagnostics of one fit -------------------------------------------------------------------

def flat_message(name: str, condition: float) -> str:
    """The warning for a flat direction dominated by parameter ``name``."""
    return (f"the data barely constrain '{name}' (flat direction, condition number "
            f"{condition:.1e}): its error bar is not reliable; fix it or add runs that vary it")


_points_message = points_per_parameter  # the field of the same name shadows it in Diagnostics


@dataclass(frozen=True)
class Diagnostics:
    """What the fit engine found about one fit, beyond its status.

    Attributes
    ----------
    at_bound
        Parameters whose estimate sits at a bound of their range.
    condition
        Condition number of the column-scaled ``JᵀJ`` at the optimum (free parameters; see
        :mod:`scalinglaws.fit.covariance`); above 1e14 a direction counts as flat.
    flat
        The parameter that dominates a flat direction (empty when there is none).
    start_spread
        Largest relative difference of a parameter between the best start and the other
        starts whose objective is within 1e-6 (relative) of the best; 0 with only one such
        start. Above ``SPREAD_TOL`` the optimum is not unique.
    residual_trends
        The significant trends of the residuals in the law's inputs (:func:`residual_trend`).
    shapes
        The law's inputs in which the data are U-shaped or rising (:func:`monotonicity`).
    points_per_parameter
        Data points per free parameter (``n_points / n_params``).
    n_points, n_params
        The counts behind ``points_per_parameter``.
    """

    at_bound: tuple[str, ...] = ()
    condition: float = math.nan
    flat: tuple[str, ...] = ()
    start_spread: float = 0.0
    residual_trends: tuple[Trend, ...] = ()
    shapes: tuple[Shape, ...] = ()
    points_per_parameter: float = math.nan
    n_points: int = 0
    n_params: int = 0

    @property
    def messages(self) -> list[str]:
        """One line per problem: parameters at a bound, a flat direction, equally good starts
        that disagree, residual trends, data shapes, too few points per parameter."""
        out = [f"parameter '{name}' sits at a bound: the optimum may lie beyond it; widen the "
               "bound or question the law" for name in self.at_bound]
        if self.flat:
            out.append(flat_message(self.flat[0], self.condition))
        if self.start_spread > SPREAD_TOL:
            out.append(f"starts reach the same objective with parameters up to "
                       f"{self.start_spread:.0%} apart: the optimum is not unique; constrain "
                       "the parameters that differ")
        return out + self.model_messages

    @property
    def model_messages(self) -> list[str]:
        """The messages about the law and the data (residual trends, shapes, points per
        parameter): the ones the fit engine adds to the fit's warnings (it words its own
        warnings for bounds, flat directions and starts)."""
        out = [t.message for t in self.residual_trends if t.significant]
        out += [s.message for s in self.shapes]
        few = _points_message(self.n_points, self.n_params, MIN_POINTS_PER_PARAMETER)
        if few is not None:
            out.append(few)
        return out

    @property
    def ok(self) -> bool:
        """No problem found (``messages`` is empty)."""
        return not self.messages

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``from_dict`` reads it back); includes the ``messages``."""
        return {
            "at_bound": list(self.at_bound),
            "condition": float_text(self.condition),
            "flat": list(self.flat),
            "start_spread": float_text(self.start_spread),
            "residual_trends": [t.to_dict() for t in self.residual_trends],
            "shapes": [s.to_dict() for s in self.shapes],
            "points_per_parameter": float_text(self.points_per_parameter),
            "n_points": self.n_points,
            "n_params": self.n_params,
            "ok": self.ok,
            "messages": self.messages,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Diagnostics:
        """Read back :meth:`to_dict` (``ok`` and ``messages`` are recomputed)."""
        return cls(
            at_bound=tuple(str(n) for n in d.get("at_bound", ())),
            condition=float(d.get("condition", "nan")),
            flat=tuple(str(n) for n in d.get("flat", ())),
            start_spread=float(d.get("start_spread", 0.0)),
            residual_trends=tuple(Trend.from_dict(t) for t in d.get("residual_trends", ())),
            shapes=tuple(Shape.from_dict(t) for t in d.get("shapes", ())),
            points_per_parameter=float(d.get("points_per_parameter", "nan")),
            n_points=int(d.get("n_points", 0)),
            n_params=int(d.get("n_params", 0)),
        )



def _check_length(column: str, size: int, n: int, against: str) -> None:
    if size != n:
        raise DataError(f"input '{column}' has {size} values but there are {n} {against}",
                        f"column '{column}'", "pass one value per data point")
