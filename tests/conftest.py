"""Shared fixtures (the bundled Chinchilla data as Epoch AI fitted it) and the slow cases of
parametrised tests whose other cases are fast."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import scalinglaws as sl

#: cases that take more than about 2 s (``pytest --durations=0``) while the other cases of the
#: same test are fast, so that a ``@pytest.mark.slow`` on the function would hide them all;
#: node ids relative to the repository. ``make test-fast`` (``-m "not slow"``) leaves them out.
SLOW_CASES = frozenset({
    "tests/test_conformance.py::test_random_parameters_extrapolate_within_two_percent"
    "[11-distillation]",
    "tests/test_conformance.py::test_random_parameters_extrapolate_within_two_percent"
    "[12-distillation]",
    "tests/test_conformance.py::test_random_parameters_extrapolate_within_two_percent"
    "[13-distillation]",
    "tests/test_laws.py::test_json_round_trip_gives_same_law[data_filtering]",
    "tests/test_laws.py::test_json_round_trip_gives_same_law[distillation]",
    "tests/test_laws.py::test_json_round_trip_gives_same_law[moe_saturating]",
    "tests/test_nist.py::test_default_search[Bennett5]",
})


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    collected = {item.nodeid for item in items}
    for item in items:
        if item.nodeid in SLOW_CASES:
            item.add_marker(pytest.mark.slow)
    tests = {nodeid.split("[")[0] for nodeid in collected}
    gone = sorted(c for c in SLOW_CASES if c.split("[")[0] in tests and c not in collected)
    if gone:
        warnings.warn(pytest.PytestWarning(f"SLOW_CASES in tests/conftest.py names cases "
                                           f"that no longer exist: {gone}"), stacklevel=1)


@pytest.fixture(scope="session")
def chinchilla_kept() -> sl.Dataset:
    """The 240 points of the bundled Chinchilla data that Epoch AI kept (arXiv:2404.10102):
    the bundled 245 less the 5 rows flagged ``epoch_excluded``."""
    ds = sl.datasets.load("chinchilla")
    kept = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    assert len(kept) == 240
    return kept


@pytest.fixture(scope="session")
def chinchilla_fit(chinchilla_kept: sl.Dataset) -> sl.FitResult:
    """The default fit of the catalog Chinchilla law on the kept points (shared, read-only)."""
    return sl.fit("chinchilla", chinchilla_kept)


@pytest.fixture(scope="session")
def fit_json(tmp_path_factory: pytest.TempPathFactory):
    """The README's CLI fit of the kept Chinchilla points, saved as JSON (shared, read-only)."""
    from cli_runner import run

    path = tmp_path_factory.mktemp("fit") / "fit.json"
    run("fit", "chinchilla", "--law", "chinchilla", "--exclude", "epoch_excluded",
        "--out", path, "--json")
    return path


#: the checkpoint sweep of the report tests: runs × checkpoints = 100,000 rows
SWEEP_RUNS, SWEEP_CHECKPOINTS = 200, 500
#: the law the sweep is drawn from (the fit starts there: the report is under test, not the
#: search, which takes about 3× longer from its own starts on 100,000 rows)
SWEEP_TRUTH = {"E": 1.7, "A": 400.0, "B": 410.0, "alpha": 0.34, "beta": 0.28}


@pytest.fixture(scope="session")
def checkpoint_sweep() -> tuple[sl.Dataset, sl.FitResult]:
    """100,000 checkpoint rows (200 runs from 10⁷ to 10¹⁰ parameters, 500 checkpoints each,
    20 tokens per parameter at the end, 1% noise) and the Chinchilla law fitted to all of
    them, carrying a bootstrap of 10 resamples (shared, read-only)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    runs, steps = SWEEP_RUNS, SWEEP_CHECKPOINTS
    params = np.repeat(np.geomspace(1e7, 1e10, runs), steps)
    step = np.tile(np.arange(1, steps + 1), runs)
    tokens = params * 20.0 * step / steps
    t = SWEEP_TRUTH
    loss = (t["E"] + t["A"] / params ** t["alpha"] + t["B"] / tokens ** t["beta"]) * np.exp(
        0.01 * rng.standard_normal(params.size))
    names = np.repeat([f"run-{i:03d}" for i in range(runs)], steps)
    ds = sl.Dataset.from_frame(pd.DataFrame({"run": names, "step": step, "params": params,
                                             "tokens": tokens, "loss": loss}),
                               name="checkpoints")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit("chinchilla", ds, init=SWEEP_TRUTH)
        return ds, fit.with_bootstrap(fit.bootstrap(10, seed=0))


@pytest.fixture(scope="session")
def families() -> tuple[sl.Dataset, sl.SharedFit]:
    """Three model families (a, b, c) of 16 runs each, sharing the exponents of the Chinchilla
    law, and their joint fit by ``family`` (shared, read-only)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    rows = []
    for family, (e, a, b) in {"a": (1.7, 400, 410), "b": (1.8, 380, 450),
                              "c": (1.75, 420, 400)}.items():
        for n in np.geomspace(1e7, 1e10, 4):
            for d in np.geomspace(1e9, 1e12, 4):
                loss = (e + a / n ** 0.34 + b / d ** 0.28) * np.exp(0.005 * rng.standard_normal())
                rows.append({"run": f"{family}-{n:.0e}-{d:.0e}", "family": family, "params": n,
                             "tokens": d, "loss": loss})
    ds = sl.Dataset.from_frame(pd.DataFrame(rows), name="families.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return ds, sl.fit("chinchilla", ds, by="family", shared=["alpha", "beta"])


#: the project's reference data, beside the clone (CI has it there)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The reference data folder as the dataset registry's mirror, with a fresh cache: the
    registry's tables that are not bundled (misfitting, bnsl_addition, steplaw...) load from
    it by name."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared reference data absent: {SHARED_DATA} (the registry's tables that "
                    "are not bundled are read from it as a mirror)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCALINGLAWS_DATA_URL", str(SHARED_DATA))
        mp.setenv("SCALINGLAWS_CACHE", str(tmp_path_factory.mktemp("registry-cache")))
        yield SHARED_DATA
