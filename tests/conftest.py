"""Shared fixtures (the bundled Chinchilla data as Epoch AI fitted it) and the slow cases of
parametrised tests whose other cases are fast."""

from __future__ import annotations

import warnings

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
