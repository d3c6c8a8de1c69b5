"""Inverse queries at a fixed size or budget, and inference-aware allocation."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import scalinglaws as sl

inverse = importlib.import_module("scalinglaws.plan.inverse")
inference = importlib.import_module("scalinglaws.plan.inference")


def test_tokens_to_reach_inverts_the_law(chinchilla_fit: sl.FitResult) -> None:
    r = inverse.tokens_to_reach(chinchilla_fit, [2.2, 2.1, 2.05], params=7e9)
    back = chinchilla_fit.law(chinchilla_fit.params, params=r.params, tokens=r.tokens)
    np.testing.assert_allclose(back, [2.2, 2.1, 2.05], rtol=1e-9)
    assert np.all(np.diff(r.tokens) > 0)  # a lower loss needs more tokens
    np.testing.assert_allclose(r.flops, 6 * r.params * r.tokens)
    d = r.to_dict()
    assert d["solved_for"] == "tokens" and len(d["tokens"]) == 3


def test_params_to_reach_inverts_the_law(chinchilla_fit: sl.FitResult) -> None:
    r = inverse.params_to_reach(chinchilla_fit, 2.0, tokens=[2e12, 1e13])
    back = chinchilla_fit.law(chinchilla_fit.params, params=r.params, tokens=r.tokens)
    np.testing.assert_allclose(back, 2.0, rtol=1e-9)
    assert r.params[1] < r.params[0]  # more tokens, smaller model for the same loss


def test_target_below_the_floor_is_a_clear_error(chinchilla_fit: sl.FitResult) -> None:
    p = chinchilla_fit.params
    floor = p["E"] + p["A"] / 7e9 ** p["alpha"]  # unlimited tokens at 7B parameters
    with pytest.raises(sl.QueryError, match="unlimited tokens") as err:
        inverse.tokens_to_reach(chinchilla_fit, floor - 1e-3, params=7e9)
    assert f"{floor:.4g}" in str(err.value)
    with pytest.raises(sl.QueryError):
        inverse.params_to_reach(chinchilla_fit, p["E"] * 0.99, tokens=1e12)
    with pytest.raises(sl.OptionError, match="positive finite"):
        inverse.tokens_to_reach(chinchilla_fit, -1.0, params=7e9)
    with pytest.raises(sl.OptionError, match="do not pair up"):
        inverse.tokens_to_reach(chinchilla_fit, [2.1, 2.2], params=[1e9, 2e9, 3e9])


def test_no_inference_is_chinchilla_optimal(chinchilla_fit: sl.FitResult) -> None:
    plan = inference.inference_optimal(chinchilla_fit, flops=[1e21, 1e23], inference_tokens=0)
    # the minimiser of k·N·D(N) at a fixed loss is the compute-optimal size (tolerance of the
    # golden-section search on log N)
    np.testing.assert_allclose(plan.params, plan.chinchilla_params, rtol=1e-5)
    np.testing.assert_allclose(plan.savings, 0.0, atol=1e-9)


def test_serving_more_tokens_shrinks_the_model(chinchilla_fit: sl.FitResult) -> None:
    plans = [inference.inference_optimal(chinchilla_fit, flops=1e23, inference_tokens=t)
             for t in (1e11, 1e12, 1e13, 1e14)]
    params = [p.params[0] for p in plans]
    tokens = [p.tokens[0] for p in plans]
    savings = [p.savings[0] for p in plans]
    assert all(np.diff(params) < 0) and all(np.diff(tokens) > 0)
    assert all(np.diff(savings) > 0) and savings[0] >= 0
    # the answer is the minimum: no model size on a grid around it does better
    best = plans[2]
    n = best.params[0] * np.geomspace(0.5, 2.0, 41)
    d = inverse.solve_free_input(chinchilla_fit, np.full(n.shape, best.loss[0]), n,
                                 held_input="params")
    total = 6 * n * d + 2 * n * 1e13
    assert best.total_flops[0] <= total.min() * (1 + 1e-6)


def test_inference_options(chinchilla_fit: sl.FitResult) -> None:
    with pytest.raises(sl.OptionError, match="either a target loss or a training budget"):
        inference.inference_optimal(chinchilla_fit, inference_tokens=1e12)
    with pytest.raises(sl.OptionError, match="either a target loss or a training budget"):
        inference.inference_optimal(chinchilla_fit, loss=2.0, flops=1e23, inference_tokens=1)
    with pytest.raises(sl.OptionError, match="inference_tokens"):
        inference.inference_optimal(chinchilla_fit, loss=2.0, inference_tokens=-5)
    plan = inference.inference_optimal(chinchilla_fit, loss=2.1, inference_tokens=1e12)
    back = chinchilla_fit.law(chinchilla_fit.params, params=plan.params, tokens=plan.tokens)
    np.testing.assert_allclose(back, 2.1, rtol=1e-9)
    assert set(plan.to_dict()) >= {"params", "tokens", "total_flops", "savings"}
