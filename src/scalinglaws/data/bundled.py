"""Real datasets bundled with the package, with their citations (``sl.datasets``)."""

from __future__ import annotations

from .dataset import Dataset
from .registry import BundledDataset as BundledDataset
from .registry import info as info
from .registry import names as names
from .registry import table


def load(name: str) -> Dataset:
    """Load a bundled dataset by name.

    >>> import scalinglaws as sl
    >>> len(sl.datasets.load("chinchilla"))
    245
    """
    entry = info(name)
    return Dataset(table(name), name=entry.name, citation=entry.citation, source=entry.name)


__all__ = ["BundledDataset", "info", "load", "names"]
