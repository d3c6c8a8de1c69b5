"""The catalog of published laws: ``names()``, ``get(name)``, ``register(...)``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from ..exceptions import LawError
from .law import Law

_FACTORIES: dict[str, Callable[[], Law]] = {}


def register(name: str) -> Callable[[Callable[[], Law]], Callable[[], Law]]:
    """Decorator adding a law factory to the catalog under ``name``."""

    def deco(factory: Callable[[], Law]) -> Callable[[], Law]:
        if name in _FACTORIES:
            raise LawError(f"a law named '{name}' is already in the catalog",
                           "catalog", "choose another name")
        _FACTORIES[name] = factory
        return factory

    return deco


def _load_builtin() -> None:
    from . import chinchilla, kaplan, power  # noqa: F401  (registers on import)


def names() -> list[str]:
    """Names of the laws in the catalog."""
    _load_builtin()
    return sorted(_FACTORIES)


@cache
def get(name: str) -> Law:
    """The catalog law called ``name``."""
    _load_builtin()
    try:
        return _FACTORIES[name]()
    except KeyError:
        raise LawError(f"unknown law '{name}'", f"catalog: {', '.join(names())}",
                       "use one of those names, or write the law as an expression") from None
