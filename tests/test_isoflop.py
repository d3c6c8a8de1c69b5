"""IsoFLOP analysis (Hoffmann et al. 2022, Approaches 1 and 2): isoflop and envelope."""

from __future__ import annotations

import doctest
import importlib
import json
import math
import pkgutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import DataError, OptionError, ScalingLawWarning

E, A, B = 1.69, 406.4, 410.7  # Hoffmann et al.'s fitted E, A, B; the exponents vary per test
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PORIAN = SHARED / "porian_isoflop"


def law(n: np.ndarray, d: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    return E + A / n**alpha + B / d**beta


def n_opt_true(c: np.ndarray | float, alpha: float, beta: float) -> np.ndarray:
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    return np.asarray(g * (np.asarray(c) / 6) ** (beta / (alpha + beta)))


def sweep(alpha: float, beta: float, seed: int = 0, *, noise: float = 0.002,
          span: float = 16.0, n_sizes: int = 11, jitter: float = 0.3,
          budgets: np.ndarray | None = None, flops_noise: float = 0.0) -> pd.DataFrame:
    """IsoFLOP sweeps of the Chinchilla law: 9 budgets 1e18..1e22, ``n_sizes`` sizes over a
    factor ``span`` centred off the optimum by up to ±``jitter`` in ln N, log-normal loss noise
    (0.2%: about 0.005 in loss, the seed-to-seed spread of real runs)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in np.geomspace(1e18, 1e22, 9) if budgets is None else budgets:
        centre = n_opt_true(c, alpha, beta) * np.exp(rng.uniform(-jitter, jitter))
        for n in centre * np.geomspace(span**-0.5, span**0.5, n_sizes):
            c_run = c * np.exp(flops_noise * rng.standard_normal())
            d = c_run / (6 * n)
            loss = law(n, d, alpha, beta) * np.exp(noise * rng.standard_normal())
            rows.append((c_run, n, d, loss))
    return pd.DataFrame(rows, columns=["flops", "params", "tokens", "loss"])


def quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)
        return fn(*args, **kwargs)


# -- synthetic sweeps: the exponents of the generating law ------------------------------------
@pytest.mark.parametrize("alpha,beta", [(0.34, 0.28), (0.45, 0.25)])
def test_isoflop_recovers_chinchilla_exponents(alpha: float, beta: float) -> None:
    a_true, b_true = beta / (alpha + beta), alpha / (alpha + beta)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScalingLawWarning)  # a clean sweep warns about nothing
        iso = sl.plan.isoflop(sl.Dataset(sweep(alpha, beta)))
    # Over 50 such sweeps (benchmarks/bench_isoflop.py) the error of a has sd 0.003-0.004
    # here (0.006 for alpha < beta) and never exceeded 0.013: 0.02 is 5 sd, so a failure
    # means a bias, not bad luck. Along one
    # budget the loss is a fixed shape in ln N - ln N_opt scaled by a factor of C, so the
    # parabola's offset from the true optimum is the same at every budget and cancels in a.
    assert abs(iso.a - a_true) < 0.02
    assert abs(iso.b - b_true) < 0.02
    assert iso.a_interval[0] <= a_true <= iso.a_interval[1]
    assert iso.b_interval[0] <= b_true <= iso.b_interval[1]
    # C = 6·N·D holds for every run, so D_opt = C/(6 N_opt) at every budget and a + b = 1
    assert iso.a + iso.b == pytest.approx(1.0, abs=1e-9)
    used = iso.used
    assert len(used) == 9 and not used["at_edge"].any()
    assert (used["n_runs"] == 11).all()
    # each parabola minimum within 0.15 in ln N of the law's optimum (the fixed offset of a
    # parabola fitted to an asymmetric curve, plus noise; the sweep spans ±1.4 in ln N)
    err = np.log(used["n_opt"] / n_opt_true(used["flops"].to_numpy(), alpha, beta))
    assert np.abs(err).max() < 0.15
    assert (used["curvature"] > 0).all()
    assert (used["n_opt_lo"] <= used["n_opt"]).all() and (used["n_opt"] <= used["n_opt_hi"]).all()
    n, d = iso.predict([1e20, 1e23])
    assert np.allclose(6 * n * d, [1e20, 1e23], rtol=1e-9)
    assert n[1] / n[0] == pytest.approx(1e3**iso.a)


@pytest.mark.slow
def test_isoflop_interval_coverage() -> None:
    """The percentile interval covers the true a in most of 40 independent sweeps."""
    alpha, beta = 0.34, 0.28
    a_true = beta / (alpha + beta)
    covered = []
    for seed in range(40):
        iso = sl.plan.isoflop(sl.Dataset(sweep(alpha, beta, seed=seed)), n_boot=300, seed=seed)
        covered.append(iso.a_interval[0] <= a_true <= iso.a_interval[1])
    # Nominal 95%; the benchmark measured 96-98% over 50 sweeps (resampling 11 points per
    # budget is a little conservative). At a true coverage of 95%, 33 or fewer hits of 40
    # has probability 1.5%; at 80% coverage 34 or more hits has probability 4%.
    assert sum(covered) >= 34


def test_isoflop_window_and_log_budgets() -> None:
    alpha, beta = 0.45, 0.25
    a_true = beta / (alpha + beta)
    # a window of the 5 sizes nearest the lowest loss spans a factor 3 in N, where the
    # parabola's curvature is weak: with 0.2% noise the error of a has sd 0.015 (30 sweeps),
    # so this uses 0.05% noise (sd 0.0033, largest error 0.007 in 30 sweeps; 0.02 is 6 sd)
    iso = sl.plan.isoflop(sl.Dataset(sweep(alpha, beta, noise=0.0005)), window=5)
    assert abs(iso.a - a_true) < 0.02
    assert iso.a_interval[0] <= a_true <= iso.a_interval[1]
    assert iso.window == 5
    # jittered FLOPs (0.5% per run): no two runs share a budget, so exact grouping fails ...
    frame = sweep(alpha, beta, flops_noise=0.005, budgets=np.logspace(18, 22, 9))
    with pytest.warns(ScalingLawWarning, match="budgets='log'"), \
            pytest.raises(DataError, match="at least 2 budgets"):
        sl.plan.isoflop(frame)
    # ... and log bins (0.1 decade, centred on 1e18, 1e18.5, ...) regroup the 9 sweeps
    iso = sl.plan.isoflop(frame, budgets="log")
    assert list(iso.budgets["n_runs"]) == [11] * 9
    assert abs(iso.a - a_true) < 0.02
    # so do 9 equal log bins and explicit edges halfway between the budgets (in log)
    for budgets in (9, np.logspace(17.75, 22.25, 10)):
        other = sl.plan.isoflop(frame, budgets=budgets, n_boot=0)
        assert list(other.budgets["n_runs"]) == [11] * 9
        assert other.a == pytest.approx(iso.a, abs=1e-12)


def test_isoflop_exact_budget_tolerance() -> None:
    frame = sweep(0.34, 0.28)
    nudged = frame.copy()
    nudged["flops"] *= 1 + 1e-9 * np.arange(len(frame)) / len(frame)  # within 1e-6 relative
    iso = sl.plan.isoflop(nudged, n_boot=0)
    assert len(iso.budgets) == 9
    split = frame.copy()
    split.loc[split.index[:5], "flops"] *= 1.01  # 5 runs of the first budget move by 1%
    with pytest.warns(ScalingLawWarning):
        iso = sl.plan.isoflop(split, n_boot=0)
    assert len(iso.budgets) == 10


def test_isoflop_without_tokens_uses_flops_factor() -> None:
    frame = sweep(0.34, 0.28).drop(columns="tokens")
    ds = sl.Dataset(frame, flops_factor=6.0)
    iso = sl.plan.isoflop(ds, n_boot=0)
    assert iso.tokens_from.startswith("C / (6")
    assert np.allclose(iso.used["d_opt"], iso.used["flops"] / (6 * iso.used["n_opt"]))
    with_tokens = sl.plan.isoflop(sweep(0.34, 0.28), n_boot=0)
    assert np.allclose(iso.used["d_opt"], with_tokens.used["d_opt"], rtol=1e-9)


def test_isoflop_d_opt_follows_the_tokens_column() -> None:
    """With a FLOP count other than 6·N·D, D_opt is read off the runs, not C/(6 N_opt)."""
    frame = sweep(0.34, 0.28)
    # FLOPs per token 6N + 1e9 (an attention-like term, 2x 6N at the smallest sizes)
    frame["tokens"] = frame["flops"] / (6 * frame["params"] + 1e9)
    iso = sl.plan.isoflop(frame, n_boot=0)
    u = iso.used
    expected = u["flops"] / (6 * u["n_opt"] + 1e9)
    # ln(C/D) is interpolated linearly in ln N between sizes 1.32x apart; its curvature here
    # bounds the error by ~0.3% (measured 0.23%)
    assert np.allclose(u["d_opt"], expected, rtol=3e-3)
    assert (u["d_opt"] / (u["flops"] / (6 * u["n_opt"])) < 0.98).all()  # not C/(6·N_opt)


def test_isoflop_result_object() -> None:
    iso = sl.plan.isoflop(sweep(0.34, 0.28), n_boot=200)
    d = iso.to_dict()
    text = json.dumps(d, allow_nan=False)  # JSON-ready: no NaN, no numpy types
    assert {"a", "b", "a_interval", "b_interval", "budgets", "k_N", "k_D"} <= set(d)
    assert len(d["budgets"]) == 9 and d["budgets"][0]["status"] == "used"
    assert json.loads(text)["a"] == pytest.approx(iso.a)
    s = str(iso)
    assert "a = " in s and "b = " in s and "Approach 2" in s
    assert "<table" in iso._repr_html_()
    assert iso.boot_a.shape == (200,)
    n, d_opt = iso.predict(1e21)
    assert np.shape(n) == () and float(n) == pytest.approx(iso.k_N * 1e21**iso.a)
    assert float(d_opt) == pytest.approx(iso.k_D * 1e21**iso.b)
    none = sl.plan.isoflop(sweep(0.34, 0.28), n_boot=0)
    assert math.isnan(none.a_interval[0])
    assert json.loads(json.dumps(none.to_dict(), allow_nan=False))["a_interval"] == [None, None]
    same = sl.plan.isoflop(sweep(0.34, 0.28), n_boot=200)
    assert same.a_interval == iso.a_interval  # seed=0 by default: reproducible


def test_isoflop_doctests() -> None:
    package = importlib.import_module("scalinglaws.plan.isoflops")
    names = [package.__name__] + [f"{package.__name__}.{m.name}"
                                  for m in pkgutil.iter_modules(package.__path__)]
    results = [doctest.testmod(importlib.import_module(name)) for name in names]
    assert sum(r.attempted for r in results) >= 10 and sum(r.failed for r in results) == 0


# -- bad budgets and bad inputs ----------------------------------------------------------------
def test_budget_with_too_few_sizes_is_skipped() -> None:
    frame = sweep(0.34, 0.28)
    small = frame[frame["flops"] == frame["flops"].min()].iloc[:2]  # a budget of 2 sizes
    small = small.assign(flops=small["flops"] / 10, tokens=small["tokens"] / 10)
    with pytest.warns(ScalingLawWarning, match="fewer than min_sizes=3 distinct sizes"):
        iso = sl.plan.isoflop(pd.concat([frame, small]), n_boot=0)
    assert iso.budgets["status"].tolist() == ["too_few_sizes"] + ["used"] * 9
    assert any("min_sizes" in w for w in iso.warnings)
    assert iso.a == pytest.approx(sl.plan.isoflop(frame, n_boot=0).a)
    # min_sizes raises the bar: budgets of 11 sizes are skipped under min_sizes=12
    with pytest.warns(ScalingLawWarning), pytest.raises(DataError, match="found 0"):
        sl.plan.isoflop(frame, min_sizes=12)


def test_error_when_fewer_than_two_budgets_remain() -> None:
    frame = sweep(0.34, 0.28)
    one = frame[frame["flops"] == frame["flops"].max()]
    with pytest.raises(DataError, match="at least 2 budgets") as err:
        sl.plan.isoflop(one)
    assert "1 used" in str(err.value)  # says what became of each budget
    pairs = frame.groupby("flops").head(2)  # every budget has 2 sizes
    with pytest.warns(ScalingLawWarning), pytest.raises(DataError, match="found 0"):
        sl.plan.isoflop(pairs)


def test_downward_parabola_is_skipped() -> None:
    frame = sweep(0.34, 0.28)
    top = frame["flops"].max()
    flipped = frame.copy()
    at_top = flipped["flops"] == top
    flipped.loc[at_top, "loss"] = 10.0 - flipped.loc[at_top, "loss"]  # a maximum, not a minimum
    with pytest.warns(ScalingLawWarning, match="opens downwards"):
        iso = sl.plan.isoflop(flipped, n_boot=0)
    row = iso.budgets[np.isclose(iso.budgets["flops"], top)].iloc[0]
    assert row["status"] == "no_minimum" and row["curvature"] < 0 and math.isnan(row["n_opt"])
    assert len(iso.used) == 8


def test_minimum_at_or_beyond_the_edge() -> None:
    alpha, beta = 0.34, 0.28
    edge_c, beyond_c = 1e19, 1e21
    rows = []
    for c in np.geomspace(1e18, 1e22, 9):
        n_star = n_opt_true(c, alpha, beta)
        # every sweep spans a factor 16 in N; two are off-centre: one with the optimum between
        # its smallest two sizes, one with the optimum below all its sizes
        shift = {edge_c: 16**0.5 / 1.15, beyond_c: 16**0.5 * 2.0}.get(c, 1.0)
        for n in n_star * shift * np.geomspace(16**-0.5, 16**0.5, 11):
            rows.append((c, n, c / (6 * n), law(n, c / (6 * n), alpha, beta)))
    frame = pd.DataFrame(rows, columns=["flops", "params", "tokens", "loss"])
    with pytest.warns(ScalingLawWarning) as record:
        iso = sl.plan.isoflop(frame, n_boot=0)
    texts = " ".join(str(w.message) for w in record)
    assert "at the edge of the sampled sizes" in texts and "beyond the sampled sizes" in texts
    table = iso.budgets.set_index(np.round(2 * np.log10(iso.budgets["flops"])).astype(int))
    assert table.loc[38, "at_edge"] and table.loc[38, "status"] == "used"  # 1e19
    assert table.loc[42, "at_edge"] and table.loc[42, "status"] == "extrapolated"  # 1e21
    assert table.drop(index=[38, 42])["at_edge"].sum() == 0
    assert len(iso.used) == 8


@pytest.mark.parametrize("value", [0.0, -1e20])
def test_zero_or_negative_flops(value: float) -> None:
    frame = sweep(0.34, 0.28)
    frame.loc[3, "flops"] = value
    # the Dataset rejects the row on construction, naming the column, the row and the fix;
    # isoflop given a DataFrame builds that Dataset and raises the same error
    for build in (lambda: sl.Dataset(frame), lambda: sl.plan.isoflop(frame)):
        with pytest.raises(DataError) as err:
            build()
        msg = str(err.value)
        assert "'flops'" in msg and "strictly positive" in msg and "row 3" in msg
        assert "drop those rows" in msg


def test_missing_flops_or_size_columns() -> None:
    frame = sweep(0.34, 0.28).drop(columns=["flops", "tokens"])
    with pytest.raises(DataError, match="no 'flops' column"):
        sl.plan.isoflop(frame)
    with pytest.raises(DataError, match="no column 'n_embed'"):
        sl.plan.isoflop(sweep(0.34, 0.28), x="n_embed")
    bad = sweep(0.34, 0.28).assign(n_embed=-1.0)
    with pytest.raises(DataError, match="'n_embed' must be strictly positive"):
        sl.plan.isoflop(bad, x="n_embed")
    with pytest.raises(DataError, match="Dataset or a DataFrame"):
        sl.plan.isoflop([1, 2, 3])


@pytest.mark.parametrize("kwargs,where", [
    ({"budgets": "linear"}, "budgets"), ({"budgets": 0}, "budgets"),
    ({"budgets": True}, "budgets"), ({"budgets": [1e20]}, "budgets"),
    ({"budgets": [3e20, 1e20]}, "budgets"), ({"budgets": [0.0, 1e20]}, "budgets"),
    ({"budgets": 2.5}, "budgets"), ({"level": 1.5}, "level"), ({"level": "high"}, "level"),
    ({"n_boot": 1}, "n_boot"), ({"n_boot": -5}, "n_boot"), ({"n_boot": 2.5}, "n_boot"),
    ({"seed": "a"}, "seed"), ({"seed": -1}, "seed"), ({"min_sizes": 2}, "min_sizes"),
    ({"window": 2}, "window"), ({"window": 4.0}, "window"), ({"x": "loss"}, "'x'"),
    ({"x": "tokens"}, "'x'"), ({"x": 3}, "'x'"), ({"estimator": "spline"}, "estimator"),
    ({"estimator": "akima", "window": 3}, "window"),
])
def test_bad_options(kwargs: dict, where: str) -> None:
    with pytest.raises(OptionError, match=where) as err:
        sl.plan.isoflop(sweep(0.34, 0.28), **kwargs)
    assert isinstance(err.value, ValueError) and err.value.fix  # what, where and the fix


def test_runs_outside_bin_edges_are_reported() -> None:
    frame = sweep(0.34, 0.28)
    with pytest.warns(ScalingLawWarning, match="outside the budget edges"):
        iso = sl.plan.isoflop(frame, budgets=np.logspace(17.75, 21.25, 8), n_boot=0)
    assert len(iso.budgets) == 7  # the 1e21.5 and 1e22 budgets are left out
    with pytest.warns(ScalingLawWarning), pytest.raises(DataError):
        sl.plan.isoflop(frame, budgets=[1e10, 1e11])


# -- the bundled Chinchilla points -------------------------------------------------------------
def test_chinchilla_points_need_log_bins(chinchilla_kept: sl.Dataset) -> None:
    # read off a figure: no two of the 240 runs share a FLOP value
    assert np.unique(chinchilla_kept.flops).size == len(chinchilla_kept)
    with pytest.warns(ScalingLawWarning, match="budgets='log'"), \
            pytest.raises(DataError, match="240 too_few_sizes"):
        sl.plan.isoflop(chinchilla_kept)
    iso = quiet(sl.plan.isoflop, chinchilla_kept, budgets="log")
    # Hoffmann et al. Table 2, Approach 2: a = 0.49 [0.462, 0.534], b = 0.51 [0.483, 0.529].
    # From 0.1-decade bins of the figure's points we get a = 0.509 [0.477, 0.547]: inside
    # their interval, and the two intervals overlap (docs/planning.md); a failure here means
    # the method or the binning changed, not noise (the fit is deterministic).
    assert 0.462 <= iso.a <= 0.534 and 0.483 - 0.02 <= iso.b <= 0.529
    assert iso.a_interval[0] < 0.534 and iso.a_interval[1] > 0.462
    assert iso.a_interval[0] < iso.a < iso.a_interval[1]
    assert iso.a + iso.b == pytest.approx(1.0, abs=1e-9)  # tokens = C/(6N) in this file
    assert len(iso.used) >= 15


def test_chinchilla_envelope(chinchilla_kept: sl.Dataset) -> None:
    env = sl.plan.envelope(chinchilla_kept)
    # Hoffmann et al. Approach 1: a = 0.50 [0.488, 0.502], from 1,500 FLOP values on smoothed
    # training curves; here 240 final losses read off a figure, so within 0.02 of 0.50
    assert abs(env.a - 0.50) < 0.02 and abs(env.b - 0.50) < 0.02
    f = env.frame
    assert (np.diff(f["flops"]) >= 0).all() and (np.diff(f["loss"]) < 0).all()


# -- Approach 1: the loss envelope -------------------------------------------------------------
def test_envelope_running_minimum_by_hand() -> None:
    frame = pd.DataFrame({
        "flops":  [1e18, 2e18, 3e18, 4e18, 5e18, 6e18],
        "params": [1e8, 2e8, 1e8, 3e8, 4e8, 5e8],
        "tokens": [1e9, 1e9, 2e9, 1e9, 1e9, 1e9],
        "loss":   [3.0, 3.1, 2.9, 2.9, 2.5, 2.6],
    })
    with pytest.warns(ScalingLawWarning, match="only 2 distinct params"):
        env = sl.plan.envelope(frame)
    # on the envelope: each loss below every loss at fewer FLOPs (ties do not count)
    assert env.frame["flops"].tolist() == [1e18, 3e18, 5e18]
    logc = np.log([1e18, 3e18, 5e18])
    assert env.a == pytest.approx(np.polyfit(logc, np.log([1e8, 1e8, 4e8]), 1)[0])
    assert env.b == pytest.approx(np.polyfit(logc, np.log([1e9, 2e9, 1e9]), 1)[0])
    binned = quiet(sl.plan.envelope, frame, n_bins=2)  # bins [1e18, 2.45e18), [2.45e18, 6e18]
    assert binned.frame["flops"].tolist() == [1e18, 5e18]
    assert "points" in json.loads(json.dumps(env.to_dict(), allow_nan=False))
    assert "Approach 1" in str(env) and "<table" in env._repr_html_()


@pytest.mark.parametrize("alpha,beta", [(0.34, 0.28), (0.45, 0.25)])
def test_envelope_recovers_exponents(alpha: float, beta: float) -> None:
    """Hoffmann's Approach 1 on 49 sizes x 200 checkpoints, FLOPs 1e18..1e22."""
    n = np.repeat(np.geomspace(1e6, 1e12, 49), 200)
    d = np.tile(np.geomspace(1e7, 1e15, 200), 49)
    keep = (6 * n * d >= 1e18) & (6 * n * d <= 1e22)
    frame = pd.DataFrame({"params": n[keep], "tokens": d[keep],
                          "loss": law(n[keep], d[keep], alpha, beta)})
    env = sl.plan.envelope(frame, n_bins=40)
    # the per-bin minimum sits on a grid of sizes 1.33x apart (±0.14 in ln N), which shows as
    # a staircase around the true line; measured error 0.000-0.003, tolerance 0.02
    assert abs(env.a - beta / (alpha + beta)) < 0.02
    assert abs(env.b - alpha / (alpha + beta)) < 0.02
    assert len(env.frame) == 40


def test_envelope_bad_input() -> None:
    frame = sweep(0.34, 0.28)
    with pytest.raises(OptionError, match="n_bins"):
        sl.plan.envelope(frame, n_bins=0)
    with pytest.raises(DataError, match="at least 2"):
        sl.plan.envelope(frame[frame["flops"] == frame["flops"].min()])
    few = pd.DataFrame({"flops": [1e18, 2e18, 4e18], "params": [1e8, 1e8, 2e8],
                        "loss": [3.0, 2.9, 2.8]})
    with pytest.warns(ScalingLawWarning, match="distinct params"):
        env = sl.plan.envelope(few)
    assert env.tokens_from.startswith("C / (6")
    assert np.allclose(env.frame["tokens"], few["flops"] / (6 * few["params"]))


# -- Porian et al. 2024: their compute-optimal exponents ---------------------------------------
def _porian() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (pd.read_csv(PORIAN / "isoflop_points.csv"), pd.read_csv(PORIAN / "fits.csv"),
            pd.read_csv(PORIAN / "optimal_points.csv"))


_CONFIGS = [f"{d}/{rest}" for d in ("rw", "owt2") for rest in (
    "base/long/kaplan/kaplan/train", "base/long/kaplan/standard/val",
    "base/short/kaplan/standard/val", "base/short/chinchilla/standard/val",
    "tuned/short/const/standard/val")] + [
    "rw/base/long/kaplan/attention/train", "rw/base/short/kaplan/attention/train",
    "rw/base/short/chinchilla/attention/train", "rw/tuned/short/const/attention/train",
    "rw/tuned/long/const/kaplan/train"]
_KAPLAN_REPRODUCTION = pytest.mark.xfail(strict=True, reason=(
    "Porian et al. locate each budget's minimum with an Akima spline through ln loss; at "
    "1.25e16 FLOPs the lowest loss is at the 2nd of 11 sizes on a steeply asymmetric curve "
    "(3.3e5: 4.709, 1.0e6: 4.668, 1.7e6: 4.720, 4.3e6: 5.342) and the 3-point parabola puts "
    "N_opt at 7.3e5 where their spline puts 1.23e6 (ln ratio -0.52). That budget alone moves "
    "a from 0.841 (inside [0.824, 0.846]) to 0.875; see test_porian_kaplan_mismatch_is_one_"
    "budget and docs/planning.md"))


@pytest.mark.skipif(not PORIAN.exists(), reason="../shared/data/porian_isoflop not present")
@pytest.mark.parametrize("config", [
    pytest.param(c, marks=_KAPLAN_REPRODUCTION) if c == "rw/base/long/kaplan/kaplan/train"
    else c for c in _CONFIGS])
def test_porian_exponent_inside_their_interval(config: str) -> None:
    points, fits, _ = _porian()
    ours = quiet(sl.plan.isoflop, points[points["config_id"] == config], window=3, n_boot=0)
    theirs = fits[(fits["config_id"] == config) & (fits["fit"] == "weighted")].iloc[0]
    # their 95% bootstrap interval of the weighted fit (the paper's values, per the MANIFEST);
    # our parabola through the lowest loss and its two neighbours, unweighted least squares
    assert theirs["n_exponent_ci95_lo"] <= ours.a <= theirs["n_exponent_ci95_hi"]


@pytest.mark.skipif(not PORIAN.exists(), reason="../shared/data/porian_isoflop not present")
@pytest.mark.parametrize("config", _CONFIGS)
def test_porian_akima_exponent_inside_their_interval(config: str) -> None:
    """Their per-budget estimator (Akima spline through ln loss, budgets with the minimum at
    the first or last size dropped): every configuration, the Kaplan one included."""
    points, fits, optimal = _porian()
    ours = quiet(sl.plan.isoflop, points[points["config_id"] == config], estimator="akima",
                 n_boot=0)
    theirs = fits[(fits["config_id"] == config) & (fits["fit"] == "weighted")].iloc[0]
    # unweighted least squares through the spline minima; theirs weights by 1/n_star_std
    assert theirs["n_exponent_ci95_lo"] <= ours.a <= theirs["n_exponent_ci95_hi"]
    # each used budget's N_opt is theirs within their own sd of ln N_opt (their n_star is the
    # median over seed-noise resamples of the losses, ours the spline's minimum on the data;
    # over the 173 budgets they report the largest gap is 0.74 sd, the median 0.04 sd)
    star = optimal[optimal["config_id"] == config]
    for c, n in zip(ours.used["flops"], ours.used["n_opt"], strict=True):
        match = star[np.isclose(star["flops"], c, rtol=1e-9)]
        if len(match):
            assert abs(math.log(n / match["n_star"].iloc[0])) < match["n_star_std"].iloc[0]


@pytest.mark.skipif(not PORIAN.exists(), reason="../shared/data/porian_isoflop not present")
def test_porian_akima_bootstrap_and_end_minima() -> None:
    """The bootstrap refits the splines; a minimum at the first size is skipped and warned."""
    points = _porian()[0]
    config = "rw/base/long/kaplan/attention/train"  # its two lowest budgets bottom out early
    with pytest.warns(ScalingLawWarning, match="first or last sampled size at 2 budget"):
        ours = sl.plan.isoflop(points[points["config_id"] == config], estimator="akima",
                               n_boot=200)
    skipped = ours.budgets[ours.budgets["status"] == "minimum_at_end"]
    assert len(skipped) == 2 and skipped["at_edge"].all()
    assert not ours.used["at_edge"].any() and len(ours.used) == 10
    assert ours.a_interval[0] < ours.a < ours.a_interval[1]
    assert (ours.used["n_opt_lo"] <= ours.used["n_opt"]).all()
    assert (ours.used["n_opt"] <= ours.used["n_opt_hi"]).all()
    assert ours.estimator == "akima" and ours.to_dict()["estimator"] == "akima"
    assert "Akima spline" in str(ours)
    again = quiet(sl.plan.isoflop, points[points["config_id"] == config], estimator="akima",
                  n_boot=200)
    assert np.array_equal(ours.boot_a, again.boot_a)  # seeded


def test_akima_minimum_is_exact_on_a_sweep() -> None:
    """On a clean synthetic sweep the spline's minima give the law's exponents; the spline
    interpolates, so its minimum loss is at most the lowest run's loss."""
    alpha, beta = 0.34, 0.28
    data = sweep(alpha, beta, noise=0.0)
    iso = quiet(sl.plan.isoflop, data, estimator="akima", n_boot=0)
    assert abs(iso.a - beta / (alpha + beta)) < 0.01
    assert len(iso.used) == 9 and (iso.used["curvature"] > 0).all()
    lowest = data.groupby("flops")["loss"].min().to_numpy()
    assert (iso.used["loss_opt"].to_numpy() <= lowest * (1 + 1e-12)).all()
    # a budget whose losses fall to the largest size: the minimum is at the end, skipped
    falling = data.copy()
    top = falling["flops"] == falling["flops"].max()
    falling.loc[top, "loss"] = 5.0 - 0.1 * np.log(falling.loc[top, "params"])
    with pytest.warns(ScalingLawWarning, match="first or last sampled size at 1 budget"):
        cut = sl.plan.isoflop(falling, estimator="akima", n_boot=0)
    assert cut.budgets["status"].iloc[-1] == "minimum_at_end"
    assert cut.budgets["n_opt"].iloc[-1] == pytest.approx(falling.loc[top, "params"].max())


@pytest.mark.skipif(not PORIAN.exists(), reason="../shared/data/porian_isoflop not present")
def test_porian_kaplan_mismatch_is_one_budget() -> None:
    """The one configuration outside their interval: the lowest budget explains it."""
    points, fits, optimal = _porian()
    config = "rw/base/long/kaplan/kaplan/train"
    ours = quiet(sl.plan.isoflop, points[points["config_id"] == config], window=3, n_boot=0)
    theirs = fits[(fits["config_id"] == config) & (fits["fit"] == "weighted")].iloc[0]
    lo, hi = theirs["n_exponent_ci95_lo"], theirs["n_exponent_ci95_hi"]
    assert ours.a > hi
    used = ours.used
    star = optimal[optimal["config_id"] == config].set_index("flops")["n_star"]
    their_n = np.array([star[np.isclose(star.index, c, rtol=1e-9)].iloc[0]
                        for c in used["flops"]])
    ln_ratio = np.log(used["n_opt"].to_numpy() / their_n)
    assert np.argmax(np.abs(ln_ratio)) == 0 and ln_ratio[0] < -0.5  # 1.25e16: ours 0.6x theirs
    assert np.abs(ln_ratio[1:]).max() < 0.16  # every other budget within 17% (max 0.149)
    assert bool(used["at_edge"].iloc[0])  # and we flag that budget
    logn = np.log(used["n_opt"].to_numpy())
    logn[0] = np.log(their_n[0])
    assert lo <= np.polyfit(np.log(used["flops"]), logn, 1)[0] <= hi


@pytest.mark.skipif(not PORIAN.exists(), reason="../shared/data/porian_isoflop not present")
def test_porian_bootstrap_interval_is_close_to_theirs() -> None:
    """On the cleanest configuration (tuned AdamW, constant LR; no budget at the edge)."""
    points, fits, _ = _porian()
    config = "rw/tuned/short/const/standard/val"
    ours = quiet(sl.plan.isoflop, points[points["config_id"] == config], window=3)
    theirs = fits[(fits["config_id"] == config) & (fits["fit"] == "weighted")].iloc[0]
    assert not ours.budgets["at_edge"].any()
    # their interval [0.491, 0.505] comes from seed noise added to the losses; ours resamples
    # the runs (sizes) of each budget, a larger source of spread, so ours may be wider but
    # must contain theirs' centre and be no more than 3x as wide
    width = ours.a_interval[1] - ours.a_interval[0]
    their_width = theirs["n_exponent_ci95_hi"] - theirs["n_exponent_ci95_lo"]
    assert ours.a_interval[0] <= theirs["n_exponent"] <= ours.a_interval[1]
    assert width <= 3 * their_width
