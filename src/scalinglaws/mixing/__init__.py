"""Data mixtures and repeated data: per-domain mixing laws (Ye et al. 2024, arXiv:2403.16952)
with a log-linear regressor beside them, the nested small-to-large pipeline, the mixture
optimiser under bounds and epoch caps, designs of mixtures to run next, and the queries of
repeated data (epochs before returns vanish, Muennighoff et al. 2023; the critical mixture
ratio, Gu et al. 2024). See ``docs/mixing.md``. The names load on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names

if TYPE_CHECKING:
    from .choosing import design as design
    from .lawfit import fit as fit
    from .models import MixingLaw as MixingLaw
    from .optimiser import MixtureProposal as MixtureProposal
    from .optimiser import optimise as optimise
    from .pipeline import NestedFit as NestedFit
    from .pipeline import nested as nested
    from .repeated import critical_mixture_ratio as critical_mixture_ratio
    from .repeated import epochs_until_vanishing as epochs_until_vanishing
    from .result import MixingFit as MixingFit
    from .tables import MixtureTable as MixtureTable
    from .tables import table as table

__getattr__ = lazy_names(__name__, {
    "design": ".choosing", "fit": ".lawfit", "MixingLaw": ".models", "NestedFit": ".pipeline",
    "nested": ".pipeline", "MixtureProposal": ".optimiser", "optimise": ".optimiser",
    "critical_mixture_ratio": ".repeated", "epochs_until_vanishing": ".repeated",
    "MixingFit": ".result", "MixtureTable": ".tables", "table": ".tables"})

__all__ = ["MixingFit", "MixingLaw", "MixtureProposal", "MixtureTable", "NestedFit",
           "critical_mixture_ratio", "design", "epochs_until_vanishing", "fit", "nested",
           "optimise", "table"]


def __dir__() -> list[str]:
    return sorted(__all__)
