"""The feasible mixtures of an optimisation: per-domain bounds and caps on the epochs of
scarce domains, checked for feasibility with the violated constraint named."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import OptionError

_SLACK = 1e-9


@dataclass(frozen=True)
class Box:
    """Lower and upper proportion per domain, and where each upper bound comes from."""

    lower: np.ndarray
    upper: np.ndarray
    sources: tuple[str, ...]

    def contains(self, r: np.ndarray, tol: float = 1e-6) -> bool:
        return bool(np.all(r >= self.lower - tol) and np.all(r <= self.upper + tol))


def box(domains: Sequence[str], bounds: Mapping[str, Any] | None = None,
        available: Mapping[str, float] | None = None, tokens: float | None = None,
        max_epochs: float | None = None) -> Box:
    """Per-domain bounds ``{"code": (0.05, 0.4)}``; with ``tokens`` (the run's training
    tokens) and ``max_epochs``, a domain with ``available`` tokens is capped at
    ``max_epochs * available / tokens``. Raises :class:`OptionError` naming the constraint
    that cannot hold (an infeasible set is a bad argument: the command line exits 2)."""
    m = len(domains)
    lower, upper = np.zeros(m), np.ones(m)
    sources = ["1"] * m
    for name, pair in (bounds or {}).items():
        if name not in domains:
            raise OptionError(f"a bound names unknown domain {name!r}", "argument 'bounds'",
                             f"use one of {', '.join(domains)}")
        lo, hi = _pair(name, pair)
        j = domains.index(name)
        lower[j], upper[j] = lo, hi
        sources[j] = f"bounds[{name!r}] = ({lo:g}, {hi:g})"
    caps = _caps(domains, available, tokens, max_epochs)
    for j, cap in caps.items():
        if cap < upper[j]:
            upper[j] = cap
            sources[j] = (f"at most {max_epochs:g} epochs of {domains[j]!r} "
                          f"({(available or {})[domains[j]]:g} tokens of {tokens:g})")
    for j in range(m):
        if lower[j] > upper[j] + _SLACK:
            raise OptionError(f"domain {domains[j]!r} needs at least {lower[j]:g} of the "
                             f"mixture but may have at most {upper[j]:.4g}",
                             f"constraint {sources[j]}",
                             "lower its bound, allow more epochs or add data")
    if lower.sum() > 1 + _SLACK:
        named = ", ".join(f"{d} >= {lo:g}" for d, lo in zip(domains, lower, strict=True)
                          if lo > 0)
        raise OptionError(f"the lower bounds sum to {lower.sum():.4g}, more than 1",
                         f"constraints {named}", "lower some of them")
    if upper.sum() < 1 - _SLACK:
        named = "; ".join(s for s in sources if s != "1")
        raise OptionError(f"the upper bounds sum to {upper.sum():.4g}, less than 1: no "
                         "mixture can fill the run", f"constraints {named}",
                         "raise the caps (more epochs, fewer training tokens) or add data")
    return Box(lower, upper, tuple(sources))


def _pair(name: str, pair: Any) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise OptionError(f"the bound of {name!r} must be a pair (lower, upper), got "
                          f"{pair!r}", "argument 'bounds'", "e.g. {'code': (0.05, 0.4)}") \
            from None
    if not (0 <= lo <= 1 and 0 <= hi <= 1):
        raise OptionError(f"the bound of {name!r} must lie in [0, 1], got ({lo:g}, {hi:g})",
                          "argument 'bounds'", "give proportions, not percentages")
    return lo, hi


def _caps(domains: Sequence[str], available: Mapping[str, float] | None,
          tokens: float | None, max_epochs: float | None) -> dict[int, float]:
    if not available or max_epochs is None:
        return {}
    if tokens is None or not (math.isfinite(float(tokens)) and float(tokens) > 0):
        raise OptionError("an epoch cap needs the run's training tokens", "argument 'tokens'",
                          "give tokens=... (the tokens the run will see)")
    if not (math.isfinite(float(max_epochs)) and float(max_epochs) > 0):
        raise OptionError(f"max_epochs must be a positive number, got {max_epochs!r}",
                          "argument 'max_epochs'", "e.g. max_epochs=4")
    return {domains.index(d): float(max_epochs) * float(n) / float(tokens)
            for d, n in available.items() if d in domains}
