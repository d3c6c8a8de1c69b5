"""The forgetting, RL post-training and uncertainty laws: each paper's setting simulated from
the law's constants, fitted, and what the paper uses the law for reproduced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_fit import theory_sd

import scalinglaws as sl


def _noisy(values: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    return values * np.exp(np.random.default_rng(seed).normal(0.0, sigma, values.shape))


def test_forgetting_of_longer_fine_tuning_is_forecast_from_short_runs() -> None:
    # Kalajdzievski's setting: LoRA on a 7B model (query and value projections of 32 layers
    # of width 4096: 2*2*32*4096 = 524,288 parameters per unit of rank), ranks 1-128, the
    # forgetting read every doubling of steps; 1% noise. Fitted on the runs' first 512
    # steps, the law forecasts the forgetting at 4,096 steps
    law = sl.laws.get("forgetting")
    truth = law.reference
    rank = np.array([1, 2, 4, 8, 16, 32, 64, 128])
    steps = 2.0 ** np.arange(13)
    p, n = (a.ravel() for a in np.meshgrid(rank * 524_288.0, steps))
    clean = np.asarray(law(truth, ft_params=p, ft_steps=n))
    frame = pd.DataFrame({"ft_params": p, "ft_steps": n, "forgetting": _noisy(clean, 0.01, 0)})
    short = frame[frame["ft_steps"] <= 512]
    fit = sl.fit(law, short)
    assert fit.status is sl.FitStatus.CONVERGED
    late = frame["ft_steps"] == 4096
    got = np.asarray(fit.predict(ft_params=p[late], ft_steps=n[late], extrapolation=None))
    # 8x past the last fitted step: the growing term is forecast, not interpolated, so the
    # 1% noise of one point becomes ~1% on the forecast; 3% leaves room for it, while an
    # exponent of steps of 0.2 instead of 0.25, matched at 512 steps, misses the larger
    # ranks by 3.5% (8^-0.05 on a term that is 30-40% of the forgetting)
    np.testing.assert_allclose(got, clean[late], rtol=0.03)
    # the exponents within 4 asymptotic standard deviations of the truth
    X = [short["ft_params"].to_numpy()[None, :], short["ft_steps"].to_numpy()[None, :]]
    sd = theory_sd(law, X, np.array(list(truth.values())), "huber")
    for j, name in enumerate(law.parameter_names):
        if name in ("alpha", "beta"):
            assert abs(fit.params[name] - truth[name]) < 4 * sd[j], name
    # the paper's conclusion: neither fewer steps nor fewer parameters avoid forgetting
    # above the base model's own value E
    assert np.all(np.asarray(fit.predict(ft_params=p, ft_steps=n,
                                         extrapolation=None)) > fit.params["E"])


def test_rl_post_training_forecasts_the_largest_model_and_its_saturation() -> None:
    # Tan et al.'s inter-model extrapolation: the Qwen2.5 sizes 0.5B-32B fitted, the 72B
    # model forecast; RL compute 1e18-1e22 FLOPs on a log grid; 1% noise on the test loss
    law = sl.laws.get("rl_posttraining")
    truth = law.reference
    sizes = np.array([0.5, 1.5, 3.0, 7.0, 14.0, 32.0, 72.0]) * 1e9
    flops = np.geomspace(1e18, 1e22, 9)
    n, c = (a.ravel() for a in np.meshgrid(sizes, flops))
    clean = np.asarray(law(truth, params=n, flops=c))
    frame = pd.DataFrame({"params": n, "flops": c, "loss": _noisy(clean, 0.01, 1)})
    fit = sl.fit(law, frame[frame["params"] < 5e10])
    big = n == 72e9
    got = np.asarray(fit.predict(params=n[big], flops=c[big], extrapolation=None))
    # 2.25x past the largest fitted model: 2% is twice the noise of one run (63 runs are
    # pooled, so a correct fit's error is a fraction of the noise)
    np.testing.assert_allclose(got, clean[big], rtol=0.02)

    def k(params: dict[str, float], size: float) -> float:
        return params["k_max"] * size / (size + params["N0"])

    # the learning efficiency of the unseen 72B model is recovered within 10% (the 1% noise
    # moves the slope of each size's line by a few percent), and it saturates: each doubling
    # of the model gains less efficiency than the one before
    assert k(fit.params, 72e9) == pytest.approx(k(truth, 72e9), rel=0.1)
    ratios = [k(fit.params, 2 * s) / k(fit.params, s) for s in sizes]
    assert np.all(np.diff(ratios) < 0) and ratios[-1] < 1.5
    # the paper's first finding: at a fixed compute a larger model reaches a lower loss
    for budget in (1e19, 1e21):
        losses = np.asarray(fit.predict(params=sizes, flops=budget, extrapolation=None))
        assert np.all(np.diff(losses) < 0)


def test_epistemic_uncertainty_of_bayesian_linear_regression_contracts_as_one_over_d() -> None:
    # Rosso et al.'s identifiable case: Bayesian linear regression (20 features, prior
    # precision 1, noise variance 0.25). The predictive variance at a test point x is
    # 0.25 + x^T S_D x with S_D the posterior covariance, computed exactly for each D; its
    # mean over 500 test points follows E + A/D^gamma with gamma = 1 and E the noise variance
    rng = np.random.default_rng(2)
    dim, noise_var = 20, 0.25
    sizes = np.unique(np.geomspace(1_000, 200_000, 12).astype(int))
    features = rng.normal(size=(sizes[-1], dim))
    test = rng.normal(size=(500, dim))
    total = []
    for d in sizes:
        x = features[:d]
        cov = np.linalg.inv(np.eye(dim) + x.T @ x / noise_var)
        total.append(noise_var + np.mean(np.einsum("ij,jk,ik->i", test, cov, test)))
    fit = sl.fit("uncertainty_power", pd.DataFrame({"examples": sizes, "uncertainty": total}))
    # the finite-D mean of x^T S_D x is dim*noise_var/(D - dim - 1), which bends the curve by
    # 2% at D = 1000: gamma within 0.05 of 1, the floor within 1% of the noise variance
    assert fit.params["gamma"] == pytest.approx(1.0, abs=0.05)
    assert fit.params["E"] == pytest.approx(noise_var, rel=0.01)
    # and the epistemic amplitude is dim * noise_var (x^T S_D x ~ dim*noise_var/D) within 10%
    assert fit.params["A"] * 1_000 ** (1 - fit.params["gamma"]) == pytest.approx(
        dim * noise_var, rel=0.1)
