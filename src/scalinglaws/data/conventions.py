"""How a dataset's sizes were counted: model size with or without embeddings, data as tokens,
samples or steps, compute as k·N·D or from a column. A :class:`Convention` records it;
:func:`~scalinglaws.data.standardize` computes the roles in one convention and sets it on the
dataset, which shows it when printed and in every fit's summary (``docs/decisions.md``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..exceptions import OptionError

#: how ``params`` count a model: the convention asked for, or the column as it was
PARAMS_COUNTS = ("non-embedding", "with embeddings", "active", "as given")
#: how ``tokens`` were obtained
TOKENS_FROM = ("tokens", "samples × L", "steps × batch × L", "steps × batch tokens")
#: how ``flops`` were obtained
FLOPS_FROM = ("k·N·D", "column", "exact")


@dataclass(frozen=True)
class Convention:
    """How the ``params``, ``tokens`` and ``flops`` of a dataset were obtained.

    ``params`` is one of :data:`PARAMS_COUNTS` (None: the data have no model sizes), read
    from ``params_column`` times ``params_scale``, with ``embedding_column`` subtracted
    (``"non-embedding"``) or added (``"with embeddings"``) when one is named. ``tokens`` is
    one of :data:`TOKENS_FROM`, read from ``tokens_column`` (tokens, samples or steps) times
    ``tokens_scale``, then times ``seq_len`` (tokens per sequence) and ``batch_size``
    (sequences or tokens per step); either may be a number or the name of the column that
    holds it. ``flops`` is ``"k·N·D"`` (with ``flops_factor``) or ``"column"``
    (``flops_column`` times ``flops_scale``).

    >>> print(Convention(params="non-embedding", params_column="n_params",
    ...                  tokens="steps × batch × L", tokens_column="step", batch_size=512,
    ...                  seq_len=2048, flops="k·N·D", flops_factor=6).describe())
    ... # doctest: +NORMALIZE_WHITESPACE
    params: non-embedding (column n_params); tokens: steps (column step) × 512 sequences
    × 2,048 tokens; flops: 6·N·D
    """

    params: str | None = None
    params_column: str | None = None
    params_scale: float = 1.0
    embedding_column: str | None = None
    tokens: str | None = None
    tokens_column: str | None = None
    tokens_scale: float = 1.0
    seq_len: float | str | None = None
    batch_size: float | str | None = None
    flops: str | None = None
    flops_factor: float | None = None
    flops_column: str | None = None
    flops_scale: float = 1.0
    #: the shape columns params (and exact flops) were computed from (``sl.data.from_shapes``)
    shape_columns: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name, value, allowed in (("params", self.params, PARAMS_COUNTS),
                                     ("tokens", self.tokens, TOKENS_FROM),
                                     ("flops", self.flops, FLOPS_FROM)):
            if value is not None and value not in allowed:
                raise OptionError(f"unknown {name} convention {value!r}",
                                  f"Convention({name}=...)",
                                  "use one of " + ", ".join(map(repr, allowed)))

    def describe(self) -> str:
        """One short line: how params, tokens and flops were obtained (the roles the data
        have), e.g. ``params: as given (column Model Size (B) × 1e9); tokens: ...``."""
        parts = [self._params_text(), self._tokens_text(), self._flops_text()]
        return "; ".join(p for p in parts if p) or "no sizes"

    def __str__(self) -> str:
        return self.describe()

    # -- the three parts ----------------------------------------------------------------------
    def _params_text(self) -> str:
        if self.params is None:
            return ""
        if self.shape_columns:
            return f"params: {self.params} (from the shape: {', '.join(self.shape_columns)})"
        source = f"column {self.params_column}"
        if self.embedding_column is not None:
            sign = "−" if self.params == "non-embedding" else "+"
            source += f" {sign} column {self.embedding_column}"
            if self.params_scale != 1:
                source = f"({source})"
        return f"params: {self.params} ({scaled(source, self.params_scale)})"

    def _tokens_text(self) -> str:
        if self.tokens is None:
            return ""
        source = scaled(f"column {self.tokens_column}", self.tokens_scale)
        if self.tokens == "tokens":
            return f"tokens: tokens ({source})"
        counted = "samples" if self.tokens == "samples × L" else "steps"
        text = f"tokens: {counted} ({source})"
        if self.tokens == "steps × batch tokens":
            return f"{text} × {amount(self.batch_size)} tokens"
        if self.tokens == "steps × batch × L":
            text += f" × {amount(self.batch_size)} sequences"
        return f"{text} × {amount(self.seq_len)} tokens"

    def _flops_text(self) -> str:
        if self.flops is None:
            return ""
        if self.flops == "k·N·D":
            return f"flops: {amount(self.flops_factor)}·N·D"
        if self.flops == "exact":
            return "flops: every matrix product and the attention context, × 3 (training) × D"
        return f"flops: {scaled(f'column {self.flops_column}', self.flops_scale)}"


def scaled(source: str, scale: float) -> str:
    """``source`` times ``scale`` in words (the source alone for a scale of 1)."""
    return source if scale == 1 else f"{source} × {amount(scale)}"


def amount(value: float | str | None) -> str:
    """A number as people write one (``2,048``, ``1e21``, ``0.5``) or a column as ``column
    X``."""
    if value is None:
        return "?"
    if isinstance(value, str):
        return f"(column {value})"
    x = float(value)
    if x.is_integer() and abs(x) < 1e7:
        return f"{int(x):,}"
    exponent = round(math.log10(abs(x))) if x else 0
    if x == 10.0 ** exponent:
        return f"1e{exponent}"
    return f"{x:g}"
