"""The schedule law (Tissue et al. 2024, arXiv:2408.11029) and its inputs: the areas helper
against the paper's sums, and held-out loss curves of the OLMo ladder."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.data.schedule import schedule_areas
from scalinglaws.exceptions import DataError

OLMO = Path(__file__).resolve().parents[2] / "shared" / "data" / "olmo_ladder" / "olmo_ladder.csv"


def paper_sums(eta: np.ndarray, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """S1, S2 by the paper's definitions, one loop over steps 1..n (eta[0] = step 0); the
    decrements count from the learning rate's peak on (warmup adds to S1 only)."""
    peak = int(np.argmax(eta))
    s1, s2, m = [], [], 0.0
    a1 = a2 = 0.0
    for i in range(1, len(eta)):
        a1 += eta[i]
        m = decay * m + (eta[i - 1] - eta[i] if i > peak else 0.0)
        a2 += m
        s1.append(a1)
        s2.append(a2)
    return np.array(s1), np.array(s2)


def wsd(n: int = 3000, warm: int = 100, stable: int = 2000, peak: float = 1e-3) -> np.ndarray:
    """Warmup-stable-decay learning rate at steps 0..n: linear warmup from 0, linear decay
    to 10% of the peak."""
    s = np.arange(n + 1, dtype=float)
    up = peak * s / warm
    down = peak * (1 - 0.9 * (s - stable) / (n - stable))
    return np.where(s < warm, up, np.where(s < stable, peak, down))


# -- the helper ---------------------------------------------------------------------------------
def test_areas_logged_every_step_match_the_paper_sums():
    eta = wsd()
    frame = pd.DataFrame({"step": np.arange(1, eta.size), "lr": eta[1:]})
    out = schedule_areas(frame, decay=0.999)
    s1, s2 = paper_sums(eta, 0.999)
    np.testing.assert_allclose(out["lr_area"], s1, rtol=1e-12)
    np.testing.assert_allclose(out["anneal_area"], s2, rtol=1e-9, atol=1e-15)
    # before the decay S2 is exactly 0; after, it is positive and growing
    assert np.all(out["anneal_area"][:1999] == 0) and np.all(np.diff(s2[2000:]) > 0)


def test_sparse_logging_of_a_piecewise_linear_schedule_is_exact():
    # linear warmup / stable / linear decay logged every 100 steps: interpolation recovers
    # the schedule at every step, so the areas equal those of the dense log
    eta = wsd()
    steps = np.arange(100, eta.size, 100)
    sparse = schedule_areas(pd.DataFrame({"step": steps, "lr": eta[steps]}))
    s1, s2 = paper_sums(eta, 0.999)
    np.testing.assert_allclose(sparse["lr_area"], s1[steps - 1], rtol=1e-12)
    np.testing.assert_allclose(sparse["anneal_area"], s2[steps - 1], rtol=1e-9)


def test_sparse_logging_of_a_cosine_is_close():
    # a cosine logged every 200 of 7000 steps (as the OLMo ladder): linear interpolation
    # between logged points errs by at most (200 pi / 7000)^2 / 8 ~ 1e-3 of the amplitude
    n, peak = 7000, 1e-3
    s = np.arange(n + 1, dtype=float)
    eta = peak * (0.1 + 0.45 * (1 + np.cos(np.pi * s / n)))
    steps = np.arange(200, n + 1, 200)
    sparse = schedule_areas(pd.DataFrame({"step": steps, "lr": eta[steps]}), initial_lr=peak)
    s1, s2 = paper_sums(eta, 0.999)
    np.testing.assert_allclose(sparse["lr_area"], s1[steps - 1], rtol=1e-3)
    # S2 sums the decrements with a delay: the reconstruction moves each 200-step segment's
    # decrement within its segment, an absolute shift of S2 (measured 1.4e-4, 0.02% of the
    # final S2); 0.1% of the final S2 bounds it
    np.testing.assert_allclose(sparse["anneal_area"], s2[steps - 1], rtol=1e-2,
                               atol=1e-3 * s2[-1])


def test_areas_restart_per_run_keep_rows_and_options():
    eta = wsd()
    steps = np.arange(100, eta.size, 100)
    one = pd.DataFrame({"step": steps, "lr": eta[steps], "loss": 3.0})
    two = pd.concat([one.assign(run="a"), one.assign(run="b", lr=2 * one["lr"])])
    out = schedule_areas(two)
    a, b = out[out.run == "a"], out[out.run == "b"]
    np.testing.assert_allclose(b["lr_area"], 2 * a["lr_area"].to_numpy(), rtol=1e-12)
    assert list(out.columns) == ["step", "lr", "loss", "run", "lr_area", "anneal_area"]
    # normalize=True divides by each run's peak: both runs then have the same areas
    norm = schedule_areas(two, normalize=True)
    np.testing.assert_allclose(norm[norm.run == "b"]["lr_area"],
                               norm[norm.run == "a"]["lr_area"], rtol=1e-12)
    assert norm["lr_area"].iloc[-1] == pytest.approx(a["lr_area"].iloc[-1] / 1e-3)
    # a smaller decay forgets the decrements faster: a smaller annealing area
    fast = schedule_areas(one, decay=0.9)
    assert fast["anneal_area"].iloc[-1] < a["anneal_area"].iloc[-1]


def test_dataset_in_dataset_out():
    eta = wsd()
    steps = np.arange(100, eta.size, 100)
    ds = sl.Dataset.from_frame(pd.DataFrame({"step": steps, "lr": eta[steps], "loss": 3.0}),
                               name="toy")
    out = schedule_areas(ds)
    assert isinstance(out, sl.Dataset) and out.name == "toy"
    assert out.has("lr_area") and out.has("anneal_area")


@pytest.mark.parametrize(("frame", "kwargs", "message"), [
    (pd.DataFrame({"step": [1, 3, 2], "lr": [1.0, 1.0, 1.0]}), {}, "not strictly increasing"),
    (pd.DataFrame({"step": [1, 2, 2], "lr": [1.0, 1.0, 1.0]}), {}, "not strictly increasing"),
    (pd.DataFrame({"step": [1, 2, 3]}), {}, "no column 'lr'"),
    (pd.DataFrame({"lr": [1.0, 1.0]}), {}, "no column 'step'"),
    (pd.DataFrame({"step": [1, 2], "lr": [1e-3, -1e-3]}), {}, "negative"),
    (pd.DataFrame({"step": [1, 2], "lr": [1e-3, np.nan]}), {}, "not finite"),
    (pd.DataFrame({"step": [0.5, 2], "lr": [1e-3, 1e-3]}), {}, "whole numbers"),
    (pd.DataFrame({"step": [1, 2], "lr": [1e-3, 1e-3]}), {"decay": 1.0}, "decay"),
    (pd.DataFrame({"step": [1, 2], "lr": [1e-3, 1e-3]}), {"normalize": -1.0}, "normalize"),
])
def test_bad_input_raises_data_error(frame, kwargs, message):
    with pytest.raises(DataError, match=message):
        schedule_areas(frame, **kwargs)


def test_unsorted_run_names_the_rows():
    frame = pd.DataFrame({"run": ["a", "a", "b", "b"], "step": [1, 2, 5, 4],
                          "lr": [1.0, 1.0, 1.0, 1.0]})
    with pytest.raises(DataError, match=r"rows 2, 3"):
        schedule_areas(frame)


# -- the OLMo ladder ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ladder() -> pd.DataFrame:
    if not OLMO.exists():
        pytest.skip("../shared/data/olmo_ladder is absent (the project's shared data folder)")
    frame = pd.read_csv(OLMO)
    frame = frame[frame["lr"].notna()].rename(columns={"run_id": "run", "loss_c4_en": "loss"})
    areas = schedule_areas(frame[["run", "step", "lr", "loss", "params"]])
    # the law describes the curve after the early transient (first ~1000 steps)
    return areas[areas["step"] >= 1000]


POWER = sl.Law.from_expression("E + B*step**(-beta)", inputs={"step": "step"})


@pytest.fixture(scope="module")
def held_out(ladder) -> pd.DataFrame:
    """Each run fitted up to 65% of its steps, scored on the rest (the last third of the
    cosine, where the learning rate falls from ~40% to 10% of its peak)."""
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        for run, r in ladder.groupby("run"):
            train = r[r["step"] <= 0.65 * r["step"].max()]
            test = r[r["step"] > 0.65 * r["step"].max()]
            ds = sl.Dataset.from_frame(train)
            law, power = sl.fit("schedule", ds), sl.fit(POWER, ds)
            y = test["loss"].to_numpy()
            p = law.predict(lr_area=test["lr_area"].to_numpy(),
                            anneal_area=test["anneal_area"].to_numpy(), extrapolation=None)
            q = power.predict(step=test["step"].to_numpy(), extrapolation=None)
            rows.append({"run": run, "schedule": np.mean(np.abs(p / y - 1)),
                         "power": np.mean(np.abs(q / y - 1)),
                         "schedule_max": np.max(np.abs(p / y - 1)),
                         "drop": (y[0] - y[-1]) / y[-1]})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_held_out_end_of_curve_is_predicted_within_tolerance(held_out):
    # 30 runs (190M-3B, 0.5-10x Chinchilla). The held-out part drops the loss by 1.8-2.8%
    # (median 2.2%); seed-to-seed noise of a final loss is 0.03% (the 1xC reruns), so the
    # errors below are model error. Measured: worst run 1.08% (the 10xC runs, whose fitted
    # part is furthest from the end), median of the per-run mean error 0.21%. Bounds: no
    # run off by more than 1.25% anywhere, and the median error under 0.3% (~1/8 of the drop).
    assert len(held_out) == 30
    assert held_out["schedule_max"].max() < 0.0125, held_out.round(4)
    assert held_out["schedule"].median() < 0.003
    assert held_out["drop"].median() > 0.015


def test_schedule_law_beats_a_power_law_in_steps_on_the_anneal(held_out):
    # the power law E + B/step^beta fitted to the same points does not know that the
    # learning rate keeps falling: measured median error 0.40% vs 0.21%, the schedule law
    # better on 25 of 30 runs (worse on 5 short runs: 0.5x, and 1x at 190M/370M)
    assert held_out["schedule"].median() < 0.75 * held_out["power"].median()
    assert (held_out["schedule"] < held_out["power"]).sum() >= 20


def test_full_curve_fits_span_the_documented_values(ladder):
    law = sl.laws.get("schedule")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fits = pd.DataFrame([sl.fit("schedule", sl.Dataset.from_frame(r)).params
                             for _, r in ladder.groupby("run")])
    # the reference is the median over the 30 runs (rounded to 2 digits)
    for name, value in law.reference.items():
        assert fits[name].median() == pytest.approx(value, abs=0.01), name
    # every run but the two shortest (190M and 370M at 0.5x Chinchilla: curves too short
    # to separate L0 from A and alpha) inside the typical ranges
    inside = np.ones(len(fits), dtype=bool)
    for p in law.parameters:
        assert p.typical is not None
        inside &= fits[p.name].between(*p.typical).to_numpy()
    assert inside.sum() >= 28


# -- the curves figure --------------------------------------------------------------------------
def test_curves_figure_with_the_schedule_law(ladder):
    pytest.importorskip("matplotlib")
    from scalinglaws.report import curves_figure

    data = sl.Dataset.from_frame(ladder[ladder["run"].isin(["1B-1xC", "1B-5xC"])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit("schedule", data.subset(data.labels("run") == "1B-5xC"))
    # against a column the law reads: curves and the fit's predictions at the same rows
    fig = curves_figure(data, fit, x="lr_area", y="loss", by="run")
    assert len(fig.axes[0].get_lines()) == 4
    # against step too: the data carry the law's inputs, so each point has its prediction
    by_step = curves_figure(data, fit, x="step", y="loss", by="run")
    assert len(by_step.axes[0].get_lines()) == 4
