"""Vocabulary scaling: the unigram-normalised loss as a function of non-vocabulary parameters,
vocabulary parameters and tokens.

Tao et al., "Scaling Laws with Vocabulary: Larger Models Deserve Larger Vocabularies", 2024,
arXiv:2407.13623 (NeurIPS 2024), Approach 3 (parametric fit of the loss):

    L_u = -E + A1/N_nv^alpha1 + A2/N_v^alpha2 + B/D^beta,   alpha1 = beta in their fit,

where ``L_u`` is the unigram-normalised loss (the loss minus that of the unigram model of
the same tokenizer, per token), which lets runs with different vocabularies be compared,
``N_nv`` the non-vocabulary parameters, ``N_v = V d`` the vocabulary parameters (V entries
of width d) and ``D`` the training tokens (``D = H f(V)`` for H characters:
:func:`scalinglaws.plan.vocab.tokens_from_characters`).

Positive formulation. ``L_u`` is negative wherever the model beats the unigram model (about
-4 for the paper's runs), so the default objective (Huber on log residuals) cannot fit it.
The catalog law fits its negative, the *unigram gain* ``G = -L_u`` (nats per token gained
over the unigram model, column ``unigram_gain``):

    G = E - A1/N_nv^alpha1 - A2/N_v^alpha2 - B/D^beta,

positive wherever the model beats the unigram model, which all the paper's fitted runs do
(it drops runs under 2.2e17 FLOPs). Fit ``L_u`` directly instead with
``sl.fit("-E + A1/Nnv**alpha + ...", ds, loss="mse")``. The default ties alpha1 = beta
(parameter ``alpha``) as the paper's fit does; ``vocab(tied=False)`` frees them.

Reference values: the released Approach 3 fit (code of the paper,
``sail-sg/scaling-with-vocab``, ``optimal_Nv_predict.py``: A1 = 1.8314, A2 = 0.19584,
B = 2.1241, E = 5.5328, alpha1 = beta = 0.44661, alpha2 = 0.67074 with N_nv, N_v in
millions and D in billions of tokens), converted here to plain counts
(A1 * 1e6^alpha1, A2 * 1e6^alpha2, B * 1e9^beta).
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register

# the released fit, in the paper's units (millions of parameters, billions of tokens)
_A1, _A2 = 1.8313851559554126, 0.19584238398665638
_B, _E = 2.1241123120064955, 5.5327846803337435
_ALPHA, _ALPHA2 = 0.44660634152009615, 0.6707374679896795
REFERENCE = {
    "E": _E,
    "A1": _A1 * 1e6**_ALPHA,
    "A2": _A2 * 1e6**_ALPHA2,
    "B": _B * 1e9**_ALPHA,
    "alpha": _ALPHA,
    "alpha2": _ALPHA2,
}


def _amplitude(name: str, what: str, typical: tuple[float, float]) -> Parameter:
    return Parameter(name, 0.0, np.inf, log=True, typical=typical,
                     description=f"amplitude of the {what} term")


def _exponent(name: str, what: str, typical: tuple[float, float]) -> Parameter:
    return Parameter(name, 0.0, 2.0, init=(0.2, 0.4, 0.7, 1.0), typical=typical,
                     description=f"{what} exponent")


@register("vocab", variants=[{"tied": False}])
def vocab(tied: bool = True) -> Law:
    beta = "alpha" if tied else "beta"
    exponents = [_exponent("alpha", "non-vocabulary parameter"
                           + (" and data" if tied else ""), (0.43, 0.46)),
                 _exponent("alpha2", "vocabulary parameter", (0.64, 0.70))]
    reference = dict(REFERENCE)
    if not tied:
        exponents.append(_exponent("beta", "data", (0.43, 0.46)))
        reference["beta"] = _ALPHA
    return Law(
        f"E - A1/Nnv**alpha - A2/Nv**alpha2 - B/D**{beta}",
        inputs={"Nnv": "params", "Nv": "vocab_params", "D": "tokens"},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True, init=(3.0, 5.0, 8.0), typical=(5.3, 5.8),
                      description="gain of an unlimited model over the unigram model"),
            _amplitude("A1", "non-vocabulary parameter", (700.0, 1050.0)),
            _amplitude("A2", "vocabulary parameter", (1700.0, 2500.0)),
            _amplitude("B", "data", (1.8e4, 2.65e4)),
            *exponents,
        ],
        name="vocab",
        description="Unigram gain (minus the unigram-normalised loss) with separate power "
        "laws in non-vocabulary parameters, vocabulary parameters and tokens (Tao et al. "
        "2024, Approach 3).",
        citation="Tao et al. 2024, arXiv:2407.13623, Approach 3 (parametric loss fit)",
        domain="unigram gain -L_u of runs with vocabularies of 4K-96K entries; 33M-2.9B "
        "non-vocabulary parameters; runs above 2.2e17 FLOPs",
        target="unigram_gain",
        reference=reference,
        # the paper's runs: V = 4K..96K entries of width 512..3200, N_nv = 33M..2.9B
        ranges={"Nnv": (3.3e7, 2.9e9), "Nv": (2.0e6, 3.1e8), "D": (1e9, 1.7e11)},
    )
