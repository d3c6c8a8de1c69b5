"""Runs from TensorBoard event files: :func:`from_tensorboard`.

The layout is TensorBoard's own: each sub-folder of the log folder is one run (named after the
folder), and every event file below it belongs to that run; a tag logged in a deeper folder is
prefixed with that folder's path (``eval/loss`` for ``run1/eval/events...``, as a Keras
``validation`` folder or PyTorch's ``add_hparams`` folder writes). Event files directly in the
log folder form one run named after the folder.

Run-level values (model size, token budget, learning rate) come from the hyper-parameters the
run logged (TensorBoard's hparams plugin: ``add_hparams``, ``hp.hparams``), from a scalar
tag (aligned with the metric's steps: ``tokens`` logged at each step), or from ``run_values``,
a table given by hand (``{run: {name: value}}``). TensorBoard records no run state: every run
counts as finished unless ``run_values`` gives its ``status``, or its metric turned NaN or
infinite (``diverged``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...exceptions import DataError
from ..dataset import Dataset
from .events import RunEvents, read_events
from .options import request
from .reduce import Reduction
from .runs import Imported, Progress, TrackedRun, assemble
from .status import OWN_STATES


def from_tensorboard(logdir: str | os.PathLike[str], *, tag: str = "loss",
                     params: Mapping[str, str] | Sequence[str] | None = None,
                     reduce: str | Reduction = "final", mean_last: int | None = None,
                     at_tokens: float | None = None, drop_warmup: float | None = None,
                     min_step: float | None = None, include_unfinished: bool = False,
                     run_values: Any = None, target: str = "loss",
                     progress: Progress | None = None) -> Dataset:
    """The runs of a TensorBoard log folder as a Dataset, each scalar curve reduced to rows.

    Parameters
    ----------
    logdir:
        The folder TensorBoard is pointed at: one sub-folder per run.
    tag:
        The scalar tag to fit (the column ``target``, ``loss`` by default).
    params:
        Columns to add, each from a hyper-parameter or a scalar tag:
        ``{"params": "n_params", "tokens": "tokens_seen"}``.
    reduce, mean_last, at_tokens, drop_warmup, min_step:
        How each curve becomes rows (:class:`~.reduce.Reduction`).
    include_unfinished:
        Keep the runs whose status (from ``run_values``, or ``diverged``) is not finished.
    run_values:
        Values per run given by hand, ``{run: {name: value}}`` or a DataFrame with a ``run``
        column; a ``status`` among them (finished, failed, unfinished, diverged) is the run's.
    progress:
        ``progress(runs_done, runs_total)``, called as runs are read.

    Examples
    --------
    >>> ds = sl.data.from_tensorboard("runs/", tag="train/loss",
    ...                               params={"params": "n_params", "tokens": "tokens"},
    ...                               reduce="curve", drop_warmup=0.1)  # doctest: +SKIP
    """
    return read_tensorboard(logdir, tag=tag, params=params, reduce=reduce,
                            mean_last=mean_last, at_tokens=at_tokens,
                            drop_warmup=drop_warmup, min_step=min_step,
                            include_unfinished=include_unfinished, run_values=run_values,
                            target=target, progress=progress).dataset


def read_tensorboard(logdir: str | os.PathLike[str], *, tag: str,
                     params: Mapping[str, str] | Sequence[str] | None,
                     reduce: str | Reduction, mean_last: int | None,
                     at_tokens: float | None, drop_warmup: float | None,
                     min_step: float | None, include_unfinished: bool, run_values: Any,
                     target: str, progress: Progress | None) -> Imported:
    """:func:`from_tensorboard` with what became of each run (for the command line)."""
    root = Path(os.fspath(logdir))
    if not root.is_dir():
        raise DataError(f"no TensorBoard log folder at {root}" if not root.exists()
                        else f"{root} is a file, not a TensorBoard log folder",
                        f"path {root}", "give the folder TensorBoard is pointed at (one "
                        "sub-folder per run)")
    req = request(metric=tag, params=params, reduce=reduce, mean_last=mean_last,
                  at_tokens=at_tokens, drop_warmup=drop_warmup, min_step=min_step,
                  include_unfinished=include_unfinished, target=target,
                  run_values=run_values, states=OWN_STATES, tracker="TensorBoard",
                  source=f"TensorBoard logs at {root.resolve()}", name=root.name,
                  series_word="tag")
    layout = runs_of(root)
    tracked = []
    for i, (name, files) in enumerate(layout.items()):
        tracked.append(_tracked(name, read_events(files)))
        if progress is not None:
            progress(i + 1, len(layout))
    return assemble(tracked, req)


def runs_of(root: Path) -> dict[str, list[tuple[Path, str]]]:
    """Each run's event files, with the prefix of their tags (see the module's docstring)."""
    files = sorted(p for p in root.rglob("*tfevents*") if p.is_file())
    runs: dict[str, list[tuple[Path, str]]] = {}
    for path in files:
        parts = path.relative_to(root).parts
        name = root.resolve().name if len(parts) == 1 else parts[0]
        prefix = "".join(f"{part}/" for part in parts[1:-1])
        runs.setdefault(name, []).append((path, prefix))
    if not runs:
        inside = sorted(p.name for p in root.iterdir())[:20]
        raise DataError(f"no TensorBoard event file (events.out.tfevents.*) under {root}",
                        f"folder {root} holds: {', '.join(inside) or 'nothing'}",
                        "give the folder TensorBoard is pointed at (one sub-folder per run)")
    return dict(sorted(runs.items()))


def _tracked(name: str, events: RunEvents) -> TrackedRun:
    def load(tag: str) -> pd.DataFrame:
        points = events.scalars[tag]
        frame = pd.DataFrame(points, columns=["step", "time", "value"])
        # a step logged twice (a restart from a checkpoint): the later value stands
        frame = frame.sort_values(["step", "time"], kind="stable")
        return frame.drop_duplicates("step", keep="last")[["step", "value"]]

    return TrackedRun(name=name, state=None, values=events.hparams,
                      series=set(events.scalars), load=load)
