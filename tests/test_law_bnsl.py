"""The Broken Neural Scaling Law (Caballero et al. 2022, arXiv:2210.14891, eq. 1): the paper's
4-digit addition extrapolation, breaks found on synthetic data, and the ``breaks`` option."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import LawError
from scalinglaws.laws.published.bnsl import first_guess

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bnsl_4digit_addition"
CSV = DATA / "four_digit_addition.csv"

# the paper's code (fit_bnsl_and_extrapolate__4_digit_addition__dataset_size_x-axis.py, rerun)
PAPER_PARAMS = {"a": 0.4138832, "b": 2.2772736, "c0": 0.0550773, "c1": 5.6628913,
                "d1": 612.58353, "f1": 0.0591930}
PAPER_PRED = np.array([0.760, 0.637, 0.563])
#: RMSLE of the paper's code on the 3 extrapolated points (rerun; printed 0.0109 in MANIFEST)
PAPER_RMSLE = 0.010916


def rmsle(pred: np.ndarray, true: np.ndarray) -> float:
    """The paper script's definition: sqrt(mean((ln pred - ln true)²)), natural log, no +1
    (its ``bnsl_with_1_break__sle``; the +1 appears only in its fitting objective)."""
    return float(np.sqrt(np.mean((np.log(pred) - np.log(true)) ** 2)))


@pytest.fixture(scope="module")
def addition() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not CSV.exists():
        pytest.skip(f"reference data not found: {CSV}")
    frame = pd.read_csv(CSV)
    return frame[frame.split == "train"], frame[frame.split == "extrapolate"]


def _fit_addition(train: pd.DataFrame, **kwargs) -> sl.FitResult:
    with pytest.warns(sl.ScalingLawWarning):  # 14 points for 6 parameters: flagged as thin
        return sl.fit("bnsl", sl.Dataset.from_frame(train), x="dataset_size",
                      y="test_cross_entropy", **kwargs)


def test_four_digit_addition_default_fit_extrapolates_like_the_paper(addition):
    train, test = addition
    fit = _fit_addition(train)
    assert fit.status is sl.FitStatus.CONVERGED
    pred = fit.predict(extrapolation=None, dataset_size=test.dataset_size.to_numpy())
    train_err = rmsle(fit.predict(extrapolation=None, dataset_size=train.dataset_size.to_numpy()),
                      train.test_cross_entropy.to_numpy())
    test_err = rmsle(pred, test.test_cross_entropy.to_numpy())
    # Measured: train 0.000599 (paper's code 0.000598), extrapolated 0.011257 (paper 0.010916).
    # 0.0109 is out of reach for the default objective: its global optimum (the same from
    # the paper's parameters and from 3,000 random starts) gives 0.01126. The paper fits the
    # squared error of ln(y + 1), which weights the low-loss points by (y/(y+1))² relative to
    # ln y: see the next test, where that objective gives the paper's 0.0109 in this engine.
    assert train_err <= 0.0007
    assert test_err <= 0.0113
    # the three predictions within 0.5% of the paper's (measured 0.761, 0.639, 0.564)
    np.testing.assert_allclose(pred, PAPER_PRED, rtol=0.005)
    # the default search (no init) reached the optimum that the paper's own fit leads to
    polished = _fit_addition(train, init=PAPER_PARAMS)
    assert fit.objective == pytest.approx(polished.objective, rel=1e-8)


@pytest.mark.slow
def test_the_papers_objective_matches_the_papers_code_without_initialisation(addition):
    # loss="mse_log1p" is the paper's objective (squared error of ln(1 + y)); from the
    # default search, no init, the engine lands on the paper code's fit: RMSLE 0.010916 on
    # the extrapolated points (the paper's 0.0109), predictions 0.760, 0.637, 0.563
    train, test = addition
    fit = _fit_addition(train, loss="mse_log1p")
    assert fit.status is sl.FitStatus.CONVERGED
    pred = fit.predict(extrapolation=None, dataset_size=test.dataset_size.to_numpy())
    assert rmsle(pred, test.test_cross_entropy.to_numpy()) <= PAPER_RMSLE * (1 + 1e-4)
    np.testing.assert_allclose(pred, PAPER_PRED, atol=6e-4)  # printed to 3 decimals
    # the same optimum as the law written as ln(1 + y) and fitted by squared error
    law = sl.laws.get("bnsl")
    log1p = sl.Law(f"log(1 + {law.expression})", inputs={"x": None},
                   parameters=list(law.parameters))
    frame = train.assign(log1p_loss=np.log1p(train.test_cross_entropy))
    with pytest.warns(sl.ScalingLawWarning):
        direct = sl.fit(log1p, sl.Dataset.from_frame(frame), x="dataset_size",
                        y="log1p_loss", loss="mse", init=dict(fit.params))
    for name, value in direct.params.items():
        assert fit.params[name] == pytest.approx(value, rel=1e-5), name


def _synthetic(breaks: int, seed: int, n: int = 40) -> tuple[dict, np.ndarray, sl.Dataset]:
    """True parameters drawn from the law's typical ranges (b, c_i, d_i, f_i; log-uniform
    where the parameter is searched in log space), the floor a set to a random fraction
    (0.1..1) of the power-law term at the largest x: the curve must not have sunk onto its
    floor before the last break, else no fit can locate that break. n log-spaced points over
    the law's ``ranges`` (two decades per break), 1% lognormal noise."""
    name = "bnsl" if breaks == 1 else f"bnsl(breaks={breaks})"
    law = sl.laws.get(name)
    rng = np.random.default_rng(seed)
    true = {}
    for p in law.parameters:
        lo, hi = p.typical
        true[p.name] = float(np.exp(rng.uniform(np.log(lo), np.log(hi))) if p.log
                             else rng.uniform(lo, hi))
    low, high = law.ranges["x"]
    x = np.geomspace(low, high, n)
    term = law({**true, "a": 0.0}, x=high)
    true["a"] = float(term * rng.uniform(0.1, 1.0))
    y = law(true, x=x) * np.exp(0.01 * rng.standard_normal(n))
    return true, x, sl.Dataset.from_frame(pd.DataFrame({"size": x, "loss": y}))


@pytest.mark.slow
@pytest.mark.parametrize(("breaks", "seed"), [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1)])
def test_fit_finds_every_break_on_synthetic_data(breaks, seed):
    true, x, ds = _synthetic(breaks, seed)
    name = "bnsl" if breaks == 1 else f"bnsl(breaks={breaks})"
    fit = sl.fit(name, ds, x="size")
    # Breaks are interchangeable in eq. 1 (the product commutes): compare them in order of
    # position. Criterion: |ln d_fit - ln d_true| <= 0.1 · ln(x_max / x_min). The points are
    # 2.6% of that log-range apart, so 10% is four point spacings: loose for noise (over 70
    # random truths the largest error measured was 1.2% with one break, 0.9% with two) and
    # tight for a wrong basin (a missed break lands 30-50% of the range away).
    span = math.log(x.max() / x.min())
    got = sorted(math.log(fit.params[f"d{i}"]) for i in range(1, breaks + 1))
    want = sorted(math.log(true[f"d{i}"]) for i in range(1, breaks + 1))
    errors = np.abs(np.array(got) - np.array(want)) / span
    assert np.all(errors <= 0.1), errors


@pytest.mark.parametrize("breaks", [4, -1, 1.5, True, "2"])
def test_breaks_outside_zero_to_three_is_a_law_error(breaks):
    with pytest.raises(LawError, match=r"'breaks'.*0 to 3"):
        sl.laws.get("bnsl", breaks=breaks)


@pytest.mark.slow
def test_text_forms_and_unknown_options():
    with pytest.raises(LawError, match="breaks"):
        sl.laws.get("bnsl(breaks=4)")
    with pytest.raises(LawError, match="foo"):
        sl.laws.get("bnsl(foo=1)")
    for k in range(4):
        law = sl.laws.get("bnsl", breaks=k)
        assert law.name == ("bnsl" if k == 1 else f"bnsl(breaks={k})")
        again = sl.laws.get(law.name)
        assert again.expression == law.expression and again.name == law.name
        assert len(law.parameters) == 3 + 3 * k
    assert sl.laws.get("bnsl(breaks=1)").name == "bnsl"


@pytest.mark.slow
def test_fit_with_the_text_form_of_two_breaks():
    true, _, ds = _synthetic(2, 3)
    fit = sl.fit("bnsl(breaks=2)", ds, x="size")
    assert fit.law.name == "bnsl(breaks=2)"
    assert fit.status in (sl.FitStatus.CONVERGED, sl.FitStatus.AT_BOUND)
    x = np.geomspace(1e2, 1e6, 7)
    # within 2% of the noise-free law on the data's range (the noise is 1%)
    np.testing.assert_allclose(fit.predict(extrapolation=None, size=x),
                               sl.laws.get("bnsl(breaks=2)")(true, x=x), rtol=0.02)


def test_zero_breaks_is_a_power_law_plus_constant():
    law = sl.laws.get("bnsl", breaks=0)
    x = np.geomspace(10, 1e6, 5)
    np.testing.assert_allclose(law({"a": 0.3, "b": 4.0, "c0": 0.2}, x=x), 0.3 + 4.0 * x**-0.2,
                               rtol=1e-12)


def test_first_guess_rows_are_usable_starts():
    true, x, ds = _synthetic(1, 5)
    y = ds.column("loss")
    rows = first_guess(x, y, 1)
    law = sl.laws.get("bnsl")
    assert rows.shape[1] == len(law.parameters) and len(rows) >= 6
    assert np.isfinite(rows).all() and (rows[:, 0] > 0).all()
    # the best scanned row already puts the break within 10% of the log-range
    err = abs(math.log(rows[0, 4] / true["d1"])) / math.log(x.max() / x.min())
    assert err <= 0.1
    # no positive x: no guess (the grid alone starts the fit)
    assert first_guess(-x, y, 1).shape == (0, 6)
