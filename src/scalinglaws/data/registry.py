"""The registry of named datasets: every public sweep of :mod:`.entries`, bundled or fetched on
first use. :mod:`.bundled` (``sl.datasets``) builds them into Datasets; ``Dataset.read`` finds
them by name."""

from __future__ import annotations

from importlib import resources
from typing import Literal

import pandas as pd

from ..common.names import did_you_mean
from ..exceptions import DataError
from .entries import ENTRIES, Entry

#: kept for code that names the type of an entry by its earlier name
BundledDataset = Entry
_CATALOG = {entry.name: entry for entry in ENTRIES}


def names() -> list[str]:
    """The names of the registry's datasets."""
    return sorted(_CATALOG)


def info(name: str) -> Entry:
    """The registry's entry for ``name``: description, citation, licence, origin, checksum."""
    try:
        return _CATALOG[name]
    except KeyError:
        hint = did_you_mean(str(name), names(), n=1)
        raise DataError(
            f"no dataset named '{name}' in the registry",
            f"available: {', '.join(names())}",
            f"{hint}use one of those names (sl.datasets.list() describes them), or load your "
            "own file with Dataset.read",
        ) from None


def table(name: str, *, download: bool = True) -> pd.DataFrame:
    """The rows of a registry dataset as they are stored (not yet validated; the columns of
    the entry's ``columns`` under their role names): the package's copy, or the cached
    download (fetched first when ``download`` allows)."""
    entry = info(name)
    frame = _stored(entry, download=download)
    return frame.query(entry.where).reset_index(drop=True) if entry.where else frame


def _stored(entry: Entry, *, download: bool = True, nrows: int | None = None) -> pd.DataFrame:
    """The entry's table as read (its first ``nrows`` rows), columns under the names loading
    gives them (``renames``, then the roles of ``columns``)."""
    if entry.bundled:
        packaged = resources.files(__package__).joinpath("bundled", entry.bundled)
        compression: Literal["xz"] | None = "xz" if entry.bundled.endswith(".xz") else None
        with packaged.open("rb") as fh:
            frame = pd.read_csv(fh, compression=compression, low_memory=False, nrows=nrows)
    else:
        from .fetch import fetch

        frame = pd.read_csv(fetch(entry, download=download), low_memory=False, nrows=nrows)
    frame = frame.rename(columns=dict(entry.renames))
    return frame.rename(columns={source: role for role, source in entry.columns.items()})


def citation_of(entry: Entry) -> str:
    """The citation a loaded dataset carries: the source's and its licence."""
    return f"{entry.citation} Licence: {entry.licence}."


def listing() -> pd.DataFrame:
    """One row per dataset: name, rows, columns, how it is obtained (bundled, download,
    mirror), whether it is at hand now, licence, origin and citation."""
    rows = []
    for entry in ENTRIES:
        header = _header(entry)
        rows.append({
            "name": entry.name, "rows": entry.rows,
            "columns": ", ".join(header) if header is not None else "",
            "source": entry.source,
            "available": bool(entry.bundled) or header is not None,
            "size_mb": round(entry.size / 1e6, 2), "licence": entry.licence,
            "origin": entry.origin, "citation": entry.citation,
        })
    return pd.DataFrame(rows).sort_values("name", ignore_index=True)


def _header(entry: Entry) -> list[str] | None:
    """The columns of a table at hand (bundled, or cached with its checksum), else None."""
    try:
        return [str(c) for c in _stored(entry, download=False, nrows=0).columns]
    except DataError:  # not in the cache: listed without its columns
        return None
