"""Names of a package that load on first use: a module ``__getattr__`` (PEP 562) that imports
the module holding a name the first time the name is read."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str,
               modules: Mapping[str, str | tuple[str, str | None]]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: ``name`` is read from the module ``modules[name]``
    (relative to the package) and kept in the package, so the import happens once. A value
    ``(module, attribute)`` reads another attribute of that module, or with ``None`` the
    module itself.

    In a package's ``__init__``: ``__getattr__ = lazy_names(__name__, {"html": ".document"})``.
    """
    def __getattr__(name: str) -> Any:
        if name not in modules:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        where = modules[name]
        module, attr = (where, name) if isinstance(where, str) else where
        value = importlib.import_module(module, package)
        if attr is not None:
            value = getattr(value, attr)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
