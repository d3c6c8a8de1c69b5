"""The outcome of :func:`~scalinglaws.validate.select`: the chosen law and fitting choice (or
an average of the best few), refitted on all the data; the candidates' table; the forecast
table per held-out size; and the nested backtest of the choice itself."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level
from ..common.jsonvalues import json_value
from ..fitting import KIND_LABELS, FitResult
from .backtesting import Backtest
from .candidates import Choice
from .display import Shown, render
from .nested import Ensemble, Key, Nested


@dataclass(frozen=True)
class Selection:
    """The choice of :func:`~scalinglaws.validate.select`.

    ``law``, ``choice`` and ``fit`` are the best candidate's (its fit refitted on all the data
    and calibrated when the data allow); ``ensemble`` the strategy's members and weights and
    ``members`` their fits on all the data. ``table`` ranks every candidate by its weighted
    held-out error (``error``; ``nested_error`` when the nested backtest ran);
    ``forecast_table`` gives, per held-out size, the observed loss, the chosen forecast and
    the spread of the candidates' forecasts; ``nested`` the nested backtest (None when the data
    have too few sizes)."""

    law: str
    choice: Choice
    fit: FitResult
    table: pd.DataFrame
    reason: str
    default_error: float
    holdout: str
    ensemble: Ensemble
    members: Mapping[Key, FitResult]
    forecast_table: pd.DataFrame
    candidate_forecasts: pd.DataFrame
    nested: Nested | None
    choices: Mapping[Key, Choice] = field(repr=False, default_factory=dict)
    folds: Any = field(repr=False, default=None)
    data: Any = field(repr=False, default=None)
    y: str = "loss"
    level: float = 0.9
    #: the strategy asked for (``"auto"``, ``"best"`` or ``"average"``)
    asked: str = "auto"

    @property
    def strategy(self) -> str:
        return self.ensemble.strategy

    @property
    def backtest_error(self) -> float:
        """The weighted held-out error of the choice (the ensemble's for an average)."""
        return float(self.forecast_table.attrs.get("error", math.nan))

    @property
    def nested_error(self) -> float:
        """The nested backtest's error of the whole procedure with the strategy asked for
        (``"auto"`` decided inside each outer fold too, so not the error of the strategy it
        picked with hindsight)."""
        if self.nested is None:
            return math.nan
        errors = self.nested.strategy_error
        return errors.get(self.asked, errors[self.strategy])

    @property
    def default_nested_error(self) -> float:
        """The nested backtest's error of the default candidate, fitted as it is."""
        if self.nested is None:
            return math.nan
        return self.nested.fixed_error.get(self._default, math.nan)

    @property
    def _default(self) -> Key:
        return (str(self.table.attrs["default"][0]), str(self.table.attrs["default"][1]))

    # -- forecasts ---------------------------------------------------------------------------
    def predict(self, **inputs: Any) -> Any:
        """The choice's forecast at the inputs: the best candidate's, or the weighted mean in
        log space of the members' for an average."""
        logs = [w * np.log(np.asarray(self.members[k].predict(extrapolation=None, **inputs),
                                      dtype=float))
                for k, w in zip(self.ensemble.members, self.ensemble.weights, strict=True)]
        out = np.exp(np.sum(logs, axis=0))
        return float(out) if np.ndim(out) == 0 else out

    def predict_interval(self, level: float = 0.9, **inputs: Any) -> tuple[Any, Any, str]:
        """An interval around :meth:`predict` and its kind: the best candidate's calibrated
        interval (else its parameter-only interval of a new run) re-centred on the forecast
        and, for an average, widened by the spread of the members' forecasts (in quadrature,
        in log space)."""
        level = check_level(level)
        kind = "calibrated" if self.fit.calibration is not None else "observation"
        center = np.asarray(self.predict(**inputs), dtype=float)
        lo, hi = (np.asarray(v, dtype=float)
                  for v in self.fit.predict_interval(level, kind=kind, **inputs))
        logs = np.stack([np.log(np.asarray(self.members[k].predict(extrapolation=None,
                                                                   **inputs), dtype=float))
                         for k in self.ensemble.members])
        w = np.asarray(self.ensemble.weights).reshape((-1,) + (1,) * (logs.ndim - 1))
        with np.errstate(all="ignore"):
            spread = np.sqrt(np.sum(w * (logs - np.log(center)) ** 2, axis=0))
            half = np.sqrt((np.log(hi / lo) / 2.0) ** 2 + spread**2)
        low, high = center * np.exp(-half), center * np.exp(half)
        if np.ndim(low) == 0:
            return float(low), float(high), kind
        return low, high, kind

    # -- backtests of single candidates -----------------------------------------------------
    @cached_property
    def backtests(self) -> dict[Key, Backtest]:
        """Backtests, on the selection's folds with calibrated intervals, of the chosen
        candidate and of the default (made on first use)."""
        from .backtesting import backtest

        out = {}
        for key in dict.fromkeys([self.ensemble.members[0], self._default]):
            choice = self.choices[key]
            fit = self.members.get(key) or self.fit
            out[key] = backtest(fit.law, self.data, self.folds(choice), level=self.level,
                                y=self.y, n_boot=0, weights=self.folds.weights(choice),
                                **choice.fit_options)
        return out

    @property
    def backtest(self) -> Backtest:
        """The backtest of the chosen (best) candidate (see :attr:`backtests`)."""
        return self.backtests[self.ensemble.members[0]]

    # -- display -----------------------------------------------------------------------------
    def summary_line(self) -> str:
        members = ", ".join(f"{law} with {c} ({w:.0%})" for (law, c), w in zip(
            self.ensemble.members, self.ensemble.weights, strict=True))
        text = (f"selected ({self.strategy}): {members} ({self.reason})")
        if self.nested is not None:
            text += (f"; nested backtest of the procedure: {self.nested_error:.2%} "
                     f"(default {self.default_nested_error:.2%}) over {self.nested.n_test} "
                     f"held-out points")
        return text

    def _shown(self) -> list[Shown]:
        cols = ["rank", "law", "choice", "error", "nested_error", "max_abs_rel_error", "n_test",
                "status"]
        return [Shown(f"candidates by weighted held-out error (holdout: {self.holdout})",
                      self.table, cols),
                Shown("forecasts of the held-out sizes", self.forecast_table,
                      [str(c) for c in self.forecast_table.columns])]

    def __str__(self) -> str:
        return render(self._shown(), [self.summary_line()])[0]

    def __repr__(self) -> str:
        return f"<Selection: {self.summary_line()}>"

    def _repr_html_(self) -> str:
        return render(self._shown(), [self.summary_line()])[1]

    def to_latex(self) -> str:
        """The candidates' table as a booktabs ``tabular``."""
        return self._shown()[0].latex()

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({
            "law": self.law, "choice": self.choice.name,
            "choice_options": self.choice.to_dict(), "strategy": self.strategy,
            "members": [{"law": law, "choice": c, "weight": w} for (law, c), w in zip(
                self.ensemble.members, self.ensemble.weights, strict=True)],
            "backtest_error": self.backtest_error, "default_error": self.default_error,
            "nested_error": self.nested_error,
            "default_nested_error": self.default_nested_error,
            "nested_folds": list(self.nested.folds) if self.nested else [],
            "reason": self.reason, "holdout": self.holdout, "params": self.fit.params,
            "status": self.fit.status.value,
            "interval": KIND_LABELS["calibrated" if self.fit.calibration is not None
                                    else "observation"],
            "table": self.table.to_dict(orient="records"),
            "forecast_table": self.forecast_table.to_dict(orient="records")}))
