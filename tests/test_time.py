"""Wall-clock plans (sl.time): the step-time cost model fitted on simulated measurements, the
plan for a budget in hours against the plan the true cost model gives, and bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import DataError, OptionError, QueryError

#: the cost model the steps are simulated from: 45% of the peak when compute-bound, memory
#: traffic at 1/1.6 of the bandwidth, 30 ms per step of fixed cost
TRUE = sl.time.Throughput(a=2.2, b=1.6, c=0.03)
#: the loss law of the plans: the Chinchilla fit of Hoffmann et al. 2022 (their eq. 10)
CHINCHILLA = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def measured_steps(noise: float, seed: int = 0) -> pd.DataFrame:
    """Step times of 96 shapes and batch sizes under TRUE, with lognormal noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in (256, 512, 768, 1024, 1536, 2048, 3072, 4096):
        for layers in (4, 8, 16, 24):
            for batch in (8, 32, 128):
                shape = sl.arch.Transformer(n_layers=layers, d_model=d, n_heads=d // 64,
                                            vocab=32000, n_ctx=2048)
                seconds = TRUE.step_time(shape, batch, 2048)
                rows.append({"n_layers": layers, "d_model": d, "n_heads": d // 64,
                             "vocab": 32000, "batch_size": batch, "seq_len": 2048,
                             "step_time": seconds * np.exp(noise * rng.standard_normal())})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def loss_fit(chinchilla_fit: sl.FitResult) -> sl.FitResult:
    return dataclasses.replace(chinchilla_fit, params=dict(CHINCHILLA), uncertainty=None,
                               calibration=None)


def test_noise_free_steps_give_back_the_cost_model():
    tp = sl.time.fit_throughput(measured_steps(noise=0.0))
    # exact data: non-negative least squares solves the 3-column system to rounding
    assert (tp.a, tp.b, tp.c) == pytest.approx((TRUE.a, TRUE.b, TRUE.c), rel=1e-6)
    assert tp.r2 == pytest.approx(1.0) and tp.max_rel_error < 1e-6 and tp.n_points == 96


def test_noisy_steps_give_a_close_cost_model():
    tp = sl.time.fit_throughput(measured_steps(noise=0.05))
    # 5% noise on 96 steps: over 60 seeds the standard deviation of the fitted a is 1.1% of
    # its true value and of b 5.5% (memory traffic is the smaller term of most steps); 4% and
    # 20% are about 3.5 standard deviations
    assert tp.a == pytest.approx(TRUE.a, rel=0.04) and tp.b == pytest.approx(TRUE.b, rel=0.2)
    # the fit quality is reported: relative RMS error near the 5% noise
    assert 0.03 < tp.rel_rmse < 0.07 and tp.r2 > 0.99


@pytest.mark.parametrize("hours", [1.0, 24.0, 24.0 * 30])
def test_hours_plan_of_the_fitted_model_is_within_2pct_of_the_truth(loss_fit, hours):
    tp = sl.time.fit_throughput(measured_steps(noise=0.05, seed=1))
    fitted = sl.time.plan(loss_fit, tp, hours=hours)
    truth = sl.time.plan(loss_fit, TRUE, hours=hours)
    # the fitted plan's shape, trained for the hours at its true step time
    seconds = TRUE.step_time(fitted.shape, fitted.batch_size, fitted.seq_len)
    tokens = hours * 3600 / seconds * fitted.batch_size * fitted.seq_len
    achieved = float(loss_fit.law(loss_fit.params, params=fitted.params, tokens=tokens))
    assert achieved == pytest.approx(truth.loss, rel=0.02)
    assert fitted.loss == pytest.approx(truth.loss, rel=0.02)
    assert fitted.rows["hours"].iloc[0] == pytest.approx(hours)


def test_hours_plan_is_the_best_shape_and_beats_the_flop_plans(loss_fit):
    out = sl.time.plan(loss_fit, TRUE, hours=24.0)
    frame = out.to_frame()
    assert list(frame["plan"]) == ["hours-optimal", "FLOP-optimal, same FLOPs",
                                   "FLOP-optimal, same hours"]
    # no FLOP-optimal plan that fits in the hours does better, and the same-FLOPs one costs
    # the same FLOPs
    assert frame["hours"].iloc[2] <= 24.0 * (1 + 1e-9)
    assert frame["loss"].iloc[0] <= frame["loss"].iloc[2]
    assert frame["flops"].iloc[1] == pytest.approx(frame["flops"].iloc[0])
    # a brute-force check over the family: every shape trained for 24 hours
    shapes = sl.time.ShapeFamily().shapes(2048)
    n = np.array([s.params().non_embedding for s in shapes], dtype=float)
    d = 24 * 3600 / np.asarray(TRUE.step_time(shapes, 256, 2048)) * 256 * 2048
    assert out.loss == pytest.approx(float(np.min(loss_fit.law(loss_fit.params, params=n,
                                                               tokens=d))))
    doc = out.to_dict()
    assert doc["loss"] == out.loss and set(doc["plans"]) == set(frame["plan"])
    assert "hours-optimal" in str(out) and "<table" in out._repr_html_()


def test_throughput_round_trips_through_json(tmp_path):
    tp = sl.time.fit_throughput(measured_steps(noise=0.05))
    tp.save(tmp_path / "tp.json")
    assert sl.time.Throughput.load(tmp_path / "tp.json") == tp


@pytest.mark.parametrize("field", ["peak_flops", "bandwidth"])
@pytest.mark.parametrize("value", [0.0, -1e12])
def test_non_positive_throughput_is_refused(field, value):
    with pytest.raises(OptionError, match=field):
        sl.time.Throughput(a=1.0, b=1.0, c=0.0, **{field: value})
    with pytest.raises(OptionError, match=field):
        sl.time.fit_throughput(measured_steps(0.0), **{field: value})


def test_negative_coefficients_and_a_flat_model_are_refused():
    with pytest.raises(OptionError, match="coefficient a"):
        sl.time.Throughput(a=-1.0, b=1.0, c=0.0)
    with pytest.raises(OptionError, match="does not grow"):
        sl.time.Throughput(a=0.0, b=0.0, c=1.0)


@pytest.mark.parametrize("hours", [0.0, -5.0, float("nan")])
def test_non_positive_hours_are_refused(loss_fit, hours):
    with pytest.raises(OptionError, match="hours must be a positive number"):
        sl.time.plan(loss_fit, TRUE, hours=hours)


def test_missing_columns_and_bad_rows_are_named():
    steps = measured_steps(0.0)
    with pytest.raises(DataError, match=r"lack column.*step_time") as info:
        sl.time.fit_throughput(steps.drop(columns=["step_time"]))
    assert "give one row per measurement" in str(info.value).lower()
    steps.loc[3, "step_time"] = -1.0
    with pytest.raises(DataError, match="column 'step_time', rows 3"):
        sl.time.fit_throughput(steps)
    flat = measured_steps(0.0)
    flat["step_time"] = 1.0
    # constant step times: the fit puts everything in c, which explains nothing
    with pytest.raises(DataError, match="do not grow"):
        sl.time.fit_throughput(flat)
    with pytest.raises(DataError, match="too few"):
        sl.time.fit_throughput(measured_steps(0.0).head(3))
    bad_shape = measured_steps(0.0)
    bad_shape.loc[5, "n_heads"] = 7  # 256 is not divisible into 7 heads
    with pytest.raises(DataError, match="row 5"):
        sl.time.fit_throughput(bad_shape)


def test_a_law_without_params_and_tokens_and_a_tiny_budget_are_refused(loss_fit):
    k = np.arange(1, 50)
    coverage = sl.fit("coverage", pd.DataFrame({"samples": k,
                                                "coverage": np.exp(-1.6 * k**-0.35)}))
    with pytest.raises(QueryError, match="params and tokens"):
        sl.time.plan(coverage, TRUE, hours=10)
    with pytest.raises(QueryError, match=r"too few for one step"):
        sl.time.plan(loss_fit, TRUE, hours=1e-6)
    with pytest.raises(OptionError, match="step-time cost model"):
        sl.time.plan(loss_fit, {"a": 1}, hours=10)
