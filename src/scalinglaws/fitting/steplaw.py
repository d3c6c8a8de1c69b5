"""``sl.fit("step_law", sweep)``: optimal learning rate and batch size as power laws of model
size and data (Li et al. 2025, "Predictable Scale: Part I", arXiv:2503.04715).

Stage 1 locates each (params, tokens) cell's optimum (:mod:`.optimum`); stage 2 fits, in log
space by least squares over the cells, ``lr_opt = a · N^b · D^c`` and ``bs_opt = d · D^e``
(the paper's forms; ``bs_inputs=("params", "tokens")`` adds ``N^f``). The bootstrap resamples
the runs within each cell (``resample="runs"``), the cells (``"cells"``) or both (``"both"``),
and refits both stages on each resample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, check_n_boot
from ..common.warning import warn
from ..exceptions import DataError, OptionError
from .hyperparams import HyperparameterFit, param_names
from .optimum import ARGMIN, SKIPPED, WINDOW, Cell, CellOptimum, cell_optimum
from .sweep import Sweep, read_sweep

#: the name ``sl.fit`` dispatches to this module
STEP_LAW = "step_law"
RESAMPLE = ("runs", "cells", "both")
_INPUTS = ("params", "tokens")


def fit_step_law(data: Any, *, columns: Mapping[str, str] | None = None,
                 y: str | None = None, seq_len: float | None = None, n_boot: int = 1000,
                 seed: int | None = 0, level: float = 0.95, resample: str = "runs",
                 window: int = WINDOW, bs_inputs: Sequence[str] = ("tokens",),
                 keep_unfinished: bool = False, unused: Mapping[str, Any] | None = None,
                 ) -> HyperparameterFit:
    """Fit the Step Law to a learning-rate × batch-size sweep; see :func:`scalinglaws.fit`
    (``law="step_law"``) for the arguments."""
    given = [k for k, v in (unused or {}).items() if v is not None]
    if given:
        raise OptionError(f"{', '.join(given)} is not taken by the step_law fit",
                          f"argument '{given[0]}'", "drop it; the step_law fit takes "
                          "columns=, y=, seq_len=, n_boot=, seed=, level=, resample=, "
                          "window= and bs_inputs=")
    n_boot = check_n_boot(n_boot, "no intervals", "e.g. n_boot=1000")
    level = check_level(level)
    if resample not in RESAMPLE:
        raise OptionError(f"unknown resample {resample!r}", "argument 'resample'",
                          f"use one of {', '.join(RESAMPLE)}")
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise OptionError(f"window must be a number of grid steps of at least 1, got "
                          f"{window!r}", "argument 'window'", "e.g. window=2 (5 × 5 runs)")
    bs_in = _bs_inputs(bs_inputs)
    sweep = read_sweep(data, columns=columns, y=y, seq_len=seq_len,
                       keep_unfinished=keep_unfinished)
    cells = [Cell.of(sweep.lr[sweep.cell == k], sweep.batch[sweep.cell == k],
                     sweep.loss[sweep.cell == k]) for k in range(len(sweep.cells))]
    optima = [cell_optimum(c, window=window) for c in cells]
    logs = np.log(np.array(sweep.cells))
    estimate = _stage2(optima, logs, bs_in, None)
    if estimate is None:
        raise DataError(*_too_few(optima, logs, bs_in))
    samples = _bootstrap(cells, logs, bs_in, n_boot, seed, resample, window)
    notes = _notes(optima, sweep, samples, n_boot)
    for note in notes:
        warn(note)
    names = param_names(bs_in)
    return HyperparameterFit(
        params=dict(zip(names, estimate, strict=True)), bs_inputs=bs_in,
        intervals=_intervals(samples, names, level), level=level,
        samples=samples, n_boot=n_boot, seed=seed, resample=resample,
        cells=_table(sweep, optima), target=sweep.target, columns=dict(sweep.columns),
        seq_len=sweep.seq_len, window=window, n_runs=sweep.n_runs,
        input_ranges=sweep.input_ranges(), dataset=sweep.dataset,
        residual_scale=_residual_scale(optima, logs, bs_in, estimate),
        warnings=tuple(notes),
        runs=pd.DataFrame({"params": sweep.params, "tokens": sweep.tokens, "lr": sweep.lr,
                           "batch_size": sweep.batch, "loss": sweep.loss}))


def _bs_inputs(bs_inputs: Sequence[str]) -> tuple[str, ...]:
    chosen = (bs_inputs,) if isinstance(bs_inputs, str) else tuple(bs_inputs)
    bad = [b for b in chosen if b not in _INPUTS]
    if bad or not chosen or len(set(chosen)) != len(chosen):
        raise OptionError(f"bs_inputs must name tokens and optionally params, got "
                          f"{bs_inputs!r}", "argument 'bs_inputs'",
                          "use ('tokens',) (the paper's form) or ('params', 'tokens')")
    return tuple(i for i in _INPUTS if i in chosen)


def _design(logs: np.ndarray, inputs: Sequence[str]) -> np.ndarray:
    return np.column_stack([np.ones(len(logs))] + [logs[:, _INPUTS.index(i)] for i in inputs])


def _regress(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """Weighted least squares of ``y`` on ``x`` (rows with a non-finite ``y`` or zero weight
    left out); None when the remaining rows do not determine every coefficient with one
    degree of freedom to spare."""
    keep = np.isfinite(y) & (w > 0)
    x, y, root = x[keep], y[keep], np.sqrt(w[keep])
    if keep.sum() < x.shape[1] + 1 or np.linalg.matrix_rank(x * root[:, None]) < x.shape[1]:
        return None
    coef, *_ = np.linalg.lstsq(x * root[:, None], y * root, rcond=None)
    return np.asarray(coef, dtype=float)


def _stage2(optima: Sequence[CellOptimum], logs: np.ndarray, bs_in: tuple[str, ...],
            weights: np.ndarray | None) -> np.ndarray | None:
    """``[a, b, c, d, (f,) e]`` in natural units for the coefficients, or None."""
    w = np.ones(len(optima)) if weights is None else weights
    lr = _regress(_design(logs, _INPUTS), np.log([o.lr for o in optima]), w)
    bs = _regress(_design(logs, bs_in), np.log([o.batch for o in optima]), w)
    if lr is None or bs is None:
        return None
    return np.concatenate([[np.exp(lr[0])], lr[1:], [np.exp(bs[0])], bs[1:]])


def _too_few(optima: Sequence[CellOptimum], logs: np.ndarray,
             bs_in: tuple[str, ...]) -> tuple[str, str, str]:
    n_lr = sum(np.isfinite(o.lr) for o in optima)
    n_bs = sum(np.isfinite(o.batch) for o in optima)
    sizes = np.unique(logs[:, 0]).size
    budgets = np.unique(logs[:, 1]).size
    return (f"too few cells to fit the laws: {n_lr} cell(s) with a learning-rate optimum and "
            f"{n_bs} with a batch-size optimum, over {sizes} model size(s) and {budgets} "
            "token budget(s)",
            f"{len(optima)} (params, tokens) cell(s)",
            "the learning-rate law needs at least 4 cells spanning 2 sizes and 2 token "
            f"budgets, the batch-size law ({', '.join(bs_in)}) at least "
            f"{len(bs_in) + 2} cells; add cells or see fit.cells for the skipped ones")


def _bootstrap(cells: Sequence[Cell], logs: np.ndarray, bs_in: tuple[str, ...], n_boot: int,
               seed: int | None, resample: str, window: int) -> np.ndarray:
    """``n_boot`` refits of both stages (rows that could not be refitted are NaN)."""
    k = 3 + 1 + len(bs_in)
    out = np.full((n_boot, k), np.nan)
    rng = np.random.default_rng(seed)
    n_cells = len(cells)
    for b in range(n_boot):
        if resample in ("cells", "both"):
            weights = np.bincount(rng.integers(0, n_cells, n_cells), minlength=n_cells)
        else:
            weights = np.ones(n_cells, dtype=int)
        optima = []
        for c, cell in enumerate(cells):
            if weights[c] == 0:
                optima.append(CellOptimum(np.nan, np.nan, np.nan, SKIPPED, "", 0))
                continue
            counts = None
            if resample in ("runs", "both"):
                n = cell.loss.size
                counts = np.bincount(rng.integers(0, n, n), minlength=n)
            optima.append(cell_optimum(cell, counts, window))
        found = _stage2(optima, logs, bs_in, weights.astype(float))
        if found is not None:
            out[b] = found
    return out


def _intervals(samples: np.ndarray, names: Sequence[str], level: float
               ) -> dict[str, tuple[float, float]]:
    ok = samples[np.all(np.isfinite(samples), axis=1)]
    if ok.shape[0] < 2:
        return {}
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(ok, [tail, 100 - tail], axis=0)
    return {n: (float(a), float(b)) for n, a, b in zip(names, lo, hi, strict=True)}


def _residual_scale(optima: Sequence[CellOptimum], logs: np.ndarray, bs_in: tuple[str, ...],
                    estimate: np.ndarray) -> dict[str, float]:
    """The root-mean-square log residual of each law over its cells."""
    out = {}
    lr_coef = np.concatenate([[np.log(estimate[0])], estimate[1:3]])
    bs_coef = np.concatenate([[np.log(estimate[3])], estimate[4:]])
    for name, coef, inputs, values in (
            ("lr", lr_coef, _INPUTS, [o.lr for o in optima]),
            ("batch_size", bs_coef, bs_in, [o.batch for o in optima])):
        r = np.log(values) - _design(logs, inputs) @ coef
        out[name] = float(np.sqrt(np.nanmean(r**2)))
    return out


def _notes(optima: Sequence[CellOptimum], sweep: Sweep, samples: np.ndarray,
           n_boot: int) -> list[str]:
    """What the fit says about its cells (never silently): argmin-only and skipped cells,
    and resamples that could not be refitted."""
    notes = []
    for method, what in ((ARGMIN, "take the grid's best run (argmin only)"),
                         (SKIPPED, "are skipped")):
        hit = [(sweep.cells[i], o.reason) for i, o in enumerate(optima) if o.method == method]
        if hit:
            shown = "; ".join(f"params={n:.4g}, tokens={d:.4g}: {r}" for (n, d), r in hit[:4])
            more = f"; and {len(hit) - 4} more" if len(hit) > 4 else ""
            notes.append(f"{len(hit)} of {len(optima)} cells {what} ({shown}{more}); see "
                         "fit.cells")
    failed = int(np.sum(~np.all(np.isfinite(samples), axis=1)))
    if n_boot and failed:
        notes.append(f"{failed} of {n_boot} bootstrap resamples could not be refitted (too "
                     "few cells left) and are left out of the intervals")
    return notes


def _table(sweep: Sweep, optima: Sequence[CellOptimum]) -> pd.DataFrame:
    rows = []
    for k, ((n, d), o) in enumerate(zip(sweep.cells, optima, strict=True)):
        here = sweep.cell == k
        best = int(np.argmin(np.where(here, sweep.loss, np.inf)))
        rows.append({"params": n, "tokens": d, "n_runs": int(here.sum()),
                     "n_used": o.n_used, "method": o.method, "reason": o.reason,
                     "lr_opt": o.lr, "batch_size_opt": o.batch, "loss_opt": o.loss,
                     "lr_argmin": float(sweep.lr[best]),
                     "batch_size_argmin": float(sweep.batch[best]),
                     "loss_min": float(sweep.loss[best])})
    return pd.DataFrame(rows)

