"""The registry of catalog law factories: what :mod:`scalinglaws.laws.published` modules
register into and :mod:`scalinglaws.laws.catalog` reads (kept apart so that neither the
published laws nor the catalog import each other both ways)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..exceptions import LawError
from .law import Law

Factory = Callable[..., Law]
FACTORIES: dict[str, Factory] = {}
VARIANTS: dict[str, tuple[dict[str, Any], ...]] = {}


def register(name: str, *, variants: Iterable[Mapping[str, Any]] = ()
             ) -> Callable[[Factory], Factory]:
    """Decorator adding a law factory to the catalog under ``name``. ``variants``: option
    sets (besides the defaults) whose laws are common enough to have their analysis
    precomputed (``python -m scalinglaws.laws.precompute``)."""

    def deco(factory: Factory) -> Factory:
        if name in FACTORIES and FACTORIES[name] is not factory:
            raise LawError(f"a law named '{name}' is already in the catalog",
                           "catalog", "choose another name")
        FACTORIES[name] = factory
        VARIANTS[name] = tuple(dict(v) for v in variants)
        return factory

    return deco
