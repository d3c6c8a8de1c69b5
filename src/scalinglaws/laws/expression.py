"""Parsing and symbolic analysis of law expressions (SymPy), with no code execution.

An expression is checked token by token before SymPy sees it: only names, numbers, the
arithmetic operators and parentheses are allowed, and every name becomes a Symbol or one of
a few whitelisted functions. So a law read from a file can never run code.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterable, Sequence

import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    parse_expr,
    standard_transformations,
)

from ..exceptions import LawError

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
_OPERATORS = {"+", "-", "*", "/", "**", "^", "(", ")", ","}


def _names(text: str) -> list[str]:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise LawError(
            f"cannot read the expression {text!r}: {exc}",
            "law expression",
            "write it in Python syntax, e.g. 'E + A/N**alpha + B/D**beta'",
        ) from None
    names: list[str] = []
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
            tokenize.DEDENT}
    for tok, nxt in zip(tokens, [*tokens[1:], None], strict=True):
        if (tok.type == tokenize.NAME and nxt is not None and nxt.string == "("
                and tok.string not in FUNCTIONS):
            raise LawError(
                f"unknown function '{tok.string}'",
                f"expression {text!r}, column {tok.start[1]}",
                f"use one of {', '.join(sorted(FUNCTIONS))}, or put an operator between "
                f"'{tok.string}' and '('",
            )
        if tok.type in skip:
            continue
        if tok.type == tokenize.NAME:
            if tok.string.startswith("_") or tok.string in {"lambda", "import", "def"}:
                raise LawError(
                    f"name {tok.string!r} is not allowed in an expression",
                    f"expression {text!r}",
                    "use plain names for inputs and parameters",
                )
            names.append(tok.string)
        elif tok.type == tokenize.NUMBER:
            continue
        elif tok.type == tokenize.OP and tok.string in _OPERATORS:
            continue
        else:
            raise LawError(
                f"unexpected {tok.string!r} in the expression",
                f"expression {text!r}, column {tok.start[1]}",
                "use only names, numbers, + - * / ** and parentheses",
            )
    return names


def parse(text: str) -> sp.Expr:
    """Parse ``text`` into a SymPy expression where every free name is a real Symbol."""
    if not isinstance(text, str) or not text.strip():
        raise LawError("the expression is empty", "law expression",
                       "give a formula such as 'E + A*C**(-alpha)'")
    local: dict[str, object] = {}
    for name in _names(text):
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

    A parameter qualifies when its second derivative vanishes and its mixed second derivative
    with every other selected parameter vanishes, so the f_i do not depend on them.
    """
    chosen: list[sp.Symbol] = []
    for p in params:
        if sp.simplify(sp.diff(expr, p, 2)) != 0:
            continue
        if all(sp.simplify(sp.diff(expr, p, q)) == 0 for q in chosen):
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
