"""Validation: backtests, law comparison, model selection and the extrapolation benchmark."""

from .backtest import Backtest as Backtest
from .backtest import backtest as backtest
from .benchmark import benchmark as benchmark
from .compare import Comparison as Comparison
from .compare import compare_laws as compare_laws
from .select import DEFAULT_CHOICES as DEFAULT_CHOICES
from .select import Choice as Choice
from .select import Selection as Selection
from .select import select as select
from .split import RULES_HELP as RULES_HELP
from .split import Fold as Fold

__all__ = ["DEFAULT_CHOICES", "RULES_HELP", "Backtest", "Choice", "Comparison", "Fold",
           "Selection", "backtest", "benchmark", "compare_laws", "select"]
