"""The Dataset: an immutable, validated table of training runs with named roles."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError
from . import validation as v


class Dataset:
    """An immutable table of observations whose columns carry roles.

    Roles: ``params`` (N), ``tokens`` (D), ``flops`` (C), ``loss``, ``step``, ``lr``, ``run``,
    ``seed``, ``family``; any other column is kept as an extra input or metric. When ``flops``
    is absent and ``params`` and ``tokens`` are present, ``flops = flops_factor * N * D``.

    Parameters
    ----------
    frame:
        The observations, one row each.
    columns:
        Map from role to the frame's column name, e.g. ``{"params": "n_params"}``.
    flops_factor:
        The factor k in C = k·N·D used when ``flops`` is derived (6 by default).
    name, citation:
        Where the data comes from; carried into reports.

    Example
    -------
    >>> import pandas as pd, scalinglaws as sl
    >>> ds = sl.Dataset.from_frame(pd.DataFrame({"n": [1e8, 1e9], "tokens": [2e9, 2e10],
    ...                                          "loss": [3.1, 2.6]}), columns={"params": "n"})
    >>> float(ds.flops[0])
    1.2e+18
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        columns: Mapping[str, str] | None = None,
        flops_factor: float = 6.0,
        name: str | None = None,
        citation: str | None = None,
    ) -> None:
        if not isinstance(frame, pd.DataFrame):
            raise DataError(
                f"a Dataset is built from a pandas DataFrame, got {type(frame).__name__}",
                "argument 'frame'",
                "use Dataset.from_csv / from_parquet / from_jsonl, or pd.DataFrame(...) first",
            )
        if not np.isfinite(flops_factor) or flops_factor <= 0:
            raise DataError(
                f"flops_factor must be a positive number, got {flops_factor!r}",
                "argument 'flops_factor'",
                "use 6 (the usual C = 6·N·D) or your architecture's factor",
            )
        frame = _apply_mapping(frame, columns or {})
        if len(frame) == 0:
            raise DataError(
                "the dataset has no rows",
                f"columns {list(frame.columns)}",
                "give at least one observation per row",
            )
        frame = frame.reset_index(drop=True)
        for role in v.POSITIVE_ROLES + v.NUMERIC_ROLES:
            if role in frame.columns:
                values = v.to_numeric_column(frame[role], role)
                v.check_role(values, role)
                frame[role] = values
        v.warn_implausible_counts(frame)
        if "flops" not in frame.columns and {"params", "tokens"} <= set(frame.columns):
            with np.errstate(over="ignore"):
                frame["flops"] = flops_factor * frame["params"] * frame["tokens"]
            bad = np.flatnonzero(~np.isfinite(frame["flops"].to_numpy(dtype=float)))
            if bad.size:
                raise DataError(
                    f"flops = {flops_factor:g}·params·tokens overflows to infinity",
                    f"rows {bad[:5].tolist()} (counting from 0, header excluded)",
                    "check the units of params and tokens (plain counts, e.g. 7e9), or give "
                    "a flops column")
        v.warn_duplicates(frame)
        self._frame = frame
        self._flops_factor = float(flops_factor)
        self._name = name
        self._citation = citation
        self._fingerprint: str | None = None

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, **kwargs: Any) -> Dataset:
        """Build from a pandas DataFrame (copied)."""
        if isinstance(frame, pd.DataFrame):
            frame = frame.copy()
        return cls(frame, **kwargs)

    @classmethod
    def from_csv(cls, path: Any, **kwargs: Any) -> Dataset:
        """Read a CSV file (header row required)."""
        from .io import read_table

        return cls(read_table(path, "csv"), **_with_name(kwargs, path))

    @classmethod
    def from_parquet(cls, path: Any, **kwargs: Any) -> Dataset:
        """Read a Parquet file."""
        from .io import read_table

        return cls(read_table(path, "parquet"), **_with_name(kwargs, path))

    @classmethod
    def from_jsonl(cls, path: Any, **kwargs: Any) -> Dataset:
        """Read a JSON Lines file: one JSON object per observation."""
        from .io import read_table

        return cls(read_table(path, "jsonl"), **_with_name(kwargs, path))

    @classmethod
    def from_path(cls, path: Any, **kwargs: Any) -> Dataset:
        """Read a file whose format is told by its suffix (.csv, .parquet, .jsonl/.json)."""
        from .io import read_table

        return cls(read_table(path, None), **_with_name(kwargs, path))

    @classmethod
    def read(cls, source: str | os.PathLike[str], *, columns: Mapping[str, str] | None = None,
             **kwargs: Any) -> Dataset:
        """Read runs from a file (CSV, Parquet or JSON Lines, told by the suffix) or, when no
        such file exists, the bundled dataset of that name (see ``sl.datasets.names()``);
        ``columns`` maps roles to the table's columns as in :meth:`from_frame`. This is how
        the command line reads its DATA argument.

        >>> import scalinglaws as sl
        >>> len(sl.Dataset.read("chinchilla"))
        245
        """
        from . import registry

        path = Path(os.fspath(source))
        if not path.exists() and str(source) in registry.names():
            entry = registry.info(str(source))
            kwargs.setdefault("name", entry.name)
            kwargs.setdefault("citation", entry.citation)
            return cls(registry.table(entry.name), columns=columns, **kwargs)
        return cls.from_path(path, columns=columns, **kwargs)

    # -- access ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._frame)

    @property
    def columns(self) -> list[str]:
        """The column names (roles under their role names)."""
        return [str(c) for c in self._frame.columns]

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def citation(self) -> str | None:
        return self._citation

    @property
    def flops_factor(self) -> float:
        return self._flops_factor

    def has(self, column: str) -> bool:
        """Whether the dataset has this column."""
        return column in self._frame.columns

    def _require(self, name: str) -> None:
        if name not in self._frame.columns:
            raise DataError(
                f"the dataset has no column '{name}'",
                f"available columns: {', '.join(self.columns)}",
                f"map one with columns={{'{name}': 'your_column'}} (CLI: --col {name}=COLUMN)",
            )

    def column(self, name: str) -> np.ndarray:
        """The values of a column as a read-only float array, validated as numbers."""
        self._require(name)
        values = v.to_numeric_column(self._frame[name], name)
        v.check_finite(values, name)
        values.setflags(write=False)
        return values

    def labels(self, name: str) -> np.ndarray:
        """The values of a label column (run, seed, family, ...) as an object array."""
        self._require(name)
        return self._frame[name].to_numpy(dtype=object)

    params = property(lambda self: self.column("params"), doc="Model sizes N.")
    tokens = property(lambda self: self.column("tokens"), doc="Training tokens D.")
    flops = property(lambda self: self.column("flops"), doc="Training compute C.")
    loss = property(lambda self: self.column("loss"), doc="The loss (or target) values.")
    step = property(lambda self: self.column("step"), doc="Training steps.")
    lr = property(lambda self: self.column("lr"), doc="Learning rates.")

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table as a pandas DataFrame."""
        return self._frame.copy()

    def subset(self, mask: Any) -> Dataset:
        """The rows selected by a boolean mask or an array of positions."""
        if isinstance(mask, slice):
            mask = np.arange(len(self))[mask]
        rows = np.asarray(mask)
        if rows.dtype == bool:
            if rows.shape != (len(self),):
                raise DataError(
                    f"a boolean mask must have one entry per row ({len(self)}), "
                    f"got shape {rows.shape}",
                    "Dataset.subset / indexing",
                    "build the mask from this dataset's own columns, e.g. ds.flops < 1e21",
                )
            rows = np.flatnonzero(rows)
        elif rows.dtype.kind not in "iu" or (rows.size and (rows.min() < -len(self)
                                                             or rows.max() >= len(self))):
            raise DataError(
                "rows are selected by a boolean mask, integer positions or a slice",
                "Dataset.subset / indexing",
                f"use positions between 0 and {len(self) - 1}, or a mask like ds.flops < 1e21")
        out = Dataset.__new__(Dataset)
        out._frame = self._frame.iloc[rows].reset_index(drop=True)
        if len(out._frame) == 0:
            raise DataError("the selection keeps no rows", "Dataset.subset", "loosen the mask")
        out._flops_factor = self._flops_factor
        out._name = self._name
        out._citation = self._citation
        out._fingerprint = None
        return out

    def __getitem__(self, mask: Any) -> Dataset:
        return self.subset(mask)

    def exclude(self, column: str) -> Dataset:
        """The dataset without the rows flagged true in the true/false column ``column``
        (``true``/``false`` or ``1``/``0``, any case). A blank or any other value is a
        :class:`~scalinglaws.DataError` naming the rows, never silently read as false.

        >>> import scalinglaws as sl
        >>> len(sl.datasets.load("chinchilla").exclude("epoch_excluded"))
        240
        """
        if not self.has(column):
            raise DataError(f"the data has no column '{column}'",
                            f"columns: {', '.join(self.columns)}", "name a true/false column")
        return self.subset(~v.true_false(self._frame[column], column))

    @property
    def fingerprint(self) -> str:
        """A short SHA-256 of the table's contents (column names and values)."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            h.update("\x1f".join(self.columns).encode())
            try:
                hashed = pd.util.hash_pandas_object(self._frame, index=False)
            except TypeError:  # unhashable cells (lists, dicts read from JSON): hash their text
                hashed = pd.util.hash_pandas_object(self._frame.astype(str), index=False)
            h.update(hashed.to_numpy().tobytes())
            self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint

    def __repr__(self) -> str:
        label = f" '{self._name}'" if self._name else ""
        return f"<Dataset{label}: {len(self)} rows; columns {', '.join(self.columns)}>"

    def __str__(self) -> str:
        from .display import text

        return text(self)

    def _repr_html_(self) -> str:
        from .display import html

        return html(self)


def _with_name(kwargs: dict[str, Any], path: Any) -> dict[str, Any]:
    kwargs = dict(kwargs)
    kwargs.setdefault("name", str(path))
    return kwargs


def _apply_mapping(frame: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
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


def as_dataset(data: Any) -> Dataset:
    """``data`` as a :class:`Dataset` (a DataFrame is validated on the way), or a DataError."""
    if isinstance(data, Dataset):
        return data
    if isinstance(data, pd.DataFrame):
        return Dataset.from_frame(data)
    raise DataError(f"data must be a Dataset or a DataFrame, got {type(data).__name__}",
                    "argument 'data'", "use sl.Dataset.from_csv(...) or a DataFrame")
