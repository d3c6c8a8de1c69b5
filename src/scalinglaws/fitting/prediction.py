"""Predictions of a fit at new inputs, with an interval when asked for: one object for the
library, ``scalinglaws predict`` and the reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..common.checks import check_level
from ..common.display import html_table, text_table
from ..common.jsonvalues import json_value
from ..common.numbers import level_label, readable, span, times
from ..exceptions import LawError, OptionError, ScalingLawError
from .calibration import KIND_LABELS

if TYPE_CHECKING:
    from .result import FitResult
    from .shared import SharedFit

KINDS = ("mean", "observation", "calibrated", "auto")


@dataclass(frozen=True)
class Prediction:
    """The fit's values at some inputs, how many times beyond the fitted data each lies
    (``extrapolation``, 1 inside) and, when a ``level`` was asked for, their interval:
    ``kind`` ``"calibrated"`` for a new run, calibrated on the data's backtests;
    parameter-only ``"mean"`` for the law or ``"observation"`` for a new run (``method``
    says whether it came from the fit's bootstrap or the delta method). ``label`` says in
    words which kind it is. ``values``, ``lower``, ``upper`` and ``extrapolation`` are floats
    for scalar inputs, else lists. A joint fit asked without a group answers for every group:
    ``groups`` then names the group of each value (a list beside ``values``) and ``by`` the
    column of the groups."""

    values: Any
    lower: Any = None
    upper: Any = None
    level: float | None = None
    kind: str = "mean"
    method: str | None = None
    extrapolation: Any = 1.0
    groups: list[str] | None = None
    by: str | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"prediction": self.values, "extrapolation": self.extrapolation}
        if self.groups is not None:
            doc.update(by=self.by, group=self.groups)
        if self.level is not None:
            doc.update(lower=self.lower, upper=self.upper, level=self.level, kind=self.kind,
                       interval_method=self.method, interval_label=self.label)
        return dict(json_value(doc))

    # -- presentation --------------------------------------------------------------------------
    def _table(self) -> tuple[list[str], list[list[str]]]:
        values = _listed(self.values)
        header = ([self.by or "group"] if self.groups is not None else []) + [
            "prediction", "beyond data"]
        columns: list[list[str]] = [list(self.groups)] if self.groups is not None else []
        columns.append([readable(v, 5) for v in values])
        columns.append([("inside" if f <= 1 else times(f))
                        for f in _stretched(self.extrapolation, len(values))])
        if self.level is not None:
            header.append(f"{level_label(self.level)} interval")
            columns.append([span(lo, hi, 4) for lo, hi in zip(
                _listed(self.lower), _listed(self.upper), strict=True)])
        return header, [list(r) for r in zip(*columns, strict=True)]

    def _caption(self) -> str:
        return "prediction" + (f"; interval: {self.label} ({self.method})"
                               if self.level is not None else "")

    def __str__(self) -> str:
        header, rows = self._table()
        return f"{self._caption()}\n{text_table(header, rows, left=int(bool(self.groups)))}"

    def _repr_html_(self) -> str:
        header, rows = self._table()
        return html_table(header, rows, caption=self._caption(), left=int(bool(self.groups)))


def predict(fit: FitResult | SharedFit, inputs: Mapping[str, Any], *,
            level: float | None = None, kind: str = "mean") -> Prediction:
    """The fit's prediction at ``inputs`` (by column or symbol; lists broadcast), with a
    ``level`` interval: ``kind="calibrated"`` (the fit must carry a calibration,
    :func:`scalinglaws.calibrate`), or parameter-only for the mean or a new observation (from
    the bootstrap the fit carries, else by the delta method); ``kind="auto"`` is calibrated
    when the fit carries a calibration, else the parameter-only interval of a new run.
    A joint fit (:class:`~scalinglaws.SharedFit`) answers for the group its ``by`` column
    names in ``inputs``, or without one for every group (``groups`` names each value's).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> p = sl.fitting.predict(f, {"params": 7e10, "tokens": 1.4e12}, level=0.9)
    >>> p.lower < p.values < p.upper, p.method
    (True, 'delta')
    """
    from .shared import SharedFit

    if isinstance(fit, SharedFit):
        return _predict_joint(fit, inputs, level=level, kind=kind)
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


def _predict_joint(fit: SharedFit, inputs: Mapping[str, Any], *, level: float | None,
                   kind: str) -> Prediction:
    """A joint fit's prediction: for the group named in ``inputs`` (by the fit's ``by``
    column), else for every group, one after the other."""
    query = dict(inputs)
    if fit.by in query:
        label = query.pop(fit.by)
        return dataclasses.replace(predict(fit.for_group(label), query, level=level,
                                           kind=kind), groups=None, by=None)
    answers = [predict(fit.for_group(g), query, level=level, kind=kind) for g in fit.groups]
    n = len(_listed(answers[0].values))

    def joined(name: str) -> Any:
        if getattr(answers[0], name) is None:
            return None
        return [v for a in answers for v in _stretched(getattr(a, name), n)]

    first = answers[0]
    return Prediction(joined("values"), joined("lower"), joined("upper"), first.level,
                      first.kind, first.method, joined("extrapolation"),
                      groups=[g for g in fit.groups for _ in range(n)], by=fit.by)


def _listed(value: Any) -> list[float]:
    return [] if value is None else [value] if isinstance(value, float) else list(value)


def _stretched(value: Any, n: int) -> list[float]:
    """A float or list as ``n`` values (a single value repeated)."""
    values = _listed(value)
    return values * n if len(values) == 1 else values


def _floats(value: Any) -> Any:
    if np.ndim(value) == 0:
        return float(value)
    return [float(v) for v in np.asarray(value, dtype=float).ravel()]
