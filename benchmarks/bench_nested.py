"""Accuracy of the nested mixing pipeline (``sl.mixing.nested``) over many seeds.

The synthetic study, fixed before measuring: 3 domains, a mixing law with known
coefficients, truth = mixing law + ``400 N^-0.34`` + ``20 S^-0.5``; 20 mixtures drawn from a
flat Dirichlet, each run at 6 sizes (1e7 to 3e8), each run logged at 16 steps (1e3 to 3e4),
lognormal noise of ``--noise`` (1% by default) on every logged loss. Target: 1e9 parameters
and 1e5 steps (3.3x beyond the largest size and the longest run). Scored on 10 mixtures no
run used: the relative error of each validation domain's predicted loss, and whether the
bootstrap's 90% interval holds the truth (each domain's loss, and the 50/50 web/code loss).
Beside it, the mixing law fitted on the small runs alone (largest size, last step).

Prints a table and writes ``benchmarks/results/bench_nested.json``.
Run: ``python benchmarks/bench_nested.py [--seeds 20] [--noise 0.01] [--boot 100]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

import scalinglaws as sl

# the study's design is the tests' (tests/mixcases.py), found through sys.path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from mixcases import NESTED_DOMAINS as DOMAINS
from mixcases import NESTED_LAW as MIXING
from mixcases import SIZES, STEPS, TARGET_PARAMS, TARGET_STEPS
from mixcases import nested_runs as small_runs
from mixcases import nested_truth as truth

TARGETS = ({"web": 1.0}, {"code": 1.0}, {"books": 1.0}, {"web": 0.5, "code": 0.5})


def one_seed(seed: int, noise: float, boot: int) -> dict:
    """Errors and interval coverage of one seed's study."""
    runs = small_runs(seed, noise)
    unseen = np.random.default_rng(seed + 1000).dirichlet(np.ones(3), 10)
    expected = truth(unseen, TARGET_PARAMS, TARGET_STEPS)
    start = time.perf_counter()
    fit = sl.mixing.nested(runs, DOMAINS, target_params=TARGET_PARAMS,
                           target_steps=TARGET_STEPS, n_boot=boot, seed=seed)
    seconds = time.perf_counter() - start
    got = np.column_stack([fit.predict(unseen)[d] for d in DOMAINS])
    error = np.abs(got / expected - 1)
    largest = runs[(runs["params"] == SIZES[-1]) & (runs["step"] == STEPS[-1])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = sl.mixing.fit(largest, DOMAINS, regressor="mixture")
    naive = np.column_stack([alone.predict(unseen)[d] for d in DOMAINS])
    covered, raw = [], []
    for target in TARGETS:
        w = np.array([target.get(d, 0.0) for d in DOMAINS])
        for r, y in zip(unseen, expected @ w, strict=True):
            lo, hi = fit.interval(r, target, 0.9)
            covered.append(bool(lo <= y <= hi))
            draws = [float(d.target(r[None], w)[0]) for d in fit.draws]
            lo, hi = np.quantile(draws, [0.05, 0.95]) if draws else (lo, hi)
            raw.append(bool(lo <= y <= hi))
    return {"seed": seed, "seconds": seconds, "mean": float(error.mean()),
            "max": float(error.max()), "naive_mean": float(np.abs(naive / expected - 1).mean()),
            "covered": covered, "raw_percentile_covered": raw,
            "floor": floor(seed, noise), "bias": float(np.mean(got / expected - 1))}


def floor(seed: int, noise: float, draws: int = 4000) -> dict:
    """The error left when the true law is known to have the pipeline's form (exponents
    shared, scales per mixture) and only the noise is random: the delta method at the true
    coefficients, from the logged losses' noise to each mixture's extrapolated log loss
    (its covariance across mixtures), then through the mixing law's weighted least squares
    to the unseen mixtures' predictions; mean and max absolute error over Gaussian draws."""
    rng = np.random.default_rng(seed)
    mixtures = rng.dirichlet(np.ones(3), 20)
    unseen = np.random.default_rng(seed + 1000).dirichlet(np.ones(3), 10)
    n, s = np.meshgrid(SIZES / TARGET_PARAMS, STEPS / TARGET_STEPS, indexing="ij")
    n, s = n.ravel(), s.ravel()
    a, b = 400 * TARGET_PARAMS ** -0.34, 20 * TARGET_STEPS ** -0.5
    g = len(mixtures)
    errors = np.empty((draws, len(unseen), len(DOMAINS)))
    for i in range(len(DOMAINS)):
        e = MIXING.predict(mixtures)[:, i]
        rows = []
        for j in range(g):  # d log f / d (alpha, beta, E_1, A_1, B_1, ...)
            f = e[j] + a * n ** -0.34 + b * s ** -0.5
            block = np.zeros((len(f), 2 + 3 * g))
            block[:, 0] = -a * np.log(n) * n ** -0.34 / f
            block[:, 1] = -b * np.log(s) * s ** -0.5 / f
            block[:, 2 + 3 * j:5 + 3 * j] = np.column_stack([np.ones_like(f), n ** -0.34,
                                                             s ** -0.5]) / f[:, None]
            rows.append(block)
        jac = np.vstack(rows)
        cov = noise ** 2 * np.linalg.inv(jac.T @ jac)
        at = e + a + b
        grad = np.zeros((g, 2 + 3 * g))
        for j in range(g):
            grad[j, 2 + 3 * j:5 + 3 * j] = 1.0 / at[j]
        extrap = grad @ cov @ grad.T
        # the mixing law's weighted least squares in log space, linearised at the truth
        c, k, t = MIXING.c[i], MIXING.k[i], MIXING.t[i]

        def design(r: np.ndarray, offset: float, c: float = c, k: float = k,
                   t: np.ndarray = t) -> np.ndarray:
            z = np.exp(r @ t)
            total = c + offset + k * z
            return np.column_stack([np.ones(len(r)), z, k * z * r[:, 0],
                                    k * z * r[:, 1]]) / total[:, None]

        h, h_new = design(mixtures, a + b), design(unseen, a + b)
        w = 1.0 / np.diag(extrap)
        project = h_new @ np.linalg.solve(h.T @ (w[:, None] * h), h.T * w)
        pred_cov = project @ extrap @ project.T
        errors[:, :, i] = rng.multivariate_normal(np.zeros(len(unseen)), pred_cov, draws)
    err = np.abs(np.expm1(errors))
    worst = err.reshape(draws, -1).max(axis=1)
    return {"mean": float(err.mean()), "max": float(worst.mean()),
            "p_max_over_1pct": float(np.mean(worst > 0.01)),
            "extrapolated_sd": float(np.sqrt(np.diag(extrap)).mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--boot", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(Path(__file__).with_name("results")
                                             / "bench_nested.json"))
    args = parser.parse_args()
    rows = []
    with ProcessPoolExecutor(args.workers) as pool:
        for row in pool.map(one_seed, range(args.seeds), [args.noise] * args.seeds,
                            [args.boot] * args.seeds):
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("| seed | mean error | max error | naive mean | covered (90%) | bias | seconds |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['seed']} | {r['mean']:.2%} | {r['max']:.2%} | {r['naive_mean']:.2%} | "
              f"{sum(r['covered'])}/{len(r['covered'])} | {r['bias']:+.2%} | "
              f"{r['seconds']:.1f} |")
    cover = np.array([r["covered"] for r in rows], dtype=float)
    summary = {"mean_error": float(np.mean([r["mean"] for r in rows])),
               "max_error": float(np.max([r["max"] for r in rows])),
               "median_of_max_error": float(np.median([r["max"] for r in rows])),
               "naive_mean_error": float(np.mean([r["naive_mean"] for r in rows])),
               "coverage_90": float(cover.mean()),
               "coverage_90_per_target": [float(c) for c in
                                          cover.reshape(len(rows), len(TARGETS), -1)
                                          .mean(axis=(0, 2))],
               "coverage_90_raw_percentile": float(np.mean([r["raw_percentile_covered"]
                                                             for r in rows])),
               "floor_mean_error": float(np.mean([r["floor"]["mean"] for r in rows])),
               "floor_expected_max_error": float(np.mean([r["floor"]["max"] for r in rows])),
               "floor_p_max_over_1pct": float(np.mean([r["floor"]["p_max_over_1pct"]
                                                       for r in rows])),
               "seconds_per_pipeline": float(np.mean([r["seconds"] for r in rows]))}
    print("\n" + "\n".join(f"{k}: {v}" for k, v in summary.items()))
    out = Path(args.out)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"seeds": args.seeds, "noise": args.noise, "boot": args.boot,
                               "machine": platform.platform(), "summary": summary,
                               "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
