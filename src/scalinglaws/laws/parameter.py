"""Parameter specifications: bounds, search scale and initialisation grid."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import LawError


@dataclass(frozen=True)
class Parameter:
    """One parameter of a law.

    Parameters
    ----------
    name:
        The symbol's name in the expression.
    lower, upper:
        Bounds in natural units (may be infinite).
    log:
        Search in log space (needs ``lower >= 0``): for amplitudes and scales that span
        orders of magnitude.
    init:
        Starting values for the exhaustive multi-start (natural units). ``None`` lets the
        fitter derive a grid from the bounds and the data.
    description:
        What the parameter means, shown in ``scalinglaws laws``.
    typical:
        ``(low, high)``: the range in which published fits of this law put the parameter
        (documentation, and where the conformance tests draw random true values).
    """

    name: str
    lower: float = -math.inf
    upper: float = math.inf
    log: bool = False
    init: tuple[float, ...] | None = None
    description: str = field(default="", compare=False)
    typical: tuple[float, float] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        lo, hi = float(self.lower), float(self.upper)
        if math.isnan(lo) or math.isnan(hi):
            raise LawError(f"bounds of '{self.name}' are NaN", f"parameter '{self.name}'",
                           "give numbers or ±inf")
        if lo >= hi:
            raise LawError(
                f"lower bound {lo:g} is not below upper bound {hi:g}",
                f"parameter '{self.name}'",
                "swap them or widen the range",
            )
        if self.log and lo < 0:
            raise LawError(
                f"a log-scale parameter needs lower >= 0, got {lo:g}",
                f"parameter '{self.name}'",
                "set log=False or a non-negative lower bound",
            )
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)
        if self.init is not None:
            init = tuple(float(x) for x in np.atleast_1d(np.asarray(self.init, dtype=float)))
            if not init:
                raise LawError("the init grid is empty", f"parameter '{self.name}'",
                               "give at least one starting value or None")
            for x in init:
                if not (lo <= x <= hi) or (self.log and x <= 0):
                    raise LawError(
                        f"starting value {x:g} lies outside the bounds [{lo:g}, {hi:g}]",
                        f"parameter '{self.name}'",
                        "move the starting value inside the bounds or widen them",
                    )
            object.__setattr__(self, "init", init)
        if self.typical is not None:
            object.__setattr__(self, "typical", self._checked_typical(self.typical))

    def _checked_typical(self, typical: Any) -> tuple[float, float]:
        try:
            low, high = (float(v) for v in typical)
        except (TypeError, ValueError):
            raise LawError(f"typical range {typical!r} is not a pair of numbers",
                           f"parameter '{self.name}'", "give (low, high)") from None
        if not (self.lower <= low < high <= self.upper) or (self.log and low <= 0):
            raise LawError(
                f"typical range ({low:g}, {high:g}) is not an interval inside the bounds "
                f"[{self.lower:g}, {self.upper:g}]", f"parameter '{self.name}'",
                "give low < high inside the bounds (positive for a log-scale parameter)")
        return low, high

    # -- search-space transform -----------------------------------------------------------
    def to_search(self, value: np.ndarray | float) -> np.ndarray:
        """Natural value -> search coordinate (log for log-scale parameters)."""
        value = np.asarray(value, dtype=float)
        if self.log:
            with np.errstate(divide="ignore"):
                return np.log(value)
        return value

    def from_search(self, u: np.ndarray | float) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        return np.exp(u) if self.log else u

    @property
    def search_bounds(self) -> tuple[float, float]:
        if self.log:
            lo = math.log(self.lower) if self.lower > 0 else -math.inf
            hi = math.log(self.upper) if math.isfinite(self.upper) else math.inf
            return lo, hi
        return self.lower, self.upper

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "lower": _json_float(self.lower),
            "upper": _json_float(self.upper),
            "log": self.log,
            "init": None if self.init is None else list(self.init),
            "description": self.description,
            "typical": None if self.typical is None else list(self.typical),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Parameter:
        return cls(
            name=str(d["name"]),
            lower=_from_json_float(d.get("lower", "-inf")),
            upper=_from_json_float(d.get("upper", "inf")),
            log=bool(d.get("log", False)),
            init=None if d.get("init") is None else tuple(d["init"]),
            description=str(d.get("description", "")),
            typical=None if d.get("typical") is None else tuple(d["typical"]),
        )


def _json_float(x: float) -> float | str:
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def _from_json_float(x: Any) -> float:
    return float(x)


def coerce_parameters(
    specs: Mapping[str, Any] | Sequence[Parameter] | None,
) -> dict[str, Parameter]:
    """Accept {name: Parameter | dict(lower=, upper=, log=, init=)} or a list of Parameter."""
    if specs is None:
        return {}
    out: dict[str, Parameter] = {}
    if isinstance(specs, Mapping):
        for name, spec in specs.items():
            if isinstance(spec, Parameter):
                out[name] = spec if spec.name == name else Parameter(**{**spec.__dict__,
                                                                        "name": name})
            elif isinstance(spec, Mapping):
                unknown = set(spec) - {"lower", "upper", "log", "init", "description",
                                       "typical"}
                if unknown:
                    raise LawError(
                        f"unknown parameter option(s) {sorted(unknown)}",
                        f"parameter '{name}'",
                        "use lower, upper, log, init, description, typical",
                    )
                out[name] = Parameter(name=name, **spec)
            else:
                raise LawError(f"cannot read the spec {spec!r}", f"parameter '{name}'",
                               "give a Parameter or a dict of lower/upper/log/init")
        return out
    for spec in specs:
        if not isinstance(spec, Parameter):
            raise LawError(f"expected Parameter objects, got {type(spec).__name__}",
                           "argument 'parameters'", "give Parameter(...) objects or a dict")
        out[spec.name] = spec
    return out
