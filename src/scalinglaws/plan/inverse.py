"""Inverse queries at a fixed model size or token budget: how many tokens (or parameters)
a fitted law needs to reach a target loss.

``flops_to_reach`` (in :mod:`.optimal`) answers for compute-optimal runs; here one input is
held: ``tokens_to_reach(fit, loss, params=7e9)`` is the over-training question (how long to
train a model of a chosen size), ``params_to_reach(fit, loss, tokens=2e12)`` its mirror. Both
search the law along the free input (bisection in log space, all queries at once) and raise a
:class:`QueryError` naming the floor when the target lies below what the law reaches at any
amount of the free input (for Chinchilla ``E + A/N^alpha``, the irreducible loss plus the
model-size term).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..common.numbers import readable, times
from ..exceptions import OptionError, QueryError
from ..fitting import FitResult
from .queries import Array, PerQuery, params_tokens_symbols, positive_values, query_record

#: the free input is searched over [1, 1e40]: one token/parameter to far beyond any run
_LOG_LO, _LOG_HI = 0.0, np.log(1e40)
_STEPS = 100


@dataclass(frozen=True, repr=False)
class Requirement(PerQuery):
    """Model size, tokens, training FLOPs (k·N·D) and loss of each answered query."""

    params: Array
    tokens: Array
    loss: Array
    flops_factor: float
    solved_for: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def flops(self) -> Array:
        return self.flops_factor * self.params * self.tokens

    def _columns(self) -> dict[str, Array]:
        return {"params": self.params, "tokens": self.tokens, "flops": self.flops,
                "loss": self.loss, "tokens_per_param": self.tokens / self.params}

    def _title(self) -> str:
        return f"{self.solved_for} to reach each loss (C = {self.flops_factor:g}·N·D)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; scalars when a single query was asked."""
        return {**query_record(self._columns()), "solved_for": self.solved_for,
                "flops_factor": self.flops_factor, "warnings": list(self.warnings)}


def tokens_to_reach(fit: FitResult, loss: Any, *, params: Any,
                    flops_factor: float = 6.0) -> Requirement:
    """Tokens a model of ``params`` parameters needs for the fitted law to reach ``loss``.

    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> r = sl.plan.tokens_to_reach(f, 2.1, params=7e9)
    >>> 1e10 < float(r.tokens[0]) < 1e13
    True
    """
    target, held = _queries(loss, params, "params")
    solved = solve_free_input(fit, target, held, held_input="params")
    return _answer(fit, target, held, solved, "tokens", flops_factor)


def params_to_reach(fit: FitResult, loss: Any, *, tokens: Any,
                    flops_factor: float = 6.0) -> Requirement:
    """Parameters a model trained on ``tokens`` tokens needs to reach ``loss``."""
    target, held = _queries(loss, tokens, "tokens")
    solved = solve_free_input(fit, target, held, held_input="tokens")
    return _answer(fit, target, solved, held, "params", flops_factor)


def _queries(loss: Any, held: Any, name: str) -> tuple[Array, Array]:
    target = positive_values(loss, "loss", "loss=2.0")
    other = positive_values(held, name, f"{name}=7e9")
    try:
        target, other = np.broadcast_arrays(target, other)
    except ValueError:
        raise OptionError(f"{target.size} target loss(es) and {other.size} {name} values do "
                          "not pair up", f"arguments 'loss' and '{name}'",
                          "give one of them, or the same number of each") from None
    return target.astype(float), other.astype(float)


def solve_free_input(fit: FitResult, target: Array, held: Array, held_input: str) -> Array:
    """The free input (``tokens`` or ``params``) at which the law equals ``target`` with
    ``held_input`` fixed at ``held``: a bisection in log space, all queries at once."""
    params_tokens_symbols(fit)
    free = "tokens" if held_input == "params" else "params"

    def law_at(log_free: Array) -> Array:
        with np.errstate(all="ignore"):
            v = np.asarray(fit.law(fit.params, **{held_input: held, free: np.exp(log_free)}),
                           dtype=float)
        return np.broadcast_to(v, held.shape)

    lo = np.full(held.shape, _LOG_LO)
    hi = np.full(held.shape, _LOG_HI)
    floor, top = law_at(hi), law_at(lo)
    if not (np.isfinite(floor).all() and np.isfinite(top).all()):
        raise QueryError(f"the law gives no finite loss over the range of {free} searched",
                         f"law '{fit.law.name}'", "check the fit's parameters")
    if (floor >= top).any():
        raise QueryError(f"the fitted law does not fall as {free} grow, so no amount of "
                         f"{free} is the answer", f"law '{fit.law.name}'",
                         f"check the fitted exponent of {free}")
    below = target <= floor
    if below.any():
        i = int(np.flatnonzero(below)[0])
        raise QueryError(
            f"target loss {target[i]:g} is at or below {floor[i]:.6g}, what the law reaches "
            f"with {held_input}={held[i]:.3g} and unlimited {free}",
            f"law '{fit.law.name}'",
            f"ask for a loss above {floor[i]:.4g}, or raise {held_input}")
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        above = law_at(mid) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.exp(np.where(target >= top, _LOG_LO, hi))


def _answer(fit: FitResult, target: Array, n: Array, d: Array, solved_for: str,
            flops_factor: float) -> Requirement:
    with np.errstate(all="ignore"):
        reached = np.broadcast_to(np.asarray(fit.law(fit.params, params=n, tokens=d),
                                             dtype=float), n.shape)
    warn = []
    values = d if solved_for == "tokens" else n
    if solved_for in fit.input_ranges:
        top = fit.input_ranges[solved_for][1]
        if float(values.max()) > 10 * top:
            warn.append(f"extrapolation: the {solved_for} needed ({readable(values.max())}) "
                        f"are {times(values.max() / top)} the largest fitted value "
                        f"({readable(top)})")
    return Requirement(params=n, tokens=d, loss=reached, flops_factor=flops_factor,
                       solved_for=solved_for, warnings=tuple(warn))
