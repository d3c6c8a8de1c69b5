"""scalinglaws: fit, check and act on neural scaling laws.

The public surface is re-exported here and loads on first use (as in the Scientific Python
SPEC 1, lazy loading): ``import scalinglaws`` costs milliseconds, so the command line starts at
once, and ``sl.fit`` loads the engine the first time it is touched. ``from scalinglaws import
fit`` and ``dir(scalinglaws)`` work as with eager imports; type checkers read the imports
below ``TYPE_CHECKING``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common.lazy import lazy_names
from .common.version import __version__ as __version__
from .exceptions import DataError as DataError
from .exceptions import FitError as FitError
from .exceptions import LawError as LawError
from .exceptions import OptionError as OptionError
from .exceptions import QueryError as QueryError
from .exceptions import ResultFileError as ResultFileError
from .exceptions import ScalingLawError as ScalingLawError
from .exceptions import ScalingLawWarning as ScalingLawWarning

if TYPE_CHECKING:
    from . import arch as arch
    from . import data as data
    from . import finetune as finetune
    from . import fitting as fitting
    from . import inference as inference
    from . import laws as laws
    from . import ledger as ledger
    from . import mixing as mixing
    from . import observational as observational
    from . import plan as plan
    from . import report as report
    from . import study as study
    from . import time as time
    from . import uncertainty as uncertainty
    from . import validate as validate
    from .data import Dataset as Dataset
    from .data import bundled as datasets
    from .engine.diagnostics import Diagnostics as Diagnostics
    from .fitting import Calibration as Calibration
    from .fitting import FitOptions as FitOptions
    from .fitting import FitResult as FitResult
    from .fitting import FitStatus as FitStatus
    from .fitting import HyperparameterFit as HyperparameterFit
    from .fitting import Prediction as Prediction
    from .fitting import SharedFit as SharedFit
    from .fitting import Summary as Summary
    from .fitting import calibrate as calibrate
    from .fitting import fit as fit
    from .fitting import fit_each as fit_each
    from .fitting import fit_many as fit_many
    from .fitting import load as load
    from .fitting import load_fit as load_fit
    from .fitting import load_shared_fit as load_shared_fit
    from .laws.law import Law as Law
    from .laws.parameter import Parameter as Parameter
    from .plan import compare as compare
    from .uncertainty.bootstrap import Bootstrap as Bootstrap
    from .uncertainty.profile import Profile as Profile

#: public names loaded on first use: name -> (module, attribute; None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    **{pkg: (f".{pkg}", None) for pkg in (
        "arch", "data", "finetune", "fitting", "inference", "laws", "ledger", "mixing",
        "observational", "plan", "report", "study", "time", "uncertainty", "validate")},
    "Dataset": (".data", "Dataset"),
    "datasets": (".data.bundled", None),
    "Diagnostics": (".engine.diagnostics", "Diagnostics"),
    **{name: (".fitting", name) for name in (
        "Calibration", "FitOptions", "FitResult", "FitStatus", "HyperparameterFit",
        "Prediction", "SharedFit",
        "Summary", "calibrate", "fit", "fit_each", "fit_many", "load", "load_fit",
        "load_shared_fit")},
    "Law": (".laws.law", "Law"),
    "Parameter": (".laws.parameter", "Parameter"),
    "compare": (".plan", "compare"),
    "Bootstrap": (".uncertainty.bootstrap", "Bootstrap"),
    "Profile": (".uncertainty.profile", "Profile"),
}


__getattr__ = lazy_names(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Bootstrap", "Calibration", "DataError", "Dataset", "Diagnostics", "FitError", "FitOptions",
    "FitResult", "FitStatus", "HyperparameterFit", "Law", "LawError", "OptionError", "Parameter",
    "Prediction", "Profile", "QueryError", "ResultFileError", "ScalingLawError",
    "ScalingLawWarning", "SharedFit", "Summary", "__version__", "arch", "calibrate", "compare",
    "data", "datasets", "finetune", "fit", "fit_each", "fit_many", "fitting", "inference", "laws",
    "ledger", "load", "load_fit", "load_shared_fit", "mixing", "observational", "plan", "report",
    "study", "time", "uncertainty", "validate",
]
