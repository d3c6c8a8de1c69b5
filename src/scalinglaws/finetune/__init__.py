"""Fine-tuning: choosing the base model to fine-tune from small fine-tuning subsets with the
rectified scaling law (Lin et al. 2024, arXiv:2402.02314; ``docs/posttraining.md``). The
names load on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names

if TYPE_CHECKING:
    from .result import Selection as Selection
    from .selection import select as select

__getattr__ = lazy_names(__name__, {"select": ".selection", "Selection": ".result"})

__all__ = ["Selection", "select"]


def __dir__() -> list[str]:
    return sorted(__all__)
