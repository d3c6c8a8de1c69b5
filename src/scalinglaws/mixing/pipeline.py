"""The nested pipeline of Ye et al. 2024 (Sect. 4): on small runs of many mixtures, fit the
step and size laws of every mixture (exponents shared, scales per mixture) on every logged
loss, extrapolate each mixture to the target steps and size, then fit the mixing law on the
extrapolated losses, each weighted by the inverse of its variance; a bootstrap over mixtures
(each with all its runs, the whole pipeline run again) gives the intervals."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, check_n_boot, positive_number
from ..data import Dataset
from ..exceptions import DataError, OptionError
from .lawfit import fit as fit_mixture
from .lawfit import fit_laws, law_of
from .models import MixingLaw, log_linear, target_weights
from .result import MixingFit
from .surface import FORMS, fit_surface
from .tables import TOLERANCE, MixtureTable, check_domains
from .tables import table as read_table

#: the mixing law's objective on extrapolated losses: least squares on logs (their errors
#: are averages over many logged losses, near-Gaussian, with known variances)
_LOSS = "mse_log"


@dataclass(frozen=True)
class NestedFit:
    """The mixing law at the target scale: ``mixing`` (a :class:`MixingFit` of the
    extrapolated losses), ``extrapolated`` (one row per mixture: proportions, each
    validation domain's extrapolated loss and its standard error), and the bootstrap's
    ``draws`` (mixing laws refitted on resampled mixtures)."""

    mixing: MixingFit
    extrapolated: pd.DataFrame
    draws: tuple[MixingLaw, ...] = field(repr=False)
    target_params: float
    target_steps: float

    def predict(self, mixture: Mapping[str, float] | Any,
                target: Mapping[str, float] | None = None) -> Any:
        """The predicted loss at the target scale (see :meth:`MixingFit.predict`)."""
        return self.mixing.predict(mixture, target)

    def interval(self, mixture: Mapping[str, float] | Any,
                 target: Mapping[str, float] | None = None,
                 level: float = 0.9) -> tuple[float, float]:
        """Percentile interval of the weighted loss over the bootstrap's draws, each side's
        distance from the prediction times ``sqrt(G / (G - p))`` (G mixtures, p the mixing
        law's coefficients per validation domain: the degrees-of-freedom correction of a
        bootstrap over few mixtures, whose spread is that of the residuals, not the
        errors)."""
        level = check_level(level)
        if not self.draws:
            return self.mixing.interval(mixture, target, level)
        r = self.mixing.proportions(mixture)
        w = target_weights(target, self.mixing.validation)
        values = np.array([float(d.target(r, w)[0]) for d in self.draws])
        lo, hi = np.quantile(values, [0.5 - level / 2, 0.5 + level / 2])
        centre = float(self.mixing.model.target(r, w)[0])
        g = len(self.extrapolated)
        p = len(self.mixing.domains) + (self.mixing.selected == "mixture")
        scale = float(np.sqrt(g / max(g - p, 1)))
        return centre - scale * (centre - float(lo)), centre + scale * (float(hi) - centre)


def nested(data: Dataset | pd.DataFrame, domains: Sequence[str], *, target_params: float,
           target_steps: float, by: str | None = None, step: str = "step",
           size: str = "params", losses: Mapping[str, str] | None = None,
           validation: Sequence[str] | None = None, n_boot: int = 100, seed: int = 0,
           tolerance: float = TOLERANCE, form: str = "additive") -> NestedFit:
    """Predict the mixing law of runs of ``target_params`` trained ``target_steps`` from
    small runs (Ye et al. 2024, Algorithm 1): each run (a mixture at one size) has its
    losses at several steps (column ``step``); a mixture's runs share their proportions
    (or the label in column ``by``) and differ in size (column ``size``).

    Every validation domain's losses are fitted at once (``mixing/surface.py``):
    ``form="additive"``, ``E + A N^-alpha + B S^-beta`` per mixture; ``form="per_run"``, a
    step amplitude per run and only the value at the target steps following the size law
    (the paper's nested model); the exponents are shared by the mixtures. The mixing law is
    fitted on the extrapolated losses weighted by the inverse of their variances.

    The bootstrap (``n_boot`` resamples) redraws the mixtures, each with all its runs, and
    runs the whole pipeline again (the shared exponents refitted, the mixing law fitted on
    the resample's extrapolated losses): its intervals carry the extrapolation's errors, the
    errors the shared exponents spread over every mixture, and the mixing law's.
    """
    names = check_domains(domains)
    target_params = positive_number(target_params, "target_params", "e.g. 7e9")
    target_steps = positive_number(target_steps, "target_steps", "e.g. 1e5")
    n_boot = check_n_boot(n_boot, "the mixing fit's delta-method intervals", "e.g. 100")
    if form not in FORMS:
        raise OptionError(f"unknown form {form!r}", "argument 'form'",
                          f"use one of {', '.join(FORMS)}")
    frame = data.to_frame() if isinstance(data, Dataset) else pd.DataFrame(data)
    for column in (step, size):
        if column not in frame.columns:
            raise DataError(f"no column {column!r}", f"columns: {', '.join(frame.columns)}",
                            "the nested pipeline needs each run's size and step")
    runs = read_table(frame, names, losses=losses, validation=validation,
                      tolerance=tolerance)
    keys = (frame[by].astype(str).to_numpy() if by else
            np.array([",".join(f"{x:.6f}" for x in r) for r in runs.proportions]))
    labels = list(dict.fromkeys(keys))
    first = [int(np.flatnonzero(keys == g)[0]) for g in labels]
    sizes, steps = frame[size].to_numpy(dtype=float), frame[step].to_numpy(dtype=float)
    _check(sizes, steps, keys, labels, size, step)
    group = pd.Index(labels).get_indexer(keys)
    points = _Points(sizes, steps, runs.losses, group, np.searchsorted(np.unique(sizes), sizes),
                     (target_params, target_steps), form)
    values, cov, exponents = _extrapolate(points, np.arange(len(labels)))
    proportions = runs.proportions[first]
    extrapolated = MixtureTable(names, runs.validation, proportions, values)
    with warnings.catch_warnings():  # a 3-mixture fold warns; the selection reports it
        warnings.simplefilter("ignore")
        mixing = fit_mixture(extrapolated, weights=_inverse(cov), loss=_LOSS)
    draws = _bootstrap(points, proportions, extrapolated, exponents, n_boot, seed, mixing)
    out = pd.DataFrame(proportions, columns=list(names))
    for i, v in enumerate(runs.validation):
        out[f"loss_{v}"] = values[:, i]
        out[f"stderr_{v}"] = values[:, i] * np.sqrt(np.diagonal(cov[i]))
    return NestedFit(mixing, out, draws, target_params, target_steps)


@dataclass(frozen=True)
class _Points:
    """Every logged loss: its run's size, its step, the losses (points x validation
    domains), its mixture's number and its run's number (the size's rank), the target."""

    sizes: np.ndarray
    steps: np.ndarray
    losses: np.ndarray
    group: np.ndarray
    run: np.ndarray
    target: tuple[float, float]
    form: str


def _check(sizes: np.ndarray, steps: np.ndarray, keys: np.ndarray, labels: list[str],
           size: str, step: str) -> None:
    """Positive sizes and steps, three sizes or more per mixture, three logged steps or more
    per run."""
    for values, column in ((sizes, size), (steps, step)):
        bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
        if bad.size:
            raise DataError(f"{bad.size} non-positive or missing value(s)",
                            f"column '{column}', rows {', '.join(map(str, bad[:5]))}",
                            "drop those rows or fix the values")
    for g in labels:
        mine = keys == g
        count = np.unique(sizes[mine]).size
        if count < 3:
            raise DataError(f"mixture {g} has runs of {count} size(s)", f"column '{size}'",
                            "run every mixture at three sizes or more")
        for n in np.unique(sizes[mine]):
            logged = np.unique(steps[mine & (sizes == n)]).size
            if logged < 3:
                raise DataError(f"the run of mixture {g} at {n:g} has {logged} step(s)",
                                f"column '{step}'", "log each run's loss at three steps or "
                                "more")


def _extrapolate(points: _Points, pick: np.ndarray,
                 start: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss of each picked mixture (in the order picked; one may be picked twice) per
    validation domain at the target size and steps (mixtures x validation domains), the
    covariance of their logs (validation x mixtures x mixtures) and the exponents fitted
    (validation x 2); ``start``: exponents to start from instead of searching."""
    order = [np.flatnonzero(points.group == g) for g in pick]
    rows = np.concatenate(order)
    group = np.repeat(np.arange(len(pick)), [len(o) for o in order])
    v = points.losses.shape[1]
    values, cov = np.empty((len(pick), v)), np.empty((v, len(pick), len(pick)))
    exponents = np.empty((v, 2))
    for i in range(v):
        fit = fit_surface(points.sizes[rows], points.steps[rows], points.losses[rows, i],
                          group, points.run[rows], *points.target, points.form,
                          None if start is None else (start[i, 0], start[i, 1]))
        values[:, i], cov[i], exponents[i] = fit.at, fit.cov, (fit.alpha, fit.beta)
    return values, cov, exponents


def _inverse(cov: np.ndarray) -> np.ndarray:
    """Weights (mixtures x validation domains): the inverse variance of each extrapolated
    log loss, scaled to average one per domain."""
    var = np.maximum(np.diagonal(cov, axis1=1, axis2=2).T, 1e-30)
    w = 1.0 / var
    return w / w.mean(axis=0)


def _bootstrap(points: _Points, proportions: np.ndarray, extrapolated: MixtureTable,
               exponents: np.ndarray, n_boot: int, seed: int,
               mixing: MixingFit) -> tuple[MixingLaw, ...]:
    """Mixing laws (of the selected regressor) refitted on resamples of the mixtures, each
    with all its runs: the step and size laws are fitted again on the resample (from the
    full fit's exponents), then the mixing law on its extrapolated losses and weights
    (from the full fit's coefficients)."""
    init = {v: dict(mixing.fits[v].params) for v in mixing.validation}
    rng = np.random.default_rng(seed)
    g = len(proportions)
    draws = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_boot):
            pick = rng.integers(0, g, g)
            values, cov, _ = _extrapolate(points, pick, exponents)
            sample = MixtureTable(extrapolated.domains, extrapolated.validation,
                                  proportions[pick], np.maximum(values, 1e-9))
            if mixing.selected == "log_linear":
                draws.append(log_linear(sample.proportions, sample.losses,
                                        sample.domains, sample.validation)[0])
            else:
                draws.append(law_of(fit_laws(sample, _inverse(cov), _LOSS, init),
                                    sample.domains, sample.validation))
    return tuple(draws)
