"""Compute-optimal allocation: the closed form against the numeric path, inverse queries."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import scalinglaws as sl

optimal = importlib.import_module("scalinglaws.plan.optimal")


def test_closed_form_matches_the_numeric_path(chinchilla_fit: sl.FitResult) -> None:
    budgets = np.geomspace(1e18, 1e27, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        closed = sl.plan.compute_optimal(chinchilla_fit, budgets)
    assert closed.method == "closed_form"
    n, loss = optimal._numeric_optimum(chinchilla_fit, budgets, 6.0)
    # golden section on log N to 60 steps: far below the 1e-6 the issue asks for
    np.testing.assert_allclose(n, closed.params, rtol=1e-6)
    np.testing.assert_allclose(loss, closed.loss, rtol=1e-9)
    p = chinchilla_fit.params
    assert closed.exponent_params == pytest.approx(p["beta"] / (p["alpha"] + p["beta"]))
    np.testing.assert_allclose(6 * closed.params * closed.tokens, budgets, rtol=1e-12)


def test_generic_law_takes_the_numeric_path(chinchilla_kept: sl.Dataset) -> None:
    law = sl.Law.from_expression("E + A/N**alpha + B/D**beta + 0.01*log(D/N)**2",
                                 inputs={"N": "params", "D": "tokens"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit(law, chinchilla_kept)
        alloc = sl.plan.compute_optimal(fit, [1e21, 1e23])
    assert alloc.method == "numeric"
    # the optimum: no model size on a fine grid along the iso-FLOP line does better
    for c, n_opt, l_opt in zip(alloc.flops, alloc.params, alloc.loss, strict=True):
        n = n_opt * np.geomspace(0.8, 1.25, 101)
        values = fit.law(fit.params, params=n, tokens=c / (6 * n))
        assert l_opt <= values.min() + 1e-12


def test_flops_to_reach_inverts_compute_optimal(chinchilla_fit: sl.FitResult) -> None:
    alloc = sl.plan.flops_to_reach(chinchilla_fit, [2.2, 2.0])
    np.testing.assert_allclose(alloc.loss, [2.2, 2.0], rtol=1e-9)
    with pytest.raises(sl.QueryError, match="irreducible loss"):
        sl.plan.flops_to_reach(chinchilla_fit, chinchilla_fit.params["E"] - 0.01)


@pytest.mark.parametrize("flops", [0, -1e21, float("nan"), "many", []])
def test_bad_budgets(chinchilla_fit: sl.FitResult, flops: object) -> None:
    with pytest.raises(sl.OptionError, match="flops must be positive"):
        sl.plan.compute_optimal(chinchilla_fit, flops)


def test_far_budgets_carry_an_extrapolation_warning(chinchilla_fit: sl.FitResult) -> None:
    near = sl.plan.compute_optimal(chinchilla_fit, 1e21)
    far = sl.plan.compute_optimal(chinchilla_fit, 1e27)
    assert not near.warnings
    assert any("extrapolation" in w for w in far.warnings)


def test_bootstrap_intervals_for_the_allocation(chinchilla_fit: sl.FitResult) -> None:
    boot = chinchilla_fit.bootstrap(300, seed=0)
    alloc = sl.plan.compute_optimal(chinchilla_fit, [1e21, 5.76e23], bootstrap=boot,
                                    level=0.9)
    assert alloc.params_interval is not None and alloc.params_interval.shape == (2, 2)
    for lo_hi, mid in ((alloc.params_interval, alloc.params),
                       (alloc.tokens_interval, alloc.tokens),
                       (alloc.loss_interval, alloc.loss)):
        assert np.all(lo_hi[:, 0] < mid) and np.all(mid < lo_hi[:, 1])
    # the exponent interval is that of beta/(alpha+beta) over the same resamples
    a = boot.samples[:, 4] / (boot.samples[:, 3] + boot.samples[:, 4])
    assert alloc.exponent_interval == pytest.approx(tuple(np.quantile(a, [0.05, 0.95])))
    # the same through a bootstrap attached to the fit, and in the JSON record
    attached = sl.plan.compute_optimal(chinchilla_fit.with_bootstrap(boot), 5.76e23)
    np.testing.assert_allclose(attached.params_interval[0], alloc.params_interval[1])
    d = attached.to_dict()
    assert len(d["params_interval"]) == 2 and d["level"] == 0.9
    with pytest.raises(sl.OptionError, match="strictly between 0 and 1"):
        sl.plan.compute_optimal(chinchilla_fit, 1e21, bootstrap=boot, level=1.0)
