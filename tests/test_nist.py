"""NIST StRD nonlinear regression problems: our engine against certified values.

The NIST Statistical Reference Datasets certify, for each problem, the least-squares
parameters and residual sum of squares (RSS) to 11 significant digits, and give two starts
(Start 1 far from the solution, Start 2 close to it). We fit each problem with
``loss="mse"`` (least squares on raw residuals: what NIST certifies) from both starts and with
the default search, and compare with the certified values by the log relative error

    LRE(value, certified) = -log10(|value - certified| / |certified|)

(the number of correct significant digits). NIST calls 4 to 6 digits a good solver.

Tolerances, the same for every problem unless stated:

* parameters: worst LRE >= 6. The final polish stops when Newton's model predicts a relative
  decrease of the objective below 1e-13; near a minimum the objective is quadratic in the
  parameter error, so the parameters are then known to about sqrt(1e-13) ~ 3e-7 relative,
  scaled by the conditioning of the problem: >= 6 digits. Measured worst: 6.2 (Hahn1), 6.5
  (Chwirut2, Bennett5); the rest reach 7 to 11. Hahn1 (Jacobian columns x**0 .. x**3 for
  x up to 850, the worst conditioned problem here) is held to 5.
* RSS: LRE >= 9. The RSS is stationary at the optimum (its error is second order in the
  parameters' error), so 6-digit parameters give ~12-digit RSS; measured >= 10.4.

The data and certified values are in ``tests/data/nist`` (see its README for the source).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl

DATA = Path(__file__).parent / "data" / "nist"
UNBOUNDED = {"lower": -math.inf, "upper": math.inf}
#: parameter and RSS tolerances in digits (see the module docstring)
PARAM_DIGITS, RSS_DIGITS = 6.0, 9.0


@dataclass(frozen=True)
class Problem:
    """One NIST StRD problem: model (our expression, and plain numpy for the data check),
    certified parameters b1..bp and RSS, NIST's two starts."""

    expression: str
    model: Callable[..., Any]
    certified: tuple[float, ...]
    rss: float
    start1: tuple[float, ...]
    start2: tuple[float, ...]
    digits: float = PARAM_DIGITS
    #: options every fit of this problem needs (documented where set)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [f"b{i + 1}" for i in range(len(self.certified))]


#: Bennett5 needs ~1,100 Levenberg–Marquardt steps from either start (MINPACK, in Eigen's
#: NIST tests, takes 758 evaluations from Start 1); our default max_iter is 300.
_LONG = {"max_iter": 5000}

PROBLEMS: dict[str, Problem] = {
    "Misra1a": Problem(
        "b1*(1 - exp(-b2*x))", lambda x, b1, b2: b1 * (1 - np.exp(-b2 * x)),
        (2.3894212918e02, 5.5015643181e-04), 1.2455138894e-01, (500, 1e-4), (250, 5e-4)),
    "Misra1b": Problem(
        "b1*(1 - (1 + b2*x/2)**(-2))", lambda x, b1, b2: b1 * (1 - (1 + b2 * x / 2) ** -2),
        (3.3799746163e02, 3.9039091287e-04), 7.5464681533e-02, (500, 1e-4), (300, 2e-4)),
    "Misra1d": Problem(
        "b1*b2*x/(1 + b2*x)", lambda x, b1, b2: b1 * b2 * x / (1 + b2 * x),
        (4.3736970754e02, 3.0227324449e-04), 5.6419295283e-02, (500, 1e-4), (450, 3e-4)),
    "Chwirut2": Problem(
        "exp(-b1*x)/(b2 + b3*x)", lambda x, b1, b2, b3: np.exp(-b1 * x) / (b2 + b3 * x),
        (1.6657666537e-01, 5.1653291286e-03, 1.2150007096e-02), 5.1304802941e02,
        (0.1, 0.01, 0.02), (0.15, 0.008, 0.010)),
    "DanWood": Problem(
        "b1*x**b2", lambda x, b1, b2: b1 * x**b2,
        (7.6886226176e-01, 3.8604055871e00), 4.3173084083e-03, (1, 5), (0.7, 4)),
    "BoxBOD": Problem(
        "b1*(1 - exp(-b2*x))", lambda x, b1, b2: b1 * (1 - np.exp(-b2 * x)),
        (2.1380940889e02, 5.4723748542e-01), 1.1680088766e03, (1, 1), (100, 0.75)),
    "Rat42": Problem(
        "b1/(1 + exp(b2 - b3*x))", lambda x, b1, b2, b3: b1 / (1 + np.exp(b2 - b3 * x)),
        (7.2462237576e01, 2.6180768402e00, 6.7359200066e-02), 8.0565229338e00,
        (100, 1, 0.1), (75, 2.5, 0.07)),
    "Rat43": Problem(
        "b1/(1 + exp(b2 - b3*x))**(1/b4)",
        lambda x, b1, b2, b3, b4: b1 / (1 + np.exp(b2 - b3 * x)) ** (1 / b4),
        (6.9964151270e02, 5.2771253025e00, 7.5962938329e-01, 1.2792483859e00),
        8.7864049080e03, (100, 10, 1, 1), (700, 5, 0.75, 1.3)),
    "Eckerle4": Problem(
        "(b1/b2)*exp(-0.5*((x - b3)/b2)**2)",
        lambda x, b1, b2, b3: b1 / b2 * np.exp(-0.5 * ((x - b3) / b2) ** 2),
        (1.5543827178e00, 4.0888321754e00, 4.5154121844e02), 1.4635887487e-03,
        (1, 10, 500), (1.5, 5, 450)),
    "MGH09": Problem(
        "b1*(x**2 + x*b2)/(x**2 + x*b3 + b4)",
        lambda x, b1, b2, b3, b4: b1 * (x**2 + x * b2) / (x**2 + x * b3 + b4),
        (1.9280693458e-01, 1.9128232873e-01, 1.2305650693e-01, 1.3606233068e-01),
        3.0750560385e-04, (25, 39, 41.5, 39), (0.25, 0.39, 0.415, 0.39)),
    "MGH17": Problem(
        "b1 + b2*exp(-x*b4) + b3*exp(-x*b5)",
        lambda x, b1, b2, b3, b4, b5: b1 + b2 * np.exp(-x * b4) + b3 * np.exp(-x * b5),
        (3.7541005211e-01, 1.9358469127e00, -1.4646871366e00, 1.2867534640e-02,
         2.2122699662e-02), 5.4648946975e-05, (50, 150, -100, 1, 2),
        (0.5, 1.5, -1, 0.01, 0.02)),
    "Bennett5": Problem(
        "b1*(b2 + x)**(-1/b3)", lambda x, b1, b2, b3: b1 * (b2 + x) ** (-1 / b3),
        (-2.5235058043e03, 4.6736564644e01, 9.3218483193e-01), 5.2404744073e-04,
        (-2000, 50, 0.8), (-1500, 45, 0.85), options=_LONG),
    "Thurber": Problem(
        "(b1 + b2*x + b3*x**2 + b4*x**3)/(1 + b5*x + b6*x**2 + b7*x**3)",
        lambda x, b1, b2, b3, b4, b5, b6, b7: (b1 + b2 * x + b3 * x**2 + b4 * x**3)
        / (1 + b5 * x + b6 * x**2 + b7 * x**3),
        (1.2881396800e03, 1.4910792535e03, 5.8323836877e02, 7.5416644291e01,
         9.6629502864e-01, 3.9797285797e-01, 4.9727297349e-02), 5.6427082397e03,
        (1000, 1000, 400, 40, 0.7, 0.3, 0.03), (1300, 1500, 500, 75, 1, 0.4, 0.05)),
    "Hahn1": Problem(
        "(b1 + b2*x + b3*x**2 + b4*x**3)/(1 + b5*x + b6*x**2 + b7*x**3)",
        lambda x, b1, b2, b3, b4, b5, b6, b7: (b1 + b2 * x + b3 * x**2 + b4 * x**3)
        / (1 + b5 * x + b6 * x**2 + b7 * x**3),
        (1.0776351733e00, -1.2269296921e-01, 4.0863750610e-03, -1.4262662514e-06,
         -5.7609940901e-03, 2.4053735503e-04, -1.2314450199e-07), 1.5324382854e00,
        (10, -1, 0.05, -1e-5, -0.05, 1e-3, -1e-6), (1, -0.1, 5e-3, -1e-6, -5e-3, 1e-4, -1e-7),
        digits=5.0),
}


def lre(value: float, certified: float) -> float:
    """Log relative error: the number of significant digits ``value`` shares with
    ``certified`` (capped at 15, double precision)."""
    err = abs(value - certified) / abs(certified)
    return 15.0 if err == 0 else min(15.0, -math.log10(err))


def load(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


def law_of(problem: Problem, specs: dict[str, Any] | None = None) -> sl.Law:
    """The problem's model as our Law; NIST's problems are unconstrained, so by default
    every parameter is unbounded and searched in natural units."""
    params = {n: (specs or {}).get(n, UNBOUNDED) for n in problem.names}
    return sl.Law(problem.expression, inputs={"x": "x"}, parameters=params)


def fit(name: str, init: tuple[float, ...] | None, specs: dict[str, Any] | None = None,
        **options: Any) -> sl.FitResult:
    problem = PROBLEMS[name]
    start = None if init is None else dict(zip(problem.names, init, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)  # diagnostics are not the test
        return sl.fit(law_of(problem, specs), load(name), y="y", loss="mse", init=start,
                      **{**problem.options, **options})


def rss_of(result: sl.FitResult, name: str) -> float:
    """Residual sum of squares recomputed from the fitted law (not from the objective)."""
    df = load(name)
    pred = np.asarray(result.law(result.params, x=df["x"].to_numpy()), dtype=float)
    return float(np.sum((pred - df["y"].to_numpy()) ** 2))


def worst_lre(result: sl.FitResult, name: str) -> float:
    problem = PROBLEMS[name]
    return min(lre(result.params[n], c)
               for n, c in zip(problem.names, problem.certified, strict=True))


def assert_certified(result: sl.FitResult, name: str,
                     params: dict[str, float] | None = None) -> None:
    problem = PROBLEMS[name]
    params = result.params if params is None else params
    digits = {n: round(lre(params[n], c), 1)
              for n, c in zip(problem.names, problem.certified, strict=True)}
    assert result.status.ok, (name, result.status, result.warnings)
    assert min(digits.values()) >= problem.digits, (name, digits, params)
    assert lre(rss_of(result, name), problem.rss) >= RSS_DIGITS, (name, rss_of(result, name))


# -- the data ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_data_reproduce_the_certified_rss(name: str) -> None:
    """The stored observations and certified parameters give the certified RSS: a single
    mistyped digit in the data would move it far beyond this tolerance. Computed with plain
    numpy, apart from the library. Tolerance 1e-9 relative: the certified values carry 11
    digits and the RSS is stationary in them; measured agreement 1e-11."""
    problem = PROBLEMS[name]
    df = load(name)
    pred = problem.model(df["x"].to_numpy(), *problem.certified)
    rss = float(np.sum((pred - df["y"].to_numpy()) ** 2))
    assert rss == pytest.approx(problem.rss, rel=1e-9)


# -- from NIST's starts --------------------------------------------------------------------
#: (problem, start) pairs our local optimiser does not take to the certified optimum
START_FAILURES = {
    ("BoxBOD", 1): "from (1, 1) the rate b2 runs off to ~51, where exp(-b2*x) = 0 for every "
                   "x and the model is the constant mean(y): a plateau on which the gradient "
                   "vanishes (RSS 9771.5). A bound b2 <= 10 fixes it "
                   "(test_boxbod_start1_with_a_bound_on_the_rate)",
    ("Eckerle4", 1): "from b3 = 500 the peak lies beyond the data; the fit widens the peak "
                     "without limit (b1, b2 ~ 1e12, RSS 0.50) and warns of a flat direction. "
                     "Bounds alone do not help from this start (b3 sticks at 500); the "
                     "default search with b3 in the data's range does "
                     "(test_eckerle4_default_search_with_the_peak_in_the_data)",
    ("MGH17", 1): "from (50, 150, -100, 1, 2) the two exponentials become nearly equal with "
                  "huge opposite amplitudes (b2 = 116, b3 = -115.5, RSS 7.98e-5 vs 5.46e-5) "
                  "and the fit warns that b2 is a flat direction; a local optimiser stalls "
                  "there. The default search reaches the certified optimum "
                  "(test_default_search)",
}


def _cases_from_starts() -> list[Any]:
    return [pytest.param(name, start, id=f"{name}-start{start}", marks=[
        pytest.mark.xfail(strict=True, reason=START_FAILURES[(name, start)])]
        if (name, start) in START_FAILURES else [])
        for name in sorted(PROBLEMS) for start in (1, 2)]


@pytest.mark.parametrize(("name", "start"), _cases_from_starts())
def test_from_nist_start(name: str, start: int) -> None:
    problem = PROBLEMS[name]
    result = fit(name, problem.start1 if start == 1 else problem.start2)
    assert_certified(result, name)


@pytest.mark.parametrize("key", sorted(START_FAILURES))
def test_known_failures_from_start1_still_fail(key: tuple[str, int]) -> None:
    """The strict xfails above fail for the reason given (a worse point, not an error)."""
    name, start = key
    problem = PROBLEMS[name]
    result = fit(name, problem.start1 if start == 1 else problem.start2)
    assert lre(rss_of(result, name), problem.rss) < 3  # a different, worse point
    assert rss_of(result, name) > problem.rss


def test_bennett5_stops_honestly_at_the_default_iteration_limit() -> None:
    """After 300 iterations Bennett5 is not yet at the optimum: the fit must say so (status
    max_iter and a warning), never call itself converged."""
    result = fit("Bennett5", PROBLEMS["Bennett5"].start1, max_iter=300)
    assert worst_lre(result, "Bennett5") < PARAM_DIGITS
    assert result.status.value == "max_iter"
    assert any("did not converge" in w for w in result.warnings)


def test_boxbod_start1_with_a_bound_on_the_rate() -> None:
    """BoxBOD's Start 1 reaches the certified optimum once the rate cannot run away: b2 <= 10
    (a rate of 10 per day already saturates at the first observation, x = 1)."""
    result = fit("BoxBOD", PROBLEMS["BoxBOD"].start1,
                 specs={"b1": {"lower": 0.0, "log": True}, "b2": {"lower": 0.0, "upper": 10.0}})
    assert_certified(result, "BoxBOD")


def test_boxbod_plateau_is_reported_as_a_flat_direction() -> None:
    result = fit("BoxBOD", PROBLEMS["BoxBOD"].start1)
    assert result.params["b2"] > 10  # on the plateau (see START_FAILURES)
    assert "b2" in result.diagnostics.flat
    assert any("barely constrain 'b2'" in w for w in result.warnings)


# -- the default search ----------------------------------------------------------------------
#: problems the default search (no init) does not solve with unbounded parameters
SEARCH_FAILURES = {
    "Eckerle4": "unbounded, the non-linear parameters b2, b3 are gridded over [-2, 2] (the "
                "default range of an unbounded parameter), far from the peak at b3 = 451; "
                "with b3 bounded by the data's range it succeeds "
                "(test_eckerle4_default_search_with_the_peak_in_the_data)",
    "Thurber": "of the n_polish=4 best candidates of the grid over the denominator's b5..b7 "
               "(6 values each in [-2, 2]) none lies in the certified basin: it converges, "
               "without a warning, to a local minimum with RSS 12744 (certified 5643). "
               "n_polish=16 succeeds "
               "(test_thurber_default_search_with_more_candidates)",
}


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=SEARCH_FAILURES[name])]
                 if name in SEARCH_FAILURES else []) for name in sorted(PROBLEMS)])
def test_default_search(name: str) -> None:
    result = fit(name, None)
    params = dict(result.params)
    if name == "MGH17" and params["b4"] > params["b5"]:
        # b1 + b2*exp(-x*b4) + b3*exp(-x*b5) is symmetric in (b2, b4) <-> (b3, b5): the
        # search may return the certified optimum with the two terms swapped
        params = {**params, "b2": params["b3"], "b3": params["b2"], "b4": params["b5"],
                  "b5": params["b4"]}
    assert_certified(result, name, params)


@pytest.mark.parametrize("name", sorted(SEARCH_FAILURES))
def test_known_default_search_failures_still_fail(name: str) -> None:
    """The search failures above are real: the default search ends elsewhere."""
    result = fit(name, None)
    assert lre(rss_of(result, name), PROBLEMS[name].rss) < 3
    assert rss_of(result, name) > PROBLEMS[name].rss


def test_eckerle4_default_search_with_the_peak_in_the_data() -> None:
    """With what a user knows of a peak (positive height and width, centre within the
    measured x range [400, 500]) the default search finds the certified optimum."""
    specs = {"b1": {"lower": 0.0, "log": True}, "b2": {"lower": 0.0, "log": True},
             "b3": {"lower": 400.0, "upper": 500.0}}
    assert_certified(fit("Eckerle4", None, specs=specs), "Eckerle4")


def test_thurber_default_search_with_more_candidates() -> None:
    assert_certified(fit("Thurber", None, n_polish=16), "Thurber")


def test_mgh17_default_search_says_the_optimum_is_not_unique() -> None:
    """MGH17's symmetry makes several starts reach the same RSS with the terms swapped; the
    fit must say that the parameters are not unique rather than pick one silently."""
    result = fit("MGH17", None)
    assert any("not unique" in w for w in result.warnings)
