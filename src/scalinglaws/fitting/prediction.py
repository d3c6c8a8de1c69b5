"""Predictions of a fit at new inputs, with an interval when asked for: one object for the
library, ``scalinglaws predict`` and the reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..common.checks import check_level
from ..common.jsonvalues import json_value
from ..exceptions import LawError, OptionError, ScalingLawError
from .calibration import KIND_LABELS

if TYPE_CHECKING:
    from .result import FitResult

KINDS = ("mean", "observation", "calibrated", "auto")


@dataclass(frozen=True)
class Prediction:
    """The fit's values at some inputs, how many times beyond the fitted data each lies
    (``extrapolation``, 1 inside) and, when a ``level`` was asked for, their interval:
    ``kind`` ``"calibrated"`` for a new run, calibrated on the data's backtests;
    parameter-only ``"mean"`` for the law or ``"observation"`` for a new run (``method``
    says whether it came from the fit's bootstrap or the delta method). ``label`` says in
    words which kind it is. ``values``, ``lower``, ``upper`` and ``extrapolation`` are floats
    for scalar inputs, else lists."""

    values: Any
    lower: Any = None
    upper: Any = None
    level: float | None = None
    kind: str = "mean"
    method: str | None = None
    extrapolation: Any = 1.0

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"prediction": self.values, "extrapolation": self.extrapolation}
        if self.level is not None:
            doc.update(lower=self.lower, upper=self.upper, level=self.level, kind=self.kind,
                       interval_method=self.method, interval_label=self.label)
        return dict(json_value(doc))


def predict(fit: FitResult, inputs: Mapping[str, Any], *, level: float | None = None,
            kind: str = "mean") -> Prediction:
    """The fit's prediction at ``inputs`` (by column or symbol; lists broadcast), with a
    ``level`` interval: ``kind="calibrated"`` (the fit must carry a calibration,
    :func:`scalinglaws.calibrate`), or parameter-only for the mean or a new observation (from
    the bootstrap the fit carries, else by the delta method); ``kind="auto"`` is calibrated
    when the fit carries a calibration, else the parameter-only interval of a new run.

    Example
    -------
    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> p = sl.fitting.predict(f, {"params": 7e10, "tokens": 1.4e12}, level=0.9)
    >>> p.lower < p.values < p.upper, p.method
    (True, 'delta')
    """
    if kind not in KINDS:
        raise OptionError(f"unknown interval kind '{kind}'", "argument 'kind'",
                          "use 'calibrated' (a new run, from backtests), 'observation' (a "
                          "new run, parameter-only), 'mean' (the law) or 'auto'")
    if kind == "auto":
        kind = "calibrated" if fit.calibration is not None else "observation"
    if level is not None:
        level = check_level(level)
    try:
        raw = fit.predict(**inputs)
        values = _floats(raw)
        factor = _floats(np.broadcast_to(fit.extrapolation_factor(**inputs), np.shape(raw)))
        if level is None:
            return Prediction(values, extrapolation=factor)
        lo, hi = fit.predict_interval(level, kind=kind, **inputs)
    except ValueError as exc:  # shapes that do not broadcast
        if isinstance(exc, ScalingLawError):
            raise
        raise LawError(f"the input lists do not line up ({exc})", "inputs",
                       "give lists of equal length, or single values") from None
    method = ("backtests" if kind == "calibrated" else
              "bootstrap" if fit.uncertainty is not None else "delta")
    return Prediction(values, _floats(lo), _floats(hi), level, kind, method, factor)


def _floats(value: Any) -> Any:
    if np.ndim(value) == 0:
        return float(value)
    return [float(v) for v in np.asarray(value, dtype=float).ravel()]
