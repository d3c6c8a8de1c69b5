"""The joint step and size law of the nested mixing pipeline (``mixing/surface.py``):
exact on noiseless losses, honest standard errors, weights that follow each size's noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.mixing.surface import fit_surface

SIZES = np.geomspace(1e7, 3e8, 5)
STEPS = np.geomspace(1e3, 3e4, 10)
TARGET = (1e9, 1e5)
FLOORS = np.array([1.5, 2.0, 2.5, 3.0, 3.5, 4.0])


def grid(floors: np.ndarray, noise: np.ndarray | float, seed: int,
         per_run_step: bool = False) -> tuple[np.ndarray, ...]:
    """Logged losses of one mixture per floor: every size, every step; lognormal noise
    (``noise`` per size or one value); with ``per_run_step`` the step amplitude grows with
    the size (a step law per run, the size law only at the target steps)."""
    rng = np.random.default_rng(seed)
    g, n, s = np.meshgrid(np.arange(len(floors)), SIZES, STEPS, indexing="ij")
    g, n, s = g.ravel(), n.ravel(), s.ravel()
    amp = 20 * (n / 1e7) ** 0.2 if per_run_step else 20.0
    clean = floors[g] + 400 * n ** -0.34 + amp * (s ** -0.5 - TARGET[1] ** -0.5) \
        + 20 * TARGET[1] ** -0.5
    sd = np.broadcast_to(noise, SIZES.shape)[np.searchsorted(SIZES, n)]
    y = clean * np.exp(sd * rng.standard_normal(len(clean)))
    truth = floors + 400 * TARGET[0] ** -0.34 + 20 * TARGET[1] ** -0.5
    return n, s, y, g, np.searchsorted(SIZES, n), truth


@pytest.mark.parametrize("form", ["additive", "per_run"])
def test_noiseless_losses_give_the_true_exponents_and_target(form):
    n, s, y, g, run, truth = grid(FLOORS, 0.0, 0, per_run_step=form == "per_run")
    fit = fit_surface(n, s, y, g, run, *TARGET, form)
    # noiseless data of the form fitted: the optimiser's tolerance (1e-12) is the only error
    assert fit.alpha == pytest.approx(0.34, rel=1e-5)
    assert fit.beta == pytest.approx(0.5, rel=1e-5)
    np.testing.assert_allclose(fit.at, truth, rtol=1e-7)


def test_standard_errors_match_the_spread_over_noise_draws():
    z = []
    for seed in range(40):
        n, s, y, g, run, truth = grid(FLOORS, 0.01, seed)
        fit = fit_surface(n, s, y, g, run, *TARGET)
        z.append(np.log(fit.at / truth) / np.sqrt(np.diag(fit.cov)))
    # 240 z-scores (6 mixtures, 40 draws; the mixtures of one draw share the exponents'
    # error, so about 40-100 independent values): their standard deviation is within 25%
    # of one if the delta method's covariance is right
    assert 0.75 < float(np.std(np.concatenate(z))) < 1.25


def test_a_noisier_size_is_weighted_down():
    noise = np.array([0.06, 0.01, 0.01, 0.01, 0.01])  # the smallest models 6x noisier
    errors = {True: [], False: []}
    for seed in range(8):
        n, s, y, g, run, truth = grid(FLOORS, noise, seed)
        weighted = fit_surface(n, s, y, g, run, *TARGET)
        keep = n > SIZES[0]
        # the same fit with the noisy size left out is what equal weights cannot match; the
        # weighted fit should do about as well as it, not as badly as the noise suggests
        dropped = fit_surface(n[keep], s[keep], y[keep], g[keep], run[keep], *TARGET)
        errors[True].append(np.abs(weighted.at / truth - 1).mean())
        errors[False].append(np.abs(dropped.at / truth - 1).mean())
    assert np.mean(errors[True]) < 1.2 * np.mean(errors[False])


def test_a_bad_form_or_step_is_refused():
    n, s, y, g, _, _ = grid(FLOORS[:4], 0.01, 0)
    frame = pd.DataFrame({"a": 0.25 * (g + 1) / 2.5, "params": n, "step": s, "loss_a": y})
    frame["b"] = 1.0 - frame["a"]
    frame["loss_b"] = y
    with pytest.raises(sl.OptionError, match="form"):
        sl.mixing.nested(frame, ["a", "b"], target_params=1e9, target_steps=1e5,
                         n_boot=0, form="multiplicative")
    bad = frame.assign(step=frame["step"].where(frame.index != 7, -1.0))
    with pytest.raises(sl.DataError, match="'step', rows 7"):
        sl.mixing.nested(bad, ["a", "b"], target_params=1e9, target_steps=1e5, n_boot=0)


def test_mixing_fit_refuses_weights_of_the_wrong_shape():
    r = np.random.default_rng(0).dirichlet(np.ones(3), 12)
    frame = pd.DataFrame(r, columns=["x", "y", "z"])
    for i, d in enumerate("xyz"):
        frame[f"loss_{d}"] = 2.0 + 0.8 * np.exp(-2.0 * r[:, i])
    with pytest.raises(sl.OptionError, match="weights"):
        sl.mixing.fit(frame, ["x", "y", "z"], weights=np.ones((12, 2)))
