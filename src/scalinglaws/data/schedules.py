"""Learning-rate schedules as objects: the rate at every optimiser step.

A :class:`Schedule` gives ``lr(steps)`` for any steps (vectorised), the two areas of the
``schedule`` law (:meth:`Schedule.areas`, by :func:`scalinglaws.data.schedule.dense_areas`, the
same code as :func:`~scalinglaws.data.schedule.schedule_areas`), a text form for the command
line (``wsd:peak=3e-4,total=20000,decay=0.2``, read by :func:`parse`) and a JSON form
(:meth:`Schedule.to_dict`, :meth:`Schedule.from_dict`).

Conventions
    Step 0 is the rate before the first update; steps 1, 2, ... are the updates. A warmup of
    ``w`` steps ramps linearly from 0 at step 0 to ``peak`` at step ``w``. ``final`` is a
    fraction of ``peak``. Past ``total`` a schedule holds its last rate.

Examples
--------
>>> from scalinglaws.data import schedules
>>> s = schedules.wsd(1e-3, 1000, warmup=100, decay=0.2)
>>> [round(float(v), 6) for v in s.lr([0, 50, 100, 800, 900, 1000])]
[0.0, 0.0005, 0.001, 0.001, 0.0005, 0.0]
>>> schedules.parse(str(s)) == s
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import OptionError
from .schedule import MAX_STEPS, _check_options, dense_areas
from .schedule_text import KINDS, SHAPES, checked_options, parse_text, text_of


@dataclass(frozen=True, eq=False)
class Schedule:
    """A learning-rate schedule: ``kind`` (one of :data:`KINDS`) and its ``options``. Build
    one with :func:`constant`, :func:`cosine`, :func:`linear`, :func:`wsd`,
    :func:`inverse_sqrt`, :func:`step_decay`, :func:`from_array` or :func:`parse`."""

    kind: str
    options: Mapping[str, Any]
    _table: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    # -- the rate ----------------------------------------------------------------------------
    @property
    def peak(self) -> float:
        """The largest rate of the schedule."""
        if self._table is not None:
            return float(self._table[1].max())
        return float(self.options["peak"])

    @property
    def total(self) -> int | None:
        """The step where the schedule ends (None for schedules without an end)."""
        if self._table is not None:
            return int(self._table[0][-1])
        value = self.options.get("total")
        return None if value is None else int(value)

    @property
    def warmup(self) -> int:
        return int(self.options.get("warmup", 0))

    def lr(self, steps: Any) -> Any:
        """The learning rate at ``steps`` (a number or an array of steps >= 0)."""
        s = np.asarray(steps, dtype=float)
        if np.any(~np.isfinite(s)) or np.any(s < 0):
            raise OptionError("steps must be finite numbers >= 0", "argument 'steps'",
                              "count optimiser steps from 0 (before the first update)")
        out = self._rate(s)
        return float(out) if out.ndim == 0 else out

    def _rate(self, s: np.ndarray) -> np.ndarray:
        if self._table is not None:
            return np.interp(s, *self._table)
        o, w = self.options, self.warmup
        peak = float(o["peak"])
        ramp = peak * np.minimum(s / w, 1.0) if w > 0 else np.full_like(s, peak)
        if self.kind == "constant":
            return ramp
        if self.kind == "inverse_sqrt":
            return np.where(s <= w, ramp, peak * np.sqrt(w / np.maximum(s, 1.0)))
        if self.kind == "step_decay":
            count = np.searchsorted(np.asarray(o["milestones"], dtype=float), s, "right")
            return ramp * float(o["factor"]) ** count
        total = float(o["total"])
        end = peak * float(o.get("final", 0.0))
        start = w if self.kind in ("cosine", "linear") else total - float(o["decay"]) * total
        start = max(start, w)
        x = np.clip((s - start) / max(total - start, 1e-300), 0.0, 1.0)
        shape = self.kind if self.kind != "wsd" else str(o.get("shape", "linear"))
        fall = (1 - x if shape == "linear" else 0.5 * (1 + np.cos(np.pi * x))
                if shape == "cosine" else 1 - np.sqrt(x))
        return np.where(s <= start, ramp, end + (peak - end) * fall)

    def every_step(self, last: int) -> np.ndarray:
        """The rate at every step 0..``last``."""
        last = int(last)
        if last > MAX_STEPS:
            raise OptionError(f"{last} steps is more than {MAX_STEPS}", "argument 'steps'",
                              "give steps in optimiser updates, not tokens")
        return self._rate(np.arange(last + 1, dtype=float))

    def areas(self, steps: Any, decay: float = 0.999,
              normalize: bool | float = False) -> tuple[np.ndarray, np.ndarray]:
        """The forward area S1 and the annealing area S2 at ``steps`` (integers >= 1), as
        :func:`~scalinglaws.data.schedule.schedule_areas` defines them (the rate known at
        every step; ``normalize`` as there: True divides by :attr:`peak`)."""
        _check_options(decay, normalize, 0.0)
        idx = check_steps(steps)
        eta = self.every_step(int(idx.max()))
        scale = self.peak if normalize is True else 1.0 if normalize is False else normalize
        s1, s2 = dense_areas(eta / float(scale), decay)
        return s1[idx], s2[idx]

    # -- text and JSON -------------------------------------------------------------------------
    def __str__(self) -> str:
        if self._table is not None:
            return f"array:steps={self.total},peak={self.peak:g}"
        return text_of(self.kind, self.options)

    def __repr__(self) -> str:
        return f"Schedule('{self}')"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(str(self))

    def to_dict(self) -> dict[str, Any]:
        """``{"kind": ..., **options}``; an array schedule carries ``steps`` and ``lr``."""
        if self._table is not None:
            return {"kind": "array", "steps": [float(v) for v in self._table[0]],
                    "lr": [float(v) for v in self._table[1]]}
        return {"kind": self.kind, **{k: (list(v) if isinstance(v, tuple) else v)
                                      for k, v in self.options.items()}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Schedule:
        """Read a document of :meth:`to_dict`."""
        doc = dict(d)
        kind = doc.pop("kind", None)
        if kind == "array":
            return from_array(doc.get("lr", []), steps=doc.get("steps"))
        if kind not in KINDS:
            raise OptionError(f"unknown schedule kind {kind!r}", "schedule document",
                              f"use one of {', '.join(KINDS)}")
        return cls(str(kind), checked_options(str(kind), doc))


def check_steps(steps: Any) -> np.ndarray:
    """Steps as whole numbers >= 1 (an array of ints)."""
    s = np.atleast_1d(np.asarray(steps, dtype=float))
    if s.size == 0 or np.any(~np.isfinite(s)) or np.any(s < 1) or np.any(s != np.round(s)):
        raise OptionError("steps must be whole numbers >= 1", "argument 'steps'",
                          "give optimiser steps counted from 1 (the first update)")
    return s.astype(int)


def curve_steps(n: int, points: int = 200) -> np.ndarray:
    """Steps 1..``n`` thinned to about ``points``: half spaced evenly in log, half evenly,
    always with 1 and ``n`` (all of them when ``n <= points``)."""
    n = int(n)
    if n < 1:
        raise OptionError(f"the number of steps must be >= 1, got {n}", "argument 'steps'",
                          "give the length of the run in optimiser steps")
    if n <= points:
        return np.arange(1, n + 1)
    half = max(points // 2, 2)
    grid = np.concatenate([np.geomspace(1, n, half), np.linspace(1, n, half)])
    return np.unique(np.round(grid).astype(int))


# -- constructors ---------------------------------------------------------------------------------
def _make(kind: str, **options: Any) -> Schedule:
    return Schedule(kind, checked_options(kind, options))


def constant(peak: float, warmup: int = 0) -> Schedule:
    """``peak`` at every step after a linear warmup of ``warmup`` steps."""
    return _make("constant", peak=peak, warmup=warmup)


def cosine(peak: float, total: int, warmup: int = 0, final: float = 0.1) -> Schedule:
    """Warmup, then a half cosine from ``peak`` to ``final``·``peak`` at step ``total``."""
    return _make("cosine", peak=peak, total=total, warmup=warmup, final=final)


def linear(peak: float, total: int, warmup: int = 0, final: float = 0.0) -> Schedule:
    """Warmup, then a straight line from ``peak`` to ``final``·``peak`` at step ``total``."""
    return _make("linear", peak=peak, total=total, warmup=warmup, final=final)


def wsd(peak: float, total: int, warmup: int = 0, decay: float = 0.2,
        shape: str = "linear", final: float = 0.0) -> Schedule:
    """Warmup-stable-decay: warmup, ``peak`` until the last ``decay`` fraction of ``total``,
    then a decay of ``shape`` (``linear``, ``cosine`` or ``sqrt``: 1 − √x, Hägele et al.
    2024) to ``final``·``peak``."""
    return _make("wsd", peak=peak, total=total, warmup=warmup, decay=decay, shape=shape,
                 final=final)


def inverse_sqrt(peak: float, warmup: int) -> Schedule:
    """Warmup to ``peak`` at step ``warmup``, then ``peak``·√(warmup / step)."""
    return _make("inverse_sqrt", peak=peak, warmup=warmup)


def step_decay(peak: float, milestones: Sequence[int], factor: float = 0.1,
               warmup: int = 0) -> Schedule:
    """``peak`` times ``factor`` for every milestone (a step) passed."""
    return _make("step_decay", peak=peak, milestones=tuple(milestones), factor=factor,
                 warmup=warmup)


def from_array(lrs: Any, steps: Any = None, initial: float | None = None) -> Schedule:
    """A schedule from logged rates: ``lrs[i]`` at step ``i`` (``steps=None``) or at
    ``steps[i]`` (increasing, >= 0), linear between logged steps, as
    :func:`~scalinglaws.data.schedule.schedule_areas` reads a run's ``lr`` column; before the
    first logged step it ramps from ``initial`` at step 0 (default 0 when the first logged
    step is after 0, a warmup from zero)."""
    rates = np.asarray(lrs, dtype=float).ravel()
    at = np.arange(rates.size, dtype=float) if steps is None else np.asarray(
        steps, dtype=float).ravel()
    if rates.size == 0 or rates.size != at.size:
        raise OptionError(f"{rates.size} learning rates for {at.size} steps", "argument "
                          "'lrs'", "give one rate per step, at least one")
    if np.any(~np.isfinite(rates)) or np.any(rates < 0) or np.any(~np.isfinite(at)):
        raise OptionError("learning rates must be finite numbers >= 0", "argument 'lrs'",
                          "give the rate itself, not its logarithm")
    if np.any(at < 0) or np.any(np.diff(at) <= 0):
        raise OptionError("steps must be >= 0 and strictly increasing", "argument 'steps'",
                          "sort the log by step and drop repeated steps")
    if at[0] > 0:
        at = np.concatenate(([0.0], at))
        rates = np.concatenate(([0.0 if initial is None else float(initial)], rates))
    if rates.max() <= 0:
        raise OptionError("the learning rate is zero throughout", "argument 'lrs'",
                          "give the run's learning rates")
    return Schedule("array", {}, (at, rates))


def parse(text: str, total: int | None = None, peak: float | None = None) -> Schedule:
    """A schedule from its text form, ``KIND:NAME=VALUE,...`` (e.g.
    ``wsd:decay=0.2,peak=3e-4,total=20000``; ``step_decay:peak=1e-3,milestones=1000/2000``,
    lists with ``/``). ``total`` fills a missing ``total`` of the kinds that need one,
    ``peak`` a missing ``peak``. Raises
    :class:`~scalinglaws.OptionError` for an unknown kind or option, a bad number or a
    missing option."""
    kind, options = parse_text(text)
    if kind in ("cosine", "linear", "wsd") and "total" not in options and total is not None:
        options["total"] = int(total)
    if "peak" not in options and peak is not None:
        options["peak"] = float(peak)
    return _make(kind, **options)


def from_dict(d: Mapping[str, Any]) -> Schedule:
    """A schedule from :meth:`Schedule.to_dict`'s document."""
    return Schedule.from_dict(d)


__all__ = ["KINDS", "SHAPES", "Schedule", "constant", "cosine", "curve_steps", "from_array",
           "from_dict", "inverse_sqrt", "linear", "parse", "step_decay", "wsd"]
