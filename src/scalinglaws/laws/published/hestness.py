"""Power laws with a floor in one named input: Hestness (data) and Henighan (compute).

``hestness``: eps(D) = alpha * D**beta_g + gamma
    Hestness et al., "Deep Learning Scaling is Predictable, Empirically", 2017,
    arXiv:1712.00409, Sec. 2-3: generalisation error in the power-law region
    eps(m) = alpha * m**beta_g (beta_g < 0, the paper's sign convention), bounded below by an
    irreducible error gamma. Input D = training-set size (reads ``tokens``; words for their
    word LMs). Published (Sec. 4.1, word LMs on the Billion Word benchmark, validation
    cross-entropy): eps(m) = 11.9 * m**-0.066; character LMs beta_g = -0.094. The paper's
    language curves did not reach the irreducible region, so it reports no gamma; the
    reference gamma = 0.5 is representative.

``power_law_offset``: L(C) = L_inf + (C0/C)**alpha
    Henighan et al., "Scaling Laws for Autoregressive Generative Modeling", 2020,
    arXiv:2010.14701, eq. (1.1), bound to training compute C (reads ``flops``, in FLOPs).
    L_inf is the irreducible loss (entropy of the data), (C0/C)**alpha the reducible loss.
    Their language compute trend (Table 1, after Brown et al. 2020, Fig. 3.1) is the pure
    power law L = 2.57 * C**-0.048 with C in PF-days: alpha = 0.048 and
    C0 = 2.57**(1/0.048) PF-days = 3.5e8 PF-days = 3.0e28 FLOPs (1 PF-day = 8.64e19 FLOPs).
    That language fit has no floor (L_inf = 0); the reference L_inf = 1.0 nats/token is
    representative.

Unlike ``power_law`` (``E + A*x**(-alpha)``, input chosen at fit time, linear amplitude A),
these read a fixed column and keep each paper's own parameters: Hestness's signed exponent
beta_g, Henighan's scale C0 in the input's units (the compute at which the reducible loss
is 1 nat).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: FLOPs in one petaflop/s-day
PF_DAY = 1e15 * 86400.0
#: Henighan et al. / Brown et al. language compute trend, L = 2.57 * C[PF-days]**-0.048
LANGUAGE_ALPHA = 0.048
LANGUAGE_C0_PF_DAYS = 2.57 ** (1.0 / LANGUAGE_ALPHA)
#: Hestness et al. word language models, eps(m) = 11.9 * m**-0.066
WORD_LM_ALPHA = 11.9
WORD_LM_BETA_G = -0.066


@register("hestness")
def hestness() -> Law:
    return Law(
        "alpha*D**beta_g + gamma",
        inputs={"D": "tokens"},
        parameters=[
            Parameter("alpha", 0.0, np.inf, log=True, typical=(5.0, 30.0),
                      description="amplitude of the power-law region"),
            Parameter("beta_g", -3.0, 0.0, init=(-0.05, -0.1, -0.3, -0.6),
                      # language: word -0.066, character -0.094 (the paper's other
                      # domains reach -0.13 to -0.49)
                      typical=(-0.1, -0.06), description="data exponent (negative)"),
            Parameter("gamma", 0.0, np.inf, log=True, typical=(0.2, 1.5),
                      description="irreducible error"),
        ],
        name="hestness",
        description="Generalisation error as a power law in training-set size plus an "
        "irreducible error (Hestness et al. 2017).",
        citation="Hestness et al. 2017, arXiv:1712.00409, Sec. 2-3, eps(m) = alpha m^beta_g",
        domain="validation loss of models sized for each training set, power-law region",
        reference={"alpha": WORD_LM_ALPHA, "beta_g": WORD_LM_BETA_G, "gamma": 0.5},
        # word LMs: shards of the Billion Word benchmark, about 1e6 to 8e8 words
        ranges={"D": (1e6, 8e8)},
        guess=_Guess(scale_form=False),
    )


@register("power_law_offset")
def power_law_offset() -> Law:
    return Law(
        "L_inf + (C0/C)**alpha",
        inputs={"C": "flops"},
        parameters=[
            Parameter("L_inf", 0.0, np.inf, log=True, typical=(0.5, 3.0),
                      description="irreducible loss (entropy of the data)"),
            Parameter("C0", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.geomspace(1e15, 1e35, 6)),
                      typical=(1e20, 1e30),
                      description="compute (FLOPs) at which the reducible loss is 1"),
            Parameter("alpha", 0.0, 10.0, init=(0.03, 0.1, 0.3, 1.0),
                      typical=(0.04, 0.25), description="compute exponent"),
        ],
        name="power_law_offset",
        description="Loss as an irreducible term plus a power law in training compute, "
        "L_inf + (C0/C)^alpha (Henighan et al. 2020, eq. 1.1).",
        citation="Henighan et al. 2020, arXiv:2010.14701, eq. (1.1)",
        domain="compute-efficient frontier of autoregressive transformers; C in FLOPs",
        reference={"L_inf": 1.0, "C0": LANGUAGE_C0_PF_DAYS * PF_DAY,
                   "alpha": LANGUAGE_ALPHA},
        guess=_Guess(scale_form=True),
    )


class _Guess:
    """Starting rows for ``floor + power law``: for floors at fractions of the smallest
    target, a straight line through log(y - floor) against log x gives the exponent and the
    amplitude (or, in the scale form, C0 = amplitude**(1/alpha))."""

    FRACTIONS = (0.0, 0.3, 0.6, 0.8, 0.9, 0.95)

    def __init__(self, scale_form: bool) -> None:
        self.scale_form = scale_form

    def __call__(self, X: Sequence[np.ndarray], y: np.ndarray) -> np.ndarray:
        logx = np.log(np.asarray(X[0], dtype=float).ravel())
        y = np.asarray(y, dtype=float).ravel()
        rows = []
        for frac in self.FRACTIONS:
            floor = frac * float(y.min())
            with np.errstate(all="ignore"):
                slope, intercept = np.polyfit(logx, np.log(y - floor), 1)
            if not (np.isfinite(slope) and np.isfinite(intercept)) or slope >= 0:
                continue
            amp = float(np.exp(intercept))
            if self.scale_form:  # L_inf, C0, alpha with (C0/C)^alpha = amp * C^slope
                alpha = -float(slope)
                rows.append([max(floor, 1e-6 * float(y.min())),
                             float(np.exp(intercept / alpha)), alpha])
            else:  # alpha (amplitude), beta_g, gamma
                rows.append([amp, float(slope), max(floor, 1e-6 * float(y.min()))])
        return np.array(rows, dtype=float).reshape(-1, 3)
