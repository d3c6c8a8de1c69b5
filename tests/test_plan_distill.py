"""Distillation planning (Busbridge et al. 2025, arXiv:2502.08606): the compute-optimal
student against a brute-force search of the law, the paper's qualitative findings, the
scenarios of teacher cost, and bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import OptionError, QueryError
from scalinglaws.laws.published.distillation import REPRESENTATIVE, distillation, supervised_loss

#: a 7.75B teacher (the paper's largest student size) on 20 tokens per parameter
TEACHER = {"params": 7.75e9, "tokens": 20 * 7.75e9}


@pytest.fixture(scope="module")
def fit(chinchilla_fit):
    # the law with its representative coefficients as a fit (the planner reads the law and
    # its parameters; fitting them is tests/test_law_distillation.py's subject)
    return dataclasses.replace(chinchilla_fit, law=distillation(),
                               params=dict(REPRESENTATIVE), uncertainty=None,
                               calibration=None)


def brute_force(fit, compute, scenario):
    """The student loss on 200,000 log-spaced sizes from 1e4 to compute/6e3 parameters."""
    infer = scenario in ("inference", "both")
    pretrain = scenario in ("pretraining", "both")
    n_t, d_t = TEACHER["params"], TEACHER["tokens"]
    left = compute - (6 * n_t * d_t if pretrain else 0)
    n = np.geomspace(1e4, compute / 6e3, 200_000)
    d = left / (6 * n + (2 * n_t if infer else 0))
    lt = float(supervised_loss(n_t, d_t))
    loss = fit.law(fit.params, teacher_loss=np.full(n.shape, lt), params=n, tokens=d)
    return n[np.argmin(loss)], float(np.min(loss))


@pytest.mark.parametrize("scenario", ["none", "inference", "pretraining", "both"])
@pytest.mark.parametrize("compute", [1e22, 1e23])
def test_the_optimum_is_the_brute_force_one(fit, scenario, compute):
    out = sl.plan.distillation(fit, teacher=TEACHER, compute=compute,
                               include_teacher_cost=scenario)
    n_grid, loss_grid = brute_force(fit, compute, scenario)
    # the grid's neighbours are 1.2e-4 apart in log N: golden section finds a loss no higher
    # (to rounding), and a size within 1% (the loss is flat near its minimum: a 1% change of
    # N moves it by ~1e-7)
    assert out.loss <= loss_grid * (1 + 1e-9)
    assert out.params == pytest.approx(n_grid, rel=0.01)
    teacher_part = out.rows["teacher_flops"].iloc[0]
    assert out.rows["student_flops"].iloc[0] + teacher_part == pytest.approx(compute)


def test_counting_more_of_the_teacher_never_helps(fit):
    loss = {s: sl.plan.distillation(fit, teacher=TEACHER, compute=3e22,
                                    include_teacher_cost=s).loss
            for s in ("none", "inference", "pretraining", "both")}
    assert loss["none"] <= loss["inference"] <= loss["both"]
    assert loss["none"] <= loss["pretraining"] <= loss["both"]
    assert (sl.plan.distillation(fit, teacher=TEACHER, compute=3e22,
                                 include_teacher_cost=True).scenario == "both")


def test_papers_findings(fit):
    # Busbridge et al., Sec. 5: with the teacher's cost amortised, distillation beats
    # supervised training of a student at small budgets and loses at large ones (a
    # compute threshold); counting the teacher's pretraining, supervised training is better
    small = sl.plan.distillation(fit, teacher=TEACHER, compute=1e19)
    large = sl.plan.distillation(fit, teacher=TEACHER, compute=1e22)
    assert small.distillation_wins and not large.distillation_wins
    for compute in (1e22, 1e23, 1e24):
        both = sl.plan.distillation(fit, teacher=TEACHER, compute=compute,
                                    include_teacher_cost=True)
        assert not both.distillation_wins
        # and no student gets below its teacher (their eq. 8: L_S > L_T)
        assert both.loss > both.teacher_loss


def test_the_supervised_baseline_is_the_compute_optimal_plan(fit, chinchilla_fit):
    out = sl.plan.distillation(fit, teacher=TEACHER, compute=1e22,
                               supervised=chinchilla_fit)
    reference = sl.plan.compute_optimal(chinchilla_fit, 1e22)
    # the closed form against the planner's grid + golden section: 1e-6 in N
    assert out.rows["params"].iloc[1] == pytest.approx(float(reference.params[0]), rel=1e-6)
    assert out.supervised_loss == pytest.approx(float(reference.loss[0]), rel=1e-9)
    # the teacher's loss comes from the supervised law given, unless stated
    p = chinchilla_fit.params
    assert out.teacher_loss == pytest.approx(p["E"] + p["A"] / 7.75e9 ** p["alpha"]
                                             + p["B"] / (20 * 7.75e9) ** p["beta"])
    given = sl.plan.distillation(fit, teacher={**TEACHER, "loss": 2.1}, compute=1e22)
    assert given.teacher_loss == 2.1


def test_result_forms(fit):
    out = sl.plan.distillation(fit, teacher=(7.75e9, 1.55e11), compute=1e20)
    assert list(out.to_frame()["method"]) == ["distillation", "supervised"]
    doc = out.to_dict()
    assert doc["distillation_wins"] is out.distillation_wins
    assert set(doc["plans"]) == {"distillation", "supervised"}
    assert "teacher cost counted: none" in str(out)


def test_bad_input(fit, chinchilla_fit):
    with pytest.raises(OptionError, match="'distillation' law"):
        sl.plan.distillation(chinchilla_fit, teacher=TEACHER, compute=1e22)
    with pytest.raises(OptionError, match="compute must be a positive number"):
        sl.plan.distillation(fit, teacher=TEACHER, compute=0)
    with pytest.raises(OptionError, match="include_teacher_cost"):
        sl.plan.distillation(fit, teacher=TEACHER, compute=1e22, include_teacher_cost="all")
    with pytest.raises(OptionError, match="teacher tokens"):
        sl.plan.distillation(fit, teacher={"params": 7e9}, compute=1e22)
    with pytest.raises(QueryError, match="does not cover the teacher's pretraining"):
        sl.plan.distillation(fit, teacher=TEACHER, compute=1e21, include_teacher_cost=True)
    with pytest.raises(OptionError, match="six coefficients"):
        sl.plan.distillation(fit, teacher=TEACHER, compute=1e22, supervised=(1.0, 2.0))
