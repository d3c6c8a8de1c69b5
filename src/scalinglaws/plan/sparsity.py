"""The loss-minimising sparsity for a training budget (Frantar et al. 2023, arXiv:2309.08520).

Given a fitted ``sparsity`` law L(S, N, D) (N non-zero parameters, D training tokens or
examples), a model of N non-zeros and a budget of training FLOPs, :func:`optimal_sparsity`
returns the sparsity S that minimises the loss when the sparse model is trained at the cost
of the dense model of the same total size N/(1 - S) (gradual magnitude pruning trains the
dense weights throughout, as in the paper's runs): D = flops (1 - S) / (k N), k = 6 FLOPs per
parameter and token by default. A sparser model has more total parameters, so it sees fewer
tokens for the same budget: sparsity pays only when the budget trains the dense model well
past the point where more data stops helping, which is the paper's finding that the optimal
sparsity grows with the training budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common.checks import positive_number
from ..common.display import html_pairs, text_pairs
from ..common.numbers import readable
from ..exceptions import OptionError, QueryError
from ..fitting import FitResult
from .search import golden_section

Array = np.ndarray
_GRID = 400


@dataclass(frozen=True)
class SparsityChoice:
    """The loss-minimising sparsity for one model and budget."""

    sparsity: float
    params: float
    total_params: float
    tokens: float
    loss: float
    dense_loss: float
    flops: float

    def _facts(self) -> list[tuple[str, str]]:
        return [("sparsity", f"{self.sparsity:.4f}"),
                ("non-zero parameters", readable(self.params)),
                ("total parameters", readable(self.total_params)),
                ("tokens", readable(self.tokens)),
                ("loss", readable(self.loss, 4)),
                ("dense loss (same budget)", readable(self.dense_loss, 4)),
                ("flops", readable(self.flops))]

    def __str__(self) -> str:
        return "loss-minimising sparsity\n" + text_pairs(self._facts())

    def _repr_html_(self) -> str:
        return html_pairs(self._facts(), caption="loss-minimising sparsity")

    def to_dict(self) -> dict[str, Any]:
        return {"sparsity": self.sparsity, "params": self.params,
                "total_params": self.total_params, "tokens": self.tokens,
                "loss": self.loss, "dense_loss": self.dense_loss, "flops": self.flops}


def optimal_sparsity(fit: FitResult, *, params: float, flops: float,
                     flops_per_token: float = 6.0,
                     max_sparsity: float = 0.999) -> SparsityChoice:
    """The sparsity S in [0, ``max_sparsity``] minimising a fitted ``sparsity`` law.

    Parameters
    ----------
    fit:
        A fit of the ``sparsity`` law (inputs ``sparsity``, ``params``, ``tokens``).
    params:
        Non-zero parameters N of the model (fixed: the inference cost).
    flops:
        Training budget; the tokens are flops (1 - S) / (flops_per_token N).
    flops_per_token:
        FLOPs per parameter and token (6: forward and backward pass).
    max_sparsity:
        Largest sparsity considered (below 1).

    Notes
    -----
    S = 0 (the dense model) is returned when no sparsity lowers the loss; a QueryError is
    raised when the loss still falls at ``max_sparsity`` (no optimum inside the range).
    """
    law = fit.law
    if set(law.inputs.values()) != {"sparsity", "params", "tokens"}:
        raise QueryError(f"law '{law.name}' does not read sparsity, params and tokens",
                         "optimal_sparsity", "fit the catalog law 'sparsity'")
    n = _positive_arg(params, "params")
    budget = _positive_arg(flops, "flops")
    k = _positive_arg(flops_per_token, "flops_per_token")
    top = _positive_arg(max_sparsity, "max_sparsity")
    if top >= 1.0:
        raise OptionError(f"max_sparsity must be below 1, got {top:g}", "optimal_sparsity",
                          "e.g. max_sparsity=0.99")

    def loss(s: Array) -> Array:
        s = np.asarray(s, dtype=float)
        tokens = budget * (1.0 - s) / (k * n)
        with np.errstate(all="ignore"):
            out = np.asarray(law(fit.params, sparsity=s, params=np.full_like(s, n),
                                 tokens=tokens), dtype=float)
        return np.where(np.isfinite(out), out, np.inf)

    grid = np.linspace(0.0, top, _GRID)
    values = loss(grid)
    best = int(np.argmin(values))
    if not np.isfinite(values[best]):
        raise QueryError("the law is not finite at any sparsity for this budget",
                         f"params={n:g}, flops={budget:g}", "check the fit and budget")
    if best == _GRID - 1:
        raise QueryError(f"the loss still falls at the largest sparsity searched ({top:g}): "
                         "no optimum inside the range", f"params={n:g}, flops={budget:g}",
                         "raise max_sparsity, or check the budget")
    if best == 0 and values[1] >= values[0]:
        s_opt = 0.0
    else:
        lo, hi = grid[max(best - 1, 0)], grid[best + 1]
        s_opt = float(golden_section(loss, np.array([lo]), np.array([hi]))[0])
    tokens = budget * (1.0 - s_opt) / (k * n)
    return SparsityChoice(sparsity=s_opt, params=n, total_params=n / (1.0 - s_opt),
                          tokens=tokens, loss=float(loss(np.array([s_opt]))[0]),
                          dense_loss=float(values[0]), flops=budget)



def _positive_arg(value: Any, name: str) -> float:
    return positive_number(value, name, f"give {name} to optimal_sparsity as a positive number")
