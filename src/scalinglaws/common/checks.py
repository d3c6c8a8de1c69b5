"""Argument checks shared by the library: each returns the value in canonical form or raises an
:class:`~scalinglaws.OptionError` naming the argument and saying what to pass instead."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..exceptions import OptionError


def positive_number(value: object, name: str, fix: str) -> float:
    """``value`` as a positive finite float (text such as ``"1e-3"`` is refused: these options
    are numbers)."""
    number = math.nan
    if not isinstance(value, str | bytes):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
    if not (math.isfinite(number) and number > 0):
        raise OptionError(f"{name} must be a positive number, got {value!r}",
                          f"argument '{name}'", fix)
    return number


def positive_int(value: Any, name: str, fix: str) -> int:
    """``value`` as an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise OptionError(f"{name} must be a positive integer, got {value!r}",
                          f"argument '{name}'", fix)
    return int(value)


def integer_at_least(value: Any, name: str, low: int, fix: str) -> int:
    """``value`` as an int >= ``low`` (``True`` and ``2.0`` are refused: counts are integers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise OptionError(f"{name} must be an integer of at least {low}, got {value!r}",
                          f"argument '{name}'", fix)
    return int(value)


def check_n_boot(n_boot: Any, zero: str, fix: str) -> int:
    """A number of bootstrap resamples that may be 0: ``n_boot`` as an int, 0 (no bootstrap;
    ``zero`` says what is done instead) or at least 2."""
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral) or n_boot < 0:
        raise OptionError(f"n_boot must be 0 ({zero}) or an integer of at least 2, "
                          f"got {n_boot!r}", "argument 'n_boot'", fix)
    if n_boot == 1:
        raise OptionError("a bootstrap needs at least 2 resamples, got 1", "argument 'n_boot'",
                          fix)
    return int(n_boot)


def check_resamples(n: object) -> int:
    """The number of bootstrap resamples: an integer of at least 2."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise OptionError(f"the number of resamples must be an integer, got {n!r}",
                          "argument 'n'", "use e.g. 1000")
    if n < 2:
        raise OptionError(f"a bootstrap needs at least 2 resamples, got {n}", "argument 'n'",
                          "use e.g. 1000 (200 for a quick look)")
    return int(n)


def check_level(level: object) -> float:
    """An interval level: a probability strictly between 0 and 1."""
    try:
        value = float(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 < value < 1.0:
        raise OptionError(f"an interval level is a probability strictly between 0 and 1, "
                          f"got {level!r}", "argument 'level'",
                          "use e.g. 0.95 for a 95% interval")
    return value
