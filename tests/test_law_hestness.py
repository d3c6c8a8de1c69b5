"""``hestness`` (Hestness et al. 2017, data) and ``power_law_offset`` (Henighan et al. 2020,
compute): the papers' language fits, units, and how they differ from ``power_law``."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.hestness import (
    LANGUAGE_ALPHA,
    LANGUAGE_C0_PF_DAYS,
    PF_DAY,
    WORD_LM_ALPHA,
    WORD_LM_BETA_G,
)


def test_hestness_word_lm_curve_at_the_full_billion_word_training_set() -> None:
    # The paper's word-LM fit eps(m) = 11.9 m^-0.066 (validation cross-entropy, nats per
    # word, no floor reached). At the full Billion Word training set (~0.8e9 words) it gives
    # 3.09 nats, a perplexity of ~22: inside the 20-45 range of single and ensemble LSTM
    # results on that benchmark at the time (Jozefowicz et al. 2016: 30.0 and 23.7), which
    # checks the units and the sign of beta_g.
    law = sl.laws.get("hestness")
    paper = {"alpha": WORD_LM_ALPHA, "beta_g": WORD_LM_BETA_G, "gamma": 0.0}
    eps = law(paper, tokens=7.68e8)
    assert eps == pytest.approx(11.9 * 7.68e8 ** -0.066, rel=1e-12)
    assert 20 < math.exp(eps) < 45
    # each doubling of the data removes 1 - 2^-0.066 = 4.5% of the reducible error
    ratio = law(paper, tokens=2e8) / law(paper, tokens=1e8)
    assert ratio == pytest.approx(2 ** WORD_LM_BETA_G, rel=1e-12)
    assert law.reference["alpha"] == 11.9 and law.reference["beta_g"] == -0.066


def test_power_law_offset_language_fit_in_flops() -> None:
    # Henighan et al.'s language compute trend is L = 2.57 C^-0.048 with C in PF-days
    # (Brown et al. 2020, Fig. 3.1); the law takes C in FLOPs, so C0 = 2.57^(1/0.048) PF-days
    # times 8.64e19 FLOPs per PF-day. At 1 PF-day it must give 2.57 exactly.
    law = sl.laws.get("power_law_offset")
    paper = {"L_inf": 0.0, "C0": LANGUAGE_C0_PF_DAYS * PF_DAY, "alpha": LANGUAGE_ALPHA}
    assert law(paper, flops=PF_DAY) == pytest.approx(2.57, rel=1e-12)
    assert law.reference["C0"] == pytest.approx(3.0e28, rel=0.01)
    # GPT-3 175B: 3.14e23 FLOPs (3.64e3 PF-days); the trend gives 1.73 nats/token, the loss
    # the largest run reaches in that figure (about 1.7, read off the plot: ±0.1)
    gpt3 = law(paper, flops=3.14e23)
    assert gpt3 == pytest.approx(2.57 * (3.14e23 / PF_DAY) ** -0.048, rel=1e-12)
    assert gpt3 == pytest.approx(1.7, abs=0.1)


def test_the_laws_read_fixed_columns_unlike_power_law() -> None:
    generic = sl.laws.get("power_law")
    hestness = sl.laws.get("hestness")
    offset = sl.laws.get("power_law_offset")
    assert generic.unbound_inputs == ("x",)
    assert hestness.inputs == {"D": "tokens"} and offset.inputs == {"C": "flops"}
    assert set(hestness.parameter_names) == {"alpha", "beta_g", "gamma"}
    assert set(offset.parameter_names) == {"L_inf", "C0", "alpha"}
    # same family of curves, other parameters: E = L_inf, A = C0^alpha (power_law), and
    # alpha = A, beta_g = -alpha, gamma = E (hestness)
    c = np.geomspace(1e18, 1e25, 7)
    p = {"L_inf": 1.2, "C0": 3e26, "alpha": 0.07}
    as_generic = {"E": 1.2, "A": 3e26 ** 0.07, "alpha": 0.07}
    as_hestness = {"alpha": 3e26 ** 0.07, "beta_g": -0.07, "gamma": 1.2}
    want = offset(p, flops=c)
    np.testing.assert_allclose(generic.bind(x="flops")(as_generic, flops=c), want, rtol=1e-12)
    np.testing.assert_allclose(hestness(as_hestness, tokens=c), want, rtol=1e-12)


def test_power_law_offset_fit_predicts_beyond_the_data() -> None:
    # synthetic compute frontier with the reference (language) parameters and 1% noise over
    # 1e17-1e24 FLOPs; the exponent 0.048 is small, so amplitude and floor trade off, but the
    # prediction 10x beyond the data must hold within 2% (twice the noise)
    law = sl.laws.get("power_law_offset")
    ref = law.reference
    c = np.geomspace(1e17, 1e24, 40)
    rng = np.random.default_rng(0)
    loss = law(ref, flops=c) * np.exp(0.01 * rng.standard_normal(c.size))
    fit = sl.fit("power_law_offset", sl.Dataset.from_frame(pd.DataFrame({"flops": c,
                                                                         "loss": loss})))
    assert fit.status is sl.FitStatus.CONVERGED
    assert fit.predict(flops=1e25, extrapolation=None) == pytest.approx(
        law(ref, flops=1e25), rel=0.02)


def test_hestness_needs_a_tokens_column() -> None:
    frame = pd.DataFrame({"params": np.geomspace(1e7, 1e9, 8), "loss": np.linspace(4, 3, 8)})
    with pytest.raises(sl.ScalingLawError, match="tokens"):
        sl.fit("hestness", sl.Dataset.from_frame(frame))


def test_hestness_takes_no_options() -> None:
    with pytest.raises(sl.LawError, match="does not take the options"):
        sl.laws.get("hestness(floor=1)")
