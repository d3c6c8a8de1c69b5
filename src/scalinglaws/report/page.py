"""HTML pieces of the report: escaping, JSON inside ``<script>``, numbers, tables, figures and
the page itself.

Every string that reaches the page from a user (run, column, file, law and dataset names, the
title, the command) goes through :func:`text` (HTML) or :func:`json_script` (data); nothing
else is interpolated. Every number in a table goes through :func:`num` (or :func:`pair`), so
that one table has one number format (:func:`~scalinglaws.common.numbers.readable`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from ..common.jsonvalues import json_value
from ..common.numbers import readable as _readable
from ..common.numbers import span
from .assets import RENDER_JS, STYLE, plotly_packed

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}


def text(value: Any) -> str:
    """A user string made safe as HTML text or as a quoted attribute value."""
    return escape(str(value), quote=True)


def plotly_text(value: Any) -> str:
    """A user string shown literally by plotly (which reads a few tags such as ``<b>`` and
    the entities ``&lt;`` ``&gt;`` ``&amp;`` in labels): ``<``, ``>`` and ``&`` as entities."""
    return escape(str(value), quote=False)


def json_for_script(document: Any) -> str:
    """JSON that cannot end its ``<script>`` element: ``<``, ``>``, ``&`` (and the two line
    separators JavaScript dislikes) written as ``\\uXXXX`` escapes; NaN and infinities as null."""
    raw = json.dumps(json_value(document), separators=(",", ":"), allow_nan=False,
                     ensure_ascii=False)
    return "".join(_JSON_ESCAPES.get(ch, ch) for ch in raw)


def json_script(document: Any, plot_id: str) -> str:
    """A figure spec as inert data, drawn into ``div#plot_id`` by :data:`RENDER_JS`."""
    return (f'<script type="application/json" data-plot="{text(plot_id)}">'
            f"{json_for_script(document)}</script>")


def num(x: Any, digits: int = 4) -> str:
    """A number for a table cell: ``digits`` significant digits, written out between 10⁻³ and
    10⁴ and as a power of ten beyond (``4.19×10⁷``); ``—`` when missing.

    >>> num(0.3332931), num(41921869.1), num(111.2), num(1412.0, 3), num(float("nan"))
    ('0.3333', '4.192×10⁷', '111.2', '1412', '—')
    """
    try:
        value = float(x)
    except (TypeError, ValueError):
        return text(x)
    return _readable(value, digits)


def pair(lo: Any, hi: Any, digits: int = 4) -> str:
    """An interval for a table cell, ``lo–hi``, in the format of :func:`num`, with digits
    enough to tell its ends apart."""
    return span(lo, hi, digits)


def table(head: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str = "",
          css: str = "", numeric: Sequence[bool] | None = None) -> str:
    """A table whose cells are already-escaped HTML; ``numeric`` right-aligns columns."""
    align = list(numeric) if numeric is not None else [False] * len(head)
    out = [f'<table class="{text(css)}">' if css else "<table>"]
    if caption:
        out.append(f"<caption>{caption}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in head)
               + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        out.append("<tr>" + "".join(
            f'<td class="num">{cell}</td>' if align[i] else f"<td>{cell}</td>"
            for i, cell in enumerate(row)) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def key_value_table(rows: Sequence[tuple[str, str]], css: str = "") -> str:
    """A two-column table: escaped label, already-escaped HTML value."""
    body = "".join(f'<tr><th scope="row">{text(k)}</th><td>{v}</td></tr>' for k, v in rows)
    cls = f' class="{text(css)}"' if css else ""
    return f"<table{cls}><tbody>{body}</tbody></table>"


def warnings_list(messages: Sequence[str]) -> str:
    if not messages:
        return ""
    items = "".join(f"<li>{text(m)}</li>" for m in messages)
    return f'<ul class="warning">{items}</ul>'




def figure(plot_id: str, caption: str, spec: dict[str, Any], notes: Sequence[str] = (),
           css: str = "") -> str:
    """A figure: its caption (escaped here), the div plotly draws into, its spec as inert
    JSON and notes under it (escaped here)."""
    cls = f"plot {css}".strip()
    out = ['<figure class="figure">', f"<figcaption>{text(caption)}</figcaption>",
           f'<div class="{text(cls)}" id="{text(plot_id)}" role="img" '
           f'aria-label="{text(caption)}"></div>', json_script(spec, plot_id)]
    out += [f'<p class="note">{text(n)}</p>' for n in notes if n]
    out.append("</figure>")
    return "\n".join(out)


def document(title: str, body: Sequence[str], plotted: bool, subtitle: str = "") -> str:
    """The whole page; plotly.js (packed, :mod:`.assets`) only when the body holds figures."""
    scripts: list[str] = []
    if plotted:
        scripts = ['<script type="application/octet-stream" id="plotly-js" '
                   f'data-encoding="gzip+base64">{plotly_packed()}</script>',
                   f'<script type="text/javascript">{RENDER_JS}</script>']
    lead = [f"<h1>{text(title)}</h1>"]
    if subtitle:
        lead.append(f'<p class="subtitle">{text(subtitle)}</p>')
    if plotted:
        lead += ['<p id="plot-status" class="warning" hidden></p>',
                 "<noscript>The plots need JavaScript (plotly.js is inlined in this file)."
                 "</noscript>"]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light">',
        f"<title>{text(title)}</title>",
        f"<style>{STYLE}</style></head>",
        "<body>", *lead, *body, *scripts, "</body>", "</html>", "",
    ])
