"""Helpers shared by the diagnostics: the array alias, p-value text, length checks."""

from __future__ import annotations

import math

import numpy as np

from ...exceptions import DataError

Array = np.ndarray


def p_text(p: float) -> str:
    """A p-value in one or two significant digits, floored at the float resolution."""
    if not math.isfinite(p):
        return "nan"
    if p < 1e-16:
        return "<1e-16"
    return f"={p:.1g}"


def check_length(column: str, size: int, n: int, against: str) -> None:
    if size != n:
        raise DataError(f"input '{column}' has {size} values but there are {n} {against}",
                        f"column '{column}'", "pass one value per data point")
