"""Data that loses utility with repetition (Goyal et al. 2024): error after n samples drawn
from a pool of S unique samples.

Goyal, Maini, Lipton, Raghunathan, Kolter, "Scaling Laws for Data Filtering -- Data Curation
cannot be Compute Agnostic", CVPR 2024, arXiv:2404.07177, Section 3. A fresh pool follows
y = a n^b (b < 0, plus an irreducible d); a sample seen for the (k+1)-th time is worth less,
its utility halving every tau repetitions (delta_k = 0.5^(k/tau), tau the half-life in epochs).
The paper's own form lets the exponent decay, epoch by epoch, b_k = b delta_k, with
y_k = y_(k-1) (n_k/n_(k-1))^(b_k) (:func:`utility_decay_error`, exactly as the authors' code
``objective.py::func_effective_utility``). That product over epochs is piecewise in n, so the
catalog law uses the same decay in its effective-samples form (the authors' alternative,
``func_effective_data``): every repetition counts delta_k samples, summed in closed form over
e = n/S epochs,

    n_eff = S (1 - 2^(-e/tau)) / (1 - 2^(-1/tau)),     y = E + A n_eff^(-beta),

exact at whole epochs, smooth in between, and n_eff = n over the first epoch's end points.
Inputs: ``n`` reads ``samples`` (samples seen in training), ``S`` reads ``pool`` (unique
samples in the filtered pool). In the paper's symbols E = d, beta = -b, A = (a/1e5)^b (the
authors count samples in units of 1e5).

Reference values: the authors' released fit (repository locuslab/scaling_laws_data_filtering,
``results/parameter_values.jsonl``, key ``tmars_imagenet1k_utility``: T-MARS-ranked DataComp
pools, ImageNet zero-shot error, a = 0.025 shared, d = 0.1 fixed) for the 10-20% pool:
b = -0.125, tau = 8.55. Their other pools: top 0-10% b = -0.16, tau = 6.73; 20-30%
b = -0.10, tau = 5.27; 30-40% b = -0.085, tau = 2.27.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...exceptions import DataError, QueryError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: the authors count samples in units of 1e5 (``normalizer`` in their code)
SAMPLE_UNIT = 1e5

#: their fitted (b, tau) per T-MARS pool, with a = 0.025 and d = 0.1 shared
POOLS: dict[str, tuple[float, float]] = {
    "top0to10p": (-0.16, 6.7272727272727275),
    "top10to20p": (-0.125, 8.545454545454547),
    "top20to30p": (-0.1, 5.2727272727272725),
    "top30to40p": (-0.085, 2.2727272727272725),
}
A_SHARED, D_SHARED = 0.025, 0.1


def catalog_parameters(a: float, b: float, tau: float, d: float) -> dict[str, float]:
    """The catalog law's parameters from the paper's (a, b, tau, d)."""
    return {"E": d, "A": (a / SAMPLE_UNIT) ** b, "beta": -b, "tau": tau}


def effective_samples(samples: Any, pool: Any, tau: float) -> np.ndarray:
    """n_eff = S (1 - 2^(-n/(S tau))) / (1 - 2^(-1/tau)): samples weighted by their utility."""
    n, s = _positive("samples", samples), _positive("pool", pool)
    if not (math.isfinite(tau) and tau > 0):
        raise QueryError(f"the half-life tau must be finite and positive, got {tau!r}",
                         "argument 'tau'", "give the repetitions (epochs) over which a "
                         "sample's utility halves, e.g. 2 to 10")
    return s * -np.expm1(-np.log(2) * n / (s * tau)) / -math.expm1(-math.log(2) / tau)


def utility_decay_error(samples: Any, pool: Any, a: float, b: float, tau: float,
                        d: float) -> np.ndarray:
    """The paper's error after ``samples`` draws from a pool of ``pool`` unique samples,
    epoch by epoch: (x_0^b0 + d) * prod_k (x_k / x_(k-1))^(b_k), x = a n / 1e5,
    b_k = b 0.5^(k/tau) (the authors' ``func_effective_utility``, including where d enters)."""
    n_all, s_all = np.broadcast_arrays(_positive("samples", samples),
                                       _positive("pool", pool))
    out = np.empty(n_all.shape)
    for idx in np.ndindex(n_all.shape):
        n, s = float(n_all[idx]), float(s_all[idx])
        epochs = np.arange(int(n // s) + 1)
        b_k = b * 0.5 ** (epochs / tau)
        ends = a * np.minimum(s * (epochs + 1), n) / SAMPLE_UNIT
        starts = a * s * epochs / SAMPLE_UNIT
        value = ends[0] ** b_k[0] + d
        if epochs.size > 1:
            value *= float(np.prod((ends[1:] / starts[1:]) ** b_k[1:]))
        out[idx] = value
    return out


def _positive(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"'{name}' is not numeric (got {value!r})", f"argument '{name}'",
                        "give sample counts as numbers") from None
    bad = ~np.isfinite(arr) | (arr <= 0)
    if np.any(bad):
        first = int(np.flatnonzero(bad.ravel())[0])
        raise DataError(f"'{name}' must be finite and positive, got {arr.ravel()[first]!r}",
                        f"argument '{name}', entry {first}", "give sample counts > 0")
    return arr


def _guess(X: Sequence[np.ndarray], y: np.ndarray) -> np.ndarray:
    """Starts at several half-lives, with E, A from a log-log line through the first epoch."""
    n, s = X[0][0], X[1][0]
    rows = []
    for tau in (1.0, 3.0, 10.0, 30.0):
        for beta in (0.05, 0.15, 0.4):
            neff = s * -np.expm1(-np.log(2) * n / (s * tau)) / -math.expm1(-math.log(2) / tau)
            e = 0.5 * float(np.min(y))
            amp = float(np.median((y - e) * neff**beta))
            rows.append([e, max(amp, 1e-12), beta, tau])
    return np.array(rows)


@register("data_filtering")
def data_filtering() -> Law:
    return Law(
        "E + A*(S*(1 - 2**(-n/(S*tau)))/(1 - 2**(-1/tau)))**(-beta)",
        inputs={"n": "samples", "S": "pool"},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True, typical=(0.05, 0.3),
                      description="irreducible error (the paper's d)"),
            Parameter("A", 0.0, np.inf, log=True, typical=(3.0, 20.0),
                      description="amplitude, (a/1e5)^b in the paper's units"),
            Parameter("beta", 0.0, 5.0, init=(0.05, 0.1, 0.2, 0.5),
                      typical=(0.08, 0.18), description="utility of fresh data (-b)"),
            Parameter("tau", 1e-2, 1e3, log=True, init=(1.0, 3.0, 10.0, 30.0),
                      typical=(2.0, 10.0),
                      description="half-life of a sample's utility, in repetitions"),
        ],
        name="data_filtering",
        description="Error of a model trained on a repeated pool: samples lose utility "
        "with each repetition, halving every tau epochs (Goyal et al. 2024).",
        citation="Goyal et al. 2024, arXiv:2404.07177, Section 3 (effective-samples form)",
        domain="one data pool of fixed quality repeated for up to tens of epochs; error "
        "(1 - accuracy) or loss",
        reference=catalog_parameters(A_SHARED, *POOLS["top10to20p"], D_SHARED),
        # DataComp medium: 128M samples seen; pools of 10% to 40% of the 128M pool
        ranges={"n": (1e6, 1.28e8), "S": (3e6, 5e7)},
        guess=_guess,
    )
