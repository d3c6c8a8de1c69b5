"""The fit engine: reproduction of Epoch AI's Chinchilla fit, recovery of known parameters for
every catalog law, health flags, options, errors, standard errors and the JSON round trip."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import scalinglaws as sl
from scalinglaws.engine.objective import Objective

#: the engine's recovery cases (the conformance suite checks every catalog law)
ENGINE_CASES = ("chinchilla", "kaplan", "power_law")

# -- Epoch AI's grid fit on the 240 kept points (data/MANIFEST.md, chinchilla_epoch) ------------
EPOCH_GRID_OPTIMUM = {"A": 477.84, "B": 2143.86, "E": 1.81724, "alpha": 0.34731,
                      "beta": 0.36718}
EPOCH_OBJECTIVE = 0.00101827403
# Epoch's published standard errors (maximum likelihood with a Huber density)
EPOCH_STDERR = {"A": 124.5, "B": 1293.3, "E": 0.0257, "alpha": 0.0154, "beta": 0.0206}


def no_warnings_fit(*args, **kwargs) -> sl.FitResult:
    """``sl.fit`` with any ScalingLawWarning turned into a test failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", sl.ScalingLawWarning)
        return sl.fit(*args, **kwargs)


def assert_epoch_optimum(fit: sl.FitResult) -> None:
    assert fit.status is sl.FitStatus.CONVERGED
    assert fit.warnings == ()
    # Epoch's values are printed to 5-6 significant digits and came from scipy's L-BFGS-B,
    # which stops short of the exact optimum; 1% is far below the parameters' standard
    # errors (>= 4%), and the objective must be at least as low as theirs (to 1e-6 relative).
    for name, value in EPOCH_GRID_OPTIMUM.items():
        assert fit.params[name] == pytest.approx(value, rel=0.01), name
    assert fit.objective <= EPOCH_OBJECTIVE * (1 + 1e-6)


@pytest.mark.parametrize(
    "law",
    ["chinchilla", "E + A/N**alpha + B/D**beta",
     sl.Law.from_expression("E + A/N**alpha + B/D**beta")],
    ids=["catalog", "expression-string", "user-law"],
)
def test_reproduces_epoch_chinchilla_grid_optimum(chinchilla_kept, law):
    assert_epoch_optimum(no_warnings_fit(law, chinchilla_kept))


def test_reproduces_epoch_with_their_4500_start_grid(chinchilla_kept):
    fit = no_warnings_fit("chinchilla", chinchilla_kept, starts="grid")
    assert fit.n_starts == 4500  # 6 x 6 x 5 x 5 x 5: Epoch's grid over a, b, e, alpha, beta
    assert_epoch_optimum(fit)


# -- recovery of known parameters from synthetic data ------------------------------------------
TRUTH = {
    "chinchilla": {"E": 1.7, "A": 400.0, "alpha": 0.34, "B": 410.0, "beta": 0.28},
    "power_law": {"E": 1.5, "A": 2e3, "alpha": 0.15},
    "kaplan": {"Nc": 8.8e13, "Dc": 5.4e13, "alphaN": 0.076, "alphaD": 0.095},
}
NOISE = 0.01  # lognormal noise: loss * exp(0.01 z), 1% like run-to-run noise of LLM losses
HUBER_DELTA = 1e-3  # the default


def synthetic(name: str, noise: float, seed: int = 0):
    """Law, dataset, true parameter vector and the fit's x= for a log-grid design."""
    law = sl.laws.get(name)
    if law.unbound_inputs:
        law = law.bind(**dict.fromkeys(law.unbound_inputs, "flops"))
        frame = {"flops": np.geomspace(1e17, 1e23, 40)}
        x = "flops"
    else:
        n, d = np.meshgrid(np.geomspace(1e7, 1e10, 6), np.geomspace(1e8, 1e12, 6))
        frame = {"params": n.ravel(), "tokens": d.ravel()}
        x = None
    true = np.array([TRUTH[name][p] for p in law.parameter_names])
    X = [frame[str(c)][None, :] for c in law.inputs.values()]
    clean = law.evaluate(X, true[None, :])[0]
    rng = np.random.default_rng(seed)
    loss = clean * np.exp(noise * rng.standard_normal(clean.size))
    ds = sl.Dataset.from_frame(pd.DataFrame({**frame, "loss": loss}))
    return law, ds, true, X, x


def huber_sd_factor(delta_over_sigma: float) -> float:
    """sqrt(E[psi^2] / E[psi']^2) / sigma for Huber's psi on N(0, sigma^2) residuals: the
    asymptotic standard error of a Huber M-estimator relative to least squares (Huber 1981)."""
    t = delta_over_sigma
    inside = 2 * stats.norm.cdf(t) - 1  # E[psi'] = P(|z| < t)
    # E[min(z, t)^2] = E[z^2; |z| < t] + t^2 P(|z| > t)
    e_psi2 = inside - 2 * t * stats.norm.pdf(t) + t * t * (1 - inside)
    return float(np.sqrt(e_psi2) / inside)


def theory_sd(law: sl.Law, X, true: np.ndarray, loss: str) -> np.ndarray:
    """Asymptotic standard errors at the truth: kappa * sigma * sqrt(diag((J^T J)^-1)) with J
    the Jacobian of log f (log-normal noise), kappa = 1 for least squares on logs and the
    Huber factor (about 1.22 for delta = sigma / 10) for the default loss."""
    f = law.evaluate(X, true[None, :])[0]
    J = law.jacobian(X, true[None, :])[0] / f[:, None]
    kappa = huber_sd_factor(HUBER_DELTA / NOISE) if loss == "huber" else 1.0
    return kappa * NOISE * np.sqrt(np.diag(np.linalg.inv(J.T @ J)))


def test_huber_sd_factor_limits():
    # delta -> infinity: least squares (1); delta -> 0: the median, sqrt(pi / 2)
    assert huber_sd_factor(50.0) == pytest.approx(1.0, abs=1e-6)
    assert huber_sd_factor(1e-4) == pytest.approx(np.sqrt(np.pi / 2), rel=1e-3)


@pytest.mark.parametrize("name", ENGINE_CASES)
def test_recovers_parameters_exactly_from_noise_free_data(name):
    law, ds, true, _, x = synthetic(name, noise=0.0)
    fit = no_warnings_fit(law, ds, x=x) if x is None else no_warnings_fit(name, ds, x=x)
    assert fit.status is sl.FitStatus.CONVERGED
    got = np.array([fit.params[p] for p in law.parameter_names])
    # exact data: the optimum is the truth; the polish converges to round-off, so 1e-6 relative
    # leaves a large margin while catching a fit that stopped early (ftol 1e-4 would give ~1e-3)
    np.testing.assert_allclose(got, true, rtol=1e-6)
    assert fit.objective < 1e-20


@pytest.mark.parametrize("name", ENGINE_CASES)
def test_recovers_parameters_within_their_sampling_error(name):
    law, ds, true, X, x = synthetic(name, noise=NOISE, seed=0)
    fit = no_warnings_fit(law, ds) if x is None else no_warnings_fit(name, ds, x=x)
    assert fit.status is sl.FitStatus.CONVERGED
    got = np.array([fit.params[p] for p in law.parameter_names])
    sd = theory_sd(law, X, true, "huber")
    # 4 asymptotic standard deviations: a false alarm has probability ~6e-5 per parameter
    # (over 60 seeds the observed |z| stayed below 4 except kaplan's skewed Dc, |z| 6 once;
    # with seed 0 every |z| < 1.5). A biased or stuck fit is off by far more.
    z = (got - true) / sd
    assert np.all(np.abs(z) < 4), dict(zip(law.parameter_names, z.round(2), strict=True))
    for p, t in zip(law.parameter_names, true, strict=True):
        if p in law.exponent_names:
            # exponents are the point of a scaling law: with 1% noise the asymptotic sd is
            # 2-5% of the value here, so 10% relative is >= 2 sd and still tight enough to use
            assert fit.params[p] == pytest.approx(t, rel=0.10), p


def test_badly_identified_kaplan_still_predicts_held_out_points():
    # Kaplan's Nc and Dc are poorly identified by 36 runs (asymptotic sd 24% and 37%), but the
    # law they define is: extrapolating 3-10x beyond the largest run stays within 2% (1% noise
    # per point; seed 0 is off by 0.5%, 30 seeds at most 2.3%)
    law, ds, true, _, _ = synthetic("kaplan", noise=NOISE, seed=0)
    fit = sl.fit("kaplan", ds)
    n, d = np.array([3e10, 1e11, 1e10]), np.array([3e12, 1e13, 5e12])
    truth = law(dict(zip(law.parameter_names, true, strict=True)), params=n, tokens=d)
    np.testing.assert_allclose(fit.predict(params=n, tokens=d), truth, rtol=0.02)


@pytest.mark.parametrize(
    ("loss", "xfail"),
    [("mse_log", False), ("huber", True)],
)
def test_stderr_is_calibrated_against_sampling_theory(loss, xfail, request):
    # The reported standard errors should match the asymptotic sd of the estimator. The
    # median over 20 noisy data sets of each parameter's stderr has a sampling sd of ~3%
    # (each stderr rests on ~31 residual degrees of freedom); the linearisation itself was
    # within 10% of the simulated sd (60 seeds). So a ratio outside [0.8, 1.25] is a biased
    # estimate, not noise.
    if xfail:
        request.applymarker(pytest.mark.xfail(
            strict=True,
            reason="known limitation: with delta=1e-3 << noise 0.01 Huber is nearly L1; the "
            "sandwich's Hessian rests on the few residuals inside +-delta, which the fit itself "
            "pulls in, and the stderr comes out ~0.7x the estimator's sd (use the bootstrap)"))
    law, _, true, X, _ = synthetic("chinchilla", NOISE)
    sd = theory_sd(law, X, true, loss)
    stderr = []
    for seed in range(20):
        _, ds, _, _, _ = synthetic("chinchilla", NOISE, seed=seed)
        fit = sl.fit(law, ds, loss=loss)
        stderr.append([fit.stderr[p] for p in law.parameter_names])
    ratio = np.median(np.array(stderr), axis=0) / sd
    assert np.all((ratio > 0.8) & (ratio < 1.25)), dict(
        zip(law.parameter_names, ratio.round(2), strict=True))


# -- standard errors on the real data ----------------------------------------------------------
def test_stderr_finite_positive_with_covariance(chinchilla_fit):
    names = chinchilla_fit.law.parameter_names
    se = np.array([chinchilla_fit.stderr[n] for n in names])
    assert np.isfinite(se).all() and (se > 0).all()
    cov = np.asarray(chinchilla_fit.cov)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), se, rtol=1e-12)
    corr = cov / np.outer(se, se)
    np.testing.assert_allclose(corr, corr.T, rtol=0, atol=1e-12)  # symmetric to round-off
    assert np.all(np.abs(corr) <= 1 + 1e-12)
    assert np.linalg.eigvalsh(cov).min() > 0


@pytest.mark.parametrize("name", list(EPOCH_STDERR))
def test_stderr_in_the_ballpark_of_epoch(chinchilla_fit, name, request):
    # Ours is the sandwich estimate of the M-estimator (docs/decisions.md);
    # Epoch's is the inverse Hessian of a likelihood with a fitted Huber scale. Different
    # estimators of the same uncertainty: they should agree within a factor of 3.
    ratio = chinchilla_fit.stderr[name] / EPOCH_STDERR[name]
    assert 1 / 3 < ratio < 3, ratio


# -- JSON round trip ---------------------------------------------------------------------------
def assert_same_fit(a: sl.FitResult, b: sl.FitResult) -> None:
    assert a.params == b.params
    np.testing.assert_array_equal(list(a.stderr.values()), list(b.stderr.values()))  # NaN-safe
    assert list(a.stderr) == list(b.stderr)
    np.testing.assert_array_equal(a.cov, b.cov)
    assert a.status is b.status
    assert a.warnings == b.warnings
    assert a.objective == b.objective
    assert (a.loss, a.delta, a.n_points, a.n_starts) == (b.loss, b.delta, b.n_points, b.n_starts)
    assert a.fingerprint == b.fingerprint
    assert a.law.parameters == b.law.parameters
    n, d = np.array([1e9, 7e10]), np.array([[2e10], [1.4e12]])
    np.testing.assert_array_equal(a.predict(params=n, tokens=d), b.predict(params=n, tokens=d))


def test_json_round_trip(chinchilla_fit):
    again = sl.FitResult.from_dict(json.loads(json.dumps(chinchilla_fit.to_dict())))
    assert_same_fit(again, chinchilla_fit)


def test_json_round_trip_keeps_nan_stderr_and_status(chinchilla_kept):
    law = sl.laws.get("chinchilla").with_parameters(alpha={"lower": 0.0, "upper": 0.2})
    with pytest.warns(sl.ScalingLawWarning):
        fit = sl.fit(law, chinchilla_kept)
    assert np.isnan(fit.stderr["alpha"])  # held at its bound: no error bar
    text = json.dumps(fit.to_dict(), allow_nan=False)  # strict JSON: no bare NaN
    assert_same_fit(sl.FitResult.from_dict(json.loads(text)), fit)


def test_save_and_load(chinchilla_fit, tmp_path):
    path = tmp_path / "fit.json"
    chinchilla_fit.save(path)
    with open(path) as fh:
        assert_same_fit(sl.FitResult.from_dict(json.load(fh)), chinchilla_fit)
    assert_same_fit(sl.load_fit(path), chinchilla_fit)


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": 999},
        {"schema_version": "1"},
        {"schema": "something.else"},
        {"params": None},
        {"status": "great"},
        {"cov": [[1.0]]},
    ],
    ids=["future-version", "version-as-text", "other-schema", "params-null", "bad-status",
         "bad-cov"],
)
def test_bad_records_raise_result_file_error(chinchilla_fit, change):
    record = {**chinchilla_fit.to_dict(), **change}
    with pytest.raises(sl.ResultFileError):
        sl.FitResult.from_dict(record)


@pytest.mark.parametrize("field", ["params", "law", "objective", "status"])
def test_record_missing_a_field_raises_result_file_error(chinchilla_fit, field):
    record = chinchilla_fit.to_dict()
    del record[field]
    with pytest.raises(sl.ResultFileError):
        sl.FitResult.from_dict(record)


def test_truncated_file_raises_result_file_error(chinchilla_fit, tmp_path):
    path = tmp_path / "fit.json"
    chinchilla_fit.save(path)
    path.write_text(path.read_text()[:200])
    with pytest.raises(sl.ResultFileError):
        sl.load_fit(path)


# -- health --------------------------------------------------------------------------------------
def test_optimum_beyond_a_bound_is_flagged(chinchilla_kept):
    law = sl.laws.get("chinchilla").with_parameters(alpha={"lower": 0.0, "upper": 0.2})
    with pytest.warns(sl.ScalingLawWarning, match="alpha"):
        fit = sl.fit(law, chinchilla_kept)
    assert fit.status is sl.FitStatus.AT_BOUND
    assert not fit.converged
    assert fit.params["alpha"] == pytest.approx(0.2, abs=1e-9)
    assert any("alpha" in w and "bound" in w for w in fit.warnings)
    # the other parameters move to compensate, and the objective is worse than the free fit
    assert fit.objective > EPOCH_OBJECTIVE
    with pytest.raises(sl.FitError) as info:
        sl.fit(law, chinchilla_kept, throw=True)
    assert isinstance(info.value.result, sl.FitResult)
    assert info.value.result.status is sl.FitStatus.AT_BOUND
    assert info.value.result.params == fit.params


def test_iteration_limit_is_flagged(chinchilla_kept):
    with pytest.warns(sl.ScalingLawWarning, match="did not converge"):
        fit = sl.fit("chinchilla", chinchilla_kept, max_iter=1)
    assert fit.status is sl.FitStatus.MAX_ITER
    with pytest.raises(sl.FitError) as info:
        sl.fit("chinchilla", chinchilla_kept, max_iter=1, throw=True)
    assert info.value.result.status is sl.FitStatus.MAX_ITER


# -- options -------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["mse", "mse_log"])
def test_squared_losses_converge(chinchilla_kept, chinchilla_fit, loss):
    huber_fit = chinchilla_fit
    # least squares follow the few outliers Huber discounts, which bends the law away from the
    # bulk of the runs: their residuals curve with tokens, and the fit says so
    with pytest.warns(sl.ScalingLawWarning, match=r"residuals trend with log\(tokens\)"):
        fit = sl.fit("chinchilla", chinchilla_kept, loss=loss)
    assert fit.status is sl.FitStatus.CONVERGED
    assert fit.loss == loss
    # least squares weighs the outliers Huber discounts, so the fit differs, but the
    # exponents stay in the published range (Epoch's bootstrap: 0.32-0.37 and 0.33-0.42)
    assert 0.3 < fit.params["alpha"] < 0.4
    assert 0.3 < fit.params["beta"] < 0.45
    # and it is a minimum of its own objective: the Huber optimum scores worse on it
    law = fit.law
    obj = Objective(law, [chinchilla_kept.params[None, :], chinchilla_kept.tokens[None, :]],
                    chinchilla_kept.loss, loss)
    at = np.array([[huber_fit.params[p] for p in law.parameter_names]])
    assert fit.objective < obj.value_natural(at)[0]
    own = np.array([[fit.params[p] for p in law.parameter_names]])
    assert obj.value_natural(own)[0] == pytest.approx(fit.objective, rel=1e-12)


def test_overestimate_penalty_reduces_over_predictions(chinchilla_kept):
    def n_over(fit: sl.FitResult) -> int:
        pred = fit.predict(params=chinchilla_kept.params, tokens=chinchilla_kept.tokens)
        return int(np.sum(pred > chinchilla_kept.loss))

    symmetric = sl.fit("chinchilla", chinchilla_kept)
    penalised = no_warnings_fit("chinchilla", chinchilla_kept, overestimate_penalty=10)
    assert penalised.overestimate_penalty == 10
    # a symmetric robust fit over-predicts about half the points (117 of 240); a 10x penalty
    # pushes the law below most of them (28)
    assert 0.35 * 240 < n_over(symmetric) < 0.65 * 240
    assert n_over(penalised) < 0.5 * n_over(symmetric)


def test_init_replaces_the_search(chinchilla_kept):
    init = {"A": 400.0, "B": 400.0, "E": 1.7, "alpha": 0.3, "beta": 0.3}
    fit = no_warnings_fit("chinchilla", chinchilla_kept, init=init)
    assert fit.n_starts == 1
    assert_epoch_optimum(fit)  # one good start reaches the same optimum


def test_several_init_dicts_are_several_starts(chinchilla_kept):
    inits = [{"A": 400.0, "B": 400.0, "E": 1.7, "alpha": 0.3, "beta": 0.3},
             {"A": 1e3, "B": 1e3, "E": 2.0, "alpha": 0.5, "beta": 0.5}]
    fit = sl.fit("chinchilla", chinchilla_kept, init=inits)
    assert fit.n_starts == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"init": {"A": 400.0, "B": 400.0, "E": 1.7, "alpha": 0.3}}, "beta"),
        ({"init": {"A": 400.0, "B": 400.0, "E": 1.7, "alpha": 0.3, "beta": 0.3, "G": 1.0}},
         "G"),
        ({"init": {"A": 400.0, "B": 400.0, "E": 1.7, "alpha": 30.0, "beta": 0.3}},
         "outside the bounds"),
        ({"loss": "l1"}, "unknown loss"),
        ({"starts": "random"}, "unknown starts"),
        ({"delta": 0.0}, "delta"),
        ({"overestimate_penalty": -1.0}, "overestimate_penalty"),
    ],
)
def test_bad_options_raise_option_error(chinchilla_kept, kwargs, match):
    # the brief for these tests expected FitError; the library raises OptionError (a
    # ScalingLawError and ValueError), which is what docs/exceptions.py define for bad options
    with pytest.raises(sl.OptionError, match=match):
        sl.fit("chinchilla", chinchilla_kept, **kwargs)


def test_fewer_rows_than_parameters_raises_data_error(chinchilla_kept):
    with pytest.raises(sl.DataError, match="4 data point"):
        sl.fit("chinchilla", chinchilla_kept[np.arange(4)])


def test_x_on_a_two_input_law_raises_law_error(chinchilla_kept):
    with pytest.raises(sl.LawError, match="one-input"):
        sl.fit("chinchilla", chinchilla_kept, x="flops")


def test_one_input_law_without_x_raises_law_error(chinchilla_kept):
    with pytest.raises(sl.LawError, match="x="):
        sl.fit("power_law", chinchilla_kept)


def test_unknown_law_name_raises_law_error(chinchilla_kept):
    with pytest.raises(sl.LawError, match="chinchilla"):
        sl.fit("chinchila", chinchilla_kept)


def test_one_input_expression_with_x_matches_catalog_power_law():
    _, ds, _, _, _ = synthetic("power_law", noise=NOISE)
    catalog = sl.fit("power_law", ds, x="flops")
    user = sl.fit("E + A*x**(-alpha)", ds, x="flops")
    for p in ("E", "A", "alpha"):
        assert user.params[p] == pytest.approx(catalog.params[p], rel=1e-6)


# -- invariances -----------------------------------------------------------------------------
def test_row_order_does_not_matter(chinchilla_kept, chinchilla_fit):
    perm = np.random.default_rng(0).permutation(len(chinchilla_kept))
    shuffled = sl.fit("chinchilla", chinchilla_kept[perm])
    # same optimum; only summation order differs (observed 1e-13), 1e-6 is the polish's precision
    for p, v in chinchilla_fit.params.items():
        assert shuffled.params[p] == pytest.approx(v, rel=1e-6), p


def test_uniform_case_weights_do_not_change_the_fit(chinchilla_kept, chinchilla_fit):
    fit = sl.fit("chinchilla", chinchilla_kept, weights=np.full(len(chinchilla_kept), 3.0))
    for p, v in chinchilla_fit.params.items():
        assert fit.params[p] == pytest.approx(v, rel=1e-6), p
    assert fit.objective == pytest.approx(3 * chinchilla_fit.objective, rel=1e-9)


def test_duplicating_every_row_is_the_same_as_weight_two(chinchilla_kept, chinchilla_fit):
    twice = chinchilla_kept[np.concatenate([np.arange(240), np.arange(240)])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the dataset warns about duplicate rows
        fit = sl.fit("chinchilla", twice)
    for p, v in chinchilla_fit.params.items():
        assert fit.params[p] == pytest.approx(v, rel=1e-6), p


# -- predictions -----------------------------------------------------------------------------
def test_predict_chinchilla_70b(chinchilla_fit):
    value = chinchilla_fit.predict(params=7e10, tokens=1.4e12)
    assert isinstance(value, float)
    # Chinchilla 70B on 1.4T tokens: the fitted law gives 1.97 (E = 1.82 plus two small terms)
    assert 1.9 < value < 2.1
    p = chinchilla_fit.params
    by_hand = p["E"] + p["A"] / 7e10 ** p["alpha"] + p["B"] / 1.4e12 ** p["beta"]
    assert value == pytest.approx(by_hand, rel=1e-14)
    assert chinchilla_fit.predict(N=7e10, D=1.4e12) == value


def test_predict_broadcasts(chinchilla_fit):
    n = np.array([1e9, 1e10, 7e10])
    d = np.array([[2e10], [1.4e12]])
    out = chinchilla_fit.predict(params=n, tokens=d)
    assert out.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert out[i, j] == pytest.approx(
                chinchilla_fit.predict(params=n[j], tokens=d[i, 0]), rel=1e-15)
    # more data and more parameters never hurt under this law
    assert np.all(np.diff(out, axis=1) < 0) and np.all(np.diff(out, axis=0) < 0)


def test_amplitude_driven_to_zero_is_reported_at_bound():
    # exact data with no irreducible term: the best E is 0, the lower bound of a log-scale
    # parameter, which the search can only approach (log E -> -inf)
    c = np.geomspace(1e17, 1e23, 30)
    loss = 2e3 * c**-0.15
    ds = sl.Dataset.from_frame(pd.DataFrame({"flops": c, "loss": loss}))
    with pytest.warns(sl.ScalingLawWarning, match="'E' sits at its lower bound 0"):
        fit = sl.fit("power_law", ds, x="flops", loss="mse_log")
    assert fit.status is sl.FitStatus.AT_BOUND


def test_amplitude_compensated_towards_a_limit_of_the_law_is_not_at_its_bound():
    # y = 0.7 exp(0.02/x) is the limit A -> 0, gamma, alpha -> inf (A gamma^alpha -> 0.7) of
    # A (1/x + gamma)^alpha: the search drives A far below 1e-10, but A still matters (the
    # others grew to compensate), so it is not "at its bound 0" and no warning says so
    x = np.geomspace(0.05, 1.0, 20)
    ds = sl.Dataset.from_frame(pd.DataFrame({"x": x, "loss": 0.7 * np.exp(0.02 / x)}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sl.fit("A*(1/x + gamma)**alpha", ds, columns={"x": "x"}, loss="mse_log")
    p = fit.params
    assert p["A"] < 1e-10 and p["A"] * p["gamma"] ** p["alpha"] == pytest.approx(0.7, rel=0.05)
    assert "A" not in fit.diagnostics.at_bound and fit.status is not sl.FitStatus.AT_BOUND
    assert not any("sits at its lower bound" in str(w.message) for w in caught)


# -- bad argument values raise the library's errors, naming the argument ------------------------
def _raises_naming(exc_type, argument, call):
    with pytest.raises(exc_type) as info:
        call()
    assert f"'{argument}'" in str(info.value), str(info.value)
    return info.value


@pytest.mark.parametrize(
    "weights",
    [["a"] * 240, [{"w": 1}] * 240, [0.0] * 240, [[1.0, 2.0]] * 240],
    ids=["text", "objects", "all-zero", "ragged"],
)
def test_bad_weights_raise_data_error(chinchilla_kept, weights):
    _raises_naming(sl.DataError, "weights",
                   lambda: sl.fit("chinchilla", chinchilla_kept, weights=weights))


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"delta": "big"}, "delta"),
        ({"delta": None}, "delta"),
        ({"delta": "1e-3"}, "delta"),
        ({"delta": [1e-3]}, "delta"),
        ({"overestimate_penalty": "ten"}, "overestimate_penalty"),
        ({"overestimate_penalty": None}, "overestimate_penalty"),
        ({"init": 5}, "init"),
        ({"init": []}, "init"),
        ({"init": {"A": "x", "B": 400.0, "E": 1.7, "alpha": 0.3, "beta": 0.3}}, "init"),
        ({"init": np.array([[400.0, 400.0, np.nan, 0.3, 0.3]])}, "init"),
        ({"init": np.array([[400.0, 400.0, 1.7, 30.0, 0.3]])}, "init"),
        ({"max_iter": "x"}, "max_iter"),
        ({"max_iter": 0}, "max_iter"),
        ({"max_iter": -5}, "max_iter"),
        ({"max_iter": 2.5}, "max_iter"),
        ({"max_iter": True}, "max_iter"),
        ({"n_polish": 0}, "n_polish"),
        ({"n_polish": "4"}, "n_polish"),
    ],
)
def test_bad_option_values_raise_option_error_naming_the_argument(chinchilla_kept, kwargs,
                                                                  argument):
    _raises_naming(sl.OptionError, argument,
                   lambda: sl.fit("chinchilla", chinchilla_kept, **kwargs))


def test_numpy_option_values_are_accepted(chinchilla_kept, chinchilla_fit):
    f = sl.fit("chinchilla", chinchilla_kept, delta=np.float64(1e-3), max_iter=np.int64(300),
               n_polish=np.int32(4))
    assert f.params == pytest.approx(chinchilla_fit.params, rel=1e-9)


def test_value_natural_is_value_from_prediction_of_the_law(chinchilla_kept, monkeypatch):
    law = sl.laws.get("chinchilla")
    X = [chinchilla_kept.column(c)[None, :] for c in law.inputs.values()]
    y = chinchilla_kept.column("loss")
    w = np.linspace(0.5, 2.0, len(y))
    obj = Objective(law, X, y, "huber", 1e-2, 3.0, w)
    P = np.array([[400.0, 400.0, 1.7, 0.3, 0.3], [500.0, 2000.0, 1.8, 0.35, 0.37],
                  [400.0, 400.0, -5.0, 0.3, 0.3]])
    expected = obj.value_from_prediction(law.evaluate(X, P))
    calls = []
    original = Objective.value_from_prediction

    def spy(self, f):
        calls.append(f.shape)
        return original(self, f)

    monkeypatch.setattr(Objective, "value_from_prediction", spy)
    got = obj.value_natural(P)
    np.testing.assert_array_equal(got, expected)
    assert got[2] == np.inf  # a negative prediction: undefined log, inf not nan
    assert calls == [(3, len(y))]  # one body for the objective, not two copies of it


def test_mse_log1p_fits_ln_one_plus_y_and_its_intervals_follow():
    # least squares on ln(1 + y) (the BNSL paper's objective): exact data give the truth;
    # the delta-method and bootstrap intervals bracket the prediction on the same scale
    x = np.geomspace(1e2, 1e5, 30)
    y = 0.05 + 40.0 * x**-0.5
    ds = sl.Dataset.from_frame(pd.DataFrame({"x": x, "err": y}))
    fit = sl.fit("E + A*x**(-alpha)", ds, columns={"x": "x"}, y="err", loss="mse_log1p")
    assert fit.loss == "mse_log1p" and fit.status is sl.FitStatus.CONVERGED
    assert fit.params["alpha"] == pytest.approx(0.5, rel=1e-6)
    noisy = sl.Dataset.from_frame(pd.DataFrame(
        {"x": x, "err": y * np.exp(0.02 * np.random.default_rng(0).standard_normal(30))}))
    fit = sl.fit("E + A*x**(-alpha)", noisy, columns={"x": "x"}, y="err", loss="mse_log1p")
    mid = fit.predict(x=3e5)
    for lo, hi in (fit.predict_interval(0.9, x=3e5),
                   fit.predict_interval(0.9, kind="observation", x=3e5),
                   fit.bootstrap(100, seed=0).predict_interval(0.9, x=3e5)):
        assert lo < mid < hi
    with pytest.raises(sl.DataError, match="<= -1"):
        sl.fit("E + A*x**(-alpha)", pd.DataFrame({"x": x, "err": y - 2.0}),
               columns={"x": "x"}, y="err", loss="mse_log1p")
