"""A researcher's own sweep, with its own column names, through every command from the shell:
fit, predict, plan, backtest, select, isoflop, report and plot, one --col per role and no
renaming of the file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

TRUTH = {"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}
COLS = ["--col", "params=model_size", "--col", "tokens=n_tokens", "--col", "loss=train_loss"]


def write_sweep(path) -> pd.DataFrame:
    """IsoFLOP profiles at five budgets, two learning rates and two seeds per run: the shape of
    a real sweep, under names of its own (model_size, n_tokens, train_loss, lr, seed)."""
    rng = np.random.default_rng(0)
    rows = []
    for c in (1e18, 3e18, 1e19, 3e19, 1e20):
        for n in np.geomspace(c ** 0.5 / 200, c ** 0.5 / 8, 7):
            d = c / (6 * n)
            for lr, lr_cost in ((1e-3, 0.0), (3e-3, 0.01)):
                for seed in (0, 1):
                    mean = (TRUTH["E"] + TRUTH["A"] / n ** TRUTH["alpha"]
                            + TRUTH["B"] / d ** TRUTH["beta"])
                    rows.append({"model_size": n, "n_tokens": d, "lr": lr, "seed": seed,
                                 "train_loss": mean * (1 + lr_cost)
                                 * np.exp(rng.normal(0, 0.003))})
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False)
    return frame


@pytest.mark.slow
def test_the_whole_workflow_on_your_own_column_names(tmp_path):
    data = tmp_path / "sweep.csv"
    frame = write_sweep(data)
    fit = tmp_path / "fit.json"
    best = ["--best-of", "train_loss", "--best-by", "model_size,n_tokens"]

    # fit: the best learning rate per run, the columns mapped once to roles
    doc = json.loads(run("fit", data, "--law", "chinchilla", *COLS, *best, "--out", fit,
                         "--json").stdout)
    assert doc["n_points"] == len(frame) // 4  # 2 learning rates x 2 seeds -> 1
    assert doc["params"]["alpha"] == pytest.approx(TRUTH["alpha"], rel=0.15)
    # predict and plan by role, with intervals that say their kind
    pred = json.loads(run("predict", fit, "--at", "params=7e9", "tokens=1.4e11",
                          "--interval", 0.9, "--json").stdout)
    assert pred["kind"] == "calibrated" and pred["lower"] < pred["prediction"] < pred["upper"]
    plan = json.loads(run("plan", fit, "--flops", "1e21", "--json").stdout)
    assert 1e8 < plan["params"] < 1e11 and plan["extrapolation"] > 1
    # backtest with a rule on the role, select, isoflop: the same --col
    bt = json.loads(run("backtest", data, "--law", "chinchilla", *COLS, *best, "--train",
                        "flops<3e19", "--json").stdout)
    assert bt["n_test"] == 14 and bt["mean_abs_rel_error"] < 0.02
    sel = json.loads(run("select", data, *COLS, *best, "--no-nested", "--json").stdout)
    assert sel["law"] in ("chinchilla", "kaplan") and sel["backtest_error"] < 0.05
    # the law's symbols name the same roles: N, D for params, tokens
    iso = json.loads(run("isoflop", data, "--col", "N=model_size", "D=n_tokens",
                         "loss=train_loss", *best, "--n-boot", 0, "--json").stdout)
    assert iso["a"] == pytest.approx(TRUTH["beta"] / (TRUTH["alpha"] + TRUTH["beta"]),
                                     abs=0.08)
    # report and plot from the fit file alone: the fit carries its runs
    report = tmp_path / "report.html"
    run("report", fit, "--out", report)
    html = report.read_text()
    assert "scalinglaws-plan" in html and "calibrated on backtests" in html
    for kind in ("fit", "residuals"):
        figure = tmp_path / f"{kind}.png"
        run("plot", fit, "--kind", kind, "--out", figure)
        assert figure.stat().st_size > 10_000
