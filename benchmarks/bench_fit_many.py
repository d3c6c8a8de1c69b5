"""Throughput of ``sl.fit_many`` on many small fits, against the plain user loop.

10,000 synthetic problems of a saturating power law ``E + A*x**(-alpha)`` (20 points each,
known truth, 1% log-normal noise), all timed in this one process:

* ``each``      ``sl.fit_each(law, table, by="problem")``: the same 10,000 problems as one long
                table (200,000 rows), fitted in one batch; with the default objective (Huber
                on log residuals, NumPy engine) and with least squares (``loss="mse"``, the
                objective ``curve_fit`` minimises: compiled kernels where Numba is
                installed, W threads)
* ``batched``   ``sl.fit_many(problems, batched=True)``: the problems of one law in one engine
                call per chunk (in this process, W threads for the compiled kernels), light
                results
* ``local``     ``sl.fit_many(problems, workers=W)``: a process pool on this machine, run
                before and after the cluster runs and the two times averaged (the
                machine's load drifts over these minutes)
* ``dask``      ``sl.fit_many(problems, backend="dask", workers=W)``: a ``LocalCluster`` of W
                single-threaded worker processes, its start and close included (and, apart,
                the run on a cluster already started by ``local_cluster``), and the round
                trip of an empty task (the cluster's floor)
* ``serial``    ``sl.fit`` in a loop in this process, on a subset, scaled
* ``curve_fit`` ``scipy.optimize.curve_fit`` from one start per problem (the typical user
                loop, no multi-start, no robust loss: least squares), on a subset, scaled:
                handed each problem's arrays ready (its time is the fits alone), and as the
                plain loop over the long table (``groupby``, then ``curve_fit`` per group)

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
from scalinglaws.engine import jit

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


def long_table(probs: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The problems as one tidy table: a ``problem`` column, then ``x`` and ``loss``."""
    return pd.DataFrame({"problem": np.repeat(np.arange(len(probs)), X.size),
                         "x": np.concatenate([d["x"].to_numpy() for _, d, _ in probs]),
                         "loss": np.concatenate([d["loss"].to_numpy() for _, d, _ in probs])})


def curve_fit_loop(probs: list[tuple[Any, ...]]) -> tuple[float, np.ndarray]:
    def f(x: np.ndarray, E: float, A: float, alpha: float) -> np.ndarray:
        return E + A * x ** -alpha

    arrays = [(d["x"].to_numpy(), d["loss"].to_numpy()) for _, d, _ in probs]
    out = np.full((len(probs), 3), np.nan)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (x, y) in enumerate(arrays):
            try:
                out[i] = curve_fit(f, x, y, p0=[1.0, 100.0, 0.3], maxfev=5000)[0]
            except (RuntimeError, ValueError):
                pass
    return time.perf_counter() - t, out


def curve_fit_groupby(frame: pd.DataFrame) -> float:
    """The plain user loop over a long table: each group's columns, then ``curve_fit``."""
    def f(x: np.ndarray, E: float, A: float, alpha: float) -> np.ndarray:
        return E + A * x ** -alpha

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, g in frame.groupby("problem", sort=False):
            try:
                curve_fit(f, g["x"].to_numpy(), g["loss"].to_numpy(), p0=[1.0, 100.0, 0.3],
                          maxfev=5000)
            except (RuntimeError, ValueError):
                pass
    return time.perf_counter() - t


def _nothing() -> None:
    """An empty task: a Dask round trip's floor."""


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
    ls_probs = [(law, d, {**o, "loss": "mse"}) for law, d, o in probs]
    sl.fit_many(ls_probs[:8], batched=True, workers=1)  # the kernels compiled (or loaded)
    t_batched_ls, batched_ls = best_of(args.repeat, lambda: sl.fit_many(
        ls_probs, batched=True, workers=args.workers))

    frame = long_table(probs)
    t_cf_table = min(curve_fit_groupby(frame.iloc[: len(sub) * X.size])
                     for _ in range(args.repeat)) * scale
    sl.fit_each(LAW, frame.iloc[:200], by="problem", x="x", loss="mse")
    t_each, each = best_of(args.repeat, lambda: sl.fit_each(
        LAW, frame, by="problem", x="x", threads=args.workers))
    t_each_ls, each_ls = best_of(args.repeat, lambda: sl.fit_each(
        LAW, frame, by="problem", x="x", loss="mse", threads=args.workers))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial_ls = [sl.fit(law, d, **o) for law, d, o in ls_probs[: len(sub)]]

    t = time.perf_counter()
    local = sl.fit_many(probs, workers=args.workers)
    t_local = time.perf_counter() - t

    t = time.perf_counter()
    dask = sl.fit_many(probs, backend="dask", workers=args.workers)
    t_dask = time.perf_counter() - t

    from dask.distributed import Client

    from scalinglaws.fitting import local_cluster

    with local_cluster(args.workers) as cluster, Client(cluster) as client:
        sl.fit_many(probs[:50], backend="dask", client=client)
        t = time.perf_counter()
        warm = sl.fit_many(probs, backend="dask", client=client)
        t_warm = time.perf_counter() - t
        sl.fit_many(probs[:50], backend="dask", client=client, batched=True)
        t_dask_batched, dask_batched = best_of(args.repeat, lambda: sl.fit_many(
            probs, backend="dask", client=client, batched=True))
        table = long_table(probs)
        sl.fit_each(LAW, table.iloc[:400], by="problem", x="x", loss="mse", backend="dask",
                    client=client)  # the workers' kernels loaded
        t_each_dask, each_dask = best_of(args.repeat, lambda: sl.fit_each(
            LAW, table, by="problem", x="x", loss="mse", backend="dask", client=client))
        # the cluster's floor: one empty task sent, run and answered (its scheduling alone)
        t_empty, _ = best_of(max(args.repeat, 10), lambda: client.submit(
            _nothing, pure=False).result())

    # the local processes once more, after the cluster runs: the machine's load drifts over
    # the minutes these runs take, so the cluster is compared with the mean of the two
    t = time.perf_counter()
    local_again = sl.fit_many(probs, workers=args.workers)
    t_local = (t_local + time.perf_counter() - t) / 2

    P_local, P_dask, P_warm = params(local), params(dask), params(warm)
    same = bool(np.array_equal(P_local, params(local_again), equal_nan=True)
                and np.array_equal(P_local, P_dask, equal_nan=True)
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
        "jit": jit.enabled(),
        "each_s": t_each, "each_ls_s": t_each_ls, "batched_ls_s": t_batched_ls,
        "each_fits_per_s": args.n / t_each, "each_ls_fits_per_s": args.n / t_each_ls,
        "each_vs_curve_fit": (t_cf * scale) / t_each,
        "each_ls_vs_curve_fit": (t_cf * scale) / t_each_ls,
        "each_ls_dask_warm_s": t_each_dask,
        "each_ls_dask_overhead": t_each_dask / t_each_ls - 1,
        "each_ls_dask_identical": bool(each_dask.equals(each_ls)),
        "dask_empty_task_s": t_empty,
        "dask_empty_task_vs_each_ls": t_empty / t_each_ls,
        "curve_fit_table_loop_s_scaled": t_cf_table,
        "each_ls_vs_curve_fit_table_loop": t_cf_table / t_each_ls,
        "each_vs_curve_fit_table_loop": t_cf_table / t_each,
        "batched_ls_vs_curve_fit": (t_cf * scale) / t_batched_ls,
        "each_ls_unconverged": int((~each_ls["status"].isin(["converged", "stalled"])).sum()),
        "each_unconverged": int((~each["status"].isin(["converged", "stalled"])).sum()),
        "each_ls_max_rel_diff_vs_fit": float(np.nanmax(np.abs(
            each_ls[["E", "A", "alpha"]].to_numpy()[: len(sub)] / params(serial_ls) - 1))),
        "each_ls_objective_ratio_vs_fit": float(np.max(
            each_ls["objective"].to_numpy()[: len(sub)]
            / np.array([r.objective for r in serial_ls]))),
        "batched_ls_identical_each_ls": bool(np.allclose(
            params(batched_ls), each_ls[["E", "A", "alpha"]].to_numpy(), rtol=1e-12,
            equal_nan=True)),
        "failures_local": int(sum(not hasattr(r, "params") for r in local)),
        "curve_fit_failures_subset": int(np.isnan(cf[:, 0]).sum()),
        "median_abs_alpha_error": {"fit_many": alpha_error(P_local[: len(sub)],
                                                           truth[: len(sub)]),
                                   "batched": alpha_error(params(batched)[: len(sub)],
                                                          truth[: len(sub)]),
                                   "curve_fit": alpha_error(cf, truth[: len(sub)]),
                                   "each_least_squares": alpha_error(
                                       each_ls[["E", "A", "alpha"]].to_numpy()[: len(sub)],
                                       truth[: len(sub)])},
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
    print(f"  curve_fit over the table {t_cf_table:8.2f} s  (groupby loop, scaled)")
    print(f"  fit_each, least squares  {t_each_ls:8.3f} s  "
          f"{row['each_ls_vs_curve_fit']:8.1f}x the curve_fit loop on ready arrays, "
          f"{row['each_ls_vs_curve_fit_table_loop']:.1f}x the groupby loop "
          f"(kernels: {row['jit']})")
    print(f"  fit_each LS, dask (warm) {t_each_dask:8.3f} s  overhead "
          f"{row['each_ls_dask_overhead']:.1%}, identical {row['each_ls_dask_identical']}")
    print(f"  dask empty task          {t_empty * 1e3:8.1f} ms  "
          f"{row['dask_empty_task_vs_each_ls']:.0%} of local fit_each LS")
    print(f"  fit_each, default (Huber){t_each:8.3f} s  "
          f"{row['each_vs_curve_fit']:8.1f}x the curve_fit loop")
    print(f"  batched, least squares   {t_batched_ls:8.3f} s  "
          f"{row['batched_ls_vs_curve_fit']:8.1f}x the curve_fit loop")
    print(f"  fit_each LS vs sl.fit    max rel. diff {row['each_ls_max_rel_diff_vs_fit']:.2e}, "
          f"objective ratio at most {row['each_ls_objective_ratio_vs_fit']:.9f}")
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
