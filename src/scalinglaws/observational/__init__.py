"""Observational scaling laws (Ruan, Maddison, Hashimoto 2024, arXiv:2405.10938): a
low-dimensional capability space from public models' benchmark scores, each family's
efficiency in turning compute into capabilities, and sigmoid links from capabilities to a
downstream metric (``docs/observational.md``). The names load on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names

if TYPE_CHECKING:
    from .api import fit as fit
    from .backtest import ObservationalBacktest as ObservationalBacktest
    from .capability import CapabilitySpace as CapabilitySpace
    from .inputs import PAPER_BENCHMARKS as PAPER_BENCHMARKS
    from .inputs import PAPER_FAMILIES as PAPER_FAMILIES
    from .links import FamilyLine as FamilyLine
    from .links import SigmoidLink as SigmoidLink
    from .prediction import ObservationalPrediction as ObservationalPrediction
    from .result import ObservationalFit as ObservationalFit

__getattr__ = lazy_names(__name__, {
    "fit": ".api", "ObservationalBacktest": ".backtest", "CapabilitySpace": ".capability",
    "PAPER_BENCHMARKS": ".inputs", "PAPER_FAMILIES": ".inputs", "FamilyLine": ".links",
    "SigmoidLink": ".links", "ObservationalPrediction": ".prediction",
    "ObservationalFit": ".result"})

__all__ = ["PAPER_BENCHMARKS", "PAPER_FAMILIES", "CapabilitySpace", "FamilyLine",
           "ObservationalBacktest", "ObservationalFit", "ObservationalPrediction",
           "SigmoidLink", "fit"]


def __dir__() -> list[str]:
    return sorted(__all__)
