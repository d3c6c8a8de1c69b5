"""Train/test splits for backtests: masks, rules like ``"flops<1e21"`` or ``"largest=3"``,
leave-one-family-out and a rolling ladder ordered by size.

A split is a list of :class:`Fold`; most rules give one fold, ``leave_family_out`` and
``rolling`` give several (every fold is fitted and scored on its own).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError
from .rules import RULES_HELP as RULES_HELP

Array = np.ndarray

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt,
    "==": operator.eq, "!=": operator.ne}
_COMPARISON = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")
_LARGEST = re.compile(r"^\s*largest\s*=\s*(\d+)\s*$")
_ROLLING = re.compile(r"^\s*rolling(?:\s*=\s*(\d+))?\s*$")
#: the columns that order runs by size, in order of preference
SIZE_COLUMNS = ("params", "flops", "tokens")



@dataclass(frozen=True)
class Fold:
    """One split: which rows train and which rows test (boolean masks)."""

    label: str
    train: Array
    test: Array


def folds(ds: Dataset, train: Any, *, order: str | None = None,
          min_train_sizes: int = 3) -> list[Fold]:
    """The folds a ``train=`` specification describes (see :data:`RULES_HELP`)."""
    n = len(ds)
    if isinstance(train, (list, tuple)) and train and all(isinstance(f, Fold) for f in train):
        return [_checked(f, f"fold '{f.label}'") for f in train]
    if isinstance(train, str):
        rule = train.strip()
        if rule == "leave_family_out":
            return _leave_family_out(ds)
        if m := _LARGEST.match(rule):
            return [_largest(ds, int(m.group(1)), order)]
        if m := _ROLLING.match(rule):
            return _rolling(ds, int(m.group(1) or 3), order, min_train_sizes)
        mask = np.ones(n, dtype=bool)
        for part in rule.split("&"):
            mask &= _comparison(ds, part, rule)
        return [_checked(Fold(rule, mask, ~mask), rule)]
    try:
        mask = np.asarray(train)
    except Exception:  # any unconvertible object is a usage error
        mask = np.asarray(None)
    if mask.dtype != bool or mask.shape != (n,):
        raise OptionError(f"cannot use {type(train).__name__} as a train rule",
                          "argument 'train'", f"give {RULES_HELP}; a mask needs {n} booleans")
    return [_checked(Fold("mask", mask.copy(), ~mask), "the mask")]


def _comparison(ds: Dataset, part: str, rule: str) -> Array:
    m = _COMPARISON.match(part)
    if not m:
        raise OptionError(f"cannot read the train rule '{rule}'", "argument 'train'",
                          f"give {RULES_HELP}")
    column, op, raw = m.groups()
    try:
        value = float(raw)
    except ValueError:
        raise OptionError(f"'{raw}' in the train rule '{rule}' is not a number",
                          "argument 'train'", "write e.g. flops<1e21") from None
    return np.asarray(_OPS[op](ds.column(column), value), dtype=bool)


def size_column(ds: Dataset, order: str | None) -> str:
    """The column that orders runs by size: ``order`` or the first of params, flops, tokens."""
    if order is not None:
        ds.column(order)  # raises a DataError naming the columns when absent
        return order
    for col in SIZE_COLUMNS:
        if ds.has(col):
            return col
    raise DataError("cannot order the runs by size: the data have none of "
                    f"{', '.join(SIZE_COLUMNS)}", f"columns: {', '.join(ds.columns)}",
                    "pass order='your_size_column'")


def _largest(ds: Dataset, k: int, order: str | None) -> Fold:
    col = size_column(ds, order)
    sizes = np.unique(ds.column(col))
    if k < 1:
        raise OptionError("largest=0 holds nothing out", "argument 'train'",
                          f"hold out between 1 and {len(sizes) - 1} sizes")
    if k >= len(sizes):
        raise DataError(f"largest={k} leaves nothing to fit on: the data have {len(sizes)} "
                        f"distinct {col}", "argument 'train'",
                        f"hold out between 1 and {len(sizes) - 1} sizes")
    test = ds.column(col) >= sizes[-k]
    return _checked(Fold(f"largest {k} {col}", ~test, test), f"largest={k}")


def _rolling(ds: Dataset, k: int, order: str | None, min_train: int) -> list[Fold]:
    if k < 1:
        raise OptionError(f"rolling={k} scores no size", "argument 'train'",
                          "score at least the largest size: 'rolling=1', or 'rolling' for 3")
    col = size_column(ds, order)
    values = ds.column(col)
    sizes = np.unique(values)
    if len(sizes) < min_train + 1:
        raise DataError(f"a rolling backtest needs at least {min_train + 1} distinct {col}, "
                        f"the data have {len(sizes)}", "argument 'train'",
                        "add sizes, or use a rule such as 'flops<1e21'")
    first = max(min_train, len(sizes) - k)
    out = []
    for i in range(first, len(sizes)):
        out.append(Fold(f"{col}={sizes[i]:.3g}", values < sizes[i], values == sizes[i]))
    return out


def _leave_family_out(ds: Dataset) -> list[Fold]:
    if not ds.has("family"):
        raise DataError("leave_family_out needs a 'family' column", f"columns: "
                        f"{', '.join(ds.columns)}", "map one with columns={'family': 'col'}")
    fam = np.array([str(v) for v in ds.labels("family")], dtype=object)
    names = sorted(set(fam))
    if len(names) < 2:
        raise DataError(f"leave_family_out needs at least 2 families, the data have "
                        f"{len(names)}", "column 'family'", "use another train rule")
    return [Fold(f"family={f}", fam != f, fam == f) for f in names]


def _checked(fold: Fold, what: str) -> Fold:
    if not fold.train.any():
        raise DataError(f"{what} selects no training rows", "argument 'train'",
                        "loosen the rule so that some runs are fitted")
    if not fold.test.any():
        raise DataError(f"{what} selects every row for training: nothing is left to test",
                        "argument 'train'", "tighten the rule so that some runs are held out")
    return fold
