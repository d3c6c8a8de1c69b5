"""Uncertainty: the batched bootstrap, profile likelihood and delta-method intervals, built on
the engine's primitives. ``Bootstrap`` and ``Profile`` (and scipy.stats with them) load on first
use, so that a fit record that merely names the protocol of this package stays light."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names

if TYPE_CHECKING:
    from .bootstrap import Bootstrap as Bootstrap
    from .profile import Profile as Profile

_LAZY = {"Bootstrap": ".bootstrap", "Profile": ".profile"}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = ["Bootstrap", "Profile"]
