"""One problem's fit for the many-fits paths, or the :class:`FitFailure` that says why it could
not be fitted (the rest of the problems are unaffected)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..exceptions import ScalingLawError
from .api import fit
from .result import FitResult


@dataclass(frozen=True)
class FitFailure:
    """The place of a problem whose fit raised: its index in the input, the error's class
    name and its message (``what — where. fix``)."""

    index: int
    error: str
    message: str

    @property
    def ok(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"problem {self.index}: {self.error}: {self.message}"


def fit_one(index: int, law: Any, data: Any,
            options: Mapping[str, Any]) -> FitResult | FitFailure:
    """One problem's fit, or its failure."""
    try:
        result = fit(law, data, **options)
    except ScalingLawError as exc:
        return FitFailure(index, type(exc).__name__, str(exc))
    except Exception as exc:  # anything else a user's problem provokes: kept, not fatal
        return FitFailure(index, type(exc).__name__, str(exc) or repr(exc))
    if not isinstance(result, FitResult):
        return FitFailure(index, "OptionError", "fit_many takes single fits: this problem's "
                          "options ask for a joint fit (by=) or the step law; fit it with "
                          "sl.fit")
    return result
