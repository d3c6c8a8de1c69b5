"""The result of an observational fit: the capability space of the benchmarks, each family's
efficiency (its capabilities as lines in log-compute), the target's sigmoid link, and the
forecasts and backtest built on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..common.display import frame_cells, html_notes, html_pairs, html_table, text_table
from ..common.jsonvalues import json_value
from .backtest import ObservationalBacktest
from .backtest import backtest as _backtest
from .links import SigmoidLink
from .model import Fitted
from .prediction import ObservationalPrediction
from .prediction import predict as _predict


@dataclass(frozen=True, eq=False)
class ObservationalFit(Fitted):
    """An observational scaling law (Ruan, Maddison, Hashimoto 2024) fitted to a table of
    public models: read it through its properties, forecast with :meth:`predict`, check it
    with :meth:`backtest`."""

    # -- the capability space ----------------------------------------------------------------
    @property
    def n_models(self) -> int:
        return len(self.table)

    @property
    def explained_variance(self) -> np.ndarray:
        """Each component's share of the variance of the (filled) scores, all of them, in
        order; the first ``n_components`` are kept."""
        return self.space.explained_variance.copy()

    @property
    def loadings(self) -> pd.DataFrame:
        """Benchmarks (rows) by kept components (columns): each component's weights."""
        return pd.DataFrame(self.space.components[: self.n_components].T,
                            index=list(self.benchmarks), columns=self.space.names)

    @property
    def capabilities(self) -> pd.DataFrame:
        """Each model's capabilities (its kept components), with its family and compute."""
        frame = pd.DataFrame(self.parts.capabilities, columns=self.space.names)
        frame.insert(0, "model", self.table.models)
        if self.table.families is not None:
            frame.insert(1, "family", self.table.families)
        if self.table.log_compute is not None:
            frame.insert(len(frame.columns) - self.n_components, "flops",
                         10.0 ** self.table.log_compute)
        return frame

    # -- the links -----------------------------------------------------------------------------
    @property
    def link(self) -> SigmoidLink | None:
        """The target as a sigmoid of the capabilities (None without a target)."""
        return self.parts.link

    @property
    def baseline(self) -> SigmoidLink | None:
        """The compute-only baseline: the target as a sigmoid of log10(C / compute_scale)."""
        return self.parts.baseline

    @property
    def efficiency(self) -> pd.DataFrame:
        """Per family: its models, and for each component the slope per decade of compute and
        the intercept (the capability at C = compute_scale) of its line, the line's R², or
        why the family has none (``reason``)."""
        rows = []
        for name, line in self.parts.lines.items():
            row: dict[str, Any] = {"family": name, "n_models": line.n_models,
                                   "fitted": line.fitted, "reason": line.reason or ""}
            for i, pc in enumerate(self.space.names):
                row[f"{pc} slope"] = line.slope[i] if line.slope is not None else np.nan
                row[f"{pc} intercept"] = (line.intercept[i] if line.intercept is not None
                                          else np.nan)
                row[f"{pc} r2"] = line.r2[i] if line.r2 is not None else np.nan
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def unfitted(self) -> dict[str, str]:
        """The families whose efficiency could not be fitted, and why (never pooled)."""
        return {k: str(v.reason) for k, v in self.parts.lines.items() if not v.fitted}

    @property
    def notes(self) -> tuple[str, ...]:
        return self.table.notes

    # -- forecasts -----------------------------------------------------------------------------
    def predict(self, model: Any = None, *, family: str | None = None,
                compute: float | None = None, level: float = 0.9, n_boot: int = 200,
                seed: int | None = 0) -> ObservationalPrediction:
        """The target for a model — its name in the fitted table, or a mapping of its
        benchmark scores (missing ones are imputed) — or for ``family`` at ``compute``
        FLOPs (through the family's lines), with a ``level`` bootstrap interval over
        ``n_boot`` resamples of the models (``n_boot=0``: the value alone)."""
        return _predict(self, model, family=family, compute=compute, level=level,
                        n_boot=n_boot, seed=seed)

    def backtest(self, holdout_largest: int = 5, *, via: str = "scores") -> ObservationalBacktest:
        """Hold out the ``holdout_largest`` models of largest compute, refit on the others and
        forecast the held-out targets, beside the compute-only sigmoid baseline."""
        return _backtest(self, holdout_largest, via=via)

    # -- output ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        k = self.n_components
        return dict(json_value({
            "benchmarks": list(self.benchmarks), "target": self.target,
            "n_models": self.n_models, "n_components": k,
            "explained_variance": self.explained_variance[:k],
            "explained_variance_all": self.explained_variance,
            "variance_threshold": None if self.options.k is not None else self.options.variance,
            "standardize": self.options.standardize, "n_imputed": self.space.n_imputed,
            "loadings": dict(zip(self.benchmarks,
                                 self.space.components[:k].T.tolist(), strict=True)),
            "link": self.link.to_dict() if self.link else None,
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "compute_scale": self.options.compute_scale,
            "efficiency": self.efficiency.to_dict(orient="records"),
            "unfitted": self.unfitted, "notes": list(self.notes)}))

    def _facts(self) -> list[tuple[str, str]]:
        shares = self.explained_variance
        k = self.n_components
        chosen = ("given" if self.options.k is not None else
                  f"fewest reaching {self.options.variance:.0%} of the variance")
        facts = [("models", str(self.n_models)), ("benchmarks", ", ".join(self.benchmarks)),
                 ("imputed cells", str(self.space.n_imputed)),
                 ("components", f"{k} ({chosen}): {shares[:k].sum():.1%} of the variance; "
                                f"PC-1 {shares[0]:.1%}"),
                 ("scores", "standardised" if self.options.standardize else "as they are")]
        if self.link is not None:
            facts.append(("link", f"{self.target} = " + self.link.formula()
                          + f" (RMSE {self.link.rmse:.4f}, {self.link.n} models)"))
        if self.baseline is not None:
            facts.append(("compute-only", f"{self.target} = " + self.baseline.formula()
                          + f" (RMSE {self.baseline.rmse:.4f})"))
        fitted = sum(v.fitted for v in self.parts.lines.values())
        if self.parts.lines:
            facts.append(("families", f"{fitted} of {len(self.parts.lines)} with a fitted "
                                      "efficiency"))
        return facts

    def _loadings_cells(self) -> tuple[list[str], list[list[str]]]:
        frame = self.loadings.reset_index(names="benchmark")
        return frame_cells(frame)

    def __str__(self) -> str:
        header, rows = self._loadings_cells()
        lines = ["Observational scaling fit", *(f"  {k}: {v}" for k, v in self._facts()),
                 "", text_table(header, rows)]
        lines += [f"  no efficiency for {k}: {v}" for k, v in self.unfitted.items()]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"ObservationalFit(n_models={self.n_models}, n_components="
                f"{self.n_components}, pc1={self.explained_variance[0]:.3f}, "
                f"target={self.target!r})")

    def _repr_html_(self) -> str:
        header, rows = self._loadings_cells()
        notes = [f"no efficiency for {k}: {v}" for k, v in self.unfitted.items()]
        return (html_pairs(self._facts(), caption="Observational scaling fit")
                + html_table(header, rows, caption="loadings")
                + html_notes([*notes, *self.notes], label="note"))
