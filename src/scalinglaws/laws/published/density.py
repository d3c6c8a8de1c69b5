"""The Densing law: maximum capacity density of LLMs grows exponentially with release date.

    rho_max(t) = exp(A*t + B),   i.e.  ln(rho_max) = A*t + B

Xiao et al., "Densing Law of LLMs", 2024, arXiv:2412.04315 (Sec. 3, the densing-law fit
ln(rho_max) = A*t + B, Fig. 1). The capacity density of a model is rho = N_hat / N, its
effective parameter size N_hat (the size a reference model family needs to match its
performance; see :mod:`scalinglaws.plan.density`) over its actual parameter count N.

Input ``t`` (column ``release_days``): release date in **days since 2024-01-01** (negative
before; :func:`scalinglaws.plan.density.release_days` converts dates). Target column
``density``.

Published value: A ≈ 0.007 per day, i.e. the maximum density doubles every
ln 2 / 0.007 ≈ 99 days ≈ 3.3 months ("approximately every three months" in the abstract;
3.3 months in Fig. 1). The intercept B depends on the time origin; the value used here
(B = -1.0, density 0.37 on 2024-01-01, about 2 by September 2024) is representative, not
the paper's number (its own origin and intercept were not available to check here).
"""

from __future__ import annotations

from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: the time origin of the ``release_days`` column
EPOCH = "2024-01-01"
#: ln(rho_max) slope per day published by Xiao et al. (2024)
PUBLISHED_A = 0.007


@register("density")
def density() -> Law:
    return Law(
        "exp(A*t + B)",
        inputs={"t": "release_days"},
        parameters=[
            # the frontier (the densest model released so far) cannot fall: A >= 0, and
            # searched in log space like other rates
            Parameter("A", 0.0, 1.0, log=True, init=(1e-3, 3e-3, 1e-2, 3e-2),
                      # doubling every 2.3 to 5.8 months: the paper's before/after-ChatGPT
                      # and later estimates (4.8, 3.3, 3.2, 3.5 months) lie inside
                      typical=(0.004, 0.01),
                      description="growth rate of ln(max density), per day"),
            Parameter("B", -20.0, 20.0, init=(-2.0, 0.0, 2.0), typical=(-2.0, 0.5),
                      description=f"ln(max density) at t = 0 ({EPOCH})"),
        ],
        name="density",
        description="Densing law: the maximum capacity density (effective / actual "
        "parameters) of LLMs grows exponentially with release date (Xiao et al. 2024).",
        citation="Xiao et al. 2024, arXiv:2412.04315, ln(rho_max) = A*t + B (Sec. 3, Fig. 1)",
        domain=f"frontier (maximum) density of open base LLMs; t in days since {EPOCH}",
        reference={"A": PUBLISHED_A, "B": -1.0},
        # open base LLMs the paper evaluates: Llama-1 (2023-02-24) to late 2024
        ranges={"t": (-311.0, 330.0)},
        target="density",
    )
