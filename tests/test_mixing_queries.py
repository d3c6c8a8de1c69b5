"""Designs of mixtures to run next, the critical mixture ratio (Gu et al. 2024) from a D-CPT
fit, and the log-linear regressor."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from mixcases import experiments, true_law

import scalinglaws as sl


def spread(design: pd.DataFrame) -> float:
    """The smallest distance between two mixtures of a design (half the L1 distance)."""
    r = design.to_numpy()
    return min(0.5 * np.abs(r[i] - r[j]).sum() for i in range(len(r))
               for j in range(i + 1, len(r)))


def test_design_is_feasible_spread_and_identifies_the_law_better_than_random():
    truth = true_law(3, 0)
    design = sl.mixing.design(truth, n=10, bounds={"d0": (0.0, 0.7)})
    assert design.shape == (10, 3)
    np.testing.assert_allclose(design.sum(axis=1), 1.0, atol=1e-9)
    assert design["d0"].max() <= 0.7 + 1e-9
    assert spread(design) >= 0.1 - 1e-12
    # recovery of the law from the design against as many random mixtures (1% noise, ten
    # seeds): the D-optimal design's predictions over the simplex err less on average
    grid = np.random.default_rng(7).dirichlet(np.ones(3), 200)
    errors = {"design": [], "random": []}
    for seed in range(10):
        rng = np.random.default_rng(seed)
        for name, r in (("design", design.to_numpy()),
                        ("random", rng.dirichlet(np.ones(3), 10))):
            y = truth.predict(r) * np.exp(0.01 * rng.standard_normal(r.shape))
            table = pd.DataFrame(r, columns=list(truth.domains))
            for i, v in enumerate(truth.validation):
                table[f"loss_{v}"] = y[:, i]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sl.mixing.fit(table, truth.domains, regressor="mixture")
            errors[name].append(np.mean(np.abs(fit.law.predict(grid) / truth.predict(grid)
                                               - 1)))
    assert np.mean(errors["design"]) < np.mean(errors["random"])


def test_design_from_domain_names_starts_at_the_vertices_and_centre():
    design = sl.mixing.design(["web", "code", "books"], n=5)
    rows = {tuple(np.round(r, 3)) for r in design.to_numpy()}
    assert {(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)} <= rows
    with pytest.raises(sl.OptionError, match="n must be"):
        sl.mixing.design(["web", "code"], n=0)


def test_log_linear_regressor_recovers_log_linear_data():
    rng = np.random.default_rng(0)
    r = rng.dirichlet(np.ones(3), 30)
    table = pd.DataFrame(r, columns=["a", "b", "c"])
    for i, d in enumerate("abc"):
        table[f"loss_{d}"] = np.exp(1.0 - 0.8 * r[:, i] + 0.3 * r[:, (i + 1) % 3]) * np.exp(
            0.002 * rng.standard_normal(30))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sl.mixing.fit(table, ["a", "b", "c"], regressor="log_linear")
    assert fit.model is fit.linear
    # log L_a = 1 - 0.8 r_a + 0.3 r_b, the last domain (c) the reference: t = (-0.8, 0.3);
    # 0.2% noise on 30 runs determines each coefficient to about 0.005
    np.testing.assert_allclose(fit.linear.t[0], [-0.8, 0.3, 0.0], atol=0.02)
    np.testing.assert_allclose(fit.linear.c[0], 1.0, atol=0.02)
    # held-out mixtures: both regressors predict within the noise (the mixing law nests
    # the log-linear one at c = 0), and both errors are recorded
    assert max(fit.selection.errors.values()) < 0.005
    assert fit.selected == "log_linear"
    lo, hi = fit.interval({"a": 0.2, "b": 0.3, "c": 0.5}, {"a": 1.0})
    assert lo < fit.predict({"a": 0.2, "b": 0.3, "c": 0.5}, {"a": 1.0}) < hi


@pytest.mark.slow
def test_critical_mixture_ratio_from_a_dcpt_fit_of_the_general_loss():
    law = sl.laws.get("dcpt(corpus='general')")
    # a general loss that rises as the domain takes more of the mixture
    true = {**law.reference, "B": 50.0, "C": 0.2}
    rng = np.random.default_rng(0)
    rows = [{"params": n, "tokens": d, "general_ratio": g}
            for n in (1e8, 3e8, 1e9) for d in (1e9, 3e9, 1e10)
            for g in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0)]
    frame = pd.DataFrame(rows)
    clean = law(true, **{c: frame[c].to_numpy() for c in ("params", "tokens",
                                                          "general_ratio")})
    frame["loss"] = clean * np.exp(0.002 * rng.standard_normal(len(frame)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sl.fit(law, frame)
    cmr = sl.mixing.critical_mixture_ratio(fit, params=1e9, tokens=1e10, tolerance=0.01)

    def general(r: float) -> float:
        return float(law(true, params=1e9, tokens=1e10, general_ratio=1 - r))

    exact = next(r for r in np.linspace(0, 1, 100001) if general(r) > general(0) * 1.01)
    # 0.2% noise on 72 runs: the ratio is found within 0.02 of the true law's
    assert abs(cmr - exact) < 0.02
    assert 0 < cmr < 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = sl.fit("chinchilla", sl.Dataset.read("chinchilla"))
    with pytest.raises(sl.OptionError, match="reads no mixture share"):
        sl.mixing.critical_mixture_ratio(plain, params=1e9, tokens=1e10)


def test_mixing_fit_needs_enough_runs():
    truth = true_law(3, 0)
    with pytest.raises(sl.OptionError, match="cannot determine"):
        sl.mixing.fit(experiments(truth, 4, 0.01, 0), truth.domains)
