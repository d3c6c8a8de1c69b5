"""Writing an imported dataset to a file that every command taking DATA reads: Parquet (the
provenance kept in the file's metadata), CSV or JSON Lines, written atomically."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from ...common.jsonvalues import json_value
from ...exceptions import OptionError
from ..dataset import Dataset
from ..files import write_bytes_atomic
from ..io import PROVENANCE_KEY

#: the suffixes :func:`write_runs` writes
SUFFIXES = (".parquet", ".pq", ".csv", ".jsonl")


def write_runs(dataset: Dataset, path: str | os.PathLike[str]) -> Path:
    """Write the dataset's table to ``path`` (its format told by the suffix) so that a reader
    never sees a half-written file; returns the path."""
    target = Path(os.fspath(path))
    suffix = target.suffix.lower()
    frame = dataset.to_frame()
    if suffix in (".parquet", ".pq"):
        data = _parquet(frame, dataset.citation)
    elif suffix == ".csv":
        data = frame.to_csv(index=False).encode()
    elif suffix == ".jsonl":  # every digit kept (pandas' to_json rounds to 10)
        data = "".join(json.dumps(json_value(row), allow_nan=False) + "\n"
                       for row in frame.to_dict("records")).encode()
    else:
        raise OptionError(f"cannot tell the table format from '{target.name}'",
                          f"path {target}", f"end it with {', '.join(SUFFIXES)}")
    return write_bytes_atomic(target, data)


def _parquet(frame: Any, provenance: str | None) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if provenance:
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), PROVENANCE_KEY: provenance.encode()})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
