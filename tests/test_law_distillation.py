"""Busbridge et al. 2025 (arXiv:2502.08606) distillation scaling law, eq. (8): its structure
(student above its teacher, the broken power law in L_T / L~_S), the supervised part and its
option, and bad options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import LawError
from scalinglaws.laws.published.distillation import SUPERVISED, distillation, supervised_loss

LAW = distillation()
REF = LAW.reference


def excess(teacher_loss, params=5e8, tokens=1e11, law=LAW, p=REF):
    return law(p, teacher_loss=teacher_loss, params=params, tokens=tokens) - teacher_loss


@pytest.mark.slow
def test_in_the_catalog_with_its_supervised_option():
    assert "distillation" in sl.laws.names()
    law = sl.laws.get("distillation")
    assert law.expression == LAW.expression and law.parameter_names[0] == "c0"
    assert law.inputs == {"LT": "teacher_loss", "N": "params", "D": "tokens"}
    # the text form takes the supervised law as a tuple, like the keyword
    other = sl.laws.get("distillation(supervised=(1.5, 3355, 0.408, 18186, 0.431, 0.452))")
    assert other.expression == distillation(
        supervised=(1.5, 3355, 0.408, 18186, 0.431, 0.452)).expression != law.expression
    with pytest.raises(LawError, match="supervised"):
        sl.laws.get("distillation(supervised=(1.5, 2))")


def test_bounds_keep_the_break_inside_a_decade_of_the_observed_ratios():
    # L_T / L~_S spans 0.67-1.45 over the documented ranges; d1 may place the break a decade
    # either side of that, and f1 runs from a sharp break to one spread over the whole range
    ratios = [lt / float(supervised_loss(n, d)) for lt, n, d in
              [(1.9, 1.43e8, 4e9), (2.8, 7.75e9, 5.12e11)]]
    assert 0.6 < ratios[0] < 0.7 and 1.4 < ratios[1] < 1.5
    bounds = {p.name: (p.lower, p.upper) for p in LAW.parameters}
    assert bounds["d1"] == (0.1, 10.0) and bounds["f1"] == (0.05, 20.0)


@pytest.mark.slow
def test_recovers_predictions_of_a_sweep_with_one_percent_noise():
    # 120 runs over the documented ranges, 1% lognormal noise, the reference coefficients:
    # the nine coefficients are weakly determined (the break sits inside the data), but the
    # student losses are recovered within 1% on the runs and within 2% at 3x the largest
    # student and token budget (twice the noise of one run, as in the conformance suite)
    rng = np.random.default_rng(5)
    lt = rng.uniform(1.9, 2.8, 120)
    n = np.exp(rng.uniform(np.log(1.43e8), np.log(7.75e9), 120))
    d = np.exp(rng.uniform(np.log(4e9), np.log(5.12e11), 120))
    clean = LAW(REF, teacher_loss=lt, params=n, tokens=d)
    runs = pd.DataFrame({"teacher_loss": lt, "params": n, "tokens": d,
                         "loss": clean * np.exp(0.01 * rng.standard_normal(120))})
    fit = sl.fit("distillation", runs)
    assert fit.status is not sl.FitStatus.FAILED
    np.testing.assert_allclose(fit.predict(extrapolation=None, teacher_loss=lt, params=n,
                                           tokens=d), clean, rtol=0.01)
    far = {"teacher_loss": np.array([1.9, 2.4, 2.8]), "params": np.full(3, 3 * 7.75e9),
           "tokens": np.full(3, 3 * 5.12e11)}
    np.testing.assert_allclose(fit.predict(extrapolation=None, **far), LAW(REF, **far),
                               rtol=0.02)


def test_input_ranges_are_the_papers_students():
    # 143M-7.75B non-embedding student parameters, 4B-512B distillation tokens
    assert LAW.input_ranges["N"] == (1.43e8, 7.75e9)
    assert LAW.input_ranges["D"] == (4e9, 5.12e11)
    lo, hi = LAW.input_ranges["LT"]
    assert 1.5 < lo < hi < 3.5


def test_supervised_part_is_the_papers_eq_1_fit():
    assert SUPERVISED == (1.220, 3355.0, 0.408, 18186.0, 0.431, 0.452)
    # E + (A/N^alpha + B/D^beta)^gamma, by hand, at a 546M student on 20 tokens per parameter
    n, d = 5.46e8, 20 * 5.46e8
    by_hand = 1.22 + (3355 / n**0.408 + 18186 / d**0.431) ** 0.452
    assert supervised_loss(n, d) == pytest.approx(by_hand, rel=1e-12)
    # the supervised part sits inside the law: d1 scales the break, so doubling d1 at
    # L_T = 2 L~_S d1 moves the student loss exactly as halving L_T / L~_S does
    ls = float(supervised_loss(5e8, 1e11))
    p2 = {**REF, "d1": 2 * REF["d1"]}
    lhs = excess(2 * ls, p=p2) * (2 * ls) ** REF["c0"]
    rhs = excess(ls) * ls ** REF["c0"]
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_student_stays_above_its_teacher_and_reaches_it_with_unlimited_data():
    rng = np.random.default_rng(0)
    (lt_lo, lt_hi), (n_lo, n_hi), (d_lo, d_hi) = (LAW.input_ranges[s] for s in ("LT", "N", "D"))
    lt = rng.uniform(lt_lo, lt_hi, 200)
    n = np.exp(rng.uniform(np.log(n_lo), np.log(n_hi), 200))
    d = np.exp(rng.uniform(np.log(d_lo), np.log(d_hi), 200))
    assert np.all(excess(lt, n, d) > 0)
    # with more tokens and a bigger student the excess shrinks, towards zero
    scale = np.geomspace(1.0, 1e20, 21)
    path = excess(2.5, params=5e8 * scale, tokens=1e11 * scale)
    assert np.all(np.diff(path) < 0) and 0 < path[-1] < 1e-3 * path[0]


def test_broken_power_law_in_teacher_loss():
    # excess ~ L_T^-c0 for a teacher far stronger than the student can follow
    # (L_T << L~_S d1) and ~ L_T^-(c0 + c1) past the break; the local log-log slopes are
    # within 2% of those exponents two decades away from the break (the neglected term is
    # (1e-2)^(1/f1) = 1% at f1 = 1)
    ls = float(supervised_loss(5e8, 1e11))
    far_below, far_above = 1e-2 * ls, 1e2 * ls

    def slope(x):
        return float(np.log(excess(1.001 * x) / excess(x)) / np.log(1.001))

    assert slope(far_below) == pytest.approx(-REF["c0"], rel=0.02)
    assert slope(far_above) == pytest.approx(-(REF["c0"] + REF["c1"]), rel=0.02)


@pytest.mark.slow
def test_supervised_option_changes_the_student_baseline():
    law = distillation(supervised=(1.5, 3355, 0.408, 18186, 0.431, 0.452))
    assert "1.5 +" in law.expression
    assert law(REF, teacher_loss=2.5, params=5e8, tokens=1e11) != pytest.approx(
        LAW(REF, teacher_loss=2.5, params=5e8, tokens=1e11), rel=1e-6)


@pytest.mark.parametrize("bad", [(1.0, 2.0), (1.22, -3355, 0.4, 18186, 0.43, 0.45),
                                 (1.22, 3355, 0.4, float("nan"), 0.43, 0.45), "E A B"])
def test_bad_supervised_option_raises_law_error(bad):
    with pytest.raises(LawError) as info:
        distillation(supervised=bad)
    assert "supervised" in str(info.value) and info.value.fix
