"""What the symbolic form of a law tells about it: its formula as text, the parameters that
enter linearly and the exponents; precomputed for the catalog.

Building a law does not need SymPy. Its analysis does (and the default specs of parameters
given none depend on it), so the analysis of every catalog law, with the options its module
declares, is computed ahead and committed in :mod:`scalinglaws.laws._compiled`, keyed by
what determines it: the expression text, the input symbols and the parameters in order. A law
whose key is there (a catalog law, a copy of one with other bounds or columns, a saved one
read back) is analysed without SymPy; any other law is analysed from its expression. The
table is written by ``python -m scalinglaws.laws.precompute`` and a test checks that it
equals a fresh analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import sympy as sp

#: (expression, input symbols, parameter names in order)
Key = tuple[str, tuple[str, ...], tuple[str, ...]]


class Analysis(NamedTuple):
    """The formula as SymPy writes it, the linear parameters (in order), the exponents
    (parameters in the exponent of a power of an input), the parameters that must be positive
    where they appear (a base, a denominator, inside a log) and those inside the base of an
    integer power (offsets and slopes of a shape) and the coefficients of a term that takes
    either sign over positive inputs (the slope of a ``log(N)``), in parameter order."""

    formula: str
    linear: tuple[str, ...]
    exponents: tuple[str, ...]
    positive: tuple[str, ...] = ()
    inner: tuple[str, ...] = ()
    signed: tuple[str, ...] = ()


def key(expression: str, inputs: Iterable[str], parameters: Iterable[str]) -> Key:
    return (expression, tuple(inputs), tuple(parameters))


def lookup(k: Key) -> Analysis | None:
    """The precomputed analysis of a law with key ``k``, or None."""
    from ._compiled import TABLE

    found = TABLE.get(k)
    return None if found is None else Analysis(*found)


def analyse(expr: sp.Expr, inputs: Sequence[sp.Symbol], params: Sequence[sp.Symbol]
            ) -> Analysis:
    """The analysis of a parsed expression (imports SymPy)."""
    import sympy as sp

    from . import expression as ex

    linear = ex.linear_parameters(expr, params)
    exponents = ex.exponent_parameters(expr, params, inputs)
    positive = ex.positive_parameters(expr, params)
    inner = ex.inner_parameters(expr, params)
    # every parameter whose default is positive counts as positive when the signs of the
    # linear ones' terms are read: the scales and exponents, not the offsets inside a square
    signed = ex.signed_parameters(expr, linear, inputs, params,
                                  positive | (set(params) - inner - set(linear)))
    return Analysis(str(sp.sstr(expr)), tuple(s.name for s in linear),
                    tuple(s.name for s in params if s in exponents),
                    tuple(s.name for s in params if s in positive),
                    tuple(s.name for s in params if s in inner),
                    tuple(s.name for s in params if s in signed))
