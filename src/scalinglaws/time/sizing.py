"""The shapes a wall-clock plan chooses among: one family of transformers of a fixed aspect
ratio, one shape per width.

A plan prices a model in seconds per step, and the step time depends on the shape, not only
on the parameter count (Inbar & Sernau 2024, arXiv:2406.18922: wide models run faster per
parameter than deep ones). The family holds every width ``d_model`` that is a multiple of
``head_dim`` up to ``max_width``, with ``n_layers = round(d_model / aspect)`` (at least 1)
and ``n_heads = d_model / head_dim``; neighbouring shapes differ by a few percent in
parameters, so the plan's optimum is the best shape of the family rather than a continuous N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arch import Transformer
from ..common.checks import integer_at_least, positive_number


@dataclass(frozen=True)
class ShapeFamily:
    """Transformers of width/depth ratio ``aspect`` (the other fields as given)."""

    aspect: float = 128.0
    head_dim: int = 128
    vocab: int = 32000
    gated: bool = False
    max_width: int = 65536

    def __post_init__(self) -> None:
        positive_number(self.aspect, "aspect", "give the width/depth ratio d_model/n_layers, "
                        "e.g. 128")
        integer_at_least(self.head_dim, "head_dim", 1, "e.g. 128")
        integer_at_least(self.vocab, "vocab", 1, "e.g. 32000")
        integer_at_least(self.max_width, "max_width", self.head_dim, "e.g. 65536")

    def shapes(self, seq_len: int) -> list[Transformer]:
        """Every shape of the family, narrowest first (context ``seq_len``)."""
        widths = np.arange(self.head_dim, self.max_width + 1, self.head_dim)
        return [Transformer(n_layers=max(1, int(np.rint(d / self.aspect))), d_model=int(d),
                            n_heads=int(d) // self.head_dim, vocab=self.vocab,
                            gated=self.gated, n_ctx=int(seq_len)) for d in widths]
