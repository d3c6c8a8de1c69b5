"""Resampling weights: points or whole clusters (runs, seeds, families) drawn with replacement.

A bootstrap resample is a vector of integer case weights (how often each point is drawn), so
that every resample of one problem is the same objective with different weights, and all of
them can be optimised together as one batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# the command line reads these two checks from here
from ..common.checks import check_level as check_level
from ..common.checks import check_resamples as check_resamples
from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError

Array = np.ndarray

#: cluster roles users name with ``by=``
CLUSTER_ROLES = ("run", "seed", "family")


@dataclass(frozen=True)
class Clusters:
    """Which cluster each point belongs to (``index`` in 0..count-1) and the clusters' labels."""

    index: Array
    labels: tuple[str, ...]
    by: str | None

    @property
    def count(self) -> int:
        return len(self.labels)


def clusters(ds: Dataset, by: str | None) -> Clusters:
    """Points (``by=None``) or the distinct values of column ``by`` as resampling units."""
    if by is None:
        n = len(ds)
        return Clusters(np.arange(n), tuple(str(i) for i in range(n)), None)
    if not isinstance(by, str):
        raise OptionError(f"by= names a column, got {type(by).__name__}", "argument 'by'",
                          f"use one of {', '.join(CLUSTER_ROLES)} or a column name")
    if not ds.has(by):
        raise DataError(
            f"cannot resample by '{by}': the dataset has no such column",
            f"available columns: {', '.join(ds.columns)}",
            "add the column (e.g. a run id per row) or map it with columns={'run': 'your_col'}")
    values = ds.labels(by)
    keys = np.array([str(v) for v in values], dtype=object)
    uniq, index = np.unique(keys, return_inverse=True)
    if len(uniq) < 2:
        raise DataError(
            f"cannot resample by '{by}': it has {len(uniq)} distinct value(s)",
            f"column '{by}'", "a cluster bootstrap needs at least 2 clusters; resample points "
            "(by=None) instead")
    return Clusters(index.astype(int), tuple(str(u) for u in uniq), by)


def bootstrap_weights(cl: Clusters, n: int, rng: np.random.Generator) -> Array:
    """(n, points) integer weights: each row draws ``cl.count`` clusters with replacement."""
    G = cl.count
    draws = rng.integers(0, G, size=(n, G)) + G * np.arange(n)[:, None]
    counts = np.bincount(draws.ravel(), minlength=n * G).reshape(n, G).astype(float)
    return counts[:, cl.index]


def jackknife_weights(cl: Clusters) -> Array:
    """(clusters, points) weights that leave out one cluster each."""
    return (cl.index[None, :] != np.arange(cl.count)[:, None]).astype(float)
