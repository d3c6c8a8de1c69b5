"""The checks of a :class:`~scalinglaws.arch.Transformer`'s shape: each refusal an
:class:`~scalinglaws.OptionError` saying what is wrong, which argument, and what would do."""

from __future__ import annotations

import numbers
from typing import Any

from ..common.names import did_you_mean
from ..exceptions import OptionError
from .fields import Shape

#: the normalisation layers: parameters per unit of width (a weight, and a bias for LayerNorm)
NORMS = {"layernorm": 2, "rmsnorm": 1}
#: the position encodings: "rotary" stands for any scheme without parameters (RoPE, ALiBi, none)
POSITIONALS = ("rotary", "learned", "relative")

#: the integer fields that must be at least 1, and those that may be None (a default)
COUNTS = ("n_layers", "d_model", "n_heads", "vocab", "n_experts", "experts_active", "n_ctx")
OPTIONAL_COUNTS = ("n_kv_heads", "d_ff")
FLAGS = ("gated", "tied", "bias")


def normalised(shape: Shape) -> dict[str, Any]:
    """The fields whose value must change form (numpy integers as ``int``), checked: a count
    that is not a positive integer, or a flag that is not a bool, is refused."""
    changes: dict[str, Any] = {}
    for name in (*COUNTS, *OPTIONAL_COUNTS):
        value = getattr(shape, name)
        if value is None and name in OPTIONAL_COUNTS:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            fix = ("leave it out (None) for the default, or give " if name in OPTIONAL_COUNTS
                   else "give ")
            raise OptionError(f"{name} must be a positive integer, got {value!r}",
                              f"argument '{name}'", fix + "a whole number such as 8")
        if type(value) is not int:
            changes[name] = int(value)
    for name in FLAGS:
        value = getattr(shape, name)
        if not isinstance(value, bool):
            raise OptionError(f"{name} must be True or False, got {value!r}",
                              f"argument '{name}'", f"pass {name}=True or {name}=False")
    return changes


def check(shape: Shape) -> None:
    """Refuse a shape no transformer has: heads that do not divide the width, key-value heads
    that do not divide the heads, more active experts than experts, an unknown norm or
    position encoding."""
    _check_heads(shape.d_model, shape.n_heads)
    if shape.n_kv_heads is not None and shape.n_heads % shape.n_kv_heads:
        near = _nearest_divisors(shape.n_heads, shape.n_kv_heads)
        raise OptionError(
            f"{shape.n_heads} attention heads cannot share {shape.n_kv_heads} key-value heads "
            f"evenly ({shape.n_heads} is not a multiple of {shape.n_kv_heads})",
            "argument 'n_kv_heads'",
            f"use {_either(near)} key-value heads (a divisor of the {shape.n_heads} heads; 1 is "
            f"multi-query attention, {shape.n_heads} multi-head)")
    if shape.experts_active > shape.n_experts:
        raise OptionError(
            f"each token cannot use {shape.experts_active} experts of {shape.n_experts}",
            "argument 'experts_active'",
            f"use at most {shape.n_experts} active experts per token, or more experts")
    if shape.norm not in NORMS:
        raise OptionError(
            f"unknown norm {shape.norm!r}", "argument 'norm'",
            f"{hint(shape.norm, NORMS)}use one of {_listing(NORMS)}")
    if shape.positional not in POSITIONALS:
        raise OptionError(
            f"unknown positional encoding {shape.positional!r}", "argument 'positional'",
            f"{hint(shape.positional, POSITIONALS)}use one of "
            f"{_listing(POSITIONALS)} ('rotary' for any scheme without parameters: RoPE, "
            "ALiBi, none)")


def _check_heads(d_model: int, n_heads: int) -> None:
    if d_model % n_heads == 0:
        return
    heads = _nearest_divisors(d_model, n_heads)
    widths = sorted({max(n_heads, d_model - d_model % n_heads),
                     d_model + n_heads - d_model % n_heads})
    sizes = " or ".join(f"{h} (head size {d_model // h})" for h in heads)
    raise OptionError(
        f"a width of {d_model} cannot be split into {n_heads} heads ({d_model} is not a "
        f"multiple of {n_heads})", "argument 'n_heads'",
        f"use {sizes} heads, or a width that {n_heads} divides ({_either(widths)})")


def _nearest_divisors(n: int, near: int) -> list[int]:
    """The divisors of ``n`` next to ``near``: the largest below it and the smallest above."""
    small = [k for k in range(1, int(n**0.5) + 1) if n % k == 0]
    divisors = sorted({*small, *(n // k for k in small)})
    below = [k for k in divisors if k < near]
    above = [k for k in divisors if k > near]
    return ([below[-1]] if below else []) + ([above[0]] if above else [])


def hint(name: object, known: Any) -> str:
    """``"did you mean 'x'? Otherwise "`` for a name close to a known one, or nothing."""
    found = did_you_mean(str(name), known)
    return f"{found}Otherwise " if found else ""


def _either(values: list[int]) -> str:
    return " or ".join(str(v) for v in values)


def _listing(names: Any) -> str:
    return ", ".join(repr(n) for n in names)
