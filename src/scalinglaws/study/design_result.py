"""The result of an estimation-design study: one row per fit (cell, seed, borrowed or not) and
one row per (fit, target run) forecast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..common.jsonvalues import json_value
from ..common.numbers import size as size_text
from ..exceptions import OptionError

_VALUES = ("are", "max_are", "cost", "cost_fraction", "n_points")


@dataclass(frozen=True)
class EstimationDesign:
    """Forecast errors of a law fitted on subsets of a sweep.

    ``frame``: one row per fit — ``max_size``, ``fraction``, ``n_models``, ``seed``,
    ``borrowed``, ``n_runs``, ``n_points``, ``cost`` (FLOPs of the runs up to the fraction
    seen), ``cost_fraction`` (of all non-target runs trained fully), ``status``, ``are`` (mean
    absolute relative error over the target runs) and ``max_are``. ``predictions``: one row per
    (fit, target run).
    """

    frame: pd.DataFrame
    predictions: pd.DataFrame
    law: str
    target: str
    size: str
    borrowed: tuple[str, ...]
    total_cost: float

    def __post_init__(self) -> None:
        if "cost_fraction" not in self.frame.columns:
            frac = self.frame["cost"].to_numpy(dtype=float) / self.total_cost \
                if self.total_cost > 0 else np.nan
            self.frame.insert(list(self.frame.columns).index("cost") + 1, "cost_fraction", frac)

    @property
    def fitted(self) -> pd.DataFrame:
        """The rows whose fit returned a forecast."""
        return self.frame[np.isfinite(self.frame["are"].to_numpy(dtype=float))]

    def pivot(self, x: str = "fraction", y: str = "max_size", value: str = "are",
              borrowed: bool | None = None) -> pd.DataFrame:
        """``value`` averaged over the other axes and seeds, as a table of ``y`` (rows) by
        ``x`` (columns); ``borrowed`` picks the fits with or without borrowed parameters
        (default: without)."""
        axes = ("max_size", "fraction", "n_models", "seed")
        for name, given in (("x", x), ("y", y)):
            if given not in axes:
                raise OptionError(f"{name}='{given}' is not an axis of the study",
                                  f"argument '{name}'", f"use one of {', '.join(axes)}")
        if value not in _VALUES:
            raise OptionError(f"value='{value}' is not a column the study averages",
                              "argument 'value'", f"use one of {', '.join(_VALUES)}")
        rows = self.fitted
        rows = rows[rows["borrowed"].to_numpy() == bool(borrowed)]
        return rows.pivot_table(index=y, columns=x, values=value, aggfunc="mean")

    def best(self, within: float = 0.02) -> pd.DataFrame:
        """The cheapest fits whose mean error is at most ``within`` above the best one's:
        what the sweep could have cost."""
        rows = self.fitted
        if rows.empty:
            return rows
        limit = float(rows["are"].min()) + within
        return rows[rows["are"] <= limit].sort_values("cost")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the study's settings, its fits and its forecasts."""
        return json_value({
            "law": self.law, "target": self.target, "size": self.size,
            "borrowed": list(self.borrowed), "total_cost": self.total_cost,
            "fits": self.frame.to_dict(orient="records"),
            "predictions": self.predictions.to_dict(orient="records")})

    def __str__(self) -> str:
        rows = self.fitted
        head = (f"Estimation design of '{self.law}' for the runs {self.target}: "
                f"{len(self.frame)} fits, {len(rows)} with a forecast")
        if rows.empty:
            return head
        lines = [head, "", "mean |relative error| of the target's final loss "
                 f"(rows: largest {self.size} used; columns: fraction of training seen)"]
        table = self.pivot()
        lines.append(f"{'':>12}" + "".join(f"{c:>9.0%}" for c in table.columns))
        for idx, values in table.iterrows():
            lines.append(f"{size_text(idx):>12}" + "".join(
                f"{v:>9.2%}" if np.isfinite(v) else f"{'-':>9}" for v in values))
        best = rows.iloc[int(np.argmin(rows["are"].to_numpy(dtype=float)))]
        lines += ["", f"best: {best['are']:.2%} with models up to {size_text(best['max_size'])}, "
                  f"{best['fraction']:.0%} of training, {int(best['n_models'])} sizes "
                  f"({best['cost_fraction']:.1%} of the sweep's compute)"]
        if self.borrowed:
            b = self.pivot(borrowed=True).to_numpy()
            f = self.pivot(borrowed=False).to_numpy()
            lines.append(f"borrowing {', '.join(self.borrowed)}: mean error "
                         f"{np.nanmean(b):.2%} vs {np.nanmean(f):.2%} fitted")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"EstimationDesign(law={self.law!r}, target={self.target!r}, "
                f"fits={len(self.frame)})")
