"""``scalinglaws.calibrate``: rolling-origin backtests of a fit on its own data, turned into a
:class:`~scalinglaws.fitting.calibration.Calibration` of its extrapolation intervals.

The runs are ordered by size (``order``: by default the first of params, flops, tokens among
the law's inputs, else in the data, else the law's first input). Each fold fits the law, with
the fit's own objective and case weights, on the runs below a cut and forecasts every run at
or above it; the cuts leave 50% to 90% of the rows (snapped to whole sizes) for training, and
every fold keeps at least three sizes and twice as many rows as parameters.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np

from ..data.dataset import Dataset
from ..data.validation import SIZE_COLUMNS
from ..engine.diagnostics import extrapolation_factor
from ..engine.links import link_for
from ..engine.options import FitOptions
from ..exceptions import DataError, OptionError, ScalingLawWarning
from ..uncertainty.refit import fit_data
from .calibration import ONE_SIGMA, Calibration, growth, spread
from .result import FitResult
from .single import fit_law

#: the shares of the rows the folds train on (snapped to whole sizes)
TRAIN_SHARES = (0.5, 0.6, 0.7, 0.8, 0.9)
#: fewest distinct sizes a fold trains on
MIN_TRAIN_SIZES = 3


def calibrate(fit: FitResult, data: Any = None, *, order: str | None = None,
              folds: int = len(TRAIN_SHARES)) -> FitResult:
    """The fit with a :class:`~scalinglaws.fitting.calibration.Calibration` of its
    extrapolation intervals, from rolling-origin backtests on its data (``data``: the rows it
    was fitted on, for a fit loaded from a file that does not carry them). Then
    ``fit.predict_interval(0.9, kind="calibrated", ...)`` widens with the distance of each
    query beyond the data, as the data's own forecasts did.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> fit = sl.calibrate(sl.fit("chinchilla", sl.datasets.load("chinchilla")))
    >>> lo, hi = fit.predict_interval(0.9, kind="calibrated", params=7e10, tokens=1.4e12)
    >>> bool(lo < fit.predict(params=7e10, tokens=1.4e12) < hi)
    True
    """
    return dataclasses.replace(fit, calibration=calibration_of(fit, data, order=order,
                                                                folds=folds))


def calibration_of(fit: FitResult, data: Any = None, *, order: str | None = None,
                   folds: int = len(TRAIN_SHARES)) -> Calibration:
    """The :class:`Calibration` of ``fit`` (see :func:`calibrate`)."""
    if not isinstance(folds, int) or isinstance(folds, bool) or not 2 <= folds <= 20:
        raise OptionError(f"folds must be an integer from 2 to 20, got {folds!r}",
                          "argument 'folds'", "use the default 5")
    ds = _data(fit, data)
    column = size_order(fit, ds, order)
    size = ds.column(column)
    options = FitOptions(loss=fit.loss, delta=fit.delta,
                         overestimate_penalty=fit.overestimate_penalty)
    cuts = rolling_cuts(size, len(fit.law.parameters), folds)
    if len(cuts) < 2:
        raise DataError(
            f"too few sizes to calibrate: {len(np.unique(size))} distinct {column} give "
            f"{len(cuts)} rolling fold(s)", f"column '{column}'",
            "add runs of more sizes, order by another column (order=), or use the "
            "parameter-only interval (kind='observation')")
    found: list[tuple[np.ndarray, ...]] = []
    trained = []
    for cut in cuts:
        fold = _fold(fit, ds, size < cut, options)
        if fold is not None:
            found.append(fold)
            trained.append(int(np.sum(size < cut)))
    if len(trained) < 2:
        raise DataError("too few rolling folds could be fitted to calibrate the intervals",
                        f"{len(cuts)} folds by {column}",
                        "check the fit's warnings, or use kind='observation'")
    e, d, s, p = (np.concatenate(v) for v in zip(*found, strict=True))
    return Calibration(e, d, s, p, tau=growth(e, d, s, p), sigma=float(fit.residual_scale),
                       log=not link_for(fit.loss).identity, order=column, folds=tuple(trained),
                       logit=link_for(fit.loss).kind == "logit")


def _data(fit: FitResult, data: Any) -> Dataset:
    return fit_data(fit, data, "calibrate")


def size_order(fit: FitResult, ds: Dataset, order: str | None) -> str:
    """The column that orders runs by size (see the module's text)."""
    if order is not None:
        ds.column(order)  # a DataError naming the columns when absent
        return order
    inputs = [str(c) for c in fit.law.inputs.values() if c]
    for pool in (inputs, ds.columns):
        for col in SIZE_COLUMNS:
            if col in pool and ds.has(col):
                return col
    return inputs[0]


def rolling_cuts(size: np.ndarray, n_params: int, folds: int) -> list[float]:
    """The sizes at which the folds cut (train: below the cut), spread over the shares of
    rows in :data:`TRAIN_SHARES` (or ``folds`` shares from 50% to 90%)."""
    sizes = np.unique(size)
    counts = np.searchsorted(np.sort(size), sizes)  # rows below each size
    ok = (np.arange(len(sizes)) >= MIN_TRAIN_SIZES) & (counts >= max(2 * n_params, 8))
    candidates, rows = sizes[ok], counts[ok]
    if candidates.size == 0:
        return []
    shares = np.linspace(0.5, 0.9, folds) if folds != len(TRAIN_SHARES) else TRAIN_SHARES
    picked = {float(candidates[np.argmin(np.abs(rows - share * len(size)))])
              for share in shares}
    return sorted(picked)


def _fold(fit: FitResult, ds: Dataset, train: np.ndarray, options: FitOptions
          ) -> tuple[np.ndarray, ...] | None:
    """Residuals, ln extrapolation factors, residual scales and parameter-only deviations of
    one fold's forecasts (None when its fit fails)."""
    weights = None if fit.case_weights is None else np.asarray(fit.case_weights)[train]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)
        part = fit_law(fit.law, ds[train], y=fit.target, options=options, weights=weights,
                       quiet=True)
    if not part.status.finished:
        return None
    test = ds[~train]
    inputs = {str(c): test.column(str(c)) for c in fit.law.inputs.values() if c}
    with np.errstate(all="ignore"):
        predicted = np.asarray(fit.law(part.params, **inputs), dtype=float)
    y = test.column(fit.target)
    errors = residuals(y, predicted, fit.loss)
    keep = np.isfinite(errors)
    factor = extrapolation_factor(part.input_ranges, inputs)
    distance = np.log(np.broadcast_to(factor, y.shape))
    scale = np.full(y.shape, float(part.residual_scale))
    lo, hi = part.predict_interval(ONE_SIGMA, kind="mean", **inputs)
    spreads = spread(lo, hi, predicted, not link_for(fit.loss).identity, fit.loss)
    return errors[keep], distance[keep], scale[keep], np.broadcast_to(spreads, y.shape)[keep]


def residuals(y: np.ndarray, predicted: np.ndarray, loss: str) -> np.ndarray:
    """``y`` against the forecast in the space of the fit's residuals (log for log losses)."""
    link = link_for(loss)
    with np.errstate(all="ignore"):
        if link.identity:
            return np.asarray(y - predicted, dtype=float)
        return np.asarray(link.transform(y) - link.transform(predicted), dtype=float)

