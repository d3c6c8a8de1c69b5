"""Learning-rate schedules as objects: rates, areas against schedule_areas, text and JSON."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.data import schedules as S
from scalinglaws.exceptions import OptionError


def test_rates_of_each_kind():
    np.testing.assert_allclose(S.constant(1e-3, warmup=10).lr([0, 5, 10, 10**6]),
                               [0, 5e-4, 1e-3, 1e-3])
    c = S.cosine(1e-3, 1000, warmup=100)  # final 10% of the peak by default
    np.testing.assert_allclose(c.lr([100, 550, 1000, 5000]), [1e-3, 5.5e-4, 1e-4, 1e-4])
    np.testing.assert_allclose(S.linear(1e-3, 1000).lr([0, 500, 1000]), [1e-3, 5e-4, 0])
    w = S.wsd(1e-3, 1000, decay=0.2, shape="sqrt")
    np.testing.assert_allclose(w.lr([800, 850, 1000]), [1e-3, 1e-3 * (1 - 0.5), 0])
    wc = S.wsd(1e-3, 1000, decay=0.2, shape="cosine", final=0.1)
    np.testing.assert_allclose(wc.lr([900, 1000]), [5.5e-4, 1e-4])
    np.testing.assert_allclose(S.inverse_sqrt(1e-3, 100).lr([50, 100, 400]),
                               [5e-4, 1e-3, 5e-4])
    np.testing.assert_allclose(S.step_decay(1e-3, [100, 200], 0.5).lr([99, 100, 250]),
                               [1e-3, 5e-4, 2.5e-4])
    a = S.from_array([1e-3, 1e-3, 5e-4], steps=[100, 200, 300])
    np.testing.assert_allclose(a.lr([0, 50, 250, 999]), [0, 5e-4, 7.5e-4, 5e-4])
    assert isinstance(c.lr(3), float) and c.total == 1000 and c.peak == 1e-3


def test_areas_are_those_of_schedule_areas():
    # the same schedule logged at every step through schedule_areas: identical areas
    s = S.wsd(1e-3, 3000, warmup=100, decay=0.3)
    steps = np.arange(1, 3001)
    frame = pd.DataFrame({"step": steps, "lr": s.lr(steps)})
    out = sl.data.schedule_areas(frame)
    s1, s2 = s.areas(steps)
    np.testing.assert_allclose(s1, out["lr_area"], rtol=1e-12)
    np.testing.assert_allclose(s2, out["anneal_area"], rtol=1e-12, atol=1e-15)
    n1, _ = s.areas([3000], normalize=True)
    assert n1[0] == pytest.approx(s1[-1] / 1e-3)


@pytest.mark.parametrize("schedule", [
    S.constant(3e-4), S.cosine(3e-4, 20000, warmup=500), S.linear(1e-3, 100, final=0.5),
    S.wsd(3e-4, 20000, decay=0.1, shape="cosine"), S.inverse_sqrt(1e-3, 1000),
    S.step_decay(1e-3, [1000, 3000], 0.3, warmup=10)])
def test_text_and_json_round_trip(schedule):
    assert S.parse(str(schedule)) == schedule
    assert S.from_dict(schedule.to_dict()) == schedule
    assert repr(schedule) == f"Schedule('{schedule}')"


def test_array_json_round_trip_and_parse_defaults():
    a = S.from_array([0.0, 1e-3, 5e-4])
    assert S.from_dict(a.to_dict()) == a
    w = S.parse("wsd:decay=0.2,peak=3e-4", total=20000)
    assert w.total == 20000 and w.options["decay"] == 0.2
    assert S.parse("step-decay:peak=1e-3,milestones=10/20").options["milestones"] == (10, 20)


@pytest.mark.parametrize(("text", "message"), [
    ("foo:peak=1", "unknown schedule kind 'foo'"),
    ("wsd:peak=abc,total=10", "'abc' is not a number"),
    ("wsd:peak=1e-3", "missing option 'total'"),
    ("cosine:peak=1e-3,total=10,bogus=1", "unknown option 'bogus'"),
    ("cosine:peak=1e-3,total=1.5", "whole number"),
    ("wsd:peak=1e-3,total=100,decay=2", r"decay must be in \(0, 1\]"),
    ("wsd:peak=1e-3,total=100,shape=exp", "unknown shape"),
    ("constant:peak=-1", "peak must be > 0"),
    ("constant:peak", "is not NAME=VALUE"),
    ("cosine:peak=1e-3,total=10,warmup=10", "shorter than total"),
    ("step_decay:peak=1e-3,milestones=20/10", "increasing"),
    ("", "empty schedule"),
])
def test_parse_errors_are_option_errors(text, message):
    with pytest.raises(OptionError, match=message):
        S.parse(text)


def test_bad_steps_and_arrays():
    with pytest.raises(OptionError, match="whole numbers >= 1"):
        S.constant(1e-3).areas([0, 1])
    with pytest.raises(OptionError, match=">= 0"):
        S.constant(1e-3).lr(-1)
    with pytest.raises(OptionError, match="strictly increasing"):
        S.from_array([1e-3, 1e-3], steps=[2, 1])
    with pytest.raises(OptionError, match="3 learning rates for 2 steps"):
        S.from_array([1e-3, 1e-3, 1e-3], steps=[1, 2])


def test_curve_steps_thin_long_runs():
    s = S.curve_steps(20000)
    assert s[0] == 1 and s[-1] == 20000 and 150 <= s.size <= 200
    assert np.all(np.diff(s) > 0)
    np.testing.assert_array_equal(S.curve_steps(5), [1, 2, 3, 4, 5])
