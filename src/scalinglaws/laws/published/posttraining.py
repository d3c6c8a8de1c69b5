"""Laws beyond pretraining: fine-tuning with a pre-power phase, reward over-optimisation and
repeated sampling at inference.

``rectified`` (Lin et al. 2024, "Selecting Large Language Model to Fine-tune via Rectified
Scaling Law", arXiv:2402.02314, eq. (3)): the fine-tuning loss on D examples is
``B/(D_l + D**beta) + E``: flat while D^β is small against the "pre-learned data size" D_l
(the pre-power phase), a power law beyond it.

``reward_bon`` and ``reward_rl`` (Gao, Schulman, Hilton 2023, "Scaling Laws for Reward Model
Overoptimization", arXiv:2210.10760, eqs. (1)-(2)): the gold reward against
d = √KL(π‖π_init) rises then falls as the policy over-optimises a proxy reward:
``d*(alpha - beta*d)`` for best-of-n sampling and ``d*(alpha - beta*log(d))`` for RL. For
best-of-n the KL is analytic, ``log n − (n − 1)/n`` (:func:`bon_distance` gives d for n).
The peak lies at d* = α/(2β) (best-of-n) and d* = exp(α/β − 1) (RL) (:func:`peak`).

``coverage`` (Brown et al. 2024, "Large Language Monkeys: Scaling Inference Compute with
Repeated Sampling", arXiv:2407.21787, Sec. 3): the fraction of problems solved by at least
one of k samples follows ``exp(a*k**b)`` (a < 0 < b: log coverage a power law in k); fit it on
pass@k estimates (``sl.inference.pass_at_k``) for k ≤ K and predict larger k.

Reference values are representative (of the order of the papers' figures: Gao et al. Fig. 1,
Brown et al. Fig. 2), not a fit the papers print for one setting.
"""

from __future__ import annotations

import math

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register


@register("rectified")
def rectified() -> Law:
    return Law(
        "B/(D_l + D**beta) + E", inputs={"D": "examples"},
        parameters=[
            Parameter("B", 0.0, np.inf, log=True, typical=(20.0, 200.0),
                      description="scale of the data term"),
            Parameter("D_l", 0.0, np.inf, log=True, typical=(5.0, 50.0),
                      description="pre-learned data size (the flat phase ends where D^beta "
                      "passes it)"),
            Parameter("beta", 0.0, 3.0, init=(0.2, 0.4, 0.6, 1.0), typical=(0.4, 0.7),
                      description="exponent of the power phase"),
            Parameter("E", 0.0, np.inf, log=True, init=(0.1, 0.5, 1.0, 2.0),
                      typical=(0.5, 1.5), description="irreducible fine-tuning loss"),
        ],
        name="rectified",
        description="Fine-tuning loss against the number of fine-tuning examples with a "
        "pre-power phase (Lin et al. 2024, eq. 3).",
        citation="Lin et al. 2024, arXiv:2402.02314, eq. (3)",
        domain="fine-tuning loss of one base model on growing subsets of a task's data",
        reference={"B": 60.0, "D_l": 15.0, "beta": 0.55, "E": 0.9},
        ranges={"D": (2e2, 1e6)})


@register("reward_bon")
def reward_bon() -> Law:
    return Law(
        "d*(alpha - beta*d)", inputs={"d": "kl_distance"},
        parameters=[
            Parameter("alpha", 0.0, np.inf, log=True, typical=(0.8, 2.0),
                      description="initial slope of the gold reward"),
            Parameter("beta", 0.0, np.inf, log=True, typical=(0.1, 0.3),
                      description="over-optimisation curvature"),
        ],
        name="reward_bon",
        description="Gold reward under best-of-n sampling against d = sqrt(KL), rising then "
        "falling (Gao et al. 2023, eq. 1); d* = alpha/(2 beta).",
        citation="Gao, Schulman & Hilton 2023, arXiv:2210.10760, eq. (1)",
        domain="gold reward minus its value at d = 0, best-of-n on a proxy reward model",
        target="gold_reward", reference={"alpha": 1.0, "beta": 0.12},
        # d = sqrt(KL) of best-of-n up to n ~ 1e4 (KL ~ 8.2); the reward stays above its
        # start below d = alpha/beta
        ranges={"d": (0.1, 2.5)})


@register("reward_rl")
def reward_rl() -> Law:
    return Law(
        "d*(alpha - beta*log(d))", inputs={"d": "kl_distance"},
        parameters=[
            Parameter("alpha", 0.0, np.inf, log=True, typical=(0.8, 2.0),
                      description="gold reward gained per unit distance at d = 1"),
            Parameter("beta", 0.0, np.inf, log=True, typical=(0.3, 0.6),
                      description="over-optimisation rate"),
        ],
        name="reward_rl",
        description="Gold reward under RL against d = sqrt(KL) (Gao et al. 2023, eq. 2); "
        "d* = exp(alpha/beta - 1).",
        citation="Gao, Schulman & Hilton 2023, arXiv:2210.10760, eq. (2)",
        domain="gold reward minus its value at d = 0, PPO against a proxy reward model",
        target="gold_reward", reference={"alpha": 1.0, "beta": 0.45},
        ranges={"d": (0.1, 3.5)})


@register("coverage")
def coverage() -> Law:
    return Law(
        "exp(a*k**b)", inputs={"k": "samples"},
        parameters=[
            Parameter("a", -np.inf, 0.0, init=(-5.0, -2.0, -1.0, -0.5, -0.1),
                      typical=(-3.0, -1.0), description="log coverage at one sample (< 0)"),
            Parameter("b", -2.0, 0.0, init=(-0.8, -0.5, -0.3, -0.1), typical=(-0.5, -0.2),
                      description="exponent of the samples in log coverage (< 0)"),
        ],
        name="coverage",
        description="Fraction of problems solved by at least one of k samples: log coverage "
        "a power law in k (Brown et al. 2024, Sec. 3).",
        citation="Brown et al. 2024, arXiv:2407.21787, Sec. 3",
        domain="coverage (pass@k over problems) of one model on one task, k from 1 to ~1e4",
        target="coverage", reference={"a": -1.6, "b": -0.35},
        ranges={"k": (1.0, 1e4)})


def bon_distance(n: float) -> float:
    """d = √KL of best-of-n sampling: KL = log n − (n − 1)/n (Gao et al. 2023, Sec. 2)."""
    if not n >= 1:
        raise LawError(f"best-of-n needs n >= 1, got {n!r}", "argument 'n'",
                       "n counts the samples the best is taken from")
    return math.sqrt(max(0.0, math.log(n) - (n - 1.0) / n))


def peak(name: str, alpha: float, beta: float) -> float:
    """The distance d* of the gold reward's peak for ``reward_bon`` or ``reward_rl``."""
    if name == "reward_bon":
        return alpha / (2.0 * beta)
    if name == "reward_rl":
        return math.exp(alpha / beta - 1.0)
    raise LawError(f"no peak for law '{name}'", "argument 'name'",
                   "use 'reward_bon' or 'reward_rl'")
