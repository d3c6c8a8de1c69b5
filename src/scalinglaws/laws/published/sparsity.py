"""Sparsity: loss in sparsity, non-zero parameters and data (weight-sparse Transformers).

Frantar et al., "Scaling Laws for Sparsely-Connected Foundation Models", 2023,
arXiv:2309.08520 (ICLR 2024), Sec. 3 (the joint law):

    L(S, N, D) = (a_S (1 - S)^b_S + c_S) (1/N)^b_N + (a_D/D)^b_D + c,

S = ``sparsity``: the fraction of weights that are zero, in [0, 1) (S = 0 is the dense model;
the paper's runs use 0, 50, 75, 87.5 and 93.75%); N = ``params``: the *non-zero* parameters
(the dense count times 1 - S); D = ``tokens``: training data (images seen for ViT/JFT-4B,
tokens for T5/C4). At S = 0 the law is the dense law (a_S + c_S) N^-b_N + (a_D/D)^b_D + c;
as S -> 1 the capacity factor falls from a_S + c_S to c_S, so a sparse model of N non-zeros
acts like a dense one of ((a_S + c_S)/(a_S (1 - S)^b_S + c_S))^(1/b_N) N parameters
(:func:`dense_equivalent`).

Reference values: the ViT/JFT-4B fit printed by the authors' notebook
(github.com/google-research/jaxpruner, ``projects/bigsparse/sparsity-scaling.ipynb``:
coefficients 1.30485, 0.82101, 2.07506, 0.39223, 0.27818, 0.88979, 4.51669 with N in
millions and D in billions of examples), converted here to plain counts (a_S and c_S times
1e6^b_N; a_D = 0.27818^(1/b_D) 1e9): a_S = 294, b_S = 0.821, c_S = 468, b_N = 0.392,
a_D = 2.37e8, b_D = 0.890, c = 4.517 (``tests/test_law_sparsity.py`` checks the conversion).
The paper's T5/C4 row (its table of fitted coefficients) could not be read from the stored
copies available here and is not in the catalog; fit it with ``sl.fit("sparsity", runs)``.
The input ranges are those of the authors' released ViT runs (ViT-B/16 body, 85M
parameters, times widths of 1/128 to 2, and 225M to 1.8B examples).

The paper's question, the optimal sparsity for a training budget, is
:func:`scalinglaws.plan.optimal_sparsity`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: the authors' notebook fit (ViT/JFT-4B), in its units: N in millions, D in billions
NOTEBOOK_VIT = (1.30485411, 0.82101251, 2.07506343, 0.39222675, 0.27818217, 0.88979104,
                4.51669257)


def from_notebook(coefs: tuple[float, ...]) -> dict[str, float]:
    """The notebook's ``a, b, c, d, e, f, g`` (L = (a (1-S)^b + c) N^-d + e D^-f + g, N in
    millions, D in billions) as this law's parameters in plain counts."""
    a, b, c, d, e, f, g = coefs
    return {"a_S": a * 1e6**d, "b_S": b, "c_S": c * 1e6**d, "b_N": d,
            "a_D": e ** (1.0 / f) * 1e9, "b_D": f, "c": g}


def dense_equivalent(params: Mapping[str, float], sparsity: Any, nonzero: Any) -> Any:
    """Dense parameters with the same parameter term as ``nonzero`` non-zeros at
    ``sparsity``."""
    s = np.asarray(sparsity, dtype=float)
    gain = (params["a_S"] + params["c_S"]) / (params["a_S"] * (1.0 - s) ** params["b_S"]
                                              + params["c_S"])
    return np.asarray(nonzero, dtype=float) * gain ** (1.0 / params["b_N"])


@register("sparsity")
def sparsity() -> Law:
    return Law(
        "(a_S*(1 - S)**b_S + c_S)*N**(-b_N) + (a_D/D)**b_D + c",
        inputs={"S": "sparsity", "N": "params", "D": "tokens"},
        parameters=[
            Parameter("a_S", 0.0, np.inf, log=True, init=(10.0, 100.0, 1000.0),
                      typical=(200.0, 400.0),
                      description="capacity lost to sparsity: the parameter amplitude at S = 0 "
                      "is a_S + c_S"),
            Parameter("b_S", 0.0, 5.0, init=(0.3, 0.8, 1.5), typical=(0.6, 1.0),
                      description="sparsity exponent"),
            Parameter("c_S", 0.0, np.inf, log=True, init=(10.0, 100.0, 1000.0),
                      typical=(350.0, 600.0),
                      description="parameter amplitude as S -> 1"),
            Parameter("b_N", 0.0, 2.0, init=(0.2, 0.4, 0.7), typical=(0.35, 0.45),
                      description="exponent of the non-zero parameters"),
            Parameter("a_D", 0.0, np.inf, log=True, init=(1e6, 1e8, 1e10),
                      typical=(1e8, 5e8), description="data scale"),
            Parameter("b_D", 0.0, 3.0, init=(0.3, 0.8, 1.2), typical=(0.75, 1.0),
                      description="data exponent"),
            Parameter("c", 0.0, np.inf, log=True, init=(1.0, 3.0, 5.0), typical=(4.0, 5.0),
                      description="irreducible loss"),
        ],
        name="sparsity",
        description="Loss of weight-sparse Transformers in sparsity, non-zero parameters and "
        "data: a saturating sparsity factor on the parameter term (Frantar et al. 2023).",
        citation="Frantar et al. 2023, arXiv:2309.08520, Sec. 3 (L(S, N, D))",
        domain="validation loss of Transformers trained with gradual magnitude pruning to "
        "sparsity S (0-93.75%); N = non-zero parameters; ViT/JFT-4B (images) and T5/C4 "
        "(tokens)",
        reference=from_notebook(NOTEBOOK_VIT),
        ranges={"S": (0.0, 0.9375), "N": (6.6e5, 4.3e7), "D": (2.25e8, 1.8e9)},
    )
