"""Extrapolation intervals calibrated on the data's own forecasts.

A parameter-only interval (the delta method, the bootstrap) says how much the fitted law moves
when the data are resampled; it does not say how far the law itself may be from the truth one
order of magnitude beyond the data. Backtests do: fit on the smaller runs, forecast the larger
ones, and look at the errors. A :class:`Calibration` holds those errors, normalised, and turns
them into an interval at any query:

- every rolling-origin fold (see :mod:`scalinglaws.fitting.calibrating`) gives, per held-out
  point, the residual ``e`` of its forecast (log space for log losses), the point's
  extrapolation distance ``d = ln(factor)`` beyond that fold's data, the fold's in-sample
  residual scale ``s`` and the parameter-only standard deviation ``p`` of the forecast (the
  delta method on the fold's fit);
- the error's variance is modelled as ``s² + p² + tau²·d²``: the noise, the parameters'
  uncertainty and the law's misfit, growing with distance beyond the data; ``tau`` is the
  least-squares fit of ``e² - s² - p² = tau²·d²`` (through the origin, never negative);
- the interval at a query at distance ``d`` is the forecast times
  ``exp(±z·sqrt(sigma² + p² + tau²·d²))``, with ``sigma`` the full fit's residual scale, ``p``
  its parameter-only deviation there and ``z`` the normal quantile of the level.

For a law that is right, ``tau`` is near 0 and the interval is the parameter-only one of a new
run; for one that is wrong, it widens with distance as far as the data's own forecasts went
wrong. ``coverage(level)`` says how many of the backtest points the model's own intervals
cover (a check of the variance model; it is not the coverage of new runs, which the
backtests of ``docs/uncertainty.md`` measure). The fold fits see fewer sizes than the full
fit, so their errors, and ``tau``, err on the wide side; a change of regime beyond the data
(a law that holds on small runs and bends on large ones) is beyond any calibration from the
data themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common.checks import check_level
from ..common.jsonvalues import json_value
from ..engine.links import link_for
from ..exceptions import ResultFileError
from ..laws.law import Law

Array = np.ndarray
#: fewest backtest points whose misfit term is trusted
MIN_POINTS = 10

#: the name every display gives each kind of interval
KIND_LABELS = {
    "calibrated": "calibrated on backtests (parameters, noise and the law's misfit)",
    "mean": "parameter-only (the fitted law's uncertainty; no misfit)",
    "observation": "parameter-only plus noise (no misfit)",
}


@dataclass(frozen=True)
class Calibration:
    """Normalised backtest errors of one law fitted one way, and what they imply.

    ``errors``, ``distances``, ``scales`` and ``spreads`` hold, per held-out point of the
    rolling-origin folds, the residual of its forecast, ``ln`` of its extrapolation factor, the
    fold's residual scale and the forecast's parameter-only deviation; ``tau`` is the error's
    growth per unit of ``ln`` distance, ``sigma`` the full fit's residual scale, ``order``
    the column that ordered the runs and ``folds`` the training sizes (rows) of the folds.
    ``log`` says the residuals are off the target's scale (log, or the logit when ``logit``:
    a fit with ``loss="mse_logit"``).
    """

    errors: Array
    distances: Array
    scales: Array
    spreads: Array
    tau: float
    sigma: float
    log: bool
    order: str
    folds: tuple[int, ...]
    logit: bool = False

    @property
    def n_points(self) -> int:
        return int(self.errors.size)

    @property
    def scores(self) -> Array:
        """``|e| / sqrt(s² + p² + tau²·d²)`` per backtest point."""
        return np.abs(self.errors) / self._width(self.scales, self.spreads, self.distances)

    def _width(self, s: Array | float, p: Array | float, d: Array | float) -> Array:
        return np.sqrt(np.square(s) + np.square(p)
                       + np.square(self.tau * np.asarray(d, dtype=float)))

    def quantile(self, level: float) -> float:
        """The multiplier of the modelled deviation at ``level``: the normal quantile."""
        from scipy import stats

        return float(stats.norm.ppf(0.5 + check_level(level) / 2.0))

    def coverage(self, level: float) -> float:
        """The share of the backtest points inside the modelled ``level`` interval."""
        return float(np.mean(self.scores <= self.quantile(level))) if self.n_points else 0.0

    def few_points(self) -> bool:
        """Whether the backtests are too few to trust the misfit term (under 10 points)."""
        return self.n_points < MIN_POINTS

    def half_width(self, level: float, factor: Array | float, spread: Array | float = 0.0
                   ) -> Array:
        """Half the interval's width (in log space for log losses) at extrapolation factors
        ``factor`` (1 inside the data) where the fit's parameter-only deviation is
        ``spread``."""
        d = np.log(np.maximum(np.asarray(factor, dtype=float), 1.0))
        p = np.where(np.isfinite(spread), spread, 0.0)
        return self.quantile(level) * self._width(self.sigma, p, d)

    def interval(self, predicted: Array, factor: Array, spread: Array, level: float, loss: str
                 ) -> tuple[Array, Array]:
        """The interval around forecasts ``predicted`` at extrapolation ``factor``, where the
        fit's parameter-only deviation is ``spread``."""
        h = self.half_width(level, factor, spread)
        f = np.asarray(predicted, dtype=float)
        if not self.log:
            return f - h, f + h
        link = link_for(loss)
        return link.shifted(f, -h), link.shifted(f, h)

    def summary(self, level: float = 0.9) -> str:
        """One line: how many backtest points, and the interval's half-width in and 10x
        beyond the data."""
        inside, far = (float(self.half_width(level, f)) for f in (1.0, 10.0))
        unit = " (on the logit)" if self.logit else ("" if self.log else
                                                      " (in the target's units)")
        scale = (lambda h: f"±{math.expm1(h):.1%}") if self.log and not self.logit else (
            lambda h: f"±{h:.3g}")
        text = (f"{level:.0%} calibrated interval from {self.n_points} backtest points of "
                f"{len(self.folds)} folds (by {self.order}): {scale(inside)} inside the data, "
                f"{scale(far)} at 10x beyond it{unit}")
        text += f"; it covers {self.coverage(level):.0%} of the backtest points"
        if self.few_points():
            text += "; too few backtest points to trust: the interval may under-cover"
        return text

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<Calibration: {self.summary()}>"

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.summary())}</p>"

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({
            "errors": self.errors, "distances": self.distances, "scales": self.scales,
            "spreads": self.spreads, "tau": self.tau, "sigma": self.sigma, "log": self.log,
            "order": self.order, "folds": list(self.folds),
            **({"logit": True} if self.logit else {})}))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Calibration:
        try:
            arrays = [np.array(d[k], dtype=float)
                      for k in ("errors", "distances", "scales", "spreads")]
            if len({a.size for a in arrays}) != 1 or not all(np.isfinite(a).all()
                                                             for a in arrays):
                raise ValueError("errors, distances, scales and spreads differ in length or "
                                 "are not finite")
            errors, distances, scales, spreads = arrays
            return cls(errors, distances, scales, spreads, tau=float(d["tau"]),
                       sigma=float(d["sigma"]), log=bool(d["log"]), order=str(d["order"]),
                       folds=tuple(int(v) for v in d["folds"]),
                       logit=bool(d.get("logit", False)))
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultFileError(f"the fit's calibration is malformed ({exc})",
                                  "field 'calibration'", "calibrate the fit again") from None


def growth(errors: Array, distances: Array, scales: Array, spreads: Array) -> float:
    """``tau``: the least-squares slope of ``e² - s² - p²`` on ``d²`` through the origin,
    >= 0."""
    d2 = np.square(distances)
    denom = float(np.sum(d2 * d2))
    if denom <= 0:
        return 0.0
    excess = np.square(errors) - np.square(scales) - np.square(spreads)
    return math.sqrt(max(float(np.sum(d2 * excess)) / denom, 0.0))


#: the level whose normal interval is one standard deviation either side
ONE_SIGMA = 0.6826894921370859


def spread(lower: Array, upper: Array, predicted: Array, log: bool, loss: str) -> Array:
    """The parameter-only standard deviation of forecasts from their one-sigma interval (in
    log space for log losses; 0 where the interval is not finite)."""
    link = link_for(loss)
    with np.errstate(all="ignore"):
        half = (link.transform(upper) - link.transform(predicted) if log
                else np.asarray(upper) - np.asarray(predicted))
    half = np.asarray(half, dtype=float)
    return np.where(np.isfinite(half) & (half > 0), half, 0.0)


def queried(law: Law, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The query by column, whether its inputs were named by column or by the law's symbol."""
    out: dict[str, Any] = {}
    for sym, col in law.inputs.items():
        key = sym if sym in inputs else col
        if key is not None and key in inputs:
            out[str(col or sym)] = inputs[key]
    return out
