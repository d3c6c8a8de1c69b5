"""Distillation or supervised training for a compute budget (Busbridge et al. 2025,
"Distillation Scaling Laws", arXiv:2502.08606, Sec. 5): the student size N_S and
distillation tokens D_S that minimise a fitted ``distillation`` law's student cross-entropy
for a teacher and a budget, beside supervised training of a student at the same compute.

The budget pays for (their eq. 9; FLOPs of ``k·N`` per token and parameter):

- student training, ``6·N_S·D_S``, always;
- teacher inference on the distillation tokens (its logits), ``2·N_T·D_S``, in the
  scenarios ``"inference"`` and ``"both"``;
- teacher pretraining, ``6·N_T·D_T``, in the scenarios ``"pretraining"`` and ``"both"``.

``include_teacher_cost=False`` is the paper's best case (the teacher exists and its logits
are amortised over many students, ``"none"``), ``True`` counts everything (``"both"``).
The teacher's cross-entropy is given or read from the supervised law at (N_T, D_T); the
supervised baseline minimises the same supervised law along the iso-FLOP line 6·N·D = C
(the whole budget: supervised training needs no teacher).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import positive_number
from ..common.numbers import readable
from ..exceptions import OptionError, QueryError
from ..fitting import FitResult
from ..laws.published.distillation import SUPERVISED, supervised_loss
from .queries import RowsPlan, params_tokens_symbols
from .search import golden_section

#: teacher costs counted in each scenario: (inference on D_S, pretraining on D_T)
SCENARIOS = {"none": (False, False), "inference": (True, False),
             "pretraining": (False, True), "both": (True, True)}
_GRID = 400


@dataclass(frozen=True, repr=False)
class DistillationPlan(RowsPlan):
    """The loss-minimising student by distillation and by supervised training at the same
    compute: one row each (params, tokens, student FLOPs, teacher FLOPs, loss)."""

    compute: float
    scenario: str
    teacher_params: float
    teacher_tokens: float
    teacher_loss: float
    rows: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())

    @property
    def supervised_loss(self) -> float:
        return float(self.rows["loss"].iloc[1])

    @property
    def distillation_wins(self) -> bool:
        """Whether the distilled student's loss is below the supervised one's."""
        return self.loss < self.supervised_loss

    _label_columns = 1

    def _columns(self) -> dict[str, Any]:
        return {str(c): self.rows[c].to_numpy() for c in self.rows.columns}

    def _title(self) -> str:
        return (f"student for {readable(self.compute)} FLOPs, teacher N = "
                f"{readable(self.teacher_params)} on {readable(self.teacher_tokens)} tokens "
                f"(loss {self.teacher_loss:.4g}); teacher cost counted: {self.scenario}; "
                f"{'distillation' if self.distillation_wins else 'supervised training'} "
                "is better")

    def to_dict(self) -> dict[str, Any]:
        plans = {r.pop("method"): r for r in self.rows.to_dict("records")}
        return {"compute": self.compute, "scenario": self.scenario,
                "teacher": {"params": self.teacher_params, "tokens": self.teacher_tokens,
                            "loss": self.teacher_loss},
                "params": self.params, "tokens": self.tokens, "loss": self.loss,
                "supervised_loss": self.supervised_loss,
                "distillation_wins": self.distillation_wins,
                "plans": {k: {kk: float(vv) for kk, vv in v.items()} for k, v in plans.items()},
                "warnings": list(self.warnings)}


def distillation(fit: FitResult, *, teacher: Any, compute: float,
                 include_teacher_cost: bool | str = False,
                 supervised: FitResult | tuple[float, ...] | None = None) -> DistillationPlan:
    """The compute-optimal distilled student for ``teacher`` and ``compute`` FLOPs.

    ``fit``: a fit of the ``distillation`` law. ``teacher``: ``{"params": N_T, "tokens": D_T}``
    (optionally ``"loss"``: its cross-entropy L_T; else the supervised law's at N_T, D_T), or
    the tuple ``(N_T, D_T)``. ``include_teacher_cost``: ``False`` ("none"), ``True``
    ("both"), or "inference" / "pretraining". ``supervised``: the supervised law of the same
    setup, a fit of a law of params and tokens (e.g. Chinchilla) or the six coefficients
    (E, A, alpha, B, beta, gamma) of the paper's form; default the paper's fit.
    """
    inputs = set(dict(getattr(getattr(fit, "law", None), "inputs", {})).values())
    if inputs != {"teacher_loss", "params", "tokens"}:
        raise OptionError("a distillation plan needs a fit of the 'distillation' law (inputs "
                          "teacher_loss, params, tokens)", "argument 'fit'",
                          "fit sl.fit('distillation', runs) first")
    budget = positive_number(compute, "compute", "give the budget in FLOPs, e.g. 1e22")
    scenario = _scenario(include_teacher_cost)
    n_t, d_t, given_loss = _teacher(teacher)
    sup = _supervised(supervised)
    l_t = given_loss if given_loss is not None else float(sup(n_t, d_t))
    infer, pretrain = SCENARIOS[scenario]
    left = budget - (6.0 * n_t * d_t if pretrain else 0.0)
    if left <= 0:
        raise QueryError(f"the budget {budget:g} FLOPs does not cover the teacher's "
                         f"pretraining ({6.0 * n_t * d_t:g} FLOPs)",
                         f"scenario '{scenario}'", "give more compute, or "
                         "include_teacher_cost=False / 'inference' for an existing teacher")
    per_token = 6.0 + (2.0 * n_t if infer else 0.0)  # FLOPs per D_S: 6·N_S + 2·N_T

    def student(logn: np.ndarray) -> np.ndarray:
        n = np.exp(logn)
        d = left / (6.0 * n + (per_token - 6.0))
        with np.errstate(all="ignore"):
            out = np.asarray(fit.law(fit.params, teacher_loss=np.full(n.shape, l_t),
                                     params=n, tokens=d), dtype=float)
        return np.where(np.isfinite(out), out, np.inf)

    n_s = _minimise(student, left, "distilled student")
    d_s = left / (6.0 * n_s + (per_token - 6.0))
    n_sup = _minimise(lambda logn: sup(np.exp(logn), budget / (6.0 * np.exp(logn))), budget,
                      "supervised student")
    d_sup = budget / (6.0 * n_sup)
    teacher_flops = (2.0 * n_t * d_s if infer else 0.0) + (6.0 * n_t * d_t if pretrain else 0.0)
    rows = pd.DataFrame([
        {"method": "distillation", "params": n_s, "tokens": d_s,
         "student_flops": 6.0 * n_s * d_s, "teacher_flops": teacher_flops,
         "loss": float(student(np.array([np.log(n_s)]))[0])},
        {"method": "supervised", "params": n_sup, "tokens": d_sup,
         "student_flops": 6.0 * n_sup * d_sup, "teacher_flops": 0.0,
         "loss": float(sup(n_sup, d_sup))}])
    return DistillationPlan(budget, scenario, n_t, d_t, l_t, rows)


def _minimise(fun: Callable[[np.ndarray], Any], flops: float, what: str) -> float:
    """argmin over log N in [1e4, flops/6e3] (at least 1000 tokens): a grid, then golden
    section; a QueryError when the minimum sits at an end."""
    lo, hi = np.log(1e4), np.log(flops / 6e3)
    if hi <= lo:
        raise QueryError(f"the budget {flops:g} FLOPs is too small for a {what}",
                         "argument 'compute'", "give more compute")
    grid = np.linspace(lo, hi, _GRID)
    values = np.asarray(fun(grid), dtype=float)
    j = int(np.argmin(values))
    if j in (0, _GRID - 1) or not np.isfinite(values[j]):
        raise QueryError(f"the {what}'s loss has no minimum inside 1e4 parameters to "
                         f"{np.exp(hi):.3g}", f"compute={flops:g}", "check the fits and "
                         "the budget")
    step = grid[1] - grid[0]
    return float(np.exp(golden_section(lambda x: np.asarray(fun(x), dtype=float),
                                       grid[j] - step, grid[j] + step)))


def _scenario(value: Any) -> str:
    if value is True or value is False:
        return "both" if value else "none"
    if isinstance(value, str) and value in SCENARIOS:
        return value
    raise OptionError(f"include_teacher_cost must be True, False or one of "
                      f"{', '.join(SCENARIOS)}, got {value!r}", "argument "
                      "'include_teacher_cost'", "e.g. include_teacher_cost='inference' (the "
                      "teacher exists, its logits are computed for the student)")


def _teacher(teacher: Any) -> tuple[float, float, float | None]:
    if isinstance(teacher, Mapping):
        items = (teacher.get("params"), teacher.get("tokens"), teacher.get("loss"))
    elif isinstance(teacher, tuple | list) and len(teacher) == 2:
        items = (teacher[0], teacher[1], None)
    else:
        raise OptionError(f"teacher must give its params and tokens, got {teacher!r}",
                          "argument 'teacher'", "e.g. teacher={'params': 7e9, 'tokens': "
                          "1.4e11} (and optionally 'loss')")
    fix = "e.g. teacher={'params': 7e9, 'tokens': 1.4e11}"
    n_t = positive_number(items[0], "teacher params", fix)
    d_t = positive_number(items[1], "teacher tokens", fix)
    loss = None if items[2] is None else positive_number(items[2], "teacher loss", fix)
    return n_t, d_t, loss


def _supervised(supervised: Any) -> Callable[[Any, Any], Any]:
    """The supervised law as a function of (N, D)."""
    if supervised is None:
        return lambda n, d: supervised_loss(n, d, SUPERVISED)
    if isinstance(supervised, tuple | list):
        coef = tuple(positive_number(v, "supervised", "give (E, A, alpha, B, beta, gamma)")
                     for v in supervised)
        if len(coef) != 6:
            raise OptionError(f"supervised needs six coefficients, got {len(coef)}",
                              "argument 'supervised'", "give (E, A, alpha, B, beta, gamma)")
        return lambda n, d: supervised_loss(n, d, coef)
    if not (hasattr(supervised, "law") and hasattr(supervised, "params")):
        raise OptionError("supervised must be a fit of a law of params and tokens, six "
                          "coefficients or None", "argument 'supervised'",
                          "e.g. supervised=sl.fit('chinchilla', runs)")
    params_tokens_symbols(supervised)

    def law(n: Any, d: Any) -> Any:
        with np.errstate(all="ignore"):
            out = np.asarray(supervised.law(supervised.params, params=n, tokens=d), dtype=float)
        return np.where(np.isfinite(out), out, np.inf)

    return law
