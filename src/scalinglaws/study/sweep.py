"""A sweep as the studies read it: runs (one per ``run`` label, or one per row when there is
no such column), each run's final row, the fraction of its training each row has seen, the
runs a target rule names, and the compute each run costs.

A target rule is ``COLUMN==max`` or ``COLUMN==min`` (the runs at the largest or smallest value
of a column, e.g. ``params==max``: the largest model's runs), or a comparison with a number
(``params>=2e8``, ``flops>1e20``); ``&`` joins rules.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data import Dataset
from ..data.dataset import as_dataset
from ..exceptions import DataError, OptionError

Array = np.ndarray

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
    "<": operator.lt, ">": operator.gt}
_RULE = re.compile(r"^\s*([A-Za-z_][\w .-]*?)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Sweep:
    """The rows of a sweep with a run label, a training fraction and a final flag per row."""

    frame: pd.DataFrame  # the data, plus columns "_run", "_fraction", "_final"
    dataset: Dataset
    size: str  # the column that orders the models (params)

    @property
    def finals(self) -> pd.DataFrame:
        """One row per run: its last."""
        return self.frame[self.frame["_final"].to_numpy()]

    @property
    def has_curves(self) -> bool:
        """Whether any run has more than one row."""
        return bool(self.frame["_run"].duplicated().any())

    def rows_of(self, runs: Sequence[Any] | Array, fraction: float = 1.0,
                skip_early: float = 0.0) -> Array:
        """Indices of the rows of ``runs`` that lie in ``(skip_early, fraction]`` of their
        run's training (every final row when the sweep has no curves)."""
        f = self.frame
        keep = f["_run"].isin(list(runs)).to_numpy().copy()
        if self.has_curves:
            frac = f["_fraction"].to_numpy()
            keep &= (frac <= fraction + 1e-9) & (frac > skip_early + 1e-9)
        else:
            keep &= f["_final"].to_numpy()
        return np.flatnonzero(keep)

    def cost(self, rows: Array) -> float:
        """FLOPs of training the runs of ``rows`` up to the furthest row of each: ``flops``
        where given, else 6·params·tokens."""
        part = self.frame.iloc[rows]
        if part.empty:
            return 0.0
        flops = run_flops(part, self.size)
        return float(pd.Series(flops, index=part.index).groupby(part["_run"].to_numpy()).max()
                     .sum())


def run_flops(frame: pd.DataFrame, size: str = "params") -> Array:
    """Training FLOPs of each row: its ``flops`` column, else 6·``size``·``tokens``."""
    if "flops" in frame.columns:
        return frame["flops"].to_numpy(dtype=float)
    if size in frame.columns and "tokens" in frame.columns:
        return 6.0 * frame[size].to_numpy(dtype=float) * frame["tokens"].to_numpy(dtype=float)
    raise DataError("cannot price the runs: there is no flops column, nor params and tokens",
                    f"columns: {', '.join(map(str, frame.columns))}",
                    "add a flops column (6·N·D for dense Transformers)")


def read_sweep(data: Any, *, run: str = "run", step: str = "step",
               fraction: str = "fraction_of_training", size: str = "params",
               best_of: str | None = None, best_by: Sequence[str] | None = None) -> Sweep:
    """The sweep of ``data`` (a Dataset or DataFrame): runs labelled by ``run`` (each row its
    own run when the column is absent), ordered within a run by ``step`` (or ``tokens``), the
    fraction of training read from ``fraction`` when present, else each row's step over its
    run's last. ``best_of="loss", best_by=["params", "planned_tokens"]`` keeps, per group, the
    run whose final ``loss`` is lowest (the best learning rate of each cell)."""
    ds = as_dataset(data)
    frame = ds.to_frame().reset_index(drop=True).copy()
    if size not in frame.columns:
        raise DataError(f"the sweep has no '{size}' column to order its models by",
                        f"columns: {', '.join(map(str, frame.columns))}",
                        "name the model-size column with size=... (or columns={...})")
    labels = frame[run].astype(str).to_numpy() if run in frame.columns else np.array(
        [f"row {i}" for i in range(len(frame))])
    frame["_run"] = labels
    order_col = step if step in frame.columns else ("tokens" if "tokens" in frame.columns
                                                   else None)
    if order_col is None:
        last = frame.groupby("_run").cumcount(ascending=False).to_numpy() == 0
        position = np.ones(len(frame))
    else:
        o = pd.to_numeric(frame[order_col], errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(o).all():
            bad = np.flatnonzero(~np.isfinite(o))[:5].tolist()
            raise DataError(f"column '{order_col}' has missing or non-numeric values",
                            f"rows {bad}", "fill or drop those rows")
        top = pd.Series(o).groupby(labels).transform("max").to_numpy()
        last = o == top
        last &= ~pd.Series(last).groupby(labels).cumsum().gt(1).to_numpy()
        position = np.divide(o, top, out=np.ones_like(o), where=top > 0)
    if fraction in frame.columns:
        frac = pd.to_numeric(frame[fraction], errors="coerce").to_numpy(dtype=float)
        frac = np.where(np.isfinite(frac), frac, position)
    else:
        frac = position
    frame["_fraction"], frame["_final"] = frac, last
    sweep = Sweep(frame, ds, size)
    if best_of is not None:
        sweep = _best_runs(sweep, best_of, list(best_by or [size]))
    return sweep


def _best_runs(sweep: Sweep, column: str, by: list[str]) -> Sweep:
    finals = sweep.finals
    for name in [column, *by]:
        if name not in finals.columns:
            raise DataError(f"best_of/best_by name a column '{name}' the sweep lacks",
                            f"columns: {', '.join(map(str, finals.columns))}",
                            "name existing columns")
    keep = finals.loc[finals.groupby(by)[column].idxmin(), "_run"]
    frame = sweep.frame[sweep.frame["_run"].isin(set(keep))].reset_index(drop=True)
    return Sweep(frame, as_dataset(frame.drop(columns=["_run", "_fraction", "_final"])),
                 sweep.size)


def target_runs(sweep: Sweep, rule: str) -> Array:
    """The labels of the runs whose final rows match ``rule`` (see the module)."""
    if not isinstance(rule, str) or not rule.strip():
        raise OptionError("the target rule is empty", "argument 'target'",
                          "write e.g. 'params==max' or 'params>=2e8'")
    finals = sweep.finals
    keep = np.ones(len(finals), dtype=bool)
    for part in rule.split("&"):
        m = _RULE.match(part)
        if not m:
            raise OptionError(f"cannot read the target rule '{rule}'", "argument 'target'",
                              "write COLUMN==max, COLUMN==min or a comparison such as "
                              "'params>=2e8' (join rules with &)")
        column, op, raw = m.groups()
        if column not in finals.columns:
            raise OptionError(f"the target rule names a column '{column}' the sweep lacks",
                              "argument 'target'",
                              f"use one of: {', '.join(c for c in finals.columns if c[0] != '_')}")
        values = pd.to_numeric(finals[column], errors="coerce").to_numpy(dtype=float)
        if raw in ("max", "min"):
            value = np.nanmax(values) if raw == "max" else np.nanmin(values)
        else:
            try:
                value = float(raw)
            except ValueError:
                raise OptionError(f"'{raw}' in the target rule '{rule}' is neither a number "
                                  "nor max/min", "argument 'target'",
                                  "write e.g. 'params==max' or 'params>=2e8'") from None
        keep &= np.asarray(_OPS[op](values, value), dtype=bool)
    labels = finals["_run"].to_numpy()[keep]
    if labels.size == 0:
        raise OptionError(f"no run matches the target rule '{rule}'", "argument 'target'",
                          "check the rule against the sweep's values")
    if labels.size == len(finals):
        raise OptionError(f"every run matches the target rule '{rule}': none is left to fit",
                          "argument 'target'", "name only the runs to forecast")
    return labels


def forecast_errors(result: Any, goal: pd.DataFrame) -> tuple[Array, Array, Array]:
    """A fit's forecasts of the rows of ``goal`` (the law at their inputs), their actual
    values (the fit's target column) and the absolute relative errors."""
    names = [str(c) for c in result.law.inputs.values()]
    missing = [c for c in [*names, result.target] if c not in goal.columns]
    if missing:
        raise OptionError(f"the target runs have no column '{missing[0]}' the law reads",
                          "argument 'data'", "give the targets' inputs")
    inputs = {c: goal[c].to_numpy(dtype=float) for c in names}
    with np.errstate(all="ignore"):
        pred = np.asarray(result.law(result.params, **inputs), dtype=float)
    actual = goal[result.target].to_numpy(dtype=float)
    return pred, actual, np.abs(pred / actual - 1.0)
