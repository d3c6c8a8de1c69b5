"""Run states as data: a ``status`` column says whether each run finished, and a fit leaves out
the runs that did not.

The states are ``finished``, ``diverged``, ``unfinished`` and ``failed``; the words trackers
use for them are read as those (MLflow's FINISHED, FAILED, KILLED, RUNNING; W&B's finished,
crashed, failed, running), any case. Any other value is an error that lists the states.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import DataError

STATES = ("finished", "diverged", "unfinished", "failed")
#: the words of trackers and logs, read as the states
SYNONYMS = {
    "finished": "finished", "completed": "finished", "complete": "finished", "done": "finished",
    "success": "finished", "succeeded": "finished", "ok": "finished",
    "diverged": "diverged", "nan": "diverged", "divergence": "diverged",
    "unfinished": "unfinished", "running": "unfinished", "preempted": "unfinished",
    "scheduled": "unfinished", "pending": "unfinished", "queued": "unfinished",
    "failed": "failed", "crashed": "failed", "killed": "failed", "error": "failed",
    "cancelled": "failed", "canceled": "failed",
}


def normalised_states(series: pd.Series) -> pd.Series:
    """The ``status`` column in the four states, or a DataError naming the values it cannot
    read and the rows that hold them."""
    text = series.astype("string").str.strip().str.lower()
    mapped = text.map(SYNONYMS)
    bad = mapped.isna()
    if bad.any():
        unknown = sorted(set(series[bad.to_numpy()].astype(str)))
        rows = np.flatnonzero(bad.to_numpy())
        raise DataError(
            f"the status column holds {len(unknown)} value(s) it cannot read: "
            f"{', '.join(map(repr, unknown[:5]))}",
            f"column 'status', rows {rows[:5].tolist()} (counting from 0)",
            f"use one of {', '.join(STATES)} (or a tracker's word for one: finished, "
            "crashed, killed, running, ...)")
    return mapped.astype(object)

