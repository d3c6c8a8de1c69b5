"""Kaplan's L(N, S_min) law and the critical-batch conversion (Kaplan et al. 2020,
arXiv:2001.08361): the published numbers of Sections 5.1 and Appendix B reproduced from the
Table 3 parameters, the (steps, batch) <-> S_min conversion, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import DataError, QueryError, ScalingLawError
from scalinglaws.laws.published.kaplan_steps import (
    critical_batch,
    min_steps,
    min_tokens,
    steps_from_min_steps,
)

LAW = sl.laws.get("kaplan_steps")
REF = LAW.reference
NC, SC, AN, AS = REF["Nc"], REF["Sc"], REF["alphaN"], REF["alphaS"]
B_KAPLAN = 2.0**19  # the batch of Kaplan's runs, tokens


def loss(n, s):
    return LAW(REF, params=n, min_steps=s)


def steps_to_reach(n, target):
    """S_min at which a model of n parameters reaches ``target`` (the law inverted)."""
    return SC / (target - (NC / n) ** AN) ** (1 / AS)


def test_reference_is_table_3():
    assert REF == {"Nc": 6.5e13, "Sc": 2.1e3, "alphaN": 0.077, "alphaS": 0.76}


def test_critical_batch_at_three_nats_and_doubling_per_13_percent():
    # eq. (1.4): 2e8 / 3**(1/0.21) = 1.069e6 tokens (exact arithmetic, rounding only)
    assert critical_batch(3.0) == pytest.approx(2e8 / 3.0 ** (1 / 0.21), rel=1e-12)
    assert critical_batch(3.0) == pytest.approx(1.069e6, rel=1e-3)
    # Figure 10: "the critical batch size approximately doubles for every 13% decrease in
    # loss": 0.87**(-1/0.21) = 1.94, within the paper's "approximately" (5%)
    ratio = critical_batch(0.87 * 3.0) / critical_batch(3.0)
    assert ratio == pytest.approx(2.0, rel=0.05)
    # vectorised over losses, other constants honoured
    np.testing.assert_allclose(critical_batch([2.0, 4.0], b_star=1e8, alpha_b=0.5),
                               [1e8 / 4.0, 1e8 / 16.0])


def test_min_steps_and_min_tokens_follow_the_time_compute_tradeoff():
    steps, batch, lo = np.array([1e3, 3e4, 2e5]), np.array([2**17, 2**19, 2**22]), 3.2
    s_min = min_steps(steps, batch, lo)
    e_min = min_tokens(steps * batch, batch, lo)
    # eq. (5.1): (S/S_min - 1)(E/E_min - 1) = 1 for E = B S, to rounding
    np.testing.assert_allclose((steps / s_min - 1) * (steps * batch / e_min - 1), 1.0,
                               rtol=1e-12)
    # eq. (5.2): B_crit = E_min / S_min
    np.testing.assert_allclose(e_min / s_min, critical_batch(lo), rtol=1e-12)
    # at the critical batch a run takes 2 S_min steps and 2 E_min tokens (Section 5.1)
    bc = float(critical_batch(lo))
    assert min_steps(1e4, bc, lo) == pytest.approx(5e3, rel=1e-12)
    assert min_tokens(1e4 * bc, bc, lo) == pytest.approx(5e3 * bc, rel=1e-12)
    # far above the critical batch S_min -> S
    assert min_steps(1e4, 1e6 * bc, lo) == pytest.approx(1e4, rel=1e-5)


def test_min_steps_round_trip():
    rng = np.random.default_rng(0)
    s = np.exp(rng.uniform(np.log(1e3), np.log(3e5), 50))
    b = np.exp(rng.uniform(np.log(1e4), np.log(1e7), 50))
    lo = rng.uniform(2.0, 6.0, 50)
    np.testing.assert_allclose(steps_from_min_steps(min_steps(s, b, lo), b, lo), s,
                               rtol=1e-12)


def test_compute_efficient_training_stops_ten_percent_above_convergence():
    # Appendix B, eq. (B.5): at fixed compute the best model stops at (1 + alphaN/alphaS)
    # times its converged loss. Minimise C = 6 N B_crit(L) S_min(N, L) over N on a fine grid
    # (1e4 points per decade: the grid step moves the optimum by < 0.03%).
    target = 3.0
    n = np.geomspace(1e6, 1e12, 60_001)
    n = n[(NC / n) ** AN < target]
    c = 6 * n * critical_batch(target) * steps_to_reach(n, target)
    best = n[np.argmin(c)]
    assert target / (NC / best) ** AN == pytest.approx(1 + AN / AS, rel=1e-3)
    assert AN / AS == pytest.approx(0.10, abs=0.005)  # "~10%" in the paper


def test_compute_exponent_of_appendix_b():
    # eq. (B.7): L(C_min) ~ C_min^-alpha_C with alpha_C = 1/(1/aS + 1/aB + 1/aN) = 0.052;
    # measured on the minimised compute at five losses (each optimum from a 1e4/decade grid)
    n = np.geomspace(1e5, 1e14, 90_001)
    losses = np.array([2.6, 3.0, 3.5, 4.0, 4.5])
    c_min = []
    for target in losses:
        ok = (NC / n) ** AN < target
        c_min.append(np.min(6 * n[ok] * critical_batch(target) * steps_to_reach(n[ok], target)))
    slope = -np.polyfit(np.log(c_min), np.log(losses), 1)[0]
    expected = 1 / (1 / AS + 1 / 0.21 + 1 / AN)
    assert expected == pytest.approx(0.052, abs=5e-4)
    assert slope == pytest.approx(expected, rel=1e-3)


def test_efficient_versus_near_converged_training():
    # eq. (B.12)-(B.14): reaching one loss at f = 10% instead of f' = 2% above convergence
    # takes 2.7x the parameters, 0.13x the steps and 0.35x the compute (paper's rounding)
    target, f, f2 = 3.0, AN / AS, 0.02
    n_f = NC * ((1 + f) / target) ** (1 / AN)
    n_f2 = NC * ((1 + f2) / target) ** (1 / AN)
    s_f, s_f2 = steps_to_reach(n_f, target), steps_to_reach(n_f2, target)
    assert loss(n_f, s_f) == pytest.approx(target, rel=1e-12)
    assert n_f / n_f2 == pytest.approx(2.7, abs=0.05)
    assert s_f / s_f2 == pytest.approx(0.13, abs=0.005)
    assert (n_f * s_f) / (n_f2 * s_f2) == pytest.approx(0.35, abs=0.01)


def test_fit_recovers_table_3_from_runs_at_a_fixed_batch():
    # Learning curves at Kaplan's batch 2^19 generated from Table 3 (noise-free), converted
    # back to S_min with min_steps as a user would: the fit recovers the parameters to 0.5%
    # (noise-free data; the margin covers the optimiser's stopping tolerance)
    n = np.repeat(np.geomspace(3e6, 1.5e9, 6), 8)
    s_true = np.tile(np.geomspace(2e3, 8e4, 8), 6)
    lo = loss(n, s_true)
    steps = steps_from_min_steps(s_true, B_KAPLAN, lo)
    assert np.all(steps > s_true)
    frame = pd.DataFrame({"params": n, "min_steps": min_steps(steps, B_KAPLAN, lo),
                          "loss": lo})
    fit = sl.fit("kaplan_steps", frame)
    assert fit.status is sl.FitStatus.CONVERGED
    for name, value in REF.items():
        assert fit.params[name] == pytest.approx(value, rel=5e-3), name


@pytest.mark.parametrize(("call", "error", "where"), [
    (lambda: critical_batch(-1.0), DataError, "loss"),
    (lambda: critical_batch([3.0, np.nan]), DataError, "entry 1"),
    (lambda: critical_batch("three"), DataError, "loss"),
    (lambda: min_steps(0.0, 2**19, 3.0), DataError, "steps"),
    (lambda: min_steps(1e4, -5, 3.0), DataError, "batch"),
    (lambda: min_tokens(1e9, 2**19, 0.0), DataError, "loss"),
    (lambda: critical_batch(3.0, b_star=0.0), QueryError, "b_star"),
    (lambda: min_steps(1e4, 2**19, 3.0, alpha_b=np.inf), QueryError, "alpha_b"),
])
def test_bad_input_raises_a_clear_error(call, error, where):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, ScalingLawError)
    assert where in str(info.value) and info.value.fix
