"""Inference-aware allocation (Sardana et al. 2023, "Beyond Chinchilla-Optimal",
arXiv:2401.00448): the model size and token count that reach a target loss with the least
training plus inference compute, when the model will serve ``inference_tokens`` tokens.

Training costs ``k·N·D`` FLOPs (k = 6) and inference ``2·N`` FLOPs per token (their
eq. 1-2). For every model size N the tokens needed to reach the loss come from the fitted law
(:func:`tokens_to_reach`); the total is minimised over log N (a grid, then golden-section
refinement). With no inference the answer is the Chinchilla-optimal one; the more tokens the
model will serve, the smaller and longer-trained the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..common.checks import positive_number
from ..common.numbers import readable
from ..exceptions import OptionError, QueryError
from ..fitting import FitResult
from .inverse import solve_free_input
from .optimal import compute_optimal, flops_to_reach
from .queries import Array, PerQuery, positive_values, query_record
from .search import golden_section

_GRID = 161


@dataclass(frozen=True, repr=False)
class InferenceAllocation(PerQuery):
    """The inference-aware plan for each target loss, beside the Chinchilla-optimal one."""

    loss: Array
    inference_tokens: float
    params: Array
    tokens: Array
    chinchilla_params: Array
    chinchilla_tokens: Array
    flops_factor: float
    inference_factor: float
    warnings: tuple[str, ...] = field(default=())

    @property
    def training_flops(self) -> Array:
        return self.flops_factor * self.params * self.tokens

    @property
    def inference_flops(self) -> Array:
        return self.inference_factor * self.params * self.inference_tokens

    @property
    def total_flops(self) -> Array:
        return self.training_flops + self.inference_flops

    @property
    def chinchilla_total_flops(self) -> Array:
        n, d = self.chinchilla_params, self.chinchilla_tokens
        return self.flops_factor * n * d + self.inference_factor * n * self.inference_tokens

    @property
    def savings(self) -> Array:
        """Share of the Chinchilla-optimal plan's total compute that this plan saves."""
        return 1.0 - self.total_flops / self.chinchilla_total_flops

    def _columns(self) -> dict[str, Array]:
        return {
            "loss": self.loss, "params": self.params, "tokens": self.tokens,
            "training_flops": self.training_flops, "inference_flops": self.inference_flops,
            "total_flops": self.total_flops, "chinchilla_params": self.chinchilla_params,
            "chinchilla_tokens": self.chinchilla_tokens,
            "chinchilla_total_flops": self.chinchilla_total_flops, "savings": self.savings}

    def _title(self) -> str:
        return (f"inference-aware allocation serving {readable(self.inference_tokens)} tokens "
                f"(training {self.flops_factor:g}·N·D, inference {self.inference_factor:g}·N "
                "per token), beside the Chinchilla-optimal plan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; scalars when a single target was asked for."""
        out = query_record(self._columns())
        out.update(inference_tokens=self.inference_tokens, flops_factor=self.flops_factor,
                   inference_factor=self.inference_factor, warnings=list(self.warnings))
        return out


def inference_optimal(fit: FitResult, *, inference_tokens: float, loss: Any = None,
                      flops: Any = None, flops_factor: float = 6.0,
                      inference_factor: float = 2.0) -> InferenceAllocation:
    """Least training + inference compute to reach ``loss`` (or the loss that a
    compute-optimal run of ``flops`` training FLOPs reaches).

    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> plan = sl.plan.inference_optimal(f, flops=1e23, inference_tokens=1e13)
    >>> bool(plan.params[0] < plan.chinchilla_params[0])
    True
    """
    if (loss is None) == (flops is None):
        raise OptionError("give either a target loss or a training budget", "arguments "
                          "'loss' and 'flops'", "e.g. loss=2.0, or flops=1e23 (the loss a "
                          "compute-optimal run of that budget reaches)")
    d_inf = float(positive_values(inference_tokens, "inference_tokens", "1e13")[0]) if (
        inference_tokens != 0) else 0.0
    positive_number(inference_factor, "inference_factor", "use 2 (2·N FLOPs per token)")
    if flops is not None:
        target = compute_optimal(fit, flops, flops_factor=flops_factor).loss
    else:
        target = positive_values(loss, "loss", "loss=2.0")
    chin = flops_to_reach(fit, target, flops_factor=flops_factor)
    params = np.array([_best_size(fit, t, n_c, d_inf, flops_factor, inference_factor)
                       for t, n_c in zip(target, chin.params, strict=True)])
    tokens = solve_free_input(fit, target, params, held_input="params")
    warn = list(chin.warnings)
    return InferenceAllocation(loss=target, inference_tokens=d_inf, params=params,
                               tokens=tokens, chinchilla_params=chin.params,
                               chinchilla_tokens=chin.tokens, flops_factor=flops_factor,
                               inference_factor=inference_factor, warnings=tuple(warn))


def _best_size(fit: FitResult, target: float, n_chinchilla: float, d_inf: float, k: float,
               q: float) -> float:
    """argmin over N of k·N·D(N) + q·N·d_inf, D(N) the tokens reaching ``target``."""
    n_min = _smallest_size(fit, target, n_chinchilla)

    def total(logn: Array) -> Array:
        n = np.exp(logn)
        d = solve_free_input(fit, np.full(n.shape, target), n, held_input="params")
        return k * n * d + q * n * d_inf

    lo, hi = np.log(n_min) + 1e-6, np.log(n_chinchilla) + np.log(10.0)
    grid = np.linspace(lo, hi, _GRID)
    values = total(grid)
    j = int(np.argmin(values))
    lo_cell, hi_cell = grid[max(j - 1, 0)], grid[min(j + 1, _GRID - 1)]
    return float(np.exp(golden_section(total, np.array([lo_cell]), np.array([hi_cell]))[0]))


def _smallest_size(fit: FitResult, target: float, n_chinchilla: float) -> float:
    """The model size below which no amount of data reaches ``target`` (bisection)."""
    lo, hi = np.log(1.0), np.log(n_chinchilla)

    def floor(logn: float) -> float:
        with np.errstate(all="ignore"):
            return float(np.asarray(fit.law(fit.params, params=np.exp(logn), tokens=1e40)))

    if floor(hi) >= target:
        raise QueryError("even the compute-optimal model cannot reach the target",
                         f"law '{fit.law.name}'", "check the fit")
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if floor(mid) >= target:
            lo = mid
        else:
            hi = mid
    return float(np.exp(hi))
