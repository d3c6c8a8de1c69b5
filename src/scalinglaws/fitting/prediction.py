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

if TYPE_CHECKING:
    from .result import FitResult

KINDS = ("mean", "observation")


@dataclass(frozen=True)
class Prediction:
    """The fit's values at some inputs and, when a ``level`` was asked for, their interval
    (``kind`` ``"mean"`` for the law, ``"observation"`` for a new run; ``method`` says whether
    it came from the fit's bootstrap or the delta method). ``values``, ``lower`` and
    ``upper`` are floats for scalar inputs, else lists."""

    values: Any
    lower: Any = None
    upper: Any = None
    level: float | None = None
    kind: str = "mean"
    method: str | None = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"prediction": self.values}
        if self.level is not None:
            doc.update(lower=self.lower, upper=self.upper, level=self.level, kind=self.kind,
                       interval_method=self.method)
        return dict(json_value(doc))


def predict(fit: FitResult, inputs: Mapping[str, Any], *, level: float | None = None,
            kind: str = "mean") -> Prediction:
    """The fit's prediction at ``inputs`` (by column or symbol; lists broadcast), with a
    ``level`` interval for the mean or a new observation: from the bootstrap the fit carries,
    else by the delta method.

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
                          "use 'mean' (the law) or 'observation' (a new run)")
    if level is not None:
        level = check_level(level)
    try:
        values = _floats(fit.predict(**inputs))
        if level is None:
            return Prediction(values)
        lo, hi = fit.predict_interval(level, kind=kind, **inputs)
    except ValueError as exc:  # shapes that do not broadcast
        if isinstance(exc, ScalingLawError):
            raise
        raise LawError(f"the input lists do not line up ({exc})", "inputs",
                       "give lists of equal length, or single values") from None
    method = "bootstrap" if fit.uncertainty is not None else "delta"
    return Prediction(values, _floats(lo), _floats(hi), level, kind, method)


def _floats(value: Any) -> Any:
    if np.ndim(value) == 0:
        return float(value)
    return [float(v) for v in np.asarray(value, dtype=float).ravel()]
