"""The compiled kernels of the batches (``scalinglaws.engine.jit``): least-squares batches give
the parameters ``sl.fit`` gives and the NumPy engine gives, problem by problem; the kernels are
written to the cache folder and compiled once, and can be turned off.

Skipped where Numba is missing, except under CI (``CI=true``), where ``make test`` installs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_fit_batch import problems, single

import scalinglaws as sl
from scalinglaws.engine import jit
from scalinglaws.fitting.batch import QuickFit, fit_batch

LAW = "E + A*x**(-alpha)"
X = np.logspace(6, 9, 20)  # the inputs of test_fit_batch's problems


@pytest.fixture(autouse=True)
def _numba() -> None:
    if os.environ.get(jit.JIT_ENV) == "0":
        pytest.skip(f"{jit.JIT_ENV}=0 turns the kernels off")
    if not jit.enabled():
        if os.environ.get("CI") == "true":
            pytest.fail("the compiled kernels cannot be tested under CI: numba is absent")
        pytest.skip("numba is absent (pip install 'scalinglaws[fast]')")


def two_input(k: int, seed: int) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = np.repeat([1e7, 3e7, 1e8, 3e8, 1e9], 5)
    d = n * np.tile([5.0, 10.0, 20.0, 40.0, 80.0], 5)
    out = []
    for _ in range(k):
        e, a, b = rng.uniform(1.6, 2.0), rng.uniform(300, 500), rng.uniform(800, 1600)
        y = (e + a * n ** -0.34 + b * d ** -0.28) * np.exp(rng.normal(0, 0.005, n.size))
        out.append(pd.DataFrame({"params": n, "tokens": d, "loss": y}))
    return out


def agree(batch: list[object], data: list[pd.DataFrame], law: str, rel: float,
          **options: object) -> int:
    """How many problems of the batch have the single fit's parameters within ``rel``; every
    one must reach the single fit's objective (to 1e-7 of it)."""
    same = 0
    for d, b in zip(data, batch, strict=True):
        ref = single(law, d, **options)
        assert isinstance(b, QuickFit | sl.FitResult)
        assert b.objective <= ref.objective * (1 + 1e-7) + 1e-15
        same += all(b.params[k] == pytest.approx(v, rel=rel) for k, v in ref.params.items())
    return same


@pytest.mark.parametrize("loss", ["mse", "mse_log", "mse_log1p"])
def test_least_squares_batches_give_the_single_fits(loss: str) -> None:
    data = problems(40, seed=3)
    batch = fit_batch(LAW, data, x="x", loss=loss)
    # both stop at the least-squares minimum: the parameters agree to the polish's tolerance
    # (measured 1e-7 at most); a problem whose curve is too flat to identify its exponent may
    # settle elsewhere along its valley at the same objective (none in this draw)
    assert agree(batch, data, LAW, 1e-5, x="x", loss=loss) == 40


def test_inputs_that_differ_per_problem_and_an_over_estimate_penalty() -> None:
    data = problems(30, seed=4, shared=False)
    batch = fit_batch(LAW, data, x="x", loss="mse_log", overestimate_penalty=3.0)
    assert agree(batch, data, LAW, 1e-5, x="x", loss="mse_log", overestimate_penalty=3.0) == 30


def test_two_nonlinear_parameters_polish_two_starts() -> None:
    data = two_input(20, seed=5)
    batch = fit_batch("chinchilla", data, loss="mse_log")
    for d, b in zip(data, batch, strict=True):
        ref = single("chinchilla", d, loss="mse_log")
        assert isinstance(b, QuickFit | sl.FitResult)
        # five parameters on 25 points leave a flat valley: the objective and the prediction
        # are what is pinned (the single fit polishes four starts, the batch two)
        assert b.objective <= ref.objective * (1 + 1e-4)
        assert b.predict(params=1e9, tokens=2e10) == pytest.approx(
            ref.predict(params=1e9, tokens=2e10, extrapolation=None), rel=1e-3)


@pytest.mark.parametrize(("loss", "rel", "least"), [
    # least squares: one minimum, reached by both to the polish's tolerance (measured 60)
    ("mse", 1e-5, 59),
    # Huber with delta = 1e-3 is nearly L1: its floor is flat, and a problem may have
    # near-equal optima apart (measured 60 of 60; the single fits' test allows 3 such)
    ("huber", 1e-4, 57)])
def test_the_kernels_and_the_numpy_engine_agree(monkeypatch: pytest.MonkeyPatch, loss: str,
                                                rel: float, least: int) -> None:
    data = problems(60, seed=6)
    compiled = fit_batch(LAW, data, x="x", loss=loss)
    monkeypatch.setenv(jit.JIT_ENV, "0")
    assert not jit.enabled()
    plain = fit_batch(LAW, data, x="x", loss=loss)
    close = [all(c.params[k] == pytest.approx(p.params[k], rel=rel) for k in p.params)
             for c, p in zip(compiled, plain, strict=True)]
    assert sum(close) >= least
    # neither path ends much above the other's objective on any problem
    for c, p in zip(compiled, plain, strict=True):
        assert c.objective <= p.objective * (1 + 1e-3) + 1e-12


def test_which_batches_take_the_kernels() -> None:
    law = sl.Law.from_expression(LAW, inputs={"x": "x"})
    x = [np.tile(X, (3, 1))]
    assert jit.usable(law, "mse", x)
    assert jit.usable(law, "mse_logit", x)
    assert jit.usable(law, "huber", x)
    assert not jit.usable(law, "mse", [np.tile(np.r_[0.0, X[1:]], (3, 1))])  # log x of 0


def test_the_kernels_are_written_and_compiled_once(tmp_path: Path) -> None:
    """A fresh process builds the law's kernels in the cache folder; a second one finds
    Numba's machine code there and gives the same numbers."""
    script = (
        "import numpy as np, pandas as pd, scalinglaws as sl\n"
        "from scalinglaws.fitting.batch import fit_batch\n"
        "x = np.logspace(6, 9, 20)\n"
        "data = [pd.DataFrame({'x': x, 'loss': 1.7 + a * x ** -0.3}) for a in (100, 200)]\n"
        "print([round(r.params['A'], 6) for r in fit_batch('E + A*x**(-alpha)', data, x='x',"
        " loss='mse')])\n")
    env = {**os.environ, "SCALINGLAWS_CACHE": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True, timeout=300) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert [float(v) for v in runs[0].stdout.strip()[1:-1].split(",")] == pytest.approx(
        [100.0, 200.0], rel=1e-6)
    folder = tmp_path / "kernels"
    assert len(list(folder.glob("law_*.py"))) == 1
    assert list((folder / "__pycache__").glob("*.nbi")), "Numba kept no machine code"


def test_a_cache_folder_that_cannot_be_written_compiles_elsewhere(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    script = (
        "import numpy as np, pandas as pd\n"
        "from scalinglaws.engine import jit\n"
        "from scalinglaws.fitting.batch import fit_batch\n"
        "x = np.logspace(6, 9, 20)\n"
        "data = [pd.DataFrame({'x': x, 'loss': 1.7 + 100 * x ** -0.3})]\n"
        "r = fit_batch('E + A*x**(-alpha)', data, x='x', loss='mse')[0]\n"
        "print(round(r.params['A'], 6), jit._built(r.law) is not None)\n")
    env = {**os.environ, "SCALINGLAWS_CACHE": str(blocked)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, check=True, timeout=300).stdout.split()
    assert float(out[0]) == pytest.approx(100.0, rel=1e-6)
    assert out[1] == "True"  # compiled, in a temporary folder


def test_every_catalog_law_compiles() -> None:
    from scalinglaws.laws import catalog

    for name in catalog.names():
        law = catalog.get(name)
        assert jit._built(law) is not None, name


def test_unconverged_problems_keep_their_status_without_refit() -> None:
    data = problems(10, seed=7)
    quick = fit_batch(LAW, data, x="x", loss="mse", max_iter=2, refit=False)
    assert all(isinstance(r, QuickFit) for r in quick)
    assert {r.status for r in quick} == {"max_iter"}
    assert not any(r.converged for r in quick)
    refitted = fit_batch(LAW, data, x="x", loss="mse", max_iter=2)
    assert all(isinstance(r, sl.FitResult) for r in refitted)  # each fitted alone
