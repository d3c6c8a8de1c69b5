"""Fitting the multi-power law (:mod:`.multipower`) to loss curves.

The engine fits laws written as expressions of per-row inputs; the multi-power law's loss
drop is a sum over every earlier step of the run's schedule, which no fixed set of per-row
columns carries (see ``docs/decisions.md``). This is its dedicated fit: bounded least squares
(scipy ``least_squares``, trust-region reflective, analytic Jacobian) on the log of the loss,
from the best starts of a grid.

Starts
    For every point of the grid alpha ∈ {0.2, 0.35, 0.5, 0.7}, C ∈ {0.5, 2, 8},
    beta ∈ {0.3, 0.6, 1.2}, gamma ∈ {0.3, 0.6, 0.9} (108 points, around the values the
    paper's authors report: alpha ≈ 0.45, C ≈ 2, beta ≈ 0.6, gamma ≈ 0.64) the parameters
    that enter linearly, L0, A and B, are solved by linear least squares; the ``starts``
    best of those with A > 0 and B >= 0 are polished and the lowest wins.

Profiling the flat direction
    One decaying curve barely separates B, C, beta and gamma (for small C·x, G ≈ beta·C·x:
    only B·beta·C is seen), so the polish crawls along a flat valley, often towards a bound
    (C → 0 with B growing, or beta → its upper bound), and stops at its evaluation limit.
    When it does, the Jacobian of the log losses where it stopped (columns scaled to unit
    length) is decomposed; of C, beta and gamma, the one with the largest share of the
    right singular vector of the smallest singular value is held at the value reached and
    the rest refitted from there, repeated while the fit does not converge (at most the
    three). The held names are the fit's ``profiled``, with a warning. Nothing is pulled
    towards a chosen value: the forecast stays that of the valley the data define.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..common.warning import warn
from ..exceptions import DataError, FitError, OptionError
from .multipower import MultiPowerFit
from .multipower_law import PARAMETERS, Design, design, evaluate
from .multipower_solve import LOWER, UPPER, Solved, solve

GRID = {"alpha": (0.2, 0.35, 0.5, 0.7), "C": (0.5, 2.0, 8.0), "beta": (0.3, 0.6, 1.2),
        "gamma": (0.3, 0.6, 0.9)}
#: the values the paper's authors report for their 400M model (README of their repository,
#: peak learning rate 3e-4): hold C, beta and gamma there when one curve cannot pin them
AUTHORS_400M = {"C": 2.025, "beta": 0.594, "gamma": 0.635}
#: the loss drop's shape parameters, which one decaying curve barely separates
SHAPE = ("C", "beta", "gamma")


def fit_multi_power(data: Any, *, step: str = "step", lr: str = "lr", loss: str = "loss",
                    by: str | None = "run", schedules: Mapping[Any, Any] | None = None,
                    fix: Mapping[str, float] | None = None, starts: int = 8,
                    max_nfev: int = 400) -> MultiPowerFit:
    """Fit the multi-power law (Luo et al. 2025, arXiv:2503.12811) to the loss curves in
    ``data`` (a DataFrame or :class:`~scalinglaws.Dataset`), one curve per value of ``by``.

    Each run's schedule is read from its ``lr`` column as
    :func:`~scalinglaws.data.schedule.schedule_areas` reads it (linear between logged steps,
    from 0 at step 0), unless ``schedules`` maps the run's name (or ``None`` for a single
    run) to a :class:`~scalinglaws.data.schedules.Schedule`. ``starts`` grid points are
    polished (see the module). A fit that does not converge is returned with status
    ``not_converged`` and a warning.

    ``fix`` holds parameters at values: one decaying curve does not separate B, C, beta and
    gamma (for small C·x, G ≈ beta·C·x, so only the product B·beta·C is seen), and
    ``fix=AUTHORS_400M`` holds C, beta and gamma at the values the paper's authors report,
    leaving L0, A, alpha and B (as many as the ``schedule`` law has). Without it, a fit
    that stops at its evaluation limit holds the shape parameters of its flattest direction
    where it reached them and converges on the rest (``profiled``, with a warning; see the
    module).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from scalinglaws.data import schedules
    >>> from scalinglaws.fitting import fit_multi_power
    >>> from scalinglaws.fitting.multipower import design, evaluate
    >>> truth = dict(L0=2.5, A=0.6, alpha=0.45, B=400.0, C=2.0, beta=0.6, gamma=0.6)
    >>> runs = {"c": schedules.cosine(3e-4, 4000, warmup=100),
    ...         "w": schedules.wsd(3e-4, 4000, warmup=100)}
    >>> steps = np.arange(200, 4001, 100)
    >>> frame = pd.concat([pd.DataFrame({"run": n, "step": steps,
    ...     "loss": evaluate(truth, design(s, steps))}) for n, s in runs.items()])
    >>> f = fit_multi_power(frame, schedules=runs)
    >>> f.status, round(f.params["alpha"], 2)
    ('converged', 0.45)
    """
    frame = data.to_frame() if hasattr(data, "to_frame") else data
    designs, targets, names, used = _curves(frame, step, lr, loss, by, schedules)
    y = np.concatenate(targets)
    n_free = len(PARAMETERS)
    if y.size <= n_free:
        raise DataError(f"{y.size} points for {n_free} parameters", "argument 'data'",
                        "give longer loss curves (at least 8 logged steps)")
    held = _held(fix)
    curves = [(n, d.steps, t, sch) for n, d, t, sch in zip(names, designs, targets,
                                                            used, strict=True)]
    candidates = _grid_starts(designs, y, starts, held)
    if not candidates:
        raise FitError("no start of the grid gives a positive amplitude A", "multi-power fit",
                       "check that the loss falls along the runs")
    logy = np.log(y)
    best: Solved | None = None
    for begin in candidates:
        got = solve(designs, logy, begin, held, max_nfev)
        if got is not None and (best is None or got.cost < best.cost):
            best = got
    if best is None:
        raise FitError("every start of the multi-power fit failed", "multi-power fit",
                       "check the data: positive losses falling along each run")
    best, profiled = _profile(designs, logy, best, held, max_nfev)
    params = dict(zip(PARAMETERS, (float(v) for v in best.theta), strict=True))
    notes: list[str] = []
    if profiled:
        shown = ", ".join(f"{k} = {params[k]:.4g}" for k in profiled)
        notes.append(f"the curves do not separate the loss drop's parameters B, C, beta and "
                     f"gamma (a flat direction of the fit): held {shown}, where the fit "
                     f"reached, and refitted the rest")
    status = "converged" if best.converged else "not_converged"
    if status != "converged":
        notes.append(f"the multi-power fit did not converge ({best.message})")
    for note in notes:
        warn(note)
    rmse = float(np.sqrt(np.mean(best.residuals ** 2)))
    return MultiPowerFit(params, status, rmse, int(y.size), tuple(names), len(candidates),
                         int(max(int(d.steps.max()) for d in designs)), tuple(notes),
                         tuple(sorted(held)), tuple(profiled), tuple(curves))


def _profile(designs: list[Design], logy: np.ndarray, best: Solved,
             held: Mapping[str, float], max_nfev: int) -> tuple[Solved, list[str]]:
    """When the fit stops at its evaluation limit, hold the loss drop's shape parameter
    (C, beta or gamma) that dominates the flattest direction of the fit where it stopped,
    refit the rest, and repeat while the fit does not converge."""
    now, profiled = dict(held), []
    while not best.converged:
        name = weakest(designs, best.theta, [k for k in PARAMETERS if k not in now],
                       [k for k in SHAPE if k not in now])
        if name is None:
            break
        now[name] = float(best.theta[PARAMETERS.index(name)])
        profiled.append(name)
        again = solve(designs, logy, best.theta, now, max_nfev)
        if again is None:
            break
        best = again
    return best, profiled


def weakest(designs: list[Design], theta: np.ndarray, free: list[str],
            names: list[str]) -> str | None:
    """Of ``names`` (among the ``free`` parameters), the parameter with the largest share of
    the fit's flattest direction: the right singular vector of the smallest singular value
    of the Jacobian of the log losses over the free parameters, each column scaled to unit
    length (so that the direction does not depend on the parameters' units)."""
    if not names:
        return None
    p = dict(zip(PARAMETERS, theta, strict=True))
    parts = [evaluate(p, d, jacobian=True) for d in designs]
    pred = np.maximum(np.concatenate([v for v, _ in parts]), 1e-12)
    J = np.concatenate([j for _, j in parts]) / pred[:, None]
    cols = J[:, [PARAMETERS.index(k) for k in free]]
    norms = np.linalg.norm(cols, axis=0)
    if not np.all(np.isfinite(cols)) or np.any(norms == 0):
        zero = [k for k, v in zip(free, norms, strict=True) if k in names and not v > 0]
        return zero[0] if zero else names[0]
    direction = np.linalg.svd(cols / norms, full_matrices=False)[2][-1]
    share = {k: abs(v) for k, v in zip(free, direction, strict=True) if k in names}
    return max(share, key=lambda k: share[k])


def _held(fix: Mapping[str, float] | None) -> dict[str, float]:
    out = {}
    for name, value in (fix or {}).items():
        if name not in PARAMETERS:
            raise OptionError(f"'{name}' is not a parameter of the multi-power law",
                              "argument 'fix'", f"use {', '.join(PARAMETERS)}")
        v = float(value)
        if not LOWER[name] <= v <= UPPER[name]:
            raise OptionError(f"{name} = {v:g} is outside [{LOWER[name]:g}, "
                              f"{UPPER[name]:g}]", "argument 'fix'", "give a value inside")
        out[name] = v
    if {"L0", "A", "B"} & set(out):
        raise OptionError("L0, A and B are solved for, not held", "argument 'fix'",
                          "hold alpha, C, beta or gamma")
    return out


def _curves(frame: Any, step: str, lr: str, loss: str, by: str | None,
            schedules: Mapping[Any, Any] | None) -> tuple[list[Design], list[np.ndarray],
                                                           list[str], list[Any]]:
    import pandas as pd

    from ..data.schedules import from_array

    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a DataFrame or Dataset, got {type(frame).__name__}",
                        "argument 'data' of fit_multi_power", "pass pd.DataFrame(...)")
    need = [step, loss] + ([] if schedules is not None else [lr])
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise DataError(f"the data have no column '{missing[0]}'", "argument 'data' of "
                        "fit_multi_power", f"columns are {list(frame.columns)}")
    if len(frame) == 0:
        raise DataError("the data have no rows", "argument 'data' of fit_multi_power",
                        "give loss curves: a row per logged step")
    groups = frame.groupby(by, sort=True) if by is not None and by in frame.columns else [
        (None, frame)]
    designs, targets, names, used = [], [], [], []
    for name, rows in groups:
        rows = rows.sort_values(step)
        steps = pd.to_numeric(rows[step], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(rows[loss], errors="coerce").to_numpy(dtype=float)
        if np.any(~np.isfinite(y)) or np.any(y <= 0) or np.any(~np.isfinite(steps)):
            raise DataError("losses must be positive finite numbers and steps finite",
                            f"run {name!r}", "drop the rows without a loss")
        if schedules is not None:
            if name not in schedules:
                raise DataError(f"no schedule for run {name!r}", "argument 'schedules'",
                                "give a schedule for every run")
            schedule = schedules[name]
        else:
            rates = pd.to_numeric(rows[lr], errors="coerce").to_numpy(dtype=float)
            if np.any(~np.isfinite(rates)) or np.any(rates < 0):
                raise DataError("learning rates must be finite numbers >= 0",
                                f"column '{lr}', run {name!r}",
                                "drop the rows without a learning rate")
            schedule = from_array(rates, steps=steps)
        designs.append(design(schedule, steps))
        targets.append(y)
        names.append(str(name))
        used.append(schedule)
    return designs, targets, names, used


def _grid_starts(designs: list[Design], y: np.ndarray, keep: int,
                 held: Mapping[str, float]) -> list[np.ndarray]:
    """The ``keep`` best grid points, L0, A and B solved by linear least squares."""
    scored = []
    axes = [(held[k],) if k in held else v for k, v in GRID.items()]
    for alpha, C, beta, gamma in itertools.product(*axes):
        base = {"L0": 0.0, "A": 0.0, "alpha": alpha, "B": 0.0, "C": C, "beta": beta,
                "gamma": gamma}
        cols = []
        for d in designs:
            _, J = evaluate({**base, "A": 1.0, "B": 1.0}, d, jacobian=True)
            cols.append(J[:, [0, 1, 3]])
        X = np.concatenate(cols)  # columns 1, S1^-alpha, -LD/B: L = X @ (L0, A, B)
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        if coef[2] < 0:
            coef = np.append(np.linalg.lstsq(X[:, :2], y, rcond=None)[0], 0.0)
        if coef[1] <= 0 or coef[0] < 0:
            continue
        rss = float(np.sum((X @ coef - y) ** 2))
        scored.append((rss, np.array([coef[0], coef[1], alpha, coef[2], C, beta, gamma])))
    scored.sort(key=lambda t: t[0])
    return [theta for _, theta in scored[:keep]]
