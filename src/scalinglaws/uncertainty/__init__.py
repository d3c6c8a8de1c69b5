"""Uncertainty: the batched bootstrap, profile likelihood and delta-method intervals, built on
the engine's primitives. ``Bootstrap`` and ``Profile`` (and scipy.stats with them) load on first
use, so that a fit record that merely names the protocol of this package stays light."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bootstrap import Bootstrap as Bootstrap
    from .profile import Profile as Profile

_LAZY = {"Bootstrap": ".bootstrap", "Profile": ".profile"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'scalinglaws.uncertainty' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = ["Bootstrap", "Profile"]
