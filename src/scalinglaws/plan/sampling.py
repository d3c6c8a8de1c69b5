"""A bigger model with fewer samples, or a smaller one with more, at a fixed inference budget
per problem (Brown et al. 2024, "Large Language Monkeys: Scaling Inference Compute with
Repeated Sampling", arXiv:2407.21787; Wu et al. 2024, "Inference Scaling Laws",
arXiv:2408.00724).

Each model size N has its own fit of the ``coverage`` law, exp(a·k^b), on its pass@k
estimates (:func:`scalinglaws.inference.coverage_curve`): Brown et al. fit one curve per
model, and the coefficients do not follow a known law of N, so the query takes a fit per
size rather than one fit whose parameters depend on N. A sample costs ``2·N`` FLOPs per
token (the forward pass) times ``tokens_per_sample`` (prompt and answer); a budget of
``flops`` per problem affords k = floor(flops / (2·N·tokens)) samples; the model whose
predicted coverage at its k is highest is the choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..common.checks import check_level, positive_number
from ..common.numbers import level_label, readable
from ..exceptions import OptionError
from ..fitting import FitResult
from .queries import Array, PerQuery


@dataclass(frozen=True, repr=False)
class SamplingTradeoff(PerQuery):
    """Per model size: samples affordable at the budget, the predicted coverage and its
    interval; ``best`` is the index of the highest coverage."""

    flops: float
    tokens_per_sample: float
    params: Array
    samples: Array
    coverage: Array
    interval: Array
    level: float
    flops_factor: float
    warnings: tuple[str, ...] = field(default=())

    @property
    def best(self) -> int:
        return int(np.argmax(self.coverage))

    @property
    def best_params(self) -> float:
        return float(self.params[self.best])

    @property
    def flops_per_sample(self) -> Array:
        return self.flops_factor * self.params * self.tokens_per_sample

    def _columns(self) -> dict[str, Array]:
        mark = np.array(["best" if i == self.best else "" for i in range(self.params.size)])
        return {"params": self.params, "flops_per_sample": self.flops_per_sample,
                "samples": self.samples, "coverage": self.coverage, "choice": mark}

    def _intervals(self) -> list[tuple[str, Any]]:
        return [(f"coverage {level_label(self.level)}", self.interval)]

    def _title(self) -> str:
        return (f"coverage at {readable(self.flops)} inference FLOPs per problem "
                f"({self.flops_factor:g}·N FLOPs per token, {readable(self.tokens_per_sample)}"
                f" tokens per sample): best N = {readable(self.best_params)}")

    def to_dict(self) -> dict[str, Any]:
        rows = [{"params": float(n), "flops_per_sample": float(f), "samples": int(k),
                 "coverage": float(cv), "coverage_interval": [float(lo), float(hi)]}
                for n, f, k, cv, (lo, hi) in zip(self.params, self.flops_per_sample,
                                                 self.samples, self.coverage, self.interval,
                                                 strict=True)]
        return {"flops": self.flops, "tokens_per_sample": self.tokens_per_sample,
                "flops_factor": self.flops_factor, "level": self.level, "models": rows,
                "best_params": self.best_params, "best_samples": int(self.samples[self.best]),
                "best_coverage": float(self.coverage[self.best]),
                "warnings": list(self.warnings)}


def inference_tradeoff(fits: Mapping[float, FitResult], *, flops: float,
                       tokens_per_sample: float, level: float = 0.9,
                       flops_factor: float = 2.0) -> SamplingTradeoff:
    """Which model size solves most problems with ``flops`` inference FLOPs per problem.

    ``fits``: model size N (parameters) -> that model's fit of the ``coverage`` law.
    A model that cannot afford one sample has coverage 0. The interval is the fit's
    parameter-only interval of the mean (bootstrap when the fit carries one, else the delta
    method) at ``level``.

    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> k = np.arange(1, 101)
    >>> fits = {n: sl.fit("coverage", pd.DataFrame({"samples": k,
    ...                   "coverage": np.exp(a * k**-0.35)}))
    ...         for n, a in [(8e9, -2.0), (7e10, -1.2)]}
    >>> out = sl.plan.inference_tradeoff(fits, flops=2 * 7e10 * 1000 * 20,
    ...                                  tokens_per_sample=1000)
    >>> [int(k) for k in out.samples], out.best_params
    ([175, 20], 8000000000.0)
    """
    if not isinstance(fits, Mapping) or not fits:
        raise OptionError("fits must map each model size to its coverage fit",
                          "argument 'fits'", "e.g. {8e9: fit_8b, 7e10: fit_70b}")
    budget = positive_number(flops, "flops", "give inference FLOPs per problem, e.g. 1e16")
    tokens = positive_number(tokens_per_sample, "tokens_per_sample",
                             "give the tokens of one sample (prompt and answer), e.g. 1000")
    factor = positive_number(flops_factor, "flops_factor", "use 2 (2·N FLOPs per token)")
    level = check_level(level)
    sizes = sorted(fits)
    params = np.array([positive_number(n, "fits (a model size)", "key each fit by its "
                                       "model's parameters, e.g. 8e9") for n in sizes])
    for n in sizes:
        law = getattr(getattr(fits[n], "law", None), "inputs", {})
        if set(dict(law).values()) != {"samples"}:
            raise OptionError(f"the fit for N = {n:g} is not a law of the samples k",
                              "argument 'fits'", "fit sl.fit('coverage', curve) per model")
    samples = np.floor(budget / (factor * params * tokens)).astype(np.int64)
    coverage = np.zeros(params.size)
    interval = np.zeros((params.size, 2))
    warn = []
    for i, n in enumerate(sizes):
        if samples[i] < 1:
            warn.append(f"N = {readable(n)} cannot afford one sample: coverage 0")
            continue
        fit = fits[n]
        k = float(samples[i])
        coverage[i] = float(np.asarray(fit.law(fit.params, samples=k)))
        lo, hi = fit.predict_interval(level, kind="mean", samples=k)
        interval[i] = float(np.asarray(lo)), float(np.asarray(hi))
        top = fit.input_ranges.get("samples", (0.0, np.inf))[1]
        if k > 10 * top:
            warn.append(f"N = {readable(n)}: {samples[i]} samples is {k / top:.3g}x the "
                        f"largest fitted k ({readable(top)}); the coverage is a forecast")
    return SamplingTradeoff(budget, tokens, params, samples, coverage, interval, level,
                            factor, tuple(warn))
