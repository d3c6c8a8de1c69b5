"""Which runs' rows a report's plot draws: all of them up to :data:`MAX_MARKERS`, a thinned
set beyond (each run's last row and every k-th before it), so that a sweep of 100,000
checkpoints stays a small file that opens fast.

The rule, for a data trace of ``n`` rows and a budget of ``limit`` markers:

1. ``n <= limit``: every row.
2. With a ``run`` column of ``r < limit`` runs: ``k = ceil(n / (limit - r))``, the smallest
   step that keeps at most ``limit`` rows; within each run (in ``step`` order when there is
   a step column, else in row order) keep the last row and every k-th row before it. Each
   run keeps its final checkpoint, and its curve keeps its shape.
3. With ``r >= limit`` runs: each run's last row, then every j-th of those
   (``j = ceil(r / limit)``).
4. Without a ``run`` column: ``k = ceil(n / limit)``; the rows in order of x, every k-th,
   and the row of largest x.

Only the drawing is thinned: the fits, the residuals' statistics, the tables and the plans
use every row.

>>> import numpy as np, pandas as pd, scalinglaws as sl
>>> frame = pd.DataFrame({"run": np.repeat(["a", "b"], 10), "step": np.tile(np.arange(10), 2),
...                       "params": 1e8, "tokens": np.arange(1, 21) * 1e9, "loss": 3.0})
>>> kept = thin(sl.Dataset.from_frame(frame), np.arange(20.0), limit=8)
>>> kept.rows.tolist()
[1, 5, 9, 11, 15, 19]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..data.dataset import Dataset

#: the most markers one figure draws for its runs (shared among its data traces): a sweep of
#: up to this many rows is drawn whole
MAX_MARKERS = 1500
#: the fewest markers a data trace gets when several share a figure's budget
MIN_MARKERS = 200


@dataclass(frozen=True)
class Thinned:
    """The rows to draw (indices into the data, ascending) and how they were chosen."""

    rows: np.ndarray
    total: int
    rule: str = ""  #: empty when every row is drawn

    @property
    def thinned(self) -> bool:
        return len(self.rows) < self.total


def budget(n_traces: int) -> int:
    """Markers per data trace when ``n_traces`` share a figure."""
    return max(MAX_MARKERS // max(n_traces, 1), MIN_MARKERS)


def thin(ds: Dataset, x: np.ndarray, limit: int = MAX_MARKERS) -> Thinned:
    """The rows of ``ds`` to draw against ``x`` (one value per row) with at most about
    ``limit`` markers; see the module's rule."""
    n = len(ds)
    if n <= limit:
        return Thinned(np.arange(n), n)
    if not ds.has("run"):
        k = math.ceil(n / limit)
        order = np.argsort(np.where(np.isfinite(x), x, np.inf), kind="stable")
        keep = np.union1d(order[::k], order[-1:])
        return Thinned(keep, n, f"every {_nth(k)} row in order of x and the last")
    runs = len(set(map(str, ds.labels("run"))))
    in_order = " in step order" if ds.has("step") else ""
    if runs >= limit:
        j = math.ceil(runs / limit)
        keep = np.sort(_per_run(ds, n))[::j]
        return Thinned(keep, n, f"the last row of every {_nth(j)} run{in_order}")
    k = math.ceil(n / (limit - runs))
    return Thinned(np.sort(_per_run(ds, k)), n,
                   f"each run's last row and every {_nth(k)} before it{in_order}")


def _per_run(ds: Dataset, k: int) -> np.ndarray:
    """Per run, its last row (by step) and every k-th before it."""
    runs = np.asarray([str(v) for v in ds.labels("run")], dtype=object)
    step = ds.column("step") if ds.has("step") else np.arange(len(ds), dtype=float)
    order = np.lexsort((np.arange(len(ds)), step, runs))  # by run, then step, then row
    sorted_runs = runs[order]
    starts = np.flatnonzero(np.r_[True, sorted_runs[1:] != sorted_runs[:-1]])
    ends = np.r_[starts[1:], len(order)]
    position = np.arange(len(order)) - np.repeat(starts, ends - starts)
    length = np.repeat(ends - starts, ends - starts)
    return order[(length - 1 - position) % k == 0]


def _nth(k: int) -> str:
    """``2nd``, ``3rd``, ``50th``, ``101st``."""
    if k % 100 in (11, 12, 13):
        return f"{k}th"
    return f"{k}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th') }"


def note(parts: list[Thinned]) -> str:
    """A sentence for the figure: how many rows are drawn and by which rule (empty when all
    are)."""
    thinned = [t for t in parts if t.thinned]
    if not thinned:
        return ""
    drawn = sum(len(t.rows) for t in parts)
    total = sum(t.total for t in parts)
    rules = "; ".join(dict.fromkeys(t.rule for t in thinned))
    return (f"Drawn: {drawn:,} of {total:,} rows ({rules}). The fits, the tables and the "
            "plans use every row.")
