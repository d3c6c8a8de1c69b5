""":class:`Diagnostics`: the findings of one fit (the fit engine builds it for every
:class:`~scalinglaws.FitResult`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...common.jsonvalues import float_text
from .checks import points_per_parameter
from .shape import Shape
from .trend import Trend

#: equally good starts whose parameters differ by more than this (relative) mean the optimum
#: is not unique
SPREAD_TOL = 0.01
#: fewer data points per free parameter than this is reported
MIN_POINTS_PER_PARAMETER = 5.0


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
        :mod:`scalinglaws.engine.covariance`); above 1e14 a direction counts as flat.
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
