"""Validation: backtests, law comparison, model selection and the extrapolation benchmark."""

from .backtesting import Backtest as Backtest
from .backtesting import backtest as backtest
from .benchmarking import benchmark as benchmark
from .compare import LawComparison as LawComparison
from .compare import compare_laws as compare_laws
from .selection import DEFAULT_CHOICES as DEFAULT_CHOICES
from .selection import Choice as Choice
from .selection import Selection as Selection
from .selection import select as select
from .split import RULES_HELP as RULES_HELP
from .split import Fold as Fold

#: the former name of :class:`LawComparison` (kept for code that imports it)
Comparison = LawComparison

__all__ = ["DEFAULT_CHOICES", "RULES_HELP", "Backtest", "Choice", "Comparison", "Fold",
           "LawComparison", "Selection", "backtest", "benchmark", "compare_laws", "select"]
