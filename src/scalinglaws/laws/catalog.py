"""The catalog of published laws: ``names()``, ``get(name, **options)``, ``register(...)``,
``describe()``.

Each module of :mod:`scalinglaws.laws.published` registers its laws on import; adding a law is
one file there. A factory may take options (``get("bnsl", breaks=2)``); the text form
``"bnsl(breaks=2)"`` is accepted wherever a law name is. Building and describing catalog laws
does not import SymPy (their analysis is precomputed, see :mod:`scalinglaws.laws.analysis`).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from functools import cache
from typing import Any

from ..common.names import did_you_mean
from ..exceptions import LawError, ScalingLawError
from . import metadata as md
from .law import Law
from .registry import FACTORIES, VARIANTS
from .registry import register as register

_SPEC = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$", re.S)


@cache
def _load_builtin() -> None:
    from . import published

    for info in pkgutil.iter_modules(published.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{published.__name__}.{info.name}")


def names() -> list[str]:
    """Names of the laws in the catalog."""
    _load_builtin()
    return sorted(FACTORIES)


def get(name: str, **options: Any) -> Law:
    """The catalog law called ``name`` (or ``"name(option=value, ...)"``)."""
    _load_builtin()
    name, parsed = parse_spec(name)
    return _build(name, tuple(sorted({**parsed, **options}.items())))


def variants(name: str) -> list[dict[str, Any]]:
    """The option sets a catalog law declares besides its defaults (see :func:`register`)."""
    _load_builtin()
    return [dict(v) for v in VARIANTS.get(name, ())]


def describe() -> list[dict[str, Any]]:
    """Every catalog law (default options) as ``scalinglaws laws --json`` lists it: name,
    formula, inputs, parameters, citation, description, domain, reference, ranges (the
    input ranges by symbol) and specs (each parameter's ``to_dict()``). Compiles nothing."""
    out = []
    for name in names():
        law = get(name)
        out.append({"name": law.name, "formula": law.formula, "inputs": dict(law.inputs),
                    "parameters": list(law.parameter_names), "citation": law.citation,
                    "description": law.description, "domain": law.domain,
                    "reference": dict(law.reference), "ranges": law.input_ranges,
                    "specs": [p.to_dict() for p in law.parameters]})
    return out


def find(name: str) -> Law | None:
    """The catalog law for a name or spec, or None when it is not a catalog law."""
    try:
        return get(name) if is_catalog_name(name) else None
    except LawError:
        return None


def is_catalog_name(text: str) -> bool:
    """Whether ``text`` names a catalog law, with or without options."""
    _load_builtin()
    match = _SPEC.match(text)
    return (match.group(1) if match else text.strip()) in FACTORIES


def parse_spec(text: str) -> tuple[str, dict[str, Any]]:
    """``"bnsl(breaks=2)"`` -> ``("bnsl", {"breaks": 2})``; a bare name has no options."""
    match = _SPEC.match(text)
    if not match:
        return text.strip(), {}
    name, body = match.groups()
    try:
        call = ast.parse(f"f({body})", mode="eval").body
        assert isinstance(call, ast.Call) and not call.args
        options = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
        assert None not in options
    except (SyntaxError, ValueError, AssertionError):
        raise LawError(f"cannot read the options in {text!r}", "law name",
                       "write them as name(option=value), e.g. bnsl(breaks=2)") from None
    return name, {str(k): v for k, v in options.items()}


@cache
def _build(name: str, options: tuple[tuple[str, Any], ...]) -> Law:
    if name not in FACTORIES:
        hint = did_you_mean(name, FACTORIES, cutoff=0.5)
        hint = f"{hint}Otherwise " if hint else ""
        raise LawError(f"unknown law '{name}'", f"catalog: {', '.join(names())}",
                       f"{hint}use a catalog name, or write the law as an expression")
    try:
        return FACTORIES[name](**dict(options))
    except ScalingLawError:
        raise  # the factory's own message about a bad option value
    except TypeError as exc:
        raise LawError(f"law '{name}' does not take the options "
                       f"{', '.join(k for k, _ in options)} ({exc})", f"law '{name}'",
                       "see its documentation in `scalinglaws laws`") from None


def _saved_guess(name: str, expression: Any) -> md.Guess | None:
    """The guess of the catalog law a saved law came from (same name and expression)."""
    law = find(name)
    return law.guess if law is not None and law.expression == expression else None


md.set_guess_finder(_saved_guess)
