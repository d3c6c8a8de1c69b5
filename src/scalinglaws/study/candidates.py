"""The target of a run choice, the candidate runs and what each costs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, OptionError
from ..fitting import FitResult
from .sweep import run_flops

Array = np.ndarray

#: the default candidates: model sizes per decade and tokens per parameter tried
SIZES_PER_DECADE = 4
TOKENS_PER_PARAM = (5.0, 10.0, 20.0, 40.0, 80.0)


def target_point(fit: FitResult, target: Mapping[str, float]) -> dict[str, float]:
    """The target as the law's input columns: given by column or symbol, or ``{"flops": C}``
    for a (params, tokens) law (the fit's compute-optimal point at C)."""
    if not isinstance(target, Mapping) or not target:
        raise OptionError("the target is not a mapping of inputs", "argument 'target'",
                          "give e.g. {'params': 7e10, 'tokens': 1.4e12} or {'flops': 1e23}")
    inputs = {str(sym): str(col) for sym, col in fit.law.inputs.items()}
    columns = list(inputs.values())
    if set(target) == {"flops"} and "flops" not in columns:
        if not {"params", "tokens"} <= set(columns):
            raise OptionError("a target in FLOPs needs a law of params and tokens",
                              "argument 'target'", f"give the inputs {', '.join(columns)}")
        from ..plan import compute_optimal

        a = compute_optimal(fit, float(target["flops"]))
        return {"params": float(a.params[0]), "tokens": float(a.tokens[0])}
    point: dict[str, float] = {}
    for key, value in target.items():
        column = inputs.get(str(key), str(key))
        if column not in columns:
            raise OptionError(f"the target names '{key}', which the law does not read",
                              "argument 'target'", f"give {', '.join(columns)}")
        v = float(value)
        if not np.isfinite(v):
            raise OptionError(f"the target's {key} is not finite", "argument 'target'",
                              "give a finite number")
        point[column] = v
    missing = [c for c in columns if c not in point]
    if missing:
        raise OptionError(f"the target does not give '{missing[0]}'", "argument 'target'",
                          f"give {', '.join(columns)}")
    return point


def candidate_grid(fit: FitResult) -> pd.DataFrame:
    """Default candidates: for a (params, tokens) law, sizes on a log grid from the smallest
    fitted to four times the largest at TOKENS_PER_PARAM tokens per parameter (smaller models
    than those fitted are the least likely to follow the law); for other laws, a log grid over
    each input's fitted range widened the same way."""
    columns = [str(c) for c in fit.law.inputs.values()]
    ranges = fit.input_ranges or {}
    if {"params", "tokens"} <= set(columns) and len(columns) == 2 and "params" in ranges:
        lo, hi = ranges["params"]
        sizes = _log_grid(lo, hi * 4)
        rows = [(n, n * r) for n in sizes for r in TOKENS_PER_PARAM]
        return pd.DataFrame(rows, columns=["params", "tokens"])
    axes = []
    for c in columns:
        if c not in ranges:
            raise OptionError(f"the fit does not record the range of '{c}'", "argument 'fit'",
                              "pass candidates= (a frame of the runs you could train)")
        lo, hi = ranges[c]
        axes.append(_log_grid(lo, hi * 4) if lo > 0 else np.linspace(lo, hi, 8))
    mesh = np.meshgrid(*axes, indexing="ij")
    return pd.DataFrame({c: m.ravel() for c, m in zip(columns, mesh, strict=True)})


def _log_grid(lo: float, hi: float) -> Array:
    n = max(2, round(float(np.log10(hi / lo)) * SIZES_PER_DECADE) + 1)
    return np.logspace(np.log10(lo), np.log10(hi), n)


def candidate_costs(frame: pd.DataFrame, cost: str | Callable[[pd.DataFrame], Any] | None
                    ) -> Array:
    """One positive cost per candidate."""
    if frame.empty:
        raise DataError("there are no candidate runs", "argument 'candidates'",
                        "give at least one run that could be trained")
    if cost is None:
        values = run_flops(frame)
    elif isinstance(cost, str):
        if cost not in frame.columns:
            raise OptionError(f"the candidates have no cost column '{cost}'",
                              "argument 'cost'", f"use one of {', '.join(frame.columns)}")
        values = frame[cost].to_numpy(dtype=float)
    elif callable(cost):
        values = np.asarray(cost(frame), dtype=float)
    else:
        raise OptionError(f"cost must be a column, a function or None, not "
                          f"{type(cost).__name__}", "argument 'cost'",
                          "give a column name, or leave it out for 6·N·D")
    values = np.broadcast_to(values, (len(frame),)).astype(float)
    bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
    if bad.size:
        raise DataError(f"{bad.size} candidate(s) have a cost that is not positive",
                        f"candidates rows {bad[:5].tolist()}", "give every run a positive cost")
    return values
