"""The tables of selection, law comparison and backtests shown to people: relative errors and
coverages as percentages, other numbers readable, text for ``print``, HTML for a notebook,
booktabs LaTeX for a paper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..common import latex
from ..common.display import cell, html_paragraph, html_table, text_table
from ..common.numbers import percent

#: columns that hold fractions shown as percentages
PERCENT = frozenset({"error", "nested_error", "mean_abs_rel_error", "max_abs_rel_error",
                     "median_abs_rel_error", "coverage", "spread", "abs_rel_error"})
#: column headers in words
HEADERS = {"n_params": "parameters", "error": "held-out error", "nested_error": "nested error",
           "mean_abs_rel_error": "mean |rel. error|", "max_abs_rel_error": "max |rel. error|",
           "rmse_log": "RMSE (log)", "n_test": "held-out points", "n": "runs"}
#: columns that hold words (left-aligned)
WORDS = frozenset({"law", "choice", "status", "fold"})


@dataclass(frozen=True)
class Shown:
    """Some columns of a result's table, with a title."""

    title: str
    frame: pd.DataFrame
    columns: Sequence[str]

    def _cells(self) -> tuple[list[str], list[list[str]], str]:
        cols = [c for c in self.columns if c in self.frame]
        rows = [[_cell(c, v) for c, v in zip(cols, row, strict=True)]
                for row in self.frame[cols].itertuples(index=False)]
        align = "".join("l" if c in WORDS else "r" for c in cols)
        return [HEADERS.get(c, c) for c in cols], rows, align

    def text(self) -> str:
        header, rows, align = self._cells()
        return f"{self.title}\n{text_table(header, rows, align=align)}"

    def html(self) -> str:
        header, rows, align = self._cells()
        return html_table(header, rows, caption=self.title, align=align)

    def latex(self) -> str:
        cols = [c for c in self.columns if c in self.frame]
        rows = [[latex.Raw(latex.escape(_cell(c, v))) if c in PERCENT else latex.plain(v)
                 for c, v in zip(cols, row, strict=True)]
                for row in self.frame[cols].itertuples(index=False)]
        align = "".join("l" if c in WORDS else "r" for c in cols)
        return latex.tabular([HEADERS.get(c, c) for c in cols], rows, align=align)


def _cell(column: str, value: object) -> str:
    if column in PERCENT:
        try:
            v = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)
        return percent(v) if v == v else "—"
    return cell(value)


def render(parts: Sequence[Shown], lines: Sequence[str]) -> tuple[str, str]:
    """The tables and closing lines as text and as HTML."""
    text = "\n\n".join(p.text() for p in parts) + "".join(f"\n{line}" for line in lines)
    html = "".join(p.html() for p in parts) + "".join(html_paragraph(x) for x in lines)
    return text, html
