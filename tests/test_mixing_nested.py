"""The nested pipeline (Ye et al. 2024, Algorithm 1) on synthetic runs: a size law, a step
law and the mixing law, all with known coefficients."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from mixcases import NESTED_DOMAINS as DOMAINS
from mixcases import SIZES, STEPS, TARGET_PARAMS, TARGET_STEPS, nested_runs
from mixcases import nested_truth as truth

import scalinglaws as sl

NOISE = 0.01  # 1% lognormal noise on every logged loss


@pytest.fixture(scope="module")
def small_runs() -> pd.DataFrame:
    return nested_runs(3, NOISE)


@pytest.fixture(scope="module")
def unseen() -> np.ndarray:
    return np.random.default_rng(99).dirichlet(np.ones(3), 10)


@pytest.mark.slow
def test_nested_pipeline_predicts_unseen_mixtures_at_scale(small_runs, unseen):
    fit = sl.mixing.nested(small_runs, DOMAINS, target_params=TARGET_PARAMS,
                           target_steps=TARGET_STEPS, n_boot=50)
    expected = truth(unseen, TARGET_PARAMS, TARGET_STEPS)
    got = np.column_stack([fit.predict(unseen)[d] for d in DOMAINS])
    nested_error = np.abs(got / expected - 1)
    # the criterion asked: within 1% on mixtures no run used, after extrapolating 3.3x in
    # size and in steps at 1% noise. With the true law's form known, the noise alone leaves
    # a mean error of 0.18% and a largest of 0.48% over such 30 predictions (the delta
    # method at the true coefficients, benchmarks/bench_nested.py, 20 designs)
    assert nested_error.max() < 0.01
    assert nested_error.mean() < 0.004
    # the mixing law fitted on the small runs alone (largest size, last step) misses by more
    largest = small_runs[(small_runs["params"] == SIZES[-1])
                         & (small_runs["step"] == STEPS[-1])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = sl.mixing.fit(largest, DOMAINS, regressor="mixture")
    naive = np.column_stack([alone.predict(unseen)[d] for d in DOMAINS])
    assert np.abs(naive / expected - 1).mean() > 5 * nested_error.mean()
    # the bootstrap interval brackets its prediction, and the extrapolated table is reported
    weights = {"web": 0.5, "code": 0.5}
    lo, hi = fit.interval(unseen[0], weights)
    assert lo < fit.predict(unseen[0], weights) < hi
    assert len(fit.draws) == 50 and len(fit.extrapolated) == 20
    assert {"loss_web", "stderr_web"} <= set(fit.extrapolated.columns)
    # 90% intervals of each domain's loss and of the web/code loss. The 40 intervals of one
    # design share the exponents' error, so they miss together, not one in ten each: over 20
    # designs the benchmark measured 88% of them held (28 to 40 of 40 per design, 30
    # resamples); this design, with 50, must hold at least 30
    covered = []
    for target in ({"web": 1.0}, {"code": 1.0}, {"books": 1.0}, weights):
        w = np.array([target.get(d, 0.0) for d in DOMAINS])
        for r, t in zip(unseen, expected @ w, strict=True):
            a, b = fit.interval(r, target, 0.9)
            covered.append(a <= t <= b)
    assert sum(covered) >= 30, sum(covered)


def test_a_mixture_run_at_too_few_sizes_is_named(small_runs):
    few = small_runs[small_runs["params"] <= SIZES[1]]
    with pytest.raises(sl.DataError, match="2 size"):
        sl.mixing.nested(few, DOMAINS, target_params=TARGET_PARAMS,
                         target_steps=TARGET_STEPS, n_boot=0)
    short = small_runs[small_runs["step"] <= STEPS[1]]
    with pytest.raises(sl.DataError, match="has 2 step"):
        sl.mixing.nested(short, DOMAINS, target_params=TARGET_PARAMS,
                         target_steps=TARGET_STEPS, n_boot=0)
    with pytest.raises(sl.DataError, match="'step'"):
        sl.mixing.nested(small_runs.drop(columns="step"), DOMAINS,
                         target_params=TARGET_PARAMS, target_steps=TARGET_STEPS)
