"""Speed of the Chinchilla fit against a plain scipy L-BFGS-B multi-start loop.

All timings are taken in this one process on the same data (the 240 points of Hoffmann et
al. 2022 kept by Epoch AI), so the ratios are meaningful on a noisy shared machine:

* ``default``    ``sl.fit("chinchilla", ...)``
* ``generic``    the same law written as an expression (no catalog-specific code)
* ``exhaustive`` ``starts="grid"``: every start of Epoch's 4,500-point grid, optimised together
* ``loop``       ``scipy.optimize.minimize(method="L-BFGS-B")`` with the analytic gradient
                 from each start of Epoch's grid, one call per start, in Epoch's
                 parametrisation (a, b, e, alpha, beta) with logsumexp; a tenth of the starts
                 (every 10th) are timed and the time scaled by 10.

Prints a table and writes ``benchmarks/results/bench_fit.json``.
Run: ``python benchmarks/bench_fit.py [--loop-fraction 0.1] [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

import scalinglaws as sl

EPOCH = {"A": 477.84, "B": 2143.86, "E": 1.81724, "alpha": 0.34731, "beta": 0.36718,
         "objective": 0.00101827403}
DELTA = 1e-3


def data() -> sl.Dataset:
    ds = sl.datasets.load("chinchilla")
    return ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]


def epoch_grid() -> np.ndarray:
    """Epoch AI's grid: alpha, beta in {0..2}, e in {-1..1}, a, b in {0..25} (4,500 starts)."""
    ab = np.arange(0, 2.5, 0.5)
    es = np.arange(-1, 1.5, 0.5)
    amps = np.arange(0, 30, 5)
    return np.array([(a, b, e, al, be) for a, b, e, al, be in
                     itertools.product(amps, amps, es, ab, ab)], dtype=float)


def scipy_loop(ds: sl.Dataset, starts: np.ndarray) -> tuple[float, dict[str, float]]:
    """One L-BFGS-B call per start with the analytic gradient; returns (seconds, best)."""
    logN, logD, logL = np.log(ds.params), np.log(ds.tokens), np.log(ds.loss)

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        a, b, e, alpha, beta = x
        terms = np.stack([a - alpha * logN, b - beta * logD, np.full_like(logN, e)])
        pred = logsumexp(terms, axis=0)
        r = pred - logL
        weights = np.exp(terms - pred)  # softmax: d pred / d (a, b, e)
        psi = np.clip(r, -DELTA, DELTA)
        grad = np.array([
            psi @ weights[0], psi @ weights[1], psi @ weights[2],
            -psi @ (weights[0] * logN), -psi @ (weights[1] * logD),
        ])
        return float(np.sum(huber(DELTA, r))), grad

    best_val, best_x = np.inf, None
    t0 = time.perf_counter()
    for x0 in starts:
        res = minimize(objective, x0, jac=True, method="L-BFGS-B")
        if res.success and res.fun < best_val:
            best_val, best_x = res.fun, res.x
    seconds = time.perf_counter() - t0
    assert best_x is not None
    a, b, e, alpha, beta = best_x
    return seconds, {"A": float(np.exp(a)), "B": float(np.exp(b)), "E": float(np.exp(e)),
                     "alpha": float(alpha), "beta": float(beta), "objective": float(best_val)}


def timed(fn, repeat: int) -> tuple[float, sl.FitResult]:
    result = fn()  # warm-up: compiles the law's callables
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop-fraction", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_fit.json"))
    args = parser.parse_args()
    ds = data()
    generic_law = sl.Law.from_expression("E + A/N**alpha + B/D**beta",
                                         inputs={"N": "params", "D": "tokens"})
    runs = {
        "default": lambda: sl.fit("chinchilla", ds),
        "generic": lambda: sl.fit(generic_law, ds),
        "exhaustive": lambda: sl.fit("chinchilla", ds, starts="grid"),
    }
    rows = {}
    for name, fn in runs.items():
        seconds, res = timed(fn, args.repeat if name != "exhaustive" else max(1, args.repeat // 3))
        rows[name] = {"seconds": seconds, "objective": res.objective, "status": res.status.value,
                      **{k: res.params[k] for k in ("A", "B", "E", "alpha", "beta")}}
    grid = epoch_grid()
    step = max(1, round(1 / args.loop_fraction))
    sample = grid[::step]
    loop_seconds, loop_best = scipy_loop(ds, sample)
    rows["loop"] = {"seconds": loop_seconds * len(grid) / len(sample), "status": "converged",
                    "timed_starts": len(sample), **loop_best}
    ref = rows["loop"]["seconds"]
    print(f"{'run':<11}{'seconds':>10}{'x loop':>10}{'objective':>16}{'alpha':>9}{'beta':>9}"
          f"{'E':>9}{'A':>9}{'B':>10}")
    for name, r in rows.items():
        r["speedup_vs_loop"] = ref / r["seconds"]
        r["max_rel_param_error_vs_epoch"] = max(
            abs(r[k] - EPOCH[k]) / EPOCH[k] for k in ("A", "B", "E", "alpha", "beta"))
        r["objective_rel_to_epoch"] = (r["objective"] - EPOCH["objective"]) / EPOCH["objective"]
        print(f"{name:<11}{r['seconds']:>10.4f}{r['speedup_vs_loop']:>10.0f}"
              f"{r['objective']:>16.11f}{r['alpha']:>9.5f}{r['beta']:>9.5f}{r['E']:>9.5f}"
              f"{r['A']:>9.2f}{r['B']:>10.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"reference": "scipy L-BFGS-B loop over Epoch's 4,500 starts",
                               "epoch_grid_optimum": EPOCH, "runs": rows}, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
