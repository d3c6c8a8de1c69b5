"""Throughput of ``sl.fit_many`` on many small fits, against the plain user loop.

10,000 synthetic problems of a saturating power law ``E + A*x**(-alpha)`` (20 points each,
known truth, 1% log-normal noise), all timed in this one process:

* ``batched``   ``sl.fit_many(problems, batched=True)``: the problems of one law in one engine
                call per chunk (in one process, and in W processes), light results
* ``local``     ``sl.fit_many(problems, workers=W)``: a process pool on this machine
* ``dask``      ``sl.fit_many(problems, backend="dask", workers=W)``: a ``LocalCluster`` of W
                single-threaded worker processes, its start and close included (and, apart,
                the run on a cluster already started)
* ``serial``    ``sl.fit`` in a loop in this process, on a subset, scaled
* ``curve_fit`` ``scipy.optimize.curve_fit`` from one start per problem (the typical user
                loop, no multi-start, no robust loss), on a subset, scaled

The ``curve_fit`` loop and the batched runs are each timed ``--repeat`` times and the fastest
run counts (the machine is shared; the slower runs measure its other load).

Prints a table and writes ``benchmarks/results/bench_fit_many.json``.
Run: ``python benchmarks/bench_fit_many.py [--n 10000] [--workers 2] [--subset 1000]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

import scalinglaws as sl

LAW = "E + A*x**(-alpha)"
X = np.logspace(6, 9, 20)


def make_problems(n: int, seed: int = 0) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.column_stack([rng.uniform(1.5, 2.5, n), rng.uniform(50, 500, n),
                             rng.uniform(0.2, 0.5, n)])
    probs = []
    for E, A, alpha in truth:
        y = (E + A * X ** -alpha) * np.exp(rng.normal(0, 0.01, X.size))
        probs.append((LAW, pd.DataFrame({"x": X, "loss": y}), {"x": "x"}))
    return probs, truth


def curve_fit_loop(probs: list[tuple[Any, ...]]) -> tuple[float, np.ndarray]:
    def f(x: np.ndarray, E: float, A: float, alpha: float) -> np.ndarray:
        return E + A * x ** -alpha

    out = np.full((len(probs), 3), np.nan)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (_, d, _) in enumerate(probs):
            try:
                out[i] = curve_fit(f, d["x"].to_numpy(), d["loss"].to_numpy(),
                                   p0=[1.0, 100.0, 0.3], maxfev=5000)[0]
            except (RuntimeError, ValueError):
                pass
    return time.perf_counter() - t, out


def best_of(repeat: int, run: Any) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs of ``run()`` and its result."""
    best, out = float("inf"), None
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - t)
    return best, out


def params(results: list[Any]) -> np.ndarray:
    return np.array([[r.params[k] for k in ("E", "A", "alpha")] if hasattr(r, "params")
                     else [np.nan] * 3 for r in results])


def alpha_error(est: np.ndarray, truth: np.ndarray) -> float:
    """Median absolute error of alpha over the problems (failed fits count as misses)."""
    err = np.abs(est[:, 2] - truth[:, 2])
    return float(np.median(np.where(np.isfinite(err), err, np.inf)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--subset", type=int, default=1000,
                    help="problems timed for the serial and curve_fit loops (scaled)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results"
                                         / "bench_fit_many.json"))
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the curve_fit loop and of the batched paths (the fastest "
                         "counts: the machine is shared)")
    args = ap.parse_args()
    probs, truth = make_problems(args.n)
    sub = probs[: args.subset]
    scale = args.n / len(sub)
    sl.fit_many(probs[:4], workers=1)  # the law compiled and the engine loaded once

    t_cf, cf = min((curve_fit_loop(sub) for _ in range(args.repeat)), key=lambda r: r[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        serial = [sl.fit(law, d, **o) for law, d, o in sub]
        t_serial = time.perf_counter() - t

    sl.fit_many(probs[:8], batched=True, workers=1)
    t_batched1, _ = best_of(args.repeat, lambda: sl.fit_many(probs, batched=True, workers=1))
    t_batched, batched = best_of(args.repeat, lambda: sl.fit_many(probs, batched=True,
                                                                   workers=args.workers))

    t = time.perf_counter()
    local = sl.fit_many(probs, workers=args.workers)
    t_local = time.perf_counter() - t

    t = time.perf_counter()
    dask = sl.fit_many(probs, backend="dask", workers=args.workers)
    t_dask = time.perf_counter() - t

    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        sl.fit_many(probs[:50], backend="dask", client=client)
        t = time.perf_counter()
        warm = sl.fit_many(probs, backend="dask", client=client)
        t_warm = time.perf_counter() - t
        sl.fit_many(probs[:50], backend="dask", client=client, batched=True)
        t_dask_batched, dask_batched = best_of(args.repeat, lambda: sl.fit_many(
            probs, backend="dask", client=client, batched=True))

    P_local, P_dask, P_warm = params(local), params(dask), params(warm)
    same = bool(np.array_equal(P_local, P_dask, equal_nan=True)
                and np.array_equal(P_local, P_warm, equal_nan=True)
                and np.array_equal(P_local[: len(sub)], params(serial), equal_nan=True))
    row = {
        "n_problems": args.n, "points_per_problem": int(X.size), "workers": args.workers,
        "subset_timed": len(sub), "machine": platform.processor() or platform.machine(),
        "curve_fit_s_scaled": t_cf * scale, "serial_fit_s_scaled": t_serial * scale,
        "local_s": t_local, "dask_s": t_dask, "dask_warm_cluster_s": t_warm,
        "local_fits_per_s": args.n / t_local, "dask_fits_per_s": args.n / t_dask,
        "dask_warm_fits_per_s": args.n / t_warm,
        "curve_fit_fits_per_s": len(sub) / t_cf,
        "local_vs_curve_fit": (t_cf * scale) / t_local,
        "local_vs_serial": (t_serial * scale) / t_local,
        "dask_overhead": t_dask / t_local - 1, "dask_warm_overhead": t_warm / t_local - 1,
        "identical_local_dask_serial": same,
        "batched_1_worker_s": t_batched1, "batched_s": t_batched,
        "dask_batched_warm_s": t_dask_batched,
        "batched_fits_per_s": args.n / t_batched,
        "batched_vs_curve_fit": (t_cf * scale) / t_batched,
        "batched_1_worker_vs_curve_fit": (t_cf * scale) / t_batched1,
        "dask_batched_overhead": t_dask_batched / t_batched - 1,
        "batched_single_fits": int(sum(type(r).__name__ != "QuickFit" for r in batched)),
        "batched_identical_dask": bool(np.array_equal(params(batched), params(dask_batched),
                                                      equal_nan=True)),
        "batched_max_rel_diff_vs_fit": float(np.nanmax(np.abs(
            params(batched)[: len(sub)] / params(serial) - 1))),
        "failures_local": int(sum(not hasattr(r, "params") for r in local)),
        "curve_fit_failures_subset": int(np.isnan(cf[:, 0]).sum()),
        "median_abs_alpha_error": {"fit_many": alpha_error(P_local[: len(sub)],
                                                           truth[: len(sub)]),
                                   "batched": alpha_error(params(batched)[: len(sub)],
                                                          truth[: len(sub)]),
                                   "curve_fit": alpha_error(cf, truth[: len(sub)])},
    }
    print(f"{args.n} fits of {LAW} ({X.size} points), {args.workers} workers")
    print(f"  curve_fit loop (scaled)  {row['curve_fit_s_scaled']:8.2f} s")
    print(f"  sl.fit loop (scaled)     {row['serial_fit_s_scaled']:8.2f} s")
    print(f"  fit_many local           {t_local:8.2f} s  {row['local_fits_per_s']:8.0f} fits/s")
    print(f"  fit_many dask (+cluster) {t_dask:8.2f} s  {row['dask_fits_per_s']:8.0f} fits/s")
    print(f"  fit_many dask (warm)     {t_warm:8.2f} s  {row['dask_warm_fits_per_s']:8.0f} fits/s")
    print(f"  batched, 1 process       {t_batched1:8.2f} s  "
          f"{row['batched_1_worker_vs_curve_fit']:8.2f}x the curve_fit loop")
    print(f"  batched, {args.workers} processes     {t_batched:8.2f} s  "
          f"{row['batched_vs_curve_fit']:8.2f}x the curve_fit loop")
    print(f"  batched on dask (warm)   {t_dask_batched:8.2f} s  "
          f"overhead {row['dask_batched_overhead']:.1%}")
    print(f"  batched vs sl.fit        max rel. diff {row['batched_max_rel_diff_vs_fit']:.2e}"
          f", {row['batched_single_fits']} problems fitted alone")
    print(f"  local vs curve_fit loop  {row['local_vs_curve_fit']:8.3f}x")
    print(f"  local vs sl.fit loop     {row['local_vs_serial']:8.2f}x")
    print(f"  dask overhead            {row['dask_overhead']:8.1%} "
          f"(warm cluster {row['dask_warm_overhead']:.1%})")
    print(f"  identical numbers        {same}")
    print(f"  median |alpha error|     {row['median_abs_alpha_error']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(row, indent=2) + "\n")


if __name__ == "__main__":
    main()
