"""The data columns the IsoFLOP analysis and the loss envelope share: model sizes and
training budgets, checked."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...data.dataset import Dataset
from ...exceptions import DataError, OptionError

Array = np.ndarray

#: the roles that cannot be the size column of a parabola
_NOT_SIZE = ("flops", "loss", "tokens")


def size_column(ds: Dataset, x: Any) -> Array:
    """The model-size column ``x``, strictly positive."""
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


def flops_column(ds: Dataset) -> Array:
    """The training budgets, C (given, or k·N·D), strictly positive."""
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
