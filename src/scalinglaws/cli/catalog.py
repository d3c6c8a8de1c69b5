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
    from rich.text import Text

    # one law per entry: its name and whole formula on one line (never wrapped by us; a
    # terminal narrower than the formula folds it), then its inputs and source
    width = max(len(e["name"]) for e in entries)
    c.out.print(Text(f"scalinglaws catalog: {len(entries)} laws", style="bold"))
    for e in entries:
        inputs = ", ".join(f"{s}={col or '(choose with --x)'}" for s, col in e["inputs"].items())
        c.out.print(Text.assemble((e["name"].ljust(width), "bold"), "  ", e["formula"]))
        c.out.print(Text(" " * (width + 2) + f"inputs {inputs}; {e['citation']}",
                         style="dim"))


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
