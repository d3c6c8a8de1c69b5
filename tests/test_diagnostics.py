"""Fit diagnostics: residual trends, non-monotone data, extrapolation, points per parameter.

The detectors must fire on the pattern they exist for, stay quiet on clean data (including a
saturating power law, which a plain quadratic test mistakes for a U-shape) and never raise or
warn on degenerate input."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from scalinglaws.engine.diagnostics import (
    Shape,
    Trend,
    extrapolation,
    monotonicity,
    points_per_parameter,
    residual_trend,
)
from scalinglaws.exceptions import DataError, OptionError


def _inputs(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {"params": 10 ** rng.uniform(7, 10, n), "tokens": 10 ** rng.uniform(9, 12, n)}


def _z(x: np.ndarray) -> np.ndarray:
    lx = np.log(x)
    return (lx - lx.mean()) / lx.std()


def _power_law(rng: np.random.Generator, n: int = 200) -> tuple[dict[str, np.ndarray],
                                                                  np.ndarray]:
    """y = 2 + 100 N^-0.3 + 100 D^-0.3 with 1% noise, N and D over six decades each."""
    N, D = 10 ** rng.uniform(6, 12, n), 10 ** rng.uniform(6, 12, n)
    y = (2 + 100 * N**-0.3 + 100 * D**-0.3) * (1 + 0.01 * rng.standard_normal(n))
    return {"N": N, "D": D}, y


# -- residual_trend --------------------------------------------------------------------------------

def test_residual_trend_flags_injected_curvature() -> None:
    rng = np.random.default_rng(0)
    inputs = _inputs(rng, 200)
    r = 0.05 * _z(inputs["params"]) ** 2 + 0.01 * rng.standard_normal(200)
    trends = {t.column: t for t in residual_trend(r, inputs)}
    assert set(trends) == {"params", "tokens"}
    hit = trends["params"]
    assert hit.significant
    assert hit.curvature == pytest.approx(0.05, rel=0.1)
    assert abs(hit.slope) < 0.01
    assert hit.r2 > 0.8 and hit.p_value < 1e-10
    assert not trends["tokens"].significant
    assert "log(params)" in hit.message and "break" in hit.message
    assert "no systematic trend" in trends["tokens"].message


def test_residual_trend_flags_linear_trend() -> None:
    rng = np.random.default_rng(1)
    inputs = _inputs(rng, 100)
    r = 0.02 * _z(inputs["tokens"]) + 0.01 * rng.standard_normal(100)
    flagged = [t.column for t in residual_trend(r, inputs) if t.significant]
    assert flagged == ["tokens"]


def test_residual_trend_false_positive_rate_on_noise() -> None:
    false = 0
    for seed in range(50):
        rng = np.random.default_rng(seed)
        inputs = _inputs(rng, 200)
        r = 0.01 * rng.standard_normal(200)
        trends = residual_trend(r, inputs)
        assert len(trends) == 2
        false += any(t.significant for t in trends)
    assert false / 50 < 0.05


def test_residual_trend_ignores_tiny_trend_on_huge_n() -> None:
    """p is tiny but the trend is small against the scatter: not a practical problem."""
    rng = np.random.default_rng(2)
    x = 10 ** rng.uniform(6, 12, 200_000)
    r = 0.02 * _z(x) + rng.standard_normal(200_000)
    (t,) = residual_trend(r, {"x": x})
    assert t.p_value < 1e-10
    assert not t.significant


def test_residual_trend_two_distinct_values_is_linear_only() -> None:
    x = np.repeat([1e8, 1e9], 10)
    r = np.where(x > 5e8, 0.1, -0.1) + 0.001 * np.sin(np.arange(20))
    (t,) = residual_trend(r, {"x": x})
    assert t.curvature == 0.0
    assert t.significant


def test_residual_trend_checks_options() -> None:
    with pytest.raises(OptionError):
        residual_trend(np.zeros(10), {"x": np.arange(1.0, 11.0)}, alpha=0.0)
    with pytest.raises(DataError):
        residual_trend(np.zeros(10), {"x": np.arange(1.0, 8.0)})


# -- monotonicity ---------------------------------------------------------------------------------

def test_monotonicity_flags_u_shape_and_locates_minimum() -> None:
    rng = np.random.default_rng(3)
    n, x0 = 200, 3e9
    x = 10 ** rng.uniform(7, 12, n)
    other = 10 ** rng.uniform(6, 9, n)
    y = np.exp(1 + 0.02 * (np.log(x) - np.log(x0)) ** 2 - 0.1 * np.log(other)
               + 0.01 * rng.standard_normal(n))
    shapes = monotonicity({"x": x, "other": other}, y)
    assert [s.column for s in shapes] == ["x"]
    (s,) = shapes
    assert s.kind == "u_shaped" and s.curvature > 0
    assert s.turning_point is not None
    assert abs(s.turning_point / x0 - 1) < 0.2
    assert s.p_value < 0.01
    assert "U-shaped in x" in s.message and "minimum near 3" in s.message


def test_monotonicity_flags_inverse_trend() -> None:
    rng = np.random.default_rng(4)
    x = 10 ** rng.uniform(6, 12, 100)
    y = (1 + 0.5 * x**0.05) * (1 + 0.01 * rng.standard_normal(100))
    (s,) = monotonicity({"x": x}, y)
    assert s.kind == "inverse" and s.turning_point is None
    assert s.slope > 0 and s.p_value < 0.01
    assert "rise with x" in s.message


def test_monotonicity_quiet_on_clean_power_law() -> None:
    """A saturating law is curved in log-log; a quadratic alone would call it U-shaped."""
    for seed in range(20):
        inputs, y = _power_law(np.random.default_rng(seed))
        assert monotonicity(inputs, y) == []
        one = inputs["N"]
        assert monotonicity({"N": one}, (2 + 100 * one**-0.3)) == []


def test_monotonicity_skips_unusable_inputs() -> None:
    rng = np.random.default_rng(5)
    x = 10 ** rng.uniform(6, 12, 50)
    y = x**0.1
    few = np.tile([1.0, 2.0, 3.0], 17)[:50]
    signed = x.copy()
    signed[0] = -1.0
    shapes = monotonicity({"few": few, "signed": signed}, y)
    assert shapes == []


# -- extrapolation --------------------------------------------------------------------------------

RANGES = {"params": (1e7, 1e10), "tokens": (1e9, 1e12)}


@pytest.mark.parametrize("value", [1.1e11, 1e7 / 11])
def test_extrapolation_fires_beyond_factor(value: float) -> None:
    (msg,) = extrapolation(RANGES, {"params": value})
    assert msg.startswith("query params=")
    assert "11x beyond" in msg
    assert ("max 1e+10" in msg) == (value > 1e10)
    assert ("min 1e+07" in msg) == (value < 1e7)


@pytest.mark.parametrize("value", [9e10, 1e7 / 9, 5e8])
def test_extrapolation_quiet_within_factor(value: float) -> None:
    assert extrapolation(RANGES, {"params": value}) == []


def test_extrapolation_reports_worst_point_per_column() -> None:
    q: dict[str, np.ndarray | float] = {
        "params": np.array([2e11, 7e11, 1e8, -5.0, 0.0]), "tokens": 1e14, "other": 1e30}
    msgs = extrapolation(RANGES, q)
    assert len(msgs) == 2
    assert "params=7e+11 lies 70x" in msgs[0]
    assert "tokens=1e+14 lies 100x" in msgs[1]
    assert extrapolation(RANGES, {"params": np.array([-1.0, 0.0])}) == []
    assert len(extrapolation(RANGES, {"params": 3e10}, factor=2.0)) == 1


@pytest.mark.parametrize("factor", [1.0, 0.5, -3.0, float("nan")])
def test_extrapolation_factor_must_exceed_one(factor: float) -> None:
    with pytest.raises(OptionError, match="factor"):
        extrapolation(RANGES, {"params": 1e8}, factor=factor)


# -- points_per_parameter -------------------------------------------------------------------------

def test_points_per_parameter_thresholds() -> None:
    msg = points_per_parameter(12, 5)
    assert msg is not None
    assert msg.startswith("only 2.4 points per parameter (12 points, 5 parameters)")
    assert "barely determined" in msg
    assert points_per_parameter(25, 5) is None
    assert points_per_parameter(24, 5) is not None
    assert points_per_parameter(24, 5, minimum=4.0) is None
    under = points_per_parameter(3, 5)
    assert under is not None and "underdetermined" in under
    assert points_per_parameter(10, 0) is None


# -- degenerate input -----------------------------------------------------------------------------

def test_degenerate_inputs_are_quiet() -> None:
    rng = np.random.default_rng(6)
    x = 10 ** rng.uniform(6, 12, 40)
    const = np.full(40, 1e9)
    noise = 0.01 * rng.standard_normal(40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # constant residuals, constant inputs, too few points
        assert not any(t.significant for t in residual_trend(np.zeros(40), {"x": x}))
        assert not any(t.significant for t in residual_trend(np.full(40, 0.3), {"x": x}))
        assert residual_trend(noise, {"c": const}) == []
        assert residual_trend(np.array([0.1, -0.1]), {"x": np.array([1.0, 2.0])}) == []
        assert residual_trend(noise[:3], {"x": x[:3]}) == []
        assert residual_trend(np.array([]), {}) == []
        # non-finite and non-positive values are left out, not fatal
        bad = x.copy()
        bad[:5] = [0.0, -1.0, np.nan, np.inf, 1e9]
        residual_trend(np.where(np.arange(40) == 7, np.nan, noise), {"x": bad})
        # constant y, constant inputs, tiny n, non-positive y
        assert monotonicity({"x": x}, np.full(40, 2.5)) == []
        assert monotonicity({"c": const, "x": x}, 2 + x**-0.3) == []
        assert monotonicity({"x": x[:2]}, np.array([1.0, 2.0])) == []
        assert monotonicity({"x": x}, -np.ones(40)) == []
        assert monotonicity({"x": x, "x2": 2 * x}, 2 + x**-0.3) == []
        assert monotonicity({}, np.ones(5)) == []
        assert extrapolation({"x": (0.0, 0.0)}, {"x": 5.0}) == []


def test_results_are_frozen() -> None:
    t = Trend("x", 0.0, 0.0, 0.0, 1.0, False)
    s = Shape("x", "inverse", None, 0.001, slope=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.significant = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.kind = "u_shaped"  # type: ignore[misc]
