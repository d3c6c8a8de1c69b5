"""The precision laws (Kumar et al. 2024): quantised training and post-training quantisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl

BITS = {"bits_w": 16, "bits_a": 16, "bits_kv": 16}


def test_sixteen_bits_is_effectively_full_precision():
    # at 16 bits each factor 1 - exp(-16/gamma) is within 2% of 1 for gamma = 3.9, so the
    # loss is the Chinchilla loss of N within the A N^-alpha term's sensitivity (<1%)
    law = sl.laws.get("precision")
    ref = law.reference
    chinchilla = sl.laws.get("chinchilla")
    full = chinchilla({k: ref[k] for k in ("A", "alpha", "B", "beta", "E")},
                      params=1e8, tokens=2e9)
    assert law(ref, params=1e8, tokens=2e9, **BITS) == pytest.approx(full, rel=0.01)


def test_n_eff_is_multiplicative_in_the_three_precisions():
    # the paper's claim: effects of weight, activation and KV-cache precision are independent
    # and multiply N; so lowering two of them costs the product of the single costs
    law = sl.laws.get("precision")
    ref = law.reference

    def n_eff_ratio(**bits):
        # invert the N_eff term: A N_eff^-alpha = L - B D^-beta - E
        loss = law(ref, params=1e8, tokens=2e9, **{**BITS, **bits})
        rest = loss - ref["B"] * 2e9 ** -ref["beta"] - ref["E"]
        return (rest / ref["A"]) ** (-1 / ref["alpha"]) / 1e8

    both = n_eff_ratio(bits_w=4, bits_a=4)
    assert both == pytest.approx(n_eff_ratio(bits_w=4) * n_eff_ratio(bits_a=4) /
                                 n_eff_ratio(), rel=1e-9)
    assert both < n_eff_ratio(bits_w=4) < 1


def test_compute_optimal_training_precision_is_7_to_8_bits():
    # Sec. 4.3: with cost proportional to N D P, the compute-optimal precision (all three
    # parts at P bits) does not depend on the budget and lies near 7-8 bits. For this law it
    # is the P maximising N_eff / (N P) (effective parameters per bit). The representative
    # gammas were chosen to match the paper's statement, so this checks the law's form
    # (the optimum is budget-free and interior), not an independent number.
    law = sl.laws.get("precision")
    gw, ga, gkv = (law.reference[g] for g in ("gamma_w", "gamma_a", "gamma_kv"))
    bits = np.linspace(2, 16, 1401)
    per_bit = ((1 - np.exp(-bits / gw)) * (1 - np.exp(-bits / ga))
               * (1 - np.exp(-bits / gkv)) / bits)
    best = bits[np.argmax(per_bit)]
    assert 7.0 <= best <= 8.0


def test_ptq_degradation_grows_with_tokens_until_more_data_hurts():
    # Sec. 3 / Fig. 1: degradation from post-training quantisation grows with the tokens
    # seen, so that at low bit widths the quantised model's loss eventually rises with data
    ptq = sl.laws.get("precision_ptq")
    chin = sl.laws.get("chinchilla")
    tokens = np.geomspace(1e9, 1e13, 200)
    delta = ptq(ptq.reference, params=1e8, tokens=tokens, bits_post=3)
    assert np.all(np.diff(delta) > 0)
    quantised = chin(chin.reference, params=1e8, tokens=tokens) + delta
    best = int(np.argmin(quantised))
    assert 0 < best < tokens.size - 1  # an interior critical data size
    at_8_bits = ptq(ptq.reference, params=1e8, tokens=tokens, bits_post=8)
    assert np.all(at_8_bits < delta)


def test_missing_bits_w_column_names_it():
    frame = pd.DataFrame({"params": [3e7, 6e7, 1e8], "tokens": [2e9, 4e9, 8e9],
                          "bits_a": [8, 8, 8], "bits_kv": [8, 8, 8], "loss": [3.6, 3.4, 3.2]})
    with pytest.raises(sl.ScalingLawError, match="bits_w"):
        sl.fit("precision", frame)
    with pytest.raises(sl.ScalingLawError, match="bits_w"):
        law = sl.laws.get("precision")
        law(law.reference, params=1e8, tokens=1e9, bits_a=8, bits_kv=8)


def test_missing_bits_post_column_names_it():
    frame = pd.DataFrame({"params": [3e7, 6e7, 1e8], "tokens": [2e9, 4e9, 8e9],
                          "ptq_degradation": [0.1, 0.2, 0.3]})
    with pytest.raises(sl.ScalingLawError, match="bits_post"):
        sl.fit("precision_ptq", frame)
