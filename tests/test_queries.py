"""Queries are checked as data are: an input that is not finite, a size, token count, FLOP
budget or loss that is not positive, or an input where the law is not finite is an
OptionError naming the input and its value (the command line exits 2); a query that can be
asked but has no answer stays a QueryError (exit 1)."""

from __future__ import annotations

import dataclasses
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl

BAD = [(-1.0, "-1"), (0.0, "0"), (math.nan, "nan"), (math.inf, "inf")]


@pytest.fixture(scope="module")
def fit() -> sl.FitResult:
    return sl.fit("chinchilla", sl.datasets.load("chinchilla").exclude("epoch_excluded"))


@pytest.fixture(scope="module")
def log_fit() -> sl.FitResult:
    """A law of a plain input (no role), defined only where q > 0."""
    q = np.linspace(1.0, 10.0, 20)
    frame = pd.DataFrame({"q": q, "loss": 2.0 + 0.5 * np.log(q)})
    law = sl.Law.from_expression("E + A*log(q)", inputs={"q": "q"})
    return sl.fit(law, frame, loss="mse")


@pytest.mark.parametrize("value, shown", BAD)
@pytest.mark.parametrize("name", ["params", "tokens"])
def test_predict_refuses_sizes_that_are_not_positive_and_finite(fit, name, value, shown):
    query = {"params": 7e10, "tokens": 1.4e12, name: value}
    with pytest.raises(sl.OptionError) as err:
        fit.predict(**query)
    assert f"a query's {name} must be a positive, finite number, got {shown}" in str(err.value)
    assert err.value.where == f"input '{name}' of predict"
    assert f"{name} > 0" in err.value.fix
    with pytest.raises(sl.OptionError, match=f"got {shown}"):
        sl.fitting.predict(fit, query, level=0.9)
    with pytest.raises(sl.OptionError, match=f"input '{name}' of predict_interval"):
        fit.predict_interval(0.9, **query)


def test_the_input_is_named_as_given_and_an_entry_of_a_list(fit):
    with pytest.raises(sl.OptionError, match=r"a query's N must be .* got -3 "):
        fit.predict(N=-3, D=1.4e12)
    with pytest.raises(sl.OptionError, match=r"got nan \(entry 2 of 3\)"):
        fit.predict(params=[1e9, 2e9, math.nan], tokens=1e11)
    # good queries are answered as before
    assert fit.predict(params=7e10, tokens=1.4e12) == pytest.approx(
        float(fit.law(fit.params, params=7e10, tokens=1.4e12)))


def test_an_input_without_a_role_may_be_negative_where_the_law_is_defined(log_fit):
    assert log_fit.predict(q=5.0) == pytest.approx(2.0 + 0.5 * math.log(5.0), rel=1e-6)
    with pytest.raises(sl.OptionError, match="a query's q must be a finite number, got inf"):
        log_fit.predict(q=math.inf)
    for value, shown in ((0.0, "-inf"), (-1.0, "nan")):
        with pytest.raises(sl.OptionError) as err:
            log_fit.predict(q=value)
        message = str(err.value)
        assert f"is not finite ({shown}) at q={value:g}" in message
        assert "outside the law's domain" in message
        assert "q 1 to 10" in err.value.fix  # where the data lay


def test_steps_may_start_at_zero():
    step = np.arange(0.0, 2000.0, 100.0)
    frame = pd.DataFrame({"step": step, "loss": 2.0 + 3.0 * (step + 10.0) ** -0.3})
    law = sl.Law.from_expression("E + A*(s + 10)**(-alpha)", inputs={"s": "step"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        f = sl.fit(law, frame, loss="mse")
        assert f.predict(step=0.0) == pytest.approx(2.0 + 3.0 * 10.0 ** -0.3, rel=1e-3)
    with pytest.raises(sl.OptionError, match="step must be a finite number of at least 0"):
        f.predict(step=-1.0)


def test_a_fit_without_finite_parameters_still_predicts_nan(fit):
    failed = dataclasses.replace(fit, params={n: math.nan for n in fit.params})
    assert math.isnan(failed.predict(params=1e9, tokens=2e10))


def test_a_joint_fit_checks_each_group_query():
    frame = pd.DataFrame({"params": np.tile(np.geomspace(1e7, 1e9, 8), 2),
                          "family": ["a"] * 8 + ["b"] * 8})
    frame["loss"] = np.where(frame["family"] == "a", 2.0, 2.2) + 50 / frame["params"] ** 0.3
    joint = sl.fit("E + A*x**(-alpha)", frame, x="params", by="family", shared=["alpha"])
    with pytest.raises(sl.OptionError, match="params must be a positive, finite number"):
        joint.predict(family="b", params=-1.0)


@pytest.mark.parametrize("value, shown", BAD)
def test_plan_queries_refuse_bad_budgets_and_targets(fit, value, shown):
    with pytest.raises(sl.OptionError, match=f"flops must be positive finite numbers, "
                                             f"got {shown}"):
        sl.plan.compute_optimal(fit, flops=value)
    with pytest.raises(sl.OptionError, match="argument 'loss'"):
        sl.plan.flops_to_reach(fit, value)
    with pytest.raises(sl.OptionError, match="argument 'params'"):
        sl.plan.tokens_to_reach(fit, 2.1, params=value)


def test_a_valid_query_without_an_answer_is_a_query_error(fit):
    with pytest.raises(sl.QueryError, match="irreducible loss"):
        sl.plan.flops_to_reach(fit, 1.0)


# -- the command line -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fit_file(fit, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("queries") / "fit.json"
    fit.save(path)
    return path


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf"])
def test_cli_predict_exits_2_naming_the_input_and_value(fit_file, value):
    result = run("predict", fit_file, "--at", f"params={value}", "tokens=1e12", code=2)
    assert f"a query's params must be a positive, finite number, got {value}" in result.stderr
    assert "option --at, input 'params'" in result.stderr
    assert result.stdout == ""


def test_cli_predict_outside_the_laws_domain_exits_2(log_fit, tmp_path):
    log_fit.save(tmp_path / "log.json")
    result = run("predict", tmp_path / "log.json", "--at", "q=0", code=2)
    assert "outside the law's domain" in result.stderr and "q=0" in result.stderr
    result = run("predict", tmp_path / "log.json", "--at", "q=2,-0.5", "--json", code=2)
    assert result.stdout == "" and "at q=-0.5" in result.stderr


@pytest.mark.parametrize("args", [("--flops", "nan"), ("--flops", "inf"), ("--flops", "-1"),
                                  ("--loss", "nan"), ("--loss", "2.5", "--params", "inf"),
                                  ("--loss", "2.5", "--tokens", "nan")])
def test_cli_plan_exits_2_on_budgets_that_are_not_positive_and_finite(fit_file, args):
    result = run("plan", fit_file, *args, code=2)
    assert "must be positive and finite" in result.stderr and args[-2] in result.stderr


def test_cli_plan_without_an_answer_exits_1(fit_file):
    result = run("plan", fit_file, "--loss", "1.0", code=1)
    assert "below what the fitted law reaches" in result.stderr
