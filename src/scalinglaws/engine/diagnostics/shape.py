"""Monotonicity of the data: are they U-shaped or increasing in an input, so that no monotone
decreasing power law can follow them? :func:`monotonicity` returns a :class:`Shape` per
flagged input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ...common.jsonvalues import float_text
from .common import Array, check_length, p_text
from .leastsq import ols, ols_gram, rank_gram, t_p_value

#: significance level of the quadratic term and of the slope in :func:`monotonicity`
SHAPE_ALPHA = 0.01
#: a turning point counts only inside this central fraction of the data's log-x range
SHAPE_CENTRAL = 0.9


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
                    f"{self.turning_point:.2g}, p{p_text(self.p_value)}): a monotone power law "
                    f"cannot follow them; fit each side separately or use a law with a break")
        return (f"the data rise with {self.column} (average log-log slope {self.slope:+.3g}, "
                f"p{p_text(self.p_value)}): a law that falls with {self.column} cannot follow "
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
            check_length(column, x.size, n_all, "y")
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
        if usable[j - 3] and rank_gram(G[np.ix_(idx, idx)]) == len(idx):
            keep.append(j)
    covariates = X[:, keep[2:]]
    beta, var, dof = ols_gram(G, b, tt, n, keep)
    slope_z, p_slope = float(beta[1]), t_p_value(float(beta[1]), float(var[1]), dof)
    slope = slope_z / sd
    beta, var, dof = ols_gram(G, b, tt, n, [0, 1, 2, *keep[2:]])
    b1, b2 = float(beta[1]), float(beta[2])
    p_quad = t_p_value(b2, float(var[2]), dof)
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
    if rank_gram(X.T @ X) < X.shape[1]:
        return 1.0
    beta, pv = ols(X, ly)
    sign = 1.0 if minimum else -1.0
    if not (sign * beta[2] < 0 < sign * beta[3]):
        return 1.0
    return float(max(pv[2], pv[3]))
