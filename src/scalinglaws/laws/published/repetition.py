"""Repeated data: the data-constrained law (Muennighoff et al. 2023) and continual
pre-training on a domain mixture (D-CPT, Que et al. 2024).

``data_constrained``: Muennighoff, Rush, Barak, Le Scao, Piktus, Tazi, Pyysalo, Wolf, Raffel,
"Scaling Data-Constrained Language Models", NeurIPS 2023, arXiv:2305.16264, eq. (5)-(7).
Chinchilla's law in effective parameters and tokens,

    L = E + A/N'^alpha + B/D'^beta,
    D' = U_D (1 + R*_D (1 - exp(-R_D/R*_D))),   R_D = max(D/U_D - 1, 0),
    N' = U_N (1 + R*_N (1 - exp(-R_N/R*_N))),   R_N = N/U_N - 1,
    U_N = min(N, N_opt(U_D)),   N_opt(U) = (alpha A/(beta B))^(1/alpha) U^(beta/alpha),

U_D the unique tokens (column ``unique_tokens``), D the tokens seen (``tokens``), N the
parameters. N_opt is Chinchilla's compute-optimal size for U_D tokens (the authors'
``D_to_N``); max(x, 0) is written (x + sqrt(x^2 + 1e-12))/2, within 5e-7 of it, so that the
law has second derivatives everywhere. A repeated token is worth
exp(-R_D/R*_D) of a fresh one, and D' never exceeds U_D (1 + R*_D). Reference values: the
authors' fit (repository huggingface/datablations): E = e^0.6255, A = e^6.2554,
B = e^7.3050, alpha = beta = 0.35266, R*_D = 15.388, R*_N = 5.3097.

``dcpt``: Que et al., "D-CPT Law: Domain-specific Continual Pre-Training Scaling Law for
Large Language Models", 2024, arXiv:2406.01375, eq. (4) (their preferred form),

    L(N, D, r) = E + A/N^alpha + B r^eta/D^beta + C/(r + epsilon)^gamma,

r the share of the corpus whose loss is modelled: ``dcpt`` reads the domain corpus's share
(column ``domain_ratio``) for the domain loss, ``dcpt(corpus="general")`` the general
corpus's (``general_ratio``) for the general loss; r^eta is written (r + 1e-12)^eta so that
its derivative in eta stays finite at r = 0 (no data of that corpus). The paper prints no
table of fitted values; the reference is representative (Chinchilla-like terms, a mixture
term of a tenth of a nat) and is not a reproduction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: the authors' fitted constants (datablations), natural units
PUBLISHED = {"E": float(np.exp(0.6254804)), "A": float(np.exp(6.255414)),
             "B": float(np.exp(7.3049974)), "alpha": 0.3526596, "beta": 0.3526596,
             "RD": 15.387756, "RN": 5.309743}

# max(x, 0) as (x + sqrt(x**2 + 1e-12))/2, within 5e-7 of it: the engine needs second
# derivatives, which Abs lacks at its kink. R_N = max(N/N_opt(U) - 1, 0) and
# U_N = N/(1 + R_N) = min(N, N_opt(U)), written so that no step subtracts two large numbers
_Q = "N/((alpha*A/(beta*B))**(1/alpha)*U**(beta/alpha))"
_RN = f"({_Q} - 1 + sqrt(({_Q} - 1)**2 + 1e-12))/2"
_RD = "(D/U - 1 + sqrt((D/U - 1)**2 + 1e-12))/2"
_DEFF = f"U*(1 + RD*(1 - exp(-{_RD}/RD)))"
_NEFF = f"N/(1 + {_RN})*(1 + RN*(1 - exp(-{_RN}/RN)))"

_AMPLITUDE_GRID = tuple(float(v) for v in np.exp([2.0, 5.0, 8.0, 11.0]))


@register("data_constrained")
def data_constrained() -> Law:
    return Law(
        f"E + A/({_NEFF})**alpha + B/({_DEFF})**beta",
        inputs={"N": "params", "D": "tokens", "U": "unique_tokens"},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True, init=(1.0, 1.5, 2.0),
                      typical=(1.5, 2.2), description="irreducible loss"),
            Parameter("A", 0.0, np.inf, log=True, init=_AMPLITUDE_GRID,
                      typical=(300.0, 800.0), description="amplitude of the parameter term"),
            Parameter("B", 0.0, np.inf, log=True, init=_AMPLITUDE_GRID,
                      typical=(1000.0, 2500.0), description="amplitude of the data term"),
            Parameter("alpha", 0.05, 2.0, init=(0.2, 0.35, 0.5), typical=(0.3, 0.4),
                      description="parameter exponent"),
            Parameter("beta", 0.05, 2.0, init=(0.2, 0.35, 0.5), typical=(0.3, 0.4),
                      description="data exponent"),
            Parameter("RD", 0.1, 1e3, log=True, init=(3.0, 10.0, 30.0),
                      typical=(8.0, 30.0),
                      description="R*_D: repetitions at which a token's value falls to 1/e"),
            Parameter("RN", 0.1, 1e3, log=True, init=(1.0, 5.0, 20.0),
                      typical=(3.0, 10.0),
                      description="R*_N: excess parameters (in multiples of U_N) at which "
                      "their value falls to 1/e"),
        ],
        name="data_constrained",
        description="Chinchilla's law in effective parameters and tokens: repeated tokens "
        "and parameters beyond what the unique data can use are worth exponentially less "
        "(Muennighoff et al. 2023).",
        citation="Muennighoff et al. 2023, arXiv:2305.16264, eq. (5)-(7)",
        domain="final losses of runs repeating U_D unique tokens for up to ~60 epochs, "
        "Chinchilla-style schedules; N non-embedding parameters",
        reference=dict(PUBLISHED),
        # their runs: 10M to 9B parameters, 100M to 900B tokens, up to ~60 epochs
        ranges={"N": (1e7, 1e10), "D": (1e9, 1e12), "U": (1e8, 1e11)},
    )


@register("dcpt", variants=[{"corpus": "general"}])
def dcpt(corpus: str = "domain") -> Law:
    """The D-CPT law of the domain loss (``corpus="domain"``) or the general loss."""
    if corpus not in ("domain", "general"):
        raise LawError(f"corpus must be 'domain' or 'general', got {corpus!r}",
                       "option corpus", "dcpt(corpus='general') models the general loss")
    return Law(
        "E + A/N**alpha + B*(r + 1e-12)**eta/D**beta + C/(r + epsilon)**gamma",
        inputs={"N": "params", "D": "tokens", "r": f"{corpus}_ratio"},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True, init=(0.5, 1.0, 2.0),
                      typical=(1.2, 2.0), description="irreducible loss"),
            Parameter("A", 0.0, np.inf, log=True, init=_AMPLITUDE_GRID,
                      typical=(100.0, 500.0), description="amplitude of the size term"),
            Parameter("B", 0.0, np.inf, log=True, init=_AMPLITUDE_GRID,
                      typical=(200.0, 1000.0), description="amplitude of the data term"),
            Parameter("C", 0.0, np.inf, log=True, init=(0.01, 0.1, 1.0),
                      typical=(0.05, 0.2), description="amplitude of the mixture term"),
            Parameter("alpha", 0.0, 2.0, init=(0.2, 0.4), typical=(0.25, 0.4),
                      description="size exponent"),
            Parameter("beta", 0.0, 2.0, init=(0.2, 0.4), typical=(0.25, 0.4),
                      description="data exponent"),
            Parameter("eta", 0.0, 2.0, init=(0.05, 0.3), typical=(0.05, 0.3),
                      description="exponent of the share in the data term"),
            Parameter("gamma", 0.0, 5.0, init=(0.1, 0.5), typical=(0.2, 0.6),
                      description="exponent of the mixture term"),
            Parameter("epsilon", 1e-4, 10.0, log=True, init=(0.01, 0.1, 1.0),
                      typical=(0.05, 0.5), description="offset of the share"),
        ],
        name="dcpt" if corpus == "domain" else "dcpt(corpus='general')",
        description=f"Continual pre-training loss of the {corpus} corpus in N, D and the "
        f"{corpus} corpus's share of the mixture (Que et al. 2024, D-CPT Law).",
        citation="Que et al. 2024, arXiv:2406.01375, eq. (4)",
        domain="continual pre-training of one base model size per fit series on a two-corpus "
        "mixture (general and domain), shares in [0, 1]",
        reference={"E": 1.6, "A": 250.0, "alpha": 0.32, "B": 400.0, "beta": 0.3,
                   "eta": 0.1, "C": 0.1, "gamma": 0.4, "epsilon": 0.1},
        ranges={"N": (1e8, 1e10), "D": (1e8, 1e11), "r": (0.0, 1.0)},
    )


def effective_tokens(tokens: Any, unique_tokens: Any, rd: float = PUBLISHED["RD"]) -> Any:
    """D' = U (1 + R*_D (1 - exp(-R_D/R*_D))), R_D = max(D/U - 1, 0): tokens weighted by
    the value of each repetition (Muennighoff et al. 2023, eq. 6).

    >>> round(float(effective_tokens(4e10, 1e10)) / 1e10, 3)
    3.726
    """
    d, u = np.asarray(tokens, dtype=float), np.asarray(unique_tokens, dtype=float)
    repeats = np.maximum(d / u - 1.0, 0.0)
    return u * (1.0 + rd * -np.expm1(-repeats / rd))


def effective_params(params: Any, unique_params: Any, rn: float = PUBLISHED["RN"]) -> Any:
    """N' = U_N (1 + R*_N (1 - exp(-R_N/R*_N))), R_N = max(N/U_N - 1, 0): parameters beyond
    U_N (the compute-optimal size for the unique data) worth exponentially less (eq. 7)."""
    n, u = np.asarray(params, dtype=float), np.asarray(unique_params, dtype=float)
    excess = np.maximum(n / u - 1.0, 0.0)
    return np.minimum(n, u) * (1.0 + rn * -np.expm1(-excess / rn))
