"""What one training step of a transformer costs: its FLOPs (every matrix product, from
:mod:`scalinglaws.arch`) and the bytes it moves through memory, from the model's shape, the
batch size and the sequence length.

FLOPs per step: ``flops_per_token(training=True)`` (three forward passes' worth: the backward
pass costs two) times the tokens of the step, ``batch_size x seq_len``, with the attention's
context term at ``n_ctx = seq_len``.

Bytes moved per step, a first-order model of memory traffic in mixed-precision training with
Adam (Inbar & Sernau 2024, "Time Matters: Scaling Laws for Any Budget", arXiv:2406.18922,
estimate step time from memory copies rather than FLOPs):

- the parameters: :data:`PARAM_BYTES` = 36 bytes each per step: bf16 weights read in the
  forward and the backward pass (2 + 2), fp32 gradients written and read (4 + 4), fp32 master
  weights and two Adam moments read and written (3 x 4 x 2);
- the activations: :data:`ACTIVATION_BYTES` = 68 bytes per token, layer and unit of width:
  the 34·s·b·h bytes a layer stores in 16-bit training without the attention matrix
  (Korthikanti et al. 2022, arXiv:2205.05198, Sec. 4.1; a fused attention kernel keeps the
  s² scores on chip), written in the forward pass and read in the backward pass;
- the logits: :data:`LOGIT_BYTES` = 8 bytes per token and vocabulary entry (fp32, written
  and read once).

The fitted coefficient of the memory term (:func:`scalinglaws.time.fit_throughput`) absorbs
the overall scale of these counts; their proportions are what the model assumes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..arch import Transformer

PARAM_BYTES = 36.0
ACTIVATION_BYTES = 68.0
LOGIT_BYTES = 8.0

#: the shape columns a table of measured steps may carry (the first four are required)
SHAPE_COLUMNS = ("n_layers", "d_model", "n_heads", "vocab", "n_kv_heads", "d_ff", "gated",
                 "tied", "n_experts", "experts_active", "bias", "norm", "positional")
REQUIRED_SHAPE = SHAPE_COLUMNS[:4]


def step_flops(shape: Transformer, batch_size: float, seq_len: float) -> float:
    """Training FLOPs of one step of ``batch_size`` sequences of ``seq_len`` tokens."""
    return shape.flops_per_token(training=True) * batch_size * seq_len


def step_bytes(shape: Transformer, batch_size: float, seq_len: float) -> float:
    """Bytes moved through memory by one training step (the model above)."""
    tokens = batch_size * seq_len
    params = float(shape.params().total)
    activations = tokens * shape.n_layers * shape.d_model * ACTIVATION_BYTES
    logits = tokens * shape.vocab * LOGIT_BYTES
    return params * PARAM_BYTES + activations + logits


def with_context(shape: Transformer, seq_len: int) -> Transformer:
    """``shape`` with its context length set to the step's sequence length."""
    if shape.n_ctx == seq_len:
        return shape
    return Transformer(**{**shape.to_dict(), "n_ctx": int(seq_len)})


def step_costs(shapes: Iterable[Transformer], batch_size: Any,
               seq_len: Any) -> tuple[np.ndarray, np.ndarray]:
    """FLOPs and bytes of one step for each shape (``batch_size`` and ``seq_len`` scalars or
    one per shape)."""
    shapes = list(shapes)
    b = np.broadcast_to(np.asarray(batch_size, dtype=float), (len(shapes),))
    s = np.broadcast_to(np.asarray(seq_len, dtype=float), (len(shapes),))
    flops, moved = np.empty(len(shapes)), np.empty(len(shapes))
    for i, (shape, bi, si) in enumerate(zip(shapes, b, s, strict=True)):
        sized = with_context(shape, int(si))
        flops[i], moved[i] = step_flops(sized, bi, si), step_bytes(sized, bi, si)
    return flops, moved


def shape_of_row(row: Mapping[str, Any], seq_len: int) -> Transformer:
    """The transformer a row of measurements describes (the optional columns when present
    and not empty; ``n_ctx`` is the row's sequence length)."""
    given: dict[str, Any] = {}
    for name in SHAPE_COLUMNS:
        value = row.get(name)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        if name in ("gated", "tied", "bias"):
            given[name] = _flag(value)
        elif name in ("norm", "positional"):
            given[name] = str(value)
        else:
            given[name] = int(value) if float(value) == int(value) else value
    return Transformer(**given, n_ctx=int(seq_len))


def _flag(value: Any) -> Any:
    if isinstance(value, str):
        low = value.strip().lower()
        return {"true": True, "1": True, "yes": True, "false": False, "0": False,
                "no": False}.get(low, value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    return value
