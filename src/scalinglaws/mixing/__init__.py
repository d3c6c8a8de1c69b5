"""Data mixtures: per-domain mixing laws (Ye et al. 2024), the nested small-to-large pipeline
and the mixture optimiser. The names load on first use."""

from __future__ import annotations

__all__: list[str] = []
