"""Measured training steps: a table (a DataFrame, or a CSV file) with the model's shape, the
batch size, the sequence length and the measured step time, checked row by row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..arch import Transformer
from ..exceptions import DataError, OptionError
from .traffic import REQUIRED_SHAPE, shape_of_row

#: the columns every table of measured steps needs
REQUIRED = (*REQUIRED_SHAPE, "batch_size", "seq_len", "step_time")


def read_steps(measurements: Any) -> pd.DataFrame:
    """The measurements as a DataFrame: a DataFrame as given, a path read as CSV."""
    if isinstance(measurements, pd.DataFrame):
        return measurements
    if isinstance(measurements, str | Path):
        path = Path(measurements)
        if not path.is_file():
            raise DataError(f"no file '{path}'", "argument 'measurements'",
                            "give the CSV of measured steps, or a DataFrame")
        try:
            return pd.read_csv(path)
        except (ValueError, pd.errors.ParserError) as exc:
            raise DataError(f"cannot read '{path.name}' as CSV ({exc})",
                            "argument 'measurements'", "write it as comma-separated values "
                            "with a header row") from None
    raise OptionError(f"measurements must be a DataFrame or a CSV path, got "
                      f"{type(measurements).__name__}", "argument 'measurements'",
                      "e.g. fit_throughput(pd.read_csv('steps.csv'))")


def checked_steps(frame: pd.DataFrame) -> tuple[list[Transformer], np.ndarray, np.ndarray,
                                                np.ndarray]:
    """The shapes, batch sizes, sequence lengths and step times of the rows, or a DataError
    naming the missing columns or the bad rows."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(f"the measured steps lack column(s) {', '.join(missing)}",
                        f"columns {', '.join(map(str, frame.columns))}",
                        f"give one row per measurement with columns {', '.join(REQUIRED)} "
                        "(and optionally n_kv_heads, d_ff, gated, tied, ...)")
    numbers = {}
    for name in ("batch_size", "seq_len", "step_time"):
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
        if bad.size:
            raise DataError(f"{name} must be a positive number", f"column '{name}', rows "
                            f"{_rows(bad)}", "drop or correct those rows")
        numbers[name] = values
    shapes = []
    for i, row in enumerate(frame.to_dict("records")):
        try:
            named = {str(k): v for k, v in row.items()}
            shapes.append(shape_of_row(named, int(numbers["seq_len"][i])))
        except (OptionError, TypeError, ValueError) as exc:
            what = exc.what if isinstance(exc, OptionError) else str(exc)
            raise DataError(f"row {i} is not a transformer's shape: {what}",
                            f"row {i}", "correct its shape columns") from None
    if len(shapes) < 4:
        raise DataError(f"{len(shapes)} measured step(s): too few for three coefficients",
                        "argument 'measurements'", "measure at least 4 steps, of several "
                        "shapes and batch sizes")
    return shapes, numbers["batch_size"], numbers["seq_len"], numbers["step_time"]


def _rows(index: np.ndarray) -> str:
    shown = ", ".join(str(int(i)) for i in index[:5])
    return shown + (f" and {index.size - 5} more" if index.size > 5 else "")
