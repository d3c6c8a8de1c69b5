"""Run states: each tracker's word for how a run ended, mapped to one ``status`` vocabulary.

``finished`` (ran to its end), ``failed`` (crashed or errored), ``unfinished`` (still running,
killed, pre-empted or queued) and ``diverged`` (its metric turned NaN or infinite). Runs that
are not ``finished`` are left out of an import by default, with a warning naming them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...exceptions import DataError

#: the status values of an imported dataset
STATUSES = ("finished", "failed", "unfinished", "diverged")

#: MLflow's run statuses (``RunStatus``)
MLFLOW_STATES = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "unfinished",
                 "RUNNING": "unfinished", "SCHEDULED": "unfinished"}
#: Weights & Biases' run states (the ``State`` column of an export, ``run.state``)
WANDB_STATES = {"finished": "finished", "failed": "failed", "crashed": "failed",
                "killed": "unfinished", "running": "unfinished", "pending": "unfinished",
                "preempting": "unfinished", "preempted": "unfinished"}
#: the words a per-run table (``run_values``) may give in a ``status`` column
OWN_STATES = {s: s for s in STATUSES}


def map_status(state: Any, table: Mapping[str, str], tracker: str, run: str) -> str:
    """``state``, the tracker's word for how ``run`` ended, in :data:`STATUSES`; a word the
    table does not know is a DataError naming the run and the words it knows."""
    word = str(state).strip()
    for key in (word, word.upper(), word.lower()):
        if key in table:
            return table[key]
    known = ", ".join(dict.fromkeys(table))
    raise DataError(f"cannot map the {tracker} run state {word!r} to a status",
                    f"run '{run}'",
                    f"a state is one of {known}; correct the value, or give the run's "
                    "status in run_values (one of " + ", ".join(STATUSES) + ")")


def left_out_text(left: Mapping[str, str], limit: int = 10) -> str:
    """``a (failed), b (unfinished) and 3 more`` for the runs left out and their status."""
    items = [f"{name} ({status})" for name, status in left.items()]
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")


def names_text(names: list[str], limit: int = 10) -> str:
    """``'a', 'b' and 3 more``."""
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    more = len(names) - limit
    return shown + (f" and {more} more" if more > 0 else "")
