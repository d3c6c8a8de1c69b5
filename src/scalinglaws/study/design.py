"""``sl.study.estimation_design``: how small may the models be, how much of training must be
seen, how many models are needed, and does borrowing exponents from another family help?
(Choshen, Zhang, Andreas 2025, "A Hitchhiker's Guide to Scaling Law Estimation".)

For every cell of a grid — the largest model used (``max_size``), the fraction of each run's
training seen (``fraction``), the number of model sizes used (``n_models``) and a seed — the
law is fitted on those runs' checkpoints (without the first ``skip_early`` of training, 10% as
the Guide does) and scored by the absolute relative error of its forecast of the target runs'
final losses, which are never fitted. Seed 0 takes the ``n_models`` largest sizes up to
``max_size``; seed s > 0 draws the others at random (the largest is always kept, so a cell is
what its label says). The fits are independent problems, run by :func:`scalinglaws.fit_many`
(in local processes or on a Dask cluster).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import positive_int
from ..exceptions import OptionError
from ..fitting import FitResult, fit_many
from .design_result import EstimationDesign
from .sweep import Sweep, forecast_errors, read_sweep, target_runs

#: the fractions of training tried unless told (the Guide's axis runs from 10% to 100%)
DEFAULT_FRACTIONS = (0.25, 0.5, 0.75, 1.0)
#: the part of each run's training left out of every fit unless told (the Guide's 10%)
SKIP_EARLY = 0.1
_AXES = ("max_size", "fraction", "n_models")
#: how close a max_size given must be to a model size of the sweep (3 significant figures)
SIZE_MATCH = 0.01


def estimation_design(data: Any, law: Any = "chinchilla", *, target: str = "params==max",
                      grid: Mapping[str, Sequence[Any]] | None = None, seeds: int = 1,
                      skip_early: float = SKIP_EARLY, run: str = "run", step: str = "step",
                      fraction: str = "fraction_of_training", size: str = "params",
                      best_of: str | None = None, best_by: Sequence[str] | None = None,
                      borrow: Sequence[str] | None = None, borrow_from: Any = None,
                      fit_options: Mapping[str, Any] | None = None, backend: str = "local",
                      workers: int | None = None, client: Any = None,
                      progress: Callable[[int, int], None] | None = None) -> EstimationDesign:
    """Fit ``law`` on every cell of a grid of subsets of a sweep and score each cell's forecast
    of the ``target`` runs' final losses; returns an :class:`EstimationDesign` (a tidy
    ``frame``, ``pivot()``, ``to_dict()``; ``sl.report.figures.estimation_design_figure``
    draws its heat map).

    Parameters
    ----------
    data:
        Checkpoints (long format: ``run``, ``step``, ``params``, ``tokens``, ``loss``...) or
        final points only (a row per run).
    target:
        The runs to forecast (``params==max``: the largest model's runs; ``params>=2e8``);
        their final rows are the truth and none of their rows is fitted.
    grid:
        Values per axis: ``max_size`` (default: every model size below the target's with at
        least two below it), ``fraction`` (default 0.25, 0.5, 0.75, 1; 1 alone without
        curves), ``n_models`` (default: all sizes up to ``max_size``; an int uses that many).
    seeds:
        Draws per cell (seed 0 is the largest sizes; see the module).
    borrow, borrow_from:
        Parameters (``["alpha", "beta"]``) held at the values of ``borrow_from`` (a fit of
        the same law on another family); every cell is then fitted both ways (``borrowed``).
    best_of, best_by:
        Keep per group the run with the lowest final ``best_of`` (the best learning rate).
    fit_options:
        Keyword arguments of :func:`scalinglaws.fit` for every fit (``{"loss": "mse_log"}``).
    backend, workers, client, progress:
        As :func:`scalinglaws.fit_many`.
    """
    seeds = _positive_int(seeds, "seeds")
    if not 0.0 <= float(skip_early) < 1.0:
        raise OptionError(f"skip_early must lie in [0, 1), not {skip_early!r}",
                          "argument 'skip_early'", "give the fraction of training to drop")
    sweep = read_sweep(data, run=run, step=step, fraction=fraction, size=size,
                       best_of=best_of, best_by=best_by)
    targets = target_runs(sweep, target)
    pool = sweep.finals[~sweep.finals["_run"].isin(set(targets))]
    sizes = np.unique(pool[size].to_numpy(dtype=float))
    axes = _axes(grid, sizes, sweep)
    fixed = _borrowed(borrow, borrow_from, law)
    cells, problems = _problems(sweep, pool, sizes, axes, seeds, float(skip_early), law,
                                dict(fit_options or {}), fixed)
    results = fit_many(problems, backend=backend, workers=workers, client=client,
                       progress=progress) if problems else []
    frame, predictions = _score(sweep, targets, cells, results)
    return EstimationDesign(frame=frame, predictions=predictions,
                            law=law if isinstance(law, str) else getattr(law, "name", str(law)),
                            target=target, size=size, borrowed=tuple(fixed or {}),
                            total_cost=sweep.cost(sweep.rows_of(pool["_run"].to_numpy())))


def _positive_int(value: Any, name: str) -> int:
    return positive_int(value, name, "give e.g. 1")


def _axes(grid: Mapping[str, Sequence[Any]] | None, sizes: np.ndarray,
          sweep: Sweep) -> dict[str, list[Any]]:
    grid = dict(grid or {})
    unknown = sorted(set(grid) - set(_AXES))
    if unknown:
        raise OptionError(f"unknown grid axis '{unknown[0]}'", "argument 'grid'",
                          f"use {', '.join(_AXES)}")
    if sizes.size < 2:
        raise OptionError(f"only {sizes.size} model size(s) lie outside the target",
                          "argument 'target'", "a study needs at least two sizes to fit on")
    max_size = []
    for v in grid.get("max_size", sizes[2:] if sizes.size > 3 else sizes[-1:]):
        near = np.flatnonzero(np.isclose(sizes, float(v), rtol=SIZE_MATCH))
        if near.size == 0:
            raise OptionError(f"max_size {float(v):.3g} is not a model size of the sweep",
                              "grid['max_size']",
                              f"use sizes of the runs: {', '.join(f'{s:.3g}' for s in sizes)}")
        max_size.append(float(sizes[near[0]]))
    default_fracs = DEFAULT_FRACTIONS if sweep.has_curves else (1.0,)
    fracs = [float(v) for v in grid.get("fraction", default_fracs)]
    if any(not 0.0 < v <= 1.0 for v in fracs):
        raise OptionError(f"fractions of training lie in (0, 1], not {fracs}",
                          "grid['fraction']", "give e.g. [0.25, 0.5, 1.0]")
    n_models = list(grid.get("n_models", [None]))
    for v in n_models:
        if v is not None:
            _positive_int(v, "n_models")
    return {"max_size": sorted(max_size), "fraction": sorted(fracs), "n_models": n_models}


def _borrowed(borrow: Sequence[str] | None, source: Any, law: Any) -> dict[str, float] | None:
    if not borrow:
        if source is not None:
            raise OptionError("borrow_from is given without borrow", "argument 'borrow'",
                              "name the parameters to borrow, e.g. borrow=['alpha', 'beta']")
        return None
    if source is None:
        raise OptionError("borrow names parameters but borrow_from gives no fit to take "
                          "them from", "argument 'borrow_from'",
                          "pass a fit of the same law on another family")
    if not isinstance(source, FitResult):
        from ..fitting import fit

        source = fit(law, source)
        assert isinstance(source, FitResult)
    missing = [p for p in borrow if p not in source.params]
    if missing:
        raise OptionError(f"the fit to borrow from has no parameter '{missing[0]}'",
                          "argument 'borrow'", f"use {', '.join(source.params)}")
    return {p: float(source.params[p]) for p in borrow}


def _problems(sweep: Sweep, pool: pd.DataFrame, sizes: np.ndarray, axes: dict[str, list[Any]],
              seeds: int, skip_early: float, law: Any, options: dict[str, Any],
              fixed: dict[str, float] | None) -> tuple[list[dict[str, Any]], list[Any]]:
    cells: list[dict[str, Any]] = []
    problems: list[Any] = []
    pool_sizes = pool[sweep.size].to_numpy(dtype=float)
    data_cols = [c for c in sweep.frame.columns if not c.startswith("_")]
    for top, frac, want, seed in itertools.product(axes["max_size"], axes["fraction"],
                                                   axes["n_models"], range(seeds)):
        below = sizes[sizes <= top * (1 + 1e-9)]
        n = below.size if want is None else int(want)
        cell = {"max_size": top, "fraction": frac, "n_models": n, "seed": seed}
        if n > below.size or n < 1:
            cells.append({**cell, "status": f"only {below.size} sizes up to {top:.3g}"})
            continue
        chosen = _sizes(below, n, seed)
        runs = pool["_run"].to_numpy()[np.isin(pool_sizes, chosen)]
        rows = sweep.rows_of(runs, frac, skip_early)
        base = {**cell, "n_runs": int(np.unique(runs).size), "n_points": int(rows.size),
                "cost": sweep.cost(rows)}
        data = sweep.frame.iloc[rows][data_cols].reset_index(drop=True)
        for borrowed in ([False, True] if fixed else [False]):
            opts = {**options, "fix": {**options.get("fix", {}), **(fixed or {})}} if borrowed \
                else options
            cells.append({**base, "borrowed": borrowed, "problem": len(problems)})
            problems.append((law, data, opts))
    return cells, problems


def _sizes(below: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` sizes of ``below`` (sorted) always including its largest: the largest ``n``
    for seed 0, else the largest plus ``n - 1`` drawn at random with ``seed``."""
    if seed == 0 or n >= below.size:
        return below[below.size - n:]
    rng = np.random.default_rng(seed)
    rest = rng.choice(below.size - 1, size=n - 1, replace=False)
    return np.sort(np.append(below[rest], below[-1]))


def _score(sweep: Sweep, targets: np.ndarray, cells: list[dict[str, Any]],
           results: list[Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    finals = sweep.finals.set_index("_run").loc[list(targets)]
    rows, preds = [], []
    for k, cell in enumerate(cells):
        row = {key: v for key, v in cell.items() if key != "problem"}
        row.setdefault("borrowed", False)
        if "problem" not in cell:
            rows.append(row)
            continue
        result = results[cell["problem"]]
        if not isinstance(result, FitResult):
            row["status"] = f"failed: {result.message}"
            rows.append(row)
            continue
        pred, y, are = forecast_errors(result, finals)
        row.update(status=result.status.value, are=float(np.mean(are)),
                   max_are=float(np.max(are)))
        rows.append(row)
        preds += [{"cell": k, "run": r, "actual": float(a), "prediction": float(p),
                   "are": float(e)} for r, a, p, e in zip(targets, y, pred, are, strict=True)]
    frame = pd.DataFrame(rows)
    for col in ("n_runs", "n_points", "cost", "are", "max_are"):
        if col not in frame.columns:
            frame[col] = np.nan
    frame.insert(0, "cell", np.arange(len(frame)))
    return frame, pd.DataFrame(preds, columns=["cell", "run", "actual", "prediction", "are"])
