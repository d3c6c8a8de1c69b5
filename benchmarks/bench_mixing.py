"""The mixture optimiser over 50 domains, against a plain scipy SLSQP run.

A mixing law of 50 training domains and 50 validation domains with known coefficients
(each domain's loss falls with its own share), a target weighting every validation domain,
per-domain bounds on five domains and epoch caps on ten scarce ones. Timed in this one
process, best of ``--repeat``:

* ``sl.mixing.optimise``  checks the constraints, optimises (SLSQP with the law's analytic
                          gradient from three feasible starts) and prices the uniform and
                          current mixtures
* ``scipy SLSQP``         ``scipy.optimize.minimize(method="SLSQP")`` on the same objective
                          and constraints from the uniform mixture, gradients by finite
                          differences (what a user would write)

Prints a table and writes ``benchmarks/results/bench_mixing.json``.
Run: ``python benchmarks/bench_mixing.py [--domains 50] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
from scipy import optimize as so

import scalinglaws as sl
from scalinglaws.mixing.constraints import box as feasible_box


def make_law(m: int, seed: int = 0) -> sl.mixing.MixingLaw:
    rng = np.random.default_rng(seed)
    names = tuple(f"d{j}" for j in range(m))
    t = rng.uniform(-0.8, 0.6, (m, m))
    t[np.arange(m), np.arange(m)] = rng.uniform(-4.0, -2.0, m)
    return sl.mixing.MixingLaw(names, names, rng.uniform(1.5, 3.0, m),
                               rng.uniform(0.3, 1.0, m) * np.exp(t[:, -1]), t - t[:, [-1]])


def constraints(law: sl.mixing.MixingLaw) -> dict:
    names = law.domains
    return {"bounds": {names[j]: (0.005, 0.1) for j in range(5)},
            "available": {names[j]: 2e9 for j in range(5, 15)}, "tokens": 1e11,
            "max_epochs": 1.0}


def plain_slsqp(law: sl.mixing.MixingLaw, w: np.ndarray, lo: np.ndarray,
                hi: np.ndarray) -> np.ndarray:
    m = len(law.domains)
    res = so.minimize(lambda r: float(law.target(r, w)[0]), np.full(m, 1 / m),
                      method="SLSQP", bounds=list(zip(lo, hi, strict=True)),
                      constraints=[{"type": "eq", "fun": lambda r: r.sum() - 1.0}],
                      options={"maxiter": 1000, "ftol": 1e-12})
    return res.x


def best_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--domains", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    law = make_law(args.domains)
    options = constraints(law)
    w = law.weights(None)
    box = feasible_box(law.domains, options["bounds"], options["available"],
                                    options["tokens"], options["max_epochs"])
    current = dict(zip(law.domains, np.full(args.domains, 1 / args.domains), strict=True))
    ours_s, proposal = best_time(lambda: sl.mixing.optimise(law, current=current, **options),
                                 args.repeat)
    plain_s, x = best_time(lambda: plain_slsqp(law, w, box.lower, box.upper), args.repeat)
    ours_loss = proposal.predicted_loss
    plain_loss = float(law.target(x, w)[0])
    rows = [{"method": "sl.mixing.optimise", "seconds": ours_s, "loss": ours_loss},
            {"method": "scipy SLSQP (finite differences)", "seconds": plain_s,
             "loss": plain_loss}]
    print(f"{args.domains} domains, {len(options['bounds'])} bounded, "
          f"{len(options['available'])} capped at {options['max_epochs']:g} epoch\n")
    print("| method | seconds | predicted target loss |")
    print("|---|---|---|")
    for r in rows:
        print(f"| {r['method']} | {r['seconds']:.3f} | {r['loss']:.6f} |")
    print(f"\nratio (scipy / optimise): {plain_s / ours_s:.1f}x; optimise under a second: "
          f"{ours_s < 1.0}")
    out = Path(__file__).with_name("results") / "bench_mixing.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"domains": args.domains, "repeat": args.repeat,
                               "machine": platform.platform(), "rows": rows,
                               "ratio": plain_s / ours_s}, indent=2) + "\n")


if __name__ == "__main__":
    main()
