"""Reading tables from files (CSV, Parquet, JSON Lines) with clear errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import DataError

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl",
             ".json": "jsonl", ".ndjson": "jsonl"}


def read_table(path: Any, fmt: str | None) -> pd.DataFrame:
    """Read ``path`` as ``fmt`` ('csv', 'parquet', 'jsonl'; None: from the suffix)."""
    p = Path(os.fspath(path))
    if fmt is None:
        fmt = _SUFFIXES.get(p.suffix.lower())
        if fmt is None:
            raise DataError(
                f"cannot tell the format of '{p.name}' from its suffix",
                f"file {p}",
                "use a .csv, .parquet or .jsonl file",
            )
    if not p.exists():
        raise DataError(f"file not found: {p}", f"path {p}", "check the path")
    if p.is_dir():
        raise DataError(f"{p} is a folder, not a file", f"path {p}", "give a data file")
    if p.stat().st_size == 0:
        raise DataError(f"file {p.name} is empty", f"path {p}", "give a file with a header row "
                        "and at least one observation")
    try:
        if fmt == "csv":
            frame = pd.read_csv(p)
        elif fmt == "parquet":
            frame = pd.read_parquet(p)
        else:
            frame = pd.read_json(p, lines=True)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            f"cannot read {p.name} as {fmt.upper()}: {first}",
            f"file {p}",
            f"check that it is a valid {fmt.upper()} file",
        ) from exc
    if frame.shape[1] == 0:
        raise DataError(f"file {p.name} has no columns", f"file {p}", "add a header row")
    return frame
