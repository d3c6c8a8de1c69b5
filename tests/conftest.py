"""Shared fixtures: the bundled Chinchilla data as Epoch AI fitted it."""

from __future__ import annotations

import pytest

import scalinglaws as sl


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
