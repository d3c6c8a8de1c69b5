"""The sparsity law (Frantar et al. 2023) and the optimal-sparsity planner."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.sparsity import NOTEBOOK_VIT, dense_equivalent, from_notebook


def notebook_law(S, N, D):
    """The authors' notebook form: N in millions, D in billions of examples."""
    a, b, c, d, e, f, g = NOTEBOOK_VIT
    return (a * (1 / (1 - S)) ** -b + c) * (N / 1e6) ** -d + e * (D / 1e9) ** -f + g


@pytest.mark.parametrize("S,N,D", [(0.0, 6.6e5, 2.25e8), (0.5, 1.06e7, 9e8),
                                   (0.9375, 4.3e7, 1.8e9)])
def test_reference_is_the_notebook_fit_in_plain_counts(S, N, D):
    law = sl.laws.get("sparsity")
    assert law(law.reference, sparsity=S, params=N, tokens=D) == pytest.approx(
        notebook_law(S, N, D), rel=1e-12)
    # the rounded coefficients as the paper's form prints them
    ref = law.reference
    assert ref == from_notebook(NOTEBOOK_VIT)
    assert (ref["a_S"], ref["c_S"], ref["a_D"]) == pytest.approx((294.4, 468.2, 2.374e8),
                                                                  rel=1e-3)


def test_notebook_fit_matches_a_released_run():
    # A released ViT run (width 1/4 of ViT-B/16, 50% sparse, 900M examples) has validation
    # loss 5.9504; the notebook's fit (loss 4.9e-4 Huber on the runs) is within 1% of it.
    n = 12 * 12 * 768**2 * 0.25 * 0.5
    law = sl.laws.get("sparsity")
    assert law(law.reference, sparsity=0.5, params=n, tokens=9e8) == pytest.approx(5.9504,
                                                                                   rel=0.01)


def test_zero_sparsity_is_the_dense_law():
    law = sl.laws.get("sparsity")
    r = law.reference
    dense = (r["a_S"] + r["c_S"]) * 1e7 ** -r["b_N"] + (r["a_D"] / 1e9) ** r["b_D"] + r["c"]
    assert law(r, sparsity=0.0, params=1e7, tokens=1e9) == pytest.approx(dense, rel=1e-12)
    assert dense_equivalent(r, 0.0, 1e7) == pytest.approx(1e7)
    # sparsity raises the dense-equivalent size, up to ((a_S + c_S)/c_S)^(1/b_N)
    gains = dense_equivalent(r, np.array([0.5, 0.75, 0.9375]), 1.0)
    assert np.all(np.diff(gains) > 0)
    assert gains[-1] < ((r["a_S"] + r["c_S"]) / r["c_S"]) ** (1 / r["b_N"])


@pytest.fixture(scope="module")
def fit() -> sl.FitResult:
    law = sl.laws.get("sparsity")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"sparsity": rng.choice([0, 0.5, 0.75, 0.875, 0.9375], 120),
                          "params": np.exp(rng.uniform(np.log(6.6e5), np.log(4.3e7), 120)),
                          "tokens": np.exp(rng.uniform(np.log(2.25e8), np.log(1.8e9), 120))})
    frame["loss"] = law(law.reference, **{c: frame[c].to_numpy() for c in
                                          ("sparsity", "params", "tokens")})
    return sl.fit("sparsity", frame)


def brute_force(fit, params, flops, k=6.0):
    s = np.linspace(0.0, 0.999, 200_001)
    loss = fit.law(fit.params, sparsity=s, params=np.full_like(s, params),
                   tokens=flops * (1 - s) / (k * params))
    return s[np.argmin(loss)], loss.min()


@pytest.mark.parametrize("flops", [1e17, 1e18, 1e19])
def test_optimal_sparsity_matches_a_brute_force_grid(fit, flops):
    got = sl.plan.optimal_sparsity(fit, params=1e7, flops=flops)
    s, loss = brute_force(fit, 1e7, flops)
    assert got.sparsity == pytest.approx(s, abs=2e-5)
    assert got.loss == pytest.approx(loss, rel=1e-9)
    assert got.total_params == pytest.approx(1e7 / (1 - got.sparsity))
    assert got.loss <= got.dense_loss


def test_optimal_sparsity_grows_with_the_budget(fit):
    # the paper's finding: for a fixed number of non-zeros, longer training favours sparsity
    s = [sl.plan.optimal_sparsity(fit, params=1e7, flops=f).sparsity
         for f in (1e16, 1e17, 1e18, 1e19)]
    assert s[0] == 0.0 and all(b > a for a, b in itertools.pairwise(s))
    assert "sparsity" in str(sl.plan.optimal_sparsity(fit, params=1e7, flops=1e19))


@pytest.mark.filterwarnings("ignore::scalinglaws.ScalingLawWarning")
def test_optimal_sparsity_rejects_bad_queries(fit):
    with pytest.raises(sl.ScalingLawError, match="flops"):
        sl.plan.optimal_sparsity(fit, params=1e7, flops=-1.0)
    with pytest.raises(sl.ScalingLawError, match="max_sparsity"):
        sl.plan.optimal_sparsity(fit, params=1e7, flops=1e19, max_sparsity=1.0)
    chin = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    with pytest.raises(sl.ScalingLawError, match="sparsity"):
        sl.plan.optimal_sparsity(chin, params=1e7, flops=1e19)
