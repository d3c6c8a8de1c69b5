"""The bootstrap, its intervals, the delta method and the profile likelihood."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import scalinglaws as sl
from scalinglaws.uncertainty import intervals as iv
from scalinglaws.uncertainty import profile as pr
from scalinglaws.uncertainty.batchfit import refit_weighted
from scalinglaws.uncertainty.refit import estimate_search, fit_objective
from scalinglaws.uncertainty.resample import (
    FEW_CLUSTERS,
    MIN_CLUSTERS,
    bootstrap_weights,
    clusters,
    distinct_resamples,
)

# Epoch AI's 95% bootstrap intervals for the Chinchilla fit (arXiv:2404.10102, Table 1 / MANIFEST)
EPOCH_95 = {"A": (285, 744), "B": (1042, 5810), "E": (1.769, 1.871),
            "alpha": (0.317, 0.373), "beta": (0.331, 0.415)}


@pytest.fixture(scope="module")
def chinchilla_boot(chinchilla_fit: sl.FitResult) -> sl.Bootstrap:
    return chinchilla_fit.bootstrap(1000, seed=0)


def test_bootstrap_reproduces_epoch_intervals(chinchilla_boot: sl.Bootstrap) -> None:
    # Epoch resampled the same 240 points with replacement and refitted each resample. The
    # 2.5% and 97.5% quantiles of 1,000 resamples carry Monte Carlo error: for alpha the
    # quantile's standard error is ~sqrt(.025*.975/1000)/density ≈ 0.002, and the heavy right
    # tail of B makes its upper end the least stable (sd ~5%). Tolerances: 6% of each end for
    # A and B, 0.006 for E, 0.004 for alpha and beta (about 2 Monte Carlo standard errors).
    assert chinchilla_boot.n_failed == 0
    for name, (lo_ref, hi_ref) in EPOCH_95.items():
        lo, hi = chinchilla_boot.interval(name, 0.95)
        if name in ("A", "B"):
            assert lo == pytest.approx(lo_ref, rel=0.06), name
            assert hi == pytest.approx(hi_ref, rel=0.06), name
        else:
            tol = 0.006 if name == "E" else 0.004
            assert abs(lo - lo_ref) < tol and abs(hi - hi_ref) < tol, (name, lo, hi)


def test_batched_resamples_equal_individual_refits(chinchilla_fit: sl.FitResult,
                                                   chinchilla_kept: sl.Dataset,
                                                   chinchilla_boot: sl.Bootstrap) -> None:
    W = bootstrap_weights(clusters(chinchilla_kept, None), 3, np.random.default_rng(0))
    for k in range(3):
        single = sl.fit("chinchilla", chinchilla_kept, weights=W[k])
        values = np.array([single.params[n] for n in chinchilla_boot.names])
        np.testing.assert_allclose(chinchilla_boot.samples[k], values, rtol=1e-6)


def test_bootstrap_summary_pieces(chinchilla_fit: sl.FitResult,
                                  chinchilla_boot: sl.Bootstrap) -> None:
    frame = chinchilla_boot.params
    assert list(frame.columns) == ["A", "B", "E", "alpha", "beta"]
    assert len(frame) == 1000
    cov = chinchilla_boot.cov
    assert cov.shape == (5, 5) and np.allclose(cov, cov.T)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    # bootstrap spread of alpha is of the order of the sandwich standard error
    assert 0.3 < chinchilla_boot.stderr["alpha"] / chinchilla_fit.stderr["alpha"] < 3
    table = chinchilla_boot.summary_frame()
    assert (table["lower"] < table["estimate"]).all() and (table["estimate"] < table["upper"]).all()
    assert "1000 resamples" in repr(chinchilla_boot)


def test_bca_matches_scipy_on_a_skewed_mean() -> None:
    # BCa of the mean of an exponential sample, against scipy's implementation; both use
    # 20,000 resamples, so the ends agree to Monte Carlo error (~1% of the width)
    rng = np.random.default_rng(0)
    x = rng.exponential(size=40)
    idx = rng.integers(0, x.size, size=(20000, x.size))
    means = x[idx].mean(axis=1)
    jack = (x.sum() - x) / (x.size - 1)
    lo, hi = iv.bca(means, float(x.mean()), jack, 0.9)
    ref = stats.bootstrap((x,), np.mean, confidence_level=0.9, method="BCa", n_resamples=20000,
                          random_state=1).confidence_interval
    width = ref.high - ref.low
    assert abs(lo - ref.low) < 0.03 * width and abs(hi - ref.high) < 0.03 * width
    # the skew moves BCa to the right of the percentile interval
    plo, phi = iv.percentile(means, 0.9)
    assert lo > plo and hi > phi


def test_bca_interval_on_the_fit(chinchilla_fit: sl.FitResult,
                                 chinchilla_boot: sl.Bootstrap) -> None:
    lo, hi = chinchilla_boot.interval("alpha", 0.95, method="bca")
    plo, phi = chinchilla_boot.interval("alpha", 0.95)
    assert lo < chinchilla_fit.params["alpha"] < hi
    # BCa corrects, it does not reinvent: the ends stay within a third of the width
    assert abs(lo - plo) < (phi - plo) / 3 and abs(hi - phi) < (phi - plo) / 3
    assert chinchilla_boot.jackknife().shape == (240, 5)


def _cluster_data() -> sl.Dataset:
    rng = np.random.default_rng(5)
    rows = []
    for run in range(12):
        N = 10 ** rng.uniform(7, 9)
        shift = rng.normal(0, 0.02)
        for D in np.geomspace(1e9, 1e11, 6):
            loss = (1.7 + 400 * N**-0.34 + 1500 * D**-0.36) * np.exp(shift + rng.normal(0, 0.003))
            rows.append({"run": f"r{run}", "params": N, "tokens": D, "loss": loss})
    return sl.Dataset.from_frame(pd.DataFrame(rows))


def test_cluster_bootstrap_is_wider_when_runs_share_errors() -> None:
    # each run has a common offset (2%) far larger than its per-checkpoint noise (0.3%):
    # resampling points pretends 72 independent observations, resampling runs knows there are 12
    ds = _cluster_data()
    f = sl.fit("chinchilla", ds, loss="mse_log")
    by_point = f.bootstrap(300, seed=0)
    by_run = f.bootstrap(300, by="run", seed=0)
    assert by_run.n_clusters == 12 and by_run.by == "run"
    w_point = np.subtract(*by_point.interval("alpha", 0.9)[::-1])
    w_run = np.subtract(*by_run.interval("alpha", 0.9)[::-1])
    assert w_run > 1.5 * w_point


def test_cluster_weights_keep_clusters_whole() -> None:
    ds = _cluster_data()
    cl = clusters(ds, "run")
    W = bootstrap_weights(cl, 50, np.random.default_rng(0))
    assert W.shape == (50, len(ds))
    for label in range(cl.count):
        members = W[:, cl.index == label]
        assert (members == members[:, :1]).all()  # a run is drawn whole
    assert np.allclose(W.reshape(50, 12, 6)[:, :, 0].sum(axis=1), 12)


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"n": 1}, "at least 2 resamples"),
    ({"n": 2.5}, "must be an integer"),
    ({"n": 10, "by": "nope"}, "no such column"),
])
def test_bootstrap_bad_input(chinchilla_fit: sl.FitResult, kwargs: dict,
                             fragment: str) -> None:
    with pytest.raises(sl.ScalingLawError, match=fragment):
        chinchilla_fit.bootstrap(**kwargs)


def _with_seeds(k: int) -> sl.FitResult:
    """The cluster data fitted, with a ``seed`` column of ``k`` values (runs dealt in turn)."""
    frame = _cluster_data().to_frame()
    frame["seed"] = [f"s{i % k}" for i in range(len(frame) // 6) for _ in range(6)]
    return sl.fit("chinchilla", sl.Dataset.from_frame(frame), loss="mse_log")


def test_cluster_count_below_two_is_refused() -> None:
    frame = _cluster_data().to_frame()
    frame["family"] = "one"
    f = sl.fit("chinchilla", sl.Dataset.from_frame(frame), loss="mse_log")
    with pytest.raises(sl.DataError, match="1 distinct value"):
        f.bootstrap(10, by="family")


@pytest.mark.parametrize(("k", "resamples"), [(2, 3), (3, 10), (4, 35)])
def test_cluster_bootstrap_over_few_clusters_is_refused(k: int, resamples: int) -> None:
    # two seeds give three distinct resamples ({1,1}, {1,2}, {2,2}): 200 resamples are three
    # fits repeated, and an interval end is the estimate itself
    f = _with_seeds(k)
    with pytest.raises(sl.DataError) as info:
        f.bootstrap(200, by="seed", seed=0)
    text = str(info.value)
    assert f"{k} distinct value(s)" in text and f"only {resamples} distinct resample" in text
    assert "column 'seed'" in text and "by=None" in text and "more seed values" in text


def test_cluster_bootstrap_over_5_to_9_clusters_warns() -> None:
    f = _with_seeds(MIN_CLUSTERS)
    with pytest.warns(sl.ScalingLawWarning, match="only 5 clusters \\(126 distinct resamples"):
        bs = f.bootstrap(20, by="seed", seed=0)
    assert bs.n_clusters == 5 and bs.ok.all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", sl.ScalingLawWarning)
        f.bootstrap(20, by="run", seed=0)  # 12 runs: no warning


def test_distinct_resamples_counts_multisets() -> None:
    # every way of drawing k of k clusters with replacement, as cluster counts: C(2k-1, k)
    import itertools

    for k in range(1, 6):
        draws = itertools.product(range(k), repeat=k)
        seen = {tuple(np.bincount(d, minlength=k)) for d in draws}
        assert distinct_resamples(k) == len(seen) == math.comb(2 * k - 1, k)
    assert MIN_CLUSTERS < FEW_CLUSTERS


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, "x"])
def test_interval_level_outside_zero_one(chinchilla_boot: sl.Bootstrap, level: object) -> None:
    with pytest.raises(sl.OptionError, match="strictly between 0 and 1"):
        chinchilla_boot.interval("alpha", level)  # type: ignore[arg-type]


def test_unknown_parameter_and_method(chinchilla_boot: sl.Bootstrap) -> None:
    with pytest.raises(sl.OptionError, match="unknown parameter 'gamma'"):
        chinchilla_boot.interval("gamma")
    with pytest.raises(sl.OptionError, match="unknown interval method"):
        chinchilla_boot.interval("alpha", method="studentized")


def test_prediction_intervals(chinchilla_fit: sl.FitResult, chinchilla_boot: sl.Bootstrap) -> None:
    at = {"params": np.array([1e9, 7e10, 1e12]), "tokens": np.array([2e10, 1.4e12, 2e13])}
    mid = chinchilla_fit.predict(**at)
    lo, hi = chinchilla_boot.predict_interval(0.9, **at)
    assert np.all(lo < mid) and np.all(mid < hi)
    rel_width = (hi - lo) / mid
    assert rel_width[2] > rel_width[1]  # wider the further out
    olo, ohi = chinchilla_boot.prediction_interval(0.9, **at)
    assert np.all(olo <= lo) and np.all(ohi >= hi)  # observation noise on top
    slo, shi = chinchilla_boot.predict_interval(0.9, params=7e10, tokens=1.4e12)
    assert isinstance(slo, float) and slo < chinchilla_fit.predict(params=7e10, tokens=1.4e12) < shi


def test_fit_carries_bootstrap_through_a_file(tmp_path, chinchilla_fit: sl.FitResult,
                                              chinchilla_boot: sl.Bootstrap) -> None:
    with_boot = chinchilla_fit.with_bootstrap(chinchilla_boot)
    path = tmp_path / "fit.json"
    with_boot.save(path)
    back = sl.load_fit(path)
    assert back.uncertainty is not None and back.uncertainty.n == 1000
    a = with_boot.predict_interval(0.9, params=7e10, tokens=1.4e12)
    b = back.predict_interval(0.9, params=7e10, tokens=1.4e12)
    assert a == pytest.approx(b, rel=1e-12)
    assert back.uncertainty.interval("beta") == pytest.approx(chinchilla_boot.interval("beta"))
    with pytest.raises(sl.OptionError, match="need the fit's data"):
        back.uncertainty.interval("beta", method="bca")


def test_loaded_fit_bootstraps_only_on_its_own_data(tmp_path, chinchilla_fit: sl.FitResult,
                                                    chinchilla_kept: sl.Dataset) -> None:
    # a record saved without its runs (an older file)
    back = sl.FitResult.from_dict({k: v for k, v in chinchilla_fit.to_dict().items()
                                   if k != "data"})
    with pytest.raises(sl.OptionError, match="does not carry its data"):
        back.bootstrap(10)
    assert back.bootstrap(20, data=chinchilla_kept, seed=0).n == 20
    with pytest.raises(sl.DataError, match="not the data the fit was made on"):
        back.bootstrap(10, data=chinchilla_kept[:200])


def _synthetic_power(seed: int, n: int = 40, noise: float = 0.02) -> sl.Dataset:
    rng = np.random.default_rng(seed)
    x = np.geomspace(1e6, 1e9, n)
    y = (1.5 + 300 * x**-0.3) * np.exp(rng.normal(0, noise, n))
    return sl.Dataset.from_frame(pd.DataFrame({"flops": x, "loss": y}))


def test_delta_method_interval_agrees_with_bootstrap() -> None:
    f = sl.fit("power_law", _synthetic_power(1), x="flops", loss="mse_log")
    assert f.uncertainty is None
    lo, hi = f.predict_interval(0.9, flops=1e10)  # delta method
    blo, bhi = f.bootstrap(1000, seed=0).predict_interval(0.9, flops=1e10)
    # one decade beyond the data both are normal-ish: widths within 30%
    assert (hi - lo) == pytest.approx(bhi - blo, rel=0.3)
    olo, ohi = f.predict_interval(0.9, kind="observation", flops=1e10)
    assert olo < lo and ohi > hi
    with pytest.raises(sl.OptionError, match="unknown interval kind"):
        f.predict_interval(0.9, kind="median", flops=1e10)


@pytest.mark.parametrize(("loss", "delta"), [("mse_log", 1e-3), ("huber", 0.05)])
def test_profile_agrees_with_bootstrap(loss: str, delta: float) -> None:
    # well-posed: 60 points over three decades, 2% noise, delta not far below the noise
    f = sl.fit("power_law", _synthetic_power(3, n=60), x="flops", loss=loss, delta=delta)
    boot = f.bootstrap(2000, seed=1)
    for name in ("alpha", "E"):
        plo, phi = f.profile(name).interval()
        blo, bhi = boot.interval(name, 0.95)
        width = bhi - blo
        # two routes to the same interval: ends within 20% of its width
        assert abs(plo - blo) < 0.2 * width and abs(phi - bhi) < 0.2 * width, (name, plo, phi,
                                                                                 blo, bhi)


def test_profile_curve_shape(chinchilla_fit: sl.FitResult) -> None:
    prof = chinchilla_fit.profile("alpha", points=21)
    assert prof.statistic.min() == pytest.approx(0.0, abs=1e-6)
    frame = prof.to_frame()
    assert list(frame.columns) == ["alpha", "statistic"]
    lo, hi = prof.interval()
    lo90, hi90 = prof.interval(0.9)
    assert lo < lo90 < chinchilla_fit.params["alpha"] < hi90 < hi
    with pytest.raises(sl.OptionError, match="unknown parameter"):
        chinchilla_fit.profile("gamma")


@pytest.mark.slow
def test_bootstrap_intervals_cover_the_truth() -> None:
    # 200 synthetic data sets from a known law with known noise: the 90% percentile intervals
    # of alpha must contain the true 0.3 in 85-95% of them (binomial sd at 200 reps ≈ 2.1%)
    hits = 0
    for seed in range(200):
        f = sl.fit("power_law", _synthetic_power(100 + seed, n=40), x="flops")
        lo, hi = f.bootstrap(200, seed=seed).interval("alpha", 0.9)
        hits += lo <= 0.3 <= hi
    assert 0.85 <= hits / 200 <= 0.95, hits


# -- weighted fits in files -------------------------------------------------------------------
def _weighted_fit() -> tuple[sl.Dataset, sl.FitResult, np.ndarray]:
    ds = _synthetic_power(7, n=40)
    w = np.tile([1.0, 3.0, 0.0, 2.0], 10)
    return ds, sl.fit("power_law", ds, x="flops", loss="mse_log", weights=w), w


def test_weighted_fit_keeps_its_weights_through_a_file(tmp_path) -> None:
    ds, f, w = _weighted_fit()
    path = tmp_path / "fit.json"
    f.save(path)
    back = sl.load_fit(path)
    assert back.case_weights is not None
    np.testing.assert_array_equal(back.case_weights, w)
    # the loaded fit refits the weighted objective: same resamples, same profile
    a, b = f.bootstrap(30, seed=0), back.bootstrap(30, seed=0, data=ds)
    np.testing.assert_allclose(b.samples, a.samples, rtol=1e-10)
    back_profile = back.profile("alpha", data=ds).interval()
    assert back_profile == pytest.approx(f.profile("alpha").interval(), rel=1e-10)


def test_unweighted_records_and_bad_weights_in_a_record(chinchilla_fit: sl.FitResult) -> None:
    record = chinchilla_fit.to_dict()
    assert "case_weights" not in record  # unweighted fits (and older records) carry none
    assert sl.FitResult.from_dict(record).case_weights is None
    _, f, _ = _weighted_fit()
    for bad in ([1.0, 2.0], [1.0] * 39 + [-1.0], [1.0] * 39 + ["nan"], "x"):
        with pytest.raises(sl.ResultFileError, match="case weights"):
            sl.FitResult.from_dict({**f.to_dict(), "case_weights": bad})


def test_weights_that_do_not_match_the_data_are_refused() -> None:
    _, f, w = _weighted_fit()
    with pytest.raises(sl.DataError, match="5 case weights for 40 rows") as info:
        fit_objective(dataclasses.replace(f, case_weights=w[:5]))
    assert info.value.where and info.value.fix


# -- profile ends -----------------------------------------------------------------------------
def _no_floor(seed: int) -> sl.Dataset:
    rng = np.random.default_rng(seed)
    x = np.geomspace(1e6, 1e9, 40)
    y = 300 * x**-0.3 * np.exp(rng.normal(0, 0.02, 40))
    return sl.Dataset.from_frame(pd.DataFrame({"flops": x, "loss": y}))


def _statistic_at(fit: sl.FitResult, name: str, value: float) -> float:
    """The profile statistic of one refit pinned at ``value`` (natural units)."""
    obj = fit_objective(fit)
    u = estimate_search(fit, obj)
    j = fit.law.parameter_names.index(name)
    pinned = math.log(value) if obj.log_mask[j] else value
    f_hat = float(obj.value(u[None, :])[0])
    return float(pr._profile_values(obj, u, j, np.array([pinned]), f_hat,
                                    pr._scale(obj, u))[0])


def test_profile_end_at_a_bound_is_the_bound() -> None:
    # the true exponent 0.3 lies beyond alpha's upper bound 0.2, where the fit stops: no
    # refit can go further, so the upper end is the bound itself (not +inf)
    law = sl.Law.from_expression("E + A*x**(-alpha)", inputs={"x": "flops"},
                                 parameters={"alpha": {"lower": 0.0, "upper": 0.2}})
    with pytest.warns(sl.ScalingLawWarning, match="bound"):
        f = sl.fit(law, _synthetic_power(3), loss="mse_log")
    lo, hi = f.profile("alpha").interval()
    assert hi == 0.2 and 0.15 < lo < 0.2
    # the lower bound 0 of E (a log-scale amplitude): the statistic never crosses below
    g = sl.fit("power_law", _no_floor(0), x="flops", loss="mse_log")
    lo, hi = g.profile("E").interval()
    assert lo == 0.0 and g.params["E"] < hi < 1.0
    # and a profile that ran to a bound without crossing ends there
    v = np.linspace(1.0, 5.0, 9)
    prof = sl.Profile(name="a", estimate=3.0, values=v, statistic=np.zeros(9), level=0.95,
                      lower=1.0, upper=math.inf)
    assert prof.interval() == (1.0, math.inf)


def test_profile_of_a_log_parameter_stuck_near_zero() -> None:
    # data without a floor: E sinks to ~1e-69 at its lower bound 0, with no standard error.
    # The grid must still reach E's upper end (a step of 0.1 log units from 1e-69 did not)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        f = sl.fit("power_law", _no_floor(3), x="flops", loss="mse_log")
    assert f.params["E"] < 1e-20 and not math.isfinite(f.stderr["E"])
    obj = fit_objective(f)
    j = f.law.parameter_names.index("E")
    assert pr._initial_step(f, obj, "E", j, estimate_search(f, obj)) == 2.0
    lo, hi = f.profile("E").interval()
    assert lo == 0.0 and 1e-3 < hi < 1.0
    # the end is where a refit pinned there scores the chi2 quantile
    assert _statistic_at(f, "E", hi) == pytest.approx(stats.chi2.ppf(0.95, 1), rel=1e-3)


def test_profile_ends_that_cannot_be_told_are_nan() -> None:
    v = np.linspace(1.0, 5.0, 9)

    def ends(statistic: list[float]) -> tuple[float, float]:
        return sl.Profile(name="a", estimate=3.0, values=v, statistic=np.array(statistic),
                          level=0.95).interval()

    nan = math.nan
    assert all(math.isnan(e) for e in ends([nan] * 9))  # kappa NaN: nothing is known
    # the refits failed at the far ends, before any crossing: the ends are unknown
    assert all(math.isnan(e) for e in ends([nan, 1.0, 0.5, 0.1, 0.0, 0.1, 0.5, 1.0, nan]))
    # a failed refit inside does not hide a crossing, nor an open end past it
    lo, hi = ends([9.0, 5.0, nan, 0.5, 0.0, 0.5, nan, 1.0, 2.0])
    assert 1.5 < lo < 2.5 and hi == math.inf


# -- delta method -----------------------------------------------------------------------------
def test_delta_interval_without_any_variance_is_nan() -> None:
    f = sl.fit("power_law", _synthetic_power(1), x="flops", loss="mse_log")
    p = len(f.law.parameters)
    failed = dataclasses.replace(f, cov=np.full((p, p), np.nan))
    lo, hi = failed.predict_interval(0.9, flops=1e10)
    assert math.isnan(lo) and math.isnan(hi)
    lo, hi = failed.predict_interval(0.9, kind="observation", flops=[1e9, 1e10])
    assert lo.shape == (2,) and np.isnan(lo).all() and np.isnan(hi).all()
    # a parameter held at a bound (NaN row and column) counts as known; the others still vary
    j = f.law.parameter_names.index("E")
    held, zeroed = np.array(f.cov), np.array(f.cov)
    held[j, :] = held[:, j] = np.nan
    zeroed[j, :] = zeroed[:, j] = 0.0
    lo, hi = dataclasses.replace(f, cov=held).predict_interval(0.9, flops=1e10)
    ref = dataclasses.replace(f, cov=zeroed).predict_interval(0.9, flops=1e10)
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    assert lo < f.predict(flops=1e10) < hi


# -- bootstrap records and failures -----------------------------------------------------------
@pytest.mark.parametrize("change", [
    {"samples": "flat"},  # a flat list of numbers is not resamples
    {"samples": [[1.0, 2.0]] * 1000},  # two columns for five parameters
    {"samples": "first ten"},  # fewer resamples than "n" says
    {"samples": None},
])
def test_malformed_bootstrap_samples_are_refused(chinchilla_fit: sl.FitResult,
                                                 chinchilla_boot: sl.Bootstrap,
                                                 change: dict) -> None:
    record = chinchilla_fit.with_bootstrap(chinchilla_boot).to_dict()
    samples = record["bootstrap"]["samples"]
    value = change["samples"]
    if value == "flat":
        value = [v for row in samples for v in row]
    elif value == "first ten":
        value = samples[:10]
    record["bootstrap"] = {**record["bootstrap"], "samples": value}
    with pytest.raises(sl.ResultFileError, match="bootstrap") as info:
        sl.FitResult.from_dict(record)
    assert info.value.where and info.value.fix


def test_bootstrap_record_of_a_one_parameter_law_needs_its_samples() -> None:
    law = sl.Law.from_expression("A*x**(-0.5)", inputs={"x": "flops"})
    assert law.parameter_names == ("A",)
    with pytest.raises(sl.ResultFileError, match="samples"):
        sl.Bootstrap.from_dict({"samples": None, "n_clusters": 3}, law, np.array([1.0]))
    ok = sl.Bootstrap.from_dict({"samples": [[1.0], [2.0]], "n": 2, "n_clusters": 3}, law,
                                np.array([1.0]))
    assert ok.n == 2


def test_failed_resamples_are_nan_without_numpy_warnings() -> None:
    f = sl.fit("power_law", _synthetic_power(1), x="flops", loss="mse_log")
    obj = fit_objective(f)
    W = np.ones((2, f.n_points))
    W[1] = np.nan  # a weighting no refit can use
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        refits = refit_weighted(obj, estimate_search(f, obj), W)
    assert np.isfinite(refits.params[0]).all() and np.isnan(refits.params[1]).all()
    assert not refits.moved[1]
    p = len(f.law.parameters)
    none_ok = sl.Bootstrap(law=f.law, estimate=np.zeros(p), samples=np.full((3, p), np.nan),
                           by=None, n_clusters=f.n_points, seed=0, n_moved=0,
                           residuals=np.zeros(f.n_points), log_space=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, hi = none_ok.predict_interval(0.9, flops=1e10)
        olo, ohi = none_ok.prediction_interval(0.9, flops=[1e9, 1e10])
    assert math.isnan(lo) and math.isnan(hi)
    assert olo.shape == (2,) and np.isnan(olo).all() and np.isnan(ohi).all()


# -- inputs -----------------------------------------------------------------------------------
def test_inputs_that_do_not_broadcast_are_a_law_error(chinchilla_fit: sl.FitResult,
                                                      chinchilla_boot: sl.Bootstrap) -> None:
    bad = {"params": np.ones(3), "tokens": np.ones(2)}
    calls = [lambda: chinchilla_fit.predict(**bad),
             lambda: chinchilla_fit.law(chinchilla_fit.params, **bad),
             lambda: chinchilla_fit.predict_interval(0.9, **bad),
             lambda: chinchilla_boot.predict_interval(0.9, **bad),
             lambda: chinchilla_boot.prediction_interval(0.9, **bad)]
    for call in calls:
        with pytest.raises(sl.LawError,
                           match=r"inputs params \(3,\) and tokens \(2,\) do not broadcast"
                           ) as info:
            call()
        assert info.value.where and info.value.fix
    with pytest.raises(sl.LawError, match=r"inputs N \(3,\) and D \(2,\)"):
        chinchilla_fit.law(chinchilla_fit.params, N=np.ones(3), D=np.ones(2))
    # shapes that broadcast keep working: a 3×2 grid
    grid = chinchilla_fit.predict(params=np.ones((3, 1)) * 7e10, tokens=np.ones(2) * 1.4e12)
    assert grid.shape == (3, 2)


def test_weighted_records_need_a_reader_that_knows_weights(tmp_path,
                                                          chinchilla_kept: sl.Dataset) -> None:
    # weights came with record version 2: a weighted record is at least version 2, so a
    # version-1 reader refuses it instead of silently dropping the weights (records are
    # version 3 since the law's name moved to 'law'; versions 1 and 2 are still read)
    plain = sl.fit("chinchilla", chinchilla_kept).to_dict()
    assert plain["schema_version"] == 3 and "case_weights" not in plain
    w = np.linspace(0.5, 1.5, len(chinchilla_kept))
    weighted = sl.fit("chinchilla", chinchilla_kept, weights=w).to_dict()
    assert weighted["schema_version"] >= 2 and len(weighted["case_weights"]) == w.size
    back = sl.FitResult.from_dict(weighted)
    np.testing.assert_allclose(back.case_weights, w)
