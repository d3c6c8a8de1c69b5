"""The groups of a joint fit (:mod:`.shared`): each row's group, the indicator columns of the
joint law, and the runs a saved joint fit carries (the rows without the indicators, which
are rebuilt from the ``by`` column when the fit is read)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..data import saved
from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError, ResultFileError
from ..laws.law import Law
from .result import FitResult

#: most groups in one joint fit (the joint law has one copy of the law per group)
MAX_GROUPS = 64


def indicator(k: int) -> str:
    """Symbol and column of group ``k``'s indicator."""
    return f"in_group__{k}"


def group_labels(ds: Dataset, by: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each row's group index and the groups' labels (as text, in order of appearance)."""
    if not ds.has(by):
        raise OptionError(f"no column '{by}' to group by", "argument 'by'",
                          f"use one of {', '.join(ds.columns)}")
    raw = ds.labels(by)
    if pd.isna(pd.Series(raw)).any():
        row = int(np.flatnonzero(pd.isna(pd.Series(raw)).to_numpy())[0])
        raise OptionError(f"column '{by}' has an empty label", f"row {row}",
                          "fill it in or drop the row")
    text = np.array([str(v) for v in raw], dtype=object)
    labels = tuple(dict.fromkeys(text))
    if len(labels) > MAX_GROUPS:
        raise OptionError(f"{len(labels)} groups in '{by}'; a joint fit takes at most "
                          f"{MAX_GROUPS}", "argument 'by'",
                          "fit subsets of the groups, or group more coarsely")
    index = {lab: k for k, lab in enumerate(labels)}
    return np.array([index[t] for t in text]), labels


def with_indicators(ds: Dataset, groups: np.ndarray, n_groups: int) -> Dataset:
    """The runs with one 0/1 indicator column per group (the joint fit's data)."""
    frame = ds.to_frame().copy()
    for k in range(n_groups):
        frame[indicator(k)] = (groups == k).astype(float)
    return Dataset.from_frame(frame, name=ds.name, citation=ds.citation, source=ds.source,
                              convention=ds.convention)


def _used(law: Law, target: str) -> list[str]:
    return [*(str(c) for c in law.inputs.values() if c), target]


def runs_record(joint: FitResult, law: Law, by: str) -> dict[str, Any]:
    """A joint fit's record of its runs: the columns ``law`` (one group's law) reads and
    ``by`` (embedded when small), or where they were read from; nothing without runs."""
    if isinstance(joint.data, Dataset):
        return saved.data_record(joint.data, _used(law, joint.target), extra=(by,))
    return {"data_source": joint.data_source} if joint.data_source else {}


def runs_from_record(d: Mapping[str, Any], joint: FitResult, by: str,
                     groups: tuple[str, ...]) -> FitResult:
    """``joint`` carrying the runs of a joint fit's record ``d`` (with their indicators);
    embedded runs that do not give the fitted groups and fingerprint are a ResultFileError,
    runs that cannot be read again from their file are left out."""
    source = d.get("data_source")
    source = source if isinstance(source, str) and source else None
    try:
        if isinstance(d.get("data"), Mapping):
            base = saved.rebuild(d["data"], joint.dataset)
        elif source is not None:
            base = saved.read_source(source, joint.dataset)
        else:
            return joint
        index, labels = group_labels(base, by)
        ds = with_indicators(base, index, len(labels))
        if labels != groups or not saved.same_data(ds, joint.fingerprint,
                                                   _used(joint.law, joint.target)):
            raise DataError("the runs are not those of the joint fit", "field 'data'",
                            saved.PASS_DATA)
    except (DataError, OptionError) as exc:
        if "data" in d:
            raise ResultFileError(f"the data embedded in the joint fit record do not match "
                                  f"it ({exc.what})", "field 'data'",
                                  "save the fit again") from None
        return dataclasses.replace(joint, data_source=source)  # its file changed or is gone
    return dataclasses.replace(joint, data=ds, data_source=source)
