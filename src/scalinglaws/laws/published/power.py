"""A power law with an offset in one input: y = E + A·x^(-alpha).

The form of Hestness et al., "Deep Learning Scaling is Predictable, Empirically", 2017,
arXiv:1712.00409 and Henighan et al., "Scaling Laws for Autoregressive Generative Modeling",
2020, arXiv:2010.14701 (eq. 1.1: L(x) = L_inf + (x0/x)^alpha). The input is chosen at fit time:
``sl.fit("power_law", ds, x="flops")``.
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register


@register("power_law")
def power_law() -> Law:
    return Law(
        "E + A*x**(-alpha)",
        inputs={"x": None},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True, typical=(0.5, 3.0),
                      description="irreducible loss"),
            Parameter("A", 0.0, np.inf, log=True, typical=(1e2, 1e5), description="amplitude"),
            Parameter("alpha", 0.0, 10.0, init=(0.0, 0.25, 0.5, 1.0, 2.0),
                      typical=(0.05, 0.3), description="exponent"),
        ],
        name="power_law",
        description="Power law plus a constant in one input (choose it with x=).",
        citation="Hestness et al. 2017, arXiv:1712.00409; Henighan et al. 2020, "
        "arXiv:2010.14701, eq. (1.1)",
        domain="any positive input (compute, data or parameters) on a power-law stretch",
        # representative values for a compute law of LLM loss (C in FLOPs)
        reference={"E": 1.5, "A": 2e3, "alpha": 0.15},
    )
