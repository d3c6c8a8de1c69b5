"""Where a report's items come from: each item's data (name and fingerprint, and a note when
the runs plotted are not the runs its law was fitted to), its law, the version, the command
and the time; and the report's default title, from its laws and data.

A fit's fingerprint covers the columns it reads (:func:`~scalinglaws.data.saved.same_data`).
A joint fit read its runs with one 0/1 column per group added (the joint law's indicators),
so the runs given for it are compared with those columns rebuilt from its ``by`` column, in
the fit's order of groups.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data.dataset import Dataset
from ..data.saved import data_fingerprint, same_data
from ..fitting import FitResult, SharedFit
from ..validate.backtesting import Backtest
from .page import key_value_table, text


def used_columns(fit: FitResult) -> list[str]:
    """The columns a fit reads: its law's inputs and its target."""
    return [*(str(c) for c in fit.law.inputs.values() if c), fit.target]


def joint_rows(fit: SharedFit, ds: Dataset) -> Dataset | None:
    """``ds`` as the joint fit read it (with its groups' indicator columns), or None when
    ``ds`` has no ``by`` column or holds a group the fit does not."""
    base = {str(c) for c in fit.law.inputs.values()}
    columns = [str(c) for c in fit.joint.law.inputs.values() if str(c) not in base]
    if len(columns) != len(fit.groups) or not ds.has(fit.by):
        return None
    labels = np.asarray([str(v) for v in ds.labels(fit.by)], dtype=object)
    if not set(labels) <= set(fit.groups):
        return None
    frame = ds.to_frame().copy()
    for column, group in zip(columns, fit.groups, strict=True):
        frame[column] = (labels == group).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the runs were checked when they were read
        return Dataset.from_frame(frame, name=ds.name, citation=ds.citation, source=ds.source)


def fitted_on(item: FitResult | SharedFit, ds: Dataset) -> bool:
    """Whether ``ds`` holds the runs the item's law was fitted to."""
    if isinstance(item, SharedFit):
        view = joint_rows(item, ds)
        return view is not None and same_data(view, item.joint.fingerprint,
                                              used_columns(item.joint))
    return same_data(ds, item.fingerprint, used_columns(item))


def _fit_of(item: Any) -> FitResult:
    if isinstance(item, SharedFit):
        return item.joint
    return item.fit if isinstance(item, Backtest) else item


def provenance_section(items: Sequence[Any], datasets: Sequence[Dataset | None],
               command: str | None, now: str) -> str:
    """Where each item's data and law come from, the version, the command and the time."""
    from ..common.version import __version__

    rows: list[tuple[str, str]] = []  # (label, HTML with every user string escaped)
    for i, (item, ds) in enumerate(zip(items, datasets, strict=True), 1):
        prefix = f"{i}. " if len(items) > 1 else ""
        fit = _fit_of(item)
        law = item.law if isinstance(item, SharedFit) else fit.law
        name = fit.dataset or (ds.name if ds is not None else None) or "(unnamed)"
        what = "training data of the first fold" if isinstance(item, Backtest) else "dataset"
        rows.append((f"{prefix}{what}", f"{text(name)}, fingerprint "
                     f"<code>{text(fit.fingerprint or 'unknown')}</code>"))
        if ds is not None and not isinstance(item, Backtest) and not fitted_on(item, ds):
            view = joint_rows(item, ds) if isinstance(item, SharedFit) else None
            view = ds if view is None else view
            used = used_columns(fit)
            shown = data_fingerprint(view, used) if all(view.has(c) for c in used) else (
                view.fingerprint)
            rows.append((f"{prefix}note", f'<span class="warning">the plotted data (fingerprint '
                         f"<code>{text(shown)}</code>) are not the data this law "
                         "was fitted to</span>"))
        rows.append((f"{prefix}law", f"{text(law.name)}: <code>{text(law.expression)}</code>"))
    rows.append(("scalinglaws version", text(__version__)))
    if command:
        rows.append(("command", f"<code>{text(command)}</code>"))
    rows.append(("generated (UTC)", text(now)))
    return "<section><h2>Provenance</h2>" + key_value_table(rows) + "</section>"


def default_title(items: Sequence[Any], datasets: Sequence[Dataset | None]) -> str:
    """A title from the report's laws and data: ``chinchilla and kaplan on runs.csv``."""
    laws: list[str] = []
    for item in items:
        if isinstance(item, Backtest):
            laws.append(f"backtest of {item.law}")
        elif isinstance(item, SharedFit):
            laws.append(f"{item.law.name} (joint fit across {item.by})")
        else:
            laws.append(item.law.name)
    laws = list(dict.fromkeys(laws))
    if len(laws) > 4:
        laws = [*laws[:3], f"{len(laws) - 3} more"]
    named = ", ".join(laws[:-1]) + " and " + laws[-1] if len(laws) > 1 else laws[0]
    data = list(dict.fromkeys(
        n for n in (_fit_of(item).dataset or (ds.name if ds is not None else None)
                    for item, ds in zip(items, datasets, strict=True)) if n))
    if len(data) > 3:
        data = [*data[:2], f"{len(data) - 2} more datasets"]
    return f"{named} on {', '.join(data)}" if data else named
