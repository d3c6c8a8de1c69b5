"""Intervals on forecast loss curves: refits on resamples of the fitted curves.

A loss curve's points are not independent draws: neighbouring checkpoints share the run's
noise, and the runs of a fit are few. So the resamples keep that structure
(``docs/decisions.md``):

* with at least :data:`MIN_RUNS` runs, whole runs are drawn with replacement (a cluster
  bootstrap; fewer runs give too few distinct resamples);
* otherwise each run keeps its points and its fitted curve, and its residuals (on the log
  scale of the fit) are redrawn in moving blocks of about n^(1/3) consecutive points
  (a residual-block bootstrap), so that a run's serial correlation is kept within blocks.

Each resample is refitted from the fit's optimum; the band at each step is the central
``level`` range of the resampled fits' curves. It is a *parameter-only* interval: it covers
the law's mean curve under the fitted form, not the noise of a new run, nor an error in the
law's form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import OptionError
from ..uncertainty.blocks import MIN_RUNS, block_draw

if TYPE_CHECKING:
    from ..data.schedules import Schedule

#: the label of the band in a curve's record and the command line's JSON
INTERVAL_KIND = "parameter-only bootstrap (refits on resampled runs or residual blocks)"


def check_band(level: Any, n_boot: Any) -> tuple[float, int]:
    """``interval`` and ``n_boot`` of ``predict_curve``, checked."""
    from ..common.checks import check_level

    level = check_level(level)
    if not isinstance(n_boot, (int, np.integer)) or isinstance(n_boot, bool) or n_boot < 20:
        raise OptionError(f"n_boot must be a whole number >= 20, got {n_boot!r}",
                          "argument 'n_boot'", "give e.g. n_boot=200 (the band's ends are "
                          "percentiles of the refits)")
    return level, int(n_boot)


def band(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The central ``level`` range of each column of ``values`` (K, m), ignoring failed
    refits (rows with NaN)."""
    good = values[np.isfinite(values).all(axis=1)]
    if len(good) < 2:
        from ..exceptions import FitError

        raise FitError("fewer than two resamples could be refitted", "curve interval",
                       "check the fit; a fit that failed cannot be resampled")
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(good, [a, 1.0 - a], axis=0)
    return lo, hi


def area_samples(fit: Any, n: int, seed: int | None) -> np.ndarray:
    """Parameters (n, p) of a fit of the areas' laws (a FitResult) refitted on resamples of
    its data: whole runs (``run`` column, at least :data:`MIN_RUNS`), else residual blocks
    within each run (ordered by ``step`` when the data have one)."""
    from ..uncertainty.batchfit import refit_weighted
    from ..uncertainty.refit import estimate_search, fit_data, fit_objective

    ds = fit_data(fit, None, "FitResult.predict_curve")
    runs = np.array([str(v) for v in ds.labels("run")]) if ds.has("run") else np.zeros(
        len(ds)).astype(str)
    if len(np.unique(runs)) >= MIN_RUNS:
        return np.asarray(fit.bootstrap(n, by="run", seed=seed).samples, dtype=float)
    from ..engine.objective import Objective

    obj = fit_objective(fit, ds)
    warm = estimate_search(fit, obj)
    r, _, f = obj.residual_jacobian(warm[None, :])
    r, f = r[0], f[0]
    order = np.arange(len(ds))
    if ds.has("step"):
        order = order[np.argsort(ds.column("step"), kind="stable")]
    groups = [order[runs[order] == u] for u in np.unique(runs)]
    rng = np.random.default_rng(seed)
    out = np.full((n, len(warm)), np.nan)
    ones = np.ones((1, len(ds)))
    for b in range(n):
        drawn = np.empty_like(r)
        for idx in groups:
            drawn[idx] = r[idx][block_draw(idx.size, rng)]
        y = obj.link.shifted(f, -drawn)
        again = Objective(fit.law, obj.X, y, fit.loss, fit.delta, fit.overestimate_penalty,
                          fit.case_weights)
        out[b] = refit_weighted(again, warm, ones).params[0]
    return out


def curve_band(fit: Any, schedule: Schedule, steps: np.ndarray, level: float, n_boot: int,
               seed: int | None, query: dict[str, Any] | None) -> tuple[np.ndarray,
                                                                      np.ndarray]:
    """Lower and upper bounds of the forecast curve at ``steps``: a multi-power fit's
    bootstrap, or for a fit of the areas' laws its refits evaluated at the areas'
    ``query`` (the law's inputs at the steps)."""
    if getattr(fit, "law_name", None) == "multi_power":
        from .multipower_law import PARAMETERS, design, evaluate

        samples = fit.bootstrap(n_boot, seed=seed)
        d = design(schedule, steps)
        with np.errstate(all="ignore"):
            values = np.array([evaluate(dict(zip(PARAMETERS, row, strict=True)), d)
                               if np.isfinite(row).all() else np.full(steps.size, np.nan)
                               for row in samples])
        return band(values, level)
    assert query is not None
    samples = area_samples(fit, n_boot, seed)
    flat, _ = fit.law.flat_inputs(query)
    with np.errstate(all="ignore"):
        values = np.asarray(fit.law.evaluate(flat, samples[np.isfinite(samples).all(axis=1)]),
                            dtype=float) * np.ones(steps.size)
    return band(values, level)
