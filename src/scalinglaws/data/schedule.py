"""Learning-rate areas of a training run: the inputs of the ``schedule`` law.

Tissue, Wang and Wang, "Scaling Law with Learning Rate Annealing", 2024, arXiv:2408.11029,
write the loss at step s as L(s) = L0 + A·S1^(−alpha) − C·S2 with

* the forward area S1 = Σ_{i≤s} η_i, the sum of the learning rates so far, and
* the annealing area S2 = Σ_{i≤s} m_i, m_i = λ·m_{i−1} + (η_{i−1} − η_i), a momentum of
  the learning-rate decrements with decay factor λ (0.999 in the paper).

:func:`schedule_areas` computes both for every logged row of every run.

How the schedule between logged steps is read
    The sums run over *every* optimiser step, but runs are often logged sparsely (every 200
    steps, say). The learning rate is taken as piecewise linear between logged steps (exact
    for linear warmup and linear decay, within a fraction of a percent for a cosine logged
    a few dozen times), expanded to every integer step, and summed exactly. Steps before the
    first logged one ramp linearly from ``initial_lr`` (0: a warmup from zero) at step 0.
    Logging every step makes the areas exact whatever the schedule.

Warmup
    The initial warmup (up to the first step where the learning rate reaches its largest
    value) counts in S1 but not in S2: S2 measures the decay after the peak. Later increases
    of the learning rate (a re-warmup) enter S2 with their sign and lower it.

Examples
--------
>>> import pandas as pd
>>> from scalinglaws.data.schedule import schedule_areas
>>> frame = pd.DataFrame({"run": "a", "step": [1, 2, 3, 4],
...                       "lr": [1.0, 1.0, 0.5, 0.5], "loss": [3.0, 2.9, 2.7, 2.69]})
>>> out = schedule_areas(frame, initial_lr=1.0, decay=0.5)
>>> out["lr_area"].tolist(), out["anneal_area"].tolist()
([1.0, 2.0, 2.5, 3.0], [0.0, 0.0, 0.5, 0.75])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError
from .dataset import Dataset
from .validation import rows_text

#: most optimiser steps one run may span (the expanded schedule is held in memory)
MAX_STEPS = 50_000_000


def schedule_areas(frame: pd.DataFrame | Dataset, *, step: str = "step", lr: str = "lr",
                   by: str | None = "run", decay: float = 0.999,
                   normalize: bool | float = False, initial_lr: float = 0.0,
                   area: str = "lr_area", anneal: str = "anneal_area") -> Any:
    """A copy of ``frame`` with the forward area S1 (column ``area``) and the annealing area
    S2 (column ``anneal``) of Tissue et al. 2024 (arXiv:2408.11029) at every row.

    Parameters
    ----------
    frame:
        A DataFrame or :class:`Dataset`; the same kind is returned.
    step, lr:
        Columns of the optimiser step (integers, strictly increasing within a run) and of the
        learning rate at that step (finite, >= 0).
    by:
        Column that names the run (areas restart for every run); ``None``: one run. When the
        column is absent the frame is one run.
    decay:
        λ, the decay factor of the annealing momentum, in [0, 1) (0.999 in the paper).
    normalize:
        ``False``: areas in the learning rate's own units (the paper's sums). ``True``: divide
        each run's learning rate by its peak, so that S1 counts steps at the peak rate. A
        number: divide by that reference learning rate (comparable across runs).
    initial_lr:
        The learning rate at step 0, from which the schedule ramps to the first logged row.

    Raises
    ------
    DataError
        Missing columns, non-numeric or negative learning rates, steps that are not
        increasing integers >= 1 within a run.
    """
    if isinstance(frame, Dataset):
        out = schedule_areas(frame.to_frame(), step=step, lr=lr, by=by, decay=decay,
                             normalize=normalize, initial_lr=initial_lr, area=area,
                             anneal=anneal)
        return Dataset.from_frame(out, flops_factor=frame.flops_factor, name=frame.name,
                                  citation=frame.citation)
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a DataFrame or Dataset, got {type(frame).__name__}",
                        "argument 'frame' of schedule_areas",
                        "pass pd.DataFrame(...) or sl.Dataset")
    _check_options(decay, normalize, initial_lr)
    for option, column in (("step", step), ("lr", lr)):
        if column not in frame.columns:
            raise DataError(f"the data have no column '{column}'",
                            f"argument '{option}' of schedule_areas",
                            f"name the {option} column; columns are {list(frame.columns)}")
    steps = _numeric(frame[step], step)
    rates = _numeric(frame[lr], lr)
    bad = np.flatnonzero(rates < 0)
    if bad.size:
        raise DataError(f"the learning rate is negative ({rates[bad[0]]:g})",
                        f"column '{lr}', {rows_text(bad)}",
                        "give the learning rate itself (>= 0), not its change or logarithm")
    bad = np.flatnonzero((steps < 1) | (steps != np.round(steps)))
    if bad.size:
        raise DataError(f"steps must be whole numbers >= 1, got {steps[bad[0]]:g}",
                        f"column '{step}', {rows_text(bad)}",
                        "count optimiser steps from 1 (the first update)")
    if by is not None and by in frame.columns:
        groups = pd.factorize(frame[by].astype(str))[0]
    else:
        groups = np.zeros(len(frame), dtype=int)
    s1 = np.full(len(frame), np.nan)
    s2 = np.full(len(frame), np.nan)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        s1[rows], s2[rows] = _run_areas(steps[rows], rates[rows], rows, step, decay,
                                        normalize, initial_lr)
    out = frame.copy()
    out[area] = s1
    out[anneal] = s2
    return out


def _run_areas(steps: np.ndarray, rates: np.ndarray, rows: np.ndarray, column: str,
               decay: float, normalize: bool | float,
               initial_lr: float) -> tuple[np.ndarray, np.ndarray]:
    back = np.flatnonzero(np.diff(steps) <= 0)
    if back.size:
        where = rows[[back[0], back[0] + 1]]
        raise DataError(f"steps are not strictly increasing within a run "
                        f"({steps[back[0]]:g} then {steps[back[0] + 1]:g})",
                        f"column '{column}', {rows_text(where)}",
                        "sort each run by step and drop repeated steps")
    last = int(steps[-1])
    if last > MAX_STEPS:
        raise DataError(f"the run spans {last} steps, more than {MAX_STEPS}",
                        f"column '{column}', {rows_text(rows[-1:])}",
                        "give steps in optimiser updates, not tokens")
    every = np.arange(0, last + 1, dtype=float)
    eta = np.interp(every, np.concatenate(([0.0], steps)),
                    np.concatenate(([initial_lr], rates)))
    scale = 1.0
    if normalize is True:
        scale = float(rates.max())
        if scale <= 0:
            raise DataError("the learning rate is zero throughout the run",
                            f"rows {rows_text(rows)}",
                            "give the run's learning rates, or normalize=False")
    elif normalize is not False:
        scale = float(normalize)
    s1, s2 = dense_areas(eta / scale, decay)
    idx = steps.astype(int)
    return s1[idx], s2[idx]


def dense_areas(eta: np.ndarray, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """S1 and S2 at every step 0..n of a schedule given at every step (``eta[0]`` is the
    rate at step 0, before the first update): the one definition of the two areas, used by
    :func:`schedule_areas` and :meth:`scalinglaws.data.schedules.Schedule.areas`."""
    s1 = np.cumsum(eta)  # s1[i] = sum of eta_1..eta_i (eta[0] is step 0, no update)
    s1 = s1 - eta[0]
    drop = np.zeros_like(eta)
    drop[1:] = eta[:-1] - eta[1:]
    peak = int(np.argmax(eta))
    drop[: peak + 1] = 0.0  # the warmup adds to S1 only
    from scipy.signal import lfilter  # lazily: scipy.signal is slow to import

    momentum = lfilter([1.0], [1.0, -decay], drop)
    return s1, np.cumsum(momentum)


def _numeric(series: pd.Series, column: str) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DataError(f"column '{column}' has values that are not finite numbers "
                        f"({series.iloc[bad[0]]!r})", f"column '{column}', {rows_text(bad)}",
                        "fill or drop those rows")
    return values


def _check_options(decay: float, normalize: bool | float, initial_lr: float) -> None:
    if not (isinstance(decay, (int, float)) and 0.0 <= decay < 1.0):
        raise DataError(f"decay must be a number in [0, 1), got {decay!r}",
                        "argument 'decay' of schedule_areas",
                        "use the paper's 0.999 (momentum of the LR decrements)")
    if not isinstance(normalize, bool) and not (
            isinstance(normalize, (int, float)) and np.isfinite(normalize) and normalize > 0):
        raise DataError(f"normalize must be True, False or a positive learning rate, got "
                        f"{normalize!r}", "argument 'normalize' of schedule_areas",
                        "use False (raw areas), True (per-run peak) or e.g. 3e-4")
    if not (isinstance(initial_lr, (int, float)) and np.isfinite(initial_lr)
            and initial_lr >= 0):
        raise DataError(f"initial_lr must be a finite number >= 0, got {initial_lr!r}",
                        "argument 'initial_lr' of schedule_areas",
                        "give the learning rate at step 0 (0 for a warmup from zero)")
