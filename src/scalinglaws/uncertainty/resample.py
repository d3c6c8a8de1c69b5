"""Resampling weights: points or whole clusters (runs, seeds, families) drawn with replacement.

A bootstrap resample is a vector of integer case weights (how often each point is drawn), so
that every resample of one problem is the same objective with different weights, and all of
them can be optimised together as one batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# the command line reads these two checks from here
from ..common.checks import check_level as check_level
from ..common.checks import check_resamples as check_resamples
from ..common.warning import warn
from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError

Array = np.ndarray

#: cluster roles users name with ``by=``
CLUSTER_ROLES = ("run", "seed", "family")
#: a cluster bootstrap over fewer clusters is refused: k clusters give only C(2k-1, k)
#: distinct resamples (35 for k=4), too few for the ends of an interval to mean anything
MIN_CLUSTERS = 5
#: a cluster bootstrap over fewer clusters runs, with a warning (9 clusters: 24,310 resamples,
#: but each interval end rests on a handful of clusters)
FEW_CLUSTERS = 10


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
    k = len(uniq)
    if k < MIN_CLUSTERS:
        raise DataError(
            f"cannot resample by '{by}': it has {k} distinct value(s), so a cluster bootstrap "
            f"has only {distinct_resamples(k)} distinct resample(s) and its interval ends sit "
            f"on a handful of them", f"column '{by}'",
            f"a cluster bootstrap needs at least {MIN_CLUSTERS} clusters; resample points "
            f"(by=None; CLI: leave out --by) or collect more {by} values")
    return Clusters(index.astype(int), tuple(str(u) for u in uniq), by)


def distinct_resamples(k: int) -> int:
    """How many distinct resamples ``k`` clusters drawn with replacement give (multisets of
    size k from k): C(2k-1, k)."""
    return math.comb(2 * k - 1, k) if k > 0 else 0


def warn_few_clusters(cl: Clusters) -> None:
    """A :class:`ScalingLawWarning` when a cluster bootstrap has fewer than
    :data:`FEW_CLUSTERS` clusters (its intervals are coarse)."""
    if cl.by is None or cl.count >= FEW_CLUSTERS:
        return
    warn(
        f"the cluster bootstrap by '{cl.by}' has only {cl.count} clusters "
        f"({distinct_resamples(cl.count)} distinct resamples): its interval ends rest on a "
        f"few clusters and are coarse; collect at least {FEW_CLUSTERS} {cl.by} values, or "
        f"resample points (by=None)")


def bootstrap_weights(cl: Clusters, n: int, rng: np.random.Generator) -> Array:
    """(n, points) integer weights: each row draws ``cl.count`` clusters with replacement."""
    G = cl.count
    draws = rng.integers(0, G, size=(n, G)) + G * np.arange(n)[:, None]
    counts = np.bincount(draws.ravel(), minlength=n * G).reshape(n, G).astype(float)
    return counts[:, cl.index]


def jackknife_weights(cl: Clusters) -> Array:
    """(clusters, points) weights that leave out one cluster each."""
    return (cl.index[None, :] != np.arange(cl.count)[:, None]).astype(float)
