"""The Densing law (Xiao et al. 2024, arXiv:2412.04315): the ``density`` catalog law, capacity
density against a reference law, and release dates as numbers."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.density import PUBLISHED_A
from scalinglaws.plan.density import capacity_density, effective_params, release_days

DAYS_PER_MONTH = 365.25 / 12


# -- the catalog law ------------------------------------------------------------------------------
def test_published_rate_doubles_density_every_3_3_months() -> None:
    # The paper: A ≈ 0.007 per day, "doubling approximately every three months" (3.3 in its
    # Fig. 1). ln 2 / 0.007 = 99.0 days = 3.25 months; A is given to one significant figure
    # (0.0065-0.0075 -> 3.0-3.5 months), so 3.3 ± 0.1 months is as close as it can be checked.
    months = math.log(2) / PUBLISHED_A / DAYS_PER_MONTH
    assert months == pytest.approx(3.3, abs=0.1)


def test_law_with_the_published_rate_doubles_over_the_doubling_time() -> None:
    law = sl.laws.get("density")
    ref = law.reference
    assert ref["A"] == PUBLISHED_A
    t = np.array([-200.0, 0.0, 150.0])
    doubling = math.log(2) / ref["A"]
    ratio = law(ref, t=t + doubling) / law(ref, t=t)
    np.testing.assert_allclose(ratio, 2.0, rtol=1e-12)  # exact for an exponential
    assert law.inputs == {"t": "release_days"} and law.target == "density"


def synthetic_frontier(a: float, b: float, noise: float, seed: int) -> tuple[sl.Dataset, float]:
    """Max densities on 30 release dates from Llama-1 (2023-02-24) to late 2024, with
    lognormal noise; returns the data and the OLS standard error of A on this design."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-02-24")
    dates = [start + pd.Timedelta(days=int(d)) for d in np.linspace(0, 640, 30)]
    t = release_days(dates)
    rho = np.exp(a * t + b) * np.exp(noise * rng.standard_normal(t.size))
    sd_a = noise / math.sqrt(float(((t - t.mean()) ** 2).sum()))
    frame = pd.DataFrame({"release_days": t, "density": rho})
    return sl.Dataset.from_frame(frame), sd_a


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_recovers_the_growth_rate_of_synthetic_exponential_growth(seed: int) -> None:
    ds, sd_a = synthetic_frontier(PUBLISHED_A, -1.0, noise=0.05, seed=seed)
    fit = sl.fit("density", ds, loss="mse_log")
    assert fit.status is sl.FitStatus.CONVERGED
    # mse_log on ln(rho) = A t + B is ordinary least squares: A's error is normal with the
    # OLS standard error (about 5e-5 here, 0.7% of A); 4 sd fails by chance 6e-5 of the time
    assert abs(fit.params["A"] - PUBLISHED_A) < 4 * sd_a
    doubling_months = math.log(2) / fit.params["A"] / DAYS_PER_MONTH
    assert doubling_months == pytest.approx(3.25, rel=4 * sd_a / PUBLISHED_A)


# -- capacity density -----------------------------------------------------------------------------
def test_a_model_on_the_reference_law_has_density_one(chinchilla_fit: sl.FitResult) -> None:
    params = np.array([4e8, 7e9, 7e10])
    tokens = np.array([8e9, 1.4e11, 1.4e12])
    loss = chinchilla_fit.predict(params=params, tokens=tokens)
    # the bisection in log N runs to machine precision; 1e-9 leaves room for rounding
    np.testing.assert_allclose(effective_params(chinchilla_fit, loss=loss, tokens=tokens),
                               params, rtol=1e-9)
    np.testing.assert_allclose(
        capacity_density(chinchilla_fit, params=params, loss=loss, tokens=tokens), 1.0,
        rtol=1e-9)
    one = capacity_density(chinchilla_fit, params=7e9, loss=float(loss[1]), tokens=1.4e11)
    assert isinstance(one, float) and one == pytest.approx(1.0, rel=1e-9)


def test_lower_loss_than_the_reference_means_density_above_one(
        chinchilla_fit: sl.FitResult) -> None:
    on_law = chinchilla_fit.predict(params=2.4e9, tokens=1e12)
    losses = on_law + np.array([0.05, 0.0, -0.02, -0.05])
    rho = capacity_density(chinchilla_fit, params=2.4e9, loss=losses, tokens=1e12)
    assert rho[0] < 1.0 < rho[2] < rho[3]  # lower loss, denser model
    assert rho[1] == pytest.approx(1.0, rel=1e-9)
    # density is N_hat / N: the same loss from a model half the size is twice as dense
    half = capacity_density(chinchilla_fit, params=1.2e9, loss=losses[3], tokens=1e12)
    assert half == pytest.approx(2 * rho[3], rel=1e-12)


def test_capacity_density_arguments_broadcast(chinchilla_fit: sl.FitResult) -> None:
    params = np.array([[1e9], [4e9]])
    tokens = np.array([1e11, 1e12])
    loss = chinchilla_fit.predict(params=params, tokens=tokens)
    rho = capacity_density(chinchilla_fit, params=params, loss=loss, tokens=tokens)
    assert rho.shape == (2, 2)
    np.testing.assert_allclose(rho, 1.0, rtol=1e-9)


@pytest.mark.parametrize("params", [0.0, -7e9, [7e9, 0.0], float("nan"), "7B"])
def test_non_positive_params_are_rejected(chinchilla_fit: sl.FitResult, params) -> None:
    with pytest.raises(sl.ScalingLawError, match="params must be positive"):
        capacity_density(chinchilla_fit, params=params, loss=2.2, tokens=1e12)


def test_bad_loss_and_tokens_are_rejected(chinchilla_fit: sl.FitResult) -> None:
    with pytest.raises(sl.ScalingLawError, match="loss must be positive"):
        effective_params(chinchilla_fit, loss=-1.0, tokens=1e12)
    with pytest.raises(sl.ScalingLawError, match="tokens must be positive"):
        effective_params(chinchilla_fit, loss=2.2, tokens=0)
    with pytest.raises(sl.ScalingLawError, match="do not broadcast"):
        capacity_density(chinchilla_fit, params=[1e9, 2e9, 3e9], loss=[2.2, 2.3],
                         tokens=1e12)


def test_loss_below_the_reference_floor_has_no_effective_size(
        chinchilla_fit: sl.FitResult) -> None:
    p = chinchilla_fit.params
    floor = p["E"] + p["B"] / 1e12 ** p["beta"]  # unlimited parameters at 1e12 tokens
    with pytest.raises(sl.QueryError, match="unlimited params"):
        capacity_density(chinchilla_fit, params=7e9, loss=floor - 1e-3, tokens=1e12)


# -- release dates --------------------------------------------------------------------------------
def test_release_days_reads_the_usual_date_types() -> None:
    assert release_days("2024-01-01") == 0.0
    assert release_days("2024-03-01") == 60.0  # 2024 is a leap year: 31 + 29 days
    assert release_days("2023-02-24") == -311.0  # Llama-1
    assert release_days(dt.date(2024, 1, 11)) == 10.0
    assert release_days(dt.datetime(2024, 1, 1, 12)) == 0.5
    assert release_days(np.datetime64("2024-01-02")) == 1.0
    assert release_days(pd.Timestamp("2023-12-31")) == -1.0
    tz = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    assert release_days(tz) == 1.0
    many = release_days(["2023-12-31", "2024-01-02"])
    assert isinstance(many, np.ndarray) and many.tolist() == [-1.0, 1.0]
    assert release_days("2024-01-11", epoch="2024-01-10") == 1.0


@pytest.mark.parametrize("bad", ["not a date", "2024-13-45", 20240101, None, []])
def test_unreadable_dates_are_rejected(bad) -> None:
    with pytest.raises(sl.DataError) as err:
        release_days(bad)
    assert "date" in str(err.value)


def test_unreadable_date_in_a_list_is_named_by_position() -> None:
    with pytest.raises(sl.DataError, match="item 1"):
        release_days(["2024-01-01", "Q3 2024"])
