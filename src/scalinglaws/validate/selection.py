"""Pick the law and the fitting choice that forecast best inside the user's own data, and say
how well that choice itself forecasts.

Every (law, choice) candidate of a grid (:mod:`.candidates`) is fitted on rolling-origin folds
(fit below a cut in size, forecast every larger run) and scored by its weighted held-out error
(:mod:`.nested`); the best candidate, or an average of the best few, is refitted on all the
data. The whole choice is itself backtested one level up (the nested backtest): that error,
not the winner's score with hindsight, is what to expect of the choice on larger runs, and it
decides between ``"best"`` and ``"average"`` when ``strategy="auto"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..common.warning import warn
from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError, ScalingLawError
from ..fitting import FitResult, bind_many, calibrate, split_columns, with_roles
from ..laws import catalog
from ..laws.law import Law
from .candidates import DEFAULT_CHOICES as DEFAULT_CHOICES
from .candidates import CandidateFits, Choice
from .compare import checked_laws
from .nested import STRATEGIES, Ensemble, Forecasts, Key, choose, forecasts, lower_error, nested
from .nested import rolling_origin as rolling_origin
from .selected import Selection as Selection
from .split import MIN_HELD_OUT, Fold, holdout_folds, size_column

__all__ = ["DEFAULT_CHOICES", "Choice", "Selection", "default_laws", "select"]


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
           strategy: str = "auto", nested_backtest: bool = True, level: float = 0.9,
           order: str | None = None, x: str | None = None, y: str = "loss",
           columns: Mapping[str, str] | None = None,
           progress: Callable[[int, int], None] | None = None) -> Selection:
    """Choose the law and fitting choice (or an average of the best few) whose forecasts of
    held-out runs are best; refit on all the data; backtest the choice itself.

    ``holdout`` names the held-out runs the candidates are scored on. The default
    ``"rolling"`` (or ``"rolling=K"``) is a rolling origin over the 3 (K) largest sizes: each
    fold fits the smaller runs and forecasts every run at or above its cut. A comparison
    (``"flops>=1e21"``) or a boolean mask holds out the rows it selects; ``"largest=3"`` and
    ``"leave_family_out"`` as for a backtest. With fewer than ten held-out points the default
    candidate is kept, with a warning. Errors are weighted towards the farthest
    extrapolations (see :mod:`scalinglaws.validate.nested`).

    ``choices`` default to :data:`DEFAULT_CHOICES` (a grid of objectives, over-estimate
    penalties, dropped sizes and a compute weighting); the first law with the first choice is
    the default the table compares against. ``strategy`` is ``"best"``, ``"average"`` or
    ``"auto"`` (the one whose nested backtest error is lower). ``nested_backtest=False``
    skips the nested backtest. ``progress(done, total)`` is called as the folds are fitted.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> sel = sl.validate.select(sl.datasets.load("chinchilla"), laws=["chinchilla"],
    ...                          holdout="flops>=1e21", nested_backtest=False)
    >>> sel.law, sel.fit.status.value
    ('chinchilla', 'converged')
    """
    if strategy not in (*STRATEGIES, "auto"):
        raise OptionError(f"unknown strategy {strategy!r}", "argument 'strategy'",
                          "use 'best', 'average' or 'auto'")
    law_list, ds = _candidate_laws(data, laws, x, columns)
    choice_list = _checked_choices(choices)
    candidates = [(law, c) for law in law_list for c in choice_list]
    size = _size(ds, order, holdout, choice_list)
    fits = CandidateFits(ds, y, size)
    top = _top_folds(ds, holdout, order, size)
    steps = [0, 2 + (2 if nested_backtest else 0)]
    tick = _ticker(progress, steps)
    scores = forecasts(fits, candidates, choice_list, top)
    tick()
    default = (law_list[0].name, choice_list[0].name)
    assessed = (nested(fits, candidates, choice_list, np.ones(len(ds), dtype=bool), tick)
                if nested_backtest and size is not None else None)
    table = _table(scores, candidates, assessed, default)
    keep, few = _kept(scores, table, default)
    picked = _strategy(strategy, assessed)
    ensemble = choose(scores, picked, keep)
    members = {k: fits.fit(_law(law_list, k), choice_list, _choice(choice_list, k),
                           np.ones(len(ds), dtype=bool)) for k in ensemble.members}
    tick()
    best = ensemble.members[0]
    final = _calibrated(members[best])
    errors = dict(zip(scores.keys, scores.errors(), strict=True))
    reason = few or _reason(table, ensemble, errors.get(default, math.nan), default)
    return Selection(
        law=best[0], choice=_choice(choice_list, best), fit=final, table=table, reason=reason,
        default_error=errors.get(default, math.nan),
        holdout=holdout if isinstance(holdout, str) else "mask", ensemble=ensemble,
        members={**members, best: final},
        forecast_table=_forecast_table(scores, ensemble, size),
        candidate_forecasts=_candidate_forecasts(scores, size), nested=assessed,
        choices={(law.name, c.name): c for law, c in candidates},
        folds=_FoldsOf(fits, top), data=ds, y=y, level=level, asked=strategy)


def _candidate_laws(data: Any, laws: Sequence[Law | str] | None, x: str | None,
                    columns: Mapping[str, str] | None) -> tuple[list[Law], Dataset]:
    """The laws given (bound to roles), or the general-purpose ones that suit the data when
    none are; and the data with the columns ``columns`` maps renamed to their roles."""
    specs = [] if laws is None else checked_laws(
        laws, "select", "e.g. ['chinchilla', 'kaplan'], or None for the general-purpose "
        "laws that suit the data", allow_empty=True)
    if specs:
        return bind_many(specs, data, x=x, columns=columns)
    renames, rest = split_columns(columns)
    if rest:
        raise OptionError(f"{', '.join(rest)} is not a role", "argument 'columns'",
                          "map roles (params, tokens, flops, loss, ...) to columns, or name "
                          "the laws whose inputs these are")
    ds = with_roles(data, renames)
    return default_laws(ds, x), ds


def _checked_choices(choices: Sequence[Choice] | None) -> list[Choice]:
    choice_list = list(choices) if choices is not None else list(DEFAULT_CHOICES)
    if not choice_list or not all(isinstance(c, Choice) for c in choice_list):
        raise OptionError("choices must be a non-empty list of sl.validate.Choice",
                          "argument 'choices'", "e.g. [Choice('huber'), Choice('mse', "
                          "loss='mse_log')]")
    if len({c.name for c in choice_list}) != len(choice_list):
        raise OptionError("two choices share a name", "argument 'choices'",
                          "give each choice its own name")
    return choice_list


def _size(ds: Dataset, order: str | None, holdout: Any, choices: Sequence[Choice]
          ) -> np.ndarray | None:
    """The size of each run (None when the data have no size column and nothing needs it)."""
    try:
        return ds.column(size_column(ds, order))
    except DataError:
        if _is_rolling(holdout) or any(c.drop_smallest for c in choices):
            raise
        return None


def _is_rolling(holdout: Any) -> bool:
    return isinstance(holdout, str) and holdout.strip().split("=")[0].strip() == "rolling"


def _top_folds(ds: Dataset, holdout: Any, order: str | None, size: np.ndarray | None
               ) -> list[Fold]:
    """The folds the candidates are scored on: the rolling origin, or the holdout rule's."""
    if not _is_rolling(holdout):
        return holdout_folds(ds, holdout, order=order)
    assert size is not None
    text = holdout.strip()
    k = int(text.split("=")[1]) if "=" in text else 3
    if k < 1:
        raise OptionError(f"{text} scores no size", "argument 'holdout'",
                          "use 'rolling' (3 sizes) or 'rolling=K' with K >= 1")
    out = rolling_origin(size, np.ones(len(ds), dtype=bool), k, ">=")
    if not out:
        raise DataError(f"a rolling holdout needs at least 4 distinct sizes, the data have "
                        f"{np.unique(size).size}", "argument 'holdout'",
                        "add sizes, or hold out a rule such as 'flops>=1e21'")
    return out


class _FoldsOf:
    """The scoring folds as a choice fits them (its smallest sizes dropped), and its weights:
    what :attr:`Selection.backtests` needs to backtest one candidate."""

    def __init__(self, fits: CandidateFits, folds: list[Fold]) -> None:
        self.fits, self.folds = fits, folds

    def __call__(self, choice: Choice) -> list[Fold]:
        return [Fold(f.label, self.fits.rows(choice, f.train), f.test) for f in self.folds]

    def weights(self, choice: Choice) -> np.ndarray | None:
        return self.fits.weights(choice, np.ones(len(self.fits.ds), dtype=bool))


def _ticker(progress: Callable[[int, int], None] | None, steps: list[int]
            ) -> Callable[[], None]:
    def tick() -> None:
        steps[0] += 1
        if progress is not None:
            progress(min(steps[0], steps[1]), steps[1])
    if progress is not None:
        progress(0, steps[1])
    return tick


def _law(laws: Sequence[Law], key: Key) -> Law:
    return next(law for law in laws if law.name == key[0])


def _choice(choices: Sequence[Choice], key: Key) -> Choice:
    return next(c for c in choices if c.name == key[1])


def _table(scores: Forecasts, candidates: Sequence[tuple[Law, Choice]], assessed: Any,
           default: Key) -> pd.DataFrame:
    """One row per candidate, best first: weighted and plain held-out errors, the nested
    backtest's error of the candidate as a fixed recipe, status."""
    err = scores.errors()
    with np.errstate(all="ignore"):
        rel = np.abs(scores.predicted / scores.y - 1.0)
    rows = []
    for i, (law, choice) in enumerate(candidates):
        rows.append({"law": law.name, "choice": choice.name, "n_params": len(law.parameters),
                     "error": err[i], "mean_abs_rel_error": float(np.mean(rel[i])),
                     "max_abs_rel_error": float(np.max(rel[i])), "n_test": scores.y.size,
                     "status": scores.status[i]})
        if assessed is not None:
            rows[-1]["nested_error"] = assessed.fixed_error.get((law.name, choice.name),
                                                                math.nan)
    table = pd.DataFrame(rows)
    table["_bad"] = ~np.isfinite(table["error"])
    table = table.sort_values(["_bad", "error"], kind="stable").drop(columns="_bad")
    table = table.reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.attrs["default"] = list(default)
    return table


def _kept(scores: Forecasts, table: pd.DataFrame, default: Key
          ) -> tuple[Key | None, str | None]:
    """The default candidate when the held-out points are too few to choose, and why."""
    n = scores.y.size
    if n >= MIN_HELD_OUT:
        return None, None
    err = dict(zip(scores.keys, scores.errors(), strict=True))
    if not math.isfinite(err.get(default, math.nan)):
        return None, None
    best = table.iloc[0]
    text = (f"only {n} held-out points (fewer than {MIN_HELD_OUT}), too few to choose between "
            f"the candidates: the default ({default[0]}, {default[1]}) is kept; the lowest "
            f"held-out error was {best['law']} with {best['choice']} ({best['error']:.2%})")
    warn(f"{text}; hold out at least {MIN_HELD_OUT} points (more sizes with "
         "'rolling=K' or 'largest=K', or a rule such as 'flops>=1e21') for a choice "
         "made by the data")
    return default, text


def _strategy(strategy: str, assessed: Any) -> str:
    """``strategy``, or for ``"auto"`` the one with the lower nested error (best on ties or
    without a nested backtest)."""
    if strategy != "auto":
        return strategy
    return "best" if assessed is None else lower_error(assessed.strategy_error)


def _calibrated(fit: FitResult) -> FitResult:
    try:
        return calibrate(fit) if fit.status.finished else fit
    except ScalingLawError:  # too few sizes: the parameter-only intervals, as labelled
        return fit


def _forecast_table(scores: Forecasts, ensemble: Ensemble, size: np.ndarray | None
                    ) -> pd.DataFrame:
    """Per fold and held-out size: the observed mean, the chosen forecast's, the lowest and
    highest of the candidates' (usable ones), the chosen forecast's error and the candidates'
    spread relative to it (how much the answer hangs on the choices)."""
    chosen = ensemble.combine(scores.keys, scores.predicted)
    usable = np.isfinite(scores.errors())
    frame = pd.DataFrame({"fold": scores.fold, "y": scores.y, "chosen": chosen,
                          "size": (size[scores.rows] if size is not None
                                   else np.full(scores.y.size, np.nan))})
    cands = scores.predicted[usable]
    frame["low"], frame["high"] = cands.min(axis=0), cands.max(axis=0)
    w = scores.weight
    out = frame.groupby(["fold", "size"], sort=False, dropna=False).agg(
        n=("y", "size"), observed=("y", "mean"), chosen=("chosen", "mean"),
        lowest=("low", "mean"), highest=("high", "mean")).reset_index()
    out["error"] = out["chosen"] / out["observed"] - 1.0
    out["spread"] = (out["highest"] - out["lowest"]) / out["chosen"]
    with np.errstate(all="ignore"):
        rel = np.abs(chosen / scores.y - 1.0)
    out.attrs["error"] = float(rel @ w / w.sum()) if np.isfinite(rel).all() else math.nan
    return out


def _candidate_forecasts(scores: Forecasts, size: np.ndarray | None) -> pd.DataFrame:
    """Every candidate's mean forecast per fold and held-out size (rows) and candidate
    (columns)."""
    frame = pd.DataFrame(scores.predicted.T, columns=[f"{a} | {b}" for a, b in scores.keys])
    frame.insert(0, "size", size[scores.rows] if size is not None else np.nan)
    frame.insert(0, "fold", scores.fold)
    return frame.groupby(["fold", "size"], sort=False, dropna=False).mean().reset_index()


def _reason(table: pd.DataFrame, ensemble: Ensemble, default_error: float, default: Key
            ) -> str:
    best = table.iloc[0]
    text = (f"lowest weighted held-out error {float(best['error']):.2%} over "
            f"{int(best['n_test'])} held-out points among {len(table)} candidates")
    if ensemble.strategy == "average":
        text += f"; averaged over the {len(ensemble.members)} best"
    if ensemble.members[0] != default and math.isfinite(default_error):
        text += f"; the default ({default[0]}, {default[1]}) scores {default_error:.2%}"
    if best["status"] == "at_bound":
        text += "; note: a parameter sits at its bound"
    return text
