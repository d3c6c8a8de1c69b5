"""``import scalinglaws`` leaves the heavy libraries unloaded (docs/decisions.md, Start-up).

A fresh interpreter imports the package and reports what it loaded; this process has
long since loaded everything. ``benchmarks/bench_startup.py`` measures the times.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import scalinglaws


def _loaded(code: str) -> set[str]:
    """The modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    src = str(Path(scalinglaws.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run(
        [sys.executable, "-c", f"{code}; import sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


@pytest.fixture(scope="module")
def loaded_by_import() -> set[str]:
    return _loaded("import scalinglaws")


@pytest.fixture(scope="module")
def loaded_by_listing() -> set[str]:
    # listing the catalog, reading data and reaching the fit function compile no law
    return _loaded("import scalinglaws as sl; sl.laws.describe(); sl.laws.get('chinchilla'); "
                   "sl.datasets.load('chinchilla'); sl.fit")


@pytest.mark.parametrize("module", [
    "matplotlib",
    "plotly",
    "sympy",
    "scipy.signal",
])
def test_import_does_not_load(module, loaded_by_import):
    assert module not in loaded_by_import


def test_import_loads_no_numerical_library(loaded_by_import):
    # the public names load on first use: a bare import is the exceptions and the version
    assert not {"numpy", "pandas", "scipy"} & loaded_by_import


@pytest.mark.parametrize("module", ["matplotlib", "plotly", "sympy", "scipy.signal"])
def test_listing_laws_and_loading_data_compile_nothing(module, loaded_by_listing):
    assert module not in loaded_by_listing
