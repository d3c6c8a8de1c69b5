"""One column mapping: roles and law symbols rename your columns to roles, everywhere."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.fitting import role_of, split_columns

TRUTH = {"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}
MAP = {"N": "model_size", "D": "n_tokens", "loss": "train_loss"}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        yield


def sweep() -> pd.DataFrame:
    """A researcher's sweep with its own column names (8 sizes x 5 budgets x 2 lr x 2 seeds)."""
    rng = np.random.default_rng(0)
    rows = []
    for n in np.geomspace(2e7, 2e9, 8):
        for r in (5, 10, 20, 40, 80):
            for lr in (1e-3, 3e-3):
                for seed in (0, 1):
                    d = n * r
                    loss = (TRUTH["E"] + TRUTH["A"] / n ** TRUTH["alpha"]
                            + TRUTH["B"] / d ** TRUTH["beta"]) * np.exp(rng.normal(0, 0.005))
                    rows.append({"model_size": n, "n_tokens": d, "train_loss": loss,
                                 "lr": lr, "seed": seed})
    return pd.DataFrame(rows)


def test_keys_are_roles_or_the_symbols_that_read_them():
    law = sl.laws.resolve("chinchilla")
    assert role_of("params") == "params" and role_of("N") == "params"
    assert role_of("C") == "flops" and role_of("loss") == "loss"
    assert role_of("x") is None and role_of("N", [law]) == "params"
    renames, rest = split_columns({"N": "a", "loss": "b", "x": "c"})
    assert renames == {"params": "a", "loss": "b"} and rest == {"x": "c"}
    with pytest.raises(sl.DataError, match="two columns are mapped to the role 'params'"):
        split_columns({"N": "a", "params": "b"})


@pytest.mark.parametrize("columns", [MAP, {"params": "model_size", "tokens": "n_tokens",
                                           "loss": "train_loss"}])
def test_a_fit_on_your_own_columns_speaks_of_roles(columns):
    fit = sl.fit("chinchilla", sweep(), columns=columns)
    assert fit.columns == {"N": "params", "D": "tokens"} and fit.target == "loss"
    assert fit.params["alpha"] == pytest.approx(TRUTH["alpha"], rel=0.1)
    # planned and queried by roles
    plan = sl.plan.compute_optimal(fit, flops=1e22)
    assert 1e9 < float(plan.params[0]) < 1e11
    assert fit.predict(params=7e9, tokens=1.4e11) == pytest.approx(
        fit.predict(N=7e9, D=1.4e11))


def test_the_target_may_be_mapped_or_named():
    a = sl.fit("chinchilla", sweep(), columns={"N": "model_size", "D": "n_tokens"},
               y="train_loss")
    b = sl.fit("chinchilla", sweep(), columns=MAP)
    assert a.target == "train_loss" and b.target == "loss"
    assert a.params["alpha"] == pytest.approx(b.params["alpha"], rel=1e-6)


def test_every_missing_column_is_named_at_once_with_close_matches():
    frame = sweep().rename(columns={"model_size": "Params"})
    with pytest.raises(sl.DataError) as info:
        sl.fit("chinchilla", frame.drop(columns=["train_loss"]))
    text = str(info.value)
    assert "'params', 'tokens' or 'loss'" in text and "Params for params" in text
    assert "--col params=COLUMN --col tokens=COLUMN --col loss=COLUMN" in text


def test_backtests_selections_and_comparisons_take_the_same_mapping():
    frame = sweep()
    bt = sl.validate.backtest("chinchilla", frame, train="params<1e9", columns=MAP,
                              interval=None)
    assert bt.n_test == int((frame["model_size"] >= 1e9).sum())
    cmp = sl.validate.compare_laws(["chinchilla", "kaplan"], frame, train="params<1e9",
                                   columns=MAP, n_boot=0)
    assert set(cmp.table["law"]) == {"chinchilla", "kaplan"}
    sel = sl.validate.select(frame, columns={"params": "model_size", "tokens": "n_tokens",
                                             "loss": "train_loss"},
                             choices=[sl.validate.Choice("huber 1e-3")],
                             nested_backtest=False)
    assert set(sel.table["law"]) == {"chinchilla", "kaplan"}
    with pytest.raises(sl.OptionError, match="not a role"):
        sl.validate.select(frame, columns={"x": "model_size"})


def test_the_command_line_maps_once_and_the_fit_is_planned(tmp_path):
    data = tmp_path / "sweep.csv"
    sweep().to_csv(data, index=False)
    out = tmp_path / "f.json"
    # space-separated pairs after one --col, as --at takes them
    run("fit", data, "--law", "chinchilla", "--col", "N=model_size", "D=n_tokens",
        "--col", "loss=train_loss", "--out", out, "--json")
    plan = json.loads(run("plan", out, "--flops", "1e22", "--json").stdout)
    assert 1e9 < plan["params"] < 1e11
    pred = json.loads(run("predict", out, "--at", "params=7e9", "tokens=1.4e11",
                          "--json").stdout)
    assert 1.5 < pred["prediction"] < 3
    bt = json.loads(run("backtest", data, "--law", "chinchilla", "--col", "params=model_size",
                        "--col", "tokens=n_tokens", "--y", "train_loss", "--train",
                        "params<1e9", "--interval", "none", "--json").stdout)
    assert bt["n_test"] == int((sweep()["model_size"] >= 1e9).sum())
    comma = json.loads(run("fit", data, "--law", "chinchilla", "--col",
                           "N=model_size,D=n_tokens,loss=train_loss", "--json").stdout)
    assert comma["columns"] == {"N": "params", "D": "tokens"}
    bad = run("fit", data, "--law", "chinchilla", "--col", "params=Model_Siz", code=2)
    assert "no column 'Model_Siz'" in bad.stderr and "model_size for Model_Siz" in bad.stderr
    stray = run("fit", data, "--law", "chinchilla", "oops", code=2)
    assert "unexpected argument" in stray.stderr


def test_a_missing_column_points_at_the_law_s_symbol_or_lists_the_candidates():
    """A file with columns named as the law writes them (N, D) is pointed at them; a file of
    many losses (one per validation set) is told to pick one, not offered the closest
    spelling of 'loss' as if it were the answer."""
    frame = pd.DataFrame({"N": [1e8, 2e8, 4e8], "D": [2e9, 4e9, 8e9], "loss": [3.0, 2.9, 2.8]})
    with pytest.raises(sl.DataError) as info:
        sl.fit("chinchilla", frame)
    assert "did you mean N for params, D for tokens" in str(info.value)
    many = pd.DataFrame({"params": [1e8, 2e8], "tokens": [2e9, 4e9], "loss_c4": [3.0, 2.9],
                         "loss_pile": [3.1, 3.0], "loss_ice": [3.2, 3.1]})
    with pytest.raises(sl.DataError) as info:
        sl.fit("chinchilla", many)
    text = str(info.value)
    assert "3 columns could be loss (loss_c4, loss_pile, loss_ice): pick one" in text
    assert "did you mean" not in text
    one = many.drop(columns=["loss_pile", "loss_ice"])
    with pytest.raises(sl.DataError) as info:
        sl.fit("chinchilla", one)
    assert "did you mean loss_c4 for loss" in str(info.value)
