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
from .models import MixingLaw, target_weights
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

    The bootstrap resamples mixtures and, within each, draws the extrapolated loss from
    the size law's own uncertainty at the target (the delta method), so that its interval
    carries both the mixing law's and the extrapolation's errors.
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
    with warnings.catch_warnings():  # a few-point fit warns; the table reports its errors
        warnings.simplefilter("ignore")
        values, errors = _extrapolate(frame, runs.losses, keys, labels, step, size,
                                      target_params, target_steps)
    rows = [np.concatenate([runs.proportions[i], values[g]])
            for g, i in enumerate(first)]
    table = np.array(rows)
    m = len(names)
    extrapolated = MixtureTable(names, runs.validation, table[:, :m], table[:, m:])
    mixing = fit_mixture(extrapolated)
    draws = _bootstrap(extrapolated, errors, n_boot, seed)
    out = pd.DataFrame(table[:, :m], columns=list(names))
    for i, v in enumerate(runs.validation):
        out[f"loss_{v}"] = table[:, m + i]
        out[f"stderr_{v}"] = errors[:, i]
    return NestedFit(mixing, out, draws, target_params, target_steps)


def _extrapolate(frame: pd.DataFrame, losses: np.ndarray, keys: np.ndarray,
                 labels: list[str], step: str, size: str, target_params: float,
                 target_steps: float) -> tuple[np.ndarray, np.ndarray]:
    """Every mixture's loss per validation domain at the target size and steps, and the
    size law's standard error there (mixtures x validation domains each). Step laws share
    their exponent across the mixtures run at one size, size laws across mixtures (one
    optimiser and schedule; Ye et al. fit each alone, which extrapolates far worse from a
    handful of points)."""
    sizes = frame[size].to_numpy(dtype=float)
    steps = frame[step].to_numpy(dtype=float)
    for g in labels:
        count = np.unique(sizes[keys == g]).size
        if count < 3:
            raise DataError(f"mixture {g} has runs of {count} size(s)", f"column '{size}'",
                            "run every mixture at three sizes or more")
    v = losses.shape[1]
    values, errors = np.empty((len(labels), v)), np.empty((len(labels), v))
    for i in range(v):
        at_steps: dict[tuple[str, float], float] = {}
        for n in np.unique(sizes):
            mask = sizes == n
            curve = pd.DataFrame({"step": steps[mask], "loss": losses[mask, i],
                                  "mixture": keys[mask]})
            for g, (at, _) in _joint(curve, "step", target_steps).items():
                at_steps[(g, float(n))] = at
        sized = pd.DataFrame([{"params": n, "loss": y, "mixture": g}
                              for (g, n), y in at_steps.items()])
        for g, (at, sd) in _joint(sized, "params", target_params).items():
            j = labels.index(g)
            values[j, i], errors[j, i] = at, sd
    return values, errors


def _joint(curve: pd.DataFrame, x: str, at: float) -> dict[str, tuple[float, float]]:
    """A power law with a floor per mixture, the exponent shared: each mixture's prediction
    at ``at`` and its standard error."""
    groups = list(dict.fromkeys(curve["mixture"]))
    for g in groups:
        count = int((curve["mixture"] == g).sum())
        if count < 3:
            raise DataError(f"mixture {g} has {count} point(s) in {x}", f"column '{x}'",
                            "log every run at three steps or more")
    return shared_power(curve[x].to_numpy(dtype=float), curve["loss"].to_numpy(dtype=float),
                        curve["mixture"].to_numpy(), at, groups)


def _bootstrap(extrapolated: MixtureTable, errors: np.ndarray, n_boot: int,
               seed: int) -> tuple[MixingLaw, ...]:
    rng = np.random.default_rng(seed)
    draws = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_boot):
            pick = rng.integers(0, len(extrapolated), len(extrapolated))
            noisy = extrapolated.losses[pick] + errors[pick] * rng.standard_normal(
                errors[pick].shape)
            sample = MixtureTable(extrapolated.domains, extrapolated.validation,
                                  extrapolated.proportions[pick], np.maximum(noisy, 1e-9))
            draws.append(law_of(fit_laws(sample), extrapolated.domains,
                                extrapolated.validation))
    return tuple(draws)
