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


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_of_ten(x: float, digits: int = 3) -> tuple[str, int]:
    """``x`` as a mantissa of ``digits`` significant digits (trailing zeros dropped) and a
    power of ten: ``(4.19, 7)`` for 41921869.1.

    >>> power_of_ten(41921869.1), power_of_ten(-0.000135, 2)
    (('4.19', 7), ('-1.4', -4))
    """
    mantissa, _, exponent = f"{float(x):.{max(digits, 1) - 1}e}".partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return mantissa, int(exponent)


def readable(x: Any, digits: int = 3) -> str:
    """A number for people to read: ``digits`` significant digits, written out between 10⁻³
    and 10⁴, as a power of ten beyond (``4.19×10⁷``, not ``41921869.1`` or ``4.19e+07``);
    ``—`` for a missing value, ``inf`` for an infinite one.

    >>> readable(41921869.1), readable(670377302630098403328), readable(2.31746)
    ('4.19×10⁷', '6.7×10²⁰', '2.32')
    >>> readable(0.000123), readable(1234.5), readable(float("nan")), readable(0)
    ('1.23×10⁻⁴', '1234', '—', '0')
    """
    v = float(x)
    if math.isnan(v):
        return MISSING
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        decimals = max(digits - 1 - math.floor(math.log10(abs(v))), 0)
        text = f"{v:.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, exponent = power_of_ten(v, digits)
    return f"{mantissa}×10{str(exponent).translate(_SUPERSCRIPTS)}"


_SIZE_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def size(x: Any, digits: int = 3) -> str:
    """A model or data size as the field writes it: ``57.3M``, ``1.4T`` parameters or tokens
    (k, M, B, T: thousand, million, billion, trillion); plain below a thousand and
    :func:`readable` beyond 10¹⁵.

    >>> size(57_300_000), size(1.4e12), size(7e10), size(1e9), size(512), size(3.2e17)
    ('57.3M', '1.4T', '70B', '1B', '512', '3.2×10¹⁷')
    >>> size(2.3e8, 2), size(999_999)
    ('230M', '1M')
    """
    v = float(x)
    if not math.isfinite(v) or abs(v) < 1e3 or abs(v) >= 1e15:
        return readable(v, digits)
    for scale, suffix in _SIZE_SUFFIXES:
        if abs(v) >= scale * (1 - 5e-4):
            text = f"{v / scale:.{digits}g}"
            if "e" in text:  # more integer digits than significant ones: 230, not 2.3e+02
                text = f"{round(v / scale)}"
            return f"{text}{suffix}"
    return readable(v, digits)  # pragma: no cover - the loop always returns


def times(x: Any, digits: int = 2) -> str:
    """A factor in a sentence or a table: ``3.2×``, ``6.7×10²⁰×``.

    >>> times(3.21), times(670377302630098403328)
    ('3.2×', '6.7×10²⁰×')
    """
    return f"{readable(x, digits)}×"


def ends(lo: Any, hi: Any, digits: int = 3,
         form: Any = readable) -> tuple[str, str]:
    """The two ends of an interval as text, with more digits than ``digits`` where needed for
    them to print differently (``4.31×10⁹`` and ``4.34×10⁹``, never ``4.3×10⁹`` twice);
    ``form(value, digits)`` writes each end.

    >>> ends(4.312e9, 4.338e9, 2)
    ('4.31×10⁹', '4.34×10⁹')
    """
    a, b = form(lo, digits), form(hi, digits)
    extra = digits
    while a == b and extra < 15 and float(lo) != float(hi):
        extra += 1
        a, b = form(lo, extra), form(hi, extra)
    return a, b


def span(lo: Any, hi: Any, digits: int = 3, form: Any = readable) -> str:
    """An interval as text, ``lo–hi``, its ends told apart (see :func:`ends`); an interval
    whose ends are equal (every resample gave the same value) is that value, said so.

    >>> span(4.312e9, 4.338e9, 2), span(0.31, 0.37), span(2.5, 2.5)
    ('4.31×10⁹–4.34×10⁹', '0.31–0.37', '2.5 (no spread)')
    """
    a, b = ends(lo, hi, digits, form)
    return f"{a} (no spread)" if a == b else f"{a}–{b}"


def fixed(x: Any, decimals: int = 4) -> str:
    """``x`` with ``decimals`` decimals (a loss: ``2.0134``); ``—`` for a missing value.

    >>> fixed(2.01344), fixed(float("nan"))
    ('2.0134', '—')
    """
    v = float(x)
    return f"{v:.{decimals}f}" if math.isfinite(v) else MISSING
