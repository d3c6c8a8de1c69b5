"""Distillation scaling law (Busbridge et al. 2025): the cross-entropy of a distilled student
from its teacher's cross-entropy, its size and its distillation tokens.

Busbridge, Shidani, Weers, Ramapuram, Littwin, Webb, "Distillation Scaling Laws", ICML 2025,
arXiv:2502.08606, eq. (8):

    L_S = L_T + L_T^(-c0) (1 + (L_T / (L~_S d1))^(1/f1))^(-c1 f1)
                * (A'/N_S^alpha' + B'/D_S^beta')^gamma'

Inputs: ``LT`` reads ``teacher_loss`` (the teacher's validation cross-entropy, nats), ``N``
reads ``params`` (student parameters N_S), ``D`` reads ``tokens`` (distillation tokens D_S).
L~_S = E + (A/N_S^alpha + B/D_S^beta)^gamma is the cross-entropy the same student reaches by
supervised training on D_S tokens (their eq. 1 form); the paper fits it first and holds it
fixed while fitting eq. (8), so here it is a fixed part of the law with the paper's supervised
coefficients E = 1.220, A = 3355, alpha = 0.408, B = 18186, beta = 0.431, gamma = 0.452
(changeable: ``distillation(supervised=(E, A, alpha, B, beta, gamma))``).
The factor in L_T / (L~_S d1) is a broken power law: a teacher much stronger than what the
student can learn (L_T << L~_S d1) helps less (the capacity gap); past the break
(L_T >> L~_S d1) the student's excess over its teacher falls as (L_T / L~_S)^(-c1).

The nine distillation coefficients in ``reference`` are representative values chosen to show
that behaviour (student above its teacher, a capacity gap, a break near L_T = L~_S): the
fitted values of the paper's table could not be found, see ``docs/laws/distillation.md``.
The supervised coefficients and the placement of d1 (multiplying L~_S inside the ratio) agree
with an independent public re-implementation of eq. (8).

Identification. Over the paper's ranges L_T / L~_S spans only about 0.67 to 1.45, so the
break (d1, f1) and the split of the teacher dependence between c0 and c1 are weakly
determined by a sweep of ordinary size: on 180 random runs with 1% noise no coefficient has a
standard error below 10%, yet the predictions are recovered (over 21 such sweeps, within 1.9%
of the noise-free law at 3x the largest student and tokens, median 0.5%;
``benchmarks/sweep_distillation.py``). The bounds keep the break where it can act on such
data: d1 in [0.1, 10] (a break outside a decade of the observed ratios is a plain power law,
absorbed by c0 and the amplitude) and f1 in [0.05, 20] (below 0.05 the break is sharp to
within 5% of the ratio; above 20 it is a power law of exponent c1/2 times 2^(-c1 f1), again
absorbed). A fit that ends with d1 or f1 at a bound says the data do not resolve the break.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: the paper's supervised fit: E, A, alpha, B, beta, gamma of E + (A/N^alpha + B/D^beta)^gamma
SUPERVISED = (1.220, 3355.0, 0.408, 18186.0, 0.431, 0.452)

#: representative coefficients (see the module docstring)
REPRESENTATIVE = {"c0": 1.0, "c1": 1.5, "d1": 1.0, "f1": 1.0, "Ap": 3000.0, "Bp": 20000.0,
                  "alphap": 0.4, "betap": 0.4, "gammap": 0.5}


def _supervised_text(supervised: Any) -> str:
    try:
        e, a, alpha, b, beta, gamma = (float(v) for v in supervised)
    except (TypeError, ValueError):
        raise LawError(f"'supervised' must be six numbers (E, A, alpha, B, beta, gamma), "
                       f"got {supervised!r}", "law 'distillation', option 'supervised'",
                       "give the student's supervised law, e.g. (1.22, 3355, 0.408, "
                       "18186, 0.431, 0.452)") from None
    values = (e, a, alpha, b, beta, gamma)
    if not all(math.isfinite(v) and v > 0 for v in values):
        raise LawError(f"the supervised coefficients must be finite and positive, got "
                       f"{values}", "law 'distillation', option 'supervised'",
                       "give E, A, alpha, B, beta, gamma > 0")
    return f"({e!r} + ({a!r}/N**{alpha!r} + {b!r}/D**{beta!r})**{gamma!r})"


def supervised_loss(params: Any, tokens: Any,
                    supervised: tuple[float, ...] = SUPERVISED) -> np.ndarray:
    """L~_S: the cross-entropy the student reaches with supervised training (eq. 1 form)."""
    e, a, alpha, b, beta, gamma = supervised
    n, d = np.asarray(params, dtype=float), np.asarray(tokens, dtype=float)
    return e + (a / n**alpha + b / d**beta) ** gamma


@register("distillation")
def distillation(supervised: tuple[float, ...] = SUPERVISED) -> Law:
    """The eq. (8) law with the student's supervised law ``supervised`` =
    (E, A, alpha, B, beta, gamma) built in."""
    ls = _supervised_text(supervised)
    return Law(
        f"LT + LT**(-c0)*(1 + (LT/({ls}*d1))**(1/f1))**(-c1*f1)"
        "*(Ap/N**alphap + Bp/D**betap)**gammap",
        inputs={"LT": "teacher_loss", "N": "params", "D": "tokens"},
        parameters=[
            Parameter("c0", 0.0, 10.0, init=(0.5, 1.0, 2.0), typical=(0.8, 1.2),
                      description="teacher-loss exponent of the excess"),
            Parameter("c1", 0.0, 20.0, init=(0.5, 1.5, 4.0), typical=(1.2, 1.8),
                      description="exponent past the capacity-gap break"),
            Parameter("d1", 0.1, 10.0, log=True, init=(0.5, 1.0, 2.0), typical=(0.9, 1.1),
                      description="break position in L_T / L~_S"),
            Parameter("f1", 0.05, 20.0, log=True, init=(0.5, 1.0, 2.0), typical=(0.8, 1.2),
                      description="sharpness of the break"),
            Parameter("Ap", 0.0, np.inf, log=True, typical=(1e3, 1e4),
                      description="student-size amplitude"),
            Parameter("Bp", 0.0, np.inf, log=True, typical=(1e4, 5e4),
                      description="distillation-token amplitude"),
            Parameter("alphap", 0.0, 5.0, init=(0.2, 0.4, 0.8), typical=(0.35, 0.45),
                      description="student-size exponent"),
            Parameter("betap", 0.0, 5.0, init=(0.2, 0.4, 0.8), typical=(0.35, 0.45),
                      description="distillation-token exponent"),
            Parameter("gammap", 0.0, 5.0, init=(0.25, 0.5, 1.0), typical=(0.4, 0.6),
                      description="outer exponent"),
        ],
        name="distillation",
        description="Student cross-entropy from the teacher's cross-entropy, student size "
        "and distillation tokens, with a capacity-gap break (Busbridge et al. 2025, eq. 8).",
        citation="Busbridge et al. 2025, arXiv:2502.08606, eq. (8)",
        domain="pure distillation (lambda = 1, tau = 1) of decoder LMs on C4-like text; the "
        "supervised part L~_S must be refitted for another setup",
        # representative values, not the paper's table (see the module docstring)
        reference=REPRESENTATIVE,
        # the paper's students 143M-7.75B non-embedding parameters, 4B-512B distillation
        # tokens; teachers' L_T about 1.9-2.8 nats (the span of the paper's distillation runs
        # as stated by a public re-implementation; not checked against the paper's tables)
        ranges={"LT": (1.9, 2.8), "N": (1.43e8, 7.75e9), "D": (4e9, 5.12e11)},
    )
