"""The engine at scale: the projected search works in chunks of bounded memory, and past a
handful of nonlinear parameters and thousands of rows a Sobol design of bounded size replaces
the product grid."""

from __future__ import annotations

import time
import tracemalloc
import warnings
from pathlib import Path

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


def test_a_law_undefined_on_some_rows_names_the_term_and_the_rows():
    # log(r) is -inf where a mixture proportion is 0: no start can be finite on those rows
    rng = np.random.default_rng(3)
    r = rng.uniform(0.1, 1.0, 60)
    r[[4, 17, 31]] = 0.0
    frame = pd.DataFrame({"r": r, "loss": 2.0 + 0.3 * np.exp(-r)})
    law = sl.Law("E + c*log(r) + A*exp(-r)", inputs={"r": "r"},
                 parameters={"c": {"lower": 0.01, "upper": 10, "log": True}})
    with pytest.warns(sl.ScalingLawWarning) as caught:
        fit = sl.fit(law, frame)
    assert fit.status is sl.FitStatus.FAILED
    message = next(str(w.message) for w in caught if "failed" in str(w.message))
    assert "c*log(r)" in message and "[4, 17, 31]" in message and "init=" in message


def test_starts_are_looked_for_over_every_parameter_when_no_candidate_is_finite():
    from scalinglaws.engine import domain

    # finite only where the offset s lies below every x: the rescue finds such points
    x = np.linspace(5.0, 50.0, 40)
    law = sl.Law("E + A*(x - s)**(-alpha)", inputs={"x": "x"},
                 parameters={"s": {"lower": 0.0, "upper": 100.0, "log": False}})
    obj = Objective(law, [x[None, :]], 1.0 + 3.0 * (x - 2.0) ** -0.5)
    found = domain.domain_starts(obj, [x[None, :]], 4)
    assert found is not None and len(found) >= 1
    s = found[:, law.parameter_names.index("s")]
    assert (s < x.min()).all()
    assert np.isfinite(obj.value_natural(found)).all()


def test_parameters_the_data_cannot_determine_are_listed_with_the_reason():
    # the mixture term exp(-1.5 r2 - 0.5 r3) with r1 + r2 + r3 = 1: k and the t's trade off
    # (a flat direction), and E is pushed to its bound by the amplitude of that term
    rng = np.random.default_rng(0)
    n = 300
    r = rng.dirichlet([0.5, 0.5, 0.5], n)
    N = np.exp(rng.uniform(np.log(1e7), np.log(1e9), n))
    loss = (2.0 + 300 / N**0.3 + 0.5 * np.exp(-1.5 * r[:, 1] - 0.5 * r[:, 2])) * np.exp(
        rng.normal(0, 0.003, n))
    frame = pd.DataFrame({"params": N, "r1": r[:, 0], "r2": r[:, 1], "r3": r[:, 2],
                          "loss": loss})
    law = sl.Law("E + A/N**alpha + k*exp(t1*r1 + t2*r2 + t3*r3)",
                 inputs={"N": "params", "r1": "r1", "r2": "r2", "r3": "r3"},
                 parameters={t: {"lower": -20, "upper": 20, "log": False}
                             for t in ("t1", "t2", "t3")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit(law, frame)
    undetermined = fit.undetermined
    # the proportions sum to one, so k*exp(t1 r1 + ...) = k e^c exp((t1-c) r1 + ...)
    assert undetermined and set(undetermined) <= set(law.parameter_names)
    assert all("bound" in why or "flat direction" in why for why in undetermined.values())
    assert fit.to_dict()["undetermined"] == undetermined
    # a well-posed fit has none
    assert sl.fit("chinchilla", sl.datasets.load("chinchilla")).undetermined == {}


def _mixture_runs(rng: np.random.Generator, rows_per_domain: int = 60) -> pd.DataFrame:
    """Five domains' losses over five-way mixtures, a quarter of the proportions zero, from
    the Data Mixing Laws form L_i = c_i + k_i exp(sum_j t_ij r_j) (Ye et al. 2024)."""
    R = rng.dirichlet(np.full(5, 0.7), rows_per_domain)
    R[rng.random(R.shape) < 0.25] = 0.0
    R = R / R.sum(axis=1, keepdims=True)
    T = rng.normal(0.0, 1.0, (5, 5)) - 2 * np.eye(5)
    frames = []
    for i in range(5):
        loss = (1.5 + 0.2 * i + 0.8 * np.exp(R @ T[i])) * np.exp(
            rng.normal(0.0, 0.002, rows_per_domain))
        frames.append(pd.DataFrame({"domain": f"d{i}", "loss": loss,
                                    **{f"r{j + 1}": R[:, j] for j in range(5)}}))
    return pd.concat(frames, ignore_index=True)


def test_a_five_domain_mixture_law_of_35_parameters_fits_from_default_starts():
    frame = _mixture_runs(np.random.default_rng(0))
    assert (frame[[f"r{j}" for j in range(1, 6)]] == 0).to_numpy().any()
    law = sl.Law("c + k*exp(t1*r1 + t2*r2 + t3*r3 + t4*r4 + t5*r5)",
                 inputs={f"r{j}": f"r{j}" for j in range(1, 6)},
                 parameters={f"t{j}": {"lower": -20, "upper": 20, "log": False}
                             for j in range(1, 6)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit(law, frame, by="domain", shared=[])
    assert len(fit.joint.law.parameters) == 35
    assert fit.status.finished
    # 0.2% noise: each domain's fitted law follows its runs to well under 1%
    for group in fit.groups:
        runs = frame[frame["domain"] == group]
        predicted = fit.predict(domain=group, **{f"r{j}": runs[f"r{j}"] for j in range(1, 6)})
        assert np.median(np.abs(predicted / runs["loss"].to_numpy() - 1)) < 5e-3


def test_fixing_what_the_data_cannot_determine():
    # with proportions that sum to one, k and a shift of every t are one direction: fixing k
    # leaves a law the data determine
    rng = np.random.default_rng(0)
    n = 300
    r = rng.dirichlet([0.5, 0.5, 0.5], n)
    loss = (1.8 + 0.5 * np.exp(-1.5 * r[:, 1] - 0.5 * r[:, 2])) * np.exp(
        rng.normal(0, 0.002, n))
    frame = pd.DataFrame({"r1": r[:, 0], "r2": r[:, 1], "r3": r[:, 2], "loss": loss})
    law = sl.Law("E + k*exp(t1*r1 + t2*r2 + t3*r3)",
                 inputs={"r1": "r1", "r2": "r2", "r3": "r3"},
                 parameters={t: {"lower": -20, "upper": 20, "log": False}
                             for t in ("t1", "t2", "t3")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        loose = sl.fit(law, frame)
        fixed = sl.fit(law, frame, fix={"k": 0.5})
    assert "k" in loose.undetermined or any(t in loose.undetermined for t in ("t1", "t2", "t3"))
    assert fixed.law.parameter_names == ("E", "t1", "t2", "t3")
    assert fixed.law.name.endswith("(k=0.5)") and fixed.undetermined == {}
    # with k at its true value the exponents are the generating ones (0.2% noise)
    assert fixed.params["t2"] == pytest.approx(-1.5, abs=0.05)
    assert fixed.params["t3"] == pytest.approx(-0.5, abs=0.05)
    with pytest.raises(sl.LawError, match="not a parameter"):
        sl.fit(law, frame, fix={"gamma": 1.0})
    with pytest.raises(sl.LawError, match="outside its bounds"):
        sl.fit(law, frame, fix={"t1": 99.0})


def test_fix_from_the_command_line(tmp_path):
    import json
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scalinglaws", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    done = run("fit", "chinchilla", "--law", "chinchilla", "--exclude", "epoch_excluded",
               "--fix", "alpha=0.34", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["law"] == "chinchilla (alpha=0.34)" and "alpha" not in doc["params"]
    bad = run("fit", "chinchilla", "--law", "chinchilla", "--fix", "gamma=1")
    assert bad.returncode == 2 and "gamma" in bad.stderr
    tied = run("fit", "chinchilla", "--law", "chinchilla", "--tie", "beta=alpha", "--json")
    assert tied.returncode == 0, tied.stderr
    assert json.loads(tied.stdout)["law"] == "chinchilla (beta=alpha)"
    bad = run("fit", "chinchilla", "--law", "chinchilla", "--tie", "beta=gamma")
    assert bad.returncode == 2 and "gamma" in bad.stderr


STEPLAW = (Path(__file__).resolve().parents[2] / "shared" / "data" / "steplaw"
           / "dense_lr_bs_loss.csv")


def test_offsets_and_coefficients_default_to_either_sign():
    law = sl.Law("E + A/N**alpha + c*(log(lr) - l0 - l1*log(N))**2 + g*D/(k*N)",
                 inputs={"N": "params", "D": "tokens", "lr": "lr"})
    kinds = {p.name: (p.lower, p.upper, p.log) for p in law.parameters}
    # the optimum's offset and slope may be negative; an exponent and a scale stay positive
    assert kinds["l0"] == kinds["l1"] == (-np.inf, np.inf, False)
    assert kinds["alpha"] == (0.0, 10.0, False) and kinds["k"] == (0.0, np.inf, True)
    assert kinds["E"] == (0.0, np.inf, True)  # enters linearly: an amplitude or offset


@pytest.mark.slow
@pytest.mark.skipif(not STEPLAW.exists(), reason="../shared/data/steplaw not present")
def test_a_learning_rate_batch_size_law_fits_the_step_law_grid_with_defaults():
    # 1,911 runs; the Step Law form written as an expression with no parameter specs
    d = pd.read_csv(STEPLAW)
    frame = pd.DataFrame({"params": d["N"], "tokens": d["D"], "lr": d["lr"], "bs": d["bs"],
                          "loss": d["loss"]})
    law = sl.Law("E + A/N**alpha + B/D**beta + c*(log(lr) - l0 - l1*log(N) - l2*log(D))**2"
                 " + d*(log(bs) - b0 - b1*log(D))**2",
                 inputs={"N": "params", "D": "tokens", "lr": "lr", "bs": "bs"})
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sl.ScalingLawWarning)
            fit = sl.fit(law, frame)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**30 and fit.starts.design == "sobol"
    assert fit.status.finished
    # the optimal learning rate falls with model size (Li et al. 2025: lr ∝ N^-0.71 D^0.31)
    assert fit.params["l1"] < 0 < fit.params["l2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        predicted = fit.predict(params=frame["params"], tokens=frame["tokens"],
                                lr=frame["lr"], bs=frame["bs"])
    # the runs scatter by about 1% around any smooth surface; the law follows them to 2%
    assert np.median(np.abs(predicted / frame["loss"].to_numpy() - 1)) < 0.02


def test_many_bounded_linear_parameters_do_not_enumerate_their_bounds():
    # 27 coefficients with finite bounds: 3^27 combinations of active bounds must not be
    # listed (they once were, before the count was checked), only the free solve is used
    from scalinglaws.engine.projection import _box_least_squares

    rng = np.random.default_rng(0)
    m = 27
    F = rng.normal(size=(3, 200, m))
    A = np.einsum("gnm,gnl->gml", F, F)
    c_true = rng.normal(size=m)
    z = np.einsum("gnm,n->gm", F, F[0] @ c_true)
    lo, hi = np.full((1, m), -50.0), np.full((1, m), 50.0)
    start = time.perf_counter()
    c = _box_least_squares(A, z, np.zeros(3), lo, hi)
    assert time.perf_counter() - start < 5.0
    np.testing.assert_allclose(c[0], c_true, rtol=1e-6, atol=1e-8)


def test_tying_parameters_fits_one_for_several():
    ds = sl.datasets.load("chinchilla")
    ds = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    free = sl.fit("chinchilla", ds)
    tied = sl.fit("chinchilla", ds, tie={"beta": "alpha"})
    assert tied.law.parameter_names == ("A", "B", "E", "alpha")
    assert tied.law.name == "chinchilla (beta=alpha)" and tied.status.ok
    # one exponent for both terms lies between the two free ones (0.347 and 0.367 here) or
    # near them, and costs objective: the tied law is a special case of the free one
    assert tied.objective >= free.objective * (1 - 1e-9)
    assert 0.3 < tied.params["alpha"] < 0.45
    for bad, match in [({"beta": "gamma"}, "not a parameter"),
                       ({"beta": "beta"}, "cannot tie"),
                       ({"gamma": "alpha"}, "not a parameter")]:
        with pytest.raises(sl.LawError, match=match):
            sl.fit("chinchilla", ds, tie=bad)


def test_a_start_outside_the_laws_domain_is_moved_into_it():
    # (x - s)**-alpha is not finite where s >= x: an init with s = 20 (above the smallest x)
    # is moved towards points where the law is finite on every row, and the fit says so
    x = np.linspace(5.0, 50.0, 40)
    frame = pd.DataFrame({"x": x, "loss": 1.0 + 3.0 * (x - 2.0) ** -0.5})
    law = sl.Law("E + A*(x - s)**(-alpha)", inputs={"x": "x"},
                 parameters={"s": {"lower": 0.0, "upper": 100.0, "log": False}})
    with pytest.warns(sl.ScalingLawWarning, match="moved into its domain"):
        fit = sl.fit(law, frame, init={"E": 1.0, "A": 3.0, "alpha": 0.5, "s": 20.0})
    assert fit.starts.repaired == 1 and fit.starts.to_frame().attrs["repaired"] == 1
    assert fit.status.finished
    # noise-free data: the true offset 2 is recovered (to the engine's tolerance)
    assert fit.params["s"] == pytest.approx(2.0, rel=1e-3)


def test_repair_moves_a_start_the_least_way_that_makes_it_finite():
    from scalinglaws.engine import domain

    x = np.linspace(5.0, 50.0, 40)
    law = sl.Law("E + A*(x - s)**(-alpha)", inputs={"x": "x"},
                 parameters={"s": {"lower": 0.0, "upper": 100.0, "log": False}})
    obj = Objective(law, [x[None, :]], 1.0 + 3.0 * (x - 2.0) ** -0.5)
    P = np.array([[{"E": 1.0, "A": 3.0, "alpha": 0.5, "s": s}[n] for n in law.parameter_names]
                  for s in (1.0, 30.0)])
    U, moved = domain.repaired(obj, [x[None, :]], obj.search(P))
    assert moved == 1
    s = obj.natural(U)[:, law.parameter_names.index("s")]
    # the finite start stays; the other moves along the segment to it (s from 30 towards 1)
    # only as far as the first step of the ladder that puts s below min(x) = 5
    assert s[0] == 1.0 and 1.0 < s[1] < 5.0
    assert np.isfinite(obj.value(U)).all()
