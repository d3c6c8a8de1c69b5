"""Errors on the command line speak of flags, not of Python arguments, and the advice they
give works when followed: each test below takes the command line an error suggests, fills in
the user's own names, and runs it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

from scalinglaws.cli.terms import cli_terms, option_name


def test_library_terms_become_flags():
    assert cli_terms("argument 'train'") == "option --train"
    assert cli_terms("argument 'n_boot'") == "option --n-boot"
    assert cli_terms("argument 'data' of residuals_figure") == "option DATA"
    assert cli_terms("map it: --col x=flops (Python: columns={'x': 'flops'})") == (
        "map it: --col x=flops")
    assert cli_terms("pass x='flops'") == "pass --x flops"
    assert cli_terms("use budgets='log'") == "use --budgets log"
    assert cli_terms("e.g. frame['params'] *= 1e9") == (
        "e.g. multiply the params column by 1e9 in your file")
    assert option_name("columns") == "--col" and option_name("max_iter") == "--max-iter"


def flags(message: str) -> list[str]:
    """The ``--flag VALUE`` pairs a message suggests, in order."""
    return re.findall(r"(--[a-z-]+(?: [^\s,;.()]+)?)", message)


@pytest.fixture()
def sweep(tmp_path):
    rng = np.random.default_rng(1)
    n = np.repeat(np.geomspace(2e7, 2e9, 6), 4)
    d = n * np.tile([5.0, 10.0, 20.0, 40.0], 6)
    loss = (1.69 + 406.4 / n**0.34 + 410.7 / d**0.28) * np.exp(rng.normal(0, 0.005, n.size))
    path = tmp_path / "sweep.csv"
    pd.DataFrame({"model_size": n, "n_tokens": d, "train_loss": loss}).to_csv(path,
                                                                              index=False)
    return path


def test_the_missing_columns_advice_is_a_command_that_works(sweep):
    err = run("fit", sweep, "--law", "chinchilla", code=2).stderr
    assert "columns=" not in err and "argument" not in err  # no Python in the shell
    suggested = " ".join(err.split())
    assert "--col params=COLUMN --col tokens=COLUMN --col loss=COLUMN" in suggested
    mine = {"params": "model_size", "tokens": "n_tokens", "loss": "train_loss"}
    args = [a.replace("COLUMN", "") + mine[a.split("=")[0]] if "=COLUMN" in a else a
            for a in " ".join(flags(suggested)).split()]
    run("fit", sweep, "--law", "chinchilla", *args)


def test_the_one_input_law_advice_works():
    err = " ".join(run("fit", "chinchilla", "--law", "power_law", code=2).stderr.split())
    assert "--x flops" in err and "x='" not in err
    run("fit", "chinchilla", "--law", "power_law", "--x", "flops")


def test_the_empty_loss_advice_works(tmp_path):
    frame = pd.DataFrame({"params": np.repeat(np.geomspace(2e7, 2e9, 6), 3),
                          "tokens": np.tile([1e9, 3e9, 1e10], 6)})
    frame["loss"] = 1.69 + 406.4 / frame["params"] ** 0.34 + 410.7 / frame["tokens"] ** 0.28
    frame.loc[[2, 7], "loss"] = np.nan  # crashed runs
    path = tmp_path / "runs.csv"
    frame.to_csv(path, index=False)
    err = " ".join(run("fit", path, "--law", "chinchilla", code=2).stderr.split())
    assert "--dropna" in err
    run("fit", path, "--law", "chinchilla", "--dropna")


def test_the_corner_plot_advice_works(tmp_path):
    fit = tmp_path / "fit.json"
    run("fit", "chinchilla", "--law", "chinchilla", "--out", fit)
    err = " ".join(run("plot", fit, "--kind", "corner", "--out", tmp_path / "c.png",
                       code=2).stderr.split())
    found = re.search(r"scalinglaws (fit DATA --law LAW [^()]*?--out fit\.json)", err)
    assert found, err
    words = found.group(1).replace("DATA", "chinchilla").replace("LAW", "chinchilla").replace(
        "fit.json", str(fit)).split()
    assert "--bootstrap" in words
    run(*[w if w != "200" else "20" for w in words])  # 20 resamples: the advice, smaller
    run("plot", fit, "--kind", "corner", "--out", tmp_path / "c.png")


def test_a_runs_file_given_as_a_fit_says_what_to_do(sweep):
    err = " ".join(run("predict", sweep, "--at", "params=1e9", "tokens=1e10",
                       code=2).stderr.split())
    assert "is not a saved fit" in err and "scalinglaws fit sweep.csv --law LAW" in err
    assert "save the fit again" not in err


@pytest.mark.parametrize(("law", "why"), [("E + A*(N**(-alpha)", "1 '(' left open"),
                                          ("E + A*N**(-alpha))", "1 ')' too many")])
def test_an_unbalanced_expression_says_which_bracket(law, why):
    err = " ".join(run("fit", "chinchilla", "--law", law, code=2).stderr.split())
    assert why in err and "EOF" not in err and "TokenError" not in err


def test_the_warnings_that_explain_an_error_come_before_it(tmp_path):
    # duplicated runs warn while the data are read; the missing loss then stops the fit
    frame = pd.DataFrame({"params": [1e8, 1e8, 1e9, 1e9], "tokens": [1e9, 1e9, 1e10, 1e10],
                          "val": [3.0, 3.0, 2.5, 2.5]})
    path = tmp_path / "dup.csv"
    frame.to_csv(path, index=False)
    err = run("fit", path, "--law", "chinchilla", code=2).stderr
    assert "warning:" in err and "error:" in err
    assert err.index("warning:") < err.index("error:")
