"""The nested pipeline of Ye et al. 2024 (Sect. 4): on small runs of many mixtures, fit a
step law per run and extrapolate it to the target steps, fit a size law per mixture on
those and extrapolate it to the target size, then fit the mixing law on the extrapolated
losses; a bootstrap over mixtures gives the intervals."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, check_n_boot, positive_number
from ..data import Dataset
from ..exceptions import DataError
from .lawfit import fit as fit_mixture
from .lawfit import fit_laws, law_of
from .models import MixingLaw, log_linear, target_weights
from .powers import shared_power
from .result import MixingFit
from .tables import TOLERANCE, MixtureTable, check_domains
from .tables import table as read_table


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
        """Percentile interval of the weighted loss over the bootstrap's draws."""
        level = check_level(level)
        if not self.draws:
            return self.mixing.interval(mixture, target, level)
        r = self.mixing.proportions(mixture)
        w = target_weights(target, self.mixing.validation)
        values = np.array([float(d.target(r, w)[0]) for d in self.draws])
        lo, hi = np.quantile(values, [0.5 - level / 2, 0.5 + level / 2])
        return float(lo), float(hi)


def nested(data: Dataset | pd.DataFrame, domains: Sequence[str], *, target_params: float,
           target_steps: float, by: str | None = None, step: str = "step",
           size: str = "params", losses: Mapping[str, str] | None = None,
           validation: Sequence[str] | None = None, n_boot: int = 100, seed: int = 0,
           tolerance: float = TOLERANCE) -> NestedFit:
    """Predict the mixing law of runs of ``target_params`` trained ``target_steps`` from
    small runs (Ye et al. 2024, Algorithm 1): each run (a mixture at one size) has its
    losses at several steps (column ``step``); a mixture's runs share their proportions
    (or the label in column ``by``) and differ in size (column ``size``).

    The bootstrap (``n_boot`` resamples) redraws every logged loss from its step law's
    fitted value and the residuals of all runs, runs the whole pipeline again (so the shared
    exponents, whose errors move every mixture alike, are refitted), and resamples the
    mixtures for the mixing law: its intervals carry the extrapolation's errors and the
    mixing law's.
    """
    names = check_domains(domains)
    target_params = positive_number(target_params, "target_params", "e.g. 7e9")
    target_steps = positive_number(target_steps, "target_steps", "e.g. 1e5")
    n_boot = check_n_boot(n_boot, "the mixing fit's delta-method intervals", "e.g. 100")
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
    _check(sizes, keys, labels, size, step)
    values, errors, fitted = _extrapolate(sizes, steps, runs.losses, keys, labels,
                                          target_params, target_steps)
    proportions = runs.proportions[first]
    extrapolated = MixtureTable(names, runs.validation, proportions, values)
    with warnings.catch_warnings():  # a 3-mixture fold warns; the selection reports it
        warnings.simplefilter("ignore")
        mixing = fit_mixture(extrapolated)
    draws = _bootstrap((sizes, steps, runs.losses, fitted), keys, labels, proportions,
                       extrapolated, (target_params, target_steps), n_boot, seed,
                       mixing.selected)
    out = pd.DataFrame(proportions, columns=list(names))
    for i, v in enumerate(runs.validation):
        out[f"loss_{v}"] = values[:, i]
        out[f"stderr_{v}"] = errors[:, i]
    return NestedFit(mixing, out, draws, target_params, target_steps)


def _check(sizes: np.ndarray, keys: np.ndarray, labels: list[str], size: str,
           step: str) -> None:
    """Three sizes or more per mixture, three logged steps or more per run."""
    for g in labels:
        mine = keys == g
        count = np.unique(sizes[mine]).size
        if count < 3:
            raise DataError(f"mixture {g} has runs of {count} size(s)", f"column '{size}'",
                            "run every mixture at three sizes or more")
        for n in np.unique(sizes[mine]):
            logged = int(np.sum(mine & (sizes == n)))
            if logged < 3:
                raise DataError(f"the run of mixture {g} at {n:g} has {logged} step(s)",
                                f"column '{step}'", "log each run's loss at three steps or "
                                "more")


def _extrapolate(sizes: np.ndarray, steps: np.ndarray, losses: np.ndarray, keys: np.ndarray,
                 labels: list[str], target_params: float, target_steps: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every mixture's loss per validation domain at the target size and steps, the size
    law's standard error there (mixtures x validation domains each), and the step laws'
    fitted values at every logged point. Step laws share their exponent across the
    mixtures run at one size, size laws across mixtures (one optimiser and schedule; Ye et
    al. fit each alone, which extrapolates far worse from a handful of points)."""
    v = losses.shape[1]
    values, errors = np.empty((len(labels), v)), np.empty((len(labels), v))
    fitted = np.empty_like(losses)
    for i in range(v):
        at_steps: list[tuple[float, float, str]] = []
        for n in np.unique(sizes):
            mask = sizes == n
            present = [g for g in labels if np.any(keys[mask] == g)]
            stage = shared_power(steps[mask], losses[mask, i], keys[mask], target_steps,
                                 present)
            fitted[mask, i] = stage.fitted
            at_steps += [(float(n), stage.at[g][0], g) for g in present]
        grid = np.array([[n, y] for n, y, _ in at_steps])
        stage = shared_power(grid[:, 0], grid[:, 1], np.array([g for *_, g in at_steps]),
                             target_params, labels)
        for j, g in enumerate(labels):
            values[j, i], errors[j, i] = stage.at[g]
    return values, errors, fitted


def _bootstrap(base: tuple[np.ndarray, ...], keys: np.ndarray, labels: list[str],
               proportions: np.ndarray, extrapolated: MixtureTable, targets: tuple[float, float],
               n_boot: int, seed: int, regressor: str) -> tuple[MixingLaw, ...]:
    """Mixing laws (of the selected regressor) refitted on resamples: each logged loss is
    its step law's fitted value times a residual drawn from all of that validation domain's
    (so the shared exponents, and the errors they spread over every mixture, are refitted),
    the pipeline runs again, and the mixtures are resampled for the mixing law."""
    sizes, steps, losses, fitted = base
    residuals = np.log(losses / fitted)
    rng = np.random.default_rng(seed)
    draws = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_boot):
            noise = np.column_stack([rng.choice(residuals[:, i], len(residuals))
                                     for i in range(residuals.shape[1])])
            values, _, _ = _extrapolate(sizes, steps, fitted * np.exp(noise), keys, labels,
                                        *targets)
            pick = rng.integers(0, len(labels), len(labels))
            sample = MixtureTable(extrapolated.domains, extrapolated.validation,
                                  proportions[pick], np.maximum(values[pick], 1e-9))
            if regressor == "log_linear":
                draws.append(log_linear(sample.proportions, sample.losses,
                                        sample.domains, sample.validation)[0])
            else:
                draws.append(law_of(fit_laws(sample), sample.domains, sample.validation))
    return tuple(draws)
