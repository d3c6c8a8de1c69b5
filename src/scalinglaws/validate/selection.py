"""Pick the law and the fitting choice that forecast best inside the user's own data.

Every (law, choice) pair is backtested on the same held-out runs (by default a rolling
ladder: fit on the smaller sizes, forecast the next one, for the three largest sizes), the
pair with the lowest mean absolute relative error wins, and it is refitted on all the data.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..common.jsonvalues import json_value
from ..common.numbers import table_float
from ..data.dataset import Dataset, as_dataset
from ..engine.status import FINISHED_VALUES
from ..exceptions import OptionError, ScalingLawError, ScalingLawWarning
from ..fitting import FitOptions, FitResult, fit_law
from ..laws import catalog, resolve
from ..laws.law import Law
from .backtesting import Backtest, backtest
from .compare import checked_laws
from .split import Fold, holdout_folds, kept_candidate, size_column


@dataclass(frozen=True)
class Choice:
    """One way of fitting: the objective, its delta, the over-estimate penalty, and how many
    of the smallest sizes to drop (small runs often sit off the asymptotic law)."""

    name: str
    loss: str = "huber"
    delta: float = 1e-3
    overestimate_penalty: float = 1.0
    drop_smallest: int = 0

    def __post_init__(self) -> None:
        FitOptions(loss=self.loss, delta=self.delta,
                   overestimate_penalty=self.overestimate_penalty)
        if not isinstance(self.drop_smallest, int) or self.drop_smallest < 0:
            raise OptionError(f"drop_smallest must be a non-negative integer, got "
                              f"{self.drop_smallest!r}", f"choice '{self.name}'", "use 0, 1, 2")

    @property
    def fit_options(self) -> dict[str, Any]:
        return {"loss": self.loss, "delta": self.delta,
                "overestimate_penalty": self.overestimate_penalty}

    @property
    def options(self) -> FitOptions:
        """The choice's objective as checked fitting options."""
        return FitOptions(**self.fit_options)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "loss": self.loss, "delta": self.delta,
                "overestimate_penalty": self.overestimate_penalty,
                "drop_smallest": self.drop_smallest}


#: the default fitting choices: Hoffmann et al.'s Huber, a wider delta, least squares in log
#: space, a penalty on over-estimates (forecasts that promise too little loss are the costly
#: mistake), and dropping the smallest size
DEFAULT_CHOICES: tuple[Choice, ...] = (
    Choice("huber 1e-3"),
    Choice("huber 1e-2", delta=1e-2),
    Choice("mse_log", loss="mse_log"),
    Choice("huber 1e-3, overestimate x10", overestimate_penalty=10.0),
    Choice("huber 1e-3, drop smallest", drop_smallest=1),
)


@dataclass(frozen=True)
class Selection:
    """The winner of :func:`select` refitted on all the data, with the full table."""

    law: str
    choice: Choice
    fit: FitResult
    table: pd.DataFrame
    reason: str
    backtest: Backtest
    default_error: float
    holdout: str
    backtests: Mapping[tuple[str, str], Backtest] = field(default_factory=dict, repr=False)

    @property
    def backtest_error(self) -> float:
        return self.backtest.mean_abs_rel_error

    def __str__(self) -> str:
        cols = ["law", "choice", "mean_abs_rel_error", "max_abs_rel_error", "n_test", "status"]
        return (self.table[cols].to_string(index=False, float_format=table_float)
                + f"\nselected: {self.law} with {self.choice.name} ({self.reason})")

    def _repr_html_(self) -> str:
        return str(self.table.to_html(index=False, float_format=table_float))

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({
            "law": self.law, "choice": self.choice.name,
            "choice_options": self.choice.to_dict(), "backtest_error": self.backtest_error,
            "default_error": self.default_error, "reason": self.reason,
            "holdout": self.holdout, "params": self.fit.params,
            "status": self.fit.status.value,
            "table": self.table.to_dict(orient="records")}))


#: the general-purpose laws of loss against size, data or compute that ``select`` tries by
#: default; the specialised catalog laws (precision, experts, vocabulary, ...) are chosen by
#: name, and the constrained or re-parameterised forms would only be duplicate candidates
CANDIDATES = ("chinchilla", "kaplan", "power_law")


def default_laws(ds: Dataset, x: str | None = None) -> list[Law]:
    """Candidate laws whose inputs the data have (one-input laws when ``x`` names a column)."""
    out = []
    for name in CANDIDATES:
        law = catalog.get(name)
        if law.unbound_inputs:
            if x is None or len(law.inputs) != 1:
                continue
            law = law.bind(**{law.unbound_inputs[0]: x})
        if all(c is not None and ds.has(c) for c in law.inputs.values()):
            out.append(law)
    if not out:
        raise OptionError("no catalog law fits these columns", f"columns: {', '.join(ds.columns)}",
                          "pass laws=[...] (expressions work), or x='flops' for one-input laws")
    return out


def select(data: Dataset | pd.DataFrame, laws: Sequence[Law | str] | None = None,
           choices: Sequence[Choice] | None = None, holdout: Any = "rolling", *,
           level: float = 0.9, order: str | None = None, x: str | None = None,
           y: str = "loss", columns: Mapping[str, str] | None = None,
           progress: Callable[[int, int], None] | None = None) -> Selection:
    """Choose the law and fitting choice with the best held-out forecast; refit it on all data.

    ``holdout`` names the held-out runs (default ``"rolling"``: fit on the smaller sizes and
    score the next size, for the three largest): a comparison such as ``"flops>=1e21"`` or a
    boolean mask holds out the rows it selects and fits on the rest; ``"largest=3"``,
    ``"rolling=K"`` and ``"leave_family_out"`` as for a backtest. Held-out runs smaller than
    the fitted ones warn (a backcast), and with fewer than ten held-out points the default
    candidate is kept, with a warning (:func:`~scalinglaws.validate.split.kept_candidate`).
    ``choices`` default to
    :data:`DEFAULT_CHOICES`; the first choice is the "default" the report compares against.
    ``progress(done, total)`` is called after each (law, choice) backtest.

    Example
    -------
    >>> import scalinglaws as sl
    >>> sel = sl.validate.select(sl.datasets.load("chinchilla"), laws=["chinchilla"],
    ...                          holdout="flops>=1e21")
    >>> sel.law, sel.fit.status.value
    ('chinchilla', 'converged')
    """
    ds = as_dataset(data)
    law_list = _candidate_laws(ds, laws, x, columns)
    choice_list = _checked_choices(choices)
    base = holdout_folds(ds, holdout, order=order)
    size = size_column(ds, order) if any(c.drop_smallest for c in choice_list) else None
    split = _Split(ds, base, size)
    rows: list[dict[str, Any]] = []
    tests: dict[tuple[str, str], Backtest] = {}
    total = len(law_list) * len(choice_list)
    for law in law_list:
        for choice in choice_list:
            if progress is not None:
                progress(len(rows), total)
            rows.append(_backtest_row(law, choice, split, level, y, tests))
    if progress is not None:
        progress(total, total)
    table = _ranked(pd.DataFrame(rows), holdout)
    pick, few = kept_candidate(table, base, law_list[0].name, choice_list[0].name)
    best = table.iloc[pick]
    law = next(law_ for law_ in law_list if law_.name == best["law"])
    choice = next(c for c in choice_list if c.name == best["choice"])
    default = tests.get((law_list[0].name, choice_list[0].name))
    default_error = default.mean_abs_rel_error if default is not None else math.nan
    final_ds = _drop_rows(ds, choice.drop_smallest, size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)
        final = fit_law(law, final_ds, y=y, options=choice.options, quiet=True)
    reason = few or _reason(table, default_error, law_list[0].name, choice_list[0].name)
    return Selection(law=law.name, choice=choice, fit=final, table=table, reason=reason,
                     backtest=tests[(law.name, choice.name)], default_error=default_error,
                     holdout=holdout if isinstance(holdout, str) else "mask", backtests=tests)


def _candidate_laws(ds: Dataset, laws: Sequence[Law | str] | None, x: str | None,
                    columns: Mapping[str, str] | None) -> list[Law]:
    """The laws given (bound to the data's columns), or the general-purpose ones that suit
    the data when none are."""
    specs = [] if laws is None else checked_laws(
        laws, "select", "e.g. ['chinchilla', 'kaplan'], or None for the general-purpose "
        "laws that suit the data", allow_empty=True)
    return ([resolve(law, x=x, columns=columns) for law in specs]
            if specs else default_laws(ds, x))


def _checked_choices(choices: Sequence[Choice] | None) -> list[Choice]:
    choice_list = list(choices) if choices is not None else list(DEFAULT_CHOICES)
    if not choice_list or not all(isinstance(c, Choice) for c in choice_list):
        raise OptionError("choices must be a non-empty list of sl.validate.Choice",
                          "argument 'choices'", "e.g. [Choice('huber'), Choice('mse', "
                          "loss='mse_log')]")
    return choice_list


@dataclass(frozen=True)
class _Split:
    """The held-out split every candidate is backtested on, and the size column by which a
    choice drops the smallest runs from its training rows."""

    ds: Dataset
    base: list[Fold]
    size: str | None


def _backtest_row(law: Law, choice: Choice, split: _Split, level: float, y: str,
                  tests: dict[tuple[str, str], Backtest]) -> dict[str, Any]:
    """The table row of one (law, choice) candidate; its backtest goes into ``tests``."""
    row: dict[str, Any] = {"law": law.name, "choice": choice.name,
                           "n_params": len(law.parameters)}
    try:
        kept = _drop_smallest(split.ds, split.base, choice.drop_smallest, split.size)
        bt = backtest(law, split.ds, kept, level=level, n_boot=0, y=y, **choice.fit_options)
    except ScalingLawError as exc:
        row.update(mean_abs_rel_error=math.nan, max_abs_rel_error=math.nan,
                   rmse_log=math.nan, n_test=0, status=f"error: {exc.what}")
        return row
    tests[(law.name, choice.name)] = bt
    row.update(mean_abs_rel_error=bt.mean_abs_rel_error,
               max_abs_rel_error=bt.max_abs_rel_error, rmse_log=bt.rmse_log,
               n_test=bt.n_test, status=bt.status)
    return row


def _ranked(table: pd.DataFrame, holdout: Any) -> pd.DataFrame:
    """The candidates best first (usable ones by held-out error, then the others), ranked;
    an error when none fitted and forecast."""
    usable = table["status"].isin(FINISHED_VALUES) & np.isfinite(
        table["mean_abs_rel_error"])
    if not usable.any():
        raise ScalingLawError("no law and choice fitted and forecast the held-out runs",
                              f"holdout {holdout!r}", "check the data, or give laws= that "
                              "suit them")
    table["_bad"] = ~usable
    table = table.sort_values(["_bad", "mean_abs_rel_error"], kind="stable").drop(
        columns="_bad").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def _smallest_mask(ds: Dataset, k: int, size: str | None) -> np.ndarray:
    if not k or size is None:
        return np.zeros(len(ds), dtype=bool)
    values = ds.column(size)
    sizes = np.unique(values)
    if k >= len(sizes):
        raise OptionError(f"cannot drop the {k} smallest {size}: the data have {len(sizes)}",
                          "choice drop_smallest", "drop fewer sizes")
    return values < sizes[k]


def _drop_smallest(ds: Dataset, base: list[Fold], k: int, size: str | None) -> list[Fold]:
    small = _smallest_mask(ds, k, size)
    return [Fold(f.label, f.train & ~small, f.test) for f in base]


def _drop_rows(ds: Dataset, k: int, size: str | None) -> Dataset:
    small = _smallest_mask(ds, k, size)
    return ds[~small] if small.any() else ds


def _reason(table: pd.DataFrame, default_error: float, law0: str, choice0: str) -> str:
    best = table.iloc[0]
    err = float(best["mean_abs_rel_error"])
    text = (f"lowest held-out error {err:.2%} over {int(best['n_test'])} held-out points "
            f"among {len(table)} candidates")
    if (best["law"], best["choice"]) != (law0, choice0) and math.isfinite(default_error):
        text += f"; the default ({law0}, {choice0}) scores {default_error:.2%}"
    if best["status"] == "at_bound":
        text += "; note: a parameter sits at its bound"
    return text
