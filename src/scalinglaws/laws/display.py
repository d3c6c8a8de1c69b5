"""A Law shown to people: formula, inputs, target and each parameter with its bounds, as text
for ``print`` and HTML for a notebook."""

from __future__ import annotations

import math
from typing import Any

from ..common.display import html_pairs, html_table, text_pairs, text_table
from ..common.numbers import readable

PARAMETER_HEADER = ["parameter", "bounds", "scale", "published", "meaning"]
ALIGN = "lllrl"


def facts(law: Any) -> list[tuple[str, str]]:
    inputs = ", ".join(f"{s}={c or '(chosen at fit time)'}" for s, c in law.inputs.items())
    out = [("formula", f"{law.target} = {law.formula}"), ("inputs", inputs)]
    out += [(k, v) for k, v in (("source", law.citation), ("about", law.description),
                                ("domain", law.domain)) if v]
    return out


def bounds(lower: float, upper: float) -> str:
    """``[0, 10]``, ``[0, inf)``, ``(-inf, inf)``."""
    left = "(" if math.isinf(lower) else "["
    right = ")" if math.isinf(upper) else "]"
    return f"{left}{readable(lower)}, {readable(upper)}{right}"


def parameter_rows(law: Any) -> list[list[str]]:
    reference = law.reference or {}
    return [[p.name, bounds(p.lower, p.upper), "log" if p.log else "linear",
             readable(reference[p.name], 4) if p.name in reference else "",
             p.description] for p in law.parameters]


def text(law: Any) -> str:
    """The law as plain text: its facts, then one line per parameter."""
    return "\n".join([f"Law {law.name}", text_pairs(facts(law)),
                      text_table(PARAMETER_HEADER, parameter_rows(law), align=ALIGN)])


def html(law: Any) -> str:
    """The law as HTML (every name and formula escaped)."""
    return (html_pairs(facts(law), caption=f"Law {law.name}")
            + html_table(PARAMETER_HEADER, parameter_rows(law), align=ALIGN))
