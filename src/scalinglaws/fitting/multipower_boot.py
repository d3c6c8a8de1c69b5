"""Refits of a multi-power fit on resamples of its curves: the parameters behind the bands
of :func:`~.curves.predict_curve` (see :mod:`.curve_bands` for the resampling)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import OptionError
from ..uncertainty.blocks import MIN_RUNS, block_draw, run_draw
from .multipower_law import PARAMETERS, design, evaluate
from .multipower_solve import solve


def bootstrap_multi_power(fit: Any, n: int, *, seed: int | None = 0,
                          max_nfev: int = 100) -> np.ndarray:
    """Parameters (n, 7) of ``fit`` (a MultiPowerFit) refitted on ``n`` resamples of its
    curves (whole runs when there are at least ``MIN_RUNS``, else residual blocks within
    each run; see :mod:`.curve_bands`), each from the fit's optimum with the parameters it
    held (given or profiled) held, stopping after ``max_nfev`` evaluations (a refit that
    ends in the flat valley forecasts as well); NaN rows for refits that failed."""
    if not fit.curves:
        raise OptionError("this multi-power fit does not carry its curves (saved before "
                          "they were kept)", "MultiPowerFit.bootstrap",
                          "refit it with fit_multi_power (or scalinglaws fit --law "
                          "multi_power --out FILE)")
    theta = np.array([fit.params[k] for k in PARAMETERS])
    held = {k: fit.params[k] for k in (*fit.fixed, *fit.profiled)}
    designs = [design(sched, at) for _, at, _, sched in fit.curves]
    targets = [np.asarray(y, dtype=float) for _, _, y, _ in fit.curves]
    p = dict(zip(PARAMETERS, theta, strict=True))
    fitted = [np.maximum(evaluate(p, d), 1e-12) for d in designs]
    logr = [np.log(f) - np.log(y) for f, y in zip(fitted, targets, strict=True)]
    rng = np.random.default_rng(seed)
    out = np.full((n, len(PARAMETERS)), np.nan)
    for b in range(n):
        if len(designs) >= MIN_RUNS:
            pick = run_draw(len(designs), rng)
            ds = [designs[i] for i in pick]
            logy = np.concatenate([np.log(targets[i]) for i in pick])
        else:
            ds = designs
            logy = np.concatenate([np.log(f) - r[block_draw(r.size, rng)]
                                   for f, r in zip(fitted, logr, strict=True)])
        got = solve(ds, logy, theta, held, max_nfev)
        if got is not None:
            out[b] = got.theta
    return out
