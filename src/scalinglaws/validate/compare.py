"""Rank laws by how well they forecast held-out runs, with AIC and BIC beside."""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, check_n_boot
from ..common.jsonvalues import json_value
from ..data.dataset import Dataset
from ..engine.links import link_for
from ..engine.status import FINISHED_VALUES
from ..exceptions import OptionError, ScalingLawError, ScalingLawWarning
from ..fitting import FitOptions, FitResult, bind_many, fit_law
from ..laws.law import Law
from .backtesting import Backtest, backtest, rule_label
from .display import Shown, render
from .split import folds

#: two backtest errors within this relative margin count as a tie (decided by BIC)
TIE_MARGIN = 0.10


@dataclass(frozen=True)
class LawComparison:
    """The table of :func:`compare_laws`, best first, with a recommendation and its reason."""

    table: pd.DataFrame
    recommendation: str | None
    reason: str
    backtests: Mapping[str, Backtest]

    def _shown(self) -> Shown:
        cols = ["rank", "law", "n_params", "mean_abs_rel_error", "max_abs_rel_error",
                "coverage", "aic", "bic", "status"]
        return Shown("laws ranked by held-out error", self.table, cols)

    def _closing(self) -> list[str]:
        return [f"recommended: {self.recommendation} ({self.reason})"]

    def __str__(self) -> str:
        return render([self._shown()], self._closing())[0]

    def __repr__(self) -> str:
        return f"<LawComparison: {self._closing()[0]}>"

    def _repr_html_(self) -> str:
        return render([self._shown()], self._closing())[1]

    def to_latex(self) -> str:
        """The ranking as a booktabs ``tabular``."""
        return self._shown().latex()

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({"recommendation": self.recommendation, "reason": self.reason,
                                "table": self.table.to_dict(orient="records")}))


def information_criteria(fit: FitResult, ds: Dataset) -> tuple[float, float]:
    """AIC and BIC from a Gaussian likelihood of the fit's (log) residuals on ``ds``."""
    inputs = {str(c): ds.column(str(c)) for c in fit.law.inputs.values()}
    y = ds.column(fit.target)
    with np.errstate(all="ignore"):
        pred = np.asarray(fit.law(fit.params, **inputs), dtype=float)
        link = link_for(fit.loss)
        r = link.transform(pred) - link.transform(y)
    n, k = len(y), len(fit.params)
    rss = float(np.sum(r**2))
    if not math.isfinite(rss) or rss <= 0:
        return math.nan, math.nan
    ll = n * math.log(rss / n)
    return ll + 2 * k, ll + k * math.log(n)


def compare_laws(laws: Sequence[Law | str], data: Dataset | pd.DataFrame, train: Any, *,
                 level: float = 0.9, n_boot: int = 0, seed: int | None = 0,
                 order: str | None = None, x: str | None = None, y: str = "loss",
                 columns: Mapping[str, str] | None = None, criteria: bool = True,
                 **fit_options: Any) -> LawComparison:
    """Backtest every law on the same split; rank by mean absolute relative error.

    The split is made once, before any law is fitted (a bad ``train`` rule fails at once).
    AIC and BIC come from each law's fit on all the data (``criteria=False`` skips those
    fits: the columns are NaN and ties are not broken). A law whose error is within
    :data:`TIE_MARGIN` of the best is a tie, and the tie goes to the lower BIC (fewer
    parameters for the same forecast).
    """
    law_specs = checked_laws(laws, "compare_laws", "e.g. ['chinchilla', 'kaplan']")
    level = check_level(level)
    n_boot = check_n_boot(n_boot, "the delta method", "use e.g. 200, or 0")
    bound, ds = bind_many(law_specs, data, x=x, columns=columns)
    splits = folds(ds, train, order=order)
    # options shared by every law fail once, here, rather than as an error row per law
    options = FitOptions.coerce(**fit_options)
    rule = rule_label(train)
    rows: list[dict[str, Any]] = []
    tests: dict[str, Backtest] = {}
    for law in bound:
        label = law.name if law.name not in tests else f"{law.name}#{len(tests)}"
        row: dict[str, Any] = {"law": label, "n_params": len(law.parameters)}
        try:
            bt = backtest(law, ds, splits, level=level, n_boot=n_boot, seed=seed, y=y,
                          **options.to_dict())
        except ScalingLawError as exc:
            row.update(status=f"error: {exc.what}", mean_abs_rel_error=math.nan,
                       max_abs_rel_error=math.nan, coverage=math.nan, rmse_log=math.nan,
                       aic=math.nan, bic=math.nan)
            rows.append(row)
            continue
        tests[label] = bt = dataclasses.replace(bt, rule=rule)
        aic = bic = math.nan
        if criteria:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScalingLawWarning)
                full = fit_law(law, ds, y=y, options=options, quiet=True)
            aic, bic = information_criteria(full, ds)
        row.update(mean_abs_rel_error=bt.mean_abs_rel_error,
                   max_abs_rel_error=bt.max_abs_rel_error, coverage=bt.coverage,
                   rmse_log=bt.rmse_log, aic=aic, bic=bic,
                   status=bt.status)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["_bad"] = ~table["status"].isin(FINISHED_VALUES)
    table["_err"] = table["mean_abs_rel_error"].fillna(np.inf)
    table = table.sort_values(["_bad", "_err"], kind="stable").drop(columns=["_bad", "_err"])
    table = table.reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    recommendation, reason = _recommend(table)
    return LawComparison(table=table, recommendation=recommendation, reason=reason,
                      backtests=tests)


def checked_laws(laws: Any, caller: str, example: str, *,
                 allow_empty: bool = False) -> list[Law | str]:
    """``laws`` as a list (non-empty unless ``allow_empty``), or an OptionError naming the
    argument."""
    if laws is None or isinstance(laws, (str, bytes, Law)) or not isinstance(laws, Iterable):
        got = "nothing" if laws is None else f"one {type(laws).__name__}"
        raise OptionError(f"{caller} takes a list of laws, got {got}", "argument 'laws'",
                          example)
    out = list(laws)
    if not out and not allow_empty:
        raise OptionError(f"{caller} takes a list of laws, got an empty one", "argument 'laws'",
                          example)
    return out


def _recommend(table: pd.DataFrame) -> tuple[str | None, str]:
    good = table[table["status"].isin(FINISHED_VALUES)
                 & np.isfinite(table["mean_abs_rel_error"])]
    if good.empty:
        return None, "no law fitted and forecast the held-out runs"
    best = good.iloc[0]
    err = float(best["mean_abs_rel_error"])
    ties = good[good["mean_abs_rel_error"] <= err * (1 + TIE_MARGIN)]
    if len(ties) > 1 and ties["bic"].notna().all():
        pick = ties.sort_values("bic", kind="stable").iloc[0]
        if pick["law"] != best["law"]:
            return str(pick["law"]), (
                f"its held-out error {pick['mean_abs_rel_error']:.2%} ties with the best "
                f"({err:.2%}, within {TIE_MARGIN:.0%}) and its BIC is lower")
    note = "; note: a parameter sits at its bound" if best["status"] == "at_bound" else ""
    if len(good) == 1:
        return str(best["law"]), f"the only law that fitted; held-out error {err:.2%}{note}"
    second = float(good.iloc[1]["mean_abs_rel_error"])
    return str(best["law"]), (f"lowest held-out error: {err:.2%} against {second:.2%} for "
                              f"'{good.iloc[1]['law']}'{note}")


#: the former name of :class:`LawComparison` (kept for code that imports it)
Comparison = LawComparison
