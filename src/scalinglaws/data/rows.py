"""Row selection: filters (a query, flagged rows, empty cells) and reducers (the best row of
each group, the last checkpoint of each run).

Each function takes a table and gives the positions of the rows it keeps, in table order, so
that the same logic serves a raw table read from a file (before its roles are validated: a
crashed run's empty loss would fail validation) and a :class:`~.dataset.Dataset` (whose
methods ``where``, ``dropna``, ``best_of`` and ``last_by`` delegate here).
:class:`RowSelection` chains them in a fixed order for ``Dataset.read`` and the command line.

Names are the table's columns; ``aliases`` (role -> column, a ``columns=`` mapping not yet
applied) lets a role name stand for the column it is mapped from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from ..common.names import close_names
from ..common.warning import warn
from ..exceptions import DataError, OptionError
from . import validation as v

#: the roles whose empty cells ``dropna`` drops when no columns are named
DROPNA_ROLES = ("params", "tokens", "flops", "loss", "step", "lr")

#: how errors name each selection argument; the command line passes its flags instead
ARGUMENTS = {"where": "argument 'where'", "exclude": "argument 'exclude'",
             "dropna": "argument 'dropna'", "last_by": "argument 'last_by'",
             "best_of": "argument 'best_of'", "by": "argument 'by'"}

_QUOTING = ("quote a column name with spaces, '/' or '.' in backticks: `train/loss` < 3; "
            "quote text values: State == 'finished'")


def where_rows(frame: pd.DataFrame, expr: str, *, aliases: Mapping[str, str] | None = None,
               name: str = ARGUMENTS["where"]) -> np.ndarray:
    """Positions of the rows where ``expr`` holds, in pandas ``DataFrame.query`` syntax
    (``"State == 'finished' and params > 1e8"``; a column name with spaces or ``/`` in
    backticks: ``"`train/loss` < 3"``). Python variables (``@x``) are not read. An unknown
    column (with the close matches), a syntax error, a result that is not true/false per
    row, and an expression that keeps no row are :class:`~scalinglaws.DataError`\\ s."""
    if not isinstance(expr, str) or not expr.strip():
        raise DataError("a row filter is an expression such as \"params > 1e8\"",
                        f"{name}, got {expr!r}", _QUOTING)
    aliases = _aliases(frame, aliases)
    where = f"{name} {expr!r}"
    for quoted in re.findall(r"`([^`]*)`", expr):
        _column(frame, quoted, aliases, where)
    extra = {role: frame[source] for role, source in aliases.items()}
    try:
        result = frame.eval(expr, engine="python", resolvers=(extra,), local_dict={},
                            global_dict={})
    except SyntaxError as exc:  # pandas words some as "... in numexpr query": not ours
        message = "invalid syntax" if "numexpr" in str(exc.msg) else exc.msg
        raise DataError(f"cannot read the row filter: {message}", where, _QUOTING) from None
    except NameError as exc:  # pandas' UndefinedVariableError
        _undefined(str(exc), frame, aliases, where)
    except Exception as exc:  # whatever fails in evaluating is the expression's doing
        raise DataError(f"cannot evaluate the row filter: {_first_line(exc)}", where,
                        "compare numbers with numbers and text with quoted text; "
                        + _QUOTING) from None
    mask = _as_mask(result, len(frame), where)
    kept = np.flatnonzero(mask)
    if kept.size == 0:
        raise DataError(f"the row filter keeps none of the {len(frame)} rows", where,
                        "loosen it" + _values_hint(frame, expr))
    return kept


def exclude_rows(frame: pd.DataFrame, column: str, *, aliases: Mapping[str, str] | None = None,
                 name: str = ARGUMENTS["exclude"]) -> np.ndarray:
    """Positions of the rows not flagged true in the true/false column ``column``."""
    source = _column(frame, column, _aliases(frame, aliases), name)
    try:
        flagged = v.true_false(frame[source].reset_index(drop=True), column)
    except DataError as exc:
        raise DataError(exc.what, f"{name}, {exc.where}", exc.fix) from None
    return np.flatnonzero(~flagged)


def dropna_rows(frame: pd.DataFrame, columns: Sequence[str] | None = None, *,
                aliases: Mapping[str, str] | None = None, needed: Sequence[str] = (),
                name: str = ARGUMENTS["dropna"]) -> np.ndarray:
    """Positions of the rows with a value in every one of ``columns`` (default: the roles
    present of params, tokens, flops, loss, step and lr, and the ``needed`` columns present);
    an empty cell, NaN or blank text, is missing."""
    aliases = _aliases(frame, aliases)
    if columns is None:
        named = [r for r in DROPNA_ROLES if r in frame.columns or r in aliases]
        named += [c for c in needed if c and (c in frame.columns or c in aliases)]
    else:
        named = [columns] if isinstance(columns, str) else list(columns)
    sources = list(dict.fromkeys(_column(frame, c, aliases, name) for c in named))
    missing = np.zeros(len(frame), dtype=bool)
    for source in sources:
        missing |= _empty(frame[source])
    kept = np.flatnonzero(~missing)
    if kept.size == 0:
        raise DataError(f"every row has an empty cell in {', '.join(map(repr, sources))}",
                        f"{name}, {len(frame)} rows", "fill the values, or name fewer columns")
    return kept


def best_rows(frame: pd.DataFrame, column: str, by: Sequence[str], *,
              aliases: Mapping[str, str] | None = None,
              names: Mapping[str, str] = ARGUMENTS) -> np.ndarray:
    """Positions of the row with the lowest ``column`` in each group of rows equal in ``by``
    (``best_rows(t, "loss", ["params", "tokens"])``: the best learning rate of each size and
    budget); ties go to the first row in table order. Rows with no value of ``column`` are
    never chosen; a group with none is left out, with a warning."""
    aliases = _aliases(frame, aliases)
    source = _column(frame, column, aliases, names["best_of"])
    keys = _group_columns(frame, by, aliases, names["by"], names["best_of"])
    values = _numbers(frame, source, column, names["best_of"])
    groups = _group_ids(frame, keys, names["by"])
    return _first_per_group(groups, values, column, names["best_of"])


def last_rows(frame: pd.DataFrame, column: str, *, step: str = "step",
              aliases: Mapping[str, str] | None = None,
              name: str = ARGUMENTS["last_by"]) -> np.ndarray:
    """Positions of the last row of each value of ``column`` (a run): the one with the largest
    ``step``, ties to the later row; with no ``step`` column, the last row in table order.
    Rows with no step are never chosen; a group with none is left out, with a warning."""
    aliases = _aliases(frame, aliases)
    groups = _group_ids(frame, [_column(frame, column, aliases, name)], name)
    positions = np.arange(len(frame))
    if step in frame.columns or step in aliases:
        steps = _numbers(frame, _column(frame, step, aliases, name), step, name)
        # the largest step first, the later row first among equal steps
        return _first_per_group(groups, -steps, step, name, tiebreak=-positions)
    order = np.lexsort((positions, groups))
    is_last = np.r_[groups[order][1:] != groups[order][:-1], True]
    return np.sort(order[is_last])


@dataclass(frozen=True)
class RowSelection:
    """Filters and reducers applied in this order: ``where`` (a query), ``exclude`` (a
    true/false column), ``dropna`` (True: the roles present and ``needed``; or the columns
    named), ``last_by`` (the last step of each run), ``best_of`` the lowest value in each
    group of ``by``.

    ``needed`` names the columns a later step reads (a fit's target, inputs mapped by
    ``columns=``) that ``dropna=True`` covers too; ``names`` says how errors name each
    argument (the command line passes its flags).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"params": [1e8, 1e8, 2e8], "lr": [1e-3, 3e-3, 1e-3],
    ...                   "loss": [3.2, 3.1, None]})
    >>> RowSelection(dropna=True, best_of="loss", by=("params",)).apply(t)["lr"].tolist()
    [0.003]
    """

    where: str | None = None
    exclude: str | None = None
    dropna: bool | Sequence[str] = False
    last_by: str | None = None
    best_of: str | None = None
    by: Sequence[str] | None = None
    needed: Sequence[str] = ()
    step: str = "step"
    names: Mapping[str, str] = field(default_factory=lambda: dict(ARGUMENTS))

    def __post_init__(self) -> None:
        by = (self.by,) if isinstance(self.by, str) else self.by
        object.__setattr__(self, "by", tuple(by) if by is not None else None)
        if self.best_of is not None and not self.by:
            raise OptionError("the best row is taken per group, and no group is given",
                              self.names["best_of"], f"give {self.names['by']} too: the "
                              "columns that define a group, e.g. params,tokens")
        if self.best_of is None and self.by:
            raise OptionError("group columns are given but not the column to minimise",
                              self.names["by"], f"give {self.names['best_of']} too, e.g. loss")

    @property
    def active(self) -> bool:
        """Whether the selection drops or reduces anything."""
        return any((self.where, self.exclude, self.dropna, self.last_by, self.best_of))

    def apply(self, frame: pd.DataFrame, aliases: Mapping[str, str] | None = None
              ) -> pd.DataFrame:
        """The rows of ``frame`` the selection keeps, in table order."""
        n, a = self.names, aliases
        if self.where is not None:
            frame = frame.iloc[where_rows(frame, self.where, aliases=a, name=n["where"])]
        if self.exclude:
            frame = frame.iloc[exclude_rows(frame, self.exclude, aliases=a, name=n["exclude"])]
        if self.dropna is not False:
            columns = None if self.dropna is True else self.dropna
            frame = frame.iloc[dropna_rows(frame, columns, aliases=a, needed=self.needed,
                                           name=n["dropna"])]
        if self.last_by:
            frame = frame.iloc[last_rows(frame, self.last_by, step=self.step, aliases=a,
                                         name=n["last_by"])]
        if self.best_of:
            frame = frame.iloc[best_rows(frame, self.best_of, self.by or (), aliases=a,
                                         names=n)]
        return frame


# -- helpers ------------------------------------------------------------------------------------
def _aliases(frame: pd.DataFrame, aliases: Mapping[str, str] | None) -> dict[str, str]:
    """Role -> column, for the roles that do not name a column themselves."""
    return {role: source for role, source in (aliases or {}).items()
            if role not in frame.columns and source in frame.columns}


def _column(frame: pd.DataFrame, column: str, aliases: Mapping[str, str], where: str) -> str:
    """The table's column that ``column`` names, or a DataError with the close matches."""
    if column in frame.columns:
        return column
    if column in aliases:
        return aliases[column]
    known = [str(c) for c in frame.columns] + list(aliases)
    close = close_names(column, known)
    shown = ", ".join(known[:30]) + (f" and {len(known) - 30} more" if len(known) > 30 else "")
    raise DataError(f"the data has no column '{column}'", f"{where}; columns: {shown}",
                    f"did you mean {' or '.join(map(repr, close))}" if close
                    else "name one of the columns")


def _undefined(message: str, frame: pd.DataFrame, aliases: Mapping[str, str],
               where: str) -> NoReturn:
    found = re.search(r"'([^']*)' is not defined", message)
    missing = found.group(1) if found else message
    if message.startswith("local variable"):
        raise DataError(f"the row filter refers to a Python variable (@{missing})", where,
                        "write the value itself, e.g. params > 1e8")
    _column(frame, missing, aliases, where)  # raises with the close matches
    raise DataError(f"cannot evaluate the row filter: {message}", where, _QUOTING)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _as_mask(result: Any, n: int, where: str) -> np.ndarray:
    """The expression's result as one boolean per row (a missing value is false)."""
    if isinstance(result, pd.Series) and len(result) == n and (
            pd.api.types.is_bool_dtype(result.dtype)):
        return result.fillna(False).to_numpy(dtype=bool)
    got = (f"{result.dtype} values" if isinstance(result, pd.Series)
           else "a table" if isinstance(result, pd.DataFrame) else f"the value {result!r}")
    raise DataError(f"a row filter must give true or false for each row, got {got}", where,
                    "write a comparison such as params > 1e8 (use == to compare, not =)")


def _values_hint(frame: pd.DataFrame, expr: str) -> str:
    """The values of the text columns the expression names (a misspelt value keeps none)."""
    hints = []
    for col in frame.columns:
        series = frame[col]
        if series.dtype.kind in "biufcmM" or not re.search(rf"(?<![\w]){re.escape(str(col))}"
                                                           rf"(?![\w])", expr):
            continue
        try:
            values = sorted(map(str, series.dropna().unique()))
        except TypeError:
            continue
        more = f" and {len(values) - 6} more" if len(values) > 6 else ""
        hints.append(f"'{col}' holds {', '.join(map(repr, values[:6]))}{more}")
    return ("; " + "; ".join(hints)) if hints else ""


def _empty(series: pd.Series) -> np.ndarray:
    """Whether each cell is empty: NaN/None, or blank text."""
    missing = series.isna().to_numpy(dtype=bool, copy=True)
    if series.dtype.kind not in "biufcmM":
        missing |= series.map(lambda x: isinstance(x, str) and not x.strip()).to_numpy(bool)
    return missing


def _numbers(frame: pd.DataFrame, source: str, column: str, where: str) -> np.ndarray:
    """A column as floats (empty cells NaN), or a DataError naming the rows that are not."""
    try:
        return v.to_numeric_column(frame[source].reset_index(drop=True), column)
    except DataError as exc:
        raise DataError(exc.what, f"{where}, {exc.where}", exc.fix) from None


def _group_columns(frame: pd.DataFrame, by: Sequence[str], aliases: Mapping[str, str],
                   where: str, best_of: str) -> list[str]:
    if isinstance(by, str):
        by = [by]
    if not by:
        raise OptionError("the best row is taken per group, and no group is given", where,
                          f"name the columns that define a group for {best_of}, e.g. "
                          "params,tokens")
    return list(dict.fromkeys(_column(frame, c, aliases, where) for c in by))


def _group_ids(frame: pd.DataFrame, keys: list[str], where: str) -> np.ndarray:
    try:
        return frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    except TypeError:
        raise DataError(f"cannot group rows by {', '.join(map(repr, keys))}: their cells "
                        "hold lists or objects", where, "group by columns of plain values"
                        ) from None


def _first_per_group(groups: np.ndarray, values: np.ndarray, column: str, where: str, *,
                     tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Per group, the position of the lowest value (ties: the lowest ``tiebreak``, by default
    the earlier row); rows without a value are skipped, a group left without one warns."""
    positions = np.arange(len(groups))
    valid = ~np.isnan(values)
    ties = positions if tiebreak is None else tiebreak
    order = np.lexsort((ties[valid], values[valid], groups[valid]))
    chosen, g = positions[valid][order], groups[valid][order]
    first = np.r_[True, g[1:] != g[:-1]] if g.size else np.zeros(0, dtype=bool)
    lost = len(np.unique(groups)) - int(first.sum())
    if lost:
        warn(f"{lost} group(s) have no value of '{column}' and are left out — "
                      f"{where}. Drop or fill those rows to silence this.")
    return np.sort(chosen[first])
