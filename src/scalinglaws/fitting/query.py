"""The inputs a query gives a fit, checked as the data are: finite numbers, positive for the
sizes and losses (``params``, ``tokens``, ``flops``, ``loss``, ``lr``), not negative for
``step``; and a law that is not finite at such an input is asked outside its domain.

Both are :class:`~scalinglaws.OptionError`: a query that cannot be asked is bad input (the
command line exits 2), unlike a :class:`~scalinglaws.QueryError`, a query that can be asked
but has no answer (a loss below what the law reaches).

>>> import scalinglaws as sl
>>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
>>> f.predict(params=-1, tokens=1e12)
Traceback (most recent call last):
...
scalinglaws.exceptions.OptionError: a query's params must be a positive, finite number, got -1 ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..data.validation import POSITIVE_ROLES
from ..exceptions import OptionError
from ..laws.law import Law

#: inputs (by column) that are positive, as in the data, and those that are not negative
#: (``kl_distance``: d = sqrt(KL) of the reward laws)
POSITIVE = (*POSITIVE_ROLES, "lr")
NOT_NEGATIVE = ("step", "kl_distance")
#: an example value of each role, for the messages
EXAMPLES = {"params": "7e10", "tokens": "1.4e12", "flops": "5.76e23", "loss": "2.0",
            "lr": "3e-4", "step": "1000", "kl_distance": "2.0"}


def check_inputs(law: Law, inputs: Mapping[str, Any], where: str = "predict") -> None:
    """Raise an OptionError naming the first input (as the caller named it) and value that
    is not finite, or not positive for a positive role (not negative for ``step``)."""
    for symbol, column in law.inputs.items():
        key = symbol if symbol in inputs else column
        if key is None or key not in inputs:
            continue  # a missing input: the law says so
        try:
            values = np.asarray(inputs[key], dtype=float)
        except (TypeError, ValueError):
            continue  # not numbers: the law says so
        role = str(column or symbol)
        bad = ~np.isfinite(values)
        need = "a finite number"
        if role in POSITIVE:
            bad |= ~(values > 0)
            need = "a positive, finite number"
        elif role in NOT_NEGATIVE:
            bad |= ~(values >= 0)
            need = "a finite number of at least 0"
        if bad.any():
            example = EXAMPLES.get(role, "1.0")
            limit = f"{key} > 0" if role in POSITIVE else (
                f"{key} >= 0" if role in NOT_NEGATIVE else f"a finite {key}")
            raise OptionError(f"a query's {key} must be {need}, got {_first(values, bad)}",
                              f"input '{key}' of {where}", f"give {limit}, e.g. "
                              f"{key}={example}")


def check_values(law: Law, params: Mapping[str, float], inputs: Mapping[str, Any],
                 values: Any, ranges: Mapping[str, tuple[float, float]],
                 where: str = "predict") -> None:
    """Raise an OptionError when the law (its parameters finite) is not finite at an input
    :func:`check_inputs` accepts: the input lies outside the law's domain."""
    out = np.asarray(values, dtype=float)
    if np.isfinite(out).all() or not np.isfinite(list(params.values())).all():
        return
    flat, _ = law.flat_inputs(inputs)
    i = int(np.flatnonzero(~np.isfinite(out.ravel()))[0])
    keys = [s if s in inputs else str(c) for s, c in law.inputs.items()]
    at = ", ".join(f"{k}={float(x.ravel()[i]):g}" for k, x in zip(keys, flat, strict=True))
    spans = [f"{c} {lo:g} to {hi:g}" for c, (lo, hi) in ranges.items()
             if c in {str(v) for v in law.inputs.values()}]
    raise OptionError(
        f"the law '{law.name}' is not finite ({out.ravel()[i]:g}) at {at}: the input lies "
        "outside the law's domain", f"inputs of {where}",
        "ask where the law is defined" + (f" (the fit's data span {'; '.join(spans)})"
                                          if spans else ""))


def _first(values: np.ndarray, bad: np.ndarray) -> str:
    """The first bad value, and where it is in an array."""
    flat = values.ravel()
    i = int(np.flatnonzero(bad.ravel())[0])
    text = f"{float(flat[i]):g}"
    return text if values.ndim == 0 else f"{text} (entry {i} of {flat.size})"
