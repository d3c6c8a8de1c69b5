"""Estimators of pass rates from sampled answers: the unbiased pass@k of Chen et al. (2021),
stable for tens of thousands of samples, PassUntil (Hu et al. 2024) for pass rates too
small for a fixed budget of samples, and coverage curves over problems (Brown et al. 2024)."""

from .coverage import coverage_curve as coverage_curve
from .passk import PassRate as PassRate
from .passk import pass_at_k as pass_at_k
from .passk import pass_until as pass_until
