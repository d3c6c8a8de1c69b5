"""The SoViT shape law (Alabdulmohsin et al. 2023): f(x, t) and the compute-optimal size."""

from __future__ import annotations

import numpy as np
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.sovit import DIMENSIONS, optimal_size, shape_exponent


def test_dimensions_read_their_columns_and_order_their_exponents():
    exps = {}
    for dim, (column, _, x_star, _) in DIMENSIONS.items():
        law = sl.laws.get("sovit", dimension=dim)
        assert law.inputs == {"x": column, "t": "flops"}
        exps[dim] = shape_exponent(law.reference)
        # the representative constants put the optimum where the module says, at t = 3e19
        assert optimal_size(law.reference, 3e19) == pytest.approx(x_star, rel=1e-12)
    # the paper's order: MLP size grows fastest with compute, then depth, then width
    assert exps["mlp_dim"] > exps["depth"] > exps["width"]
    assert (exps["mlp_dim"], exps["depth"], exps["width"]) == pytest.approx((0.6, 0.45, 0.22))
    with pytest.raises(sl.ScalingLawError, match="dimension"):
        sl.laws.get("sovit", dimension="heads")


@pytest.mark.parametrize("dim", sorted(DIMENSIONS))
@pytest.mark.parametrize("flops", [1e18, 1e19, 1e20, 1e21])
def test_optimal_size_is_the_minimum_on_a_brute_force_grid(dim, flops):
    law = sl.laws.get("sovit", dimension=dim)
    x = np.geomspace(1.0, 1e6, 400_001)
    f = law(law.reference, **{law.inputs["x"]: x, "flops": np.full_like(x, flops)})
    assert optimal_size(law.reference, flops) == pytest.approx(x[np.argmin(f)], rel=5e-5)


def test_optimal_size_is_a_power_of_compute():
    law = sl.laws.get("sovit")
    t = np.geomspace(1e18, 1e24, 7)
    slope = np.diff(np.log(optimal_size(law.reference, t))) / np.diff(np.log(t))
    np.testing.assert_allclose(slope, shape_exponent(law.reference), rtol=1e-10)


def test_unlimited_compute_leaves_a_power_law_in_size():
    law = sl.laws.get("sovit")
    r = law.reference
    x = np.array([128.0, 512.0, 2048.0])
    f = law(r, width=x, flops=np.full(3, 1e60))
    np.testing.assert_allclose(f, r["alpha"] * x ** -r["a"] + r["eps"], rtol=1e-6)
