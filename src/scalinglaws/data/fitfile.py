"""Reading saved fits (JSON only: reading a fit never executes code)."""

from __future__ import annotations

from typing import Any

from ..fit.result import FitResult
from .files import read_json


def load_fit(path: Any) -> FitResult:
    """Read a fit written by :meth:`FitResult.save` (or ``scalinglaws fit --out``)."""
    return FitResult.from_dict(read_json(path))
