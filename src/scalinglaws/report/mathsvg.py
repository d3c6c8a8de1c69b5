"""A law's formula as typeset math for the report: SVG drawn offline by matplotlib's mathtext
from the law's SymPy expression, inlined in the page (no fonts, scripts or files fetched).

mathtext reads a subset of LaTeX; where it cannot read what SymPy writes, the formula is the
plain text SymPy writes, in ``<code>``. Every SVG is cleaned for inlining in HTML: no XML
prolog, metadata, comments or global ``<style>``, and its ids are prefixed so that two
formulas on one page never share one.

>>> import scalinglaws as sl
>>> latex(sl.laws.get("chinchilla").expr)
'\\\\frac{A}{N^{\\\\alpha}} + \\\\frac{B}{D^{\\\\beta}} + E'
"""

from __future__ import annotations

import functools
import io
import re
from html import escape
from typing import Any

#: points of the formula's text (the page's body text is about 12 pt; fractions shrink theirs)
SIZE = 16.0
_DROP = [re.compile(p, re.S) for p in (r"<metadata>.*?</metadata>", r"<!--.*?-->",
                                        r"<style[^>]*>.*?</style>", r'<g id="patch_1">.*?</g>')]


def latex(expr: Any) -> str:
    """LaTeX of a SymPy expression, with ``x^{-a}`` written ``1/x^{a}`` (``A/N^α``, as papers
    write laws)."""
    import sympy as sp

    def negative(e: Any) -> bool:
        return bool(e.is_Pow and not e.exp.is_Number and e.exp.could_extract_minus_sign())

    def flipped(e: Any) -> Any:
        return sp.Pow(sp.Pow(e.base, -e.exp, evaluate=False), -1, evaluate=False)

    with sp.evaluate(False):
        shown = expr.replace(negative, flipped)
    return str(sp.latex(shown))


@functools.lru_cache(maxsize=64)
def _svg(tex: str) -> str | None:
    """mathtext's SVG of ``$tex$``, cleaned; None when mathtext cannot typeset it."""
    import matplotlib as mpl
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    out = io.BytesIO()
    try:
        with mpl.rc_context({"mathtext.fontset": "cm", "svg.fonttype": "path"}):
            mathtext.math_to_image(f"${tex}$", out, prop=FontProperties(size=SIZE),
                                   format="svg")
    except Exception:
        return None
    text = out.getvalue().decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        return None
    text = text[start:]
    for pattern in _DROP:
        text = pattern.sub("", text)
    text = re.sub(r"\s*\n\s*", " ", text)  # path data and indentation on one line
    if "url(" in text or "<script" in text.lower():
        return None  # nothing that could reach outside the page or run
    return text


def formula_html(law: Any, key: str) -> str:
    """The law's formula as inline SVG (``role="img"``, its plain text as the label; ``key``
    unique on the page), or as the plain text in ``<code>`` when it cannot be typeset."""
    plain = str(law.formula)
    try:
        tex = latex(law.expr)
    except Exception:
        tex = None
    svg = _svg(tex) if tex is not None else None
    if svg is None:
        return f'<code class="formula">{escape(plain)}</code>'
    return typeset(svg, plain, key)


def typeset(svg: str, plain: str, key: str) -> str:
    """An SVG from :func:`_svg` made ready for one place on the page: its ids prefixed with
    ``key`` (unique on the page), labelled with ``plain``."""
    prefix = f"{key}-"
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = re.sub(r'(xlink:href|href)="#', lambda m: f'{m.group(1)}="#{prefix}', svg)
    label = escape(plain, quote=True)
    return svg.replace("<svg ", f'<svg class="formula" role="img" aria-label="{label}" ', 1)


def formula_svg(tex: str, plain: str, key: str = "formula") -> str | None:
    """``tex`` typeset as inline SVG labelled ``plain``, or None when mathtext cannot read it."""
    svg = _svg(tex)
    return None if svg is None else typeset(svg, plain, key)
