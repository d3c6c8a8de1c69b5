"""The runs a saved fit carries: embedded in its record when they are small, else the file
(or bundled dataset) they were read from, read again and checked when the fit is loaded.

A fit's fingerprint covers the columns it reads (:func:`fitted_columns`: the law's inputs,
the target and the data's role columns), so that a column added to the file later does not
make its own data look foreign; a record saved before that carries the fingerprint of the
whole table, which :func:`same_data` accepts too (``docs/decisions.md``).

>>> import scalinglaws as sl
>>> ds = sl.datasets.load("chinchilla")
>>> fitted_columns(ds, ["params", "tokens", "loss"])
['params', 'tokens', 'flops', 'loss']
>>> rebuild(data_record(ds, ["params", "tokens", "loss"])["data"]).columns
['params', 'tokens', 'flops', 'loss']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..common.jsonvalues import json_value
from ..exceptions import DataError, ResultFileError, ScalingLawError
from .dataset import Dataset
from .validation import ROLES

#: the most cells (rows × columns kept) a saved fit embeds: 20,000 cells (5,000 runs of
#: params, tokens, flops and loss) keep a fit file under about half a megabyte; larger data
#: are recorded by where they were read from (``data_source``)
MAX_EMBEDDED_CELLS = 20_000

#: what to do when a fit's data are not at hand
PASS_DATA = "pass the runs it was fitted on: data=... (CLI: --data DATA)"


def fitted_columns(ds: Dataset, used: Iterable[str], extra: Iterable[str] = ()) -> list[str]:
    """The columns of ``ds`` a fit's fingerprint covers and its record embeds, in the data's
    order: those ``used`` (the law's inputs and the target), ``extra`` ones, and the role
    columns the data have (sizes, losses, steps, learning rates, run/seed/family labels)."""
    wanted = {*map(str, used), *map(str, extra), *ROLES}
    return [c for c in ds.columns if c in wanted]


def data_fingerprint(ds: Dataset, used: Iterable[str]) -> str:
    """The fingerprint a fit of ``ds`` that reads the columns ``used`` carries."""
    return ds.fingerprint_of(fitted_columns(ds, used))


def same_data(ds: Dataset, fingerprint: str, used: Iterable[str]) -> bool:
    """Whether ``ds`` holds the data of a fit with this fingerprint (its columns' or, for
    records saved before fits fingerprinted their columns only, the whole table's)."""
    if not fingerprint:
        return True
    used = list(used)
    if not set(map(str, used)) <= set(ds.columns):
        return False
    return data_fingerprint(ds, used) == fingerprint or ds.fingerprint == fingerprint


def check_same(ds: Dataset, fingerprint: str, used: Iterable[str], fix: str = PASS_DATA,
               what: str = "these data are not the data the fit was made on") -> Dataset:
    """``ds``, or a DataError when it is not the data of the fit with this fingerprint."""
    used = list(used)
    if not same_data(ds, fingerprint, used):
        missing = [c for c in used if not ds.has(c)]
        found = (f"no column(s) {', '.join(missing)}" if missing
                 else f"fingerprint {data_fingerprint(ds, used)}")
        raise DataError(what, f"{found} (data) vs fingerprint {fingerprint} (fit)", fix)
    return ds


# -- the record ---------------------------------------------------------------------------------
def data_record(ds: Dataset, used: Iterable[str], extra: Iterable[str] = ()
                ) -> dict[str, Any]:
    """What a fit's record holds of its data ``ds``: ``{"data": {...}}`` (the columns of
    :func:`fitted_columns` as lists, when they are at most :data:`MAX_EMBEDDED_CELLS` and read
    back to the same values), else ``{"data_source": ...}`` for data read from a file or a
    bundled dataset, else nothing."""
    columns = fitted_columns(ds, used, extra)
    if len(ds) * len(columns) <= MAX_EMBEDDED_CELLS:
        frame = ds.to_frame()[columns]
        doc = {"rows": len(ds), "flops_factor": ds.flops_factor, "citation": ds.citation,
               "source": ds.source,
               "dtypes": {c: str(frame[c].dtype) for c in columns},
               "columns": {c: json_value(_cells(frame[c])) for c in columns}}
        try:
            back = rebuild(doc)
        except ScalingLawError:
            back = None
        if back is not None and back.fingerprint == ds.fingerprint_of(columns):
            return {"data": doc}
    return {"data_source": ds.source} if ds.source else {}


def _cells(series: pd.Series) -> list[Any]:
    return series.astype(object).where(series.notna(), None).tolist()


def rebuild(doc: Mapping[str, Any], name: str | None = None) -> Dataset:
    """The Dataset a record's embedded ``data`` describe (a ResultFileError when malformed)."""
    try:
        columns = doc["columns"]
        dtypes = doc.get("dtypes") or {}
        frame = pd.DataFrame({str(c): _column(values, dtypes.get(c))
                              for c, values in columns.items()})
        if len(frame) != int(doc["rows"]):
            raise ValueError(f"{len(frame)} rows where the record says {doc['rows']}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the fit's own data: warned of when it was made
            return Dataset(frame, flops_factor=float(doc.get("flops_factor", 6.0)), name=name,
                           citation=doc.get("citation"), source=doc.get("source"))
    except (KeyError, TypeError, ValueError, AttributeError, DataError) as exc:
        raise ResultFileError(f"the data embedded in the fit record are malformed ({exc})",
                              "field 'data'", "save the fit again, or delete the field "
                              "'data' and pass the runs with data= (CLI: --data)") from None


def _column(values: Sequence[Any], dtype: str | None) -> pd.Series:
    """One embedded column with its saved dtype (``null`` is a missing value)."""
    if not isinstance(values, list):
        raise TypeError(f"a column is a list of values, got {type(values).__name__}")
    series = pd.Series(values, dtype=object)
    if dtype in (None, "object"):
        return series.where(series.notna(), np.nan)
    return series.astype(pd.api.types.pandas_dtype(str(dtype)))


def read_source(source: str, name: str | None = None) -> Dataset:
    """The runs read again from a fit's ``data_source``, or a DataError saying to pass them."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = Dataset.read(source, name=name) if name else Dataset.read(source)
    except ScalingLawError as exc:
        raise DataError(f"the fit's data cannot be read again from {source} ({exc.what})",
                        "field 'data_source' of the fit", PASS_DATA) from None
    return ds


def reload(source: str, fingerprint: str, used: Iterable[str], name: str | None = None
           ) -> Dataset:
    """The runs of a fit read again from its ``data_source`` and checked by fingerprint."""
    return check_same(read_source(source, name), fingerprint, used, PASS_DATA,
                      f"the rows in {source} are not those the fit was made on (the file "
                      "changed since, or the fit used a subset of its rows)")
