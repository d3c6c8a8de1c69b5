"""What the counts and checks read of a shape: the fields and resolved defaults of
:class:`~scalinglaws.arch.Transformer`, as a protocol (so that they need not import it)."""

from __future__ import annotations

from typing import Protocol


class Shape(Protocol):
    """A transformer's shape (see :class:`~scalinglaws.arch.Transformer`); read-only, as
    the frozen dataclass's fields are."""

    @property
    def n_layers(self) -> int: ...

    @property
    def d_model(self) -> int: ...

    @property
    def n_heads(self) -> int: ...

    @property
    def vocab(self) -> int: ...

    @property
    def n_kv_heads(self) -> int | None: ...

    @property
    def d_ff(self) -> int | None: ...

    @property
    def gated(self) -> bool: ...

    @property
    def tied(self) -> bool: ...

    @property
    def n_experts(self) -> int: ...

    @property
    def experts_active(self) -> int: ...

    @property
    def n_ctx(self) -> int: ...

    @property
    def bias(self) -> bool: ...

    @property
    def norm(self) -> str: ...

    @property
    def positional(self) -> str: ...

    @property
    def kv_dim(self) -> int: ...

    @property
    def ff_dim(self) -> int: ...
