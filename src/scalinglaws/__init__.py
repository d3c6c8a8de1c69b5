"""scalinglaws: fit, check and act on neural scaling laws."""

from . import laws as laws
from . import plan as plan
from . import report as report
from . import validate as validate
from .data import Dataset as Dataset
from .data import bundled as datasets
from .data.fitfile import load_fit as load_fit
from .data.fitfile import load_shared_fit as load_shared_fit
from .exceptions import (
    DataError as DataError,
)
from .exceptions import (
    FitError as FitError,
)
from .exceptions import (
    LawError as LawError,
)
from .exceptions import (
    OptionError as OptionError,
)
from .exceptions import (
    QueryError as QueryError,
)
from .exceptions import (
    ResultFileError as ResultFileError,
)
from .exceptions import (
    ScalingLawError as ScalingLawError,
)
from .exceptions import (
    ScalingLawWarning as ScalingLawWarning,
)
from .fit import FitResult as FitResult
from .fit import FitStatus as FitStatus
from .fit import SharedFit as SharedFit
from .fit import fit as fit
from .fit.diagnostics import Diagnostics as Diagnostics
from .laws.law import Law as Law
from .laws.parameter import Parameter as Parameter
from .plan.compare import compare as compare
from .uncertainty.bootstrap import Bootstrap as Bootstrap
from .uncertainty.profile import Profile as Profile

__version__ = "0.1.0"

__all__ = [
    "Bootstrap",
    "DataError",
    "Dataset",
    "Diagnostics",
    "FitError",
    "FitResult",
    "FitStatus",
    "Law",
    "LawError",
    "OptionError",
    "Parameter",
    "Profile",
    "QueryError",
    "ResultFileError",
    "ScalingLawError",
    "ScalingLawWarning",
    "SharedFit",
    "__version__",
    "compare",
    "datasets",
    "fit",
    "laws",
    "load_fit",
    "load_shared_fit",
    "plan",
    "report",
    "validate",
]
