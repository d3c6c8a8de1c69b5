"""Laws beyond pretraining: fine-tuning with a pre-power phase, forgetting, RL post-training,
reward over-optimisation, repeated sampling at inference and predictive uncertainty.

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

``forgetting`` (Kalajdzievski 2024, "Scaling Laws for Forgetting When Fine-Tuning Large
Language Models", arXiv:2401.05605, Sec. 4): forgetting, the cross-entropy of the tuned model
against the base model's predictions on pretraining-like text, grows as a shifted power law in
the number of parameters fine-tuned P (LoRA rank sets it) and the number of update steps N:
``A*P**alpha*N**beta + E``, E the value before any update (the base model's own entropy).

``rl_posttraining`` (Tan et al. 2025, "Scaling Behaviors of LLM Reinforcement Learning
Post-Training: An Empirical Study in Mathematical Reasoning", arXiv:2509.25300): the test loss
(1 - accuracy) of a model of N parameters after RL compute C is a power law in C whose
exponent, the learning efficiency k(N) = k_max*N/(N + N0), saturates with model size:
``(C0*N**r/C)**(k_max*N/(N + N0))`` (the closed form of the authors' code, ``powlawmul``;
log L = -k(N) log C + E0(N) with E0(N) = k(N) log(C0 N^r)).

``uncertainty_power`` (Rosso et al. 2025, "Scaling Laws for Uncertainty in Deep Learning",
arXiv:2506.09648): a predictive-uncertainty measure (total or epistemic entropy, from
ensembles, MC dropout or Gaussian approximations) against the number of training examples D,
``E + A/D**gamma``: the epistemic part contracts as a power law (gamma = 1, O(1/D), for an
identifiable Bayesian model such as linear regression) towards the aleatoric floor E.

Reference values are representative (of the order of the papers' figures: Gao et al. Fig. 1,
Brown et al. Fig. 2, Kalajdzievski Fig. 3, Tan et al. Fig. 1, Rosso et al. Fig. 1), not a
fit the papers print for one setting: the stored copies available here did not show the
printed constants.
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


@register("forgetting")
def forgetting() -> Law:
    return Law(
        "A*P**alpha*N**beta + E", inputs={"P": "ft_params", "N": "ft_steps"},
        parameters=[
            Parameter("A", 0.0, np.inf, log=True, typical=(0.003, 0.03),
                      description="scale of the forgetting term"),
            Parameter("alpha", 0.0, 3.0, init=(0.05, 0.1, 0.2, 0.4), typical=(0.05, 0.2),
                      description="exponent of the parameters fine-tuned"),
            Parameter("beta", 0.0, 3.0, init=(0.1, 0.2, 0.4, 0.8), typical=(0.15, 0.4),
                      description="exponent of the update steps"),
            Parameter("E", 0.0, np.inf, log=True, init=(0.1, 0.5, 1.0, 2.0),
                      typical=(0.5, 1.5), description="forgetting before any update (the "
                      "base model's own entropy)"),
        ],
        name="forgetting",
        description="Forgetting when fine-tuning, a shifted power law in the parameters "
        "fine-tuned and the update steps (Kalajdzievski 2024).",
        citation="Kalajdzievski 2024, arXiv:2401.05605, Sec. 4",
        domain="cross-entropy of a LoRA-tuned LLM against its base model on pretraining-like "
        "text, over LoRA ranks and update steps",
        target="forgetting", reference={"A": 0.01, "alpha": 0.1, "beta": 0.25, "E": 0.9},
        ranges={"P": (1e5, 1e8), "N": (1.0, 1e4)})


@register("rl_posttraining")
def rl_posttraining() -> Law:
    return Law(
        "(C0*N**r/C)**(k_max*N/(N + N0))", inputs={"N": "params", "C": "flops"},
        parameters=[
            Parameter("C0", 0.0, np.inf, log=True, init=(1e6, 1e8, 1e10, 1e12),
                      typical=(3e10, 1e12),
                      description="compute scale (with N**r: where the loss would reach 1)"),
            Parameter("r", 0.0, 4.0, init=(0.3, 0.6, 1.0), typical=(0.3, 0.7),
                      description="how the compute scale moves with model size"),
            Parameter("N0", 0.0, np.inf, log=True, init=(1e8, 1e9, 1e10, 1e11),
                      typical=(5e9, 3e10),
                      description="model size at which the learning efficiency is half "
                      "its maximum"),
            Parameter("k_max", 0.0, 3.0, init=(0.05, 0.1, 0.2, 0.5), typical=(0.15, 0.3),
                      description="saturated learning efficiency (exponent of compute)"),
        ],
        name="rl_posttraining",
        description="Test loss after RL post-training, a power law in RL compute whose "
        "exponent k(N) = k_max N/(N + N0) saturates with model size (Tan et al. 2025).",
        citation="Tan et al. 2025, arXiv:2509.25300",
        domain="test loss (1 - accuracy) of Qwen2.5-like models (0.5B-72B) after GRPO/PPO "
        "on verifiable maths problems, against the RL training compute 6*N*tokens",
        reference={"C0": 2e11, "r": 0.5, "N0": 3e10, "k_max": 0.2},
        ranges={"N": (5e8, 7.2e10), "C": (1e18, 1e22)})


@register("uncertainty_power")
def uncertainty_power() -> Law:
    return Law(
        "A/D**gamma + E", inputs={"D": "examples"},
        parameters=[
            Parameter("A", 0.0, np.inf, log=True, typical=(1.0, 10.0),
                      description="scale of the epistemic term"),
            Parameter("gamma", 0.0, 3.0, init=(0.2, 0.5, 1.0, 1.5), typical=(0.4, 1.0),
                      description="contraction exponent (1 for an identifiable Bayesian "
                      "model)"),
            Parameter("E", 0.0, np.inf, log=True, init=(0.001, 0.01, 0.1, 1.0),
                      typical=(0.02, 0.2), description="aleatoric floor (0 for epistemic "
                      "uncertainty alone)"),
        ],
        name="uncertainty_power",
        description="Predictive uncertainty against the number of training examples, a "
        "power law towards an aleatoric floor (Rosso et al. 2025).",
        citation="Rosso et al. 2025, arXiv:2506.09648",
        domain="total or epistemic predictive uncertainty (entropy, mutual information) of "
        "ensembles and approximate Bayesian networks trained on D examples",
        target="uncertainty", reference={"A": 3.0, "gamma": 0.6, "E": 0.05},
        ranges={"D": (1e3, 1e6)})


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
