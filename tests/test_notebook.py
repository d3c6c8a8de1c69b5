"""What a user holding a result sees: warnings at their own line, ``print`` and the notebook's
HTML of every result, LaTeX tables, and joint fits answered per group."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl

HERE = __file__


# -- warnings name the caller's line -------------------------------------------------------------
def caught(call):
    """The ScalingLawWarnings ``call()`` issues, with the file and line each names."""
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        call()
    return [r for r in records if issubclass(r.category, sl.ScalingLawWarning)]


def assert_at_this_file(records):
    assert records, "expected a ScalingLawWarning"
    for r in records:
        # the test's own line, not a line of scalinglaws/fitting/api.py or of the engine
        assert r.filename == HERE, (r.filename, r.lineno, str(r.message))


def test_a_fit_warns_at_the_line_that_called_it(chinchilla_kept):
    frame = chinchilla_kept.to_frame()
    doubled = pd.concat([frame, frame.iloc[:2]], ignore_index=True)
    records = caught(lambda: sl.fit("chinchilla", doubled))
    assert any("duplicated" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_predict_warns_at_the_line_that_called_it(chinchilla_fit):
    records = caught(lambda: chinchilla_fit.predict(params=1e15, tokens=1e15))
    assert any("beyond the fitted data" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_a_cluster_bootstrap_warns_at_the_line_that_called_it(chinchilla_kept):
    frame = chinchilla_kept.to_frame()
    frame["seed"] = np.arange(len(frame)) % 6
    fit = sl.fit("chinchilla", frame)
    records = caught(lambda: fit.bootstrap(10, by="seed", seed=0))
    assert any("only 6 clusters" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_select_and_isoflop_warn_at_the_line_that_called_them():
    ds = sl.datasets.load("chinchilla")
    records = caught(lambda: sl.validate.select(ds, laws=["chinchilla"],
                                                holdout="flops<1e19"))
    assert any("backcast" in str(r.message) for r in records)
    assert_at_this_file(records)
    records = caught(lambda: sl.plan.isoflop(ds, n_boot=0, budgets="log"))
    assert any("fewer than min_sizes" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_the_warning_helper_skips_every_frame_of_the_package():
    from scalinglaws.common.warning import warn

    def user_code():
        warn("look here")

    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        user_code()
    assert records[0].filename == HERE and records[0].category is sl.ScalingLawWarning
    assert records[0].lineno == user_code.__code__.co_firstlineno + 1
