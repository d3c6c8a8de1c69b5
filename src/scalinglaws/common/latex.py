"""LaTeX tables (booktabs) written by hand: one home for every result's ``to_latex()``.

pandas' ``DataFrame.to_latex`` needs jinja2, which the project does not depend on; the tables
here are small and plain: a header, rows, ``\\toprule``/``\\midrule``/``\\bottomrule``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from .numbers import power_of_ten

_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "|": r"\textbar{}", "<": r"\textless{}", ">": r"\textgreater{}",
}


def escape(text: Any) -> str:
    """``text`` safe in a LaTeX document: ``_ % & # $ { } ~ ^ \\ | < >`` written as LaTeX
    does.

    >>> print(escape("mean_abs_rel_error 5% & #1"))
    mean\\_abs\\_rel\\_error 5\\% \\& \\#1
    """
    return "".join(_SPECIAL.get(ch, ch) for ch in str(text))


def number(x: Any, digits: int = 4) -> str:
    """A number in a table: ``digits`` significant digits, as a power of ten in math mode
    beyond 10⁻³..10⁴; ``--`` for a missing value.

    >>> number(0.33923), number(4.1921869e7), number(float("nan")), number(3)
    ('0.3392', '$4.192 \\\\times 10^{7}$', '--', '3')
    """
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, numbers.Integral):
        return str(int(x))
    v = float(x)
    if math.isnan(v):
        return "--"
    if math.isinf(v):
        return r"$\infty$" if v > 0 else r"$-\infty$"
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.{digits}g}"
    mantissa, exponent = power_of_ten(v, digits)
    return f"${mantissa} \\times 10^{{{exponent}}}$"


def plus_minus(value: float, error: float, digits: int = 4) -> str:
    """``value ± error`` in math mode (the error alone as ``--`` when missing).

    >>> plus_minus(0.3392, 0.0213)
    '$0.3392 \\\\pm 0.0213$'
    """
    a, b = number(value, digits).strip("$"), number(error, digits).strip("$")
    return f"${a} \\pm {b}$" if b != "--" else f"${a}$ ($\\pm$ --)"


def cell(value: Any, digits: int = 4) -> str:
    """One table cell: numbers through :func:`number`, anything else escaped as text."""
    if isinstance(value, numbers.Number):
        return number(value, digits)
    if value is None:
        return "--"
    return escape(value)


def tabular(header: Sequence[str], rows: Iterable[Sequence[Any]], *,
            align: str | None = None, digits: int = 4) -> str:
    """A booktabs ``tabular``: ``header`` (escaped), then one line per row (numbers formatted,
    text escaped; a cell already written as LaTeX can be passed as :class:`Raw`). ``align``
    defaults to ``l`` for the first column and ``r`` for the others.

    >>> print(tabular(["law", "error"], [["chinchilla_2", 0.0123]]))
    \\begin{tabular}{lr}
    \\toprule
    law & error \\\\
    \\midrule
    chinchilla\\_2 & 0.0123 \\\\
    \\bottomrule
    \\end{tabular}
    """
    spec = align or "l" + "r" * (len(header) - 1)
    lines = [f"\\begin{{tabular}}{{{spec}}}", r"\toprule",
             " & ".join(escape(h) for h in header) + r" \\", r"\midrule"]
    for row in rows:
        lines.append(" & ".join(c if isinstance(c, Raw) else cell(c, digits) for c in row)
                     + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


class Raw(str):
    """A cell already written in LaTeX (not escaped again by :func:`tabular`)."""


def frame_tabular(frame: Any, columns: Sequence[str] | None = None, digits: int = 4) -> str:
    """A DataFrame's columns (all, or ``columns``) as a booktabs ``tabular``; numeric columns
    right-aligned."""
    cols = list(columns) if columns is not None else [str(c) for c in frame.columns]
    align = "".join("r" if frame[c].dtype.kind in "iuf" else "l" for c in cols)
    rows = [[plain(v) for v in row] for row in frame[cols].itertuples(index=False)]
    return tabular(cols, rows, align=align, digits=digits)


def plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (so that :func:`cell` formats it)."""
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, str) else value
