"""One candidate's forecast: the ``rectified`` law (Lin et al. 2024, eq. 3) fitted to its
(subset size, loss) points, its loss at the full fine-tuning size, and a bootstrap interval
of that loss."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..fitting import FitOptions, FitResult, FitStatus, fit_law
from ..laws import catalog
from ..laws.law import Law

#: two polished starts: the law has two nonlinear parameters, searched on a grid first
OPTIONS = FitOptions(n_polish=2, max_iter=200)


@cache
def rectified() -> Law:
    """The catalog's ``rectified`` law (built once)."""
    return catalog.get("rectified")


@dataclass(frozen=True)
class Forecast:
    """A candidate's predicted loss at the full size, with the bootstrap interval
    ``(low, high)`` at the selection's level, and the fit it comes from."""

    loss: float
    low: float
    high: float
    fit: FitResult

    @property
    def usable(self) -> bool:
        return math.isfinite(self.loss) and self.fit.status is not FitStatus.FAILED


def forecast(points: Sequence[tuple[float, float]], full_size: float, *, level: float,
             n_boot: int, seed: int | None, before: float | None = None) -> Forecast:
    """Fit ``rectified`` to ``points`` and forecast the loss at ``full_size``.

    The interval is the bootstrap's percentile interval widened to hold the estimate give
    or take how far it moved from the forecast made without the largest subset (``before``,
    fitted here when not given): a forecast that still moves as a subset is added may move
    as much again (a bootstrap of a few points from the flat phase, warm started at the fit,
    stays in its basin and can be far too narrow)."""
    fit = _fit(points)
    loss = _at(fit, full_size)
    low = high = loss
    if before is None and len(points) > 4:  # four points fix the four parameters exactly
        before = _at(_fit(points[:-1]), full_size)
    if before is not None and math.isfinite(before):
        moved = abs(loss - before)
        low, high = loss - moved, loss + moved
    if n_boot:
        boot = fit.bootstrap(n_boot, seed=seed)
        samples = np.asarray(boot.samples, dtype=float)
        samples = samples[np.all(np.isfinite(samples), axis=1)]
        if len(samples) >= 2:
            values = np.asarray(fit.law.evaluate([np.array([[full_size]])], samples))[:, 0]
            values = values[np.isfinite(values)]
            tail = 100 * (1 - level) / 2
            lo, hi = (float(v) for v in np.percentile(values, [tail, 100 - tail]))
            low, high = min(low, lo), max(high, hi)
    return Forecast(loss, low, high, fit)


def _fit(points: Sequence[tuple[float, float]]) -> FitResult:
    frame = pd.DataFrame(list(points), columns=["examples", "loss"])
    return fit_law(rectified(), Dataset.from_frame(frame), options=OPTIONS, quiet=True)


def _at(fit: FitResult, size: float) -> float:
    return float(np.asarray(fit.law(fit.params, examples=size)))
