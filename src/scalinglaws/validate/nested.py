"""Scoring candidates on rolling-origin folds, choosing among them (the best, or an average of
the best few), and backtesting that choice itself one level up.

- A rolling-origin fold trains on the runs below a cut in size and forecasts every run at or
  above it. Each forecast's error counts with weight ``1 + ln(size / largest fitted size)``:
  the farthest extrapolations, which the selection exists for, count most.
- ``"best"`` keeps the candidate of lowest weighted mean absolute relative error;
  ``"average"`` the :data:`TOP` best, weighted by the inverse square of that error, and
  averages their forecasts in log space.
- The nested backtest repeats the whole choice (candidates scored on rolling folds inside
  the training rows, then chosen) on each of the :data:`OUTER` outer rolling-origin folds and
  scores its forecast of the runs the outer fold held out: the error of the procedure, not of
  the candidate it picked with hindsight. ``"auto"`` (the best or the average, whichever
  has the lower nested error) is itself decided inside each outer fold, by the nested
  backtest of that fold's training rows, so its error too is the whole procedure's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..exceptions import ScalingLawError
from ..fitting import FitResult
from ..laws.law import Law
from .candidates import CandidateFits, Choice
from .split import Fold

Array = np.ndarray
#: members of an average
TOP = 5
#: outer folds of the nested backtest, inner folds of the choice inside each
OUTER, INNER = 2, 3
#: fewest sizes a rolling-origin fold trains on
MIN_TRAIN_SIZES = 3
STRATEGIES = ("best", "average")

Key = tuple[str, str]


def rolling_origin(size: Array, rows: Array, k: int, label: str) -> list[Fold]:
    """Up to ``k`` folds over ``rows`` (a mask): each trains on the rows below one of the ``k``
    largest sizes and tests on the rows at or above it (keeping three sizes to train on)."""
    sizes = np.unique(size[rows])
    cuts = sizes[max(MIN_TRAIN_SIZES, sizes.size - k):]
    return [Fold(f"{label}{c:.3g}", rows & (size < c), rows & (size >= c)) for c in cuts]


@dataclass(frozen=True)
class Forecasts:
    """Every candidate's forecasts of the held-out rows of some folds: ``predicted`` is
    (candidates, points), ``rows`` the rows of the points, ``weight`` each point's weight and
    ``status`` each candidate's worst fit status (or the error that stopped it)."""

    keys: tuple[Key, ...]
    rows: Array
    fold: tuple[str, ...]
    y: Array
    weight: Array
    predicted: Array
    status: tuple[str, ...]

    def errors(self) -> Array:
        """Each candidate's weighted mean absolute relative error (NaN when a forecast is not
        finite or a fit did not finish)."""
        with np.errstate(all="ignore"):
            rel = np.abs(self.predicted / self.y - 1.0)
            err = rel @ self.weight / max(float(self.weight.sum()), 1e-300)
        ok = np.array([s in ("converged", "at_bound") for s in self.status])
        return np.where(ok & np.isfinite(err), err, np.nan)


def forecasts(fits: CandidateFits, candidates: Sequence[tuple[Law, Choice]],
              choices: Sequence[Choice], folds: Sequence[Fold]) -> Forecasts:
    """Fit every candidate on every fold's training rows and forecast its held-out rows."""
    size = fits.size if fits.size is not None else np.ones(len(fits.ds))
    rows, labels, weight = [], [], []
    for f in folds:
        held = np.flatnonzero(f.test)
        rows.append(held)
        labels += [f.label] * held.size
        top = float(np.max(size[f.train]))
        weight.append(1.0 + np.log(np.maximum(size[held] / top, 1.0)))
    idx = np.concatenate(rows)
    predicted = np.full((len(candidates), idx.size), np.nan)
    status = []
    for i, (law, choice) in enumerate(candidates):
        parts, worst = [], "converged"
        for f, held in zip(folds, rows, strict=True):
            try:
                fit = fits.fit(law, choices, choice, f.train)
            except ScalingLawError as exc:
                parts.append(np.full(held.size, np.nan))
                worst = f"error: {exc.what}"
                continue
            parts.append(forecast(fit, fits, held))
            if fit.status.value not in ("converged", "at_bound") and worst == "converged":
                worst = fit.status.value
        predicted[i] = np.concatenate(parts)
        status.append(worst)
    return Forecasts(tuple((law.name, c.name) for law, c in candidates), idx, tuple(labels),
                     fits.ds.column(fits.y)[idx], np.concatenate(weight), predicted,
                     tuple(status))


def forecast(fit: FitResult, fits: CandidateFits, rows: Array) -> Array:
    """``fit``'s forecast of the given rows of the dataset."""
    part = fits.ds[np.isin(np.arange(len(fits.ds)), rows)]
    inputs = {str(c): part.column(str(c)) for c in fit.law.inputs.values() if c}
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(fit.law(fit.params, **inputs), dtype=float),
                               rows.shape).astype(float)


@dataclass(frozen=True)
class Ensemble:
    """The chosen candidates and their weights (one, weight 1, for ``"best"``)."""

    strategy: str
    members: tuple[Key, ...]
    weights: tuple[float, ...]

    def combine(self, keys: Sequence[Key], predicted: Array) -> Array:
        """The ensemble's forecast from the candidates' (rows of ``predicted``, in ``keys``'
        order): the weighted mean in log space."""
        index = {k: i for i, k in enumerate(keys)}
        logs = np.stack([np.log(predicted[index[m]]) for m in self.members])
        with np.errstate(all="ignore"):
            return np.asarray(np.exp(np.tensordot(np.asarray(self.weights), logs, axes=1)))


def choose(scores: Forecasts, strategy: str, keep: Key | None = None) -> Ensemble:
    """The ``strategy``'s choice from the candidates' scores; ``keep`` (the default candidate,
    when the held-out points are too few to choose) overrides it."""
    err = scores.errors()
    usable = np.flatnonzero(np.isfinite(err))
    if usable.size == 0:
        raise ScalingLawError("no candidate fitted and forecast the held-out runs",
                              f"{len(scores.keys)} candidates", "check the data, or give "
                              "laws= that suit them")
    if keep is not None:
        return Ensemble("best", (keep,), (1.0,))
    order = usable[np.argsort(err[usable], kind="stable")]
    if strategy == "best":
        return Ensemble("best", (scores.keys[order[0]],), (1.0,))
    top = order[:TOP]
    inv = 1.0 / np.maximum(err[top], 1e-12) ** 2
    return Ensemble("average", tuple(scores.keys[i] for i in top),
                    tuple(float(w) for w in inv / inv.sum()))


@dataclass(frozen=True)
class Nested:
    """The nested backtest: per strategy and per fixed candidate, the weighted mean absolute
    relative error of its forecasts of the outer folds' held-out runs."""

    strategy_error: dict[str, float]
    fixed_error: dict[Key, float]
    n_test: int
    folds: tuple[str, ...]


def nested(fits: CandidateFits, candidates: Sequence[tuple[Law, Choice]],
           choices: Sequence[Choice], rows: Array,
           progress: Callable[[], None] | None = None, *, auto: bool = True) -> Nested | None:
    """The nested backtest over ``rows`` (None when the data have too few sizes for an outer
    fold with inner folds inside). With ``auto``, ``strategy_error["auto"]`` is the error of
    choosing the strategy too inside each outer fold (see the module)."""
    assert fits.size is not None
    outer = [f for f in rolling_origin(fits.size, rows, OUTER, "outer<")
             if rolling_origin(fits.size, f.train, INNER, "inner<")]
    if not outer:
        return None
    names = [*STRATEGIES, "auto"] if auto else list(STRATEGIES)
    chosen: dict[str, list[Array]] = {s: [] for s in names}
    fixed: list[Array] = []
    weights, n = [], 0
    for f in outer:
        inner = forecasts(fits, candidates, choices,
                          rolling_origin(fits.size, f.train, INNER, "inner<"))
        held = forecasts(fits, candidates, choices, [f])
        fixed.append(_abs_rel(held.predicted, held.y))
        for s in STRATEGIES:
            try:
                ensemble = choose(inner, s)
            except ScalingLawError:
                chosen[s].append(np.full(held.y.size, np.nan))
                continue
            chosen[s].append(_abs_rel(ensemble.combine(held.keys, held.predicted), held.y))
        if auto:
            chosen["auto"].append(chosen[_auto(fits, candidates, choices, f.train)][-1])
        weights.append(held.weight)
        n += held.y.size
        if progress is not None:
            progress()
    w = np.concatenate(weights)
    return Nested({s: _weighted(np.concatenate(v), w) for s, v in chosen.items()},
                  {k: _weighted(e, w) for k, e in zip(
                      held.keys, np.concatenate(fixed, axis=1), strict=True)},
                  n, tuple(f.label for f in outer))


def _auto(fits: CandidateFits, candidates: Sequence[tuple[Law, Choice]],
          choices: Sequence[Choice], train: Array) -> str:
    """The strategy ``"auto"`` picks from the training rows ``train`` alone: the average when
    its nested error there is lower, else the best (also where those rows are too few for a
    nested backtest of their own)."""
    inner = nested(fits, candidates, choices, train, auto=False)
    return "best" if inner is None else lower_error(inner.strategy_error)


def lower_error(strategy_error: dict[str, float]) -> str:
    """The strategy of lower nested error: the average where its error is finite and below
    the best's, else the best (ties go to the best)."""
    avg, best = strategy_error.get("average", math.nan), strategy_error.get("best", math.nan)
    return "average" if math.isfinite(avg) and not avg >= best else "best"


def _abs_rel(predicted: Array, y: Array) -> Array:
    with np.errstate(all="ignore"):
        return np.asarray(np.abs(predicted / y - 1.0))


def _weighted(err: Array, w: Array) -> float:
    if not np.isfinite(err).all():
        return math.nan
    return float(err @ w / w.sum())
