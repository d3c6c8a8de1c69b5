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

LAZY = pytest.mark.xfail(strict=False, reason="until laws compile lazily")


@pytest.fixture(scope="module")
def loaded_by_import() -> set[str]:
    """The modules in ``sys.modules`` after ``import scalinglaws`` in a fresh interpreter."""
    src = str(Path(scalinglaws.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run(
        [sys.executable, "-c", "import scalinglaws, sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


@pytest.mark.parametrize("module", [
    "matplotlib",
    "plotly",
    pytest.param("sympy", marks=LAZY),
    pytest.param("scipy.signal", marks=LAZY),
])
def test_import_does_not_load(module, loaded_by_import):
    assert module not in loaded_by_import
