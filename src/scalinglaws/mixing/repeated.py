"""Queries of repeated data: how many epochs of a corpus pay before another epoch stops
paying (Muennighoff et al. 2023), and the critical mixture ratio of continual pre-training
(Gu et al. 2024, arXiv:2407.17467)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize as so

from ..common.checks import positive_number
from ..exceptions import OptionError, QueryError


def epochs_until_vanishing(fit: Any, *, params: float, unique_tokens: float,
                           tolerance: float = 1e-3, max_epochs: float = 1e4) -> float:
    """Epochs of ``unique_tokens`` after which one more epoch lowers the predicted loss by
    less than ``tolerance`` (relative), for a model of ``params``; ``fit`` a fit of a law
    reading ``params``, ``tokens`` and ``unique_tokens`` (the ``data_constrained`` law)."""
    params = positive_number(params, "params", "give the model's parameters, e.g. 1e9")
    unique = positive_number(unique_tokens, "unique_tokens", "give the corpus's tokens")
    tolerance = positive_number(tolerance, "tolerance", "e.g. 1e-3 (0.1% per epoch)")

    def gain(epochs: float) -> float:
        now, then = (float(fit.predict(extrapolation=None, params=params,
                                       unique_tokens=unique, tokens=e * unique))
                     for e in (epochs, epochs + 1))
        return (now - then) / now - tolerance

    if gain(1.0) <= 0:
        return 1.0
    if gain(max_epochs) > 0:
        raise QueryError(f"another epoch still pays more than {tolerance:g} after "
                         f"{max_epochs:g} epochs", "argument 'tolerance'",
                         "raise the tolerance or check the fit's R*_D")
    return float(so.brentq(gain, 1.0, max_epochs, xtol=1e-3))


def critical_mixture_ratio(general: Any, *, params: float, tokens: float,
                           tolerance: float = 0.01, baseline: float | None = None) -> float:
    """The largest share of domain data whose predicted general loss stays within
    ``tolerance`` (relative) of ``baseline`` (default: the general loss with no domain data),
    for a model of ``params`` trained on ``tokens``: the critical mixture ratio of Gu et al.
    2024. ``general`` is a fit of the general loss reading ``domain_ratio`` or
    ``general_ratio`` (``dcpt(corpus='general')``) with ``params`` and ``tokens``."""
    params = positive_number(params, "params", "give the model's parameters")
    tokens = positive_number(tokens, "tokens", "give the continual pre-training tokens")
    tolerance = positive_number(tolerance, "tolerance", "e.g. 0.01 (1% above the baseline)")
    columns = set(str(c) for c in general.law.inputs.values())
    if "general_ratio" in columns:
        def loss(r: float) -> float:
            return float(general.predict(extrapolation=None, params=params, tokens=tokens,
                                         general_ratio=1.0 - r))
    elif "domain_ratio" in columns:
        def loss(r: float) -> float:
            return float(general.predict(extrapolation=None, params=params, tokens=tokens,
                                         domain_ratio=r))
    else:
        raise OptionError("the fit reads no mixture share", "its law's inputs: "
                         + ", ".join(sorted(columns)),
                         "fit dcpt(corpus='general') to the general loss")
    limit = (loss(0.0) if baseline is None else float(baseline)) * (1.0 + tolerance)
    grid = np.linspace(0.0, 1.0, 1001)
    ok = np.array([loss(r) <= limit for r in grid])
    if not ok[0]:
        raise QueryError(f"even with no domain data the general loss exceeds "
                         f"{limit:.4g}", "argument 'baseline'",
                         "raise the tolerance or the baseline")
    last = int(np.argmin(ok)) - 1 if not ok.all() else len(grid) - 1
    if last == len(grid) - 1:
        return 1.0
    return float(so.brentq(lambda r: loss(r) - limit, grid[last], grid[last + 1],
                           xtol=1e-6))

