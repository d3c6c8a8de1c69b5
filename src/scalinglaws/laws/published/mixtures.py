"""Data mixing law (Ye et al. 2024): a validation domain's loss as a function of the training
mixture's domain proportions.

Ye, Liu, Sun, Zhou, Zhan, Qiu, "Data Mixing Laws: Optimizing Data Mixtures by Predicting
Language Modeling Performance", 2024, arXiv:2403.16952, eq. (5): the loss on validation
domain i after training on proportions r = (r_1, ..., r_M) is

    L_i(r) = c_i + k_i exp(sum_j t_ij r_j).

Proportions sum to one, so k_i and the t_ij are not identified as written: adding s to every
t_ij and dividing k_i by e^s gives the same law. The catalog law therefore reads the first
M - 1 proportions and measures every t_j against the last domain (t_M = 0):

    L(r) = c + k exp(t_1 r_1 + ... + t_(M-1) r_(M-1)),

which is the paper's law exactly (k here is the paper's k_i e^(t_iM)). ``mixture(domains=M)``
builds it for M domains (2 to 16; 3 by default); its inputs read the columns
``proportion_1`` ... ``proportion_(M-1)``, which :mod:`scalinglaws.mixing` binds to the
domains' own columns. One law is fitted per validation domain.

Reference values: the paper prints its fits as figures, not tables; the reference below is
representative of its Fig. 3 (a floor near 2 nats, the law's range about half a nat, the
domain's own proportion lowering its loss) and is not a reproduction of a published fit.
"""

from __future__ import annotations

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: the most domains a mixture law is built for (its exponent has one term per domain but one)
MAX_DOMAINS = 16


def proportion_column(j: int) -> str:
    """The column the law's j-th proportion reads (1-based)."""
    return f"proportion_{j}"


@register("mixture", variants=[{"domains": k} for k in (2, 4, 5)])
def mixture(domains: int = 3) -> Law:
    """The mixing law of one validation domain over ``domains`` training domains."""
    try:
        m = int(domains)
    except (TypeError, ValueError):
        m = -1
    if m != domains or not 2 <= m <= MAX_DOMAINS:
        raise LawError(f"domains must be a whole number from 2 to {MAX_DOMAINS}, got "
                       f"{domains!r}", "option domains", "e.g. mixture(domains=3)")
    terms = " + ".join(f"t{j}*r{j}" for j in range(1, m))
    parameters = [
        Parameter("c", 0.0, np.inf, log=True, init=(0.5, 1.0, 2.0, 3.0),
                  typical=(1.5, 3.0), description="loss floor of the domain"),
        Parameter("k", 0.0, np.inf, log=True, init=(0.05, 0.2, 1.0),
                  typical=(0.3, 1.0),
                  description="scale of the mixture-dependent part (last domain's share "
                  "at 1)"),
    ]
    for j in range(1, m):
        parameters.append(Parameter(
            f"t{j}", -30.0, 30.0, init=(-4.0, -1.5, 0.0, 1.5),
            typical=(-2.0, 0.5),
            description=f"effect of domain {j}'s proportion, against the last domain's"))
    reference = {"c": 2.0, "k": 0.6, **{f"t{j}": -1.0 + 0.5 * (j - 1) / max(m - 2, 1)
                                         for j in range(1, m)}}
    return Law(
        f"c + k*exp({terms})",
        inputs={f"r{j}": proportion_column(j) for j in range(1, m)},
        parameters=parameters,
        name="mixture" if m == 3 else f"mixture(domains={m})",
        description="A validation domain's loss as an exponential of the training "
        "mixture's proportions above a floor (Ye et al. 2024, eq. 5), the last domain "
        "the reference.",
        citation="Ye et al. 2024, arXiv:2403.16952, eq. (5)",
        domain="final validation losses of equal-size, equal-length runs that differ only "
        "in their training mixture; proportions in [0, 1] summing to one",
        reference=reference,
        ranges={f"r{j}": (0.0, 1.0) for j in range(1, m)},
    )
