"""Over-training: loss in compute and token multiplier, and downstream error from loss.

Gadre et al., "Language models scale reliably with over-training and on downstream tasks",
2024, arXiv:2403.08540; code github.com/mlfoundations/scaling (``scaling/laws.py``,
``scaling/shared.py``).

``overtraining`` (their Sect. 2.2, the over-training law):

    L(C, M) = E + (a·M^eta + b·M^-eta)·C^-eta,   C = 6·N·D,  M = D/N,

written here in the columns users have, N = ``params`` (all parameters, embeddings included,
as their code counts them) and D = ``tokens``, by substituting C and M. It is the Chinchilla
law E + A/N^alpha + B/D^beta with equal exponents alpha = beta = 2·eta, A = a·6^-eta and
B = b·6^-eta; their code fits that Chinchilla form (``powlaw_ours``). a, b and E enter
linearly; eta is the only nonlinear parameter.

``loss_to_error`` (their Sect. 2.3, loss to average top-1 error):

    Err(L) = E - k·exp(-gamma·L),

L the validation loss (nats/token, column ``loss``), Err the average top-1 error over a
suite of downstream tasks (column ``top1_error``). E (their epsilon) is the error of a model
that has learned nothing (L -> infinity), so 0 < E <= 1; k and gamma are positive, and the
law is meant for losses above ln(k/E)/gamma, where it is positive.

Reference values: their code (``fit_ds``) run on their released evaluations, RedPajama
training, C4 eval loss, 17-task subset; it reproduces the relative errors their notebook
prints (0.7103%, 0.7320%, 3.6365%, 0.0464%) to all four digits. The paper and the notebook
print no fitted parameters. ``typical`` spans the same procedure on the three training sets
(C4, RedPajama, RefinedWeb) and three loss evaluations (C4 eval, Paloma RedPajama, OpenLM),
and, for the error law, the 17-task and 46-task averages.
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register


@register("overtraining")
def overtraining() -> Law:
    return Law(
        "E + (a*(D/N)**eta + b*(D/N)**(-eta))*(6*N*D)**(-eta)",
        inputs={"N": "params", "D": "tokens"},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-1.0, -0.5, 0.0, 0.5, 1.0])),
                      typical=(1.5, 2.7), description="irreducible loss"),
            Parameter("a", 0.0, np.inf, log=True, typical=(100.0, 3000.0),
                      description="amplitude of the parameter-limited term (grows with M)"),
            Parameter("b", 0.0, np.inf, log=True, typical=(150.0, 12000.0),
                      description="amplitude of the data-limited term (shrinks with M)"),
            Parameter("eta", 0.0, 5.0, init=(0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0),
                      typical=(0.12, 0.22),
                      description="compute exponent (half the Chinchilla exponent)"),
        ],
        name="overtraining",
        description="Loss in compute C = 6ND and token multiplier M = D/N with one exponent "
        "(Gadre et al. 2024, Sect. 2.2), read from params and tokens.",
        citation="Gadre et al. 2024, arXiv:2403.08540, Sect. 2.2",
        domain="final losses of runs with a tuned schedule per length, 5 to 640 tokens per "
        "parameter; N counts all parameters (embeddings included), C = 6ND",
        # RedPajama, C4 eval loss; their curve_fit parameters (A, B, -2 eta, E) are
        # (166.21, 366.69, -0.27285, 1.8366): a = A * 6^eta
        reference={"E": 1.8366, "a": 212.24, "b": 366.69, "eta": 0.13643},
        # their models: 10.6M to 6.9B parameters, 53M to 921B tokens
        ranges={"N": (1e7, 7e9), "D": (5e7, 1e12)},
    )


@register("loss_to_error")
def loss_to_error() -> Law:
    return Law(
        "E - k*exp(-gamma*L)",
        inputs={"L": "loss"},
        parameters=[
            Parameter("E", 0.0, 1.0, log=True, init=(0.25, 0.5, 0.75, 0.9, 1.0),
                      typical=(0.75, 0.87),
                      description="error at chance (L -> infinity); at most 1"),
            Parameter("k", 0.0, np.inf, log=True, typical=(1.1, 2.3),
                      description="amplitude of the improvement over chance"),
            Parameter("gamma", 0.0, 10.0, init=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
                      typical=(0.7, 1.0), description="decay rate in the loss (per nat)"),
        ],
        name="loss_to_error",
        description="Average downstream top-1 error from validation loss, an exponential "
        "decay from chance (Gadre et al. 2024, Sect. 2.3).",
        citation="Gadre et al. 2024, arXiv:2403.08540, Sect. 2.3",
        domain="average top-1 error over a fixed task suite against a fixed validation loss, "
        "losses above ln(k/E)/gamma (where the error is positive)",
        target="top1_error",
        # RedPajama, C4 eval loss, 17-task subset; their curve_fit (k, gamma, epsilon)
        reference={"E": 0.85699, "k": 2.2065, "gamma": 0.71459},
        # C4 eval losses of their 104 models: 2.38 to 6.12 nats/token
        ranges={"L": (2.3, 6.2)},
    )
