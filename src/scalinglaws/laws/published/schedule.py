"""Loss curves under learning-rate schedules: L(s) = L0 + A·S1^(−alpha) − C·S2.

Tissue, Wang and Wang, "Scaling Law with Learning Rate Annealing", 2024, arXiv:2408.11029,
eq. (1) of the abstract and Section 3: the loss at step s of a run, for any learning-rate
schedule (constant, cosine, warmup-stable-decay, multi-step, re-warmup), from two areas of its
schedule η_1, η_2, ...:

* ``S1`` reads ``lr_area``: the forward area S1 = Σ_{i≤s} η_i, the sum of the learning rates
  so far (the "amount of training" a power law in steps would count, weighted by the rate);
* ``S2`` reads ``anneal_area``: the annealing area S2 = Σ_{i≤s} m_i with the momentum
  m_i = λ·m_{i−1} + (η_{i−1} − η_i) of the learning-rate decrements, decay factor λ = 0.999
  in the paper; the extra loss drop that annealing brings, delayed by λ.

:func:`scalinglaws.data.schedule.schedule_areas` computes both columns from a run's ``step``
and ``lr`` columns (areas in the learning rate's own units unless ``normalize=`` is given: the
typical ranges below are for raw learning rates of order 1e-4 to 1e-3 with S1 counted from
step 1 and S2 from the end of the warmup). L0, A and C enter linearly; alpha is searched.

Examples
--------
>>> import scalinglaws as sl
>>> law = sl.laws.get("schedule")
>>> law.parameter_names
('L0', 'A', 'alpha', 'C')
>>> round(float(law(law.reference, lr_area=4.0, anneal_area=0.5)), 3)
3.156
"""

from __future__ import annotations

import numpy as np

from ..law import Law
from ..parameter import Parameter
from ..registry import register


@register("schedule")
def schedule() -> Law:
    return Law(
        "L0 + A*S1**(-alpha) - C*S2",
        inputs={"S1": "lr_area", "S2": "anneal_area"},
        parameters=[
            Parameter("L0", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-1.0, 0.0, 0.5, 1.0, 1.5])),
                      typical=(2.5, 3.4), description="loss offset (the loss at infinite "
                      "forward area, before any annealing)"),
            Parameter("A", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-3.0, -1.0, 0.0, 1.0, 3.0])),
                      typical=(0.6, 1.15), description="amplitude of the forward-area term"),
            Parameter("alpha", 0.0, 5.0, init=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5),
                      typical=(0.3, 0.52), description="exponent of the forward area"),
            Parameter("C", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-3.0, -1.0, 0.0, 1.0])),
                      typical=(0.15, 0.35), description="loss drop per unit of annealing "
                      "area"),
        ],
        name="schedule",
        description="Loss along a training run under any learning-rate schedule: a power law "
        "in the forward area (sum of learning rates) minus a term linear in the annealing "
        "area (momentum of the LR decrements), Tissue et al. 2024, eq. (1); compute the "
        "inputs with scalinglaws.data.schedule.schedule_areas.",
        citation="Tissue, Wang & Wang 2024, arXiv:2408.11029, eq. (1)",
        domain="validation loss along one run (or runs sharing model and data) after the "
        "first ~1000 steps; areas from the learning rate at every step (raw units, S2 with "
        "lambda = 0.999); not across model sizes",
        # The paper's own fitted values could not be read here (only its abstract was
        # available): these are the median of our fits of the 30 OLMo ladder runs (190M-3B,
        # 0.5-10x Chinchilla; C4 loss, raw learning rates, lambda = 0.999), and the typical
        # ranges span those fits (tests/test_law_schedule.py reproduces them).
        reference={"L0": 2.89, "A": 0.71, "alpha": 0.44, "C": 0.24},
        # OLMo ladder: S1 from ~0.2 (step 1000) to ~46 (10x Chinchilla), S2 from 0 (before
        # the decay) to ~0.9 (decay to 10% of a ~1e-3 peak)
        ranges={"S1": (0.2, 50.0), "S2": (0.0, 1.0)},
    )


@register("schedule_n")
def schedule_n() -> Law:
    return Law(
        "E + A_N*N**(-a) + A*S1**(-alpha) - C*S2",
        inputs={"N": "params", "S1": "lr_area", "S2": "anneal_area"},
        parameters=[
            Parameter("E", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-1.0, 0.0, 0.5, 1.0])),
                      typical=(1.2, 2.2), description="irreducible loss (infinite model, "
                      "infinite forward area)"),
            Parameter("A_N", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([0.0, 2.0, 4.0, 6.0, 8.0])),
                      typical=(30.0, 300.0), description="amplitude of the model-size term"),
            Parameter("a", 0.0, 2.0, init=(0.1, 0.2, 0.3, 0.5),
                      typical=(0.15, 0.3), description="exponent of the model size"),
            Parameter("A", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-3.0, -1.0, 0.0, 1.0, 3.0])),
                      typical=(0.5, 0.9), description="amplitude of the forward-area term"),
            Parameter("alpha", 0.0, 5.0, init=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5),
                      typical=(0.35, 0.55), description="exponent of the forward area"),
            Parameter("C", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.exp([-3.0, -1.0, 0.0, 1.0])),
                      typical=(0.2, 0.35), description="loss drop per unit of annealing "
                      "area"),
        ],
        name="schedule_n",
        description="Loss curves across model sizes: the schedule law (Tissue et al. 2024, "
        "eq. (1)) whose offset L0 = E + A_N*N^(-a) falls with the model size as a power "
        "law, so that one fit across a ladder forecasts the curve of a size never trained; "
        "compute the areas with scalinglaws.data.schedule.schedule_areas.",
        citation="Tissue, Wang & Wang 2024, arXiv:2408.11029, eq. (1), with L0 a power law "
        "in N (this package's extension; the paper's own form across sizes could not be read)",
        domain="validation loss along runs of several model sizes sharing data and schedule "
        "family, after the first ~1000 steps; raw learning-rate areas (lambda = 0.999)",
        # our fit of the whole OLMo ladder (30 runs, 190M-3B; C4 loss after step 1000, raw
        # learning rates, lambda = 0.999); tests/test_curves_olmo.py reproduces it. The
        # typical ranges span it and the fit without the 3B runs (E 2.0, A_N 247, a 0.27).
        reference={"E": 1.45, "A_N": 61.0, "a": 0.18, "A": 0.65, "alpha": 0.45, "C": 0.28},
        ranges={"N": (1e8, 1e10), "S1": (0.2, 50.0), "S2": (0.0, 1.0)},
    )
