"""FitResult: the frozen outcome of a fit, with predictions, summary and JSON round trip."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..common.warning import warn
from ..engine.diagnostics import Diagnostics, extrapolation_factor
from ..engine.diagnostics import extrapolation as _extrapolation
from ..engine.status import FitStatus, StartsTable
from ..engine.verdict import values_at_bound
from ..exceptions import OptionError
from ..laws.law import Law
from .calibration import ONE_SIGMA, Calibration, queried, spread
from .query import check_inputs, check_values
from .record import fit_record, read_fit_record

if TYPE_CHECKING:
    from ..uncertainty.bootstrap import Bootstrap
    from ..uncertainty.profile import Profile
    from .summary import Summary



@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`scalinglaws.fit`.

    ``params`` and ``stderr`` map parameter names to values; ``cov`` is in natural units, in
    the order of ``law.parameter_names`` (see ``docs/decisions.md`` for how it is estimated).
    ``diagnostics`` holds what the engine checked beyond ``status`` (bounds, conditioning,
    residual trends, the data's shape, points per parameter; None for records saved before
    diagnostics existed); its problems are also among ``warnings``.

    ``data`` is the :class:`~scalinglaws.Dataset` it was fitted on, also for a fit read from
    a file that carries them (small data are embedded in the file; larger data are read
    again from ``data_source``, the file they came from, and checked against
    ``fingerprint``, which covers the columns the fit reads). ``data_convention`` is how
    the data counted params, tokens and flops (:attr:`Dataset.convention
    <scalinglaws.Dataset.convention>`, described in words; None when the data did not say),
    kept beside the dataset's name so that it survives saving.
    """

    law: Law
    params: Mapping[str, float]
    stderr: Mapping[str, float]
    cov: np.ndarray
    objective: float
    loss: str
    delta: float
    overestimate_penalty: float
    n_points: int
    status: FitStatus
    warnings: tuple[str, ...]
    target: str
    columns: Mapping[str, str]
    input_ranges: Mapping[str, tuple[float, float]]
    fingerprint: str
    dataset: str | None = None
    n_starts: int = 0
    residual_scale: float = float("nan")
    diagnostics: Diagnostics | None = None
    starts: StartsTable | None = field(default=None, repr=False, compare=False)
    data: Any = field(default=None, repr=False, compare=False)
    case_weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    uncertainty: Bootstrap | None = field(default=None, repr=False, compare=False)
    calibration: Calibration | None = field(default=None, repr=False, compare=False)
    data_source: str | None = field(default=None, repr=False, compare=False)
    data_convention: str | None = None

    # -- use --------------------------------------------------------------------------------
    def predict(self, *, extrapolation: float | None = 10.0, **inputs: Any) -> Any:
        """The law at the fitted parameters: ``fit.predict(params=7e10, tokens=1.4e12)``.

        Inputs are named by column (``params``) or by the law's symbol (``N``); arrays
        broadcast. Returns a float for scalar inputs, else an array.

        ``extrapolation`` (keyword only, so no input may be called that) is how many times
        beyond the fitted range of an input a query may lie before one
        :class:`~scalinglaws.ScalingLawWarning` per call says so (default 10, one order of
        magnitude); ``None`` or ``math.inf`` turns the check off. When the fit's diagnostics
        found the data U-shaped or rising in an input the query uses, each call also warns
        with that finding.

        Inputs are checked as the data are (finite; positive sizes, tokens, FLOPs, losses):
        a bad one, or one where the law is not finite, is an :class:`~scalinglaws.OptionError`
        naming it.
        """
        check_inputs(self.law, inputs)
        out = self.law(self.params, **inputs)
        check_values(self.law, self.params, inputs, out, self.input_ranges)
        self._warn_about_query(inputs, extrapolation)
        return float(out) if np.ndim(out) == 0 else out

    def predict_curve(self, schedule: Any, steps: Any = None, *, decay: float = 0.999,
                      normalize: bool | float = False, interval: float | None = None,
                      n_boot: int = 200, seed: int | None = 0, **inputs: Any) -> Any:
        """The loss at each step under a learning-rate schedule, for a fit of a law of the
        schedule's areas (``schedule``, ``schedule_n``): a :class:`~.curves.LossCurve`.
        ``steps`` an int n (1..n thinned to ~200), a list, or None (the schedule's length);
        ``interval`` a level for a bootstrap band of ``n_boot`` refits; see
        :func:`scalinglaws.fitting.curves.predict_curve`."""
        from .curves import predict_curve

        return predict_curve(self, schedule, steps, decay=decay, normalize=normalize,
                             interval=interval, n_boot=n_boot, seed=seed, **inputs)

    def _warn_about_query(self, inputs: Mapping[str, Any], factor: float | None) -> None:
        """The warnings of :meth:`predict`: extrapolation, then the data's shape."""
        shapes = self.diagnostics.shapes if self.diagnostics is not None else ()
        if (factor is None or factor == math.inf) and not shapes:
            return
        query = queried(self.law, inputs)  # column -> value, given by column or by symbol
        if factor is not None and factor != math.inf:
            found = _extrapolation(self.input_ranges, query, float(factor))
            if found:
                warn("; ".join(found))
        used = [s.message for s in shapes if s.column in query]
        if used:
            warn("; ".join(used))

    def bootstrap(self, n: int = 1000, *, by: str | None = None, seed: int | None = None,
                  data: Any = None, progress: Any = None, level: float = 0.95) -> Bootstrap:
        """Refit on ``n`` resamples of the data; returns a :class:`~scalinglaws.Bootstrap`.

        ``by=None`` resamples points; ``by="run"`` (or ``"seed"``, ``"family"``, any column)
        resamples whole clusters: at least 5 of them (k clusters give only C(2k-1, k)
        distinct resamples), and fewer than 10 warn. All resamples are fitted together as
        one batch, each warm started from this fit's optimum and from the other local optima
        its starts found.
        A fit read from a file uses the data it carries, else needs ``data=`` (checked
        against its fingerprint, as ``data=`` always is). ``level`` is
        the level of the intervals a fit carrying this bootstrap reports in its record
        (:meth:`with_bootstrap`); :meth:`Bootstrap.interval` takes any level.
        """
        from ..uncertainty.bootstrap import run_bootstrap

        return run_bootstrap(self, n, by=by, seed=seed, data=data, progress=progress,
                             level=level)

    def with_bootstrap(self, bootstrap: Bootstrap | None) -> FitResult:
        """This fit carrying a bootstrap (saved with it; used by ``predict_interval``), or
        with ``None`` this fit without one."""
        return dataclasses.replace(self, uncertainty=bootstrap)

    def with_calibration(self, calibration: Calibration | None) -> FitResult:
        """This fit carrying a calibration of its extrapolation intervals (saved with it;
        :func:`scalinglaws.calibrate` makes one), or with ``None`` without one."""
        return dataclasses.replace(self, calibration=calibration)

    def extrapolation_factor(self, **inputs: Any) -> Any:
        """How many times beyond the fitted data each query lies (1 inside every input's
        range): ``fit.extrapolation_factor(params=7e10, tokens=1.4e12)``."""
        out = extrapolation_factor(self.input_ranges, queried(self.law, inputs))
        return float(out) if np.ndim(out) == 0 else out

    def profile(self, name: str, *, level: float = 0.95, data: Any = None,
                points: int = 41) -> Profile:
        """Profile-likelihood interval of one parameter (see :class:`~scalinglaws.Profile`)."""
        from ..uncertainty.profile import run_profile

        return run_profile(self, name, level=level, data=data, points=points)

    def predict_interval(self, level: float = 0.9, *, kind: str = "mean",
                         **inputs: Any) -> tuple[Any, Any]:
        """Interval for the law's mean (``kind="mean"``), a new observation
        (``kind="observation"``) or a new run wherever it lies (``kind="calibrated"``).

        The first two are parameter-only: they use the attached bootstrap
        (:meth:`with_bootstrap`) when there is one, else the delta method on ``cov`` (normal
        approximation in log space for log losses), and do not widen with extrapolation
        beyond what the parameters' uncertainty implies. ``"calibrated"`` needs a calibration
        (:func:`scalinglaws.calibrate`): it widens with each query's distance beyond the data
        as the data's own rolling-origin forecasts did (see ``docs/uncertainty.md``).
        """
        from ..uncertainty.delta import delta_interval

        check_inputs(self.law, inputs, "predict_interval")
        if kind == "calibrated":
            return self._calibrated_interval(level, inputs)
        if kind not in ("mean", "observation"):
            raise OptionError(f"unknown interval kind '{kind}'", "argument 'kind'",
                              "use 'mean' (the law), 'observation' (a new run, "
                              "parameter-only) or 'calibrated' (a new run, calibrated on "
                              "backtests)")
        if self.uncertainty is not None:
            if kind == "mean":
                return self.uncertainty.predict_interval(level, **inputs)
            return self.uncertainty.prediction_interval(level, **inputs)
        return delta_interval(self, level, kind, inputs)

    def _calibrated_interval(self, level: float, inputs: Mapping[str, Any]
                             ) -> tuple[Any, Any]:
        if self.calibration is None:
            raise OptionError("this fit has no calibration for kind='calibrated'",
                              "argument 'kind'", "calibrate it first: fit = "
                              "sl.calibrate(fit), or use kind='observation' (parameter-only)")
        predicted = np.asarray(self.law(self.params, **inputs), dtype=float)
        factor = extrapolation_factor(self.input_ranges, queried(self.law, inputs))
        cal = self.calibration
        one = self.predict_interval(ONE_SIGMA, kind="mean", **inputs)
        deviation = spread(one[0], one[1], predicted, cal.log, self.loss)
        lo, hi = cal.interval(predicted, np.broadcast_to(factor, predicted.shape),
                              np.broadcast_to(deviation, predicted.shape), level, self.loss)
        if np.ndim(lo) == 0:
            return float(lo), float(hi)
        return lo, hi

    @property
    def converged(self) -> bool:
        return self.status.ok

    def summary(self) -> Summary:
        """A :class:`~scalinglaws.Summary`, rendered as text, HTML or a dict."""
        from .summary import Summary

        return Summary.from_fit(self)

    def __str__(self) -> str:
        return str(self.summary())

    def _repr_html_(self) -> str:
        return str(self.summary().html())

    @property
    def at_bound(self) -> tuple[str, ...]:
        """The parameters that sit at a bound: the engine's verdict (its diagnostics), or for a
        record saved without diagnostics the same rule applied to the values."""
        if self.diagnostics is not None:
            return tuple(self.diagnostics.at_bound)
        return values_at_bound(self.law, self.params)

    @property
    def undetermined(self) -> dict[str, str]:
        """The parameters the data do not determine, each with the reason: a flat direction
        of the objective (other parameters can take up its change), or a bound the optimum
        presses against (no curvature there, no standard error). Fix them (``Law(...,
        parameters={name: {"lower": v, "upper": v}})``), bound them, or add runs that vary
        them."""
        out: dict[str, str] = {}
        d = self.diagnostics
        for name in self.at_bound:
            p = self.law.parameter(name)
            side = "lower" if abs(self.params[name] - p.lower) <= abs(
                self.params[name] - p.upper) else "upper"
            out[name] = (f"at its {side} bound: the optimum presses against it, so the data "
                         "give it no curvature and no standard error")
        if d is None:
            return out
        for name in d.flat:
            out.setdefault(name, f"a flat direction (condition number {d.condition:.1e}): "
                                 "other parameters take up its change, so the data cannot "
                                 "pin it down")
        return out

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fit's one JSON document (``scalinglaws fit --json`` prints it, ``save`` writes
        it, :func:`scalinglaws.load` and ``from_dict`` read it back); schema-versioned."""
        return fit_record(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FitResult:
        """Read a document of :meth:`to_dict` (any schema version up to this one's)."""
        fields, bootstrap = read_fit_record(d)
        return cls(**fields, uncertainty=bootstrap)

    def save(self, path: Any) -> None:
        """Write the fit as JSON, atomically (temporary file, then rename)."""
        from ..data.files import write_json_atomic

        write_json_atomic(path, self.to_dict())
