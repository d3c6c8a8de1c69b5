"""The arguments every importer takes, checked once (:func:`request`), and the helpers that
read a tracker's values: the optional packages imported on first use (:func:`require`), a
value told missing or read as a number."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pandas as pd

from ...exceptions import DataError, OptionError
from .reduce import Reduction


@dataclass(frozen=True)
class Request:
    """What to import, as the importer's arguments say it (checked by :func:`request`)."""

    metric: str
    columns: dict[str, str]
    reduction: Reduction
    include_unfinished: bool
    target: str
    run_values: dict[str, dict[str, Any]]
    states: Mapping[str, str]
    tracker: str
    source: str
    name: str
    #: what the tracker calls the logged series (a TensorBoard ``tag``)
    series_word: str = "metric"


def require(module: str, package: str, tracker: str) -> ModuleType:
    """Import ``module`` (a tracker's client, an optional dependency) or say how to install
    it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DataError(f"reading {tracker} needs the package '{package}', which cannot be "
                        f"imported ({exc})", f"module '{module}'",
                        f"install it: pip install 'scalinglaws[trackers]' (or pip "
                        f"install {package})"
                        ) from None


def request(*, metric: str, params: Mapping[str, str] | Sequence[str] | None,
            reduce: str | Reduction, mean_last: int | None, at_tokens: float | None,
            drop_warmup: float | None, min_step: float | None, include_unfinished: bool,
            target: str, run_values: Any, states: Mapping[str, str], tracker: str,
            source: str, name: str, series_word: str = "metric") -> Request:
    """The importer's arguments, checked, as one :class:`Request`."""
    if not isinstance(metric, str) or not metric:
        raise OptionError(f"metric must be a metric's name, got {metric!r}",
                          "argument 'metric'", "name the logged loss, e.g. metric='val/loss'")
    if isinstance(reduce, Reduction):
        if any(v is not None for v in (mean_last, at_tokens, drop_warmup, min_step)):
            raise OptionError("a Reduction object carries its own options",
                              "argument 'reduce'", "set mean_last, ... on the Reduction")
        reduction = reduce
    else:
        reduction = Reduction(reduce, mean_last=mean_last, at_tokens=at_tokens,
                              drop_warmup=drop_warmup, min_step=min_step)
    columns = _columns(params, target)
    return Request(metric=metric, columns=columns, reduction=reduction,
                   include_unfinished=bool(include_unfinished), target=target,
                   run_values=run_table(run_values), states=states, tracker=tracker,
                   source=source, name=name, series_word=series_word)


def _columns(params: Mapping[str, str] | Sequence[str] | None, target: str) -> dict[str, str]:
    if params is None:
        return {}
    if isinstance(params, str) or not isinstance(params, Mapping | Sequence):
        raise OptionError(f"params maps columns to the tracker's names, got {params!r}",
                          "argument 'params'",
                          "give e.g. params={'params': 'n_params', 'tokens': 'tokens_seen'}")
    pairs = dict(params) if isinstance(params, Mapping) else {p: p for p in params}
    for column, source in pairs.items():
        if not isinstance(column, str) or not isinstance(source, str) or not source:
            raise OptionError(f"params maps column names to names in the tracker, got "
                              f"{column!r}: {source!r}", "argument 'params'",
                              "give text on both sides, e.g. {'params': 'n_params'}")
        if column in ("run", "status", "step", target):
            raise OptionError(f"the column '{column}' is written by the import itself",
                              "argument 'params'", "name the column otherwise")
    return pairs


def run_table(run_values: Any) -> dict[str, dict[str, Any]]:
    """Per-run values given by hand: ``{run: {name: value}}`` or a DataFrame with a ``run``
    column (its other columns the values)."""
    if run_values is None:
        return {}
    if isinstance(run_values, pd.DataFrame):
        if "run" not in run_values.columns:
            raise DataError("the per-run table has no 'run' column",
                            f"columns: {', '.join(map(str, run_values.columns))}",
                            "add a 'run' column naming each run as the tracker does")
        rows = run_values.drop_duplicates("run", keep="last").set_index("run")
        return {str(k): {str(c): v for c, v in row.items() if not missing(v)}
                for k, row in rows.iterrows()}
    if isinstance(run_values, Mapping) and all(isinstance(v, Mapping)
                                               for v in run_values.values()):
        return {str(k): dict(v) for k, v in run_values.items()}
    raise OptionError(f"run_values gives values per run, got {type(run_values).__name__}",
                      "argument 'run_values'",
                      "give {run: {name: value}} or a DataFrame with a 'run' column")


def missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any) -> Any:
    """A run-level value as a number when it reads as one (MLflow keeps parameters as text)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value
