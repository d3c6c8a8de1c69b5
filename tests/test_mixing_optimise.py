"""The mixture optimiser on synthetic experiments from the mixing law with known coefficients:
the optimised mixture's true loss against the true optimum, bounds and epoch caps, baselines."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from mixcases import experiments, true_law

import scalinglaws as sl

NOISE = 0.01  # 1% lognormal noise on every validation loss


def fitted(m: int, runs: int, seed: int) -> tuple[sl.mixing.MixingLaw, sl.mixing.MixingFit]:
    truth = true_law(m, seed)
    with warnings.catch_warnings():  # 20 runs for a 5-domain law warns "barely determined"
        warnings.simplefilter("ignore")
        return truth, sl.mixing.fit(experiments(truth, runs, NOISE, seed), truth.domains)


@pytest.mark.parametrize(("m", "runs", "seed"), [(3, 20, 0), (3, 40, 1), (5, 30, 2),
                                                 (5, 40, 3)])
def test_optimised_mixture_is_within_half_a_percent_of_the_true_optimum(m, runs, seed):
    truth, fit = fitted(m, runs, seed)
    target = {d: 1.0 for d in truth.validation}
    proposal = sl.mixing.optimise(fit, target)
    best = sl.mixing.optimise(truth, target)
    w = truth.weights(target)
    r = np.array([proposal.mixture[d] for d in truth.domains])
    true_at_proposal = float(truth.target(r, w)[0])
    # the criterion asked of the optimiser: the proposal's true loss within 0.5% of the
    # true optimum, on 20-40 runs with 1% noise (the law's flat floor around the optimum
    # makes this far looser than the coefficients' errors)
    assert true_at_proposal <= best.predicted_loss * 1.005
    # the true optimum is a lower bound (the optimiser of the true law is exact)
    assert true_at_proposal >= best.predicted_loss * (1 - 1e-9)
    assert abs(sum(proposal.mixture.values()) - 1) < 1e-9
    lo, hi = proposal.interval
    assert lo < proposal.predicted_loss < hi
    # the law's data came from the mixing law, so held-out mixtures choose it
    assert fit.selected == "mixture"
    assert fit.selection.errors["mixture"] < fit.selection.errors["log_linear"]


def test_optimum_beats_uniform_and_current_mixture():
    truth = true_law(3, 0)
    current = {"d0": 0.6, "d1": 0.2, "d2": 0.2}
    proposal = sl.mixing.optimise(truth, current=current)
    assert proposal.predicted_loss <= proposal.baselines["uniform"]["predicted_loss"]
    assert proposal.predicted_loss <= proposal.baselines["current"]["predicted_loss"]
    assert set(proposal.to_dict()) >= {"mixture", "predicted_loss", "interval"}


def test_bounds_and_epoch_caps_hold_and_are_reported():
    truth = true_law(3, 0)
    free = sl.mixing.optimise(truth)
    favourite = max(free.mixture, key=free.mixture.__getitem__)
    # cap the favourite at 2 epochs of 1e9 tokens over a 1e10-token run: at most 0.2
    capped = sl.mixing.optimise(truth, available={favourite: 1e9}, tokens=1e10,
                                max_epochs=2)
    assert capped.mixture[favourite] <= 0.2 + 1e-9
    assert any("epochs" in b for b in capped.binding)
    assert capped.predicted_loss >= free.predicted_loss
    other = next(d for d in truth.domains if d != favourite)
    bounded = sl.mixing.optimise(truth, bounds={other: (0.3, 0.5)})
    assert 0.3 - 1e-9 <= bounded.mixture[other] <= 0.5 + 1e-9


def test_infeasible_constraints_name_the_violated_one():
    truth = true_law(3, 0)
    with pytest.raises(sl.OptionError, match=r"lower bounds sum to 1\.2"):
        sl.mixing.optimise(truth, bounds={"d0": (0.6, 1.0), "d1": (0.6, 1.0)})
    with pytest.raises(sl.OptionError, match="at most 2 epochs of 'd0'"):
        sl.mixing.optimise(truth, bounds={"d0": (0.5, 1.0)}, available={"d0": 1e9},
                           tokens=1e10, max_epochs=2)
    with pytest.raises(sl.OptionError, match="upper bounds sum to"):
        sl.mixing.optimise(truth, available={"d0": 1e8, "d1": 1e8, "d2": 1e8},
                           tokens=1e10, max_epochs=4)


def test_target_domain_absent_from_the_data_is_refused():
    truth = true_law(3, 0)
    with pytest.raises(sl.OptionError, match="'math' has no validation loss"):
        sl.mixing.optimise(truth, {"d0": 0.5, "math": 0.5})


def test_fit_round_trips_through_its_document(tmp_path):
    _, fit = fitted(3, 24, 5)
    path = tmp_path / "mix.json"
    fit.save(path)
    again = sl.mixing.MixingFit.load(path)
    r = {"d0": 0.2, "d1": 0.5, "d2": 0.3}
    assert again.predict(r, {"d0": 1}) == pytest.approx(fit.predict(r, {"d0": 1}), rel=1e-12)
    assert again.selected == fit.selected
    assert again.interval(r) == pytest.approx(fit.interval(r), rel=1e-9)
