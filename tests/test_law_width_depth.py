"""The width-depth law: Chinchilla's form with the parameter term split by shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl


def test_terms_separate_and_limits():
    law = sl.laws.get("width_depth")
    r = law.reference
    w, d, D = 1024.0, 24.0, 1e11
    want = r["E"] + r["A"] / w ** r["alpha"] + r["B"] / d ** r["beta"] + r["C"] / D ** r["gamma"]
    assert law(r, width=w, depth=d, tokens=D) == pytest.approx(want, rel=1e-12)
    # unlimited width, depth and data leave the irreducible loss
    assert law(r, width=1e30, depth=1e30, tokens=1e60) == pytest.approx(r["E"], rel=1e-6)


def test_fit_tells_width_from_depth_at_equal_parameter_counts():
    # runs whose parameter count 12 w^2 d is the same but whose shapes differ: a law in the
    # count alone cannot tell them apart, this law recovers which dimension matters
    law = sl.laws.get("width_depth")
    truth = {**law.reference, "B": 3.0}
    rng = np.random.default_rng(1)
    w = np.exp(rng.uniform(np.log(256), np.log(3072), 80))
    d = np.exp(rng.uniform(np.log(3), np.log(80), 80))
    D = np.exp(rng.uniform(np.log(2e9), np.log(3.5e11), 80))
    y = law(truth, width=w, depth=d, tokens=D) * np.exp(0.002 * rng.standard_normal(80))
    fit = sl.fit("width_depth", pd.DataFrame({"width": w, "depth": d, "tokens": D, "loss": y}))
    assert fit.params["B"] == pytest.approx(3.0, rel=0.2)
    assert fit.params["beta"] == pytest.approx(truth["beta"], rel=0.1)
    # same count 12 w^2 d = 12 * 2048^2 * 12 = 12 * 1024^2 * 48
    wide = fit.predict(width=2048.0, depth=12.0, tokens=1e11)
    deep = fit.predict(width=1024.0, depth=48.0, tokens=1e11)
    assert abs(wide - deep) > 0.01
