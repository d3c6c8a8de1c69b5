"""A transformer's shape: :class:`Transformer`, whose parameters and FLOPs per token are
counted by :mod:`.counting`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from . import checks, counting
from .counting import ParamCount

#: the MLP width of a gated layer is rounded up to a multiple of this (LLaMA's rule)
GATED_MULTIPLE = 256


@dataclass(frozen=True)
class Transformer:
    """A decoder-only transformer, described by its shape; checked on construction.

    Defaults: ``n_kv_heads`` None is multi-head attention (as many key-value heads as heads);
    ``d_ff`` None is ``4 d_model``, or for a gated MLP (SwiGLU, GeGLU) two thirds of that
    rounded up to a multiple of 256, as LLaMA does (11008 for ``d_model`` 4096), which keeps the
    MLP at about ``8 d_model²`` parameters either way. ``positional``: "rotary" (no parameters;
    also stands for ALiBi or none), "learned" (``n_ctx x d_model``) or "relative" (the
    Transformer-XL encoding of Gopher and Chinchilla: a ``d_model x d_model`` projection of the
    positions per layer). ``norm``: "layernorm" (a weight and a bias per unit) or "rmsnorm" (a
    weight), two per layer and a final one.

    >>> t = Transformer(n_layers=12, d_model=768, n_heads=12, vocab=50257, n_ctx=1024,
    ...                 tied=True, bias=True, positional="learned")
    >>> t.params().total
    124439808
    """

    n_layers: int
    d_model: int
    n_heads: int
    vocab: int
    n_kv_heads: int | None = None
    d_ff: int | None = None
    gated: bool = False
    tied: bool = False
    n_experts: int = 1
    experts_active: int = 1
    n_ctx: int = 2048
    bias: bool = False
    norm: str = "layernorm"
    positional: str = "rotary"

    def __post_init__(self) -> None:
        for name, value in checks.normalised(self).items():
            object.__setattr__(self, name, value)
        self.validate()

    def validate(self) -> None:
        """Refuse a shape no transformer has (an :class:`~scalinglaws.OptionError` naming the
        argument and what would do)."""
        checks.check(self)

    # -- the defaults, resolved ------------------------------------------------------------------
    @property
    def kv_heads(self) -> int:
        """The number of key-value heads (``n_heads`` unless ``n_kv_heads`` is given)."""
        return self.n_heads if self.n_kv_heads is None else self.n_kv_heads

    @property
    def head_dim(self) -> int:
        """The size of one head: ``d_model / n_heads``."""
        return self.d_model // self.n_heads

    @property
    def kv_dim(self) -> int:
        """The width of the keys (and of the values): ``kv_heads x head_dim``."""
        return self.kv_heads * self.head_dim

    @property
    def ff_dim(self) -> int:
        """The MLP's hidden width: ``d_ff``, or its default (see the class)."""
        if self.d_ff is not None:
            return self.d_ff
        if not self.gated:
            return 4 * self.d_model
        return -(-8 * self.d_model // (3 * GATED_MULTIPLE)) * GATED_MULTIPLE

    # -- counts ----------------------------------------------------------------------------------
    def params(self) -> ParamCount:
        """The parameters: total, non-embedding, embedding, and active per token."""
        return counting.params(self)

    def flops_per_token(self, *, training: bool = True, attention: bool = True,
                        exact: bool = True) -> float:
        """FLOPs per token.

        ``exact``: 2 per multiply-add of every matrix product (query, key, value and output
        projections, the MLP of the active experts, the router, the unembedding) plus, with
        ``attention``, the scores and weighted values (Kaplan's ``2 n_layers n_ctx d_model``).
        Not exact: ``2 N`` with N the active non-embedding parameters (``attention`` is then
        ignored: the approximation leaves the context out). ``training``: three times the
        forward pass (the backward pass costs two).
        """
        return counting.flops_per_token(self, training=training, attention=attention,
                                        exact=exact)

    def param_terms(self) -> dict[str, int]:
        """The parameters by part: embedding, unembedding, positional, attention, relative,
        mlp (every expert), router, norms."""
        return counting.param_terms(self)

    def flops_terms(self, *, attention: bool = True) -> dict[str, int]:
        """The forward FLOPs per token by part: qkv, attn_out, relative, mlp, router,
        unembedding, attention (the context term)."""
        return counting.flops_terms(self, attention=attention)

    def to_dict(self) -> dict[str, Any]:
        """The shape as given (``None`` for a default), as JSON-ready values."""
        return asdict(self)
