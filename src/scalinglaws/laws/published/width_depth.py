"""Width and depth: loss in model width, depth and training tokens.

Motivated by McLeish et al., "Gemstones: A Model Suite for Multi-Faceted Scaling Laws",
2025, arXiv:2502.06857: 22 decoder models on a grid of widths (d_model 256-3072) and depths
(3-80 layers), each trained on up to 350B tokens of Dolma with checkpoints every 2B tokens,
which shows that the fitted laws (and the compute-optimal shapes they imply) depend on which
widths and depths are sampled, not only on the parameter count.

The exact functional form the Gemstones paper fits could not be read from the stored copies
available here. The catalog law is the Chinchilla form (Hoffmann et al. 2022, eq. 2) with
its parameter term split into a width and a depth term, each a power law with its own
exponent:

    L(w, d, D) = E + A/w^alpha + B/d^beta + C/D^gamma,

w = ``width`` (d_model), d = ``depth`` (layers), D = ``tokens``. It is the closest form to
"a Chinchilla-like law with separate width and depth terms" that can be stated without the
paper; Kaplan et al. 2020 (arXiv:2001.08361, Sec. 3.1) report that at a fixed parameter
count the loss depends only weakly on the shape, which this law allows (small A or B) but
does not impose. Reference values are representative (Chinchilla's E and data term, width
and depth terms of similar size over the Gemstones grid), not a published fit.
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register


def _exponent(name: str, what: str) -> Parameter:
    return Parameter(name, 0.0, 3.0, init=(0.2, 0.5, 1.0), typical=(0.3, 0.7),
                     description=f"{what} exponent")


@register("width_depth")
def width_depth() -> Law:
    return Law(
        "E + A/w**alpha + B/d**beta + C/D**gamma",
        inputs={"w": "width", "d": "depth", "D": "tokens"},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True, init=(1.0, 2.0, 3.0), typical=(1.5, 2.0),
                      description="irreducible loss"),
            Parameter("A", 0.0, np.inf, log=True, init=(1.0, 10.0, 100.0),
                      typical=(5.0, 20.0), description="amplitude of the width term"),
            _exponent("alpha", "width"),
            Parameter("B", 0.0, np.inf, log=True, init=(0.3, 1.0, 3.0), typical=(0.5, 1.5),
                      description="amplitude of the depth term"),
            _exponent("beta", "depth"),
            Parameter("C", 0.0, np.inf, log=True, init=(10.0, 400.0, 1e4),
                      typical=(200.0, 600.0), description="amplitude of the data term"),
            Parameter("gamma", 0.0, 2.0, init=(0.1, 0.3, 0.6), typical=(0.25, 0.35),
                      description="data exponent"),
        ],
        name="width_depth",
        description="Chinchilla-style loss with separate power laws in width and depth "
        "(the Gemstones question of shape; form not the paper's, see the module).",
        citation="McLeish et al. 2025, arXiv:2502.06857 (setting); Hoffmann et al. 2022, "
        "eq. (2) (form)",
        domain="final or checkpoint loss of decoder LMs on a width x depth grid (d_model "
        "256-3072, 3-80 layers) trained on 2B-350B tokens",
        # representative, not a published fit (see the module docstring)
        reference={"E": 1.69, "A": 10.0, "alpha": 0.5, "B": 1.0, "beta": 0.5,
                   "C": 410.7, "gamma": 0.28},
        ranges={"w": (256.0, 3072.0), "d": (3.0, 80.0), "D": (2e9, 3.5e11)},
    )
