"""A Griffe extension for the API reference: Sphinx roles in docstrings read as code.

The docstrings name other objects the Sphinx way (``:class:`~scalinglaws.FitResult```,
``:func:`.fit```), which ``help()`` and IDEs show as written; Markdown would show the role
itself. At build time each role becomes inline code with the name a reader would type
(``FitResult``, ``fit``); the source is not changed.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?[a-z]+:`(~?)([^`<]*?)(?:\s*<([^>]+)>)?`")


def _name(match: re.Match[str]) -> str:
    short, text, target = match.group(1), match.group(2).strip(), match.group(3)
    name = text or (target or "")
    name = name.lstrip(".")
    if short:
        name = name.rsplit(".", 1)[-1]
    return f"`{name}`"


def plain(text: str) -> str:
    """``text`` with every Sphinx role written as inline code."""
    return ROLE.sub(_name, text)


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
