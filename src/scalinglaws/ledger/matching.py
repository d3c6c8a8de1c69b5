"""Matching outcomes to forecasts: by the run a forecast named, or by the inputs it was made at
(equal within a relative tolerance). What matches nothing is kept and reported."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class Observed:
    """What :meth:`Ledger.observe` did: the ids of the forecasts that got an outcome
    (``matched``, one per attached observation) and the observations that matched none
    (``unmatched``: kept in the ledger unattached)."""

    matched: list[int] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def unmatched_text(self, limit: int = 5) -> str:
        shown = [f"{u.get('run') or u.get('at')} = {u['value']:g}" for u in
                 self.unmatched[:limit]]
        more = len(self.unmatched) - limit
        return "; ".join(shown) + (f" and {more} more" if more > 0 else "")

    def to_dict(self) -> dict[str, Any]:
        return {"matched": self.matched, "unmatched": self.unmatched}

    def __str__(self) -> str:
        text = f"{len(self.matched)} forecast(s) observed"
        if self.unmatched:
            text += f"; {len(self.unmatched)} observation(s) matched none: " \
                    f"{self.unmatched_text()}"
        return text


def match_forecasts(current: pd.DataFrame, items: Sequence[Mapping[str, Any]], *,
                    target: str | None, rtol: float) -> Observed:
    """The observation rows to write for ``items`` against the ``current`` forecasts (a
    table as :meth:`Ledger.forecasts` returns): ``target`` None matches a forecast of any
    target."""
    report = Observed()
    inputs = [json.loads(text) for text in current["inputs"]]
    for item in items:
        value = float(item["value"])
        run = item.get("run")
        at = {str(k): float(v) for k, v in (item.get("at") or {}).items()}
        at_json = json.dumps(at, sort_keys=True) if at else None
        hits = []
        for i, row in enumerate(current.itertuples(index=False)):
            if target is not None and row.target != target:
                continue
            if run is not None:
                if row.run == run:
                    hits.append(i)
            elif _close(inputs[i], at, rtol):
                hits.append(i)
        for i in hits:
            fid = int(current["id"].iloc[i])
            report.matched.append(fid)
            report.rows.append((fid, str(current["target"].iloc[i]), value, run, at_json,
                                item.get("note")))
        if not hits:
            report.unmatched.append({"value": value, "run": run, "at": at or None})
            report.rows.append((None, target or "loss", value, run, at_json, item.get("note")))
    return report


def _close(made_at: Mapping[str, float], at: Mapping[str, float], rtol: float) -> bool:
    if not at or set(made_at) != set(at):
        return False
    return all(abs(made_at[k] - at[k]) <= rtol * abs(at[k]) for k in at)
