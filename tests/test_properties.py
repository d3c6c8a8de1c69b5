"""Property tests (hypothesis): data validation on arbitrary frames, finiteness of every catalog
law over its declared domain, invariances of fits (row order, units), and a seeded fuzz run of
``scalinglaws fit`` on random CSV files (``benchmarks/fuzz_cli.py``, 200 files).
"""

from __future__ import annotations

import functools
import importlib.util
import warnings
from pathlib import Path

import lawcases as lc
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scalinglaws as sl
from scalinglaws.exceptions import DataError, ScalingLawError

ROLES = ["params", "tokens", "flops", "loss", "step", "lr", "run", "seed", "family"]
CATALOG = sl.laws.names()


# -- Dataset.from_frame on arbitrary frames -----------------------------------------------------
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [1e308, -1e308, 5e-324, 0.0, -0.0, 1e9, 2.5])
HASHABLE = st.one_of(
    FLOATS, st.integers(min_value=-(2**70), max_value=2**70), st.text(max_size=8),
    st.booleans(), st.none(), st.sampled_from(["7B", "1e9", " 3.5 ", "nan", "inf", "1,000"]))


def column_values(n: int) -> st.SearchStrategy[list]:
    """n cells of one kind: floats, ints (beyond int64 too), strings, booleans, None, or a
    mix of all of them (an object column)."""
    return st.one_of(
        st.lists(FLOATS, min_size=n, max_size=n),
        st.lists(st.integers(min_value=-(2**64), max_value=2**64), min_size=n, max_size=n),
        st.lists(st.text(max_size=6), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.lists(st.none() | FLOATS, min_size=n, max_size=n),
        st.lists(HASHABLE, min_size=n, max_size=n),
    )


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    """A DataFrame with 0..6 distinct column names (role names, near misses, any text) and
    0..8 rows of arbitrary cells."""
    names = draw(st.lists(st.sampled_from(ROLES) | st.sampled_from(["Params", "loss ", "x", ""])
                          | st.text(max_size=5), max_size=6, unique=True))
    n = draw(st.integers(0, 8))
    data = {i: draw(column_values(n)) for i in range(len(names))}
    frame = pd.DataFrame(data, index=range(n)) if names else pd.DataFrame(index=range(n))
    frame.columns = names
    return frame


def build(frame: pd.DataFrame) -> sl.Dataset | None:
    """from_frame, then what every later step reads; None when refused with a DataError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = sl.Dataset.from_frame(frame)
        except ScalingLawError as exc:
            assert isinstance(exc, DataError) and str(exc), exc
            return None
    assert len(ds) == len(frame) > 0
    assert len(ds.fingerprint) == 16 and repr(ds)
    for role in ROLES:
        if ds.has(role) and role in ("params", "tokens", "flops", "loss", "step", "lr"):
            try:
                values = ds.column(role)
            except DataError:  # e.g. flops = 6·N·D overflowing to inf: refused on use
                continue
            assert np.isfinite(values).all()
    return ds


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_from_frame_raises_only_scaling_law_errors(frame):
    ds = build(frame)
    if ds is not None:
        # what survives validation is positive where the role says so
        for role in ("params", "tokens", "loss", "lr"):
            if ds.has(role):
                assert (ds.column(role) > 0).all()


@pytest.mark.parametrize("names", [["params", "tokens", "loss", "loss"], ["params", "params"]])
def test_repeated_column_names_are_a_data_error(names):
    frame = pd.DataFrame([[1e9] * len(names)], columns=names)
    with pytest.raises(DataError, match="more than once"):
        sl.Dataset.from_frame(frame)


@pytest.mark.parametrize("cell", [[1], {"lr": 1e-3}])
def test_fit_works_with_unhashable_cells_in_an_extra_column(cell):
    law = lc.bound("chinchilla")
    ds, _, _ = lc.synthetic(law, lc.truth(law), 0.01)
    frame = ds.to_frame()
    frame["config"] = [cell] * len(frame)
    assert len(sl.Dataset.from_frame(frame).fingerprint) == 16
    fit = sl.fit("chinchilla", sl.Dataset.from_frame(frame))
    assert fit.status.ok


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize("values", [
    pd.to_datetime(["2024-01-01", "2024-02-01"]),
    pd.to_timedelta(["1D", "2D"]),
    [1e9 + 1e9j, 2e9 + 0j],
], ids=["datetime", "timedelta", "complex"])
def test_dates_durations_and_complex_numbers_are_not_sizes(values):
    frame = pd.DataFrame({"params": values, "tokens": [1e10, 2e10], "loss": [3.0, 2.8]})
    with pytest.raises(DataError, match="params"):
        sl.Dataset.from_frame(frame)


# -- every catalog law is finite over its declared domain ---------------------------------------
def _draw_between(draw: st.DrawFn, lo: float, hi: float, log: bool, size: int) -> np.ndarray:
    """``size`` values in [lo, hi] (log-uniform for positive ranges), endpoints included."""
    if log and lo > 0:
        u = draw(st.lists(st.floats(np.log(lo), np.log(hi)), min_size=size, max_size=size))
        return np.clip(np.exp(u), lo, hi)
    return np.array(draw(st.lists(st.floats(lo, hi), min_size=size, max_size=size)))


bound = functools.cache(lc.bound)  # one Law per name: its compiled callables are cached


@st.composite
def law_points(draw: st.DrawFn, name: str) -> tuple[sl.Law, list[np.ndarray], np.ndarray]:
    law = bound(name)
    X = [_draw_between(draw, lo, hi, True, 4)[None, :] for lo, hi in lc.ranges(law).values()]
    P = np.array([[_draw_between(draw, *lc.parameter_range(p), p.log, 1)[0]
                   for p in law.parameters]])
    return law, X, P


@pytest.mark.parametrize("name", CATALOG)
def test_law_value_and_gradient_are_finite_over_its_domain(name):
    @settings(max_examples=60, deadline=None)
    @given(law_points(name))
    def check(point):
        law, X, P = point
        with np.errstate(all="ignore"):
            value = law.evaluate(X, P)
            grad = law.jacobian(X, P)
            fast_value, fast_grads, _ = law.derivative_columns(X, P, order=1)
        assert np.isfinite(value).all(), (X, P)
        assert np.isfinite(grad).all(), (X, P)
        # the fit engine's fast path (log-input rewrite) too
        assert np.isfinite(fast_value).all() and np.isfinite(np.stack(fast_grads)).all()

    check()


# -- invariances of a fit -----------------------------------------------------------------------
# The fits below stop on a relative tolerance far below 1e-6 (the same data in another row
# order, or in other units, agree to ~1e-9 in practice); 1e-6 leaves room for the summation
# order of the objective without hiding a different optimum (the noise puts the fitted
# parameters ~1e-2 from the truth, so another local optimum would differ by far more).
RTOL = 1e-6


def synthetic(name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    law = lc.bound(name)
    ds, _, _ = lc.synthetic(law, lc.truth(law), 0.01)
    return ds.to_frame(), lc.fit_kwargs(name)


def fit_frame(name: str, frame: pd.DataFrame, kwargs: dict[str, str]) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sl.fit(name, sl.Dataset.from_frame(frame), **kwargs)
    assert fit.status.ok, fit.status
    return dict(fit.params)


@pytest.fixture(scope="module")
def baselines() -> dict[str, tuple[pd.DataFrame, dict[str, str], dict[str, float]]]:
    out = {}
    for name in ("chinchilla", "power_law"):
        frame, kwargs = synthetic(name)
        out[name] = (frame, kwargs, fit_frame(name, frame, kwargs))
    return out


@pytest.mark.parametrize("name", ["chinchilla", "power_law"])
def test_fit_is_invariant_to_row_order(name, baselines):
    frame, kwargs, base = baselines[name]

    @settings(max_examples=4, deadline=None)
    @given(st.permutations(range(len(frame))))
    def check(order):
        got = fit_frame(name, frame.iloc[list(order)], kwargs)
        for k, v in base.items():
            assert got[k] == pytest.approx(v, rel=RTOL), k

    check()


@pytest.mark.parametrize("factor", [1e3, 1e-3, 1e6])
def test_chinchilla_tokens_in_other_units_rescale_only_b(factor, baselines):
    # L = E + A/N^alpha + B/D^beta with D' = factor·D gives B' = B·factor^beta, nothing else
    frame, kwargs, base = baselines["chinchilla"]
    scaled = frame.drop(columns="flops").assign(tokens=frame["tokens"] * factor)
    got = fit_frame("chinchilla", scaled, kwargs)
    assert got["B"] == pytest.approx(base["B"] * factor ** base["beta"], rel=RTOL)
    for k in ("A", "E", "alpha", "beta"):
        assert got[k] == pytest.approx(base[k], rel=RTOL), k


@pytest.mark.parametrize("factor", [1e3, 1e-3, 1e6])
def test_power_law_flops_in_other_units_rescale_only_a(factor, baselines):
    # L = E + A/C^alpha with C' = factor·C gives A' = A·factor^alpha, nothing else
    frame, kwargs, base = baselines["power_law"]
    got = fit_frame("power_law", frame.assign(flops=frame["flops"] * factor), kwargs)
    assert got["A"] == pytest.approx(base["A"] * factor ** base["alpha"], rel=RTOL)
    for k in ("E", "alpha"):
        assert got[k] == pytest.approx(base[k], rel=RTOL), k


# -- fuzzing the command line -------------------------------------------------------------------
def _fuzz_module():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz_cli.py"
    spec = importlib.util.spec_from_file_location("fuzz_cli", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_fuzzed_csv_files_never_reach_an_uncaught_exception(tmp_path):
    fuzz = _fuzz_module()
    doc = fuzz.fuzz(200, seed=1, workers=1, folder=str(tmp_path))
    counts = doc["counts"]
    assert sum(counts.values()) == 200
    # the generator reaches the fitter, not only the validation (else the test proves little)
    assert counts["0"] >= 10 and counts["2"] >= 50, counts
    assert counts["uncaught"] == 0, {k: (e["message"], e["csv"])
                                     for k, e in doc["uncaught"].items()}
