"""Checking a law's expression without SymPy: the names it uses, and that it is arithmetic.

An expression is read token by token (only names, numbers, the arithmetic operators and
parentheses pass), then parsed by Python's :func:`ast.parse` (which never runs code) and
walked: only numbers, names, ``+ - * / ** ^``, unary signs and calls of a few whitelisted
functions are accepted. What passes here is what :func:`scalinglaws.laws.expression.parse`
turns into a SymPy expression when the law is first compiled, so a bad expression is refused
when the law is built, cheaply, and a law read from a file can never run code.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable

from ..exceptions import LawError

#: functions an expression may call, with the numbers of arguments each takes
FUNCTION_ARITY: dict[str, tuple[int, ...]] = {
    "exp": (1,), "log": (1, 2), "sqrt": (1,), "tanh": (1,), "erf": (1,), "Abs": (1,),
    "abs": (1,), "sigmoid": (1,),
}
#: names that are constants, not symbols
CONSTANT_NAMES = frozenset({"pi"})
_OPERATORS = {"+", "-", "*", "/", "**", "^", "(", ")", ","}
_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.BitXor)
_SKIP = {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}


def symbol_names(text: str) -> list[str]:
    """The symbols (inputs and parameters) of a valid expression, in order of first
    appearance; raises :class:`LawError` for anything that is not a safe arithmetic formula."""
    if not isinstance(text, str) or not text.strip():
        raise LawError("the expression is empty", "law expression",
                       "give a formula such as 'E + A*C**(-alpha)'")
    names = token_names(text)
    tree = _syntax_tree(text)
    _check_node(tree.body, text, top=True)
    symbols = {n for n in names if n not in FUNCTION_ARITY and n not in CONSTANT_NAMES}
    return appearance_order(text, symbols)


def token_names(text: str) -> list[str]:
    """Every name token of ``text`` (functions included), after the token-level checks."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        brackets = text.count("(") - text.count(")")
        why = (f"{brackets} '(' left open" if brackets > 0 else
               f"{-brackets} ')' too many" if brackets < 0 else
               str(exc.args[0] if exc.args else exc))
        raise LawError(
            f"cannot read the expression {text!r}: {why}",
            "law expression",
            "close every bracket; write it in Python syntax, e.g. 'E + A/N**alpha + B/D**beta'",
        ) from None
    names: list[str] = []
    for tok, nxt in zip(tokens, [*tokens[1:], None], strict=True):
        if (tok.type == tokenize.NAME and nxt is not None and nxt.string == "("
                and tok.string not in FUNCTION_ARITY):
            raise LawError(
                f"unknown function '{tok.string}'",
                f"expression {text!r}, column {tok.start[1]}",
                f"use one of {', '.join(sorted(FUNCTION_ARITY))}, or put an operator "
                f"between '{tok.string}' and '('",
            )
        if tok.type in _SKIP or tok.type == tokenize.NUMBER:
            continue
        if tok.type == tokenize.NAME:
            if tok.string.startswith("_") or tok.string in {"lambda", "import", "def"}:
                raise LawError(
                    f"name {tok.string!r} is not allowed in an expression",
                    f"expression {text!r}",
                    "use plain names for inputs and parameters",
                )
            names.append(tok.string)
        elif not (tok.type == tokenize.OP and tok.string in _OPERATORS):
            raise LawError(
                f"unexpected {tok.string!r} in the expression",
                f"expression {text!r}, column {tok.start[1]}",
                "use only names, numbers, + - * / ** and parentheses",
            )
    return names


def appearance_order(text: str, names: Iterable[str]) -> list[str]:
    """``names`` in the order they first appear in ``text`` (any not found last, sorted)."""
    names = set(names)
    order: list[str] = []
    for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
        if token in names and token not in order:
            order.append(token)
    order += sorted(n for n in names if n not in order)
    return order


def _syntax_tree(text: str) -> ast.Expression:
    lead = len(text) - len(text.lstrip())
    try:
        return ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:
        where = getattr(exc, "offset", None)
        detail = getattr(exc, "msg", str(exc)) + (
            f" at column {where - 1 + lead}" if where else "")
        raise _unparsable(text, f"SyntaxError: {detail}") from None


def _unparsable(text: str, why: str) -> LawError:
    return LawError(f"cannot parse the expression {text!r} ({why})", "law expression",
                    "check parentheses and operators; use ** for powers")


def _not_arithmetic(text: str) -> LawError:
    return LawError(f"{text!r} is not an arithmetic expression", "law expression",
                    "give a formula that evaluates to a number")


def _check_node(node: ast.AST, text: str, *, top: bool = False) -> None:
    """Accept numbers, symbols, arithmetic and calls of whitelisted functions only."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINARY):
        _check_node(node.left, text)
        _check_node(node.right, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        _check_node(node.operand, text)
    elif isinstance(node, ast.Name):
        if node.id in FUNCTION_ARITY:
            raise _unparsable(text, f"the function '{node.id}' is not called")
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise _unparsable(text, f"{node.value!r} is not a real number")
    elif isinstance(node, ast.Call):
        _check_call(node, text)
    elif top and isinstance(node, ast.Tuple | ast.BoolOp | ast.UnaryOp | ast.Compare
                            | ast.IfExp):
        raise _not_arithmetic(text)
    else:
        raise _unparsable(text, f"{type(node).__name__} is not arithmetic")


def _check_call(node: ast.Call, text: str) -> None:
    func = node.func
    if not isinstance(func, ast.Name) or func.id not in FUNCTION_ARITY:
        raise _unparsable(text, "only the whitelisted functions can be called")
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise _unparsable(text, f"'{func.id}' takes plain arguments")
    if len(node.args) not in FUNCTION_ARITY[func.id]:
        counts = " or ".join(str(n) for n in FUNCTION_ARITY[func.id])
        raise _unparsable(text, f"'{func.id}' takes {counts} argument(s), got "
                          f"{len(node.args)}")
    for arg in node.args:
        _check_node(arg, text)
