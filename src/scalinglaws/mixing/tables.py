"""Mixture experiments as a table: each run's training proportions per domain, its loss on
each validation domain, and the tokens each domain has, checked before anything is fitted."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data import Dataset
from ..exceptions import DataError, OptionError

#: how far a row's proportions may sum from 1 (percentages rounded to one decimal pass)
TOLERANCE = 1e-3
_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


@dataclass(frozen=True)
class MixtureTable:
    """Checked mixture experiments: ``proportions`` (runs x domains, rows summing to 1),
    ``losses`` (runs x validation domains), ``available`` tokens per domain (where known).

    >>> import pandas as pd, scalinglaws as sl
    >>> frame = pd.DataFrame({"web": [0.5, 0.2], "code": [0.5, 0.8],
    ...                       "loss_web": [2.9, 3.1], "loss_code": [1.4, 1.2]})
    >>> sl.mixing.table(frame, ["web", "code"]).validation
    ('web', 'code')
    """

    domains: tuple[str, ...]
    validation: tuple[str, ...]
    proportions: np.ndarray
    losses: np.ndarray
    available: Mapping[str, float] = field(default_factory=dict)
    extra: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.proportions.shape[0])

    def subset(self, rows: Any) -> MixtureTable:
        """The runs at ``rows`` (indices or a mask)."""
        extra = None if self.extra is None else self.extra.iloc[np.asarray(rows)]
        return MixtureTable(self.domains, self.validation, self.proportions[rows],
                            self.losses[rows], self.available, extra)


def table(data: Dataset | pd.DataFrame, domains: Sequence[str], *,
          losses: Mapping[str, str] | None = None, validation: Sequence[str] | None = None,
          available: Mapping[str, float] | None = None,
          tolerance: float = TOLERANCE) -> MixtureTable:
    """Read and check mixture experiments.

    ``domains`` names the proportion columns (one per training domain); ``validation`` the
    validation domains whose losses were measured (default: the training domains that have a
    loss column); ``losses`` maps a validation domain to its loss column (default
    ``loss_<domain>``); ``available`` the tokens each domain has (for epoch caps).
    Proportions must be finite, non-negative and sum to 1 within ``tolerance`` per row; the
    offending rows are named.
    """
    frame = data.to_frame() if isinstance(data, Dataset) else data
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"mixture data must be a Dataset or a DataFrame, got "
                        f"{type(data).__name__}", "argument 'data'", "pass a table")
    names = check_domains(domains)
    missing = [d for d in names if d not in frame.columns]
    if missing:
        raise DataError(f"no proportion column for domain {', '.join(map(repr, missing))}",
                        f"columns: {', '.join(map(str, frame.columns))}",
                        "name each domain by its proportion column, e.g. --domains "
                        "web,code,books")
    props = _numeric(frame, names, "proportion")
    check_proportions(props, names, tolerance)
    loss_columns = _loss_columns(frame, names, losses, validation)
    values = _numeric(frame, list(loss_columns.values()), "loss")
    bad = np.argwhere(values <= 0)
    if bad.size:
        row, col = bad[0]
        raise DataError(f"a loss must be positive, got {values[row, col]:g}",
                        f"column '{list(loss_columns.values())[col]}', row {row}",
                        "give validation losses in nats (or bits) per token")
    return MixtureTable(names, tuple(loss_columns), props / props.sum(axis=1, keepdims=True),
                        values, check_available(available, names), frame)


def check_domains(domains: Any) -> tuple[str, ...]:
    """Domain names: at least two, distinct, each a plain name."""
    if isinstance(domains, str):
        domains = [d.strip() for d in domains.split(",") if d.strip()]
    names = tuple(str(d) for d in domains)
    if len(names) < 2:
        raise OptionError(f"a mixture needs at least two domains, got {list(names)}",
                          "argument 'domains'", "name every proportion column, e.g. "
                          "['web', 'code', 'books']")
    dup = sorted({d for d in names if names.count(d) > 1})
    if dup:
        raise OptionError(f"domain {dup[0]!r} is named twice", "argument 'domains'",
                          "name each domain once")
    odd = [d for d in names if not _NAME.match(d)]
    if odd:
        raise OptionError(f"domain name {odd[0]!r} is not a plain name",
                          "argument 'domains'", "use letters, digits, '_', '-' or '.'")
    return names


def check_proportions(props: np.ndarray, names: Sequence[str], tolerance: float) -> None:
    """Non-negative proportions summing to 1 within ``tolerance`` per row."""
    neg = np.argwhere(props < 0)
    if neg.size:
        rows = sorted({int(r) for r in neg[:, 0]})
        raise DataError(f"proportions must be non-negative; {len(rows)} row(s) have a "
                        f"negative one (first: {props[neg[0][0], neg[0][1]]:g} for "
                        f"'{names[neg[0][1]]}')", f"rows {rows[:10]} (counting from 0)",
                        "fix or drop those runs")
    sums = props.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > tolerance)
    if off.size:
        shown = ", ".join(f"row {int(r)}: {sums[r]:.4g}" for r in off[:5])
        raise DataError(f"the proportions of {off.size} row(s) do not sum to 1 ({shown})",
                        f"columns {', '.join(names)}",
                        f"give each run's share of every domain (within {tolerance:g} of 1), "
                        "or add the missing domain's column")


def check_available(available: Mapping[str, float] | None,
                    names: Sequence[str]) -> dict[str, float]:
    """Available tokens per domain: known domains, positive counts."""
    out: dict[str, float] = {}
    for name, value in (available or {}).items():
        if name not in names:
            raise OptionError(f"available tokens for unknown domain {name!r}",
                              "argument 'available'", f"use one of {', '.join(names)}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not (math.isfinite(number) and number > 0):
            raise OptionError(f"available tokens of {name!r} must be a positive number, "
                              f"got {value!r}", "argument 'available'",
                              "give the domain's unique tokens, e.g. 5e10")
        out[str(name)] = number
    return out


def _loss_columns(frame: pd.DataFrame, names: Sequence[str],
                  losses: Mapping[str, str] | None,
                  validation: Sequence[str] | None) -> dict[str, str]:
    mapping = dict(losses or {})
    wanted = list(validation) if validation is not None else (
        list(mapping) or [d for d in names if f"loss_{d}" in frame.columns])
    if not wanted:
        raise DataError("no validation loss column found", "expected columns "
                        + ", ".join(f"loss_{d}" for d in names),
                        "name the loss of each validation domain loss_<domain>, or pass "
                        "losses={'web': 'val_web'}")
    out = {}
    for d in wanted:
        column = mapping.get(d, f"loss_{d}")
        if column not in frame.columns:
            raise DataError(f"no loss column {column!r} for validation domain {d!r}",
                            f"columns: {', '.join(map(str, frame.columns))}",
                            "add it, or map it with losses={...}")
        out[str(d)] = column
    return out


def _numeric(frame: pd.DataFrame, columns: Sequence[str], what: str) -> np.ndarray:
    out = np.empty((len(frame), len(columns)))
    for j, column in enumerate(columns):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise DataError(f"a {what} is missing or not a number",
                            f"column '{column}', rows {bad[:10].tolist()} (counting from 0)",
                            "fill it in or drop those runs")
        out[:, j] = values
    return out
