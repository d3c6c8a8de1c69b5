"""Chinchilla: L(N, D) = E + A/N^alpha + B/D^beta.

Hoffmann et al., "Training Compute-Optimal Large Language Models", 2022, arXiv:2203.15556,
eq. (2) / Approach 3. Default init grid: Besiroglu et al. (Epoch AI), "Chinchilla Scaling: A
replication attempt", 2024, arXiv:2404.10102 (4,500 starts).
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register

_AMPLITUDE_GRID = tuple(float(v) for v in np.exp([0.0, 5.0, 10.0, 15.0, 20.0, 25.0]))
_EXPONENT_GRID = (0.0, 0.5, 1.0, 1.5, 2.0)


@register("chinchilla")
def chinchilla() -> Law:
    return Law(
        "E + A/N**alpha + B/D**beta",
        inputs={"N": "params", "D": "tokens"},
        parameters=[
            Parameter("A", 0.0, np.inf, log=True, init=_AMPLITUDE_GRID,
                      typical=(50.0, 3000.0), description="amplitude of the model-size term"),
            Parameter("B", 0.0, np.inf, log=True, init=_AMPLITUDE_GRID,
                      typical=(50.0, 6000.0), description="amplitude of the data term"),
            Parameter("E", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-1.0, -0.5, 0.0, 0.5, 1.0])),
                      typical=(1.0, 2.5), description="irreducible loss"),
            Parameter("alpha", 0.0, 10.0, init=_EXPONENT_GRID, typical=(0.2, 0.6),
                      description="model-size exponent"),
            Parameter("beta", 0.0, 10.0, init=_EXPONENT_GRID, typical=(0.2, 0.6),
                      description="data exponent"),
        ],
        name="chinchilla",
        description="Loss as a sum of an irreducible term and power laws in parameters and "
        "tokens (Hoffmann et al. 2022, eq. 2).",
        citation="Hoffmann et al. 2022, arXiv:2203.15556, eq. (2)",
        domain="final losses of compute-efficient runs (one epoch, tuned schedule per budget)",
        # Approach 3 of Hoffmann et al.; Besiroglu et al. refit: A 482, B 2085, E 1.82,
        # alpha 0.348, beta 0.366 (the typical ranges cover both and later replications)
        reference={"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28},
    )
