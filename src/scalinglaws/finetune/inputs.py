"""What ``select`` reads: a tidy table of fine-tuning runs, a mapping of candidates to their
runs or to a function of the subset size, or candidate names with an oracle. Each becomes an
oracle ``(candidate, size) -> loss`` and, per candidate, the sizes it may be asked for."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..common.names import did_you_mean
from ..exceptions import DataError, OptionError

#: the roles a fine-tuning table has, and their default column names
ROLES = ("candidate", "examples", "loss")

Oracle = Callable[[str, float], float]


@dataclass(frozen=True)
class Source:
    """Where losses come from: ``oracle(candidate, size)``, and per candidate the sizes it
    may be asked for (``None``: any size of the schedule). ``recorded`` is True for a table
    (every loss was measured before selection began)."""

    names: tuple[str, ...]
    oracle: Oracle
    sizes: Mapping[str, tuple[float, ...]] | None
    recorded: bool


def read(candidates: Any, oracle: Oracle | None, columns: Mapping[str, str] | None,
         min_points: int) -> Source:
    """The source of losses behind ``candidates`` (see :func:`scalinglaws.finetune.select`)."""
    if isinstance(candidates, pd.DataFrame):
        _no_oracle(oracle, "a table")
        return _from_table(candidates, columns, min_points)
    if isinstance(candidates, Mapping):
        _no_oracle(oracle, "a mapping")
        return _from_mapping(candidates, min_points)
    if isinstance(candidates, (str, bytes)) or not isinstance(candidates, Iterable):
        raise OptionError(f"cannot read candidates from {type(candidates).__name__}",
                          "argument 'candidates' of select",
                          "give a table (candidate, examples, loss), a dict of candidate -> "
                          "function or runs, or a list of names with oracle=")
    names = _names(list(candidates))
    if oracle is None or not callable(oracle):
        raise OptionError("a list of candidates needs an oracle", "argument 'oracle' of select",
                          "pass oracle=lambda candidate, size: loss (fine-tune and evaluate)")
    return Source(names, oracle, None, recorded=False)


def _no_oracle(oracle: Oracle | None, what: str) -> None:
    if oracle is not None:
        raise OptionError(f"oracle= is given with {what} of candidates",
                          "argument 'oracle' of select",
                          "pass the candidates as a list of names to use the oracle")


def _names(values: list[Any]) -> tuple[str, ...]:
    names = tuple(str(v) for v in values)
    if len(names) < 2:
        raise DataError(f"{len(names)} candidate(s): there is nothing to choose between",
                        "argument 'candidates' of select", "give at least two candidates")
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise DataError(f"candidate names repeat: {', '.join(sorted(seen))}",
                        "argument 'candidates' of select", "give each candidate once")
    return names


def _from_mapping(candidates: Mapping[Any, Any], min_points: int) -> Source:
    names = _names(list(candidates))
    functions: dict[str, Callable[[float], float]] = {}
    tables: list[pd.DataFrame] = []
    for key, value in candidates.items():
        name = str(key)
        if callable(value):
            functions[name] = value
        else:
            tables.append(_runs_of(name, value))
    if functions and tables:
        raise OptionError("candidates mix functions and recorded runs",
                          "argument 'candidates' of select",
                          "give every candidate as a function, or every one as runs")
    if functions:
        return Source(names, lambda c, d: functions[c](d), None, recorded=False)
    table = pd.concat(tables, ignore_index=True)
    return _from_table(table, None, min_points, names)


def _runs_of(name: str, value: Any) -> pd.DataFrame:
    """A candidate's runs given as a table (examples, loss) or as (sizes, losses)."""
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
    else:
        try:
            sizes, losses = value
            frame = pd.DataFrame({"examples": np.asarray(sizes, dtype=float),
                                  "loss": np.asarray(losses, dtype=float)})
        except (TypeError, ValueError):
            raise DataError(f"the runs of candidate '{name}' are not (sizes, losses)",
                            f"candidates['{name}']",
                            "give a function of the size, a table with columns examples "
                            "and loss, or a pair of equal-length arrays") from None
    frame["candidate"] = name
    return frame


def _from_table(frame: pd.DataFrame, columns: Mapping[str, str] | None, min_points: int,
                names: tuple[str, ...] | None = None) -> Source:
    mapping = {**{r: r for r in ROLES}, **dict(columns or {})}
    unknown = [k for k in mapping if k not in ROLES]
    if unknown:
        raise OptionError(f"unknown role(s) {', '.join(unknown)} in the column mapping",
                          "argument 'columns' of select", f"map {', '.join(ROLES)}")
    lacking = [r for r in ROLES if mapping[r] not in frame.columns]
    if lacking:
        known = [str(c) for c in frame.columns]
        hints = "".join(f"; for '{mapping[r]}' {did_you_mean(str(mapping[r]), known)}"
                        for r in lacking if did_you_mean(str(mapping[r]), known))
        raise DataError("the table has no column "
                        + ", ".join(f"'{mapping[r]}' ({r})" for r in lacking),
                        f"columns {', '.join(known)}",
                        "name them candidate, examples and loss, or map yours with "
                        f"columns={{'examples': 'n'}} (--col examples=n){hints}")
    table = pd.DataFrame({r: frame[mapping[r]].to_numpy() for r in ROLES})
    table["candidate"] = table["candidate"].astype(str)
    for role in ("examples", "loss"):
        values = pd.to_numeric(table[role], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
        if bad.size:
            rows = ", ".join(str(int(i)) for i in bad[:5])
            raise DataError(f"{bad.size} {role} value(s) are not positive numbers "
                            f"(first {table[role].iloc[bad[0]]!r})",
                            f"column '{mapping[role]}', row(s) {rows}",
                            f"give every run a positive {role}")
        table[role] = values
    means = table.groupby(["candidate", "examples"], as_index=False, sort=True)[["loss"]].mean()
    order = names or _names(list(dict.fromkeys(frame[mapping["candidate"]].astype(str))))
    sizes: dict[str, tuple[float, ...]] = {}
    losses: dict[tuple[str, float], float] = {}
    for name in order:
        runs = means[means["candidate"] == name]
        if len(runs) < min_points:
            raise DataError(f"candidate '{name}' has {len(runs)} distinct subset size(s); the "
                            f"rectified law needs at least {min_points}",
                            f"rows of candidate '{name}'",
                            "fine-tune it on more subset sizes (doubling from a few dozen "
                            "examples), or drop it")
        sizes[name] = tuple(float(v) for v in runs["examples"])
        losses.update({(name, float(d)): float(y) for d, y in
                       zip(runs["examples"], runs["loss"], strict=True)})
    return Source(tuple(order), lambda c, d: losses[(c, float(d))], sizes, recorded=True)


def checked_size(value: Any, name: str) -> float:
    """A positive, finite size (the full fine-tuning set, a subset)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not (math.isfinite(v) and v > 0):
        raise OptionError(f"{name} must be a positive number of examples, got {value!r}",
                          f"argument '{name}' of select", "give the number of examples")
    return v
