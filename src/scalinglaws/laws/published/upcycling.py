"""Upcycling: loss of a mixture-of-experts model upcycled from a dense checkpoint.

Liew et al., "Scaling Laws for Upcycling Mixture-of-Experts Language Models", 2025,
arXiv:2502.03009 (ICML 2025), Sec. 4 (the joint law in the two datasets): a dense model
trained on D1 tokens is copied into the experts of an MoE, which is trained on D2 more
tokens. The loss is multiplicative in the two, with an interaction between them:

    L(D1, D2) = A D1^(-alpha1) D2^(-alpha2 + alpha3 ln D1) + E,

D1 = ``dense_tokens`` and D2 = ``upcycled_tokens``. With alpha3 > 0 the returns on upcycled
tokens shrink as the dense run grows (the D2 exponent alpha2 - alpha3 ln D1 falls): the
sunk dense tokens make upcycling less efficient at large budgets, the paper's main finding.
alpha3 = 0 gives a separable product of power laws (the catalog law keeps alpha3 > 0, the
paper's finding, and fits it on a log scale: a fit that runs to its lower bound says the data
show no interaction).

Two consequences as functions: :func:`best_split` (how to divide a compute budget between
dense and upcycled training, when the dense run is not yet trained) and :func:`versus_scratch`
(upcycled loss against an MoE trained from scratch with the same MoE-phase compute, or the
whole compute when the dense run is counted).

The law above, including the natural log in the interaction, is written from the paper's
description (multiplicative in D1 and D2, with an interaction term); the stored copies
available here did not show its equation or its fitted table, so the exact parametrisation
(e.g. the base of the log, which rescales alpha3) is not verified, and the reference values
are representative, not the paper's: they put the D2 exponent at 0.16 for D1 = 1e10 and
0.14 for D1 = 1e12, and the loss near 2.8 at D1 = D2 = 1e10. The law falls in D1 only while
alpha1 > alpha3 ln D2 (and in D2 while alpha2 > alpha3 ln D1); the reference values keep
both over the input ranges (tokens are plain counts: in other units, e.g. billions, the same
curve has other alpha1, alpha2 and A). The authors release their
losses (github.com/sbintuitions/sparse-upcycling-scaling-laws) to refit it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register


def loss(params: Mapping[str, float], dense_tokens: Any, upcycled_tokens: Any) -> Any:
    """The law at the given tokens (numpy, no fit needed)."""
    p = params
    d1 = np.asarray(dense_tokens, dtype=float)
    d2 = np.asarray(upcycled_tokens, dtype=float)
    out = p["A"] * d1 ** (-p["alpha1"]) * d2 ** (-p["alpha2"] + p["alpha3"] * np.log(d1)) + p["E"]
    return float(out) if out.ndim == 0 else out


def best_split(params: Mapping[str, float], flops: float, dense_flops_per_token: float,
               moe_flops_per_token: float, points: int = 2001) -> tuple[float, float, float]:
    """(D1, D2, loss) minimising the loss when dense_flops_per_token D1 +
    moe_flops_per_token D2 = flops (both phases paid from one budget).

    Searched on a fine grid of the dense share of the budget, then refined by the parabola
    through the best point and its neighbours."""
    for name, v in (("flops", flops), ("dense_flops_per_token", dense_flops_per_token),
                    ("moe_flops_per_token", moe_flops_per_token)):
        if not (math.isfinite(v) and v > 0):
            raise LawError(f"{name} must be positive and finite, got {v!r}", "best_split",
                           f"give {name} > 0")
    share = np.linspace(0.0, 1.0, points)[1:-1]
    d1 = share * flops / dense_flops_per_token
    d2 = (1.0 - share) * flops / moe_flops_per_token
    values = np.asarray(loss(params, d1, d2))
    i = int(np.argmin(values))
    if 0 < i < values.size - 1:
        y0, y1, y2 = values[i - 1:i + 2]
        h = share[1] - share[0]
        denom = y0 - 2.0 * y1 + y2
        s = share[i] + (0.5 * h * (y0 - y2) / denom if denom > 0 else 0.0)
    else:
        s = share[i]
    d1s, d2s = s * flops / dense_flops_per_token, (1.0 - s) * flops / moe_flops_per_token
    return float(d1s), float(d2s), float(loss(params, d1s, d2s))


def versus_scratch(params: Mapping[str, float], scratch: Mapping[str, float],
                   dense_tokens: float, upcycled_tokens: float, *,
                   count_dense: bool = False, dense_to_moe_cost: float = 1.0) -> dict[str, float]:
    """Upcycled loss against an MoE trained from scratch, L_s(D) = A D^-alpha + E
    (``scratch`` = {"A", "alpha", "E"}, fitted on from-scratch runs of the same MoE).

    The scratch model gets the MoE-phase tokens, plus the dense tokens converted at
    ``dense_to_moe_cost`` (dense FLOPs per token / MoE FLOPs per token) when
    ``count_dense`` (the dense run is not sunk). Returns both losses and their difference
    (positive: upcycling is better)."""
    tokens = upcycled_tokens + (dense_to_moe_cost * dense_tokens if count_dense else 0.0)
    up = float(loss(params, dense_tokens, upcycled_tokens))
    sc = float(scratch["A"] * tokens ** (-scratch["alpha"]) + scratch["E"])
    return {"upcycled": up, "scratch": sc, "scratch_tokens": tokens, "advantage": sc - up}


@register("upcycling")
def upcycling() -> Law:
    return Law(
        "A*D1**(-alpha1)*D2**(-alpha2 + alpha3*log(D1)) + E",
        inputs={"D1": "dense_tokens", "D2": "upcycled_tokens"},
        parameters=[
            Parameter("A", 0.0, np.inf, log=True, init=(10.0, 300.0, 1e4),
                      typical=(900.0, 1600.0), description="amplitude"),
            Parameter("alpha1", -1.0, 2.0, init=(0.0, 0.1, 0.3), typical=(0.13, 0.17),
                      description="exponent of the dense tokens"),
            Parameter("alpha2", -1.0, 3.0, init=(0.1, 0.3, 0.6), typical=(0.22, 0.28),
                      description="exponent of the upcycled tokens at D1 = 1"),
            Parameter("alpha3", 0.0, 0.1, log=True, init=(0.001, 0.004, 0.01),
                      typical=(0.0035, 0.0045),
                      description="interaction: the D2 exponent is alpha2 - alpha3 ln D1"),
            Parameter("E", 0.0, np.inf, log=True, init=(1.0, 1.8, 3.0), typical=(1.6, 2.0),
                      description="irreducible loss"),
        ],
        name="upcycling",
        description="Loss of an MoE upcycled from a dense checkpoint, multiplicative in dense "
        "and upcycled tokens with an interaction that makes upcycling less efficient as the "
        "dense run grows (Liew et al. 2025).",
        citation="Liew et al. 2025, arXiv:2502.03009, Sec. 4 (joint law in D1, D2)",
        domain="test loss of Mixtral-like MoEs (8 experts, top-2) upcycled from dense LMs "
        "trained on D1 tokens, then trained on D2 tokens (SlimPajama); up to 7B parameters",
        # representative, not the paper's fit (see the module docstring)
        reference={"A": 1200.0, "alpha1": 0.15, "alpha2": 0.25, "alpha3": 0.004, "E": 1.8},
        ranges={"D1": (1e9, 1e12), "D2": (1e9, 1e12)},
    )
