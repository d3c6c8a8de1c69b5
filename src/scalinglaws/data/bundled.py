"""Real public sweeps by name, with their citations (``sl.datasets``): the registry's tables,
bundled when their licence allows and fetched into a cache on first use otherwise."""

from __future__ import annotations

import pandas as pd

from .dataset import Dataset
from .fetch import cache_dir as cache_dir
from .registry import BundledDataset as BundledDataset
from .registry import citation_of, listing, table
from .registry import info as info
from .registry import names as names


def load(name: str, *, download: bool = True) -> Dataset:
    """Load a dataset of the registry by name (``sl.datasets.names()``); a dataset that is
    not bundled is read from the cache, fetched first (checksum verified) when ``download``
    allows.

    >>> import scalinglaws as sl
    >>> len(sl.datasets.load("chinchilla"))
    245
    >>> sl.datasets.load("olmo_ladder").has("loss_c4_en")
    True
    """
    entry = info(name)
    frame = table(name, download=download)
    return Dataset(frame, name=entry.name,
                   citation=citation_of(entry), source=entry.name)


def list() -> pd.DataFrame:
    """A table of the registry's datasets: name, rows, columns, source (bundled, download or
    mirror), available (at hand without a download), size_mb, licence, origin, citation.

    >>> import scalinglaws as sl
    >>> "misfitting" in set(sl.datasets.list()["name"])
    True
    """
    return listing()


__all__ = ["BundledDataset", "cache_dir", "info", "list", "load", "names"]
