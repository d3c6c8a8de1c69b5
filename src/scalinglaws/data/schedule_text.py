"""The options of each kind of learning-rate schedule, checked, and their text form
``KIND:NAME=VALUE,...`` (read by :func:`scalinglaws.data.schedules.parse`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from ..exceptions import OptionError

#: the kinds of schedule and their options: name -> default (``None``: required)
SPECS: dict[str, dict[str, Any]] = {
    "constant": {"peak": None, "warmup": 0},
    "cosine": {"peak": None, "total": None, "warmup": 0, "final": 0.1},
    "linear": {"peak": None, "total": None, "warmup": 0, "final": 0.0},
    "wsd": {"peak": None, "total": None, "warmup": 0, "decay": 0.2, "shape": "linear",
            "final": 0.0},
    "inverse_sqrt": {"peak": None, "warmup": None},
    "step_decay": {"peak": None, "milestones": None, "factor": 0.1, "warmup": 0},
}
KINDS = tuple(SPECS)
#: shapes of the decay of a ``wsd`` schedule
SHAPES = ("linear", "cosine", "sqrt")
_INTS = ("total", "warmup")
EXAMPLE = "wsd:peak=3e-4,total=20000,decay=0.2"


def _where(kind: str) -> str:
    return f"schedule '{kind}'"


def parse_text(text: str) -> tuple[str, dict[str, Any]]:
    """``(kind, options)`` from ``KIND:NAME=VALUE,...`` (values as numbers where they read as
    numbers; ``milestones`` a ``/``-separated list), not yet checked against the kind."""
    if not isinstance(text, str) or not text.strip():
        raise OptionError("empty schedule", "schedule text", f"write e.g. {EXAMPLE}")
    kind, _, rest = text.strip().partition(":")
    kind = kind.strip().lower().replace("-", "_")
    if kind not in SPECS:
        raise OptionError(f"unknown schedule kind '{kind}'", "schedule text",
                          f"use one of {', '.join(KINDS)}, e.g. {EXAMPLE}")
    options: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        name, eq, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name or not value:
            raise OptionError(f"'{item}' is not NAME=VALUE", _where(kind),
                              f"write options as NAME=VALUE separated by commas, e.g. "
                              f"{EXAMPLE}")
        if name in options:
            raise OptionError(f"option '{name}' given twice", _where(kind), "give it once")
        options[name] = value
    return kind, options


def _number(kind: str, name: str, value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise OptionError(f"'{value}' is not a number", f"option '{name}' of "
                          f"{_where(kind)}", "give a number, e.g. 3e-4") from None
    if not math.isfinite(out):
        raise OptionError(f"{name} must be finite, got {value}", f"option '{name}' of "
                          f"{_where(kind)}", "give a finite number")
    return out


def _whole(kind: str, name: str, value: Any, low: int) -> int:
    out = _number(kind, name, value)
    if out != round(out) or out < low:
        raise OptionError(f"{name} must be a whole number >= {low}, got {value}",
                          f"option '{name}' of {_where(kind)}", "count optimiser steps")
    return int(out)


def _fraction(kind: str, name: str, value: Any, low_open: bool) -> float:
    out = _number(kind, name, value)
    if not ((0 < out if low_open else 0 <= out) and out <= 1):
        raise OptionError(f"{name} must be in {'(' if low_open else '['}0, 1], got {value}",
                          f"option '{name}' of {_where(kind)}", "give a fraction")
    return out


def _milestones(kind: str, value: Any) -> tuple[int, ...]:
    items = value.split("/") if isinstance(value, str) else list(value)
    steps = tuple(_whole(kind, "milestones", v, 1) for v in items)
    if not steps or any(b <= a for a, b in itertools.pairwise(steps)):
        raise OptionError("milestones must be increasing steps", f"option 'milestones' of "
                          f"{_where(kind)}", "write e.g. milestones=1000/2000")
    return steps


def checked_options(kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options of a ``kind`` schedule, every one present (defaults filled), typed and
    checked."""
    spec = SPECS.get(kind)
    if spec is None:
        raise OptionError(f"unknown schedule kind '{kind}'", "schedule",
                          f"use one of {', '.join(KINDS)}")
    unknown = [k for k in options if k not in spec]
    if unknown:
        raise OptionError(f"unknown option '{unknown[0]}'", _where(kind),
                          f"the options of {kind} are {', '.join(spec)}")
    out: dict[str, Any] = {}
    for name, default in spec.items():
        value = options.get(name, default)
        if value is None:
            raise OptionError(f"missing option '{name}'", _where(kind),
                              f"give {name}=..., e.g. {EXAMPLE}" if name != "total" else
                              "give total=STEPS (the step where the schedule ends)")
        if name == "peak":
            value = _number(kind, name, value)
            if value <= 0:
                raise OptionError(f"peak must be > 0, got {value:g}", f"option 'peak' of "
                                  f"{_where(kind)}", "give the largest learning rate")
        elif name in _INTS:
            value = _whole(kind, name, value, 1 if name == "total" or
                           kind == "inverse_sqrt" else 0)
        elif name in ("final", "factor", "decay"):
            value = _fraction(kind, name, value, low_open=name != "final")
        elif name == "shape":
            value = str(value).lower()
            if value not in SHAPES:
                raise OptionError(f"unknown shape '{value}'", f"option 'shape' of "
                                  f"{_where(kind)}", f"use {', '.join(SHAPES)}")
        elif name == "milestones":
            value = _milestones(kind, value)
        out[name] = value
    if "total" in out and out["warmup"] >= out["total"]:
        raise OptionError(f"warmup ({out['warmup']}) must be shorter than total "
                          f"({out['total']})", _where(kind), "shorten the warmup")
    return out


def text_of(kind: str, options: Mapping[str, Any]) -> str:
    """The text form of checked options (read back by ``parse`` to the same schedule)."""
    parts = []
    for name, value in options.items():
        if name == "milestones":
            value = "/".join(str(v) for v in value)
        elif isinstance(value, float):
            value = f"{value:.10g}"
        parts.append(f"{name}={value}")
    return f"{kind}:{','.join(parts)}"
