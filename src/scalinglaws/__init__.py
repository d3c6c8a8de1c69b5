"""scalinglaws: fit, check and act on neural scaling laws.

The public surface is re-exported here. The heavy capability packages (``plan``,
``validate``, ``report``, ``uncertainty``) and the names from them load on first use, so that
``import scalinglaws`` and the command line start at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import laws as laws
from .common.version import __version__ as __version__
from .data import Dataset as Dataset
from .data import bundled as datasets
from .engine.diagnostics import Diagnostics as Diagnostics
from .exceptions import DataError as DataError
from .exceptions import FitError as FitError
from .exceptions import LawError as LawError
from .exceptions import OptionError as OptionError
from .exceptions import QueryError as QueryError
from .exceptions import ResultFileError as ResultFileError
from .exceptions import ScalingLawError as ScalingLawError
from .exceptions import ScalingLawWarning as ScalingLawWarning
from .fitting import FitOptions as FitOptions
from .fitting import FitResult as FitResult
from .fitting import FitStatus as FitStatus
from .fitting import Prediction as Prediction
from .fitting import SharedFit as SharedFit
from .fitting import Summary as Summary
from .fitting import fit as fit
from .fitting import load as load
from .fitting import load_fit as load_fit
from .fitting import load_shared_fit as load_shared_fit
from .laws.law import Law as Law
from .laws.parameter import Parameter as Parameter

if TYPE_CHECKING:
    from . import plan as plan
    from . import report as report
    from . import uncertainty as uncertainty
    from . import validate as validate
    from .plan.compare import compare as compare
    from .uncertainty.bootstrap import Bootstrap as Bootstrap
    from .uncertainty.profile import Profile as Profile


#: names loaded on first use: attribute -> (module, name in it; None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "plan": (".plan", None),
    "report": (".report", None),
    "uncertainty": (".uncertainty", None),
    "validate": (".validate", None),
    "compare": (".plan.compare", "compare"),
    "Bootstrap": (".uncertainty.bootstrap", "Bootstrap"),
    "Profile": (".uncertainty.profile", "Profile"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'scalinglaws' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = importlib.import_module(module, __name__)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Bootstrap",
    "DataError",
    "Dataset",
    "Diagnostics",
    "FitError",
    "FitOptions",
    "FitResult",
    "FitStatus",
    "Law",
    "LawError",
    "OptionError",
    "Parameter",
    "Prediction",
    "Profile",
    "QueryError",
    "ResultFileError",
    "ScalingLawError",
    "ScalingLawWarning",
    "SharedFit",
    "Summary",
    "__version__",
    "compare",
    "datasets",
    "fit",
    "laws",
    "load",
    "load_fit",
    "load_shared_fit",
    "plan",
    "report",
    "uncertainty",
    "validate",
]
