"""Capacity density (Xiao et al., "Densing Law of LLMs", 2024, arXiv:2412.04315).

The effective parameter size N_hat of a model is the number of parameters a *reference* law
(a fitted L(N, D), e.g. a ``chinchilla`` FitResult of one model family) needs to reach the
model's loss at the same number of training tokens; its capacity density is
rho = N_hat / N. A model on the reference law has density 1; one that reaches a lower loss
than the reference at its size has density > 1. (The paper maps benchmark scores to loss
with a fitted sigmoid first; invert that link yourself to start from a score.)

``release_days`` turns release dates into the ``release_days`` column (days since
2024-01-01) that the catalog law ``density`` (ln rho_max = A t + B) reads.

>>> import scalinglaws as sl
>>> ref = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
>>> loss = ref.predict(params=7e9, tokens=1.4e12)
>>> round(float(capacity_density(ref, params=7e9, loss=loss, tokens=1.4e12)), 6)
1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, OptionError
from ..fitting import FitResult
from ..laws.published.density import EPOCH
from .inverse import params_to_reach
from .queries import Array, positive_values


def effective_params(fit: FitResult, *, loss: Any, tokens: Any) -> Any:
    """Parameters the reference law ``fit`` needs to reach ``loss`` at ``tokens`` tokens.

    ``loss`` and ``tokens`` broadcast together; a float comes back for scalar queries. Raises
    :class:`~scalinglaws.QueryError` when a loss lies at or below what the reference reaches
    with unlimited parameters at those tokens (the density is then unbounded).

    >>> import scalinglaws as sl
    >>> ref = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> n = effective_params(ref, loss=ref.predict(params=1e9, tokens=2e10), tokens=2e10)
    >>> round(n / 1e9, 6)
    1.0
    """
    target = positive_values(loss, "loss", "loss=2.0").reshape(np.shape(loss))
    held = positive_values(tokens, "tokens", "tokens=1.4e12").reshape(np.shape(tokens))
    shape = _query_shape(loss=loss, tokens=tokens)
    req = params_to_reach(fit, np.broadcast_to(target, shape).ravel(),
                          tokens=np.broadcast_to(held, shape).ravel())
    return _shaped(req.params, shape)


def capacity_density(fit: FitResult, *, params: Any, loss: Any, tokens: Any) -> Any:
    """Capacity density ``effective_params / params`` of models with ``params`` parameters
    that reach ``loss`` after ``tokens`` tokens, measured against the reference law ``fit``.

    All three broadcast together; a float comes back for scalar queries.
    """
    actual = positive_values(params, "params", "params=7e9")
    shape = _query_shape(params=params, loss=loss, tokens=tokens)
    effective = np.asarray(effective_params(fit, loss=loss, tokens=tokens), dtype=float)
    rho = np.broadcast_to(effective, shape) / np.broadcast_to(
        actual.reshape(np.shape(params)), shape)
    return float(rho) if rho.ndim == 0 else rho


def release_days(dates: Any, *, epoch: Any = EPOCH) -> Any:
    """Release dates as days since ``epoch`` (default 2024-01-01, the origin of the
    ``density`` law's ``release_days`` column); negative before it.

    Accepts a date, datetime, ``numpy.datetime64``, ``pandas.Timestamp`` or ISO string
    (``"2024-09-05"``), or a sequence of them; a float comes back for a single date.

    >>> release_days("2024-01-11")
    10.0
    >>> release_days(["2023-12-31", "2024-01-02"]).tolist()
    [-1.0, 1.0]
    """
    origin = _timestamps(epoch, "epoch")
    stamps = _timestamps(dates, "dates")
    days = (stamps - origin[0]) / pd.Timedelta(days=1)
    out = np.asarray(days, dtype=float)
    single = isinstance(dates, str) or np.ndim(dates) == 0
    return float(out[0]) if single else out


def _timestamps(values: Any, name: str) -> pd.DatetimeIndex:
    items = [values] if isinstance(values, str) or np.ndim(values) == 0 else list(
        np.asarray(values, dtype=object).ravel())
    if not items:
        raise DataError(f"no dates given in '{name}'", f"argument '{name}'",
                        "give one or more dates, e.g. '2024-09-05'")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, bool) or isinstance(item, int | float | np.number):
            raise DataError(f"{item!r} is a number, not a date", f"argument '{name}', item {i}",
                            "give dates as strings ('2024-09-05') or datetime objects")
        try:
            stamp = pd.Timestamp(item)
            readable = not pd.isna(stamp)
        except (TypeError, ValueError):
            readable = False
        if not readable:
            raise DataError(f"cannot read {item!r} as a date", f"argument '{name}', item {i}",
                            "write dates as YYYY-MM-DD, e.g. '2024-09-05'")
        out.append(stamp.tz_localize(None) if stamp.tzinfo is not None else stamp)
    return pd.DatetimeIndex(out)


def _query_shape(**values: Any) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*(np.shape(v) for v in values.values()))
    except ValueError:
        listed = ", ".join(f"{k} {np.shape(v)}" for k, v in values.items())
        raise OptionError(f"the arguments do not broadcast together: {listed}",
                          f"arguments {', '.join(repr(k) for k in values)}",
                          "give scalars or arrays of one length") from None


def _shaped(values: Array, shape: tuple[int, ...]) -> Any:
    out = np.asarray(values, dtype=float).reshape(shape)
    return float(out) if out.ndim == 0 else out
