"""Diagnostics of a fit and of its data: residual trends, non-monotone data, extrapolation.

Every function here is pure numpy/scipy, quiet (no numpy warnings) and returns findings rather
than warning itself; the caller decides how to surface them.

- :func:`residual_trend` — do the log residuals still vary systematically with an input?
  (a law that misses a break or a term leaves a curved residual pattern)
- :func:`monotonicity` — are the data themselves U-shaped or increasing in an input, so that
  no monotone decreasing power law can follow them?
- :func:`extrapolation` — how far beyond the fitted data does a query lie? (a message;
  :func:`extrapolation_factor` gives the factor of every point)
- :func:`points_per_parameter` — are there enough points for the number of free parameters?

:class:`Diagnostics` gathers the findings of one fit (the fit engine builds it for every
:class:`~scalinglaws.FitResult`).
"""

# Split by idea: trend (residual_trend, Trend), shape (monotonicity, Shape), checks
# (extrapolation, points_per_parameter), record (Diagnostics, flat_message); common (p-value
# text, length checks) and leastsq (small regressions and their t-tests) hold what they share.

from .checks import extrapolation as extrapolation
from .checks import extrapolation_factor as extrapolation_factor
from .checks import points_per_parameter as points_per_parameter
from .checks import repeated_inputs as repeated_inputs
from .common import Array as Array
from .record import MIN_POINTS_PER_PARAMETER as MIN_POINTS_PER_PARAMETER
from .record import SPREAD_TOL as SPREAD_TOL
from .record import Diagnostics as Diagnostics
from .record import flat_message as flat_message
from .shape import SHAPE_ALPHA as SHAPE_ALPHA
from .shape import SHAPE_CENTRAL as SHAPE_CENTRAL
from .shape import Shape as Shape
from .shape import monotonicity as monotonicity
from .trend import TREND_MIN_RANGE as TREND_MIN_RANGE
from .trend import Trend as Trend
from .trend import residual_trend as residual_trend
