"""Precision-aware scaling laws: training in low precision, and post-training quantisation.

Kumar et al., "Scaling Laws for Precision", 2024, arXiv:2411.04330 (ICLR 2025).

``precision`` (quantised training, their Sec. 4): training with weights, activations and KV
cache in ``P_w``, ``P_a``, ``P_kv`` bits shrinks the effective parameter count

    N_eff = N (1 - exp(-P_w/gamma_w)) (1 - exp(-P_a/gamma_a)) (1 - exp(-P_kv/gamma_kv))

inside the Chinchilla form ``L = A N_eff^-alpha + B D^-beta + E`` (the three precisions act
multiplicatively and independently). Inputs: ``params`` (N), ``tokens`` (D) and the training
bit widths ``bits_w``, ``bits_a``, ``bits_kv`` (integer formats; 16 is effectively full
precision: each factor is then within e^(-16/gamma) of 1).

``precision_ptq`` (post-training quantisation, their Sec. 3): the loss added by quantising
the weights of a model trained in high precision to ``P_post`` bits (target column
``ptq_degradation``),

    delta_PTQ = C_T D^gamma_D / N^gamma_N exp(-P_post/gamma_post),

which grows with the tokens seen (overtrained models degrade more, until more data hurts
the quantised model). Inputs: ``params``, ``tokens`` and ``bits_post``. The target is the
degradation (quantised loss minus full-precision loss), positive.

The paper's unified form (Sec. 5: ``delta_PTQ`` evaluated at ``N_eff`` and damped by
``prod_x (1 - exp(-C_x (P_x - P_post)))`` for models trained in low precision) is not in the
catalog: it needs P_post <= P_x and its fitted C_x.

Reference values: the paper fits on 465 runs (30M-220M parameters, 1.5B-26B tokens, 3-16
bits, Dolma), but its fitted constants could not be read from the stored copies available
here, so every reference value below is representative, not the paper's: the Chinchilla
amplitudes and exponents of Hoffmann et al. 2022; gamma_w = gamma_a = gamma_kv = 3.9 bits,
which put the compute-optimal training precision (maximum of N_eff/N per bit) at 7.4 bits,
inside the 7-8 bits the paper reports; and a PTQ term that costs ~0.1 nats at 4 bits and
~0.01 at 8 bits for a model trained on 100 tokens per parameter.
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register

_BITS = (3.0, 16.0)  # the training precisions of the paper's sweep
_PARAMS = (3e7, 1.7e9)  # its model sizes (fits on 30M-220M, validated up to 1.7B)
_TOKENS = (1.5e9, 2.6e10)  # its token budgets


def _gamma(name: str, part: str) -> Parameter:
    return Parameter(name, 0.1, 20.0, log=True, init=(1.0, 2.5, 5.0), typical=(2.5, 5.0),
                     description=f"bits at which {part} precision costs a factor 1 - 1/e of N")


@register("precision")
def precision() -> Law:
    return Law(
        "A*(N*(1 - exp(-Pw/gamma_w))*(1 - exp(-Pa/gamma_a))*(1 - exp(-Pkv/gamma_kv)))"
        "**(-alpha) + B*D**(-beta) + E",
        inputs={"N": "params", "D": "tokens", "Pw": "bits_w", "Pa": "bits_a",
                "Pkv": "bits_kv"},
        parameters=[
            Parameter("A", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([0.0, 5.0, 10.0])),
                      typical=(100.0, 1000.0), description="amplitude of the N_eff term"),
            Parameter("alpha", 0.0, 2.0, init=(0.2, 0.4, 0.8), typical=(0.25, 0.5),
                      description="exponent of the effective parameter count"),
            Parameter("B", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([0.0, 5.0, 10.0])),
                      typical=(100.0, 1000.0), description="amplitude of the data term"),
            Parameter("beta", 0.0, 2.0, init=(0.2, 0.4, 0.8), typical=(0.22, 0.45),
                      description="data exponent"),
            Parameter("E", 0.0, np.inf, log=True, init=(1.0, 2.0, 3.0), typical=(1.5, 2.5),
                      description="irreducible loss"),
            _gamma("gamma_w", "weight"),
            _gamma("gamma_a", "activation"),
            _gamma("gamma_kv", "KV-cache"),
        ],
        name="precision",
        description="Chinchilla loss with an effective parameter count reduced by the "
        "training precision of weights, activations and KV cache (Kumar et al. 2024).",
        citation="Kumar et al. 2024, arXiv:2411.04330, Sec. 4 (N_eff under quantised "
        "training)",
        domain="final loss of runs trained with quantised weights/activations/KV cache "
        "(integer formats, 3-16 bits); 30M-220M parameters, 1.5B-26B tokens",
        # representative, not the paper's fit (see the module docstring)
        reference={"A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28, "E": 1.69,
                   "gamma_w": 3.9, "gamma_a": 3.9, "gamma_kv": 3.9},
        ranges={"N": _PARAMS, "D": _TOKENS, "Pw": _BITS, "Pa": _BITS, "Pkv": _BITS},
    )


@register("precision_ptq")
def precision_ptq() -> Law:
    return Law(
        "C_T*D**gamma_D/N**gamma_N*exp(-P/gamma_post)",
        inputs={"N": "params", "D": "tokens", "P": "bits_post"},
        parameters=[
            Parameter("C_T", 0.0, np.inf, log=True, init=(1e-3, 1e-1, 10.0),
                      typical=(0.03, 0.3), description="amplitude of the degradation"),
            Parameter("gamma_D", 0.0, 3.0, init=(0.2, 0.5, 1.0), typical=(0.3, 0.7),
                      description="growth of the degradation with tokens"),
            Parameter("gamma_N", 0.0, 3.0, init=(0.2, 0.5, 1.0), typical=(0.3, 0.7),
                      description="decay of the degradation with parameters"),
            Parameter("gamma_post", 0.05, 20.0, log=True, init=(0.5, 1.5, 4.0),
                      typical=(1.2, 2.5), description="bits per e-fold of the degradation"),
        ],
        name="precision_ptq",
        target="ptq_degradation",
        description="Loss added by post-training quantisation of the weights to P bits: "
        "grows with tokens seen, shrinks with parameters (Kumar et al. 2024).",
        citation="Kumar et al. 2024, arXiv:2411.04330, Sec. 3 (delta_PTQ)",
        domain="degradation (quantised minus full-precision loss) of models trained in "
        "high precision and quantised after training (e.g. GPTQ), 3-8 bits",
        # representative, not the paper's fit (see the module docstring)
        reference={"C_T": 0.1, "gamma_D": 0.5, "gamma_N": 0.5, "gamma_post": 1.74},
        ranges={"N": _PARAMS, "D": _TOKENS, "P": (3.0, 8.0)},
    )
