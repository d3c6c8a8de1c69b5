"""From what a user writes to a Law with its inputs bound to columns: a catalog name, an
expression or a Law, then ``x=`` and ``columns=``."""

from __future__ import annotations

from collections.abc import Mapping

from ..exceptions import LawError
from .law import DEFAULT_INPUTS, Law
from .syntax import symbol_names


def resolve(law: Law | str, *, x: str | None = None,
            columns: Mapping[str, str] | None = None) -> Law:
    """The law a user means, bound to the data's columns: ``bind_inputs(resolve_law(...))``.

    Examples
    --------
    >>> from scalinglaws.laws import resolve
    >>> resolve("E + A*C**(-alpha)").inputs
    {'C': 'flops'}
    >>> resolve("E + A*x**(-alpha)", x="flops").inputs
    {'x': 'flops'}
    """
    return bind_inputs(resolve_law(law, columns, x), x, columns)


def resolve_law(law: Law | str, columns: Mapping[str, str] | None = None,
                x: str | None = None) -> Law:
    """A Law from a Law, a catalog name, or an expression.

    In an expression, N, D, C, S (and the role names) are inputs by default; so are the
    symbols that ``columns`` maps to a column, and ``x`` when ``x=`` is given.
    """
    if isinstance(law, Law):
        return law
    if not isinstance(law, str):
        raise LawError(f"a law is a name, an expression or a Law, got {type(law).__name__}",
                       "argument 'law'", "e.g. 'chinchilla' or 'E + A*C**(-alpha)'")
    from . import catalog

    if law.isidentifier() or catalog.is_catalog_name(law):
        return catalog.get(law)  # an unknown name gets the close matches
    symbols = set(symbol_names(law))
    inputs: dict[str, str | None] = {
        s: DEFAULT_INPUTS[s] for s in symbols if s in DEFAULT_INPUTS}
    inputs.update({s: col for s, col in (columns or {}).items() if s in symbols})
    if x is not None and "x" in symbols:
        inputs["x"] = x
    return Law.from_expression(law, inputs=inputs or None)


def bind_inputs(law: Law, x: str | None, columns: Mapping[str, str] | None) -> Law:
    """Apply ``x=`` (the input of a one-input law) and ``columns=`` (symbol or role -> column)."""
    mapping: dict[str, str] = {}
    for key, col in (columns or {}).items():
        if key in law.inputs:
            mapping[key] = col
        else:
            hits = [s for s, c in law.inputs.items() if c == key]
            if not hits:
                raise LawError(
                    f"'{key}' is neither an input symbol nor an input column of the law",
                    f"law '{law.name}' inputs: "
                    + ", ".join(f"{s} (column {c})" for s, c in law.inputs.items()),
                    "map a symbol or role to a column, e.g. N=n_params")
            mapping.update(dict.fromkeys(hits, col))
    if x is not None:
        if len(law.inputs) != 1:
            raise LawError(
                f"x= picks the input of a one-input law, but '{law.name}' has "
                f"{len(law.inputs)} inputs", "argument 'x'",
                "map inputs with columns={'N': 'params', ...} instead")
        mapping[next(iter(law.inputs))] = x
    if mapping:
        law = law.bind(**mapping)
    if law.unbound_inputs:
        raise LawError(
            f"law '{law.name}' needs to know which column its input "
            f"{', '.join(law.unbound_inputs)} reads",
            "argument 'x'", "name its column, e.g. --x flops (or params, tokens, ...; "
            "Python: x='flops')")
    return law
