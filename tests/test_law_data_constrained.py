"""The data-constrained law (Muennighoff et al. 2023) on runs simulated with the paper's
published constants, its effective tokens, and the query of epochs before returns vanish."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.repetition import PUBLISHED, effective_params, effective_tokens

NOISE = 0.01  # 1% lognormal noise per run
EPOCHS = (1, 2, 4, 8, 12, 16, 25, 40)
#: a 4x larger model than the largest simulated, at 20 epochs of the largest corpus
QUERY = {"params": 4e9, "unique_tokens": 1e10, "tokens": 20 * 1e10}


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    law = sl.laws.get("data_constrained")
    rows = [{"params": n, "unique_tokens": u, "tokens": e * u}
            for n in (1e8, 2e8, 5e8, 1e9) for u in (1e9, 3e9, 1e10) for e in EPOCHS]
    frame = pd.DataFrame(rows)
    clean = law(law.reference, **{c: frame[c].to_numpy() for c in frame.columns})
    rng = np.random.default_rng(0)
    frame["loss"] = clean * np.exp(NOISE * rng.standard_normal(len(frame)))
    return frame


def truth(**inputs: float) -> float:
    law = sl.laws.get("data_constrained")
    return float(law(law.reference, **inputs))


def test_reference_is_the_authors_fit():
    law = sl.laws.get("data_constrained")
    assert law.reference["RD"] == pytest.approx(15.4, abs=0.05)
    assert law.reference["RN"] == pytest.approx(5.3, abs=0.05)
    assert law.reference["E"] == pytest.approx(1.87, abs=0.005)


@pytest.mark.slow
def test_constants_recovered_and_4x_model_at_20_epochs_predicted(runs):
    fit = sl.fit("data_constrained", runs)
    assert fit.status is sl.FitStatus.CONVERGED
    # R*_D and R*_N: within 2 asymptotic standard errors of the published constants. 96
    # runs at 1% noise determine them to about +-6 and +-3 (the fit's own standard errors);
    # the paper's one-decimal figures are beyond what such a sweep can resolve
    for name in ("RD", "RN"):
        assert abs(fit.params[name] - PUBLISHED[name]) < 2 * fit.stderr[name], name
    # with the Chinchilla part known (the paper fits it first), R* are far better determined
    known = {k: PUBLISHED[k] for k in ("E", "A", "B", "alpha", "beta")}
    staged = sl.fit("data_constrained", runs, fix=known)
    for name in ("RD", "RN"):
        assert abs(staged.params[name] - PUBLISHED[name]) < 2 * staged.stderr[name], name
        assert staged.stderr[name] < fit.stderr[name]
    # the loss of a 4x larger model at 20 epochs: within 1% (the criterion asked)
    expected = truth(**QUERY)
    got = fit.predict(extrapolation=None, **QUERY)
    assert abs(got / expected - 1) < 0.01
    # Chinchilla counting every repeated token as new misses by more
    with warnings.catch_warnings():  # same params and tokens at other U: "pooled" warning
        warnings.simplefilter("ignore")
        plain = sl.fit("chinchilla", runs)
    naive = plain.predict(extrapolation=None, params=QUERY["params"], tokens=QUERY["tokens"])
    assert abs(naive / expected - 1) > abs(got / expected - 1)


def test_effective_tokens_saturate_at_one_plus_rd_unique_tokens():
    u = 1e10
    assert effective_tokens(u, u) == pytest.approx(u)            # one epoch: all fresh
    assert effective_tokens(0.5 * u, u) == pytest.approx(u)      # below one epoch: U
    many = effective_tokens(1e4 * u, u)
    assert many == pytest.approx(u * (1 + PUBLISHED["RD"]), rel=1e-6)
    # a repeated token is worth exp(-R_D / R*_D) of a fresh one
    slope = (effective_tokens(5.001 * u, u) - effective_tokens(5 * u, u)) / (0.001 * u)
    assert slope == pytest.approx(np.exp(-4 / PUBLISHED["RD"]), rel=1e-3)
    assert effective_params(3e9, 1e9) < 3e9
    assert effective_params(5e8, 1e9) == pytest.approx(5e8)


def test_law_matches_the_authors_formula_at_its_kinks():
    # the law writes max(x, 0) smoothly within 5e-7; against the authors' min/max form
    law = sl.laws.get("data_constrained")
    p = PUBLISHED
    n, d, u = np.array([1e8, 5e8, 3e9]), np.array([3e9, 1e10, 1e11]), np.array([1e9, 1e10,
                                                                                   1e10])
    g = (p["alpha"] * p["A"] / (p["beta"] * p["B"])) ** (1 / p["alpha"])
    un = np.minimum(n, g * u ** (p["beta"] / p["alpha"]))
    rn, rd = n / un - 1, np.maximum(d / u - 1, 0)
    nn = un + un * p["RN"] * (1 - np.exp(-rn / p["RN"]))
    dd = u + u * p["RD"] * (1 - np.exp(-rd / p["RD"]))
    expected = p["E"] + p["A"] / nn ** p["alpha"] + p["B"] / dd ** p["beta"]
    got = law(law.reference, params=n, tokens=d, unique_tokens=u)
    # the second run sits at one epoch, the kink itself: the smoothing adds 5e-7
    # repetitions there, which moves the loss by under 1e-7 of itself; elsewhere it is exact
    np.testing.assert_allclose(got, expected, rtol=1e-7)
    np.testing.assert_allclose(got[[0, 2]], expected[[0, 2]], rtol=1e-12)


@pytest.mark.slow
def test_epochs_until_returns_vanish(runs):
    fit = sl.fit("data_constrained", runs)
    epochs = sl.mixing.epochs_until_vanishing(fit, params=1e9, unique_tokens=2e10,
                                              tolerance=1e-3)
    before = fit.predict(extrapolation=None, params=1e9, unique_tokens=2e10,
                         tokens=(epochs - 1) * 2e10)
    at = fit.predict(extrapolation=None, params=1e9, unique_tokens=2e10,
                     tokens=epochs * 2e10)
    after = fit.predict(extrapolation=None, params=1e9, unique_tokens=2e10,
                        tokens=(epochs + 1) * 2e10)
    assert (before - at) / before > 1e-3 > (at - after) / at
    # a looser tolerance stops sooner
    assert sl.mixing.epochs_until_vanishing(fit, params=1e9, unique_tokens=2e10,
                                            tolerance=1e-2) < epochs
    with pytest.raises(sl.OptionError, match="tolerance"):
        sl.mixing.epochs_until_vanishing(fit, params=1e9, unique_tokens=2e10, tolerance=-1)
