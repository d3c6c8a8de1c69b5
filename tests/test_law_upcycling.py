"""The upcycling law (Liew et al. 2025): loss in dense and upcycled tokens."""

from __future__ import annotations

import math

import numpy as np
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.upcycling import best_split, loss, versus_scratch


def test_law_matches_its_helper_and_falls_in_both_datasets():
    law = sl.laws.get("upcycling")
    r = law.reference
    d = np.geomspace(1e9, 1e12, 7)
    D1, D2 = np.meshgrid(d, d, indexing="ij")
    got = law(r, dense_tokens=D1.ravel(), upcycled_tokens=D2.ravel()).reshape(D1.shape)
    np.testing.assert_allclose(got, loss(r, D1, D2), rtol=1e-12)
    assert np.all(np.diff(got, axis=0) < 0) and np.all(np.diff(got, axis=1) < 0)


def test_interaction_makes_upcycled_tokens_worth_less_after_a_longer_dense_run():
    r = sl.laws.get("upcycling").reference
    # log-slope of the reducible loss in D2 is -(alpha2 - alpha3 ln D1): smaller in magnitude
    # for a larger D1
    def slope(d1):
        red = [loss(r, d1, d2) - r["E"] for d2 in (1e10, 1e11)]
        return math.log(red[1] / red[0]) / math.log(10.0)
    for d1 in (1e9, 1e11):
        assert slope(d1) == pytest.approx(-(r["alpha2"] - r["alpha3"] * math.log(d1)))
    assert slope(1e9) < slope(1e11) < 0
    # alpha3 = 0: the two datasets separate (the ratio across D2 is the same for every D1)
    sep = {**r, "alpha3": 0.0}
    ratio = [loss(sep, d1, 1e11) - sep["E"] for d1 in (1e9, 1e11)]
    ratio0 = [loss(sep, d1, 1e10) - sep["E"] for d1 in (1e9, 1e11)]
    assert ratio[0] / ratio0[0] == pytest.approx(ratio[1] / ratio0[1], rel=1e-12)


@pytest.mark.parametrize("flops", [1e20, 1e21, 1e22])
def test_best_split_matches_a_brute_force_grid(flops):
    r = sl.laws.get("upcycling").reference
    dense, moe = 6 * 1e9, 6 * 2.5e9  # per-token FLOPs of the dense model and of the MoE
    d1, d2, best = best_split(r, flops, dense, moe)
    assert dense * d1 + moe * d2 == pytest.approx(flops)
    share = np.linspace(1e-6, 1 - 1e-6, 1_000_001)
    values = loss(r, share * flops / dense, (1 - share) * flops / moe)
    assert best == pytest.approx(values.min(), rel=1e-9)
    assert d1 * dense / flops == pytest.approx(share[np.argmin(values)], abs=1e-4)
    with pytest.raises(sl.ScalingLawError, match="flops"):
        best_split(r, -1.0, dense, moe)


def test_versus_scratch_counts_the_dense_run_only_when_asked():
    r = sl.laws.get("upcycling").reference
    scratch = {"A": 400.0, "alpha": 0.25, "E": 1.8}
    sunk = versus_scratch(r, scratch, 1e11, 1e10)
    paid = versus_scratch(r, scratch, 1e11, 1e10, count_dense=True, dense_to_moe_cost=0.4)
    assert sunk["scratch_tokens"] == 1e10 and paid["scratch_tokens"] == pytest.approx(5e10)
    assert sunk["upcycled"] == paid["upcycled"]
    assert paid["advantage"] < sunk["advantage"]
    assert sunk["advantage"] == pytest.approx(sunk["scratch"] - sunk["upcycled"])
