"""Training curves, continued: bootstrap bands on forecast curves (predict_curve(interval=)),
``scalinglaws fit CURVES --law multi_power`` and single-curve multi-power fits that profile
the direction one curve cannot pin."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from test_curves import MP_TRUE, PEAK, TOTAL, WARM, frame_of
from test_curves import truth_curve as truth
from typer.testing import CliRunner

import scalinglaws as sl
from scalinglaws.cli.main import app
from scalinglaws.data import schedules as S
from scalinglaws.exceptions import OptionError
from scalinglaws.fitting import MultiPowerFit, fit_multi_power
from scalinglaws.fitting.multipower import design, evaluate
from scalinglaws.uncertainty.blocks import block_draw, block_length


def schedule_fit(runs: dict[str, S.Schedule], steps: np.ndarray, noise: float,
                 seed: int) -> sl.FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return sl.fit("schedule", sl.Dataset.from_frame(frame_of(runs, noise, seed, steps)))


# -- bands ---------------------------------------------------------------------------------------
def test_block_draw_keeps_runs_of_consecutive_points():
    rng = np.random.default_rng(0)
    assert block_length(77) == 5 and block_length(1) == 1
    idx = block_draw(77, rng)
    assert idx.size == 77 and idx.min() >= 0 and idx.max() < 77
    steps = np.diff(idx)
    assert np.mean(steps == 1) > 0.7  # within a block of 5, 4 of 5 steps are +1


@pytest.mark.slow
def test_schedule_law_band_covers_the_held_out_end():
    # A constant and a cosine run of the schedule law (0.3% lognormal noise) fitted on their
    # first 70%; the 90% band of the cosine run's end (step 20000, a forecast) should hold
    # the law's true end at about 90%. 50 seeds: binomial sd of the rate ~4.2%. Measured:
    # 0.80 (the percentile band of a nonlinear forecast under-covers a little) with widths
    # matching the spread of the forecasts over the seeds (ratio 1.01). Bounds: a rate
    # >= 0.70 (a band of the wrong size, e.g. points resampled as if independent or a
    # degenerate band, falls far below) and a mean width within a factor 2 of the
    # 90% range of the forecasts across seeds (2 × 1.645 sd).
    steps = np.arange(1000, int(0.7 * TOTAL) + 1, 250)
    cosine = S.cosine(PEAK, TOTAL, WARM)
    runs = {"constant": S.constant(PEAK, WARM), "cosine": cosine}
    end = truth(cosine, np.array([TOTAL]))[0]
    hits, widths, ends = [], [], []
    for seed in range(50):
        fit = schedule_fit(runs, steps, 3e-3, seed)
        curve = fit.predict_curve(cosine, [TOTAL], interval=0.9, n_boot=100, seed=seed)
        hits.append(curve.lower[-1] <= end <= curve.upper[-1])
        widths.append(curve.upper[-1] - curve.lower[-1])
        ends.append(curve.final)
    assert np.mean(hits) >= 0.70, np.mean(hits)
    ratio = np.mean(widths) / (2 * 1.645 * np.std(ends))
    assert 0.5 < ratio < 2.0, ratio


def test_schedule_law_band_grows_into_the_forecast_and_is_seeded():
    steps = np.arange(1000, 14001, 250)
    cosine = S.cosine(PEAK, TOTAL, WARM)
    fit = schedule_fit({"constant": S.constant(PEAK, WARM), "cosine": cosine}, steps, 3e-3, 1)
    at = [2000, 10000, 20000]
    curve = fit.predict_curve(cosine, at, interval=0.9, n_boot=40, seed=3)
    assert curve.lower is not None and curve.upper is not None
    width = curve.upper - curve.lower
    assert np.all(width > 0) and width[-1] > width[1]  # wider past the data (step 14000)
    again = fit.predict_curve(cosine, at, interval=0.9, n_boot=40, seed=3)
    np.testing.assert_array_equal(again.lower, curve.lower)
    doc = curve.to_dict()
    assert doc["level"] == 0.9 and "parameter-only" in doc["interval_kind"]
    assert len(doc["lower"]) == len(doc["upper"]) == 3
    assert "lower" in str(curve) and "interval" in str(curve)
    with pytest.raises(OptionError, match="n_boot"):
        fit.predict_curve(cosine, at, interval=0.9, n_boot=5)
    with pytest.raises(OptionError, match="level"):
        fit.predict_curve(cosine, at, interval=1.5)


def test_many_runs_are_resampled_whole():
    # six runs (>= 5): the band comes from FitResult.bootstrap(by="run")
    steps = np.arange(1000, 14001, 500)
    runs = {f"cos{k}": S.cosine(PEAK * (0.5 + 0.2 * k), TOTAL, WARM) for k in range(6)}
    fit = schedule_fit(runs, steps, 3e-3, 2)
    target = S.wsd(PEAK, TOTAL, WARM)
    with pytest.warns(sl.ScalingLawWarning, match="only 6 clusters"):
        curve = fit.predict_curve(target, [TOTAL], interval=0.9, n_boot=40, seed=0)
    assert curve.lower[0] < curve.final < curve.upper[0]
    assert curve.upper[0] - curve.lower[0] < 0.05 * curve.final


@pytest.mark.slow
def test_multi_power_band_and_saved_curves(tmp_path):
    runs = {"c": S.cosine(3e-4, 4000, warmup=100), "w": S.wsd(3e-4, 4000, warmup=100)}
    steps = np.arange(200, 4001, 100)
    rng = np.random.default_rng(0)
    frame = pd.concat([pd.DataFrame({
        "run": n, "step": steps, "lr": s.lr(steps),
        "loss": evaluate(MP_TRUE, design(s, steps)) * np.exp(2e-3 * rng.standard_normal(
            steps.size))}) for n, s in runs.items()])
    fit = fit_multi_power(frame, schedules=runs)
    target = S.wsd(3e-4, 8000, warmup=100)
    curve = fit.predict_curve(target, [4000, 8000], interval=0.9, n_boot=30, seed=0)
    true = evaluate(MP_TRUE, design(target, [4000, 8000]))
    assert np.all(curve.lower < curve.upper)
    assert np.all(curve.upper - curve.lower < 0.05)  # 0.2% noise: a band of a few 0.1%
    assert abs(curve.final / true[-1] - 1) < 0.01
    fit.save(tmp_path / "mp.json")
    back = MultiPowerFit.from_dict(json.loads((tmp_path / "mp.json").read_text()))
    assert [c[0] for c in back.curves] == ["c", "w"]
    np.testing.assert_array_equal(back.curves[1][2], fit.curves[1][2])
    again = back.predict_curve(target, [4000, 8000], interval=0.9, n_boot=30, seed=0)
    np.testing.assert_allclose(again.upper, curve.upper, rtol=1e-6)
    bare = MultiPowerFit.from_dict({k: v for k, v in fit.to_dict().items() if k != "curves"})
    with pytest.raises(OptionError, match="does not carry its curves"):
        bare.predict_curve(target, [8000], interval=0.9)


# -- single curves -------------------------------------------------------------------------------
@pytest.mark.slow
def test_single_olmo_curve_fit_profiles_the_flat_direction_and_converges():
    # the 190M 0.5x-Chinchilla run, fitted up to 70% of its steps (the benchmark's protocol):
    # the free seven-parameter fit stopped at its evaluation limit (not_converged) before the
    # profiling; now it holds the shape parameter of the flattest direction, says so, and
    # converges. Its held-out MARE was 0.07% before; bound 0.3% (a seventh of the held-out
    # drop of ~2%)
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import bench_schedules
    finally:
        sys.path.pop(0)
    from scalinglaws.data.schedules import from_array

    frame = bench_schedules.ladder()
    run = frame[frame["run"] == "190M-0.5xC"]
    schedule = from_array(run["lr"].to_numpy(), steps=run["step"].to_numpy())
    run = run[run["step"] >= 1000]
    cut = 0.7 * run["step"].max()
    train, test = run[run["step"] <= cut], run[run["step"] > cut]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", sl.ScalingLawWarning)
        fit = fit_multi_power(train, schedules={"190M-0.5xC": schedule})
    assert fit.status == "converged"
    assert fit.profiled and set(fit.profiled) <= {"C", "beta", "gamma"}
    assert any("flat direction" in str(w.message) for w in seen)
    assert "(profiled)" in str(fit) and fit.to_dict()["profiled"] == list(fit.profiled)
    y = test["loss"].to_numpy()
    mare = np.mean(np.abs(fit.predict(schedule, test["step"].to_numpy()) / y - 1))
    assert mare < 0.003, mare


# -- the command line ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def curves_csv(tmp_path_factory):
    # rates logged every 50 steps (a linear warmup of 100: read exactly between them)
    runs = {"c": S.cosine(3e-4, 3000, warmup=100),
            "s": S.step_decay(3e-4, [2000], 0.3, warmup=100)}
    steps = np.arange(50, 3001, 50)
    frame = pd.concat([pd.DataFrame({"run": n, "iteration": steps, "lr": s.lr(steps),
                                     "loss": evaluate(MP_TRUE, design(s, steps))})
                       for n, s in runs.items()])
    path = tmp_path_factory.mktemp("curves") / "curves.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_cli_fit_multi_power_then_predict(curves_csv, tmp_path):
    out_file = tmp_path / "mp.json"
    got = CliRunner().invoke(app, ["fit", str(curves_csv), "--law", "multi_power", "--col",
                                   "step=iteration", "--json", "--out", str(out_file)])
    assert got.exit_code == 0, got.output
    doc = json.loads(got.stdout)
    assert doc["status"] == "converged" and doc["n_points"] == 120
    assert set(doc["params"]) == {"L0", "A", "alpha", "B", "C", "beta", "gamma"}
    assert doc["objective"] >= 0 and doc["params"]["alpha"] == pytest.approx(0.45, rel=0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mp.json"]  # no temp file left
    pred = CliRunner().invoke(app, ["predict", str(out_file), "--schedule", "wsd:decay=0.2",
                                    "--steps", "20000", "--json"])
    assert pred.exit_code == 0, pred.output
    curve = json.loads(pred.stdout)
    true = evaluate(MP_TRUE, design(S.wsd(3e-4, 20000, decay=0.2), [20000]))[0]
    # rates read from the logged column (linear between steps 50 apart) and a forecast to
    # 7x the fitted length: within 1% of the law's end
    assert curve["loss"][-1] == pytest.approx(true, rel=0.01)
    assert "lower" not in curve
    band = CliRunner().invoke(app, ["predict", str(out_file), "--schedule", "wsd:decay=0.2",
                                    "--steps", "1000,20000", "--interval", "0.9", "--json"])
    assert band.exit_code == 0, band.output
    doc = json.loads(band.stdout)
    assert doc["lower"][-1] <= doc["upper"][-1] and "parameter-only" in doc["interval_kind"]
    text = CliRunner().invoke(app, ["fit", str(curves_csv), "--law", "multi_power",
                                    "--col", "step=iteration"])
    assert text.exit_code == 0 and "multi-power law" in text.stdout


def test_cli_predict_schedule_law_interval(tmp_path):
    steps = np.arange(1000, 14001, 250)
    fit = schedule_fit({"constant": S.constant(PEAK, WARM),
                        "cosine": S.cosine(PEAK, TOTAL, WARM)}, steps, 3e-3, 0)
    fit.save(tmp_path / "fit.json")
    got = CliRunner().invoke(app, ["predict", str(tmp_path / "fit.json"), "--schedule",
                                   f"cosine:warmup={WARM}", "--steps", "5000,20000",
                                   "--interval", "0.9", "--json"])
    assert got.exit_code == 0, got.output
    doc = json.loads(got.stdout)  # peak: the data's highest rate (1e-3)
    assert "peak=0.001" in doc["schedule"] and doc["level"] == 0.9
    assert doc["lower"][1] < doc["loss"][1] < doc["upper"][1]
    bad = CliRunner().invoke(app, ["predict", str(tmp_path / "fit.json"), "--schedule",
                                   "cosine:peak=1e-3", "--steps", "100", "--interval", "2"])
    assert bad.exit_code == 2 and "--interval" in bad.output


@pytest.mark.parametrize(("frame", "args", "message"), [
    ("no_lr", [], "no column 'lr'"),
    ("negative", [], "positive"),
    ("ok", ["--col", "flops=x"], "not a column of --law multi_power"),
    ("ok", ["--bootstrap", "10"], "--bootstrap: not an option of --law multi_power"),
    ("ok", ["--where", "step > 100"], "--where: not an option"),
    ("ok", ["--dropna"], "--dropna: not an option"),
    ("ok", ["--last-by", "run"], "--last-by: not an option"),
    ("short", [], "points for 7 parameters"),
    ("bad_lr", [], "column 'lr', run None"),
    ("empty", [], "no rows"),
])
def test_cli_fit_multi_power_bad_input_exits_2(tmp_path, frame, args, message):
    s = S.cosine(3e-4, 4000)
    steps = np.arange(100, 4001, 100)
    table = pd.DataFrame({"step": steps, "lr": s.lr(steps),
                          "loss": evaluate(MP_TRUE, design(s, steps))})
    table = {"no_lr": table.drop(columns="lr"),
             "negative": table.assign(loss=-table["loss"]), "ok": table,
             "short": table.head(5), "bad_lr": table.assign(lr="x"),
             "empty": table.head(0)}[frame]
    path = tmp_path / "c.csv"
    table.to_csv(path, index=False)
    got = CliRunner().invoke(app, ["fit", str(path), "--law", "multi_power", *args])
    assert got.exit_code == 2, got.output
    assert message in " ".join(got.output.split())
