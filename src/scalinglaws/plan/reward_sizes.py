"""How the over-optimisation peak moves with the size of the proxy reward model (Gao, Schulman,
Hilton 2023, arXiv:2210.10760, Sec. 3): the gold-reward law fitted per reward-model size, each
size's peak d* with its bootstrap interval, and a power law d* = c * size^b across sizes,
whose exponent's interval pairs the sizes' bootstrap resamples."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, check_n_boot
from ..common.display import frame_cells, html_table, text_table
from ..common.jsonvalues import json_value
from ..common.names import did_you_mean
from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError
from ..fitting import fit as fit_data
from .reward import _LAWS, peak_samples, reward_peak

COLUMNS = ("size", "d", "d_low", "d_high", "kl", "n", "reward", "points")


@dataclass(frozen=True)
class RewardPeaks:
    """The peak per reward-model size (``table``: ``size``, ``d`` with its interval
    ``d_low``-``d_high``, ``kl`` = d², ``n`` for best-of-n, the fitted gold ``reward`` there,
    the ``points`` fitted) and the power law ``d = coefficient * size**exponent`` across
    sizes, with the exponent's ``exponent_interval`` at ``level`` (NaN without a bootstrap).
    ``fits`` maps each size to its fit."""

    law: str
    by: str
    table: pd.DataFrame
    coefficient: float
    exponent: float
    exponent_interval: tuple[float, float]
    level: float
    fits: Mapping[float, Any]

    def predict(self, size: Any) -> Any:
        """d* at reward-model ``size`` from the power law across sizes."""
        return self.coefficient * np.asarray(size, dtype=float) ** self.exponent

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({
            "law": self.law, "by": self.by, "coefficient": self.coefficient,
            "exponent": self.exponent, "exponent_interval": list(self.exponent_interval),
            "level": self.level, "peaks": self.table.to_dict(orient="records")}))

    def _headline(self) -> str:
        lo, hi = self.exponent_interval
        span = f" ({self.level:.0%} interval {lo:.3g} to {hi:.3g})" if math.isfinite(lo) else ""
        return (f"peak d* = {self.coefficient:.4g} * {self.by}^{self.exponent:.4g}{span}, "
                f"{self.law} fitted per {self.by}")

    def __str__(self) -> str:
        header, rows = frame_cells(self.table)
        return f"{self._headline()}\n{text_table(header, rows, left=0)}"

    def __repr__(self) -> str:
        return f"<RewardPeaks exponent={self.exponent:.4g}>\n{self}"

    def _repr_html_(self) -> str:
        header, rows = frame_cells(self.table)
        return html_table(header, rows, caption=self._headline(), left=0)


def reward_peaks(data: Any, by: str = "rm_size", *, law: str = "reward_bon",
                 level: float = 0.9, n_boot: int = 200, seed: int | None = 0,
                 columns: Mapping[str, str] | None = None) -> RewardPeaks:
    """The over-optimisation peak for each reward-model size in ``data`` (a table of
    ``kl_distance``, ``gold_reward`` and the size column ``by``; ``columns`` maps others) and
    how it moves with the size: :func:`reward_peak` per size, then d* = c * size^b fitted by
    least squares in log-log; ``n_boot`` > 0 gives each d* and the exponent b an interval.

    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> d = np.linspace(0.1, 4.0, 25)
    >>> rows = [(s, x, x * (1.0 - x / (2 * 1.5 * (s / 1e8) ** 0.2))) for s in (1e7, 1e8, 1e9)
    ...         for x in d]
    >>> frame = pd.DataFrame(rows, columns=["rm_size", "kl_distance", "gold_reward"])
    >>> round(sl.plan.reward_peaks(frame, n_boot=0).exponent, 3)
    0.2
    """
    if law not in _LAWS:
        raise OptionError(f"no peak for law '{law}'", "argument 'law' of reward_peaks",
                          f"use {' or '.join(_LAWS)}")
    level = check_level(level)
    n_boot = check_n_boot(n_boot, "no intervals", "use e.g. 200")
    frame = _frame(data, by, columns)
    sizes = sorted(frame[by].unique())
    if len(sizes) < 2:
        raise DataError(f"{len(sizes)} reward-model size(s) in column '{by}': a trend needs "
                        "two or more", f"column '{by}'", "add runs with other reward models")
    fits, rows, samples = {}, [], []
    for i, size in enumerate(sizes):
        points = frame.loc[frame[by] == size, ["kl_distance", "gold_reward"]]
        fit = fit_data(law, Dataset.from_frame(points.reset_index(drop=True)))
        top = reward_peak(fit, level=level)
        fits[float(size)] = fit
        if n_boot:
            samples.append(peak_samples(fit, n_boot, seed=None if seed is None else seed + i))
            tail = 100 * (1 - level) / 2
            lo, hi = (float(v) for v in np.percentile(samples[-1], [tail, 100 - tail]))
        else:
            lo = hi = math.nan
        rows.append((float(size), top.d, lo, hi, top.kl, top.n, top.reward, len(points)))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    coefficient, exponent = _power(table["size"].to_numpy(), table["d"].to_numpy())
    interval = (math.nan, math.nan)
    if n_boot:
        k = min(len(s) for s in samples)
        slopes = [_power(table["size"].to_numpy(), np.array([s[j] for s in samples]))[1]
                  for j in range(k)]
        tail = 100 * (1 - level) / 2
        lo, hi = np.percentile(slopes, [tail, 100 - tail])
        interval = (float(lo), float(hi))
    return RewardPeaks(law, by, table, coefficient, exponent, interval, level, fits)


def _power(sizes: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """c and b of d = c * size^b by least squares on the logs."""
    ok = np.isfinite(d) & (d > 0)
    b, a = np.polyfit(np.log(sizes[ok]), np.log(d[ok]), 1)
    return float(math.exp(a)), float(b)


def _frame(data: Any, by: str, columns: Mapping[str, str] | None) -> pd.DataFrame:
    frame = data.to_frame() if isinstance(data, Dataset) else data
    if not isinstance(frame, pd.DataFrame):
        raise OptionError(f"cannot read runs from {type(data).__name__}",
                          "argument 'data' of reward_peaks", "give a DataFrame or a Dataset")
    mapping = {"kl_distance": "kl_distance", "gold_reward": "gold_reward", by: by,
               **dict(columns or {})}
    missing = [v for v in mapping.values() if v not in frame.columns]
    if missing:
        known = [str(c) for c in frame.columns]
        raise DataError(f"no column {', '.join(map(repr, missing))}",
                        f"columns {', '.join(known)}",
                        f"{did_you_mean(missing[0], known)}name the columns kl_distance, "
                        f"gold_reward and {by}, or map yours with columns=")
    out = pd.DataFrame({role: frame[column].to_numpy() for role, column in mapping.items()})
    sizes = pd.to_numeric(out[by], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(sizes) | (sizes <= 0))
    if bad.size:
        raise DataError(f"{bad.size} reward-model size(s) are not positive numbers",
                        f"column '{mapping[by]}', row(s) "
                        + ", ".join(str(int(i)) for i in bad[:5]),
                        "give each run the parameter count of its reward model")
    out[by] = sizes
    return out
