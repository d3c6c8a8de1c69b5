"""Numbers as text for tables and reports: one home for the formats the project prints."""

from __future__ import annotations

import math
from typing import Any

#: what a missing (non-finite) value prints as in a compact table
MISSING = "—"


def spelled(x: float, spec: str = ".6g") -> str:
    """``x`` in ``spec``; ``inf``, ``-inf`` and ``nan`` spelled out.

    >>> spelled(0.123456789), spelled(float("-inf"))
    ('0.123457', '-inf')
    """
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return format(x, spec)


def compact(x: float) -> str:
    """Four significant digits below 10⁴, scientific notation above (an input value).

    >>> compact(0.5), compact(7e10)
    ('0.5', '7.000e+10')
    """
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:.3e}"


def sci(value: Any, digits: int = 3) -> str:
    """Compact scientific notation: ``5.34e18``, ``1.6e8``; ``—`` for a missing value.

    >>> sci(5.3412e18), sci(1.6e8), sci(float("nan"))
    ('5.34e18', '1.6e8', '—')
    """
    v = float(value)
    if not math.isfinite(v):
        return MISSING
    mantissa, _, exponent = f"{v:.{digits - 1}e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}e{int(exponent)}"


def general(value: Any, digits: int = 3) -> str:
    """``digits`` significant digits; ``—`` for a missing value.

    >>> general(0.123456), general(float("inf"))
    ('0.123', '—')
    """
    v = float(value)
    return f"{v:.{digits}g}" if math.isfinite(v) else MISSING


def table_float(x: float) -> str:
    """A float in a printed table (pandas' ``float_format``): four significant digits.

    >>> table_float(0.123456), table_float(7e10), table_float(float("nan"))
    ('0.1235', '7e+10', 'nan')
    """
    return f"{x:.4g}"


def percent(x: float, decimals: int = 2) -> str:
    """A fraction as a percentage: ``0.0148`` -> ``1.48%``.

    >>> percent(0.0148)
    '1.48%'
    """
    return f"{x:.{decimals}%}"


def level_label(level: float) -> str:
    """An interval level as text: ``95%`` for 0.95, ``99.5%`` for 0.995.

    >>> level_label(0.95), level_label(0.995)
    ('95%', '99.5%')
    """
    return f"{level * 100:.4g}%"
