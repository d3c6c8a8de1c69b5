"""Private helpers shared by the IsoFLOP analysis and the loss envelope: the array alias and
the checks of options and data columns."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from ...data.dataset import Dataset
from ...exceptions import DataError, OptionError

Array = np.ndarray

#: the roles that cannot be the size column of a parabola
_NOT_SIZE = ("flops", "loss", "tokens")



def _as_dataset(data: Any) -> Dataset:
    if isinstance(data, Dataset):
        return data
    if isinstance(data, pd.DataFrame):
        return Dataset.from_frame(data)  # validates: FLOPs, sizes and losses must be > 0
    raise DataError(f"data must be a Dataset or a DataFrame, got {type(data).__name__}",
                    "argument 'data'", "use sl.Dataset.from_csv(...) or a DataFrame")


def _check_int(value: Any, name: str, low: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise OptionError(f"{name} must be an integer of at least {low}, got {value!r}",
                          f"argument '{name}'", example)
    return int(value)


def _check_seed(seed: Any) -> int | None:
    if seed is None:
        return None
    return _check_int(seed, "seed", 0, "use seed=0, or None for fresh randomness")


def _size_column(ds: Dataset, x: Any) -> Array:
    if not isinstance(x, str) or x in _NOT_SIZE:
        raise OptionError(f"x names the model-size column, got {x!r}", "argument 'x'",
                          "use x='params' (or a column of e.g. non-embedding parameters)")
    values = ds.column(x)
    bad = np.flatnonzero(values <= 0)
    if bad.size:
        raise DataError(f"column '{x}' must be strictly positive (found {values[bad[0]]:g})",
                        f"column '{x}', row {int(bad[0])} (counting from 0)",
                        "model sizes are positive; drop those rows or choose another x")
    return values


def _flops_column(ds: Dataset) -> Array:
    if not ds.has("flops"):
        raise DataError(
            "an IsoFLOP analysis groups runs by training compute, but the dataset has no "
            "'flops' column (and no 'params' and 'tokens' to derive C = k·N·D from)",
            f"available columns: {', '.join(ds.columns)}",
            "map one with columns={'flops': 'your_column'}, or give params and tokens")
    c = ds.column("flops")
    bad = np.flatnonzero(c <= 0)
    if bad.size:  # the Dataset rejects these already; kept for frames built around it
        raise DataError(f"column 'flops' must be strictly positive (found {c[bad[0]]:g})",
                        f"column 'flops', row {int(bad[0])} (counting from 0)",
                        "a training budget is a positive number of FLOPs; drop those rows")
    return c
