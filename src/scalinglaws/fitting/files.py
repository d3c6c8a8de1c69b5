"""Reading saved fits (JSON only: reading a fit never executes code): :func:`load` reads any
file the project writes for a fit (``FitResult.save``, ``SharedFit.save``, ``scalinglaws fit
--out``, ``select --out``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..data.files import read_json
from ..exceptions import ResultFileError
from .hyperparams import SCHEMA as HYPER_SCHEMA
from .hyperparams import HyperparameterFit
from .result import FitResult
from .shared import SCHEMA as SHARED_SCHEMA
from .shared import SharedFit


def load(path: Any, group: str | None = None) -> FitResult | SharedFit | HyperparameterFit:
    """Read a saved fit: a :class:`~scalinglaws.FitResult`, or for a joint fit across groups a
    :class:`~scalinglaws.SharedFit` (with ``group=``, that group's fit), or for a
    hyper-parameter law (``sl.fit("step_law", ...)``) a :class:`HyperparameterFit`.

    Examples
    --------
    >>> import scalinglaws as sl, tempfile, pathlib
    >>> f = sl.fit("E + A*C**(-alpha)", sl.datasets.load("chinchilla"))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fit.json"
    >>> f.save(path)
    >>> sl.load(path).params == f.params
    True
    """
    if Path(path).is_dir():
        raise ResultFileError(f"{path} is a folder, not a fit file", f"path {path}",
                              "give a JSON file written by scalinglaws fit --out")
    record = read_json(path)
    if isinstance(record, Mapping) and record.get("schema") == HYPER_SCHEMA:
        return HyperparameterFit.from_dict(record)
    if _is_shared(record) and group is None:
        return SharedFit.from_dict(record)
    return _fit_from_record(record, path, group)


def load_fit(path: Any, group: str | None = None) -> FitResult:
    """Read a fit written by :meth:`FitResult.save` (or ``scalinglaws fit --out``).

    For a joint fit across groups (:meth:`SharedFit.save`), ``group`` picks the group whose
    fit to return; :func:`load_shared_fit` reads the whole joint fit.
    """
    return _fit_from_record(read_json(path), path, group)


def _fit_from_record(record: Any, path: Any, group: str | None) -> FitResult:
    """The fit a file's record holds (a joint fit's group with ``group``)."""
    if _is_shared(record):
        shared = SharedFit.from_dict(record)
        if group is None:
            raise ResultFileError(
                f"{path} holds a joint fit across the groups of '{shared.by}'",
                f"groups: {', '.join(shared.groups)}",
                "pick one with --group (Python: group=..., or read it with "
                "sl.load_shared_fit)")
        return shared.for_group(group)
    if group is not None:
        raise ResultFileError(f"{path} holds the fit of one data set, not of groups",
                              "argument 'group'", "drop --group (Python: group=)")
    return FitResult.from_dict(record)


def load_shared_fit(path: Any) -> SharedFit:
    """Read a joint fit across groups written by :meth:`SharedFit.save`."""
    return SharedFit.from_dict(read_json(path))


def _is_shared(record: Any) -> bool:
    return isinstance(record, Mapping) and record.get("schema") == SHARED_SCHEMA
