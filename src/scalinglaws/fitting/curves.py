"""Loss curves under a learning-rate schedule from a fitted law: :func:`predict_curve`
(``FitResult.predict_curve``, ``MultiPowerFit.predict_curve``) and :func:`cooldown`.

Two kinds of fit forecast a curve: a fit of a law that reads the schedule's areas
(``lr_area`` and ``anneal_area``: the ``schedule`` and ``schedule_n`` laws, Tissue et al.
2024), whose areas are computed from the schedule at every step
(:meth:`~scalinglaws.data.schedules.Schedule.areas`), and a
:class:`~scalinglaws.fitting.multipower.MultiPowerFit`, which reads the whole schedule.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..common.display import text_table
from ..common.numbers import readable
from ..exceptions import OptionError

if TYPE_CHECKING:
    from ..data.schedules import Schedule

#: the columns of the areas a curve-forecasting law reads (symbols when not bound to them)
AREA_COLUMNS = (("lr_area", "S1"), ("anneal_area", "S2"))


@dataclass(frozen=True)
class LossCurve:
    """A forecast loss curve: ``steps``, ``loss`` and the learning rate ``lr`` at each (numpy
    arrays), the ``schedule`` (its text form) and the ``law``; with an interval also its
    ``lower`` and ``upper`` bounds at each step, their ``level`` and ``interval_kind``
    (a parameter-only bootstrap band: :mod:`.curve_bands`)."""

    steps: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    schedule: str = ""
    law: str = ""
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    level: float | None = None
    interval_kind: str = ""

    @property
    def final(self) -> float:
        """The loss at the last step."""
        return float(self.loss[-1])

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"step": [int(s) for s in self.steps],
                               "loss": [float(v) for v in self.loss],
                               "lr": [float(v) for v in self.lr]}
        if self.lower is not None and self.upper is not None:
            doc.update(lower=[float(v) for v in self.lower],
                       upper=[float(v) for v in self.upper], level=self.level,
                       interval_kind=self.interval_kind)
        return doc

    def _rows(self, most: int = 12) -> list[list[str]]:
        idx = np.unique(np.round(np.linspace(0, self.steps.size - 1,
                                             min(most, self.steps.size))).astype(int))
        bounds = self.lower is not None and self.upper is not None
        return [[str(int(self.steps[i])), readable(float(self.lr[i]), 4),
                 readable(float(self.loss[i]), 5)] + ([
                     readable(float(self.lower[i]), 5), readable(float(self.upper[i]), 5)]
                     if bounds and self.lower is not None and self.upper is not None else [])
                for i in idx]

    def __str__(self) -> str:
        head = (f"loss curve of {self.law or 'a fit'} under {self.schedule}: "
                f"{self.steps.size} steps, final loss {self.final:.5g}")
        names = ["step", "lr", "loss"]
        if self.lower is not None and self.upper is not None:
            names += ["lower", "upper"]
            head += f" ({self.level:.0%} interval: {self.interval_kind})"
        return f"{head}\n{text_table(names, self._rows(), left=0)}"

    def __repr__(self) -> str:
        return (f"LossCurve({self.steps.size} steps {int(self.steps[0])}..."
                f"{int(self.steps[-1])}, final loss {self.final:.5g}, {self.schedule})")


def resolve_steps(steps: Any, schedule: Schedule | None = None) -> np.ndarray:
    """``steps`` as whole numbers >= 1: an int n means 1..n thinned to about 200 (log and
    evenly spaced); ``None`` the schedule's length so; else the steps themselves."""
    from ..data.schedules import check_steps, curve_steps

    if steps is None:
        if schedule is None or schedule.total is None:
            raise OptionError("no steps given and the schedule has no end", "argument "
                              "'steps'", "give steps=N (the run's length) or a list")
        return curve_steps(schedule.total)
    if isinstance(steps, (int, np.integer)):
        return curve_steps(int(steps))
    return check_steps(steps)


def curve_values(fit: Any, schedule: Schedule, steps: np.ndarray, *, decay: float = 0.999,
                 normalize: bool | float = False, inputs: dict[str, Any] | None = None
                 ) -> np.ndarray:
    """The fit's loss at ``steps`` under ``schedule`` (no checks of ``steps``)."""
    if getattr(fit, "law_name", None) == "multi_power":  # a MultiPowerFit (no import cycle)
        if inputs:
            raise OptionError(f"the multi-power law takes no inputs besides the schedule, "
                              f"got {', '.join(inputs)}", "argument 'inputs'",
                              "leave them out")
        return fit.predict(schedule, steps)
    query = area_query(fit, schedule, steps, decay=decay, normalize=normalize, inputs=inputs)
    return np.asarray(fit.predict(extrapolation=None, **query), dtype=float) * np.ones(
        steps.size)


def area_query(fit: Any, schedule: Schedule, steps: np.ndarray, *, decay: float,
               normalize: bool | float, inputs: dict[str, Any] | None) -> dict[str, Any]:
    """The inputs of a law of the schedule's areas at ``steps``: the areas by the law's names
    for them, and the other ``inputs``."""
    law = fit.law
    names = {}
    for column, symbol in AREA_COLUMNS:
        found = [s for s, c in law.inputs.items() if c == column] or (
            [symbol] if symbol in law.inputs else [])
        if not found:
            raise OptionError(f"law '{law.name}' does not read the schedule's areas "
                              f"({column})", "argument 'fit'", "fit a law of the "
                              "learning-rate areas (schedule, schedule_n) or the multi-power "
                              "law (sl.fitting.fit_multi_power)")
        names[column] = found[0]
    s1, s2 = schedule.areas(steps, decay=decay, normalize=normalize)
    return {names["lr_area"]: s1, names["anneal_area"]: s2, **(inputs or {})}


def predict_curve(fit: Any, schedule: Schedule, steps: Any = None, *, decay: float = 0.999,
                  normalize: bool | float = False, interval: float | None = None,
                  n_boot: int = 200, seed: int | None = 0, **inputs: Any) -> LossCurve:
    """The loss of ``fit`` at each of ``steps`` under ``schedule``.

    ``interval`` (a level, e.g. 0.9) adds ``lower`` and ``upper`` bounds: the central range
    of the curves of ``n_boot`` refits on resamples of the fitted curves (whole runs when
    there are at least 5, else residual blocks within each run; seeded by ``seed``), a
    parameter-only interval (:mod:`.curve_bands`). It needs the fit's data (a fit read from
    a file carries them when they were small, a multi-power fit always).

    ``steps``: an int n (1..n thinned to about 200 points), a list of steps, or None (the
    schedule's length). For a fit of the areas' laws, ``decay`` (λ) and ``normalize`` must be
    those the fitted areas were computed with (:func:`~scalinglaws.data.schedule_areas`);
    other inputs of the law (``params=1e9`` for ``schedule_n``) are given by name.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> from scalinglaws.data import schedules
    >>> law = sl.laws.get("schedule")
    >>> s = schedules.cosine(1e-3, 20000, warmup=500)
    >>> steps = list(range(1000, 20001, 1000))
    >>> s1, s2 = s.areas(steps)
    >>> import pandas as pd
    >>> data = sl.Dataset.from_frame(pd.DataFrame({"step": steps, "lr_area": s1,
    ...     "anneal_area": s2, "loss": law(law.reference, lr_area=s1, anneal_area=s2)}))
    >>> fit = sl.fit("schedule", data)
    >>> curve = fit.predict_curve(schedules.wsd(1e-3, 20000, warmup=500), 20000)
    >>> round(curve.final, 3) == round(float(law(law.reference, lr_area=
    ...     schedules.wsd(1e-3, 20000, warmup=500).areas([20000])[0],
    ...     anneal_area=schedules.wsd(1e-3, 20000, warmup=500).areas([20000])[1])[0]), 3)
    True
    """
    from ..data.schedules import Schedule

    if not isinstance(schedule, Schedule):
        raise OptionError(f"expected a Schedule, got {type(schedule).__name__}",
                          "argument 'schedule'", "build one with scalinglaws.data.schedules "
                          "(e.g. schedules.parse('wsd:peak=3e-4,total=20000'))")
    at = resolve_steps(steps, schedule)
    loss = curve_values(fit, schedule, at, decay=decay, normalize=normalize, inputs=inputs)
    name = getattr(fit, "law_name", None) or fit.law.name
    curve = LossCurve(at, loss, np.asarray(schedule.lr(at), dtype=float), str(schedule),
                      str(name))
    if interval is None:
        return curve
    from .curve_bands import INTERVAL_KIND, check_band, curve_band

    level, n = check_band(interval, n_boot)
    query = None if name == "multi_power" else area_query(
        fit, schedule, at, decay=decay, normalize=normalize, inputs=inputs)
    lower, upper = curve_band(fit, schedule, at, level, n, seed, query)
    return dataclasses.replace(curve, lower=lower, upper=upper, level=level,
                               interval_kind=INTERVAL_KIND)


@dataclass(frozen=True)
class Cooldown:
    """The forecast of a cooldown: from a constant rate, the rate decays from step ``start``
    to step ``end`` (``fraction`` of the run); ``loss`` at ``end``, ``constant_loss`` at
    ``end`` without the cooldown, and the ``curve`` of the whole run."""

    start: int
    end: int
    fraction: float
    shape: str
    loss: float
    constant_loss: float
    curve: LossCurve

    @property
    def gain(self) -> float:
        """How much lower the loss ends than without the cooldown."""
        return self.constant_loss - self.loss

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "fraction": self.fraction,
                "shape": self.shape, "loss": self.loss, "constant_loss": self.constant_loss,
                "curve": self.curve.to_dict()}

    def __str__(self) -> str:
        return (f"cooldown ({self.shape}) of {self.fraction:.0%} of the run from step "
                f"{self.start} to {self.end}: loss {self.loss:.5g} "
                f"(without it {self.constant_loss:.5g}, {self.gain:.3g} lower)")


def cooldown(fit: Any, schedule_or_peak: Any, start: int, fraction: float,
             shape: str = "linear", *, final: float = 0.0, decay: float = 0.999,
             normalize: bool | float = False, **inputs: Any) -> Cooldown:
    """The loss after a cooldown that takes ``fraction`` of the run and starts at step
    ``start`` of a constant-rate run (Hägele et al. 2024, "Scaling Laws and Compute-Optimal
    Training Beyond Fixed Training Durations"): the run ends at step ``start / (1 −
    fraction)``, the rate falls to ``final``·peak with ``shape`` (linear, cosine, sqrt).

    ``schedule_or_peak``: the constant run's schedule (its peak and warmup are used) or its
    peak rate. ``decay``, ``normalize`` and other inputs as :func:`predict_curve`.
    """
    from ..data.schedules import Schedule, constant, wsd

    if not (isinstance(fraction, (int, float)) and 0 < fraction < 1):
        raise OptionError(f"fraction must be in (0, 1), got {fraction!r}", "argument "
                          "'fraction'", "give the cooldown's share of the run, e.g. 0.2")
    if isinstance(schedule_or_peak, Schedule):
        peak, warmup = schedule_or_peak.peak, schedule_or_peak.warmup
    else:
        peak, warmup = schedule_or_peak, 0
    start = int(start)
    if start < 1 or start <= warmup:
        raise OptionError(f"the cooldown must start after the warmup ({warmup} steps), got "
                          f"step {start}", "argument 'start'", "give a later step")
    end = round(start / (1 - fraction))
    if end <= start:
        raise OptionError("the cooldown is shorter than one step", "argument 'fraction'",
                          "give a larger fraction or a later start")
    run = wsd(peak, end, warmup=warmup, decay=(end - start) / end, shape=shape, final=final)
    curve = predict_curve(fit, run, end, decay=decay, normalize=normalize, **inputs)
    flat = curve_values(fit, constant(peak, warmup), np.array([end]), decay=decay,
                        normalize=normalize, inputs=inputs)
    return Cooldown(start, end, float(fraction), run.options["shape"], curve.final,
                    float(flat[0]), curve)
