"""The outcome of a fine-tuning selection: each candidate's forecast at the full size with its
interval, which candidates were stopped early and after how much data, and the compute spent
against fine-tuning every candidate on the full set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..common.display import cell, frame_cells, html_table, text_table
from ..common.jsonvalues import json_value
from ..common.numbers import level_label

#: the table's columns, in order
COLUMNS = ("candidate", "rank", "loss", "low", "high", "status", "largest_subset",
           "subsets", "examples")


@dataclass(frozen=True)
class Selection:
    """Which base model to fine-tune (:func:`scalinglaws.finetune.select`).

    ``best`` is the candidate with the lowest forecast loss at ``full_size``; ``table`` has
    one row per candidate, best first: the forecast ``loss`` with its bootstrap interval
    (``low``, ``high``) at ``level``, its ``status`` (``best``, ``kept``: still in the running
    when the schedule or the budget ended, ``stopped``: its interval lay wholly above the
    leader's, so it was fine-tuned no further), the ``largest_subset`` it was fine-tuned on,
    how many ``subsets`` and how many ``examples`` in all (times its cost). ``spent`` is the
    compute used and ``full_cost`` that of fine-tuning every candidate on ``full_size``
    (examples times each candidate's cost); ``fraction`` their ratio. ``fits`` holds each
    candidate's ``rectified`` fit, ``points`` its (size, loss) points.
    """

    best: str
    table: pd.DataFrame
    full_size: float
    level: float
    spent: float
    full_cost: float
    rounds: int
    recorded: bool
    fits: Mapping[str, Any] = field(repr=False)
    points: Mapping[str, tuple[tuple[float, float], ...]] = field(repr=False)

    @property
    def fraction(self) -> float:
        """Compute spent as a fraction of fine-tuning every candidate on the full set."""
        return self.spent / self.full_cost

    @property
    def stopped(self) -> list[str]:
        """The candidates stopped early (their interval lay above the leader's)."""
        return [str(c) for c in self.table.loc[self.table["status"] == "stopped",
                                               "candidate"]]

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy), best first."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document: the choice, the compute and one entry per candidate."""
        return dict(json_value({
            "best": self.best, "full_size": self.full_size, "level": self.level,
            "spent": self.spent, "full_cost": self.full_cost, "fraction": self.fraction,
            "rounds": self.rounds, "recorded": self.recorded,
            "candidates": self.table.to_dict(orient="records")}))

    def _headline(self) -> str:
        saved = (" (from recorded runs: the runs a stopped candidate would not have needed "
                 "count as saved)") if self.recorded else ""
        return (f"fine-tune '{self.best}': lowest forecast loss at {cell(self.full_size)} "
                f"examples; compute spent {self.fraction:.1%} of fine-tuning all "
                f"{len(self.table)} candidates fully{saved}")

    def _shown(self) -> tuple[list[str], list[list[str]]]:
        frame = self.table.rename(columns={"low": f"low ({level_label(self.level)})",
                                           "high": f"high ({level_label(self.level)})"})
        return frame_cells(frame)

    def __str__(self) -> str:
        header, rows = self._shown()
        return f"{self._headline()}\n{text_table(header, rows, left=1)}"

    def __repr__(self) -> str:
        return f"<Selection best={self.best!r} fraction={self.fraction:.3f}>\n{self}"

    def _repr_html_(self) -> str:
        header, rows = self._shown()
        return html_table(header, rows, caption=self._headline())
