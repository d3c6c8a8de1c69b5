"""Measured numbers for the hand-written pages, read at build time.

Every number in the docs that the project's code measured comes from running the code when
the site is built: the pages' ``exec="on"`` blocks either compute it (when that is quick) or
read it from the results file of the benchmark that measured it,
``benchmarks/results/NAME.json`` (written by ``benchmarks/NAME.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def results(name: str) -> dict:
    """The results ``benchmarks/NAME.py`` wrote to ``benchmarks/results/NAME.json``."""
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run `python benchmarks/{name}.py` to measure it "
            f"(the docs quote its results)"
        )
    return json.loads(path.read_text())


def pct(x: float, digits: int = 2) -> str:
    """A fraction as a percentage: ``pct(0.0104)`` is ``'1.04%'``."""
    return f"{100 * x:.{digits}f}%"
