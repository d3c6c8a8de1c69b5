"""Diagnostics of a fit and of its data: residual trends, non-monotone data, extrapolation.

Every function here is pure numpy/scipy, quiet (no numpy warnings) and returns findings rather
than warning itself; the caller decides how to surface them.

- :func:`residual_trend` — do the log residuals still vary systematically with an input?
  (a law that misses a break or a term leaves a curved residual pattern)
- :func:`monotonicity` — are the data themselves U-shaped or increasing in an input, so that
  no monotone decreasing power law can follow them?
- :func:`extrapolation` — how far beyond the fitted data does a query lie?
- :func:`points_per_parameter` — are there enough points for the number of free parameters?
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from ..exceptions import DataError, OptionError

Array = np.ndarray

#: a trend counts only if its range over the data is at least this fraction of the residual std
TREND_MIN_RANGE = 0.5
#: significance level of the quadratic term and of the slope in :func:`monotonicity`
SHAPE_ALPHA = 0.01
#: a turning point counts only inside this central fraction of the data's log-x range
SHAPE_CENTRAL = 0.9


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

    ``slope`` and ``curvature`` are the coefficients of ``z`` and ``z²`` (in log-residual units
    per standard deviation of the log input; ``curvature`` is 0 when the input has fewer than
    three distinct values and only the linear term was fitted). ``p_value`` is the F-test of
    the trend terms against the intercept alone; ``significant`` needs ``p_value < alpha`` *and*
    a fitted trend whose range over the data is at least half the residuals' standard deviation.
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
    for column, values in inputs.items():
        x = np.asarray(values, dtype=float).ravel()
        _check_length(column, x.size, n_all, "residuals")
        with np.errstate(all="ignore"):
            keep = np.isfinite(r_all) & np.isfinite(x) & (x > 0)
            trend = _trend(column, r_all[keep], np.log(x[keep]), alpha)
        if trend is not None:
            out.append(trend)
    return out


def _trend(column: str, r: Array, lx: Array, alpha: float) -> Trend | None:
    """The F-test of ``r ~ 1 + z (+ z²)``; None when it cannot be carried out."""
    n = r.size
    distinct = np.unique(lx).size
    if n <= 3 or distinct < 2:
        return None
    sd = lx.std()
    if not np.isfinite(sd) or sd <= 0:
        return None
    z = (lx - lx.mean()) / sd
    k = 2 if distinct >= 3 else 1
    if n - k - 1 < 1:
        return None
    X = np.column_stack([np.ones(n), z, z * z][: k + 1])
    beta, *_ = np.linalg.lstsq(X, r, rcond=None)
    fitted = X[:, 1:] @ beta[1:]
    sse = float(np.sum((r - X @ beta) ** 2))
    sst = float(np.sum((r - r.mean()) ** 2))
    slope = float(beta[1])
    curvature = float(beta[2]) if k == 2 else 0.0
    # constant (or numerically constant) residuals: nothing to explain
    scale = max(float(np.max(np.abs(r))), np.finfo(float).tiny)
    if not np.isfinite(sst) or sst <= (1e-12 * scale) ** 2 * n:
        return Trend(column, slope, curvature, 0.0, 1.0, False)
    r2 = min(max(1.0 - sse / sst, 0.0), 1.0)
    dof = n - k - 1
    if sse <= 1e-24 * sst:
        p_value = 0.0
    else:
        f_stat = ((sst - sse) / k) / (sse / dof)
        p_value = float(stats.f.sf(f_stat, k, dof))
    if not np.isfinite(p_value):
        p_value = 1.0
    practical = float(np.ptp(fitted)) >= TREND_MIN_RANGE * float(r.std())
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
    :func:`monotonicity`)."""
    n = ly.size
    m, sd = float(lx.mean()), float(lx.std())
    if not np.isfinite(sd) or sd <= 0:
        return None
    z = (lx - m) / sd
    base = np.column_stack([np.ones(n), z])
    for lo in others:  # covariates, each kept only if not collinear with what is there
        s = float(lo.std())
        if not np.isfinite(s) or s <= 0:
            continue
        cand = np.column_stack([base, (lo - lo.mean()) / s, z * z])
        if np.linalg.matrix_rank(cand) == cand.shape[1]:
            base = cand[:, :-1]
    covariates = base[:, 2:]
    beta, pv = _ols(base, ly)
    slope_z, p_slope = float(beta[1]), float(pv[1])
    slope = slope_z / sd
    beta, pv = _ols(np.column_stack([np.ones(n), z, z * z, covariates]), ly)
    b1, b2, p_quad = float(beta[1]), float(beta[2]), float(pv[2])
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
    if np.linalg.matrix_rank(X) < X.shape[1]:
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
    beta, *_ = np.linalg.lstsq(X, t, rcond=None)
    dof = n - p
    if dof < 1:
        return beta, np.ones(p)
    sse = float(np.sum((t - X @ beta) ** 2))
    var = np.diag(np.linalg.pinv(X.T @ X)) * (sse / dof)
    return beta, np.array([_t_p(float(b), float(v), dof) for b, v in zip(beta, var, strict=True)])


def _t_p(estimate: float, variance: float, dof: int) -> float:
    """Two-sided t-test p-value of ``estimate`` with ``variance``; 1 when undefined."""
    if not (np.isfinite(estimate) and np.isfinite(variance)) or variance < 0:
        return 1.0
    if variance == 0:
        return 0.0 if estimate != 0 else 1.0
    p = float(2.0 * stats.t.sf(abs(estimate) / math.sqrt(variance), dof))
    return p if np.isfinite(p) else 1.0


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


def _check_length(column: str, size: int, n: int, against: str) -> None:
    if size != n:
        raise DataError(f"input '{column}' has {size} values but there are {n} {against}",
                        f"column '{column}'", "pass one value per data point")
