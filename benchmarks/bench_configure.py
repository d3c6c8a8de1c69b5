"""Time of ``sl.plan.configure`` from 1e8 to 1e12 parameters (target: under 50 ms each), and
its ratio to one parameter count of a shape in the same process. Prints a table and writes
``benchmarks/results/bench_configure.json``.

    python benchmarks/bench_configure.py
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import scalinglaws as sl


def timed(call, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    shape = sl.arch.PRESETS["llama2-7b"]
    one = timed(lambda: shape.params(), 200)
    rows = []
    for target in np.geomspace(1e8, 1e12, 9):
        seconds = timed(lambda t=float(target): sl.plan.configure(t))
        found = sl.plan.configure(float(target))
        rows.append((target, seconds, found.considered, found.best))
    sys.stdout.write("| target N | time (ms) | shapes tried | ratio to one count | best |\n")
    sys.stdout.write("|---|---|---|---|---|\n")
    for target, seconds, tried, best in rows:
        m = best.model
        sys.stdout.write(f"| {target:.2g} | {1e3 * seconds:.1f} | {tried} | "
                         f"{seconds / one:.0f}x | {m.n_layers} x {m.d_model} "
                         f"({best.error:+.2%}) |\n")
    out = Path(__file__).with_name("results") / "bench_configure.json"
    out.write_text(json.dumps({
        "command": "python benchmarks/bench_configure.py",
        "machine": platform.platform(),
        "one_count_seconds": one,
        "rows": [{"target": float(target), "seconds": seconds, "shapes_tried": tried,
                  "n_layers": best.model.n_layers, "d_model": best.model.d_model,
                  "error": float(best.error)}
                 for target, seconds, tried, best in rows],
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
