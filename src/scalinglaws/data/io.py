"""Reading tables from files (CSV/TSV, Parquet, JSON Lines, JSON; compressed or not) with
clear errors.

The format is told by the suffix, under a compression suffix (``runs.csv.gz``): ``.csv``
(its delimiter, comma, semicolon or tab, sniffed from the first lines), ``.tsv``,
``.parquet``/``.pq``, ``.jsonl``/``.ndjson`` (one JSON object per line) and ``.json`` (an
array of records, ``[{"params": 1e8, ...}, ...]``, or an object of columns,
``{"params": [...], ...}``; a file of one object per line is read as JSON Lines).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import os
import zipfile
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..exceptions import DataError

_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet",
             ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
#: compression suffixes, read by the standard library (and by pandas for the whole file)
_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".zip": None}
_FORMATS = ("use a .csv, .parquet or .jsonl file, or .tsv or .json (an array of records), "
            "each possibly compressed as .gz, .bz2, .xz or .zip")
#: the first characters of a CSV file read to tell its delimiter
_SNIFF_CHARS = 64_000
#: errors a reader raises on a file it cannot read (a bad gzip stream is an OSError, a
#: truncated one an EOFError; Arrow's errors are ValueErrors)
_UNREADABLE = (ValueError, OSError, EOFError, UnicodeDecodeError, pd.errors.ParserError,
               zipfile.BadZipFile, json.JSONDecodeError)


def format_of(path: Path) -> str | None:
    """The format a file's suffix tells ('csv', 'tsv', 'parquet', 'jsonl', 'json'), looking
    under a compression suffix; None when the suffix says nothing."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSED:
        suffixes = suffixes[:-1]
    return _SUFFIXES.get(suffixes[-1]) if suffixes else None


def read_table(path: Any, fmt: str | None) -> pd.DataFrame:
    """Read ``path`` as ``fmt`` ('csv', 'tsv', 'parquet', 'jsonl', 'json'; None: from the
    suffix), decompressing .gz, .bz2, .xz and .zip files."""
    p = Path(os.fspath(path))
    if fmt is None:
        fmt = format_of(p)
        if fmt is None:
            raise DataError(f"cannot tell the format of '{p.name}' from its suffix",
                            f"file {p}", _FORMATS)
    _check_file(p)
    try:
        frame = _read(p, fmt)
    except DataError:
        raise
    except _UNREADABLE as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            f"cannot read {p.name} as {fmt.upper()}: {first}",
            f"file {p}",
            f"check that it is a valid {fmt.upper()} file"
            + (" and that it is not truncated" if _compression(p) else ""),
        ) from exc
    if frame.shape[1] == 0:
        raise DataError(f"file {p.name} has no columns", f"file {p}", "add a header row")
    return frame


def _check_file(p: Path) -> None:
    if not p.exists():
        raise DataError(f"file not found: {p}", f"path {p}", "check the path")
    if p.is_dir():
        raise DataError(f"{p} is a folder, not a file", f"path {p}", "give a data file")
    if p.stat().st_size == 0:
        raise DataError(f"file {p.name} is empty", f"path {p}", "give a file with a header row "
                        "and at least one observation")


def _read(p: Path, fmt: str) -> pd.DataFrame:
    if fmt == "parquet":
        return pd.read_parquet(p)
    if fmt == "jsonl":
        return pd.read_json(p, lines=True)
    if fmt == "json":
        return _read_json(p)
    sep = "\t" if fmt == "tsv" else _sniff_delimiter(p)
    return pd.read_csv(p, sep=sep)


def _compression(p: Path) -> str | None:
    suffix = p.suffix.lower()
    return suffix if suffix in _COMPRESSED else None


def _open_text(p: Path) -> IO[str]:
    """The file as text, decompressed (the first member of a zip archive)."""
    suffix = _compression(p)
    if suffix == ".zip":
        with zipfile.ZipFile(p) as archive:
            names = archive.namelist()
            if not names:
                raise DataError(f"the archive {p.name} is empty", f"file {p}",
                                "put the table in the archive")
            return io.StringIO(archive.read(names[0]).decode("utf-8-sig"))
    opener = _COMPRESSED.get(suffix) if suffix else None
    if opener is not None:
        return opener(p, "rt", encoding="utf-8-sig")  # type: ignore[no-any-return]
    return open(p, encoding="utf-8-sig")


def _sniff_delimiter(p: Path) -> str:
    """The delimiter of a CSV file: comma, semicolon or tab, told by the first lines (a
    comma when they do not say)."""
    with _open_text(p) as fh:
        sample = fh.read(_SNIFF_CHARS)
    if len(sample) == _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _read_json(p: Path) -> pd.DataFrame:
    """A JSON file: an array of records or an object of columns; JSON Lines when the file
    holds one object per line."""
    with _open_text(p) as fh:
        text = fh.read()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # several documents: one object per line
            return pd.read_json(io.StringIO(text), lines=True)
        raise
    if isinstance(document, list) and all(isinstance(r, dict) for r in document):
        return pd.DataFrame.from_records(document)
    if isinstance(document, dict) and document and all(
            isinstance(v, list | dict) for v in document.values()):
        lengths = {len(v) for v in document.values() if isinstance(v, list)}
        if len(lengths) > 1:
            raise DataError(f"the columns of {p.name} have different lengths "
                            f"({', '.join(map(str, sorted(lengths)))})", f"file {p}",
                            "give every column one value per observation")
        return pd.DataFrame(document)
    kind = ("array of non-objects" if isinstance(document, list) else "object whose values "
            "are not columns" if isinstance(document, dict) else type(document).__name__)
    raise DataError(
        f"{p.name} holds a JSON {kind}, not a table", f"file {p}",
        'write an array of records, [{"params": 1e8, "loss": 3.1}, ...], or an object of '
        'columns, {"params": [...], "loss": [...]}')


#: the Parquet metadata key that holds a dataset's provenance (its citation: where the rows
#: come from and how they were reduced), written by ``scalinglaws import`` and read back here
PROVENANCE_KEY = b"scalinglaws.provenance"


def parquet_provenance(path: Any) -> str | None:
    """The provenance a Parquet file written by this package carries, or None (another file,
    another format, or no such metadata)."""
    try:
        p = Path(os.fspath(path))
    except TypeError:  # an open file: no metadata to read by name
        return None
    if format_of(p) != "parquet" or not p.is_file():
        return None
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(p).metadata or {}
    except (OSError, ValueError):  # not readable as Parquet: read_table says why
        return None
    value = metadata.get(PROVENANCE_KEY)
    return value.decode("utf-8", errors="replace") if value else None


def file_kwargs(kwargs: dict[str, Any], path: Any) -> dict[str, Any]:
    """A Dataset's keyword arguments for a table read from ``path``: its name, the source to
    read it again from, and (for a Parquet file this package wrote) its provenance as the
    citation, unless given."""
    kwargs = dict(kwargs)
    kwargs.setdefault("name", str(path))
    if kwargs.get("citation") is None:  # an imported table's provenance comes back with it
        kwargs["citation"] = parquet_provenance(path)
    try:
        kwargs.setdefault("source", str(Path(os.fspath(path)).resolve()))
    except TypeError:  # not a path (an open file): nowhere to read the rows again from
        pass
    return kwargs
