"""Parsing and symbolic analysis of law expressions (SymPy), with no code execution.

An expression is checked by :mod:`scalinglaws.laws.syntax` before SymPy sees it: only names,
numbers, the arithmetic operators, parentheses and calls of a few whitelisted functions are
allowed, and every name becomes a Symbol or one of those functions. So a law read from a file
can never run code. This module imports SymPy: a law imports it when first compiled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    parse_expr,
    standard_transformations,
)

from ..exceptions import LawError
from . import syntax

#: functions an expression may call
FUNCTIONS: dict[str, object] = {
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "erf": sp.erf,
    "Abs": sp.Abs,
    "abs": sp.Abs,
    "sigmoid": sp.Lambda(sp.Symbol("_z"), 1 / (1 + sp.exp(-sp.Symbol("_z")))),
}
_CONSTANTS: dict[str, object] = {"pi": sp.pi}
assert set(FUNCTIONS) == set(syntax.FUNCTION_ARITY)
assert set(_CONSTANTS) == syntax.CONSTANT_NAMES


def parse(text: str) -> sp.Expr:
    """Parse ``text`` into a SymPy expression where every free name is a real Symbol (the
    same expression object for the same text: expressions are immutable)."""
    syntax.symbol_names(text)  # the checks, with their messages
    return _parse(text)


@lru_cache(maxsize=256)
def _parse(text: str) -> sp.Expr:
    local: dict[str, object] = {}
    for name in syntax.token_names(text):
        if name in FUNCTIONS:
            local[name] = FUNCTIONS[name]
        elif name in _CONSTANTS:
            local[name] = _CONSTANTS[name]
        else:
            local[name] = sp.Symbol(name, real=True)
    try:
        expr = parse_expr(
            text,
            local_dict=local,
            global_dict={"Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational,
                         "Symbol": sp.Symbol},
            transformations=(*standard_transformations, convert_xor),
            evaluate=True,
        )
    except Exception as exc:  # SymPy raises many kinds on malformed input
        raise LawError(
            f"cannot parse the expression {text!r} ({type(exc).__name__}: {exc})",
            "law expression",
            "check parentheses and operators; use ** for powers",
        ) from None
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.logic.boolalg.Boolean):
        raise LawError(f"{text!r} is not an arithmetic expression", "law expression",
                       "give a formula that evaluates to a number")
    return expr


def linear_parameters(expr: sp.Expr, params: Iterable[sp.Symbol]) -> list[sp.Symbol]:
    """The parameters that enter ``expr`` linearly (jointly affine): expr = g0 + Σ p_i f_i.

    A parameter qualifies when its first derivative f_i does not contain it, nor any
    parameter selected before it (so its second derivative and its mixed second derivatives
    with the selected parameters vanish). The test is structural, on the free symbols of
    the derivative, with no simplification: it costs one derivative per parameter.
    """
    chosen: list[sp.Symbol] = []
    for p in params:
        free = sp.diff(expr, p).free_symbols
        if p not in free and not free.intersection(chosen):
            chosen.append(p)
    return chosen


def exponent_parameters(expr: sp.Expr, params: Iterable[sp.Symbol],
                        inputs: Iterable[sp.Symbol]) -> set[sp.Symbol]:
    """Parameters that appear in the exponent of a power whose base holds an input."""
    inputs = set(inputs)
    found: set[sp.Symbol] = set()
    params = set(params)
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.base.free_symbols & inputs:
            found |= node.exp.free_symbols & params
        if isinstance(node, sp.exp) and node.args[0].free_symbols & inputs:
            found |= node.args[0].free_symbols & params
    return found


def positive_parameters(expr: sp.Expr, params: Iterable[sp.Symbol]) -> set[sp.Symbol]:
    """Parameters in a place that needs a positive value: the base of a power with a
    fractional, negative or symbolic exponent (a root, a denominator, ``(N/Nc)**a``) or the
    argument of a logarithm. A parameter that appears elsewhere only (an offset or a
    coefficient inside a square, ``(log(lr) - l0)**2``) may take either sign."""
    params = set(params)
    found: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and not (node.exp.is_Integer and node.exp > 0):
            found |= node.base.free_symbols & params
        if isinstance(node, sp.log):
            found |= node.args[0].free_symbols & params
    return found


def inner_parameters(expr: sp.Expr, params: Iterable[sp.Symbol]) -> set[sp.Symbol]:
    """Parameters inside the base of a positive integer power (``(log(lr) - l0)**2``): offsets
    and slopes of a shape, which may take either sign unless they must be positive too."""
    params = set(params)
    found: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_Integer and node.exp > 0:
            found |= node.base.free_symbols & params
    return found


#: input symbols that count sizes (their logs are positive)
SIZE_SYMBOLS = frozenset({"N", "D", "C", "S", "params", "tokens", "flops", "step"})


def signed_parameters(expr: sp.Expr, linear: Iterable[sp.Symbol], inputs: Iterable[sp.Symbol],
                      params: Iterable[sp.Symbol], positive: Iterable[sp.Symbol]
                      ) -> set[sp.Symbol]:
    """Coefficients of a term that may take either sign when the inputs and the ``positive``
    parameters are positive (the others real): a linear parameter multiplying ``log(N)``, or a
    parameter entering the argument of an ``exp`` linearly beside ``log(lr)`` or as its
    offset (``exp(p0 + ...)``, a log-scale amplitude). A term SymPy
    proves non-negative (``N**-alpha``, a square) or non-positive (``-x`` in ``exp(-c*x)``)
    fixes its coefficient's natural sign; any other coefficient may take either sign."""
    params = list(params)
    positive = set(positive)
    inputs = list(inputs)
    real = {s: sp.Symbol(s.name, positive=True) for s in inputs}
    # the log of a size (N, D, C, S and their roles: counts far above 1) is positive; the
    # log of a learning rate or of a ratio such as N/1e9 may take either sign
    sizes = {sp.log(real[s]): sp.Symbol(f"log_{s.name}", positive=True)
             for s in inputs if s.name in SIZE_SYMBOLS}
    real |= {s: sp.Symbol(s.name, positive=True) if s in positive else sp.Symbol(s.name, real=True)
             for s in params}

    def either(term: sp.Expr, sized: bool = False) -> bool:
        term = term.xreplace(real)
        if sized:
            term = term.xreplace(sizes)
        return not (term.is_nonnegative or term.is_nonpositive)

    # an amplitude's term: a size's log counts as positive (1 + c*log(N) is a positive
    # factor); in an exponent the slope of log(N) is a power of N, either sign
    found = {p for p in linear if either(sp.diff(expr, p), sized=True)}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.exp) and node.args[0].free_symbols & set(real):
            arg = node.args[0]
            for p in arg.free_symbols & set(params):
                slope = sp.diff(arg, p)
                if p not in slope.free_symbols and (either(slope) or slope.is_number):
                    found.add(p)
    return found


def scale_inputs(expr: sp.Expr, param: sp.Symbol, inputs: Iterable[sp.Symbol]) -> set[sp.Symbol]:
    """Inputs that share a power's base with ``param`` (e.g. Nc in (Nc/N)**a): its scale."""
    inputs = set(inputs)
    found: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and param in node.base.free_symbols:
            found |= node.base.free_symbols & inputs
    return found


def likely_input(expr: sp.Expr, order: Sequence[str]) -> str:
    """The symbol most likely meant as the input: the base of a power with a symbolic
    exponent (``x`` in ``A*x**(-alpha)``), else the first symbol."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and isinstance(node.base, sp.Symbol) and (
                node.exp.free_symbols):
            return node.base.name
    return order[0] if order else "x"
