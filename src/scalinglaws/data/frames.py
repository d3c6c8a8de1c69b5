"""The table under a :class:`~scalinglaws.data.Dataset`: its column mapping to roles and its
fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd

from ..exceptions import DataError


def fingerprint(frame: pd.DataFrame) -> str:
    """A short SHA-256 of a table's column names and values."""
    h = hashlib.sha256()
    h.update("\x1f".join(str(c) for c in frame.columns).encode())
    try:
        hashed = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:  # unhashable cells (lists, dicts read from JSON): hash their text
        hashed = pd.util.hash_pandas_object(frame.astype(str), index=False)
    h.update(hashed.to_numpy().tobytes())
    return h.hexdigest()[:16]


def apply_mapping(frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    repeated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if repeated:
        raise DataError(
            f"column name(s) {', '.join(map(repr, repeated))} appear more than once",
            f"columns: {', '.join(frame.columns)}",
            "give every column its own name (drop or rename the copies)",
        )
    rename: dict[str, str] = {}
    for role, source in columns.items():
        if source not in frame.columns:
            raise DataError(
                f"column '{source}' (mapped to '{role}') is not in the data",
                f"available columns: {', '.join(frame.columns)}",
                "fix the column mapping",
            )
        if role in frame.columns and role != source:
            raise DataError(
                f"the data already has a column '{role}', so '{source}' cannot be mapped to it",
                f"mapping {role}={source}",
                f"drop or rename the existing '{role}' column first",
            )
        if source in rename:
            raise DataError(
                f"column '{source}' is mapped to both '{rename[source]}' and '{role}'",
                f"mapping {rename[source]}={source}, {role}={source}",
                "map each role to its own column",
            )
        rename[source] = role
    return frame.rename(columns=rename)
