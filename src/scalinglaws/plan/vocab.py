"""The loss-minimising vocabulary size for a fitted vocabulary law (Tao et al. 2024).

Given non-vocabulary parameters N_nv, an embedding width d and a budget, either training
FLOPs F (tokens D = F / (6 (N_nv + V d)), the paper's Approach 3) or training characters H
(tokens D = H f(V)), :func:`optimal_vocabulary` returns the vocabulary size V that maximises
the fitted unigram gain (minimises the unigram-normalised loss) of the ``vocab`` law.

``f(V)``, tokens per character, is the paper's fitted compression function
``f(V) = a ln(V)^2 + b ln(V) + c`` with a = 0.00639222, b = -0.15811069, c = 1.20470122,
V capped at 200K where the quadratic turns (Tao et al. 2024, arXiv:2407.13623, the relation
between characters and tokens; code ``sail-sg/scaling-with-vocab``, ``utils.py``).
"""

from __future__ import annotations

import math
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
_A, _B, _C = 0.00639222, -0.15811069, 1.20470122
_V_CAP = 200_000.0
#: vocabulary sizes searched: 256 entries to 10M (log grid, then golden-section refinement)
_LOG_LO, _LOG_HI = math.log(256.0), math.log(1e7)
_GRID = 400
#: the paper's embedding width for a non-vocabulary size (``Nnv_to_d`` in its code)
_WIDTHS = ((5e7, 512), (2e8, 768), (5e8, 1024), (1e9, 1536), (2e9, 2048), (5e9, 3200),
           (1e10, 4096), (2e10, 5120), (5e10, 6048), (1e11, 8192), (2e11, 12288),
           (5e11, 16384), (1e12, 20480))


def tokens_per_character(vocab_size: Any) -> Any:
    """Tokens per character of a BPE vocabulary of ``vocab_size`` entries, f(V) (fitted by
    Tao et al. 2024); ``tokens = characters * f(V)``.

    >>> round(tokens_per_character(32000), 4)
    0.2524
    """
    logv = np.log(np.minimum(np.asarray(vocab_size, dtype=float), _V_CAP))
    out = _A * logv**2 + _B * logv + _C
    return float(out) if np.ndim(out) == 0 else out


def tokens_from_characters(characters: Any, vocab_size: Any) -> Any:
    """Training tokens of ``characters`` characters tokenized with ``vocab_size`` entries."""
    return np.asarray(characters, dtype=float) * tokens_per_character(vocab_size)


def embedding_width(params: float) -> float:
    """The paper's embedding width d for N_nv non-vocabulary parameters (its code's table)."""
    for limit, width in _WIDTHS:
        if params <= limit:
            return float(width)
    return 24576.0


@dataclass(frozen=True)
class VocabularyChoice:
    """The loss-minimising vocabulary for one budget."""

    vocab_size: float
    vocab_params: float
    tokens: float
    unigram_gain: float
    params: float
    embed_dim: float
    budget: str

    @property
    def loss_u(self) -> float:
        """The unigram-normalised loss, ``-unigram_gain``."""
        return -self.unigram_gain

    def _facts(self) -> list[tuple[str, str]]:
        return [("vocabulary size", readable(self.vocab_size, 4)),
                ("vocabulary parameters", readable(self.vocab_params)),
                ("non-vocabulary parameters", readable(self.params)),
                ("embedding width", readable(self.embed_dim, 5)),
                ("tokens", readable(self.tokens)),
                ("unigram-normalised loss", readable(self.loss_u, 4)),
                ("budget", self.budget)]

    def __str__(self) -> str:
        return "loss-minimising vocabulary\n" + text_pairs(self._facts())

    def _repr_html_(self) -> str:
        return html_pairs(self._facts(), caption="loss-minimising vocabulary")

    def to_dict(self) -> dict[str, Any]:
        return {"vocab_size": self.vocab_size, "vocab_params": self.vocab_params,
                "tokens": self.tokens, "unigram_gain": self.unigram_gain,
                "loss_u": self.loss_u, "params": self.params, "embed_dim": self.embed_dim,
                "budget": self.budget}


def optimal_vocabulary(fit: FitResult, *, params: float, flops: float | None = None,
                       characters: float | None = None,
                       embed_dim: float | None = None) -> VocabularyChoice:
    """The vocabulary size V maximising a fitted ``vocab`` law's unigram gain.

    Parameters
    ----------
    fit:
        A fit of the ``vocab`` law (inputs ``params``, ``vocab_params``, ``tokens``).
    params:
        Non-vocabulary parameters N_nv.
    flops, characters:
        The budget, exactly one: training FLOPs (tokens = flops / (6 (N_nv + V d))) or
        training characters (tokens = characters * f(V)).
    embed_dim:
        Embedding width d (N_v = V d); default: the paper's width for ``params``.

    Examples
    --------
    The paper's 3B model (N_nv = 2.87B, d = 3200) at 2.3e21 FLOPs gets about 42K
    entries under the paper's fit (it trained 43K).
    """
    law = fit.law
    needed = {"params", "vocab_params", "tokens"}
    if set(law.inputs.values()) != needed:
        raise QueryError(f"law '{law.name}' does not read params, vocab_params and tokens",
                         "optimal_vocabulary", "fit the catalog law 'vocab'")
    n_nv = _positive_arg(params, "params")
    if (flops is None) == (characters is None):
        raise OptionError("give exactly one budget, flops= or characters=",
                         "optimal_vocabulary", "e.g. optimal_vocabulary(fit, params=7e9, "
                         "flops=1e22)")
    width = embedding_width(n_nv) if embed_dim is None else _positive_arg(embed_dim, "embed_dim")
    if flops is not None:
        budget, amount = "flops", _positive_arg(flops, "flops")
    else:
        budget, amount = "characters", _positive_arg(characters, "characters")

    def gain(log_v: Array) -> Array:
        v = np.exp(log_v)
        tokens = (amount / (6.0 * (n_nv + v * width)) if budget == "flops"
                  else amount * tokens_per_character(v))
        with np.errstate(all="ignore"):
            out = law(fit.params, params=n_nv, vocab_params=v * width, tokens=tokens)
        return np.where(np.isfinite(out), out, -np.inf)

    # f(V) is fitted up to 200K entries: a characters budget is searched below that
    grid = np.linspace(_LOG_LO, _LOG_HI if budget == "flops" else math.log(_V_CAP), _GRID)
    values = gain(grid)
    best = int(np.argmax(values))
    if not np.isfinite(values[best]):
        raise QueryError("the law is not finite at any vocabulary size for this budget",
                         f"params={n_nv:g}, {budget}={amount:g}", "check the fit and budget")
    if best in (0, _GRID - 1):
        edge = "smallest" if best == 0 else "largest"
        raise QueryError(f"the gain is largest at the {edge} vocabulary searched "
                         f"({math.exp(grid[best]):.3g} entries): no interior optimum",
                         f"params={n_nv:g}, {budget}={amount:g}",
                         "check the budget (too small or too large for this model size)")
    log_v = golden_section(lambda x: -gain(x), grid[best - 1:best], grid[best + 1:best + 2])
    v = math.exp(float(log_v[0]))
    tokens = (amount / (6.0 * (n_nv + v * width)) if budget == "flops"
              else amount * float(tokens_per_character(v)))
    return VocabularyChoice(vocab_size=v, vocab_params=v * width, tokens=tokens,
                            unigram_gain=float(gain(np.array([math.log(v)]))[0]),
                            params=n_nv, embed_dim=width, budget=budget)



def _positive_arg(value: Any, name: str) -> float:
    return positive_number(value, name, f"give {name} to optimal_vocabulary as a positive number")
