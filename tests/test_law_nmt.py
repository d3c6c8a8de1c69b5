"""The encoder-decoder NMT law (Ghorbani et al. 2021, eq. 2)."""

from __future__ import annotations

import numpy as np
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.nmt import encoder_fraction


def loss(law, ref, ne, nd):
    return law(ref, encoder_params=ne, decoder_params=nd)


@pytest.mark.parametrize("p_e,p_d", [(0.2, 0.3), (0.3, 0.3), (0.35, 0.15)])
def test_best_split_of_a_fixed_total_matches_a_brute_force_grid(p_e, p_d):
    law = sl.laws.get("nmt_encoder_decoder")
    ref = {**law.reference, "p_e": p_e, "p_d": p_d}
    total = 1e9
    share = np.linspace(1e-4, 1 - 1e-4, 200_001)
    values = loss(law, ref, share * total, (1 - share) * total)
    assert encoder_fraction(p_e, p_d) == pytest.approx(share[np.argmin(values)], abs=2e-5)


def test_equal_exponents_depend_on_the_product_only():
    law = sl.laws.get("nmt_encoder_decoder")
    ref = {**law.reference, "p_e": 0.25, "p_d": 0.25}
    assert encoder_fraction(0.25, 0.25) == 0.5
    assert loss(law, ref, 2e8, 8e8) == pytest.approx(loss(law, ref, 4e8, 4e8), rel=1e-12)
    # unequal exponents: the total alone does not fix the loss (the paper's point)
    r = law.reference
    assert loss(law, r, 2e8, 8e8) < loss(law, r, 8e8, 2e8)


def test_normalisers_only_reparametrise():
    a = sl.laws.get("nmt_encoder_decoder")
    b = sl.laws.get("nmt_encoder_decoder", normalisers=(3e8, 5e7))
    r = a.reference
    # alpha absorbs the normalisers: alpha' = alpha (1e8/3e8)^p_e (1e8/5e7)^p_d
    rb = {**r, "alpha": r["alpha"] * (1e8 / 3e8) ** r["p_e"] * (1e8 / 5e7) ** r["p_d"]}
    ne, nd = np.array([5e7, 3e8, 1.7e9]), np.array([1e9, 6e7, 2e8])
    np.testing.assert_allclose(loss(b, rb, ne, nd), loss(a, r, ne, nd), rtol=1e-12)
    assert loss(a, r, 1e8, 1e8) == pytest.approx(r["alpha"] + r["L_inf"])
    with pytest.raises(sl.ScalingLawError, match="normalisers"):
        sl.laws.get("nmt_encoder_decoder", normalisers=(1e8, -1.0))
