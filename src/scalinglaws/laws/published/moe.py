"""Mixture-of-experts laws: loss in dense size and expert count, and in granularity.

``moe`` and ``moe_saturating``: Clark et al., "Unified Scaling Laws for Routed Language
Models", 2022, arXiv:2202.01169 (ICML 2022), eq. (1); data and example code
github.com/google-deepmind/scaling_laws_for_routing. Logs are base 10, as in the paper:

    log10 L(N, E) = a·log10 N + b·log10 Ê + c·log10 N·log10 Ê + d,
    1/Ê = 1/(E - 1 + (1/E_start - 1/E_max)^-1) + 1/E_max                    (``moe_saturating``)

``moe_saturating`` takes E_s = (1/E_start - 1/E_max)^-1 as its parameter instead of E_start
(the same law: 1/Ê = 1/(E - 1 + E_s) + 1/E_max and E_start = Ê(1) = 1/(1/E_s + 1/E_max)):
E_max then enters the formula once, which keeps its symbolic derivatives small. For the
published fits E_s is within 1% of E_start (1.858, 1.888, 4.212 below).

N = ``params``: the dense parameter count, the parameters one token sees (the base model the
experts are copied from; the data's ``dense_parameter_count``); E = ``experts``: experts per
routed layer (E = 1 is the dense model). Ê saturates: Ê(1) = E_start, Ê -> E_max as E grows;
in between Ê ~ E - 1 + E_s. ``moe`` is the same law with Ê replaced by E (the bilinear form
without saturation). a < 0 (bigger is better), b < 0 (more experts are better), c > 0
(routing helps less as N grows: the E-slope b + c·log10 N vanishes at N = 10^(-b/c), about
1e12).

Reference values: the paper's Table 3 (solutions of eq. (1), one per routing technique):

    S-BASE  a -0.082  b -0.108  c 0.009  d 1.104  E_start 1.847  E_max 314.478
    RL-R    a -0.083  b -0.126  c 0.012  d 1.111  E_start 1.880  E_max 469.982
    HASH    a -0.087  b -0.136  c 0.012  d 1.157  E_start 4.175  E_max 477.741

``router=`` picks the row (default S-BASE). The paper prints no fit of the form without
saturation: ``moe`` carries the a, b, c, d of the same row, a representative starting point,
not a fit of that form (fitted on the paper's data it gives b and c 18 to 30% smaller in
magnitude; see docs/laws/moe.md).

``moe_granular``: Krajewski et al., "Scaling Laws for Fine-Grained Mixture of Experts",
2024, arXiv:2402.07871 (ICML 2024), eq. (9), Table 1 (MoE row):

    L(N, D, G) = c + (g/G^gamma + a)/N^alpha + b/D^beta,

N = ``params``: all non-embedding parameters (every expert counted), D = ``tokens``,
G = ``granularity`` = d_ff/d_expert (a token goes to G experts G times smaller than the
feed-forward layer; G = 1 is the usual MoE); their expansion rate E = 64 throughout.
a = 18.1, alpha = 0.115, b = 30.8, beta = 0.147, g = 2.1, gamma = 0.58, c = 0.47 (their dense
fit of eq. (1): a = 16.3, alpha = 0.126, b = 26.7, beta = 0.127, c = 0.47).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: Table 3 of Clark et al. 2022: (a, b, c, d, E_start, E_max) per routing technique
CLARK_TABLE3: dict[str, tuple[float, float, float, float, float, float]] = {
    "s-base": (-0.082, -0.108, 0.009, 1.104, 1.847, 314.478),
    "rl-r": (-0.083, -0.126, 0.012, 1.111, 1.880, 469.982),
    "hash": (-0.087, -0.136, 0.012, 1.157, 4.175, 477.741),
}
_EHAT = "1/(1/(E - 1 + E_s) + 1/E_max)"
# their runs: dense base models of 16.5M to 1.31B parameters, 1 to 512 experts
_CLARK_RANGES = {"N": (1.5e7, 1.31e9), "E": (1.0, 512.0)}
_CLARK_DOMAIN = ("final validation losses of routed decoders trained for the same number of "
                 "steps (130B tokens in the paper); N = dense parameters per token, E = "
                 "experts per routed layer (every other layer routed, top-1)")


def _router(router: str) -> tuple[float, ...]:
    key = str(router).strip().lower().replace("_", "-")
    if key not in CLARK_TABLE3:
        raise LawError(f"unknown router {router!r}", "option 'router' of the Clark et al. laws",
                       f"use one of {', '.join(CLARK_TABLE3)}")
    return CLARK_TABLE3[key]


def _bilinear(e: str) -> str:
    """log10 L = a log10 N + b log10 e + c log10 N log10 e + d, as L = 10^d N^a e^(b + c
    log10 N) (the form whose symbolic derivatives are the smallest)."""
    return f"10**d*N**a*({e})**(b + c*log(N)/log(10))"


def _clark_parameters() -> list[Parameter]:
    return [
        Parameter("a", -1.0, 1.0, init=(-0.12, -0.08, -0.04), typical=(-0.09, -0.078),
                  description="dense size slope of log10 L at E = 1 (negative)"),
        Parameter("b", -1.0, 1.0, init=(-0.2, -0.1, 0.0), typical=(-0.14, -0.1),
                  description="expert-count slope of log10 L at N = 1 (negative)"),
        Parameter("c", -0.5, 0.5, init=(0.0, 0.01, 0.02), typical=(0.008, 0.013),
                  description="interaction: the E-slope is b + c log10 N"),
        Parameter("d", -5.0, 5.0, init=(0.8, 1.1, 1.4), typical=(1.09, 1.17),
                  description="log10 L at N = 1, E = 1"),
    ]


def _log10_design(N: np.ndarray, e: np.ndarray) -> np.ndarray:
    ln, le = np.log10(N), np.log10(e)
    return np.stack([ln, le, ln * le, np.ones_like(ln)], axis=-1)


def _solve(A: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, float]:
    coef = np.linalg.lstsq(A, t, rcond=None)[0]
    return coef, float(np.sum((A @ coef - t) ** 2))


def _guess_moe(X: Sequence[np.ndarray], y: np.ndarray) -> np.ndarray:
    """log10 L is linear in (a, b, c, d): the least-squares solution."""
    coef, _ = _solve(_log10_design(X[0][0], X[1][0]), np.log10(y))
    return coef[None, :]


def e_s(e_start: float, e_max: float) -> float:
    """``moe_saturating``'s E_s from the paper's E_start and E_max."""
    return 1.0 / (1.0 / e_start - 1.0 / e_max)


def e_start(e_s: float, e_max: float) -> float:
    """The paper's E_start = Ê(1) from ``moe_saturating``'s E_s and E_max."""
    return 1.0 / (1.0 / e_s + 1.0 / e_max)


def _ehat(E: np.ndarray, e_s: float, e_max: float) -> np.ndarray:
    return 1.0 / (1.0 / (E - 1.0 + e_s) + 1.0 / e_max)


def _guess_saturating(X: Sequence[np.ndarray], y: np.ndarray) -> np.ndarray:
    """For each (E_s, E_max) of a grid, (a, b, c, d) by least squares on log10 L; the four
    best rows."""
    N, E, t = X[0][0], X[1][0], np.log10(y)
    rows, sse = [], []
    for shift in (1.2, 1.8, 2.7, 4.0, 6.0):
        for e_max in np.geomspace(30.0, 1e5, 15):
            coef, s = _solve(_log10_design(N, _ehat(E, shift, e_max)), t)
            rows.append([*coef, shift, e_max])
            sse.append(s)
    order = np.argsort(sse)[:4]
    return np.array(rows)[order]


@register("moe")
def moe(router: str = "s-base") -> Law:
    a, b, c, d, _, _ = _router(router)
    return Law(
        _bilinear("E"),
        inputs={"N": "params", "E": "experts"},
        parameters=_clark_parameters(),
        name="moe",
        description="Routed (mixture-of-experts) LM loss, bilinear in log dense size and "
        "log expert count (Clark et al. 2022, eq. 1 without the saturation of E).",
        citation="Clark et al. 2022, arXiv:2202.01169, eq. (1) with E in place of Ê",
        domain=_CLARK_DOMAIN,
        # no published fit of this form: the a, b, c, d of Table 3 (fitted with Ê)
        reference={"a": a, "b": b, "c": c, "d": d},
        ranges=_CLARK_RANGES,
        guess=_guess_moe,
    )


@register("moe_saturating")
def moe_saturating(router: str = "s-base") -> Law:
    a, b, c, d, start, e_max = _router(router)
    return Law(
        _bilinear(_EHAT),
        inputs={"N": "params", "E": "experts"},
        parameters=[
            *_clark_parameters(),
            Parameter("E_s", 0.0, 10.0, log=True, init=(1.5, 2.5, 4.5),
                      typical=(1.6, 4.5),
                      description="(1/E_start - 1/E_max)^-1, E_start = Ê(1) the start of the "
                      "E-benefit"),
            Parameter("E_max", 20.0, 1e6, log=True, init=(100.0, 300.0, 1000.0, 1e4),
                      typical=(250.0, 550.0),
                      description="expert count where the benefit saturates"),
        ],
        name="moe_saturating",
        description="Routed (mixture-of-experts) LM loss, bilinear in log dense size and "
        "log of a saturating expert count Ê (Clark et al. 2022, eq. 1, Table 3).",
        citation="Clark et al. 2022, arXiv:2202.01169, eq. (1), Table 3",
        domain=_CLARK_DOMAIN,
        reference={"a": a, "b": b, "c": c, "d": d, "E_s": e_s(start, e_max),
                   "E_max": e_max},
        ranges=_CLARK_RANGES,
        guess=_guess_saturating,
    )


@register("moe_granular")
def moe_granular() -> Law:
    return Law(
        "c + N**(-alpha)*(a + g/G**gamma) + b/D**beta",
        inputs={"N": "params", "D": "tokens", "G": "granularity"},
        parameters=[
            Parameter("c", 0.0, np.inf, log=True, typical=(0.3, 0.7),
                      description="irreducible loss"),
            Parameter("a", 0.0, np.inf, log=True, typical=(12.0, 25.0),
                      description="amplitude of the model-size term as G grows large"),
            Parameter("g", 0.0, np.inf, log=True, typical=(1.0, 4.0),
                      description="extra model-size amplitude of coarse experts"),
            Parameter("gamma", 0.0, 10.0, init=(0.1, 0.3, 0.6, 1.0, 1.5, 2.0),
                      typical=(0.4, 0.8), description="granularity exponent"),
            Parameter("alpha", 0.0, 10.0, init=(0.03, 0.07, 0.12, 0.2, 0.35, 0.6),
                      typical=(0.1, 0.14), description="model-size exponent"),
            Parameter("b", 0.0, np.inf, log=True, typical=(20.0, 40.0),
                      description="amplitude of the data term"),
            Parameter("beta", 0.0, 10.0, init=(0.03, 0.07, 0.12, 0.2, 0.35, 0.6),
                      typical=(0.12, 0.16), description="data exponent"),
        ],
        name="moe_granular",
        description="Fine-grained mixture-of-experts loss in parameters, tokens and "
        "granularity G = d_ff/d_expert (Krajewski et al. 2024, eq. 9).",
        citation="Krajewski et al. 2024, arXiv:2402.07871, eq. (9), Table 1",
        domain="final losses of decoder MoE models with expansion rate E = 64 (top-G routing "
        "to experts G times smaller than the feed-forward layer); N counts all "
        "non-embedding parameters",
        reference={"c": 0.47, "a": 18.1, "g": 2.1, "gamma": 0.58, "alpha": 0.115,
                   "b": 30.8, "beta": 0.147},
        # their runs: 129M to 3.7B parameters, 16B to 130B tokens, G from 1 to 16
        ranges={"N": (1.29e8, 3.7e9), "D": (1.6e10, 1.3e11), "G": (1.0, 16.0)},
    )
