"""A fitted observational law's forecast of its target, for a model's benchmark scores or for
a family at a compute, with a bootstrap interval: the models are resampled with replacement
and everything (imputation, components, link, the family's lines) is refitted on each
resample, so the interval carries the uncertainty of every step (not the noise of one
model's own score)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from ..common.jsonvalues import json_value
from ..exceptions import DataError, OptionError, QueryError, ScalingLawError, ScalingLawWarning
from .model import Fitted, Parts, build, scaled_log


@dataclass(frozen=True)
class ObservationalPrediction:
    """The target forecast for one query, with its bootstrap interval."""

    target: str
    query: str
    via: str
    value: float
    low: float
    high: float
    level: float
    capabilities: dict[str, float]
    n_boot: int
    n_used: int

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({
            "target": self.target, "query": self.query, "via": self.via, "value": self.value,
            "interval": [self.low, self.high], "level": self.level,
            "capabilities": self.capabilities, "n_boot": self.n_boot,
            "n_used": self.n_used}))

    def __str__(self) -> str:
        band = (f" ({self.level:.0%} interval {self.low:.4f} to {self.high:.4f}, "
                f"{self.n_used} of {self.n_boot} resamples)" if self.n_used else "")
        return f"{self.target} of {self.query}: {self.value:.4f}{band}"

    def _repr_html_(self) -> str:
        return f"<p class='scalinglaws'>{escape(str(self))}</p>"


def predict(fit: Fitted, model: Any = None, *, family: str | None = None,
            compute: float | None = None, level: float = 0.9, n_boot: int = 200,
            seed: int | None = 0) -> ObservationalPrediction:
    """See :meth:`ObservationalFit.predict`."""
    if fit.target is None:
        raise QueryError("this fit has no target to predict", "argument 'target'",
                         "fit again with target='GSM8K' (or your metric's column)")
    if not 0 < level < 1:
        raise OptionError(f"level must be between 0 and 1, got {level!r}", "argument 'level'")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise OptionError(f"n_boot must be a whole number >= 0, got {n_boot!r}",
                          "argument 'n_boot'")
    if (model is None) == (family is None):
        raise OptionError("give either a model (its name or its benchmark scores) or a family "
                          "and a compute", "argument 'model'",
                          "e.g. predict('meta-llama/Llama-2-70b-hf') or "
                          "predict(family='Llama-2', compute=8.4e23)")
    if family is not None:
        line_at = _family_query(fit, family, compute)
        query, via = f"{family} at {compute:.3g} FLOPs", "family"

        def one(parts: Parts) -> tuple[float, np.ndarray]:
            caps = parts.lines[family].at(line_at)
            return float(parts.link(caps)[0]), caps  # type: ignore[misc]
    else:
        row, query = _scores_query(fit, model)
        via = "scores"

        def one(parts: Parts) -> tuple[float, np.ndarray]:
            caps = parts.space.transform(row)[0]
            return float(parts.link(caps)[0]), caps  # type: ignore[misc]

    value, caps = one(fit.parts)
    draws = _bootstrap(fit, one, n_boot, seed, families=via == "family")
    low, high = ((float(np.quantile(draws, (1 - level) / 2)),
                  float(np.quantile(draws, (1 + level) / 2))) if len(draws) else
                 (float("nan"), float("nan")))
    return ObservationalPrediction(fit.target, query, via, value, low, high, level,
                                   dict(zip(fit.space.names, map(float, caps), strict=True)),
                                   n_boot, len(draws))


def _bootstrap(fit: Fitted, one: Any, n_boot: int, seed: int | None,
               families: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(fit.table)
    draws: list[float] = []
    for _ in range(n_boot):
        rows = rng.integers(0, n, n)
        try:
            parts = build(fit.table.take(rows), fit.options, k=fit.n_components,
                          families=families)
            draws.append(one(parts)[0])
        except (ScalingLawError, KeyError, ValueError, np.linalg.LinAlgError):
            continue
    if n_boot and len(draws) < n_boot / 2:
        warnings.warn(f"only {len(draws)} of {n_boot} bootstrap resamples could be refitted: "
                      "the interval is unreliable", ScalingLawWarning, stacklevel=3)
    return np.array(draws)


def _family_query(fit: Fitted, family: str, compute: float | None) -> float:
    if compute is None or not np.isfinite(compute) or compute <= 0:
        raise OptionError(f"a family's forecast needs a positive training compute in FLOPs, "
                          f"got {compute!r}", "argument 'compute'", "e.g. compute=8.4e23")
    line = fit.lines.get(family)
    if line is None:
        known = ", ".join(sorted(k for k, v in fit.lines.items() if v.fitted)) or "none"
        raise QueryError(f"no family '{family}' with a fitted efficiency in this fit",
                         "argument 'family'", f"fitted families: {known}")
    if not line.fitted:
        raise QueryError(f"family '{family}': {line.reason}", "argument 'family'",
                         "predict from the model's benchmark scores instead")
    return float(scaled_log(np.array([np.log10(compute)]), fit.options)[0])


def _scores_query(fit: Fitted, model: Any) -> tuple[np.ndarray, str]:
    benchmarks = fit.benchmarks
    if isinstance(model, str):
        hits = np.flatnonzero(fit.table.models == model)
        if not len(hits):
            raise QueryError(f"no model named '{model}' in the fitted table", "argument 'model'",
                             "give its benchmark scores as a dict instead")
        return fit.table.scores[hits[:1]], model
    if isinstance(model, Mapping) or hasattr(model, "to_dict"):
        values = dict(model.to_dict() if hasattr(model, "to_dict") else model)
        row = np.array([[_score(values.get(b), b) for b in benchmarks]])
        if np.isnan(row).all():
            raise DataError("the model has no score on any of the fit's benchmarks",
                            "argument 'model'", f"give some of: {', '.join(benchmarks)}")
        name = values.get("Model")
        return row, str(name) if name is not None else "the given scores"
    raise OptionError(f"model must be a model's name or a mapping of benchmark scores, got "
                      f"{type(model).__name__}", "argument 'model'")


def _score(value: Any, benchmark: str) -> float:
    if value is None:
        return float("nan")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DataError(f"the score of '{benchmark}' is not a number: {value!r}",
                        "argument 'model'") from None
    if np.isfinite(x) and not 0 <= x <= 1:
        raise DataError(f"scores must be fractions in [0, 1]: '{benchmark}' is {x}",
                        "argument 'model'", "divide percentages by 100")
    return x
