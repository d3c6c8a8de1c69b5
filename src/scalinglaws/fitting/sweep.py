"""A learning-rate × batch-size sweep read for a hyper-parameter law: the runs' model size,
tokens, learning rate, batch size and loss as arrays, grouped into (params, tokens) cells.

Columns are mapped as in every fit (``columns={"batch_size": "bs"}``: roles are renamed, the
batch size is read from the column named under ``batch_size``, default ``batch_size``). A
batch size counted in sequences becomes tokens with ``seq_len=`` (recorded with the fit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common.names import close_names
from ..common.warning import warn
from ..data.dataset import Dataset
from ..data.validation import rows_text
from ..exceptions import DataError, OptionError
from .columns import finished_only, split_columns, with_roles

#: the key of ``columns=`` that names the batch-size column (not a role of the data)
BATCH = "batch_size"


@dataclass(frozen=True)
class Sweep:
    """The runs of a sweep, checked: one entry per run with a finite loss."""

    params: np.ndarray
    tokens: np.ndarray
    lr: np.ndarray
    batch: np.ndarray  # tokens per step with seq_len, else as the column counts them
    loss: np.ndarray
    cell: np.ndarray  # index into ``cells`` per run
    cells: tuple[tuple[float, float], ...]  # (params, tokens) of each cell, sorted
    target: str
    columns: Mapping[str, str]
    seq_len: float | None
    dataset: str | None

    @property
    def n_runs(self) -> int:
        return int(self.loss.size)

    def input_ranges(self) -> dict[str, tuple[float, float]]:
        return {"params": (float(self.params.min()), float(self.params.max())),
                "tokens": (float(self.tokens.min()), float(self.tokens.max()))}


def read_sweep(data: Any, *, columns: Mapping[str, str] | None = None, y: str | None = None,
               seq_len: float | None = None, keep_unfinished: bool = False) -> Sweep:
    """The sweep in ``data`` (a Dataset or DataFrame): every column it needs is named at once
    when missing; learning rates and batch sizes must be positive and finite; runs whose loss
    is not finite (crashed) are left out with a warning naming how many."""
    columns = dict(columns or {})
    batch_col = columns.pop(BATCH, BATCH)
    renames, rest = split_columns(columns)
    if rest:
        raise OptionError(f"unknown key(s) {', '.join(map(repr, rest))} in columns=",
                          "argument 'columns'", "map params, tokens, lr, loss or batch_size "
                          "to your columns, e.g. columns={'batch_size': 'bs'}")
    ds, note = finished_only(with_roles(data, renames), keep_unfinished)
    if note:
        warn(note)
    target = y or "loss"
    _check_columns(ds, ["params", "tokens", "lr", batch_col, target])
    frame = ds.to_frame()
    values = {name: _numbers(frame[col], col) for name, col in (
        ("params", "params"), ("tokens", "tokens"), ("lr", "lr"), ("batch", batch_col),
        ("loss", target))}
    for name, col in (("params", "params"), ("tokens", "tokens"), ("lr", "lr"),
                      ("batch", batch_col)):
        _check_positive(values[name], col)
    length = _seq_len(seq_len)
    if length is not None:
        values["batch"] = values["batch"] * length
    keep = np.isfinite(values["loss"]) & (values["loss"] > 0)
    if not keep.all():
        bad = np.flatnonzero(~keep)
        warn(f"left out {bad.size} run(s) whose '{target}' is missing, not finite or not "
             f"positive ({rows_text(bad)}): a crashed run has no final loss")
    values = {k: v[keep] for k, v in values.items()}
    if values["loss"].size == 0:
        raise DataError(f"no run has a finite, positive '{target}'", f"column '{target}'",
                        "check the loss column (y=, CLI --y)")
    pairs = np.column_stack([values["params"], values["tokens"]])
    cells, index = np.unique(pairs, axis=0, return_inverse=True)
    sweep = Sweep(params=values["params"], tokens=values["tokens"], lr=values["lr"],
                  batch=values["batch"], loss=values["loss"], cell=index.ravel(),
                  cells=tuple((float(n), float(d)) for n, d in cells), target=target,
                  columns={**renames, BATCH: batch_col}, seq_len=length, dataset=ds.name)
    _check_swept(sweep, batch_col)
    return sweep


def _check_columns(ds: Dataset, needed: list[str]) -> None:
    missing = list(dict.fromkeys(c for c in needed if not ds.has(c)))
    if not missing:
        return
    hits = [f"{found[0]} for {c}" for c in missing
            for found in [close_names(c, ds.columns, n=1)] if found]
    close = f"; did you mean {', '.join(hits)}" if hits else ""
    names = ", ".join(f"'{c}'" for c in missing)
    raise DataError(f"the sweep has no column {names}, which the step_law fit needs",
                    f"available columns: {', '.join(ds.columns)}{close}",
                    "map them to your columns: columns={'batch_size': 'bs', 'lr': ...} "
                    "(CLI: --col batch_size=bs), and the loss with y= (CLI: --y)")


def _numbers(column: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(column, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"column '{name}' is not numeric", f"column '{name}'",
                        "give numbers (learning rates, batch sizes, losses)") from None


def _check_positive(values: np.ndarray, name: str) -> None:
    bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
    if bad.size:
        raise DataError(f"column '{name}' must be positive and finite (found "
                        f"{values[bad[0]]:g})", f"column '{name}', {rows_text(bad)}",
                        "learning rates, batch sizes, sizes and tokens are positive; drop "
                        "those rows or check the column mapping")


def _seq_len(seq_len: Any) -> float | None:
    if seq_len is None:
        return None
    number = math.nan
    if not isinstance(seq_len, bool | str):
        try:
            number = float(seq_len)
        except (TypeError, ValueError):
            pass
    if not (math.isfinite(number) and number >= 1):
        raise OptionError(f"seq_len must be a number of tokens per sequence, got {seq_len!r}",
                          "argument 'seq_len'", "e.g. seq_len=2048 for batch sizes counted "
                          "in sequences of 2,048 tokens; leave it out for batch sizes in "
                          "tokens")
    return number


def _check_swept(sweep: Sweep, batch_col: str) -> None:
    """Refuse a sweep whose cells never vary the learning rate (or never the batch size):
    no optimum can be located along that axis."""
    for values, name, col in ((sweep.lr, "learning rate", "lr"),
                              (sweep.batch, "batch size", batch_col)):
        counts = [np.unique(np.round(np.log(values[sweep.cell == k]), 3)).size
                  for k in range(len(sweep.cells))]
        if max(counts) < 2:
            raise DataError(f"the {name} is not swept: every (params, tokens) cell has a "
                            f"single {name}, so no optimum can be located",
                            f"column '{col}', {len(sweep.cells)} cell(s)",
                            f"give each (params, tokens) cell several {name}s around its "
                            "best one (at least 3)")
