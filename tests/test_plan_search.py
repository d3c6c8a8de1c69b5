"""The golden-section search the planners refine their grid minima with."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

search = importlib.import_module("scalinglaws.plan.search")


def test_many_brackets_at_once_find_their_own_minima():
    centres = np.array([-3.0, 0.25, 7.5, 100.0])
    calls = []

    def fun(x):
        calls.append(x.shape)
        return (x - centres) ** 2 + np.cosh(x - centres)  # minimum at each centre

    got = search.golden_section(fun, centres - 1.7, centres + 0.4)
    # 60 steps shrink each bracket to 3e-13 of its width (2.1 here); the midpoint is within
    # that of the minimum, up to the rounding of a flat minimum (~sqrt(eps) of the scale)
    assert np.all(np.abs(got - centres) <= 1e-7 * np.maximum(1, np.abs(centres))), got
    # one evaluation of every bracket per step (plus the two first points)
    assert len(calls) == 62 and set(calls) == {(4,)}


def test_agrees_with_scipy_bounded_scalar_search():
    def fun(x):
        return np.exp(x) - 3.0 * x  # minimum at ln 3

    got = search.golden_section(fun, np.array([0.0]), np.array([2.0]))[0]
    ref = minimize_scalar(fun, bounds=(0.0, 2.0), method="bounded",
                          options={"xatol": 1e-12}).x
    assert got == pytest.approx(np.log(3.0), abs=1e-7)
    assert got == pytest.approx(ref, abs=1e-6)


def test_a_minimum_at_the_bracket_edge_is_approached():
    # a monotone function: the search walks to the left edge of its bracket
    got = search.golden_section(lambda x: x, np.array([1.0]), np.array([2.0]))[0]
    assert got == pytest.approx(1.0, abs=1e-10)
