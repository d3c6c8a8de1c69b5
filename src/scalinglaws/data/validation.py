"""Validation of the columns of a Dataset by role.

Each check raises a :class:`~scalinglaws.exceptions.DataError` that names the column, the
first offending rows (counted from 0 in the table, header excluded) and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..common.warning import warn
from ..exceptions import DataError

#: roles whose values are sizes or losses: finite and strictly positive (the planned sizes of a
#: run beside the achieved ones, which the fits use)
POSITIVE_ROLES = ("params", "tokens", "flops", "loss", "planned_params", "planned_tokens")
#: other numeric roles
NUMERIC_ROLES = ("step", "lr")
#: label roles, carried as they are
LABEL_ROLES = ("run", "seed", "family", "status")
ROLES = POSITIVE_ROLES + NUMERIC_ROLES + LABEL_ROLES
#: the columns that order runs by size, in order of preference
SIZE_COLUMNS = ("params", "flops", "tokens")

_MAX_ROWS_SHOWN = 5


def rows_text(rows: Sequence[int] | np.ndarray) -> str:
    """Describe row positions briefly: 'row 3' or 'rows 3, 7, 9 and 12 more'."""
    rows = [int(r) for r in rows]
    shown = ", ".join(str(r) for r in rows[:_MAX_ROWS_SHOWN])
    more = len(rows) - _MAX_ROWS_SHOWN
    label = "row" if len(rows) == 1 else "rows"
    suffix = f" and {more} more" if more > 0 else ""
    return f"{label} {shown}{suffix} (counting from 0, header excluded)"


def to_numeric_column(series: pd.Series, column: str) -> np.ndarray:
    """Convert a column to float64, or raise naming the rows that are not numbers."""
    if pd.api.types.is_bool_dtype(series.dtype):
        raise DataError(
            f"column '{column}' holds true/false values, not numbers",
            f"column '{column}'",
            "give numeric values, or map another column to this role",
        )
    if series.dtype.kind in "mMc" or isinstance(series.dtype, pd.PeriodDtype):
        raise DataError(
            f"column '{column}' holds {series.dtype} values (dates, durations or complex "
            "numbers), not plain numbers",
            f"column '{column}'",
            "give plain numbers (e.g. days as a float column), or map another column to "
            "this role",
        )
    converted = pd.to_numeric(series, errors="coerce")
    if np.iscomplexobj(converted):
        raise DataError(
            f"column '{column}' holds complex numbers",
            f"column '{column}'",
            "give real numbers",
        )
    bad = np.flatnonzero(converted.isna().to_numpy() & series.notna().to_numpy())
    if bad.size:
        examples = ", ".join(repr(series.iloc[i]) for i in bad[:3])
        raise DataError(
            f"column '{column}' has values that are not numbers ({examples})",
            f"column '{column}', {rows_text(bad)}",
            "write plain numbers such as 7e9 (not '7B' or '7,000,000,000'), "
            "or drop those rows",
        )
    return np.asarray(converted, dtype=float)


def check_finite(values: np.ndarray, column: str) -> None:
    """Raise if any value is NaN or infinite."""
    nan = np.flatnonzero(np.isnan(values))
    if nan.size:
        raise DataError(
            f"column '{column}' has missing values (NaN)",
            f"column '{column}', {rows_text(nan)}",
            "drop or fill those rows before building the Dataset (Dataset.read(..., "
            "dropna=True); on the command line, --dropna)",
        )
    inf = np.flatnonzero(np.isinf(values))
    if inf.size:
        raise DataError(
            f"column '{column}' has infinite values",
            f"column '{column}', {rows_text(inf)}",
            "drop those rows; a diverged run has no usable loss",
        )


def check_positive(values: np.ndarray, column: str) -> None:
    """Raise if any value is zero or negative."""
    bad = np.flatnonzero(values <= 0)
    if bad.size:
        raise DataError(
            f"column '{column}' must be strictly positive (found {values[bad[0]]:g})",
            f"column '{column}', {rows_text(bad)}",
            "sizes, token counts, FLOPs and losses are positive; drop those rows "
            "or check the column mapping",
        )


def _floor(role: str) -> tuple[float, bool] | None:
    """The least value of a role's values and whether it is excluded (sizes, losses and
    learning rates are positive, steps count from 0); None for a role with no floor."""
    if role in POSITIVE_ROLES or role == "lr":
        return 0.0, True
    if role == "step":
        return 0.0, False
    return None


def check_role(values: np.ndarray, role: str) -> None:
    """Validate the numeric values of one role."""
    check_finite(values, role)
    floor = _floor(role)
    if floor is not None and floor[1]:
        check_positive(values, role)
    elif floor is not None:
        bad = np.flatnonzero(values < 0)
        if bad.size:
            raise DataError(
                "column 'step' has negative steps",
                f"column 'step', {rows_text(bad)}",
                "steps count from 0; check the column mapping",
            )


def rows_valid(values: np.ndarray, role: str) -> np.ndarray:
    """Which rows of a (K, n) stack of one column's values :func:`check_role` and the input
    floors (:data:`INPUT_FLOORS`) accept, all at once (many data sets of a batch)."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(values).all(axis=1)
        floor = _floor(role)
        if floor is not None:
            least, strict = floor
            ok &= ((values > least) if strict else (values >= least)).all(axis=1)
        if role in INPUT_FLOORS:
            ok &= (values >= INPUT_FLOORS[role][0]).all(axis=1)
    return np.asarray(ok)


#: input columns of the catalog's laws with a least value by definition: sqrt(KL) of a tuned
#: policy (the reward laws) is not negative, the samples drawn per problem (coverage) at least 1
INPUT_FLOORS = {"kl_distance": (0.0, "the distance d = sqrt(KL) of a tuned policy is 0 or "
                                      "more (KL >= 0)"),
                "samples": (1.0, "a coverage curve's k counts samples drawn, 1 or more")}


def check_input_floors(frame: pd.DataFrame) -> None:
    """Raise if a numeric column of :data:`INPUT_FLOORS` holds a value below its least one
    (a column of another kind is left to the law that reads it)."""
    for column, (least, why) in INPUT_FLOORS.items():
        if column not in frame.columns or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column].to_numpy(dtype=float)
        bad = np.flatnonzero(values < least)
        if bad.size:
            raise DataError(f"column '{column}' has values below {least:g} (found "
                            f"{values[bad[0]]:g})", f"column '{column}', {rows_text(bad)}",
                            f"{why}; drop those rows or check the column")


#: a count column whose largest value is below this was most likely written in millions or
#: billions: no language-model training run has so few parameters or tokens
COUNT_FLOOR = {"params": 1e5, "tokens": 1e5}


def warn_implausible_counts(frame: pd.DataFrame) -> None:
    """Warn (not fail) when all the sizes or token counts are implausibly small: given in
    billions by mistake (7 for 7e9), they would fit a law in the wrong units and derive
    FLOPs 1e18 times too small."""
    for role, floor in COUNT_FLOOR.items():
        if role not in frame.columns:
            continue
        top = float(frame[role].max())
        if top < floor:
            warn(
                f"column '{role}' holds at most {top:g}, fewer {role} than any training run "
                f"— column '{role}'. Were they written in millions or billions? Write plain "
                f"counts (e.g. frame['{role}'] *= 1e9 for billions); flops derived from them "
                "are off by the same factor.")


def warn_duplicates(frame: pd.DataFrame) -> None:
    """Warn (not fail) when whole rows are repeated: they weigh double in a fit."""
    try:
        dup = np.flatnonzero(frame.duplicated().to_numpy())
    except TypeError:  # unhashable cells: nothing sensible to compare
        return
    if dup.size:
        warn(
            f"the dataset has {dup.size} duplicated row(s) — {rows_text(dup)}. "
            "Duplicated rows weigh double in a fit; drop them with "
            "frame.drop_duplicates() if they are copies.")


#: the values a true/false column may hold (case-insensitive; numbers as written by pandas)
FLAG_VALUES = {"true": True, "false": False, "1": True, "0": False, "1.0": True,
               "0.0": False}


def true_false(series: pd.Series, column: str) -> np.ndarray:
    """A true/false column as booleans (``true``/``false`` or ``1``/``0``, any case); a blank
    or another word ("yes") is an error naming the values and rows, never taken for either."""
    mapped = series.astype(str).str.strip().str.lower().map(FLAG_VALUES)
    bad = np.flatnonzero(mapped.isna().to_numpy())
    if bad.size:
        shown = sorted({"(blank)" if pd.isna(v) or not str(v).strip() else repr(str(v))
                        for v in series.iloc[bad]})
        more = f" and {len(shown) - 5} other values" if len(shown) > 5 else ""
        raise DataError(
            f"rows are flagged by true/false (or 1/0) values, but {bad.size} row(s) hold "
            f"{', '.join(shown[:5])}{more}",
            f"column '{column}', {rows_text(bad)}",
            "write true or false in every row of the column")
    return mapped.to_numpy(dtype=bool)
