"""Names of a package that load on first use: a module ``__getattr__`` (PEP 562) that imports
the module holding a name the first time the name is read."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: ``name`` is read from the module ``modules[name]``
    (relative to the package) and kept in the package, so the import happens once.

    In a package's ``__init__``: ``__getattr__ = lazy_names(__name__, {"html": ".document"})``.
    """
    def __getattr__(name: str) -> Any:
        if name not in modules:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(modules[name], package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
