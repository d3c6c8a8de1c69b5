"""The backtest of an observational law: the ``n`` models of largest training compute are held
out, everything is refitted on the rest, and the held-out targets are forecast — from the
held-out models' benchmark scores (``via="scores"``, the paper's setting) or from their
family's lines in log-compute (``via="family"``, a forecast before the model exists) — beside
the compute-only baseline (the target as a sigmoid of log-compute alone, fitted on the same
models). Models of unknown compute take part in neither side: where they fall relative to the
cut is unknown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..common.display import frame_cells, html_pairs, html_table, text_table
from ..common.jsonvalues import json_value
from ..exceptions import DataError, OptionError
from .model import Fitted, build, scaled_log

VIAS = ("scores", "family")


@dataclass(frozen=True, eq=False)
class ObservationalBacktest:
    """Held-out forecasts of the largest models, and the compute-only baseline's."""

    target: str
    via: str
    holdout: int
    n_train: int
    n_components: int
    points: pd.DataFrame
    mean_abs_error: float
    baseline_mean_abs_error: float
    n_scored: int
    train_max_flops: float

    @property
    def beats_baseline(self) -> bool:
        return bool(self.mean_abs_error < self.baseline_mean_abs_error)

    def to_dict(self, points: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "target": self.target, "via": self.via, "holdout_largest": self.holdout,
            "n_train": self.n_train, "n_test": len(self.points), "n_scored": self.n_scored,
            "n_components": self.n_components, "mean_abs_error": self.mean_abs_error,
            "baseline_mean_abs_error": self.baseline_mean_abs_error,
            "train_max_flops": self.train_max_flops}
        if points:
            out["points"] = self.points.to_dict(orient="records")
        return dict(json_value(out))

    def _facts(self) -> list[tuple[str, str]]:
        return [("target", self.target), ("forecast from", self.via),
                ("held out", f"the {self.holdout} largest models (compute > "
                             f"{self.train_max_flops:.3g} FLOPs)"),
                ("fitted on", f"{self.n_train} models, {self.n_components} components"),
                ("mean |error|", f"{self.mean_abs_error:.4f} over {self.n_scored} models"),
                ("compute-only mean |error|", f"{self.baseline_mean_abs_error:.4f}")]

    def __str__(self) -> str:
        header, rows = frame_cells(self.points, ["model", "family", "flops", "truth",
                                                 "predicted", "baseline"])
        return "\n".join([f"Observational backtest of {self.target}",
                          *(f"  {k}: {v}" for k, v in self._facts()), "",
                          text_table(header, rows, left=2)])

    def __repr__(self) -> str:
        return (f"ObservationalBacktest(target={self.target!r}, holdout={self.holdout}, "
                f"mean_abs_error={self.mean_abs_error:.4f}, "
                f"baseline_mean_abs_error={self.baseline_mean_abs_error:.4f})")

    def _repr_html_(self) -> str:
        header, rows = frame_cells(self.points, ["model", "family", "flops", "truth",
                                                 "predicted", "baseline"])
        return (html_pairs(self._facts(), caption=f"Observational backtest of {self.target}")
                + html_table(header, rows, left=2))


def backtest(fit: Fitted, holdout_largest: int = 5, *,
             via: str = "scores") -> ObservationalBacktest:
    """See :meth:`ObservationalFit.backtest`."""
    table = fit.table
    if fit.target is None or table.target is None:
        raise OptionError("a backtest needs a target", "argument 'target'",
                          "fit again with target='GSM8K' (or your metric's column)")
    if via not in VIAS:
        raise OptionError(f"via must be one of {', '.join(VIAS)}, got {via!r}",
                          "argument 'via'")
    if table.log_compute is None:
        raise DataError("a backtest holds out the models of largest compute, and the table has "
                        "no compute column", "argument 'compute'",
                        "name the column of training compute")
    n = holdout_largest
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise OptionError(f"holdout_largest must be a whole number >= 1, got {n!r}",
                          "argument 'holdout_largest'")
    eligible = np.flatnonzero(np.isfinite(table.target) & np.isfinite(table.log_compute))
    order = eligible[np.argsort(-table.log_compute[eligible], kind="stable")]
    test, train = order[:n], order[n:]
    if len(train) < 5:
        raise DataError(f"holding out {n} of the {len(eligible)} models with a known compute "
                        f"and target leaves {len(train)} to fit on", "argument 'holdout_largest'",
                        "hold out fewer models")
    parts = build(table.take(train), fit.options, families=via == "family")
    held = table.take(test)
    log_c = scaled_log(held.log_compute, fit.options)  # type: ignore[arg-type]
    assert parts.link is not None
    if via == "scores":
        predicted = parts.link(parts.space.transform(held.scores))
    else:
        predicted = np.full(len(test), np.nan)
        for i, name in enumerate(held.families if held.families is not None else []):
            line = parts.lines.get(str(name))
            if line is not None and line.fitted:
                predicted[i] = parts.link(line.at(log_c[i]))[0]
    baseline = (parts.baseline(log_c[:, None]) if parts.baseline is not None
                else np.full(len(test), np.nan))
    truth = np.asarray(held.target)
    scored = np.isfinite(predicted)
    points = pd.DataFrame({
        "model": held.models, "family": held.families if held.families is not None else "",
        "flops": 10.0 ** held.log_compute,  # type: ignore[operator]
        "truth": truth, "predicted": predicted, "baseline": baseline,
        "error": predicted - truth, "baseline_error": baseline - truth})
    mae = float(np.abs(predicted - truth)[scored].mean()) if scored.any() else float("nan")
    base = (float(np.abs(baseline - truth)[scored].mean()) if scored.any() else float("nan"))
    return ObservationalBacktest(fit.target, via, n, len(train), parts.space.k, points, mae,
                                 base, int(scored.sum()),
                                 float(10.0 ** table.log_compute[train].max()))
