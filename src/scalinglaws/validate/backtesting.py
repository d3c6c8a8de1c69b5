"""Backtests: fit on some runs, forecast the others, and score the forecast."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, check_n_boot
from ..common.jsonvalues import json_value
from ..common.numbers import times
from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError, ScalingLawWarning
from ..fitting import FitOptions, FitResult, FitStatus, bind_data, calibrate, fit_law
from ..laws.law import Law
from .split import Fold, folds

Array = np.ndarray


@dataclass(frozen=True)
class FoldResult:
    """One fold of a backtest: its fit and what it was scored on."""

    label: str
    fit: FitResult
    n_train: int
    n_test: int


@dataclass(frozen=True)
class Backtest:
    """The outcome of :func:`backtest`: per-point forecasts and their errors.

    ``points`` has one row per scored test point (and fold): ``y``, ``predicted``, the
    ``lower``/``upper`` ends of the ``level`` prediction interval and its ``interval`` kind
    (``calibrated``, or ``observation`` where a fold's runs were too few to calibrate),
    ``abs_rel_error``, ``log_error`` and ``extrapolation`` (how many times beyond the training
    range the point lies, 1 inside it).
    """

    law: str
    rule: str
    level: float
    folds: tuple[FoldResult, ...]
    points: pd.DataFrame

    # -- scores -----------------------------------------------------------------------------
    @property
    def n_train(self) -> int:
        """Rows fitted in at least one fold (the training set, for a single fold)."""
        return int(self.points.attrs.get("n_train", 0))

    @property
    def n_test(self) -> int:
        return len(self.points)

    @property
    def mean_abs_rel_error(self) -> float:
        return float(self.points["abs_rel_error"].mean())

    @property
    def max_abs_rel_error(self) -> float:
        return float(self.points["abs_rel_error"].max())

    @property
    def median_abs_rel_error(self) -> float:
        return float(self.points["abs_rel_error"].median())

    @property
    def rmse_log(self) -> float:
        """Root mean square of log(predicted) - log(y)."""
        return float(np.sqrt(np.mean(self.points["log_error"] ** 2)))

    @property
    def coverage(self) -> float:
        """Share of test points inside their ``level`` prediction interval."""
        return float(self.points["inside"].mean())

    @property
    def interval_kinds(self) -> tuple[str, ...]:
        """The kinds of interval the points were scored with (see :data:`KIND_LABELS`)."""
        kinds = self.points["interval"] if "interval" in self.points else ()
        return tuple(dict.fromkeys(str(k) for k in kinds))

    @property
    def median_width(self) -> float:
        """The median of the intervals' widths relative to the forecast."""
        with np.errstate(all="ignore"):
            w = (self.points["upper"] - self.points["lower"]) / self.points["predicted"].abs()
        return float(np.nanmedian(w)) if np.isfinite(w).any() else float("nan")

    @property
    def max_extrapolation(self) -> float:
        return float(self.points["extrapolation"].max())

    @property
    def fit(self) -> FitResult:
        """The fit of the (first) fold."""
        return self.folds[0].fit

    @property
    def status(self) -> str:
        """The worst fold status: ``failed``, ``max_iter``, ``at_bound`` or ``converged``
        (``failed`` also when a forecast is not finite)."""
        if not np.isfinite(self.points["predicted"]).all():
            return FitStatus.FAILED.value
        return FitStatus.worst(f.fit.status for f in self.folds).value

    @property
    def failed(self) -> bool:
        """Whether a fold's fit failed or stopped at its iteration limit, or a forecast is
        not finite (a parameter at a bound is a warning, not a failure)."""
        return not FitStatus(self.status).finished

    def to_dict(self, points: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "law": self.law, "train": self.rule, "n_train": self.n_train,
            "n_test": self.n_test, "mean_abs_rel_error": self.mean_abs_rel_error,
            "max_abs_rel_error": self.max_abs_rel_error,
            "median_abs_rel_error": self.median_abs_rel_error,
            "rmse_log": self.rmse_log, "coverage": self.coverage,
            "interval": list(self.interval_kinds), "median_width": self.median_width,
            "level": self.level, "max_extrapolation": self.max_extrapolation,
            "status": self.status,
            "folds": [{"label": f.label, "n_train": f.n_train, "n_test": f.n_test,
                       "status": f.fit.status.value, "params": f.fit.params}
                      for f in self.folds],
        }
        if points:
            out["points"] = self.points.to_dict(orient="records")
        return dict(json_value(out))

    def summary_lines(self) -> list[str]:
        return [
            f"Backtest of '{self.law}' (train: {self.rule}; {len(self.folds)} fold(s))",
            f"  fitted on {self.n_train} rows, scored on {self.n_test}",
            f"  mean |relative error| {self.mean_abs_rel_error:.2%}, max "
            f"{self.max_abs_rel_error:.2%}, RMSE(log) {self.rmse_log:.4f}",
            f"  {self.level:.0%} interval coverage {self.coverage:.0%} (median width "
            f"{self.median_width:.1%}; {', '.join(self.interval_kinds)}); test points up to "
            f"{times(self.max_extrapolation)} beyond the training range",
        ]

    def __str__(self) -> str:
        return "\n".join(self.summary_lines())

    def _facts(self) -> list[tuple[str, str]]:
        return [("law", self.law), ("train", self.rule), ("folds", str(len(self.folds))),
                ("fitted rows", str(self.n_train)), ("scored rows", str(self.n_test)),
                ("mean |rel. error|", f"{self.mean_abs_rel_error:.2%}"),
                ("max |rel. error|", f"{self.max_abs_rel_error:.2%}"),
                ("RMSE (log)", f"{self.rmse_log:.4f}"),
                (f"{self.level:.0%} coverage", f"{self.coverage:.0%}"),
                ("interval", ", ".join(self.interval_kinds)),
                ("max extrapolation", times(self.max_extrapolation))]

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
            for k, v in self._facts())
        return f"<table class='scalinglaws-backtest'>{rows}</table>"

    def to_latex(self) -> str:
        """The backtest's summary as a booktabs ``tabular`` (every value escaped)."""
        from ..common import latex

        return latex.tabular(["backtest", "value"], self._facts(), align="ll")


def backtest(law: Law | str, data: Dataset | pd.DataFrame, train: Any, *,
             level: float = 0.9, interval: str | None = "calibrated", n_boot: int = 200,
             seed: int | None = 0,
             order: str | None = None, x: str | None = None, y: str = "loss",
             columns: Mapping[str, str] | None = None,
             progress: Callable[[int, int], None] | None = None,
             weights: Any = None, score: Any = None, cluster: str | None = None,
             **fit_options: Any) -> Backtest:
    """Fit ``law`` on the training rows, forecast the test rows, score the forecast.

    ``train`` is a boolean mask or a rule: ``"flops<1e21"``, ``"largest=3"``, ``"rolling"``,
    ``"leave_family_out"`` (see :data:`scalinglaws.validate.split.RULES_HELP`).
    Prediction intervals for the coverage are by default ``interval="calibrated"``: each
    fold's fit is calibrated on rolling-origin backtests inside its own training rows
    (:func:`scalinglaws.calibrate`; a fold too small for that falls back to the next kind);
    ``interval="observation"`` gives the parameter-only interval of a new run, from a
    bootstrap of ``n_boot`` resamples (``n_boot=0``: the delta method); ``interval=None``
    skips intervals. ``weights`` (one per row of ``data``) weight the training runs of each
    fold; ``fit_options`` go to :func:`scalinglaws.fit`. For curves (several checkpoints per
    run): ``score`` (a mask over the rows, e.g. ``sl.data.curves.is_final(ds)``) scores only
    those held-out rows, and ``cluster`` (a column, e.g. ``"run"``) resamples whole runs in
    the bootstrap of the intervals.
    ``progress(done, total)`` is called after each fold.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> ds = sl.datasets.load("chinchilla")
    >>> bt = sl.validate.backtest("chinchilla", ds, train="flops<1e21", n_boot=0)
    >>> bt.n_test > 0 and bt.mean_abs_rel_error < 0.1
    True
    """
    level = check_level(level)
    n_boot = check_n_boot(n_boot, "the delta method", "use e.g. 200, or 0")
    if interval not in ("calibrated", "observation", None):
        raise OptionError(f"unknown interval kind {interval!r}", "argument 'interval'",
                          "use 'calibrated', 'observation' (parameter-only) or None")
    options = FitOptions.coerce(**fit_options)
    law_obj, ds = bind_data(law, data, x=x, columns=columns, y=y)
    splits = folds(ds, train, order=order)
    if score is not None:
        scored = np.asarray(score, dtype=bool)
        if scored.shape != (len(ds),):
            raise OptionError(f"score has {scored.size} values for {len(ds)} rows",
                              "argument 'score'", "give one true/false per row of the data")
        splits = [dataclasses.replace(f, test=f.test & scored) for f in splits]
        splits = [f for f in splits if f.test.any()] or _no_scored()
    if cluster is not None and not ds.has(cluster):
        raise OptionError(f"the data have no column '{cluster}' to cluster by",
                          "argument 'cluster'", "name the run column, e.g. cluster='run'")
    w = None if weights is None else np.asarray(weights, dtype=float)
    if w is not None and w.shape != (len(ds),):
        raise OptionError(f"weights has {w.size} values for {len(ds)} rows",
                          "argument 'weights'", "give one weight per row of the data")
    results: list[FoldResult] = []
    frames = []
    trained = np.zeros(len(ds), dtype=bool)
    for k, fold in enumerate(splits):
        if progress is not None:
            progress(k, len(splits))
        res, frame = _run_fold(law_obj, ds, fold, y,
                               _Intervals(level, interval, n_boot, seed, cluster),
                               options, None if w is None else w[fold.train])
        results.append(res)
        frames.append(frame)
        trained |= fold.train
    if progress is not None:
        progress(len(splits), len(splits))
    points = pd.concat(frames, ignore_index=True)
    points.attrs["n_train"] = int(trained.sum())
    return Backtest(law=law_obj.name, rule=rule_label(train), level=level,
                    folds=tuple(results), points=points)


def _no_scored() -> Any:
    raise OptionError("no held-out row is among the rows to score", "argument 'score'",
                      "score rows the split holds out (e.g. the final checkpoints of the "
                      "held-out runs)")


def rule_label(train: Any) -> str:
    """How a backtest names its ``train=``: the rule's text, ``mask`` or ``folds``."""
    if isinstance(train, str):
        return train
    return "folds" if isinstance(train, (list, tuple)) else "mask"


@dataclass(frozen=True)
class _Intervals:
    """How a backtest's intervals are made."""

    level: float
    kind: str | None
    n_boot: int
    seed: int | None
    cluster: str | None = None


def _run_fold(law: Law, ds: Dataset, fold: Fold, y: str, how: _Intervals,
              options: FitOptions, weights: Array | None = None
              ) -> tuple[FoldResult, pd.DataFrame]:
    train_ds, test_ds = ds[fold.train], ds[fold.test]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)
        fitted = fit_law(law, train_ds, y=y, options=options, weights=weights, quiet=True)
        inputs = {str(c): test_ds.column(str(c)) for c in law.inputs.values()}
        with np.errstate(all="ignore"):
            predicted = np.asarray(law(fitted.params, **inputs), dtype=float)
        lower, upper, kind = _intervals(fitted, inputs, how)
    truth = test_ds.column(y)
    with np.errstate(all="ignore"):
        rel = np.abs(predicted - truth) / np.abs(truth)
        log_err = np.log(predicted) - np.log(truth)
    distance = np.broadcast_to(fitted.extrapolation_factor(**inputs), truth.shape)
    frame = pd.DataFrame({
        "fold": fold.label, "row": np.flatnonzero(fold.test), "y": truth,
        "predicted": predicted, "lower": lower, "upper": upper, "interval": kind,
        "abs_rel_error": rel,
        "log_error": log_err, "inside": (truth >= lower) & (truth <= upper),
        "extrapolation": distance})
    for col, values in inputs.items():
        frame[col] = values
    if test_ds.has("run"):
        frame["run"] = [str(v) for v in test_ds.labels("run")]
    return FoldResult(fold.label, fitted, int(fold.train.sum()), int(fold.test.sum())), frame


def _intervals(fitted: FitResult, inputs: Mapping[str, Array], how: _Intervals
               ) -> tuple[Array, Array, str]:
    n = len(next(iter(inputs.values())))
    nan = np.full(n, np.nan)
    if how.kind is None or (not fitted.status.ok
                            and not np.isfinite(list(fitted.params.values())).all()):
        return nan, nan, "none"
    if how.kind == "calibrated":
        try:
            calibrated = calibrate(fitted)
        except DataError:  # too few sizes in this fold: the parameter-only interval
            pass
        else:
            lo, hi = calibrated.predict_interval(how.level, kind="calibrated", **inputs)
            return _filled(lo, n), _filled(hi, n), "calibrated"
    if how.n_boot:
        boot = fitted.bootstrap(how.n_boot, seed=how.seed, by=how.cluster)
        lo, hi = boot.prediction_interval(how.level, seed=0, **inputs)
    else:
        lo, hi = fitted.predict_interval(how.level, kind="observation", **inputs)
    return _filled(lo, n), _filled(hi, n), "observation"


def _filled(values: Any, n: int) -> Array:
    return np.broadcast_to(np.asarray(values, dtype=float), (n,)).astype(float)
