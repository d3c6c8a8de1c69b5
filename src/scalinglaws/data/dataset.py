"""The Dataset: an immutable, validated table of training runs with named roles."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, OptionError
from . import rows as r
from . import validation as v
from .conventions import Convention
from .frames import apply_mapping
from .frames import fingerprint as table_fingerprint
from .io import file_kwargs
from .states import normalised_states


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
    source:
        The file the rows were read from (its absolute path) or the bundled dataset's name:
        set by :meth:`from_csv`, :meth:`from_path`, :meth:`read`... when ``Dataset.read``
        of it gives this table again (no column mapping, the default ``flops_factor``); a
        saved fit whose data are too large to embed reads them again from there.
    convention:
        How params, tokens and flops were counted (:func:`~scalinglaws.data.standardize`
        sets it); shown when the dataset is printed and in the summary of a fit made on it.

    Examples
    --------
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
        source: str | None = None,
        convention: Convention | None = None,
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
        frame = apply_mapping(frame, columns or {})
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
        v.check_input_floors(frame)
        if "status" in frame.columns:
            frame["status"] = normalised_states(frame["status"])
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
        self._convention = convention
        # reading the source again gives this table only without a mapping or another factor
        self._source = source if not columns and flops_factor == 6.0 else None
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

        return cls(read_table(path, "csv"), **file_kwargs(kwargs, path))

    @classmethod
    def from_parquet(cls, path: Any, **kwargs: Any) -> Dataset:
        """Read a Parquet file."""
        from .io import read_table

        return cls(read_table(path, "parquet"), **file_kwargs(kwargs, path))

    @classmethod
    def from_jsonl(cls, path: Any, **kwargs: Any) -> Dataset:
        """Read a JSON Lines file: one JSON object per observation."""
        from .io import read_table

        return cls(read_table(path, "jsonl"), **file_kwargs(kwargs, path))

    @classmethod
    def from_path(cls, path: Any, **kwargs: Any) -> Dataset:
        """Read a file whose format is told by its suffix (.csv, .parquet, .jsonl/.json)."""
        from .io import read_table

        return cls(read_table(path, None), **file_kwargs(kwargs, path))

    @classmethod
    def read(cls, source: str | os.PathLike[str], *, columns: Mapping[str, str] | None = None,
             where: str | None = None, exclude: str | None = None,
             dropna: bool | list[str] = False, last_by: str | None = None,
             best_of: str | None = None, by: list[str] | None = None,
             rows: r.RowSelection | None = None, **kwargs: Any) -> Dataset:
        """Read runs from a file (CSV, TSV, Parquet, JSON Lines or JSON, told by the suffix,
        possibly compressed) or, when no such file exists, the bundled dataset of that name
        (see ``sl.datasets.names()``); ``columns`` maps roles to columns as in
        :meth:`from_frame`. Rows are selected before the roles are validated (``dropna=True``
        drops a crashed run's empty loss), in the order of
        :class:`~scalinglaws.data.rows.RowSelection` (which ``rows=`` takes whole). This is
        how the command line reads its DATA argument.

        >>> import scalinglaws as sl
        >>> len(sl.Dataset.read("chinchilla"))
        245
        >>> len(sl.Dataset.read("chinchilla", where="params > 1e9"))
        127
        """
        from . import registry

        given = r.RowSelection(where=where, exclude=exclude, dropna=dropna, last_by=last_by,
                               best_of=best_of, by=by)
        if rows is not None and given.active:
            raise OptionError("rows= takes the whole selection", "Dataset.read",
                              "give either rows=RowSelection(...) or where=, dropna=, ...")
        path = Path(os.fspath(source))
        if not path.exists() and str(source) in registry.names():
            entry = registry.info(str(source))
            kwargs.setdefault("name", entry.name)
            kwargs.setdefault("citation", registry.citation_of(entry))
            kwargs.setdefault("source", entry.name)
            frame = registry.table(entry.name)
        else:
            from .io import read_table

            kwargs = file_kwargs(kwargs, path)
            kwargs.setdefault("source", str(path.resolve()))
            frame = read_table(path, None)
        selection = rows or given
        if selection.active:  # reading the file again would not give these rows
            kwargs["source"] = None
        frame = selection.apply(frame, aliases=columns)
        return cls(frame, columns=columns, **kwargs)

    def with_columns(self, roles: Mapping[str, str]) -> Dataset:
        """A copy whose columns ``roles`` maps to (role -> column) carry those roles:
        ``ds.with_columns({"params": "model_size"})``; flops are derived when params and
        tokens are then present."""
        return Dataset(self._frame, columns=roles, flops_factor=self._flops_factor,
                       name=self._name, citation=self._citation, convention=self.convention)

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
    def source(self) -> str | None:
        """Where the rows were read from (a file's absolute path, a bundled dataset's name),
        such that ``Dataset.read(source)`` gives the table again; None for a table built in
        memory, or read with a column mapping or another ``flops_factor``. A subset keeps
        its table's source (and reading it again gives the whole table)."""
        return getattr(self, "_source", None)

    @property
    def flops_factor(self) -> float:
        return self._flops_factor

    @property
    def convention(self) -> Convention | None:
        """How params, tokens and flops were counted (None when nobody said)."""
        return getattr(self, "_convention", None)

    def has(self, column: str) -> bool:
        """Whether the dataset has this column."""
        return column in self._frame.columns

    def _require(self, name: str) -> None:
        if name not in self._frame.columns:
            raise DataError(
                f"the dataset has no column '{name}'",
                f"available columns: {', '.join(self.columns)}",
                f"map one of them to it, --col {name}=COLUMN (Python: "
                f"columns={{'{name}': 'COLUMN'}})",
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
        out._source = self.source
        out._convention = self.convention
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

    # -- row selection (the logic is in .rows, shared with Dataset.read) --------------------
    def where(self, expr: str) -> Dataset:
        """The rows where ``expr`` holds, in pandas ``DataFrame.query`` syntax; a column name
        with spaces or ``/`` goes in backticks (:func:`~.rows.where_rows`).

        >>> import scalinglaws as sl
        >>> len(sl.datasets.load("chinchilla").where("params > 1e9 and tokens < 1e11"))
        115
        """
        return self.subset(r.where_rows(self._frame, expr))

    def dropna(self, columns: list[str] | None = None) -> Dataset:
        """The rows with a value (not empty, not NaN) in every one of ``columns``; by default
        the roles present of params, tokens, flops, loss, step and lr."""
        return self.subset(r.dropna_rows(self._frame, columns))

    def best_of(self, column: str, by: list[str]) -> Dataset:
        """Per group of rows equal in ``by``, the row with the lowest ``column`` (ties: the
        first): ``best_of("loss", by=["params", "tokens"])`` keeps the best learning rate of
        each size and budget (:func:`~.rows.best_rows`)."""
        return self.subset(r.best_rows(self._frame, column, by))

    def last_by(self, column: str, *, step: str = "step") -> Dataset:
        """Per value of ``column`` (a run), the row with the largest ``step`` (ties: the
        later row), or the last row in table order when there is no step column."""
        return self.subset(r.last_rows(self._frame, column, step=step))

    @property
    def fingerprint(self) -> str:
        """A short SHA-256 of the table's contents (column names and values)."""
        if self._fingerprint is None:
            self._fingerprint = table_fingerprint(self._frame)
        return self._fingerprint

    def fingerprint_of(self, columns: Sequence[str]) -> str:
        """The :attr:`fingerprint` of these columns alone, in this order (a fit's fingerprint
        covers the columns it reads: ``docs/decisions.md``)."""
        for name in columns:
            self._require(name)
        return table_fingerprint(self._frame[list(columns)])

    def __repr__(self) -> str:
        label = f" '{self._name}'" if self._name else ""
        return f"<Dataset{label}: {len(self)} rows; columns {', '.join(self.columns)}>"

    def __str__(self) -> str:
        from .display import text

        return text(self)

    def _repr_html_(self) -> str:
        from .display import html

        return html(self)


def as_dataset(data: Any) -> Dataset:
    """``data`` as a :class:`Dataset` (a DataFrame is validated on the way), or a DataError."""
    if isinstance(data, Dataset):
        return data
    if isinstance(data, pd.DataFrame):
        return Dataset.from_frame(data)
    raise DataError(f"data must be a Dataset or a DataFrame, got {type(data).__name__}",
                    "argument 'data'", "use sl.Dataset.from_csv(...) or a DataFrame")
