"""Fitting the mixing law of every validation domain (one catalog ``mixture`` law each,
through ``sl.fit``) and the log-linear regressor beside it, then choosing between them by
their error on held-out mixtures."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import fitting
from ..common.checks import integer_at_least
from ..data import Dataset
from ..exceptions import OptionError
from ..laws import catalog
from ..laws.published.mixtures import proportion_column
from .models import REGRESSORS, MixingLaw, log_linear
from .result import MixingFit, Selection
from .tables import TOLERANCE, MixtureTable
from .tables import table as read_table


def fit(data: Dataset | pd.DataFrame | MixtureTable, domains: Sequence[str] | None = None, *,
        losses: Mapping[str, str] | None = None, validation: Sequence[str] | None = None,
        available: Mapping[str, float] | None = None, regressor: str = "auto",
        folds: int = 5, seed: int = 0, tolerance: float = TOLERANCE,
        weights: np.ndarray | None = None, loss: str | None = None) -> MixingFit:
    """Fit the mixing law (Ye et al. 2024) of every validation domain, and the log-linear
    regressor; ``regressor="auto"`` keeps the one with the smaller error on held-out
    mixtures (``folds``-fold cross-validation over runs), ``"mixture"`` or
    ``"log_linear"`` chooses. ``weights`` (runs x validation domains) weight each run's loss
    in its domain's fit (e.g. the inverse variance of a loss that is itself an estimate) and
    ``loss`` is the fits' objective (``sl.fit``'s default when None).

    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> rng = np.random.default_rng(0)
    >>> r = rng.dirichlet(np.ones(3), 24)
    >>> frame = pd.DataFrame(r, columns=["web", "code", "books"])
    >>> for i, d in enumerate(["web", "code", "books"]):
    ...     frame[f"loss_{d}"] = 2.0 + 0.8 * np.exp(-2.0 * r[:, i])
    >>> fitted = sl.mixing.fit(frame, ["web", "code", "books"], regressor="mixture")
    >>> fitted.selected
    'mixture'
    """
    runs = data if isinstance(data, MixtureTable) else read_table(
        data, domains or [], losses=losses, validation=validation, available=available,
        tolerance=tolerance)
    if regressor not in ("auto", *REGRESSORS):
        raise OptionError(f"unknown regressor {regressor!r}", "argument 'regressor'",
                          f"use 'auto' or one of {', '.join(REGRESSORS)}")
    folds = integer_at_least(folds, "folds", 2, "e.g. folds=5")
    if weights is not None:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != runs.losses.shape or not np.all(np.isfinite(weights)) \
                or np.any(weights < 0):
            raise OptionError(f"weights of shape {weights.shape} for {runs.losses.shape[0]} "
                              f"runs and {runs.losses.shape[1]} validation domains",
                              "argument 'weights'", "give one finite non-negative weight per "
                              "run and validation domain")
    m = len(runs.domains)
    if len(runs) < m + 3:
        raise OptionError(f"{len(runs)} runs cannot determine a mixing law of {m} domains "
                          f"({m + 1} parameters per validation domain)", "data",
                          f"run at least {m + 3} mixtures (sl.mixing.design proposes them)")
    fits = fit_laws(runs, weights, loss)
    law = law_of(fits, runs.domains, runs.validation)
    linear, cov = log_linear(runs.proportions, runs.losses, runs.domains, runs.validation)
    selection = _select(runs, folds, seed, weights, loss)
    chosen = regressor if regressor != "auto" else (selection.best if selection else "mixture")
    return MixingFit(runs.domains, runs.validation, fits, law, linear, cov, chosen,
                     selection, dict(runs.available), runs)


def fit_laws(runs: MixtureTable, weights: np.ndarray | None = None,
             loss: str | None = None,
             init: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, Any]:
    """One catalog ``mixture`` fit per validation domain (the last domain the reference),
    with ``weights`` (runs x validation domains), objective ``loss`` and each domain's
    start (``init``, replacing the search) when given."""
    m = len(runs.domains)
    law = catalog.get("mixture", domains=m)
    frame = pd.DataFrame({proportion_column(j + 1): runs.proportions[:, j]
                          for j in range(m - 1)})
    out = {}
    for i, name in enumerate(runs.validation):
        frame["loss"] = runs.losses[:, i]
        options: dict[str, Any] = {} if loss is None else {"loss": loss}
        if weights is not None:
            options["weights"] = weights[:, i]
        if init is not None:
            options["init"] = dict(init[name])
        out[name] = fitting.fit(law, Dataset.from_frame(frame), **options)
    return out


def law_of(fits: Mapping[str, Any], domains: Sequence[str],
           validation: Sequence[str]) -> MixingLaw:
    """The coefficients of per-domain mixture fits, as one :class:`MixingLaw`."""
    m = len(domains)
    c = np.array([fits[v].params["c"] for v in validation])
    k = np.array([fits[v].params["k"] for v in validation])
    t = np.array([[fits[v].params[f"t{j}"] for j in range(1, m)] + [0.0]
                  for v in validation])
    return MixingLaw(tuple(domains), tuple(validation), c, k, t)


def _select(runs: MixtureTable, folds: int, seed: int, weights: np.ndarray | None = None,
            loss: str | None = None) -> Selection:
    """Mean absolute relative error of each regressor's held-out predictions."""
    order = np.random.default_rng(seed).permutation(len(runs))
    parts = np.array_split(order, min(folds, len(runs)))
    errors: dict[str, list[np.ndarray]] = {name: [] for name in REGRESSORS}
    for held in parts:
        train = np.setdiff1d(order, held)
        sub = runs.subset(train)
        with warnings.catch_warnings():  # the fold fits repeat the full fit's warnings
            warnings.simplefilter("ignore")
            fold_fits = fit_laws(sub, None if weights is None else weights[train], loss)
        test_r, test_y = runs.proportions[held], runs.losses[held]
        law = law_of(fold_fits, runs.domains, runs.validation)
        linear, _ = log_linear(sub.proportions, sub.losses, runs.domains, runs.validation)
        for name, model in (("mixture", law), ("log_linear", linear)):
            errors[name].append(np.abs(model.predict(test_r) / test_y - 1.0))
    scores = {name: float(np.mean(np.concatenate(e))) for name, e in errors.items()}
    return Selection(scores, min(scores, key=scores.__getitem__), len(parts))
