"""Values made safe for JSON: numpy scalars to Python, non-finite floats to null or text."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def json_value(value: Any) -> Any:
    """``value`` for a JSON document: non-finite floats as ``None`` (JSON has no NaN), numpy
    scalars as Python numbers, through arrays, lists, tuples and mappings (whose keys become
    strings)."""
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def float_text(value: float) -> float | str:
    """A float for a saved record: non-finite values as the strings ``float()`` reads back."""
    v = float(value)
    if math.isfinite(v):
        return v
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
