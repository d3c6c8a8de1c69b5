"""Published transformer configurations, and building a :class:`Transformer` from keywords."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..exceptions import OptionError
from .checks import hint
from .counting import ParamCount
from .shape import Transformer

_LLAMA: dict[str, Any] = {"vocab": 32000, "gated": True, "norm": "rmsnorm", "n_ctx": 4096}
_GPT2: dict[str, Any] = {"vocab": 50257, "n_ctx": 1024, "tied": True, "bias": True,
                         "positional": "learned"}

#: published configurations, by name
PRESETS: dict[str, Transformer] = {
    "gpt2-124m": Transformer(n_layers=12, d_model=768, n_heads=12, **_GPT2),
    "gpt2-1.5b": Transformer(n_layers=48, d_model=1600, n_heads=25, **_GPT2),
    "llama2-7b": Transformer(n_layers=32, d_model=4096, n_heads=32, d_ff=11008, **_LLAMA),
    "llama2-13b": Transformer(n_layers=40, d_model=5120, n_heads=40, d_ff=13824, **_LLAMA),
    "llama2-70b": Transformer(n_layers=80, d_model=8192, n_heads=64, n_kv_heads=8, d_ff=28672,
                              **_LLAMA),
    "chinchilla-70b": Transformer(n_layers=80, d_model=8192, n_heads=64, vocab=32000,
                                  tied=True, norm="rmsnorm", positional="relative"),
    "mixtral-8x7b": Transformer(n_layers=32, d_model=4096, n_heads=32, n_kv_heads=8,
                                d_ff=14336, gated=True, n_experts=8, experts_active=2,
                                vocab=32000, n_ctx=32768, norm="rmsnorm"),
}

#: where each preset's shape is published
SOURCES: dict[str, str] = {
    "gpt2-124m": "Radford et al. 2019, GPT-2 (the released 'gpt2' checkpoint's config)",
    "gpt2-1.5b": "Radford et al. 2019, GPT-2, Table 2 (the released 'gpt2-xl' config)",
    "llama2-7b": "Touvron et al. 2023, Llama 2 (the released checkpoint's config)",
    "llama2-13b": "Touvron et al. 2023, Llama 2 (the released checkpoint's config)",
    "llama2-70b": "Touvron et al. 2023, Llama 2, GQA with 8 key-value heads (released config)",
    "chinchilla-70b": "Hoffmann et al. 2022, Table 4; Gopher's architecture (Rae et al. 2021): "
                      "RMSNorm, Transformer-XL relative positions",
    "mixtral-8x7b": "Jiang et al. 2024, Mixtral of Experts, Table 1",
}

_FIELDS = tuple(f.name for f in dataclasses.fields(Transformer))


def preset(name: str, **changes: Any) -> Transformer:
    """The published configuration ``name`` (see :data:`PRESETS`), with ``changes`` to its
    fields: ``preset("llama2-7b", n_ctx=8192)``."""
    return build(_named(name), changes)


def _named(name: str) -> Transformer:
    if name not in PRESETS:
        raise OptionError(f"unknown preset {name!r}", "argument 'preset'",
                          f"{hint(name, PRESETS)}use one of "
                          f"{', '.join(PRESETS)}")
    return PRESETS[name]


def build(base: Transformer | None, config: dict[str, Any]) -> Transformer:
    """``base`` with the fields of ``config`` changed, or a new shape from ``config``; an
    unknown or missing field is an :class:`~scalinglaws.OptionError`."""
    for key in config:
        if key not in _FIELDS:
            raise OptionError(f"a transformer has no field {key!r}", f"argument '{key}'",
                              f"{hint(key, _FIELDS)}use the fields of "
                              f"Transformer: {', '.join(_FIELDS)}")
    if base is not None:
        return dataclasses.replace(base, **config)
    missing = [k for k in ("n_layers", "d_model", "n_heads", "vocab") if k not in config]
    if missing:
        raise OptionError(f"a transformer needs {', '.join(missing)}",
                          f"argument '{missing[0]}'",
                          "give the layers, the width, the heads and the vocabulary size "
                          "(n_layers, d_model, n_heads, vocab), or a preset")
    return Transformer(**config)


def count(preset: str | None = None, **config: Any) -> ParamCount:
    """The parameters of the transformer that ``config`` describes (the fields of
    :class:`Transformer`), or of the preset with those changes:
    ``count(n_layers=12, d_model=768, n_heads=12, vocab=50257)``,
    ``count("llama2-70b")``."""
    return build(None if preset is None else _named(preset), config).params()
