"""Health of a fit: the status every result carries, and the table of its starts."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd


class FitStatus(enum.Enum):
    """Health of a fit, from best to worst; each member carries what it means and what to
    do."""

    CONVERGED = "converged"
    AT_BOUND = "at_bound"
    MAX_ITER = "max_iter"
    FAILED = "failed"

    @property
    def message(self) -> str:
        return {
            "converged": "the optimiser converged to a minimum inside the bounds",
            "at_bound": "the best parameters sit at a bound: the optimum may lie beyond it; "
            "widen the bound or question the law",
            "max_iter": "the optimiser stopped at its iteration limit before converging; "
            "raise max_iter (--max-iter on the command line) or give better starts",
            "failed": "no start gave a finite objective; check the law's domain and the data",
        }[self.value]

    @property
    def ok(self) -> bool:
        """Converged inside the bounds: the only status ``throw=True`` accepts."""
        return self is FitStatus.CONVERGED

    @property
    def finished(self) -> bool:
        """The search reached an optimum (converged, or at a bound): its parameters can be
        used; ``max_iter`` and ``failed`` fits are unfinished."""
        return self in (FitStatus.CONVERGED, FitStatus.AT_BOUND)

    @classmethod
    def worst(cls, statuses: Iterable[FitStatus]) -> FitStatus:
        """The least healthy of ``statuses`` (the members are listed from best to worst)."""
        order = list(cls)
        return max(statuses, key=order.index)


#: the values of the finished statuses, as tables of fits record them (``status`` columns)
FINISHED_VALUES = tuple(s.value for s in FitStatus if s.finished)


@dataclass(frozen=True)
class StartsTable:
    """Every start of a fit: where it began and ended, its objective and status; and the
    design the starts were picked from (``"product"`` grid, a ``"subset"`` of one, a
    ``"sobol"`` sequence, the exhaustive ``"grid"`` or the user's ``"init"``) with its number
    of points (``design_size``), and how many starts were moved into the law's domain because
    the objective was not finite where they began (``repaired``)."""

    names: tuple[str, ...]
    initial: np.ndarray
    final: np.ndarray
    objective: np.ndarray
    status: tuple[str, ...]
    n_iter: np.ndarray
    design: str = ""
    design_size: int = 0
    repaired: int = 0

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.final, columns=list(self.names))
        frame.insert(0, "objective", self.objective)
        frame.insert(1, "status", list(self.status))
        frame.insert(2, "n_iter", self.n_iter)
        for i, n in enumerate(self.names):
            frame[f"init_{n}"] = self.initial[:, i]
        frame = frame.sort_values("objective", kind="stable").reset_index(drop=True)
        frame.attrs.update(design=self.design, design_size=self.design_size,
                           repaired=self.repaired)
        return frame

    def __len__(self) -> int:
        return len(self.status)
