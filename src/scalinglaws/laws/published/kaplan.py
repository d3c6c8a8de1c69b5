"""Kaplan: L(N, D) = ((Nc/N)^(alphaN/alphaD) + Dc/D)^alphaD.

Kaplan et al., "Scaling Laws for Neural Language Models", 2020, arXiv:2001.08361, eq. (1.5).
Published values (their Table 2, the joint fit of eq. 1.5; non-embedding N, tokens D, loss in
nats): alphaN = 0.076, alphaD = 0.103, Nc = 6.4e13, Dc = 1.8e13. (Table 1's alphaD = 0.095,
Nc = 8.8e13, Dc = 5.4e13 are the separate fits of L(N) and L(D), eqs. 1.1 and 1.2.)
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register


@register("kaplan")
def kaplan() -> Law:
    return Law(
        "((Nc/N)**(alphaN/alphaD) + Dc/D)**alphaD",
        inputs={"N": "params", "D": "tokens"},
        parameters=[
            Parameter("Nc", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.geomspace(1e8, 1e18, 6)),
                      typical=(1e13, 1e15), description="critical model size"),
            Parameter("Dc", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.geomspace(1e6, 1e16, 6)),
                      typical=(1e12, 1e15), description="critical data size"),
            Parameter("alphaN", 1e-3, 2.0, init=(0.02, 0.05, 0.1, 0.2, 0.4),
                      typical=(0.05, 0.1), description="model-size exponent"),
            Parameter("alphaD", 1e-3, 2.0, init=(0.02, 0.05, 0.1, 0.2, 0.4),
                      typical=(0.07, 0.12), description="data exponent"),
        ],
        name="kaplan",
        description="Joint dependence of loss on parameters and data without an irreducible "
        "term (Kaplan et al. 2020, eq. 1.5).",
        citation="Kaplan et al. 2020, arXiv:2001.08361, eq. (1.5)",
        domain="early-stopped losses, non-embedding parameters, loss well above entropy",
        reference={"Nc": 6.4e13, "Dc": 1.8e13, "alphaN": 0.076, "alphaD": 0.103},
    )
