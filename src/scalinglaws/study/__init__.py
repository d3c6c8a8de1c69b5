"""Studies of estimation itself: many fits over subsets of runs to learn how small the models
may be and how much of training must be seen (``estimation_design``), and the choice of the next
runs that most narrow a forecast per unit of cost (``suggest_runs``, and ``replay`` of that
choice on a sweep already run). The names load on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names

if TYPE_CHECKING:
    from .design import estimation_design as estimation_design
    from .design_result import EstimationDesign as EstimationDesign
    from .replaying import Replay as Replay
    from .replaying import replay as replay
    from .suggest import suggest_runs as suggest_runs
    from .suggested import SuggestedRuns as SuggestedRuns

__getattr__ = lazy_names(__name__, {
    "estimation_design": ".design", "EstimationDesign": ".design_result",
    "suggest_runs": ".suggest", "SuggestedRuns": ".suggested", "replay": ".replaying",
    "Replay": ".replaying"})

__all__ = ["EstimationDesign", "Replay", "SuggestedRuns", "estimation_design", "replay",
           "suggest_runs"]
