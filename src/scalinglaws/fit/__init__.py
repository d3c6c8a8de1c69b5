"""The fit engine: objectives, batched optimiser, multi-start, and ``fit()``."""

from .api import fit as fit
from .result import FitResult as FitResult
from .result import FitStatus as FitStatus
from .shared import SharedFit as SharedFit
