"""What the planners share: checks of the numbers a query asks about (budgets, losses, sizes),
of the law it asks (one of params and tokens), and the JSON form of per-query answers."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..common import latex
from ..common.display import frame_cells, html_paragraph, html_table, text_table
from ..common.numbers import span, times
from ..exceptions import OptionError, QueryError
from ..fitting import FitResult

Array = np.ndarray


def positive_values(value: Any, name: str, example: str) -> Array:
    """A flat array of positive finite numbers, or an OptionError naming the argument."""
    try:
        out = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    except (TypeError, ValueError):
        out = np.array([np.nan])
    if out.size == 0 or not np.isfinite(out).all() or (out <= 0).any():
        raise OptionError(f"{name} must be positive finite numbers, got {value!r}",
                          f"argument '{name}'", f"e.g. {example}")
    return out


def flops_budgets(flops: Any) -> Array:
    """Training budgets in FLOPs: one or more positive finite numbers, as a flat array."""
    return positive_values(flops, "flops", "flops=5.76e23 or flops=[1e21, 1e23]")


def params_tokens_symbols(fit: FitResult) -> tuple[str, str]:
    """The symbols of the fitted law that read ``params`` and ``tokens``, or a QueryError
    when the law reads other inputs."""
    cols = dict(fit.columns)
    by_col = {c: s for s, c in cols.items()}
    if set(cols.values()) != {"params", "tokens"}:
        raise QueryError(
            f"compute-optimal allocation needs a law of params and tokens; "
            f"'{fit.law.name}' reads {', '.join(cols.values())}",
            f"law '{fit.law.name}'",
            "fit a law with N (params) and D (tokens) inputs, e.g. 'chinchilla'")
    return by_col["params"], by_col["tokens"]


class PerQuery(abc.ABC):
    """An answer with one row per query: :meth:`to_frame` is the table of ``_columns``, which
    each answer defines (and ``to_dict`` reads through :func:`query_record`). ``print`` shows
    the table with readable numbers, a notebook its HTML, :meth:`to_latex` a booktabs table."""

    #: how many leading columns are labels (left-aligned in the text and HTML tables)
    _label_columns = 0

    @abc.abstractmethod
    def _columns(self) -> dict[str, Array]:
        """The answer's per-query columns, in table order."""

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._columns())

    # -- presentation (an answer may add its title, intervals and notes) -----------------------
    def _title(self) -> str:
        return type(self).__name__

    def _intervals(self) -> list[tuple[str, Any]]:
        """``(label, (queries, 2) array)`` of each interval the answer carries."""
        return []

    def _notes(self) -> list[str]:
        return [f"warning: {w}" for w in getattr(self, "warnings", ())]

    def _shown(self, text: bool) -> pd.DataFrame:
        """The table people see: the columns, how far beyond the data each query lies and
        the intervals (``text``: each interval as one readable ``lo–hi`` cell; else its ends
        as numbers)."""
        frame = self.to_frame().rename(columns=lambda c: str(c).replace("_per_", "/"))
        ext = getattr(self, "extrapolation", None)
        if ext is not None:
            factors = np.asarray(ext, dtype=float)
            frame["beyond data"] = ([("inside" if f <= 1 else times(f)) for f in factors]
                                    if text else factors)
        for label, band in self._intervals():
            pairs = np.asarray(band, dtype=float).reshape(-1, 2)
            if text:
                frame[label] = [span(lo, hi) for lo, hi in pairs]
            else:
                frame[f"{label} lower"], frame[f"{label} upper"] = pairs[:, 0], pairs[:, 1]
        return frame

    def __str__(self) -> str:
        header, rows = frame_cells(self._shown(text=True))
        return "\n".join([self._title(), text_table(header, rows, left=self._label_columns),
                          *self._notes()])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        header, rows = frame_cells(self._shown(text=True))
        notes = "".join(html_paragraph(n) for n in self._notes())
        return html_table(header, rows, caption=self._title(),
                          left=self._label_columns) + notes

    def to_latex(self) -> str:
        """The table as a booktabs ``tabular`` (intervals as lower and upper columns)."""
        return latex.frame_tabular(self._shown(text=False))


def scalar_or_list(a: Array) -> Any:
    """JSON form of a per-query array: a float for one query, else a list of floats."""
    return float(a[0]) if a.size == 1 else [float(v) for v in a]


def query_record(columns: Mapping[str, Any]) -> dict[str, Any]:
    """JSON form of per-query columns (:func:`scalar_or_list` of each), in their order."""
    return {name: scalar_or_list(np.asarray(values)) for name, values in columns.items()}


class RowsPlan(PerQuery):
    """A plan whose answer is a table ``rows`` whose first row is the recommendation (the
    rows after it are what it is compared with): its params, tokens and loss."""

    rows: pd.DataFrame

    @property
    def params(self) -> float:
        return float(self.rows["params"].iloc[0])

    @property
    def tokens(self) -> float:
        return float(self.rows["tokens"].iloc[0])

    @property
    def loss(self) -> float:
        return float(self.rows["loss"].iloc[0])
