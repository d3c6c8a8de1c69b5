"""The engine at scale: the projected search works in chunks of bounded memory, and past a
handful of nonlinear parameters and thousands of rows a Sobol design of bounded size replaces
the product grid."""

from __future__ import annotations

import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.engine import Objective, projection
from scalinglaws.engine import starts as st


def _wide_law() -> sl.Law:
    # ten parameters, five of them nonlinear (exponents, an optimum's offset and slope, and a
    # scale): a learning-rate penalty whose optimum moves with N beside the Chinchilla terms
    return sl.Law("E + A/N**alpha + B/D**beta + c*(log(lr) - m0 - m1*log(N))**2 + G*exp(-D/(k*N))",
                  inputs={"N": "params", "D": "tokens", "lr": "lr"},
                  parameters={"m0": {"lower": -30, "upper": 10, "log": False},
                              "m1": {"lower": -2, "upper": 2, "log": False},
                              "k": {"lower": 1e-2, "upper": 1e4, "log": True}})


TRUE = {"E": 1.8, "A": 400.0, "alpha": 0.34, "B": 2000.0, "beta": 0.37, "c": 0.02,
        "m0": -2.0, "m1": -0.25, "G": 0.3, "k": 20.0}


def _runs(n: int, seed: int = 0, noise: float = 0.005) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    N = np.exp(rng.uniform(np.log(1e7), np.log(1e10), n))
    D = np.exp(rng.uniform(np.log(1e9), np.log(1e12), n))
    lr = np.exp(rng.uniform(np.log(1e-4), np.log(1e-2), n))
    loss = _wide_law()(TRUE, params=N, tokens=D, lr=lr) * np.exp(rng.normal(0, noise, n))
    return pd.DataFrame({"params": N, "tokens": D, "lr": lr, "loss": loss})


def test_small_problems_keep_the_product_grid():
    ds = sl.datasets.load("chinchilla")
    law = sl.laws.get("chinchilla")
    X = [ds.column(str(c))[None, :] for c in law.inputs.values()]
    design = st.projected_design(law, X)
    # Chinchilla's two exponents: a 16 x 16 grid, as before the designs existed
    assert design.kind == "product" and len(design) == 256
    fit = sl.fit("chinchilla", ds)
    assert fit.starts.design == "product" and fit.starts.design_size == 256


def test_many_nonlinear_parameters_on_many_rows_get_a_bounded_sobol_design():
    law = _wide_law()
    frame = _runs(20_000)
    X = [frame[c].to_numpy()[None, :] for c in ("params", "tokens", "lr")]
    design = st.projected_design(law, X)
    k = len(law.parameters) - len(law.linear_names)
    # a product grid of 5 points per axis would be 5^k points against every row
    assert 5**k * len(frame) > st.PROJECTED_WORK
    assert design.kind == "sobol"
    assert st.MIN_SOBOL // 2 <= len(design) <= st.MAX_SOBOL
    assert len(design) * len(frame) <= 2 * st.PROJECTED_WORK
    # inside the searched box of every nonlinear parameter
    nonlinear = [p for p in law.parameters if p.name not in law.linear_names]
    for j, p in enumerate(nonlinear):
        lo, hi = st.axis_range(law, p, X)
        assert (design.theta[:, j] >= lo).all() and (design.theta[:, j] <= hi).all()


def test_projection_in_chunks_equals_projection_at_once():
    law = _wide_law()
    frame = _runs(2_000, seed=1)
    X = [frame[c].to_numpy()[None, :] for c in ("params", "tokens", "lr")]
    obj = Objective(law, X, frame["loss"].to_numpy())
    theta = st.projected_design(law, X).theta[:300]
    P_all, f = projection.project(obj, theta)
    values_all = obj.value_from_prediction(f)
    # a budget of ~1 MB forces chunks of a few grid points
    P, values = projection.projected_values(obj, theta, budget=2**20)
    np.testing.assert_array_equal(P, P_all)
    np.testing.assert_array_equal(values, values_all)


@pytest.mark.slow
def test_ten_parameters_on_a_hundred_thousand_rows_within_a_gigabyte():
    frame = _runs(100_000)
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sl.ScalingLawWarning)
            fit = sl.fit(_wide_law(), frame)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"100,000 rows, 10 parameters: {seconds:.1f} s, peak {peak / 2**20:.0f} MiB "
          f"({fit.starts.design}, {fit.starts.design_size} points)")
    # numpy reports its buffers to tracemalloc: the arrays the fit allocates stay under 1 GiB
    assert peak < 2**30
    assert fit.status.finished
    # 0.5% noise on 100,000 rows: the fitted law lies within 0.2% of the truth on the data
    truth = _wide_law()(TRUE, params=frame["params"], tokens=frame["tokens"], lr=frame["lr"])
    with warnings.catch_warnings():  # the data's U shape in lr is what this law models
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fitted = fit.predict(params=frame["params"], tokens=frame["tokens"], lr=frame["lr"],
                             extrapolation=None)
    assert np.median(np.abs(fitted / truth - 1)) < 2e-3
