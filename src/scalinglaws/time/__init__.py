"""Wall-clock budgets: step time from a model's shape and batch by a FLOP plus memory-traffic
cost model fitted on measured step times, and compute-optimal plans for a budget in hours. The
names load on first use."""

from __future__ import annotations

__all__: list[str] = []
