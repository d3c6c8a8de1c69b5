"""What a catalog law documents besides its formula: published parameter values, the input
ranges it is meant for, and an optional data-driven first guess. Checked on construction."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..exceptions import LawError
from .parameter import Parameter

#: input ranges of typical LLM training runs, for inputs that read these columns
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "params": (1e7, 1e11), "tokens": (1e8, 1e12), "flops": (1e17, 1e24),
    # shape: model width (d_model), layers, feed-forward (MLP) width
    "width": (256.0, 4096.0), "depth": (4.0, 64.0), "mlp_dim": (1024.0, 16384.0),
    # fraction of weights set to zero, in [0, 1)
    "sparsity": (0.0, 0.9375),
    # encoder-decoder parameter counts (non-embedding)
    "encoder_params": (1e7, 3e9), "decoder_params": (1e7, 3e9),
    # upcycling: tokens of the dense run, then of the mixture-of-experts run started from it
    "dense_tokens": (1e9, 1e12), "upcycled_tokens": (1e9, 1e12),
    # learning-rate areas of a run (raw rates ~1e-4 to 1e-3; data.schedule.schedule_areas)
    "lr_area": (0.2, 50.0), "anneal_area": (0.0, 1.0),
    # post-training: fine-tuning examples, sqrt(KL) of a tuned policy, samples at inference
    "examples": (2e2, 1e6), "kl_distance": (0.1, 2.5), "samples": (1.0, 1e4),
    # forgetting: parameters fine-tuned (LoRA ranks 1-256 on a 7B model) and update steps
    "ft_params": (1e5, 1e8), "ft_steps": (1.0, 1e4),
    # repeated data: unique tokens of a corpus; a corpus's share of a two-corpus mixture
    "unique_tokens": (1e8, 1e11), "domain_ratio": (0.0, 1.0), "general_ratio": (0.0, 1.0),
}

#: ``guess(X, y)``: inputs as (1, n) arrays and the target (n,) -> starting rows (K, p) in
#: natural units, tried besides the grid's starts
Guess = Callable[[Sequence[np.ndarray], np.ndarray], np.ndarray]

#: ``finder(name, expression)``: the guess of the catalog law of that name and expression.
#: The catalog (above :class:`~scalinglaws.laws.Law`) installs it when it is imported.
GuessFinder = Callable[[str, Any], Guess | None]
_guess_finder: GuessFinder | None = None


def set_guess_finder(finder: GuessFinder) -> None:
    """Install how a saved law finds the guess of the catalog law it came from."""
    global _guess_finder
    _guess_finder = finder


def catalog_guess(name: str, expression: Any) -> Guess | None:
    """The guess of the catalog law a saved law came from (same name and expression), or
    None (also when no catalog is installed)."""
    return None if _guess_finder is None else _guess_finder(name, expression)


def checked_reference(law_name: str, parameters: Sequence[Parameter],
                      reference: Mapping[str, Any] | None) -> dict[str, float]:
    """Published values: every key a parameter, every value finite (not checked against the
    bounds: a user may narrow them on a copy of the law)."""
    if not reference:
        return {}
    by_name = {p.name: p for p in parameters}
    out: dict[str, float] = {}
    for name, value in reference.items():
        if name not in by_name:
            raise LawError(f"reference value for '{name}', which is not a parameter",
                           f"law '{law_name}'", f"use {', '.join(by_name)}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise LawError(f"reference value {value!r} of '{name}' is not a number",
                           f"law '{law_name}'", "give a number") from None
        if not math.isfinite(v):
            raise LawError(f"reference value {v:g} of '{name}' is not finite",
                           f"law '{law_name}'", "give a finite number")
        out[name] = v
    missing = [p for p in by_name if p not in out]
    if missing:
        raise LawError(f"reference values miss {', '.join(missing)}", f"law '{law_name}'",
                       "give a value for every parameter, or none")
    return {p.name: out[p.name] for p in parameters}


def checked_ranges(law_name: str, inputs: Mapping[str, str | None],
                   ranges: Mapping[str, Any] | None) -> dict[str, tuple[float, float]]:
    """Input ranges by input symbol: finite low < high."""
    out: dict[str, tuple[float, float]] = {}
    for sym, pair in (ranges or {}).items():
        if sym not in inputs:
            raise LawError(f"range given for '{sym}', which is not an input",
                           f"law '{law_name}'", f"use {', '.join(inputs)}")
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise LawError(f"range {pair!r} of '{sym}' is not a pair of numbers",
                           f"law '{law_name}'", "give (low, high)") from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise LawError(f"range ({low:g}, {high:g}) of '{sym}' is not an interval",
                           f"law '{law_name}'", "give finite low < high")
        out[sym] = (low, high)
    return out


def input_ranges(inputs: Mapping[str, str | None],
                 ranges: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Ranges of every input: the law's own, else the default for the column it reads."""
    out = {}
    for sym, col in inputs.items():
        if sym in ranges:
            out[sym] = ranges[sym]
        elif col in DEFAULT_RANGES:
            out[sym] = DEFAULT_RANGES[str(col)]
    return out
