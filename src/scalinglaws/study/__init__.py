"""Studies of estimation itself: many fits over subsets of runs to learn how small the models
may be and how much of training must be seen (``estimation_design``), and the choice of the next
runs that most narrow a forecast per unit of cost (``suggest_runs``). The names load on first
use."""

from __future__ import annotations

__all__: list[str] = []
