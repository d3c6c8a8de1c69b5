"""A comparison of two setups shown to people: the verdict, the multiplier over budgets and
the sensitivity table, as text for ``print`` and HTML for a notebook."""

from __future__ import annotations

from typing import Any

from ..common.display import html_paragraph, html_table, text_table
from ..common.numbers import readable, times

HEADER = ["fitting choice", "compute multiplier", "A better", "status"]


def _rows(cmp: Any) -> list[list[str]]:
    if cmp.sensitivity is None:
        return []
    rows = []
    for row in cmp.sensitivity.to_dict(orient="records"):
        status = str(row["status"])
        verdict = ("tie" if row["a_better"] is None and not status.startswith("error")
                   else "—" if row["a_better"] is None else str(row["a_better"]))
        rows.append([str(row["choice"]), times(row["compute_multiplier"], 3), verdict, status])
    return rows


def _lines(cmp: Any) -> list[str]:
    flops, m = cmp.flops, cmp.multiplier
    lines = []
    if len(flops):
        lines.append(f"compute multiplier from {times(m[0], 3)} at {readable(flops[0])} FLOPs "
                     f"to {times(m[-1], 3)} at {readable(flops[-1])} FLOPs")
    return lines + [f"warning: {w}" for w in cmp.warnings]


def text(cmp: Any) -> str:
    parts = [cmp.statement()]
    rows = _rows(cmp)
    if rows:
        parts += ["sensitivity to the fitting choice:", text_table(HEADER, rows, align="lrll")]
    return "\n".join(parts + _lines(cmp))


def html(cmp: Any) -> str:
    rows = _rows(cmp)
    table = (html_table(HEADER, rows, caption="sensitivity to the fitting choice",
                        align="lrll") if rows else "")
    return (html_paragraph(cmp.statement()) + table
            + "".join(html_paragraph(line) for line in _lines(cmp)))
