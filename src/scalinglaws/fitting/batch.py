"""``fit_batch``: many data sets of one law in one engine call (:mod:`..engine.batch`).

The data sets' columns are read once into (K, n) arrays (data sets of other lengths form
their own batches), the engine fits them together, and each comes back as a
:class:`QuickFit`: its parameters, objective and status, without the single fit's
diagnostics, intervals or copy of the data. A data set the arrays cannot take (a missing
column, a value the law cannot fit) and a problem the batch leaves unconverged are fitted
alone by :func:`scalinglaws.fit`, so each comes back as the single fit's :class:`FitResult`, or
as the :class:`~.many.FitFailure` that says what is wrong with it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..data.validation import rows_valid
from ..engine.batch import BatchSearch, search_batch
from ..engine.links import link_for
from ..engine.optimizer import STATUS_NAMES
from ..engine.options import FitOptions
from ..exceptions import OptionError
from ..laws.law import Law
from .columns import bind_data
from .failure import fit_one
from .metrics import default_loss

Array = np.ndarray
#: the options of sl.fit a batch takes; problems with others are fitted one by one
BATCH_OPTIONS = frozenset({"x", "y", "loss", "delta", "overestimate_penalty", "max_iter"})


@dataclass(frozen=True)
class QuickFit:
    """One problem of a batch: the fitted parameters, the objective at them, the engine's
    status (``converged``, or ``stalled``: settled in a flat valley) and the rows fitted."""

    law: Law
    params: dict[str, float]
    objective: float
    status: str
    n_points: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return True

    @property
    def converged(self) -> bool:
        return self.status in ("converged", "stalled")

    def predict(self, **inputs: Any) -> Any:
        """The law at the fitted parameters (inputs by column or symbol)."""
        out = self.law(self.params, **inputs)
        return float(out) if np.ndim(out) == 0 else out

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"QuickFit({self.law.name}: {values}; {self.status})"


def batchable(options: Mapping[str, Any]) -> bool:
    """Whether a problem with these ``sl.fit`` options can join a batch."""
    return set(options) <= BATCH_OPTIONS


def fit_batch(law: Law | str, datasets: Sequence[Any], *, refit: bool = True,
              threads: int | None = None, **options: Any) -> list[Any]:
    """Fit ``law`` to every data set (DataFrames, Datasets or mappings of arrays) with the same
    ``sl.fit`` options (``x``, ``y``, ``loss``, ``delta``, ``overestimate_penalty``,
    ``max_iter``); one entry per data set, in order: a :class:`QuickFit`, or what
    :func:`scalinglaws.fit` gives for a data set fitted alone (see the module).

    ``refit=False`` returns a problem the batch leaves unconverged as its :class:`QuickFit`
    (status ``max_iter`` or ``failed``) instead of fitting it alone; ``threads`` share the
    compiled kernels' problems (default: the cores this process may use)."""
    if not batchable(options):
        extra = sorted(set(options) - BATCH_OPTIONS)
        raise OptionError(f"a batch does not take the option '{extra[0]}'", "argument "
                          f"'{extra[0]}'", "fit such problems with sl.fit or sl.fit_many")
    out: list[Any] = [None] * len(datasets)
    if not datasets:
        return out
    try:
        plan = BatchPlan.of(law, _frame(datasets[0]), options)
    except Exception:  # the first data set cannot even be bound: every one alone
        return [fit_one(i, law, d, options) for i, d in enumerate(datasets)]
    groups: dict[int, list[tuple[int, Array]]] = {}
    seen: dict[str, Any] = {}
    for i, data in enumerate(datasets):
        block = _block(data, plan.columns, seen)
        if block is None:
            out[i] = fit_one(i, law, _frame(data), options)
        else:
            groups.setdefault(block.shape[0], []).append((i, block))
    for members in groups.values():
        stacked = np.stack([b for _, b in members])  # (K, n, columns)
        valid, found = plan.solve(stacked, threads)
        idx = np.array([i for i, _ in members])
        for k in np.flatnonzero(~valid):
            out[idx[k]] = fit_one(int(idx[k]), law, _frame(datasets[idx[k]]), options)
        if found is None:
            continue
        converged = found.converged
        for row, i in enumerate(idx[valid]):
            if refit and not converged[row]:
                out[i] = fit_one(int(i), law, _frame(datasets[i]), options)
            else:
                out[i] = plan.quick(found, row, stacked.shape[1])
    return out


@dataclass(frozen=True)
class BatchPlan:
    """A law bound to the data's columns and the engine options: what every problem of a batch
    shares. ``columns`` are the inputs' columns, then the target's."""

    law: Law
    columns: list[str]
    options: FitOptions

    @classmethod
    def of(cls, law: Law | str, frame: Any, options: Mapping[str, Any]) -> BatchPlan:
        """Bound on one problem's data (a DataFrame); raises what ``sl.fit`` would."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bound, _ = bind_data(law, frame, x=options.get("x"), y=options.get("y"))
        target = options.get("y") or bound.target
        fit_options = FitOptions(loss=default_loss(target, options.get("loss")),
                                 delta=options.get("delta", 1e-3),
                                 overestimate_penalty=options.get("overestimate_penalty", 1.0),
                                 max_iter=options.get("max_iter", 1000))
        return cls(bound, [*(str(c) for c in bound.inputs.values()), str(target)],
                   fit_options)

    def solve(self, stacked: Array, threads: int | None = None
              ) -> tuple[Array, BatchSearch | None]:
        """Which problems of a (K, n, columns) stack the batch takes (the others break a data
        rule: fitted alone, their error says which), and the engine's search of those."""
        valid = _valid_rows(stacked, self.columns, self.options.loss)
        if not valid.any():
            return valid, None
        taken = stacked if valid.all() else stacked[valid]  # a copy only to leave some out
        arrays = [np.ascontiguousarray(taken[:, :, j]) for j in range(len(self.columns))]
        return valid, search_batch(self.law, arrays[:-1], arrays[-1], self.options,
                                   threads=threads)

    def quick(self, found: BatchSearch, row: int, n_points: int) -> QuickFit:
        """Row ``row`` of a search as a :class:`QuickFit`."""
        names = self.law.parameter_names
        return QuickFit(law=self.law, params=dict(zip(names, found.params[row].tolist(),
                                                      strict=True)),
                        objective=float(found.value[row]),
                        status=STATUS_NAMES[int(found.status[row])], n_points=n_points)


def compact(data: Any) -> Any:
    """A DataFrame of numbers as a dict of its columns' arrays (it crosses to a worker
    process ten times faster); anything else as it is."""
    if not isinstance(data, pd.DataFrame) or not data.columns.is_unique:
        return data
    try:
        block = data.to_numpy(dtype=float)
    except (TypeError, ValueError):
        return data
    return {str(c): block[:, k] for k, c in enumerate(data.columns)}


def _frame(data: Any) -> Any:
    if isinstance(data, Mapping) and not isinstance(data, pd.DataFrame):
        return pd.DataFrame({k: np.asarray(v) for k, v in data.items()})
    return data


def _block(data: Any, columns: list[str], seen: dict[str, Any]) -> Array | None:
    """The columns as an (n, columns) float array, or None where the batch cannot take them
    (a missing column, columns of unequal length, no rows): such a data set is fitted alone,
    and its error said there."""
    try:
        if isinstance(data, pd.DataFrame):
            block = _frame_block(data, columns, seen)
        elif isinstance(data, Dataset):
            block = np.column_stack([np.asarray(data.column(c), dtype=float) for c in columns])
        else:
            arrays = [np.asarray(data[c], dtype=float) for c in columns]
            if any(a.ndim != 1 or a.size != arrays[0].size for a in arrays):
                return None
            block = np.column_stack(arrays)
    except Exception:  # whatever the data set lacks, its single fit says
        return None
    if block is None or block.ndim != 2 or block.shape[0] == 0:
        return None
    return block


def _frame_block(frame: pd.DataFrame, columns: list[str], seen: dict[str, Any]) -> Array | None:
    """A DataFrame's columns through one copy of its block when every column is numeric (a
    couple of microseconds; reading them one by one takes ten times that each). The columns'
    positions are looked up once for frames whose columns equal the last frame's (``seen``
    keeps them)."""
    names = frame.columns
    if "names" in seen and (names is seen["names"] or names.equals(seen["names"])):
        locs = seen["locs"]
    else:
        found = [names.get_loc(c) for c in columns]  # several microseconds each
        locs = [k for k in found if isinstance(k, int)]
        if len(locs) < len(found):  # a column named twice
            return None
        seen.update(names=names, locs=locs)
    whole = frame.to_numpy()  # no conversion: a float frame's block as it is
    if whole.dtype != np.float64:
        try:
            whole = frame.to_numpy(dtype=float)
        except (TypeError, ValueError):  # other columns are not numbers: read ours alone
            return np.column_stack([frame[c].to_numpy(dtype=float) for c in columns])
    return whole[:, locs]


def _valid_rows(stacked: Array, columns: list[str], loss: str) -> Array:
    """Which data sets of a (K, n, columns) stack the batch takes: values finite, within the
    data's own rules for each role and input (sizes positive, steps >= 0...) and, for the
    target, inside the loss's domain; the others are fitted alone, which says what is wrong."""
    ok = np.ones(stacked.shape[0], dtype=bool)
    for j, c in enumerate(columns):
        ok &= rows_valid(stacked[:, :, j], c)
    y = stacked[:, :, -1]
    if loss != "mse":
        with np.errstate(invalid="ignore"):
            ok &= (y > 0).all(axis=1) & link_for(loss).inside(y).all(axis=1)
    return ok
