"""Words on the figures: axis labels with the field's symbols, parameter names as Greek
letters, a law's display name (its name and short citation) for titles."""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from typing import Any

from ...common.numbers import power_of_ten
from ...common.numbers import size as size_text

COMPUTE_LABEL = "training compute $C$ (FLOPs)"
#: how an axis names the columns with a symbol in the field's formulas
COLUMN_LABELS = {
    "params": "parameters $N$",
    "tokens": "training tokens $D$",
    "flops": COMPUTE_LABEL,
    "loss": "loss $L$",
}
#: words of catalog names written in capitals in a title
_ACRONYMS = {"moe": "MoE", "bnsl": "BNSL", "ptq": "PTQ", "lr": "LR"}
_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_YEAR = re.compile(r"\s*(?P<authors>.+?)\s+(?P<year>(?:19|20)\d\d)\b")
#: average width of a character of DejaVu Sans, in ems (for wrapping titles)
_CHAR_EM = 0.58


def plain(text: Any) -> str:
    """Text shown literally by matplotlib (a ``$`` would otherwise start mathtext)."""
    return str(text).replace("$", r"\$")


def axis_label(column: str) -> str:
    """How an axis names a data column: ``parameters $N$`` for ``params``, the column's
    name (shown literally) otherwise.

    >>> axis_label("tokens"), axis_label("lr")
    ('training tokens $D$', 'lr')
    """
    return COLUMN_LABELS.get(column, plain(column))


def short_citation(citation: str) -> str:
    """``Hoffmann et al. 2022`` from a law's citation (its first reference's authors and
    year; more than two authors shortened to the first and *et al.*); empty when the
    citation names no year.

    >>> short_citation("Hoffmann et al. 2022, arXiv:2203.15556, eq. (2)")
    'Hoffmann et al. 2022'
    >>> short_citation("Caballero, Gupta, Rish, Krueger 2022, arXiv:2210.14891")
    'Caballero et al. 2022'
    >>> short_citation("")
    ''
    """
    found = _YEAR.match(str(citation).split(";")[0])
    if found is None:
        return ""
    authors = found["authors"].strip().rstrip(",")
    if "," in authors or " & " in authors:
        authors = re.split(r",| & ", authors)[0].strip() + " et al."
    return f"{authors} {found['year']}"


def display_name(law: Any) -> str:
    """The law as a title names it: a catalog key written as words (``chinchilla`` ->
    ``Chinchilla``, ``moe_granular`` -> ``MoE granular``), its short citation in brackets;
    a law named by its expression, that expression typeset (``$A x^{-\\alpha} + E$``); any
    other name as it is, shown literally (``$`` escaped).

    >>> import scalinglaws as sl
    >>> display_name(sl.laws.get("chinchilla"))
    'Chinchilla (Hoffmann et al. 2022)'
    >>> display_name(sl.Law.from_expression("E + A*x**(-alpha)", inputs={"x": "params"}))
    '$A x^{- \\\\alpha} + E$'
    """
    name = str(law.name)
    if name == getattr(law, "expression", None):
        typeset = _typeset(law)
        if typeset is not None:
            return typeset
    if _KEY.fullmatch(name):
        words = [_ACRONYMS.get(w, w) for w in name.split("_")]
        name = " ".join(words)
        name = name[0].upper() + name[1:]
    cite = short_citation(getattr(law, "citation", "") or "")
    return plain(f"{name} ({cite})" if cite else name)


def _typeset(law: Any) -> str | None:
    """The law's expression as mathtext, None when matplotlib cannot typeset it."""
    import sympy
    from matplotlib.mathtext import MathTextParser

    try:
        math = f"${sympy.latex(law.expr)}$"
        MathTextParser("path").parse(math)
    except Exception:  # an expression matplotlib cannot typeset is shown as written
        return None
    return math


@lru_cache(maxsize=256)
def symbol(name: str) -> str:
    """A parameter's name as mathtext: ``alpha`` -> ``$\\alpha$``, ``alpha_N`` ->
    ``$\\alpha_{N}$``, ``E`` -> ``$E$``; shown literally when matplotlib cannot typeset it.

    >>> symbol("alpha"), symbol("E"), symbol("beta_D")
    ('$\\\\alpha$', '$E$', '$\\\\beta_{D}$')
    """
    import sympy
    from matplotlib.mathtext import MathTextParser

    try:
        math = f"${sympy.latex(sympy.Symbol(name))}$"
        MathTextParser("path").parse(math)
    except Exception:  # any name matplotlib cannot typeset is shown as written
        return plain(name)
    return math


def tick_number(x: float, form: str = "plain") -> str:
    """A tick label in one of three forms: ``plain`` (``2.5``, ``1000``), ``power``
    (``$10^{21}$``, ``$3{\\times}10^{21}$``) or ``sizes`` (``300M``, ``1B``: model and data
    sizes).

    >>> tick_number(2.5), tick_number(1e21, "power"), tick_number(3e21, "power")
    ('2.5', '$10^{21}$', '$3{\\\\times}10^{21}$')
    >>> tick_number(3e8, "sizes"), tick_number(100, "power")
    ('300M', '$10^{2}$')
    """
    v = float(x)
    if form == "plain" or v == 0:
        return f"{v:.6g}"
    if form == "sizes":
        return size_text(v)
    mantissa, exponent = power_of_ten(v, 3)
    if mantissa == "1":
        return f"$10^{{{exponent}}}$"
    return f"${mantissa}{{\\times}}10^{{{exponent}}}$"


def math_number(x: float, digits: int = 3) -> str:
    """A number inside mathtext: ``0.34``, ``5.8\\times10^{23}``.

    >>> math_number(0.3392), math_number(5.76e23)
    ('0.339', '5.76{\\\\times}10^{23}')
    """
    v = float(x)
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.{digits}g}"
    mantissa, exponent = power_of_ten(v, digits)
    if mantissa == "1":
        return f"10^{{{exponent}}}"
    return f"{mantissa}{{\\times}}10^{{{exponent}}}"


def wrapped(text: str, width_in: float, fontsize: float) -> str:
    """``text`` broken into lines that fit ``width_in`` inches at ``fontsize`` points."""
    chars = max(int(width_in * 72.0 / (_CHAR_EM * fontsize)), 12)
    if len(text) <= chars or "$" in text.replace(r"\$", ""):
        return text  # mathtext is not broken: a line break inside $...$ would spoil it
    return "\n".join(textwrap.wrap(text, chars))
