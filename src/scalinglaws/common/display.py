"""Results shown to people: aligned text tables for ``print`` and HTML tables for a notebook's
``_repr_html_``, every user-supplied string escaped; numbers through
:func:`~scalinglaws.common.numbers.readable`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from .numbers import readable

#: the CSS class of every table the library's results render
CLASS = "scalinglaws"


def cell(value: Any, digits: int = 4) -> str:
    """One table cell as text: numbers readable (``4.192×10⁷``), ``—`` for a missing one;
    anything else as ``str``."""
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str):
        value = item()  # a numpy scalar
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return readable(value, digits)
    return str(value)


def frame_cells(frame: Any, columns: Sequence[str] | None = None,
                digits: int = 4) -> tuple[list[str], list[list[str]]]:
    """A DataFrame's header and rows as text cells (all columns, or ``columns``)."""
    cols = list(columns) if columns is not None else [str(c) for c in frame.columns]
    rows = [[cell(v, digits) for v in row] for row in frame[cols].itertuples(index=False)]
    return cols, rows


def _alignment(n: int, left: int, align: str | None) -> str:
    """One letter per column, ``l`` or ``r``: ``align`` when given, else the first ``left``
    columns ``l`` and the others ``r`` (numbers)."""
    return align if align is not None else "l" * left + "r" * max(n - left, 0)


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]],
               left: int = 1, align: str | None = None) -> str:
    """An aligned plain-text table: the first ``left`` columns left-aligned, the others
    right-aligned (numbers), or as ``align`` says (``"lrrl"``); a rule under the header;
    nothing is cut.

    >>> print(text_table(["law", "error"], [["chinchilla", "1.2%"], ["kaplan", "12.5%"]]))
    law         error
    -----------------
    chinchilla   1.2%
    kaplan      12.5%
    """
    body = [list(map(str, r)) for r in rows]
    cells = [list(header), *body]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    sides = _alignment(len(header), left, align)

    def line(r: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if side == "l" else c.rjust(w)
                         for c, w, side in zip(r, widths, sides, strict=True)).rstrip()

    return "\n".join([line(header), "-" * (sum(widths) + 2 * (len(widths) - 1)),
                      *(line(r) for r in body)])


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], *,
               caption: str | None = None, left: int = 1, align: str | None = None) -> str:
    """An HTML ``<table>``: header cells, then rows; every cell and the caption escaped;
    columns after the first ``left`` right-aligned (numbers), or as ``align`` says.

    >>> html_table(["law"], [["<b>x</b>"]], caption="a & b")  # doctest: +ELLIPSIS
    '<table class="scalinglaws"><caption>a &amp; b</caption>...&lt;b&gt;x&lt;/b&gt;...'
    """
    out = [f'<table class="{CLASS}">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{escape(str(h))}</th>'
                                       for h in header) + "</tr></thead><tbody>")
    sides = _alignment(len(header), left, align)
    for r in rows:
        out.append("<tr>" + "".join(
            f"<td>{escape(str(c))}</td>" if side == "l" else
            f'<td style="text-align:right">{escape(str(c))}</td>'
            for c, side in zip(r, sides, strict=True)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def html_pairs(pairs: Iterable[tuple[str, str]], *, caption: str | None = None) -> str:
    """A two-column HTML table of names and values (both escaped)."""
    out = [f'<table class="{CLASS}">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out += [f'<tr><th scope="row" style="text-align:left">{escape(k)}</th>'
            f"<td>{escape(v)}</td></tr>" for k, v in pairs]
    out.append("</table>")
    return "".join(out)


def text_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """Names and values as aligned ``name: value`` lines."""
    items = list(pairs)
    width = max((len(k) for k, _ in items), default=0) + 1
    return "\n".join(f"{k + ':':<{width}} {v}" for k, v in items)


def html_notes(lines: Iterable[str], label: str = "warning") -> str:
    """Notes (warnings) as an HTML list, escaped; empty when there are none."""
    items = "".join(f"<li>{escape(label)}: {escape(w)}</li>" for w in lines)
    return f"<ul>{items}</ul>" if items else ""


def html_paragraph(text: str) -> str:
    """A line of text as an escaped HTML paragraph."""
    return f"<p>{escape(text)}</p>"


def finite(x: Any) -> bool:
    """Whether ``x`` is a finite number."""
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
