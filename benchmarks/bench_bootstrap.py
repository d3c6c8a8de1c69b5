"""Speed of the batched bootstrap against a plain per-resample scipy refit.

All timings are taken in this one process on the Chinchilla problem (the 240 points of
Hoffmann et al. 2022 kept by Epoch AI):

* ``batched``  ``fit.bootstrap(1000)``: the 1,000 resamples as one batch, warm started from
               the full-data optimum, polished by batched Newton steps (exact Hessian).
* ``plain``    ``scipy.optimize.minimize(method="L-BFGS-B")`` with the analytic gradient, one
               call per resample, started from the full-data optimum, on the resample's
               weighted Huber objective in Epoch's parametrisation; a subset of resamples is
               timed and the time scaled to 1,000.

Both use the same resamples (weights) and the script checks that they agree.
Prints a table and writes ``benchmarks/results/bench_bootstrap.json``.
Run: ``python benchmarks/bench_bootstrap.py [--n 1000] [--plain 100] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

import scalinglaws as sl
from scalinglaws.uncertainty.resample import bootstrap_weights, clusters

DELTA = 1e-3


def data() -> sl.Dataset:
    ds = sl.datasets.load("chinchilla")
    return ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]


def plain(ds: sl.Dataset, fit: sl.FitResult, W: np.ndarray) -> tuple[float, np.ndarray]:
    """One L-BFGS-B refit per row of weights from the full-data optimum."""
    logN, logD, logL = np.log(ds.params), np.log(ds.tokens), np.log(ds.loss)
    p = fit.params
    x0 = np.array([np.log(p["A"]), np.log(p["B"]), np.log(p["E"]), p["alpha"], p["beta"]])

    def objective(x: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
        a, b, e, alpha, beta = x
        terms = np.stack([a - alpha * logN, b - beta * logD, np.full_like(logN, e)])
        pred = logsumexp(terms, axis=0)
        r = pred - logL
        soft = np.exp(terms - pred)
        psi = w * np.clip(r, -DELTA, DELTA)
        grad = np.array([psi @ soft[0], psi @ soft[1], psi @ soft[2],
                         -psi @ (soft[0] * logN), -psi @ (soft[1] * logD)])
        return float(np.sum(w * huber(DELTA, r))), grad

    out = np.empty((len(W), 5))
    t0 = time.perf_counter()
    for k, w in enumerate(W):
        res = minimize(objective, x0, args=(w,), jac=True, method="L-BFGS-B",
                       options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 2000})
        a, b, e, alpha, beta = res.x
        out[k] = [np.exp(a), np.exp(b), np.exp(e), alpha, beta]
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--plain", type=int, default=100, help="resamples timed for 'plain'")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out",
                        default=str(Path(__file__).parent / "results" / "bench_bootstrap.json"))
    args = parser.parse_args()
    ds = data()
    fit = sl.fit("chinchilla", ds)
    fit.bootstrap(50, seed=1)  # warm-up: compiles the law's callables
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        boot = fit.bootstrap(args.n, seed=0)
        times.append(time.perf_counter() - t0)
    batched = float(np.median(times))
    W = bootstrap_weights(clusters(ds, None), args.n, np.random.default_rng(0))
    sub = W[: args.plain]
    plain_seconds, plain_params = plain(ds, fit, sub)
    plain_scaled = plain_seconds * args.n / len(sub)
    # the plain refits stop at scipy's default tolerances: compare parameters at 1e-3
    agree = np.abs(plain_params / boot.samples[: len(sub)] - 1)
    ints = boot.intervals(0.95)
    rows = {
        "batched": {"seconds": batched, "resamples": args.n, "failed": boot.n_failed,
                    "moved_basin": boot.n_moved},
        "plain": {"seconds": plain_scaled, "timed_resamples": len(sub),
                  "timed_seconds": plain_seconds},
        "speedup": plain_scaled / batched,
        "median_rel_diff_plain_vs_batched": float(np.median(agree)),
        "frac_resamples_within_1e-3": float(np.mean((agree < 1e-3).all(axis=1))),
        "intervals_95_percentile": {k: list(v) for k, v in ints.items()},
    }
    print(f"batched  {batched:8.3f} s  ({args.n} resamples, {boot.n_failed} failed, "
          f"{boot.n_moved} moved basin)")
    print(f"plain    {plain_scaled:8.3f} s  (scaled from {len(sub)} resamples: "
          f"{plain_seconds:.3f} s)")
    print(f"speed-up {rows['speedup']:8.0f}x")
    print(f"plain vs batched parameters: median relative difference "
          f"{rows['median_rel_diff_plain_vs_batched']:.1e}")
    for k, (lo, hi) in ints.items():
        print(f"  {k:<6} 95% [{lo:.4g}, {hi:.4g}]")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
