"""Downstream metrics: benchmark accuracy against compute, a task's loss against compute, and
BLEU-style log laws.

``sigmoid_compute`` (Ruan et al. 2024, "Observational Scaling Laws and the Predictability of
Language Model Performance", arXiv:2405.10938, Sec. 3, the sigmoid link; the compute-only
baseline they compare against): accuracy = floor + (ceiling − floor)·σ(k·(log C − log C0)),
written ``floor + (ceiling - floor)/(1 + (C0/C)**k)`` (the same function: σ(k·log(C/C0)) =
1/(1 + (C0/C)^k)). With ``chance=`` the floor is fixed to the benchmark's chance level (0.25
for four-choice questions) and not fitted.

``task_loss`` (Bhagia et al. 2024, "Establishing Task Scaling Laws via Compute-Efficient
Model Ladders", arXiv:2412.04403, step 1; Gadre et al. 2024 for the loss of a task): a task's
loss as a power law with a floor, in compute (``E + A*C**(-alpha)``) or in N and D
(``inputs="params_tokens"``: the Chinchilla form on the task's loss).

``log_law`` (Isik et al. 2024, "Scaling Laws for Downstream Task Performance of Large
Language Models", arXiv:2402.04177, eq. (2)): BLEU = (log(A·D^α))^β in the pre-training data
size D.

``log_accuracy``: accuracy = exp(−A·C^(−α)), a power law on −log accuracy, the direct form
the sigmoid is compared with (it cannot saturate below 1).

Reference values: representative, not a paper's fit (none of the papers prints one set of
constants for a named benchmark in these exact forms); the sigmoid's are of the order of
MMLU against training compute in Ruan et al.'s Fig. 1 (chance 0.25 at 1e21 FLOPs, about 0.7
at 1e25), the log law's of their BLEU curves (about 30 BLEU at 1e11 tokens).
"""

from __future__ import annotations

import numpy as np

from ...exceptions import LawError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

_ACCURACY = "accuracy (or any score in [0, 1]) against training compute"


@register("sigmoid_compute", variants=[{"chance": 0.25}])
def sigmoid_compute(chance: float | None = None) -> Law:
    """The sigmoid of log compute; ``chance`` fixes the floor (0 <= chance < 1)."""
    if chance is not None and not 0.0 <= float(chance) < 1.0:
        raise LawError(f"chance must lie in [0, 1), got {chance!r}", "option chance",
                       "e.g. chance=0.25 for four-choice questions")
    floor = "floor" if chance is None else repr(float(chance))
    parameters = [
        Parameter("ceiling", 0.0, 1.0, init=(0.6, 0.8, 0.95), typical=(0.7, 0.95),
                  description="accuracy as compute grows without bound (at most 1)"),
        Parameter("k", 0.0, 10.0, init=(0.2, 0.5, 1.0, 2.0), typical=(0.3, 1.0),
                  description="steepness per e-fold of compute"),
        Parameter("C0", 0.0, np.inf, log=True,
                  init=tuple(float(v) for v in np.geomspace(1e19, 1e25, 7)),
                  typical=(1e21, 1e23), description="compute at the midpoint (FLOPs)"),
    ]
    reference = {"ceiling": 0.85, "k": 0.55, "C0": 1e23}
    if chance is None:
        parameters.append(Parameter("floor", 0.0, 1.0, init=(0.0, 0.1, 0.25),
                                    typical=(0.2, 0.3),
                                    description="accuracy at small compute (chance)"))
        reference["floor"] = 0.25
    return Law(
        f"{floor} + (ceiling - {floor})/(1 + (C0/C)**k)",
        inputs={"C": "flops"}, parameters=parameters,
        name="sigmoid_compute" if chance is None else f"sigmoid_compute(chance={chance:g})",
        description="Benchmark accuracy as a sigmoid of log training compute between a floor "
        "(chance) and a ceiling (Ruan et al. 2024, the compute-only baseline).",
        citation="Ruan et al. 2024, arXiv:2405.10938, Sec. 3",
        domain=_ACCURACY, target="accuracy", reference=reference,
        ranges={"C": (1e19, 1e26)},
    )


@register("task_loss", variants=[{"inputs": "params_tokens"}])
def task_loss(inputs: str = "compute") -> Law:
    """A task's loss as a power law with a floor in compute, or in N and D."""
    if inputs == "compute":
        return Law(
            "E + A*C**(-alpha)", inputs={"C": "flops"},
            parameters=[
                Parameter("E", 0.0, np.inf, log=True, init=(0.1, 0.5, 1.0, 2.0),
                          typical=(0.3, 1.5), description="irreducible task loss"),
                Parameter("A", 0.0, np.inf, log=True, typical=(50.0, 500.0),
                          description="scale of the compute term"),
                Parameter("alpha", 0.0, 2.0, init=(0.02, 0.05, 0.1, 0.2, 0.4),
                          typical=(0.08, 0.15), description="compute exponent"),
            ],
            name="task_loss",
            description="A task's loss (e.g. the loss of the correct answers) as a power law "
            "in training compute with a floor (Bhagia et al. 2024, step 1).",
            citation="Bhagia et al. 2024, arXiv:2412.04403, step 1",
            domain="a task's loss against training compute", target="task_loss",
            reference={"E": 0.6, "A": 200.0, "alpha": 0.11}, ranges={"C": (1e19, 1e25)})
    if inputs == "params_tokens":
        return Law(
            "E + A/N**alpha + B/D**beta", inputs={"N": "params", "D": "tokens"},
            parameters=[
                Parameter("E", 0.0, np.inf, log=True, init=(0.1, 0.5, 1.0, 2.0),
                          typical=(0.3, 1.5), description="irreducible task loss"),
                Parameter("A", 0.0, np.inf, log=True, typical=(50.0, 500.0),
                          description="scale of the parameter term"),
                Parameter("B", 0.0, np.inf, log=True, typical=(100.0, 2000.0),
                          description="scale of the data term"),
                Parameter("alpha", 0.0, 2.0, init=(0.1, 0.2, 0.3, 0.5), typical=(0.25, 0.4),
                          description="parameter exponent"),
                Parameter("beta", 0.0, 2.0, init=(0.1, 0.2, 0.3, 0.5), typical=(0.25, 0.4),
                          description="data exponent"),
            ],
            name="task_loss(inputs='params_tokens')",
            description="A task's loss in N and D, the Chinchilla form (Bhagia et al. 2024, "
            "step 1).",
            citation="Bhagia et al. 2024, arXiv:2412.04403, step 1",
            domain="a task's loss of runs of several sizes and token budgets",
            target="task_loss",
            reference={"E": 0.6, "A": 300.0, "B": 900.0, "alpha": 0.33, "beta": 0.31},
            ranges={"N": (1e8, 1e10), "D": (1e9, 1e12)})
    raise LawError(f"unknown inputs {inputs!r} for task_loss", "option inputs",
                   "use 'compute' or 'params_tokens'")


@register("log_law")
def log_law() -> Law:
    """BLEU-style (log(A·D^α))^β in the pre-training data size."""
    return Law(
        "(log(A*D**alpha))**beta", inputs={"D": "tokens"},
        parameters=[
            Parameter("A", 0.0, np.inf, log=True, typical=(0.5, 5.0),
                      description="scale inside the log"),
            Parameter("alpha", 0.0, 5.0, init=(0.1, 0.3, 0.6, 1.0), typical=(0.2, 0.5),
                      description="exponent of the data size inside the log"),
            Parameter("beta", 0.0, 10.0, init=(0.5, 1.0, 2.0, 3.0), typical=(1.5, 2.5),
                      description="outer power"),
        ],
        name="log_law",
        description="A translation score (BLEU) as (log(A·D^α))^β in the pre-training "
        "data size (Isik et al. 2024, eq. 2).",
        citation="Isik et al. 2024, arXiv:2402.04177, eq. (2)",
        domain="a downstream score that grows with pre-training data when the pre-training "
        "and downstream distributions are aligned", target="bleu",
        reference={"A": 1.0, "alpha": 0.35, "beta": 1.9}, ranges={"D": (1e9, 1e12)})


@register("log_accuracy")
def log_accuracy() -> Law:
    """accuracy = exp(−A·C^(−α))."""
    return Law(
        "exp(-A*C**(-alpha))", inputs={"C": "flops"},
        parameters=[
            Parameter("A", 0.0, np.inf, log=True, typical=(5.0, 200.0),
                      description="scale of −log accuracy"),
            Parameter("alpha", 0.0, 2.0, init=(0.02, 0.05, 0.1, 0.2), typical=(0.03, 0.08),
                      description="compute exponent of −log accuracy"),
        ],
        name="log_accuracy",
        description="Accuracy as exp(−A·C^−α): a power law on −log accuracy, the direct "
        "form beside the sigmoid (it tends to 1, never to a ceiling below it).",
        citation="compared in Ruan et al. 2024, arXiv:2405.10938",
        domain=_ACCURACY, target="accuracy",
        reference={"A": 30.0, "alpha": 0.06}, ranges={"C": (1e19, 1e25)})
