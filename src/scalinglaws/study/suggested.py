"""The runs a run choice suggests, in order, with the forecast's width after each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..common.jsonvalues import json_value
from ..common.numbers import level_label, sci


@dataclass(frozen=True)
class SuggestedRuns:
    """``runs``: one row per suggested run, in the order chosen (the law's inputs, ``cost``,
    ``width``: the forecast's range once it and those before it are trained, measured by
    refits on simulated outcomes; ``width_linear``: the same by the linearised variance, which
    is smooth where the simulated one carries the noise of its sets; ``candidate``: its row in
    the candidates); the widths before any and after all, the budget and the spend."""

    runs: pd.DataFrame
    target: dict[str, float]
    width_before: float
    width_linear_before: float
    width_after: float
    budget: float
    spent: float
    level: float
    law: str
    noise: float
    n_candidates: int

    @property
    def shrink(self) -> float:
        """The fraction of the forecast's width the runs remove."""
        return 1.0 - self.width_after / self.width_before if self.width_before > 0 else 0.0

    def to_frame(self) -> pd.DataFrame:
        return self.runs.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the target, the runs in order and the widths."""
        return json_value({
            "law": self.law, "target": self.target, "level": self.level,
            "budget_flops": self.budget, "spent_flops": self.spent,
            "width_before": self.width_before, "width_after": self.width_after,
            "width_linear_before": self.width_linear_before,
            "shrink": self.shrink, "noise": self.noise, "n_candidates": self.n_candidates,
            "runs": self.runs.to_dict(orient="records")})

    def __str__(self) -> str:
        where = ", ".join(f"{k}={sci(v)}" for k, v in self.target.items())
        after = (float(self.runs["width_linear"].iloc[-1]) if not self.runs.empty
                 else self.width_linear_before)
        lines = [f"Next runs for '{self.law}' at {where}: {len(self.runs)} run(s), "
                 f"{sci(self.spent)} of {sci(self.budget)} FLOPs",
                 f"{level_label(self.level)} range of the forecast, by refits on simulated "
                 f"outcomes: {self.width_before:.4g} now, {self.width_after:.4g} after them "
                 f"({self.shrink:.0%} narrower); linearised: {self.width_linear_before:.4g} "
                 f"now, {after:.4g} after"]
        if not self.runs.empty:
            lines.append("")
            cols = [c for c in self.runs.columns if c not in ("candidate",)]
            heads = {"width": "simulated", "width_linear": "linear"}
            lines.append("  ".join(f"{heads.get(c, c):>10}" for c in ["#", *cols]))
            for k, row in enumerate(self.runs.itertuples(index=False), start=1):
                values = dict(zip(self.runs.columns, row, strict=True))
                lines.append("  ".join([f"{k:>10}", *(
                    f"{values[c]:>10.4g}" if c.startswith("width") else f"{sci(values[c]):>10}"
                    for c in cols)]))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"SuggestedRuns(law={self.law!r}, runs={len(self.runs)}, "
                f"width {self.width_before:.3g} -> {self.width_after:.3g})")
