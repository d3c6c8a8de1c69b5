"""Validation: backtests, law comparison, model selection and the extrapolation benchmark.
The names load on first use (the command line reads ``RULES_HELP`` and ``HOLDOUT_HELP`` from
:mod:`.rules` without loading the rest)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names
from .rules import HOLDOUT_HELP as HOLDOUT_HELP
from .rules import RULES_HELP as RULES_HELP

if TYPE_CHECKING:
    from .backtesting import Backtest as Backtest
    from .backtesting import backtest as backtest
    from .benchmarking import benchmark as benchmark
    from .candidates import DEFAULT_CHOICES as DEFAULT_CHOICES
    from .candidates import Choice as Choice
    from .candidates import grid as grid
    from .compare import LawComparison as Comparison
    from .compare import LawComparison as LawComparison
    from .compare import compare_laws as compare_laws
    from .selected import Selection as Selection
    from .selection import select as select
    from .split import Fold as Fold

__getattr__ = lazy_names(__name__, {
    "Backtest": ".backtesting", "backtest": ".backtesting", "benchmark": ".benchmarking",
    "LawComparison": ".compare", "Comparison": ".compare", "compare_laws": ".compare",
    "DEFAULT_CHOICES": ".candidates", "Choice": ".candidates", "grid": ".candidates",
    "Selection": ".selected", "select": ".selection",
    "Fold": ".split"})


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = ["DEFAULT_CHOICES", "HOLDOUT_HELP", "RULES_HELP", "Backtest", "Choice", "Comparison",
           "Fold", "LawComparison", "Selection", "backtest", "benchmark", "compare_laws", "grid",
           "select"]
