"""The scorecard: how close the ledger's forecasts landed and whether their intervals held,
per law, tag or any other column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..common.display import html_table, text_table
from ..common.jsonvalues import json_value
from ..exceptions import OptionError

#: the columns of a scorecard's table, in order
COLUMNS = ("forecasts", "observed", "mean_are", "median_are", "mean_log_error", "bias",
           "coverage", "level", "sharpness")
_GROUPABLE = ("law", "tag", "dataset", "kind", "target", "user", "run", "version", "method",
              "fingerprint")


@dataclass(frozen=True)
class Scorecard:
    """Per group (``by``): how many forecasts were recorded and observed; their mean and
    median absolute relative error (ARE = |observed − forecast| / observed); mean absolute
    log error and bias (mean log(forecast / observed): above 0, forecasts too high);
    coverage (the share of observed values inside their interval) beside the mean nominal
    ``level``; sharpness (the mean interval width relative to the forecast). ``points`` has
    one row per observed forecast; ``overall`` is the table's row for all of them."""

    by: tuple[str, ...]
    table: pd.DataFrame
    overall: dict[str, Any]
    points: pd.DataFrame

    @classmethod
    def build(cls, forecasts: pd.DataFrame, observations: pd.DataFrame,
              by: str | Sequence[str]) -> Scorecard:
        keys = (by,) if isinstance(by, str) else tuple(by)
        for key in keys:
            if key not in _GROUPABLE:
                raise OptionError(f"cannot group a scorecard by '{key}'", "argument 'by'",
                                  f"use one or more of {', '.join(_GROUPABLE)}")
        points = _points(forecasts, observations)
        frame = forecasts.assign(tag=forecasts["tags"].map(
            lambda t: list(t) if len(t) else ["(untagged)"]))
        if "tag" in keys:
            frame = frame.explode("tag")
            points = points.merge(frame[["id", "tag"]], on="id", how="left")
        elif "tag" in points:
            points = points.drop(columns="tag")
        grouped = []
        for name, group in frame.groupby(list(keys), dropna=False, sort=True):
            labels = name if isinstance(name, tuple) else (name,)
            mask = np.ones(len(points), dtype=bool)
            for key, label in zip(keys, labels, strict=True):
                mask &= (points[key].astype(str) == str(label)).to_numpy()
            grouped.append({**dict(zip(keys, map(str, labels), strict=True)),
                            **_metrics(len(group), points[mask])})
        table = pd.DataFrame(grouped, columns=[*keys, *COLUMNS])
        overall = _metrics(len(forecasts), points.drop_duplicates("id"))
        return cls(keys, table, overall, points.reset_index(drop=True))

    def calibration(self, levels: Sequence[float] | None = None) -> pd.DataFrame:
        """Empirical against nominal coverage: each interval read as a normal forecast in log
        space (its half-width in logs over the normal quantile of its level), the share of
        observed values within each nominal central interval. A calibrated ledger lies on the
        diagonal; below it, intervals too narrow."""
        grid = np.asarray(levels if levels is not None else np.linspace(0.1, 0.95, 18))
        z = self.points["z"].dropna().to_numpy()
        if z.size == 0:
            return pd.DataFrame({"nominal": grid, "empirical": np.nan, "n": 0})
        half = stats.norm.ppf(0.5 + grid / 2)
        empirical = [(np.abs(z) <= h).mean() for h in half]
        return pd.DataFrame({"nominal": grid, "empirical": empirical, "n": z.size})

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({"by": list(self.by), "groups": self.table.to_dict("records"),
                                "overall": self.overall}))

    # -- presentation ----------------------------------------------------------------------
    def _rows(self) -> tuple[list[str], list[list[str]]]:
        header = [*self.by, "forecasts", "observed", "mean ARE", "median ARE", "bias (log)",
                  "coverage", "sharpness"]
        rows = [[*(str(r[k]) for k in self.by), *_cells(r)] for r in
                self.table.to_dict("records")]
        rows.append([*(["all"] + [""] * (len(self.by) - 1)), *_cells(self.overall)])
        return header, rows

    def __str__(self) -> str:
        header, rows = self._rows()
        return "scorecard\n" + text_table(header, rows, left=len(self.by))

    def _repr_html_(self) -> str:
        header, rows = self._rows()
        return html_table(header, rows, caption="scorecard", left=len(self.by))


def _points(forecasts: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    attached = observations.dropna(subset=["forecast_id"])
    latest = attached.sort_values("id").groupby("forecast_id").tail(1)
    latest = latest.rename(columns={"value": "observed"})[["forecast_id", "observed"]]
    points = forecasts.merge(latest, left_on="id", right_on="forecast_id", how="inner")
    obs, point = points["observed"].to_numpy(float), points["point"].to_numpy(float)
    lower = points["lower"].to_numpy(float)
    upper = points["upper"].to_numpy(float)
    level = points["level"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        points["are"] = np.abs(obs - point) / np.abs(obs)
        points["log_error"] = np.log(point / obs)
        points["covered"] = np.where(np.isnan(lower), np.nan,
                                     (lower <= obs) & (obs <= upper))
        points["width"] = (upper - lower) / point
        sigma = np.log(upper / lower) / (2 * stats.norm.ppf(0.5 + level / 2))
        points["z"] = np.log(obs / point) / sigma
    return points


def _metrics(recorded: int, points: pd.DataFrame) -> dict[str, Any]:
    n = len(points)
    covered = points["covered"].dropna() if n else pd.Series(dtype=float)

    def mean(column: str) -> float:
        values = points[column].dropna()
        return float(values.mean()) if len(values) else float("nan")

    return {"forecasts": int(recorded), "observed": int(n), "mean_are": mean("are"),
            "median_are": float(points["are"].median()) if n else float("nan"),
            "mean_log_error": float(points["log_error"].abs().mean()) if n else float("nan"),
            "bias": mean("log_error"),
            "coverage": float(covered.mean()) if len(covered) else float("nan"),
            "level": mean("level"), "sharpness": mean("width")}


def _cells(r: Mapping[Any, Any]) -> list[str]:
    def pct(v: float) -> str:
        return "-" if v != v else f"{v:.2%}"

    coverage = ("-" if r["coverage"] != r["coverage"] else
                f"{r['coverage']:.0%} (nominal {r['level']:.0%})")
    return [str(r["forecasts"]), str(r["observed"]), pct(r["mean_are"]), pct(r["median_are"]),
            "-" if r["bias"] != r["bias"] else f"{r['bias']:+.4f}", coverage,
            pct(r["sharpness"])]
