"""select(): the candidate grid, rolling-origin scoring, best or average, and the nested
backtest of the choice itself; plan and report say which kind of interval they show."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws import validate
from scalinglaws.validate import nested as nest
from scalinglaws.validate.candidates import CandidateFits


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        yield


def ladder(seed: int = 0, noise: float = 0.005) -> sl.Dataset:
    """A Chinchilla-law sweep: 9 sizes x 5 token budgets."""
    rng = np.random.default_rng(seed)
    N = np.repeat(np.geomspace(1e7, 3e9, 9), 5)
    D = N * np.tile([5.0, 10.0, 20.0, 40.0, 80.0], 9)
    loss = (1.8 + 480 * N**-0.34 + 2100 * D**-0.37) * np.exp(rng.normal(0, noise, N.size))
    return sl.Dataset.from_frame(pd.DataFrame({"params": N, "tokens": D, "loss": loss}))


FEW = [validate.Choice("huber 1e-3"),
       validate.Choice("huber 1e-3, overestimate x10", overestimate_penalty=10.0),
       validate.Choice("mse_log", loss="mse_log")]


def test_the_default_grid_covers_objectives_penalties_drops_and_compute():
    names = [c.name for c in validate.DEFAULT_CHOICES]
    assert names[0] == "huber 1e-3" and len(set(names)) == len(names) == 17
    penalties = {c.overestimate_penalty for c in validate.DEFAULT_CHOICES}
    assert penalties == {1.0, 2.0, 3.0, 5.0, 10.0, 30.0}
    assert {c.drop_smallest for c in validate.DEFAULT_CHOICES} == {0, 1}
    assert {c.loss for c in validate.DEFAULT_CHOICES} == {"huber", "mse_log"}
    assert [c.weight for c in validate.DEFAULT_CHOICES].count("compute") == 1
    assert len(validate.grid(penalties=(1, 10), drop=(0,), compute=False)) == 4
    with pytest.raises(sl.OptionError, match="weighting"):
        validate.Choice("bad", weight="tokens")


def test_rolling_origin_folds_forecast_every_larger_size():
    size = np.repeat([1.0, 2, 3, 4, 5, 6], 2)
    folds = nest.rolling_origin(size, np.ones(12, dtype=bool), 2, ">=")
    assert [(f.train.sum(), f.test.sum()) for f in folds] == [(8, 4), (10, 2)]
    # three sizes stay to train on: only the cuts at 4, 5 and 6 are possible
    assert len(nest.rolling_origin(size, np.ones(12, dtype=bool), 9, ">=")) == 3


def test_fits_are_cached_and_warm_started_per_training_rows():
    ds = ladder()
    fits = CandidateFits(ds, "loss", ds.column("params"))
    law = sl.laws.resolve("chinchilla")
    train = ds.column("params") < 1e9
    first = fits.fit(law, FEW, FEW[1], train)
    assert fits.fit(law, FEW, FEW[1], train) is first  # cached
    # the warm start reaches what a full search from scratch reaches
    cold = sl.fit("chinchilla", ds[train], overestimate_penalty=10.0)
    assert first.objective == pytest.approx(cold.objective, rel=1e-6)


def test_select_scores_chooses_and_backtests_itself():
    ds = ladder()
    sel = validate.select(ds, laws=["chinchilla", "kaplan"], choices=FEW)
    assert len(sel.table) == 6 and sel.table["error"].is_monotonic_increasing
    # the data follow the Chinchilla law: it wins, and the choice forecasts within 1%
    assert sel.law == "chinchilla" and sel.backtest_error < 0.01
    assert sel.nested is not None and sel.nested.n_test > 0
    assert sel.strategy in ("best", "average")
    # the error reported is the whole procedure's: auto decided inside each outer fold too
    errors = sel.nested.strategy_error
    assert sel.nested_error == errors["auto"]
    assert 0 < errors["auto"] < 0.05  # (tests/test_readme.py recomputes it fold by fold)
    # auto takes, on all the data, the strategy whose nested error is lower
    assert errors[sel.strategy] == min(errors["best"], errors["average"])
    best = validate.select(ds, laws=["chinchilla", "kaplan"], choices=FEW, strategy="best")
    assert best.nested_error == errors["best"]
    # the forecast table: one row per fold and held-out size, the candidates' range around
    # the chosen forecast
    table = sel.forecast_table
    assert {"fold", "size", "n", "observed", "chosen", "lowest", "highest", "spread"} <= set(
        table.columns)
    assert (table["lowest"] <= table["chosen"] + 1e-12).all()
    assert (table["chosen"] <= table["highest"] + 1e-12).all()
    doc = sel.to_dict()
    json.dumps(doc)
    assert doc["members"] and doc["nested_error"] == sel.nested_error
    assert "calibrated" in doc["interval"]


def test_average_combines_the_best_five_in_log_space():
    ds = ladder(seed=1)
    sel = validate.select(ds, laws=["chinchilla", "kaplan"], choices=FEW, strategy="average",
                          nested_backtest=False)
    assert sel.strategy == "average" and len(sel.ensemble.members) == 5
    assert sum(sel.ensemble.weights) == pytest.approx(1.0)
    at = {"params": 1e10, "tokens": 2e11}
    logs = [np.log(sel.members[k].predict(**at)) for k in sel.ensemble.members]
    assert sel.predict(**at) == pytest.approx(np.exp(np.dot(sel.ensemble.weights, logs)))
    lo, hi, kind = sel.predict_interval(0.9, **at)
    assert lo < sel.predict(**at) < hi and kind == "calibrated"
    assert sel.nested is None and np.isnan(sel.nested_error)


def test_select_refuses_an_unknown_strategy_and_duplicate_choices():
    ds = ladder()
    with pytest.raises(sl.OptionError, match="strategy"):
        validate.select(ds, laws=["chinchilla"], strategy="vote")
    with pytest.raises(sl.OptionError, match="share a name"):
        validate.select(ds, laws=["chinchilla"], choices=[FEW[0], FEW[0]])


def test_compute_weighting_needs_the_runs_compute():
    frame = ladder().to_frame()[["params", "tokens", "loss"]]
    frame = frame.rename(columns={"params": "size"})
    choice = validate.Choice("compute", weight="compute")
    law = sl.Law("E + A*x**(-a)", inputs={"x": "size"}, name="one")
    sel = validate.select(frame, laws=[law], choices=[FEW[0], choice], order="size",
                          nested_backtest=False)
    row = sel.table.set_index("choice").loc["compute"]
    assert str(row["status"]).startswith("error:") and "compute" in str(row["status"])


def test_the_select_command_shows_the_forecast_table_and_the_nested_error():
    result = run("select", "chinchilla", "--laws", "chinchilla", "--holdout", "flops>=1e21",
                 "--strategy", "best")
    text = " ".join(result.stdout.split())
    assert "forecasts of the held-out sizes" in text and "spread" in text
    assert "selected (best)" in text and "nested backtest of the procedure" in text
    bad = run("select", "chinchilla", "--laws", "chinchilla", "--strategy", "vote", code=2)
    assert "strategy" in bad.stderr


def test_plan_says_how_far_each_optimum_lies_and_its_calibrated_interval(tmp_path):
    path = tmp_path / "fit.json"
    run("fit", "chinchilla", "--law", "chinchilla", "--out", path)
    near, far = json.loads(run("plan", path, "--flops", "1e21", "5.76e23", "--json").stdout)
    assert near["extrapolation"] == 1.0 and far["extrapolation"] > 2
    lo, hi = far["loss_forecast_interval"]
    assert lo < far["loss"] < hi and "calibrated" in far["forecast_interval_kind"]
    # the interval widens with the distance beyond the data
    assert hi / lo > near["loss_forecast_interval"][1] / near["loss_forecast_interval"][0]
    table = " ".join(run("plan", path, "--flops", "5.76e23").stdout.split())
    assert "beyond" in table and "calibrated on backtests" in table  # a narrow terminal wraps
    report = tmp_path / "report.html"
    run("report", path, "--data", "chinchilla", "--out", report)
    html = report.read_text()
    assert "calibrated on backtests" in html and "beyond the data" in html
