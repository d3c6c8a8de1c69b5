"""Encoder-decoder scaling for machine translation: loss in encoder and decoder size.

Ghorbani et al., "Scaling Laws for Neural Machine Translation", 2021, arXiv:2109.07740
(ICLR 2022), eq. (2):

    L(N_e, N_d) = alpha (N̄_e/N_e)^p_e (N̄_d/N_d)^p_d + L_inf,

N_e = ``encoder_params`` and N_d = ``decoder_params``: the non-embedding parameters of the
encoder and of the decoder (the paper scales each by depth, 100M-3.5B parameters in all);
N̄_e and N̄_d are fixed normalisers, so that alpha is the reducible loss of a model with
N_e = N̄_e and N_d = N̄_d. The paper finds p_d > p_e (growing the decoder pays more) and that
the total parameter count alone does not predict the loss.

Consequence (the paper's allocation advice): for a fixed total N = N_e + N_d the reducible
term is smallest at N_e/N = p_e/(p_e + p_d) (:func:`encoder_fraction`); with p_e = p_d the
law depends on N_e N_d only and the split is even.

Normalisers and reference values. The paper's values of N̄_e and N̄_d and its fitted
constants could not be read from the stored copies available here. The normalisers change
only the parametrisation, never the fitted curve (alpha absorbs them:
alpha N̄_e^p_e N̄_d^p_d is what the data determine), so they are an option,
``nmt_encoder_decoder(normalisers=(N̄_e, N̄_d))``, 1e8 each by default, about the middle of
the paper's range of encoder and decoder sizes. The reference values are representative,
not the paper's fit: exponents p_e = 0.2 < p_d = 0.3 in the order the paper reports, and a
loss that falls from about 2.9 to 1.7 nats across the input ranges.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

DEFAULT_NORMALISERS = (1e8, 1e8)


def encoder_fraction(p_e: float, p_d: float) -> float:
    """Share of a fixed parameter total given to the encoder that minimises the loss."""
    return p_e / (p_e + p_d)


def _normalisers(value: Sequence[float]) -> tuple[float, float]:
    try:
        ne, nd = (float(v) for v in value)
    except (TypeError, ValueError):
        raise LawError(f"normalisers {value!r} are not two numbers",
                       "option 'normalisers' of nmt_encoder_decoder",
                       "give (N_e_bar, N_d_bar), e.g. (1e8, 1e8)") from None
    if not (np.isfinite([ne, nd]).all() and ne > 0 and nd > 0):
        raise LawError(f"normalisers ({ne:g}, {nd:g}) must be positive and finite",
                       "option 'normalisers' of nmt_encoder_decoder",
                       "give positive parameter counts")
    return ne, nd


@register("nmt_encoder_decoder")
def nmt_encoder_decoder(normalisers: Sequence[float] = DEFAULT_NORMALISERS) -> Law:
    ne, nd = _normalisers(normalisers)
    return Law(
        f"alpha*({ne!r}/Ne)**p_e*({nd!r}/Nd)**p_d + L_inf",
        inputs={"Ne": "encoder_params", "Nd": "decoder_params"},
        parameters=[
            Parameter("alpha", 0.0, np.inf, log=True, init=(0.1, 0.5, 2.0),
                      typical=(0.5, 1.5),
                      description="reducible loss at N_e = N̄_e, N_d = N̄_d"),
            Parameter("p_e", 0.0, 3.0, init=(0.05, 0.2, 0.5), typical=(0.12, 0.3),
                      description="encoder exponent"),
            Parameter("p_d", 0.0, 3.0, init=(0.05, 0.2, 0.5), typical=(0.2, 0.4),
                      description="decoder exponent"),
            Parameter("L_inf", 0.0, np.inf, log=True, init=(0.5, 1.5, 3.0),
                      typical=(1.0, 2.0), description="irreducible loss"),
        ],
        name="nmt_encoder_decoder",
        description="Translation loss of encoder-decoder Transformers, a product of power "
        "laws in encoder and decoder size (Ghorbani et al. 2021, eq. 2).",
        citation="Ghorbani et al. 2021, arXiv:2109.07740, eq. (2)",
        domain="test cross-entropy of encoder-decoder NMT models scaled in encoder or "
        "decoder depth, trained to convergence on large parallel corpora (100M-3.5B "
        "parameters)",
        # representative, not the paper's fit (see the module docstring)
        reference={"alpha": 1.0, "p_e": 0.2, "p_d": 0.3, "L_inf": 1.5},
        ranges={"Ne": (5e7, 1.75e9), "Nd": (5e7, 1.75e9)},
    )
