"""A Dataset shown to people: its name, size, columns with their roles and first rows, as text
for ``print`` and HTML for a notebook."""

from __future__ import annotations

from typing import Any

from ..common.display import frame_cells, html_pairs, html_table, text_table
from .validation import LABEL_ROLES

#: what each role's column holds
ROLE_TEXT = {
    "params": "role: model size N", "tokens": "role: training tokens D",
    "flops": "role: training compute C", "loss": "role: the target",
    "step": "role: training step", "lr": "role: learning rate",
    **{role: "role: label" for role in LABEL_ROLES},
}
#: rows shown under the columns
HEAD = 5


def column_roles(ds: Any) -> list[tuple[str, str]]:
    """Each column with its role (``extra`` for a column without one)."""
    return [(c, ROLE_TEXT.get(c, "extra input or metric")) for c in ds.columns]


def facts(ds: Any) -> list[tuple[str, str]]:
    """Name, rows, how flops are derived (unless the convention read them from a column),
    the convention of counting when one was declared, and the source."""
    convention = ds.convention
    out = [("name", ds.name or "(unnamed)"), ("rows", str(len(ds)))]
    if convention is None or convention.flops != "column":
        out.append(("flops factor", f"C = {ds.flops_factor:g}·N·D"))
    if convention is not None:
        out.append(("convention", convention.describe()))
    if ds.citation:
        out.append(("source", ds.citation))
    return out


def _head(ds: Any, n: int) -> tuple[list[str], list[list[str]]]:
    return frame_cells(ds.to_frame().head(n))


def text(ds: Any, n: int = HEAD) -> str:
    """Name, rows, columns with roles and the first ``n`` rows, as plain text."""
    width = max(len(c) for c in ds.columns)
    lines = [f"Dataset {ds.name or '(unnamed)'}: {len(ds)} rows"]
    lines += [f"  {k}: {v}" for k, v in facts(ds)[2:]]
    lines.append("columns:")
    lines += [f"  {c:<{width}}  {role}" for c, role in column_roles(ds)]
    shown = min(n, len(ds))
    lines.append(f"first {shown} of {len(ds)} rows:")
    lines.append(text_table(*_head(ds, n), left=0))
    return "\n".join(lines)


def html(ds: Any, n: int = HEAD) -> str:
    """The same as :func:`text`, as HTML (every name and value escaped)."""
    shown = min(n, len(ds))
    return (html_pairs(facts(ds), caption="Dataset")
            + html_table(["column", "role"], column_roles(ds))
            + html_table(*_head(ds, n), caption=f"first {shown} of {len(ds)} rows", left=0))
