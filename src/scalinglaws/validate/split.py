"""Train/test splits for backtests: masks, rules like ``"flops<1e21"`` or ``"largest=3"``,
leave-one-family-out and a rolling ladder ordered by size.

A split is a list of :class:`Fold`; most rules give one fold, ``leave_family_out`` and
``rolling`` give several (every fold is fitted and scored on its own). :func:`folds` reads a
``train=`` rule (a comparison or a mask names the rows fitted on); :func:`holdout_folds` reads
a ``holdout=`` rule (a comparison or a mask names the rows held out), and warns when the
held-out runs are smaller than the fitted ones (a backcast). :func:`kept_candidate` is the
rule that a selection from fewer than :data:`MIN_HELD_OUT` held-out points keeps the default.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..common.warning import warn
from ..data.dataset import Dataset
from ..data.validation import SIZE_COLUMNS as SIZE_COLUMNS
from ..engine.status import FINISHED_VALUES
from ..exceptions import DataError, OptionError
from .rules import HOLDOUT_HELP
from .rules import RULES_HELP as RULES_HELP

if TYPE_CHECKING:
    import pandas as pd

Array = np.ndarray

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt,
    "==": operator.eq, "!=": operator.ne}
_COMPARISON = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")
_LARGEST = re.compile(r"^\s*largest\s*=\s*(\d+)\s*$")
_ROLLING = re.compile(r"^\s*rolling(?:\s*=\s*(\d+))?\s*$")
#: a selection scored on fewer held-out points than this keeps the default candidate: with a
#: handful of points the ranking of the candidates is mostly noise
MIN_HELD_OUT = 10


@dataclass(frozen=True)
class Fold:
    """One split: which rows train and which rows test (boolean masks)."""

    label: str
    train: Array
    test: Array


def folds(ds: Dataset, train: Any, *, order: str | None = None,
          min_train_sizes: int = 3) -> list[Fold]:
    """The folds a ``train=`` specification describes (see :data:`RULES_HELP`): a comparison
    rule or a mask names the rows fitted on."""
    return _folds(ds, train, _Spec("train", False), order, min_train_sizes)


def holdout_folds(ds: Dataset, holdout: Any, *, order: str | None = None,
                  min_train_sizes: int = 3) -> list[Fold]:
    """The folds a ``holdout=`` specification describes (see :data:`HOLDOUT_HELP`): a
    comparison rule (``"flops>=1e21"``) or a mask names the rows HELD OUT, the others are
    fitted on; ``largest=K``, ``rolling``, ``leave_family_out`` and a list of :class:`Fold`
    mean what they mean for ``train=``. Warns (:class:`ScalingLawWarning`) when the held-out
    runs are smaller than the fitted ones: scoring them is a backcast, not a forecast.
    """
    out = _folds(ds, holdout, _Spec("holdout", True), order, min_train_sizes)
    if not (isinstance(holdout, str) and holdout.strip() == "leave_family_out"):
        _warn_backcast(ds, out, holdout, order)
    return out


@dataclass(frozen=True)
class _Spec:
    """Which argument a rule came from, and whether its comparisons and masks name the
    held-out rows (``holdout=``) rather than the fitted ones (``train=``)."""

    arg: str
    held_out: bool

    def fold(self, label: str, mask: Array) -> Fold:
        """The fold of a rule's or a mask's rows."""
        held = mask.copy() if self.held_out else ~mask
        return Fold(label, ~held, held)


def _folds(ds: Dataset, given: Any, spec: _Spec, order: str | None,
           min_train_sizes: int) -> list[Fold]:
    n = len(ds)
    if isinstance(given, (list, tuple)) and given and all(isinstance(f, Fold) for f in given):
        return [_checked(f, f"fold '{f.label}'", spec) for f in given]
    if isinstance(given, str):
        rule = given.strip()
        if rule == "leave_family_out":
            return _leave_family_out(ds)
        if m := _LARGEST.match(rule):
            return [_largest(ds, int(m.group(1)), order, spec)]
        if m := _ROLLING.match(rule):
            return _rolling(ds, int(m.group(1) or 3), order, min_train_sizes, spec)
        mask = np.ones(n, dtype=bool)
        for part in rule.split("&"):
            mask &= _comparison(ds, part, rule, spec)
        return [_checked(spec.fold(rule, mask), rule, spec)]
    try:
        mask = np.asarray(given)
    except Exception:  # any unconvertible object is a usage error
        mask = np.asarray(None)
    if mask.dtype != bool or mask.shape != (n,):
        raise OptionError(f"cannot use {type(given).__name__} as a {spec.arg} rule",
                          f"argument '{spec.arg}'", f"give {_help(spec)}; a mask needs {n} "
                          "booleans")
    return [_checked(spec.fold("mask", mask), "the mask", spec)]


def _help(spec: _Spec) -> str:
    return HOLDOUT_HELP if spec.held_out else RULES_HELP


def _comparison(ds: Dataset, part: str, rule: str, spec: _Spec) -> Array:
    m = _COMPARISON.match(part)
    if not m:
        raise OptionError(f"cannot read the {spec.arg} rule '{rule}'", f"argument '{spec.arg}'",
                          f"give {_help(spec)}")
    column, op, raw = m.groups()
    try:
        value = float(raw)
    except ValueError:
        raise OptionError(f"'{raw}' in the {spec.arg} rule '{rule}' is not a number",
                          f"argument '{spec.arg}'",
                          f"write e.g. {'flops>=1e21' if spec.held_out else 'flops<1e21'}"
                          ) from None
    return np.asarray(_OPS[op](ds.column(column), value), dtype=bool)


def _warn_backcast(ds: Dataset, out: list[Fold], holdout: Any, order: str | None) -> None:
    """Warn when a fold's largest held-out size is below its largest fitted size."""
    try:
        col = size_column(ds, order)
    except DataError:  # no size to compare: nothing to say
        return
    values = ds.column(col)
    for fold in out:
        held, fitted = float(np.max(values[fold.test])), float(np.max(values[fold.train]))
        if held < fitted:
            name = holdout if isinstance(holdout, str) else "mask"
            warn(
                f"the held-out runs are smaller than the fitted ones (largest held-out {col} "
                f"{held:.3g}, largest fitted {fitted:.3g}; holdout {name!r}, fold "
                f"'{fold.label}'): scoring them is a backcast, not a forecast; hold out the "
                f"largest runs instead (e.g. 'largest=3', or a rule with '>=' such as "
                f"'flops>=1e21')")
            return


def kept_candidate(table: pd.DataFrame, base: list[Fold], law: str,
                   choice: str) -> tuple[int, str | None]:
    """Which row of a ranked selection ``table`` to keep, and the reason when it is not the
    best: with fewer than :data:`MIN_HELD_OUT` held-out points the default candidate
    (``law``, ``choice``) is kept, with a :class:`ScalingLawWarning`."""
    n = int(sum(int(f.test.sum()) for f in base))
    if n >= MIN_HELD_OUT:
        return 0, None
    best = table.iloc[0]
    err = float(best["mean_abs_rel_error"])
    rows = np.flatnonzero((table["law"] == law).to_numpy() & (table["choice"] == choice)
                          .to_numpy())
    row = table.iloc[rows[0]] if rows.size else None
    usable = (row is not None and str(row["status"]) in FINISHED_VALUES
              and math.isfinite(float(row["mean_abs_rel_error"])))
    few = (f"only {n} held-out points (fewer than {MIN_HELD_OUT}), too few to choose between "
           f"the candidates")
    if usable and rows.size:
        text = (f"{few}: the default ({law}, {choice}) is kept; the lowest held-out error was "
                f"{best['law']} with {best['choice']} ({err:.2%})")
        pick = int(rows[0])
    else:
        text = (f"{few}, and the default ({law}, {choice}) did not fit: kept the lowest "
                f"held-out error, {best['law']} with {best['choice']} ({err:.2%})")
        pick = 0
    warn(f"{text}; hold out at least {MIN_HELD_OUT} points (more sizes with "
         f"'rolling=K' or 'largest=K', or a rule such as 'flops>=1e21') for a choice "
         f"made by the data")
    return pick, text


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


def _largest(ds: Dataset, k: int, order: str | None, spec: _Spec) -> Fold:
    col = size_column(ds, order)
    sizes = np.unique(ds.column(col))
    if k < 1:
        raise OptionError("largest=0 holds nothing out", f"argument '{spec.arg}'",
                          f"hold out between 1 and {len(sizes) - 1} sizes")
    if k >= len(sizes):
        raise DataError(f"largest={k} leaves nothing to fit on: the data have {len(sizes)} "
                        f"distinct {col}", f"argument '{spec.arg}'",
                        f"hold out between 1 and {len(sizes) - 1} sizes")
    test = ds.column(col) >= sizes[-k]
    return _checked(Fold(f"largest {k} {col}", ~test, test), f"largest={k}", spec)


def _rolling(ds: Dataset, k: int, order: str | None, min_train: int,
             spec: _Spec) -> list[Fold]:
    if k < 1:
        raise OptionError(f"rolling={k} scores no size", f"argument '{spec.arg}'",
                          "score at least the largest size: 'rolling=1', or 'rolling' for 3")
    col = size_column(ds, order)
    values = ds.column(col)
    sizes = np.unique(values)
    if len(sizes) < min_train + 1:
        raise DataError(f"a rolling backtest needs at least {min_train + 1} distinct {col}, "
                        f"the data have {len(sizes)}", f"argument '{spec.arg}'",
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


def _checked(fold: Fold, what: str, spec: _Spec = _Spec("train", False)) -> Fold:
    where = f"argument '{spec.arg}'"
    if not fold.train.any():
        first = (f"{what} holds out every row: nothing is left to fit on" if spec.held_out
                 else f"{what} selects no training rows")
        raise DataError(first, where, "hold out fewer runs" if spec.held_out else
                        "loosen the rule so that some runs are fitted")
    if not fold.test.any():
        first = (f"{what} holds out no rows: nothing is left to test" if spec.held_out
                 else f"{what} selects every row for training: nothing is left to test")
        raise DataError(first, where, "loosen the rule so that some runs are held out"
                        if spec.held_out else "tighten the rule so that some runs are held out")
    return fold
