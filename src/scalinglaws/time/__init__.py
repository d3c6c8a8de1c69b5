"""Wall-clock budgets: step time from a model's shape and batch by a FLOP plus memory-traffic
cost model fitted on measured step times, and compute-optimal plans for a budget in hours
(``docs/walltime.md``). The names load on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names

if TYPE_CHECKING:
    from .budget import HoursPlan as HoursPlan
    from .budget import plan as plan
    from .sizing import ShapeFamily as ShapeFamily
    from .throughput import Throughput as Throughput
    from .throughput import fit_throughput as fit_throughput
    from .traffic import step_bytes as step_bytes
    from .traffic import step_flops as step_flops

__getattr__ = lazy_names(__name__, {
    "HoursPlan": ".budget", "plan": ".budget", "ShapeFamily": ".sizing",
    "Throughput": ".throughput", "fit_throughput": ".throughput", "step_bytes": ".traffic",
    "step_flops": ".traffic"})

__all__ = ["HoursPlan", "ShapeFamily", "Throughput", "fit_throughput", "plan", "step_bytes",
           "step_flops"]


def __dir__() -> list[str]:
    return sorted(__all__)
