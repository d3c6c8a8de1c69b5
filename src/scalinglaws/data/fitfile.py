"""Reading saved fits (JSON only: reading a fit never executes code)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import ResultFileError
from ..fit.result import FitResult
from ..fit.shared import SCHEMA as SHARED_SCHEMA
from ..fit.shared import SharedFit
from .files import read_json


def load_fit(path: Any, group: str | None = None) -> FitResult:
    """Read a fit written by :meth:`FitResult.save` (or ``scalinglaws fit --out``).

    For a joint fit across groups (:meth:`SharedFit.save`), ``group`` picks the group whose
    fit to return; :func:`load_shared_fit` reads the whole joint fit.
    """
    record = read_json(path)
    if _is_shared(record):
        shared = SharedFit.from_dict(record)
        if group is None:
            raise ResultFileError(
                f"{path} holds a joint fit across the groups of '{shared.by}'",
                f"groups: {', '.join(shared.groups)}",
                "pick one with group=... (CLI: --group), or read it with sl.load_shared_fit")
        return shared.for_group(group)
    if group is not None:
        raise ResultFileError(f"{path} holds the fit of one data set, not of groups",
                              "argument 'group'", "drop group= (CLI: --group)")
    return FitResult.from_dict(record)


def load_shared_fit(path: Any) -> SharedFit:
    """Read a joint fit across groups written by :meth:`SharedFit.save`."""
    return SharedFit.from_dict(read_json(path))


def is_shared_file(path: Any) -> bool:
    return _is_shared(read_json(path))


def _is_shared(record: Any) -> bool:
    return isinstance(record, Mapping) and record.get("schema") == SHARED_SCHEMA
