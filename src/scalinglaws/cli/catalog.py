"""``scalinglaws laws``: the catalog of laws."""

from __future__ import annotations

from typing import Any

from . import common as c


def laws_command(json_: c.JsonOpt = False) -> None:
    """List the catalog of laws with their formulas.

    Example: scalinglaws laws --json
    """
    entries = describe()
    if json_:
        c.emit_json({"laws": entries})
        return
    from rich.table import Table

    table = Table(title="scalinglaws catalog")
    table.add_column("name", no_wrap=True, min_width=max(len(e["name"]) for e in entries))
    for col in ("formula", "inputs", "source"):
        table.add_column(col)
    for e in entries:
        inputs = ", ".join(f"{s}={col or '(choose with --x)'}" for s, col in e["inputs"].items())
        table.add_row(e["name"], e["formula"], inputs, e["citation"])
    c.out.print(table)


def describe() -> list[dict[str, Any]]:
    """Every catalog law as ``laws --json`` lists it: the catalog's own listing
    (``catalog.describe()``) where it has one, else built from each law."""
    from ..laws import catalog

    listing = getattr(catalog, "describe", None)
    if listing is not None:
        return list(listing())
    entries = []
    for name in catalog.names():
        law = catalog.get(name)
        entries.append({"name": law.name, "formula": law.formula, "inputs": law.inputs,
                        "parameters": list(law.parameter_names), "citation": law.citation,
                        "description": law.description, "domain": law.domain,
                        "reference": law.reference, "ranges": law.input_ranges,
                        "specs": [p.to_dict() for p in law.parameters]})
    return entries
