"""Loss curves as data: runs logged at several steps (long format: ``run``, ``step``,
``tokens``, ``loss``, ``lr``...), checked, thinned to log-spaced checkpoints, with the early
part of training dropped (Choshen et al. 2025, "A Hitchhiker's Guide to Scaling Law
Estimation": fit on checkpoints, without the first 10% of training), or reduced to each run's
final point.

Checkpoints are not a free improvement: on the open-LM sweep of Li et al., no recipe of them
(late, thinned, weighted by run, with a schedule term) forecast larger runs' final losses better
than final points alone once the recipe was chosen without the held-out runs
(``docs/checkpoints.md``). Weight runs equally (:func:`run_weights`) if you fit them, and
backtest on final points (``backtest(..., score=is_final(curves), cluster="run")``).

>>> import pandas as pd, scalinglaws as sl
>>> t = pd.DataFrame({"run": ["a"] * 5 + ["b"] * 5, "step": list(range(1, 6)) * 2,
...                   "loss": [5, 4, 3.5, 3.2, 3.0, 6, 5, 4.5, 4.2, 4.0]})
>>> sl.data.curves.late(t, 0.5)["step"].tolist()
[3, 4, 5, 3, 4, 5]
>>> sl.data.curves.finals(t)["loss"].tolist()
[3.0, 4.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..common.warning import warn
from ..exceptions import DataError, OptionError
from .dataset import Dataset

#: the fraction of each run dropped by :func:`late` unless told (the Hitchhiker's Guide's)
EARLY_FRACTION = 0.1


def _frame(data: Any) -> tuple[pd.DataFrame, Dataset | None]:
    if isinstance(data, Dataset):
        return data.to_frame(), data
    if isinstance(data, pd.DataFrame):
        return data, None
    raise DataError(f"curves are a Dataset or a DataFrame, got {type(data).__name__}",
                    "argument 'data'", "read the checkpoints with sl.Dataset.read(...)")


def _out(data: Any, frame: pd.DataFrame, rows: np.ndarray) -> Any:
    if isinstance(data, Dataset):
        return data.subset(rows)
    return frame.iloc[rows].reset_index(drop=True)


def _columns(frame: pd.DataFrame, run: str, step: str) -> tuple[np.ndarray, np.ndarray]:
    for name, what in ((run, "run"), (step, "step")):
        if name not in frame.columns:
            raise DataError(f"the curves have no {what} column '{name}'",
                            f"columns: {', '.join(map(str, frame.columns))}",
                            f"name it with {what}=...")
    steps = pd.to_numeric(frame[step], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(steps))
    if bad.size:
        raise DataError(f"column '{step}' has values that are not numbers",
                        f"rows {bad[:5].tolist()} (counting from 0)", "give every row a step")
    return frame[run].astype(str).to_numpy(), steps


def check(data: Any, *, run: str = "run", step: str = "step") -> None:
    """Refuse curves whose steps do not increase within a run (rows out of order or logged
    twice: sort by run and step, or drop the repeats) and warn of runs with a single point
    (a curve of one point is a final point, not a curve)."""
    frame, _ = _frame(data)
    runs, steps = _columns(frame, run, step)
    order = pd.DataFrame({"run": runs, "step": steps})
    previous = order.groupby("run", sort=False)["step"].shift()
    bad = np.flatnonzero((order["step"] <= previous).to_numpy())
    if bad.size:
        names = list(dict.fromkeys(runs[bad]))[:3]
        raise DataError(f"the steps do not increase within run(s) {', '.join(names)}",
                        f"rows {bad[:5].tolist()} (counting from 0), column '{step}'",
                        "sort the table by run and step (frame.sort_values([run, step])) and "
                        "drop repeated steps")
    sizes = order.groupby("run", sort=False).size()
    single = sizes[sizes == 1].index.tolist()
    if single:
        shown = ", ".join(single[:5]) + (f" and {len(single) - 5} more" if len(single) > 5
                                         else "")
        warn(f"{len(single)} run(s) have a single logged point: {shown}; their curve is one "
             "point")


def late(data: Any, fraction: float = EARLY_FRACTION, *, run: str = "run",
         step: str = "step") -> Any:
    """The rows at or after ``fraction`` of each run's last step (a run's last row always
    stays): without the early part of training, whose losses no law of N and D describes."""
    if not 0 <= fraction < 1:
        raise OptionError(f"fraction must lie in [0, 1), got {fraction!r}",
                          "argument 'fraction'", "e.g. 0.1 to drop the first 10%")
    frame, _ = _frame(data)
    runs, steps = _columns(frame, run, step)
    last = pd.Series(steps).groupby(runs).transform("max").to_numpy()
    return _out(data, frame, np.flatnonzero(steps >= fraction * last))


def thin(data: Any, per_run: int = 20, *, run: str = "run", step: str = "step") -> Any:
    """At most ``per_run`` checkpoints per run, spaced evenly in log(step) (the last always
    kept): long curves logged every few steps would otherwise outweigh short ones."""
    if not isinstance(per_run, int | np.integer) or per_run < 1:
        raise OptionError(f"per_run must be a positive integer, got {per_run!r}",
                          "argument 'per_run'", "e.g. 20")
    frame, _ = _frame(data)
    runs, steps = _columns(frame, run, step)
    keep: list[int] = []
    for positions in pd.Series(np.arange(len(frame))).groupby(runs, sort=False).groups.values():
        rows = np.asarray(positions)
        if rows.size <= per_run:
            keep.extend(rows.tolist())
            continue
        s = steps[rows]
        logs = np.log(np.maximum(s, 1.0))
        targets = np.linspace(logs.min(), logs.max(), per_run)
        picked = {int(np.argmin(np.abs(logs - t))) for t in targets}
        picked.add(int(np.argmax(s)))
        keep.extend(rows[sorted(picked)].tolist())
    return _out(data, frame, np.sort(np.asarray(keep, dtype=int)))


def finals(data: Any, *, run: str = "run", step: str = "step") -> Any:
    """Each run's last logged row (its largest step)."""
    frame, _ = _frame(data)
    runs, steps = _columns(frame, run, step)
    order = pd.DataFrame({"run": runs, "step": steps, "i": np.arange(len(frame))})
    rows = order.sort_values(["step", "i"]).groupby("run", sort=False)["i"].last()
    return _out(data, frame, np.sort(rows.to_numpy()))


def is_final(data: Any, *, run: str = "run", step: str = "step") -> np.ndarray:
    """True for each run's last logged row (a mask over the rows)."""
    frame, _ = _frame(data)
    runs, steps = _columns(frame, run, step)
    last = pd.Series(steps).groupby(runs).transform("max").to_numpy()
    return steps == last


def run_weights(data: Any, *, run: str = "run", final: float = 0.0) -> np.ndarray:
    """Weights that give every run the same total (1 / its number of rows), so that a run
    logged 100 times does not count 100 times a run logged once; ``final`` > 0 gives each
    run's last row that share of the run's weight (the rest shared by its checkpoints)."""
    if not 0 <= final <= 1:
        raise OptionError(f"final must lie in [0, 1], got {final!r}", "argument 'final'",
                          "e.g. 0.5: half of each run's weight on its final point")
    frame, _ = _frame(data)
    runs = frame[run].astype(str).to_numpy() if run in frame.columns else None
    if runs is None:
        raise DataError(f"the curves have no run column '{run}'",
                        f"columns: {', '.join(map(str, frame.columns))}", "name it with run=")
    sizes = pd.Series(runs).map(pd.Series(runs).value_counts()).to_numpy(dtype=float)
    weights = 1.0 / sizes
    if final > 0:
        last = is_final(data, run=run) if "step" in frame.columns else np.zeros(len(frame),
                                                                                  bool)
        single = sizes == 1
        weights = np.where(single, 1.0, np.where(last, final,
                                                 (1.0 - final) / np.maximum(sizes - 1, 1)))
    return weights
