"""Speed of a fit on checkpoints: 200 runs x 100 checkpoints (20,000 rows) of a synthetic
ladder, ``sl.fit("chinchilla", ...)`` on every checkpoint against the scipy L-BFGS-B
multi-start loop of ``bench_fit.py`` (Epoch AI's 4,500-start grid, one call per start, Huber
on log losses) on the same rows, in this one process.

The ladder: 20 sizes from 1e7 to 1e10 parameters, 10 runs each of 5 to 100 tokens per
parameter, 100 checkpoints per run spaced evenly in log step from 5% to 100% of the run; the
loss is Epoch's Chinchilla fit at (N, D) with 0.5% log-normal noise. A tenth of the loop's
starts are timed and the time scaled by 10 (``--loop-fraction``).

Run: ``python benchmarks/bench_curves.py [--loop-fraction 0.1] [--repeat 3]``; writes
``benchmarks/results/bench_curves.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglaws as sl

sys.path.insert(0, str(Path(__file__).parent))
from bench_fit import EPOCH, epoch_grid, scipy_loop, timed

TRUE = {k: EPOCH[k] for k in ("A", "B", "E", "alpha", "beta")}


def ladder(seed: int = 0) -> sl.Dataset:
    rng = np.random.default_rng(seed)
    rows = []
    for n in np.geomspace(1e7, 1e10, 20):
        for k, ratio in enumerate(np.geomspace(5, 100, 10)):
            total = ratio * n
            d = total * np.geomspace(0.05, 1.0, 100)
            loss = TRUE["E"] + TRUE["A"] / n ** TRUE["alpha"] + TRUE["B"] / d ** TRUE["beta"]
            rows.append(pd.DataFrame({
                "run": f"{n:.2e}-{k}", "step": np.arange(1, 101), "params": n, "tokens": d,
                "loss": loss * np.exp(rng.normal(0.0, 0.005, d.size))}))
    return sl.Dataset(pd.concat(rows, ignore_index=True), name="synthetic ladder")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop-fraction", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"
                                             / "bench_curves.json"))
    args = parser.parse_args()
    ds = ladder()
    seconds, fit = timed(lambda: sl.fit("chinchilla", ds), args.repeat)
    grid = epoch_grid()
    sample = grid[::max(1, round(1 / args.loop_fraction))]
    loop_seconds, best = scipy_loop(ds, sample)
    loop_total = loop_seconds * len(grid) / len(sample)
    rows = {"engine": {"seconds": seconds, "objective": fit.objective,
                       **{k: float(fit.params[k]) for k in TRUE}},
            "loop": {"seconds": loop_total, "timed_starts": len(sample), **best}}
    ratio = loop_total / seconds
    print(f"{len(ds):,} rows ({ds.to_frame()['run'].nunique()} runs)")
    print(f"{'run':<8}{'seconds':>10}{'alpha':>9}{'beta':>9}{'E':>9}")
    for name, r in rows.items():
        print(f"{name:<8}{r['seconds']:>10.3f}{r['alpha']:>9.4f}{r['beta']:>9.4f}{r['E']:>9.4f}")
    print(f"engine is {ratio:.0f}x the scipy loop; truth alpha {TRUE['alpha']}, "
          f"beta {TRUE['beta']}, E {TRUE['E']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": len(ds), "speedup_vs_loop": ratio, "truth": TRUE,
                               "runs": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
