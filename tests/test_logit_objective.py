"""Least squares in logit space (``loss="mse_logit"``) for scores strictly inside (0, 1):
the objective's derivatives, recovery against raw least squares, intervals, bad inputs and the
command line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

import scalinglaws as sl
from scalinglaws.engine import Objective
from scalinglaws.engine.links import link_for
from scalinglaws.uncertainty.bootstrap import Bootstrap

LAW = sl.laws.get("sigmoid_compute", chance=0.25)
TRUTH = {"ceiling": 0.85, "k": 0.6, "C0": 3e22}
FLOPS = np.geomspace(1e20, 1e25, 25)


def _scores(seed: int, noise: float, flops: np.ndarray = FLOPS) -> np.ndarray:
    """Scores of the true sigmoid with Gaussian noise of sd ``noise`` on their logits."""
    p = np.asarray(LAW(TRUTH, flops=flops), dtype=float)
    return np.asarray(expit(logit(p) + np.random.default_rng(seed).normal(0, noise, p.size)))


def _frame(scores: np.ndarray, flops: np.ndarray = FLOPS) -> pd.DataFrame:
    return pd.DataFrame({"flops": flops, "accuracy": scores})


def test_the_logit_link_derivatives_match_finite_differences() -> None:
    link = link_for("mse_logit")
    f = np.array([0.03, 0.3, 0.5, 0.8, 0.97])
    h = 1e-6
    # central differences: truncation O(h²·h''') ~ 1e-12 relative, rounding ~ eps/h ~ 1e-10
    fd1 = (link.transform(f + h) - link.transform(f - h)) / (2 * h)
    fd2 = (link.slope(f + h) - link.slope(f - h)) / (2 * h)
    assert link.slope(f) == pytest.approx(fd1, rel=1e-7)
    assert link.second_derivative(f) == pytest.approx(fd2, rel=1e-6, abs=1e-6)
    assert link.untransform(link.transform(f)) == pytest.approx(f, rel=1e-14)
    assert link.shifted(f, 0.7) == pytest.approx(expit(logit(f) + 0.7), rel=1e-14)


@pytest.mark.parametrize("penalty", [1.0, 3.0])
def test_gradient_and_exact_hessian_match_finite_differences(penalty: float) -> None:
    y = _scores(0, 0.2)
    X = [FLOPS[None, :]]
    obj = Objective(LAW, X, y, loss="mse_logit", overestimate_penalty=penalty)
    # away from the optimum, so that the residual-times-curvature terms (c·psi·h'') count
    P = np.array([[0.8, 0.5, 1e22], [0.9, 0.8, 8e22]])
    U = obj.search(P)
    value, g, H = obj.derivatives_exact(U)
    assert np.isfinite(value).all() and (value > 0).all()
    step = 1e-5
    for j in range(U.shape[1]):
        e = np.zeros_like(U)
        e[:, j] = step
        fd_g = (obj.value(U + e) - obj.value(U - e)) / (2 * step)
        fd_H = (obj.derivatives_exact(U + e)[1] - obj.derivatives_exact(U - e)[1]) / (2 * step)
        # central differences with step 1e-5 in search units: truncation ~ step² · |third
        # derivative| (≈ 1e-10 · O(100)), rounding ~ 1e-16 · |value| / step; 1e-5 relative
        # (plus a small absolute floor for near-zero entries) is far above both and far
        # below any error in a derivative's formula (dropping the c·psi·h'' term changes
        # this Hessian by 12% of its largest entry, measured)
        assert g[:, j] == pytest.approx(fd_g, rel=1e-5, abs=1e-7)
        assert H[:, :, j] == pytest.approx(fd_H, rel=1e-5, abs=1e-6)
    # the IRLS (Gauss–Newton) pass gives the same gradient
    assert obj.derivatives(U)[1] == pytest.approx(g, rel=1e-12)
    # the residuals are the logit's, r = logit(f) − logit(y), and so is their Jacobian
    r, J, f = obj.residual_jacobian(U)
    assert r == pytest.approx(logit(f) - logit(y), rel=1e-12, abs=1e-12)
    for j in range(U.shape[1]):
        e = np.zeros_like(U)
        e[:, j] = step
        fd_J = (obj.residual_jacobian(U + e)[0] - obj.residual_jacobian(U - e)[0]) / (2 * step)
        assert J[:, :, j] == pytest.approx(fd_J, rel=1e-5, abs=1e-7)


def test_logit_least_squares_recovers_the_sigmoid_better_than_raw_least_squares() -> None:
    # A benchmark with no chance floor whose scores run from 1% to 96% over the runs, with
    # Gaussian noise of sd 0.3 on the logits (±7 points of accuracy at the midpoint, ±0.3
    # near 1%): the model mse_logit assumes, so it is the maximum likelihood fit. Raw least
    # squares weighs the quiet ends as little as the noisy middle, and fits the mean of
    # expit(logit(p) + noise), which is biased towards 0.5. Measured over these 30 seeds
    # (mean absolute error, mse vs mse_logit): k 0.035 vs 0.019 (paired difference 2.8
    # standard errors), ceiling 0.0115 vs 0.0056 (3.9 standard errors), ln C0 0.197 vs
    # 0.149 (1.9 standard errors, so only the sum is asserted for it).
    law = sl.laws.get("sigmoid_compute", chance=0.0)
    truth = {"ceiling": 0.97, "k": 0.6, "C0": 3e22}
    flops = np.geomspace(1e19, 1e26, 25)
    p = np.asarray(law(truth, flops=flops), dtype=float)
    errors: dict[str, list[list[float]]] = {"mse": [], "mse_logit": []}
    for seed in range(30):
        noisy = expit(logit(p) + np.random.default_rng(seed).normal(0, 0.3, p.size))
        frame = _frame(noisy, flops)
        for loss in errors:
            fit = sl.fit(law, frame, loss=loss)
            # raw least squares sometimes puts the ceiling at its bound, 1: still an optimum
            assert fit.loss == loss and fit.status.finished
            errors[loss].append([abs(np.log(fit.params["C0"] / truth["C0"])),
                                 abs(fit.params["k"] - truth["k"]),
                                 abs(fit.params["ceiling"] - truth["ceiling"])])
    raw, lgt = (np.mean(errors[k], axis=0) for k in ("mse", "mse_logit"))
    assert lgt[1] < 0.75 * raw[1], (lgt, raw)  # the slope: measured ratio 0.54
    assert lgt[2] < 0.75 * raw[2], (lgt, raw)  # the ceiling: measured ratio 0.49
    assert lgt.sum() < raw.sum(), (lgt, raw)


def test_intervals_and_the_bootstrap_stay_inside_zero_one() -> None:
    frame = _frame(_scores(1, 0.3))
    fit = sl.fit(LAW, frame, loss="mse_logit")
    query = np.array([1e19, 3e22, 1e27])  # below the data, at the midpoint, far above
    pred = np.asarray(fit.predict(flops=query))
    for kind in ("mean", "observation"):
        lo, hi = (np.asarray(v) for v in fit.predict_interval(0.9, kind=kind, flops=query))
        assert ((0 < lo) & (lo < pred) & (pred < hi) & (hi < 1)).all(), (kind, lo, hi)
    # the observation interval is a symmetric interval on the logit: near the ceiling its
    # upper half (in accuracy) is shorter than its lower half
    lo, hi = (np.asarray(v) for v in fit.predict_interval(0.9, kind="observation",
                                                           flops=query))
    assert hi[2] - pred[2] < pred[2] - lo[2]
    assert logit(hi) - logit(pred) == pytest.approx(logit(pred) - logit(lo), rel=1e-6)
    boot = fit.bootstrap(100, seed=0)
    assert np.isfinite(boot.samples).all()
    for lo, hi in (boot.predict_interval(0.9, flops=query),
                   boot.prediction_interval(0.9, flops=query)):
        lo, hi = np.asarray(lo), np.asarray(hi)
        assert ((0 < lo) & (lo <= hi) & (hi < 1)).all(), (lo, hi)
    # residual draws of 0.3 on the logit near a 0.85 ceiling would push a raw draw past 1
    # for the largest residuals; on the logit they cannot
    assert boot.link.kind == "logit"
    again = Bootstrap.from_dict(boot.to_dict(), fit.law, boot.estimate)
    assert again.link.kind == "logit"
    assert np.asarray(again.prediction_interval(0.9, flops=query)) == pytest.approx(
        np.asarray(boot.prediction_interval(0.9, flops=query)))


def test_scores_of_exactly_zero_or_one_are_refused_with_their_rows() -> None:
    scores = _scores(2, 0.1)
    scores[[3, 17]] = [0.0, 1.0]
    with pytest.raises(sl.DataError, match=r"outside \(0, 1\)") as info:
        sl.fit(LAW, _frame(scores), loss="mse_logit")
    text = str(info.value)
    assert "rows 3, 17" in text and "loss='mse'" in text and "clip" in text
    # raw least squares takes the same scores
    assert sl.fit(LAW, _frame(scores), loss="mse").status.finished


def test_logit_on_a_loss_warns_and_scores_default_to_raw_least_squares() -> None:
    assert sl.fit(LAW, _frame(_scores(3, 0.1))).loss == "mse"
    data = pd.DataFrame({"flops": FLOPS, "loss": 0.2 + 0.5 * (FLOPS / 1e20) ** -0.1})
    with pytest.warns(sl.ScalingLawWarning, match="expects a score in"):
        sl.fit("task_loss", data, y="loss", loss="mse_logit")


def test_binomial_weights_under_the_logit_are_the_inverse_variance_of_a_logit() -> None:
    scores = _scores(4, 0.05)
    frame = _frame(scores)
    raw = sl.fit(LAW, frame, questions=1000, loss="mse")
    lgt = sl.fit(LAW, frame, questions=1000, loss="mse_logit")
    p_raw = np.asarray(LAW(raw.params, flops=FLOPS))
    p_lgt = np.asarray(LAW(lgt.params, flops=FLOPS))
    # raw residuals: weight 1/(p(1-p)); logit residuals: weight p(1-p) (normalised to mean 1)
    w_raw, w_lgt = 1 / (p_raw * (1 - p_raw)), p_lgt * (1 - p_lgt)
    assert np.asarray(raw.case_weights) == pytest.approx(w_raw / w_raw.mean(), rel=0.05)
    assert np.asarray(lgt.case_weights) == pytest.approx(w_lgt / w_lgt.mean(), rel=0.05)


def test_cli_fits_scores_by_logit_least_squares(tmp_path) -> None:
    from cli_runner import run

    path = tmp_path / "scores.csv"
    exact = np.asarray(LAW(TRUTH, flops=FLOPS))
    pd.DataFrame({"flops": FLOPS, "accuracy": exact}).to_csv(path, index=False)
    doc = json.loads(run("fit", path, "--law", "sigmoid_compute", "--metric", "accuracy",
                         "--chance", "0.25", "--loss", "mse_logit", "--json").stdout)
    assert doc["loss"] == "mse_logit"
    # noiseless scores: the fit returns the truth to the optimiser's tolerance
    assert doc["params"]["C0"] == pytest.approx(3e22, rel=1e-3)
    assert doc["params"]["k"] == pytest.approx(0.6, rel=1e-3)
    doc = json.loads(run("fit", path, "--law", "sigmoid_compute", "--metric", "accuracy",
                         "--loss", "mse_logit", "--json").stdout)
    assert doc["loss"] == "mse_logit" and 0 <= doc["params"]["floor"] < 1
    pd.DataFrame({"flops": FLOPS, "accuracy": np.r_[0.0, exact[1:]]}).to_csv(path,
                                                                            index=False)
    err = run("fit", path, "--law", "sigmoid_compute", "--metric", "accuracy", "--loss",
              "mse_logit", code=2).stderr
    assert "row 0" in err and "(0, 1)" in err
    assert "mse_logit" in run("fit", "--help").stdout


def test_calibration_batches_and_figures_work_on_the_logit() -> None:
    from scalinglaws.fitting import Calibration
    from scalinglaws.report.figures import residuals_figure

    frames = [_frame(_scores(seed, 0.2)) for seed in range(3)]
    fit = sl.fit(LAW, frames[0], loss="mse_logit")
    calibrated = sl.calibrate(fit)
    cal = calibrated.calibration
    assert cal is not None and cal.logit and "on the logit" in cal.summary()
    assert Calibration.from_dict(cal.to_dict()).logit
    lo, hi = (np.asarray(v) for v in calibrated.predict_interval(
        0.9, kind="calibrated", flops=np.array([1e24, 1e26])))
    assert ((0 < lo) & (lo < hi) & (hi < 1)).all(), (lo, hi)
    # many problems in one engine call find the optima of the single fits: the same
    # objective, so agreement to the optimiser's tolerance (1e-6 relative on C0)
    many = sl.fit_many([(LAW, f, {"loss": "mse_logit"}) for f in frames], workers=1,
                       batched=True)
    for f, one in zip(frames, many, strict=True):
        alone = sl.fit(LAW, f, loss="mse_logit")
        assert one.params["C0"] == pytest.approx(alone.params["C0"], rel=1e-6)
    fig = residuals_figure(fit)
    assert "logit" in fig.axes[0].get_ylabel()
