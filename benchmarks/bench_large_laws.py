"""Large learning-rate/batch-size laws on the Step Law grid: scalinglaws against a 64-restart
scipy L-BFGS-B with analytic gradients, in the same process.

The data are the 1,911 dense runs of Li et al. 2025 ("Predictable Scale: Part I",
arXiv:2503.04715; ``../shared/data/steplaw/dense_lr_bs_loss.csv``): five model sizes, fifteen
token budgets, a grid of learning rates and batch sizes. Each law is written as an expression;
parameters whose sign the data decide (coefficients of logs, the optimum's offsets) are given
symmetric bounds, as a user writes them. Both fitters minimise the same objective (Huber, delta
1e-3, on log residuals). The reference draws 64 starts uniformly (log-uniformly for log-scale
parameters) in each parameter's search box and runs ``scipy.optimize.minimize(method="L-BFGS-B")``
from each, with the gradient from the law's own Jacobian.

For each law: wall time (the law's callables compiled first), the peak memory of the arrays
(``tracemalloc``, which numpy reports to; measured in a second, untimed run),
the objective each reaches and their ratio. Writes ``benchmarks/results/bench_large_laws.json``.
Run: ``python benchmarks/bench_large_laws.py [--restarts 64] [--laws quad15,...]``.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

import scalinglaws as sl
from scalinglaws.engine import Objective
from scalinglaws.engine import starts as st

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "steplaw" / "dense_lr_bs_loss.csv"
OUT = Path(__file__).resolve().parent / "results" / "bench_large_laws.json"
FREE = {"lower": -50.0, "upper": 50.0, "log": False}
INPUTS = {"N": "params", "D": "tokens", "lr": "lr", "bs": "bs"}
CHINCHILLA = "E + A/N**alpha + B/D**beta"

#: name -> (expression, parameters free in sign)
LAWS: dict[str, tuple[str, list[str]]] = {
    # quadratic in log lr and log bs; optimum and curvature log-linear in N and D
    "quad15": (CHINCHILLA + " + (c0 + c1*log(N) + c2*log(D))*(log(lr) - (l0 + l1*log(N)"
               " + l2*log(D)))**2 + (d0 + d1*log(N))*(log(bs) - (b0 + b1*log(D)))**2",
               ["c1", "c2", "l0", "l1", "l2", "d1", "b0", "b1"]),
    # Step Law's optimum (lr ∝ N^a D^b, bs ∝ D^c) with constant curvatures
    "steplaw13": (CHINCHILLA + " + c*(log(lr) - l0 - l1*log(N) - l2*log(D))**2"
                  " + d*(log(bs) - b0 - b1*log(D))**2",
                  ["l0", "l1", "l2", "b0", "b1"]),
    # the same with an lr x bs interaction (the optimal lr moves with the batch size)
    "interaction16": (CHINCHILLA + " + c*(log(lr) - l0 - l1*log(N) - l2*log(D))**2"
                      " + d*(log(bs) - b0 - b1*log(D))**2 + g*(log(lr) - l0 - l1*log(N)"
                      " - l2*log(D))*(log(bs) - b0 - b1*log(D)) + h*log(bs)",
                      ["l0", "l1", "l2", "b0", "b1", "g", "h"]),
    # a power law with a multiplicative lr/bs penalty
    "penalty11": ("(E + A/N**alpha + B/D**beta)*(1 + c*(log(lr) - l0 - l1*log(N))**2"
                  " + d*(log(bs) - b0 - b1*log(D))**2)",
                  ["l0", "l1", "b0", "b1"]),
    # exp of a quadratic polynomial in the logs (the response-surface form)
    "exppoly16": ("E + exp(p0 + p1*log(N) + p2*log(D) + p3*log(lr) + p4*log(bs)"
                  " + q1*log(lr)**2 + q2*log(bs)**2 + q3*log(lr)*log(bs)"
                  " + q4*log(lr)*log(N) + q5*log(lr)*log(D) + q6*log(bs)*log(D)"
                  " + q7*log(N)**2 + q8*log(D)**2 + q9*log(N)*log(D) + q10*log(bs)*log(N))",
                  ["p0", "p1", "p2", "p3", "p4", "q1", "q2", "q3", "q4", "q5", "q6", "q7",
                   "q8", "q9", "q10"]),
    # curvatures and optima each a power law in N and D (the widest form)
    "power22": (CHINCHILLA + " + c0*N**c1*D**c2*(log(lr) - l0 - l1*log(N) - l2*log(D))**2"
                " + d0*N**d1*D**d2*(log(bs) - b0 - b1*log(D) - b2*log(N))**2"
                " + g0*(log(lr) - l0 - l1*log(N) - l2*log(D))*(log(bs) - b0 - b1*log(D)"
                " - b2*log(N))",
                ["c1", "c2", "d1", "d2", "l0", "l1", "l2", "b0", "b1", "b2", "g0"]),
}


#: the terms of a cubic response surface in u = log lr, v = log bs
_SURFACE = ("u", "v", "u**2", "v**2", "u*v", "u**3", "v**3", "u**2*v")


def _surface_law() -> tuple[str, list[str]]:
    """A cubic response surface in log lr and log bs whose eight coefficients are each linear
    in log N and log D, beside the Chinchilla terms: 29 parameters, 24 of either sign."""
    parts, names = [], []
    for i, term in enumerate(_SURFACE):
        names += [f"a{i}", f"b{i}", f"c{i}"]
        term = term.replace("u", "log(lr)").replace("v", "log(bs)")
        parts.append(f"(a{i} + b{i}*log(N) + c{i}*log(D))*{term}")
    return CHINCHILLA + " + " + " + ".join(parts), names


LAWS["cubic29"] = _surface_law()


def frame() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    return pd.DataFrame({"params": d["N"], "tokens": d["D"], "lr": d["lr"], "bs": d["bs"],
                         "loss": d["loss"]})


def law(name: str) -> sl.Law:
    expr, free = LAWS[name]
    # the surface's coefficients span orders of magnitude (a cubic in log lr ~ -7): unbounded
    spec = {"log": False} if name == "cubic29" else FREE
    return sl.Law(expr, inputs=INPUTS, name=name, parameters={p: spec for p in free})


def _fit(lw: sl.Law, df: pd.DataFrame) -> sl.FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sl.fit(lw, df)


def _peak_mib(run) -> float:
    """Peak memory of the arrays ``run()`` allocates (tracemalloc slows numpy's allocations,
    so it runs apart from the timed run)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def ours(lw: sl.Law, df: pd.DataFrame) -> dict:
    _fit(lw, df.iloc[:50])  # compile the law's callables outside the timed run
    start = time.perf_counter()
    fit = _fit(lw, df)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": _peak_mib(lambda: _fit(lw, df)),
            "objective": fit.objective, "status": fit.status.value,
            "design": fit.starts.design if fit.starts else "",
            "design_size": fit.starts.design_size if fit.starts else 0}


def scipy_restarts(lw: sl.Law, df: pd.DataFrame, restarts: int, seed: int = 0) -> dict:
    X = [df[c].to_numpy(dtype=float)[None, :] for c in INPUTS.values()]
    y = df["loss"].to_numpy(dtype=float)
    obj = Objective(lw, X, y)  # the same objective: Huber 1e-3 on log residuals
    bounds = [(p.lower if np.isfinite(p.lower) else None,
               p.upper if np.isfinite(p.upper) else None) for p in lw.parameters]

    def value_and_grad(p: np.ndarray) -> tuple[float, np.ndarray]:
        P = p[None, :]
        with np.errstate(all="ignore"):
            f = lw.evaluate(X, P)[0]
            J = lw.jacobian(X, P)[0]
            r = np.log(f) - np.log(y)
            psi = np.clip(r, -obj.delta, obj.delta)
            value = float(np.sum(psi * (r - 0.5 * psi)))
            grad = (psi / f) @ J
        if not np.isfinite(value) or not np.isfinite(grad).all():
            return 1e300, np.zeros_like(p)
        return value, grad

    boxes = [st.axis_range(lw, p, X) for p in lw.parameters]

    def run() -> float:
        rng = np.random.default_rng(seed)
        best = np.inf
        for _ in range(restarts):
            x0 = np.array([np.exp(rng.uniform(np.log(lo), np.log(hi))) if p.log and lo > 0
                           else rng.uniform(lo, hi)
                           for p, (lo, hi) in zip(lw.parameters, boxes, strict=True)])
            res = minimize(value_and_grad, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                           options={"maxiter": 2000})
            if float(res.fun) < 1e299:  # a start where the law is not finite reaches nothing
                best = min(best, float(res.fun))
        return best

    start = time.perf_counter()
    best = run()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": _peak_mib(run), "objective": best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=64)
    parser.add_argument("--laws", default=",".join(LAWS))
    args = parser.parse_args()
    df = frame()
    results = {}
    print(f"{'law':<14}{'params':>7}  {'ours s':>7} {'MiB':>6} {'objective':>11}  "
          f"{'scipy s':>8} {'MiB':>6} {'objective':>11}  {'obj ratio':>9}  status / design")
    for name in args.laws.split(","):
        lw = law(name)
        a = ours(lw, df)
        b = scipy_restarts(lw, df, args.restarts)
        ratio = a["objective"] / b["objective"] if np.isfinite(b["objective"]) else 0.0
        results[name] = {"n_params": len(lw.parameters), "ours": a, "scipy": b,
                         "objective_ratio": ratio, "speedup": b["seconds"] / a["seconds"]}
        print(f"{name:<14}{len(lw.parameters):>7}  {a['seconds']:7.1f} {a['peak_mib']:6.0f} "
              f"{a['objective']:11.6f}  {b['seconds']:8.1f} {b['peak_mib']:6.0f} "
              f"{b['objective']:11.6f}  {ratio:9.4f}  {a['status']} / {a['design']} "
              f"{a['design_size']}", flush=True)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"data": "steplaw dense (1,911 runs)", "restarts": args.restarts,
                               "laws": results}, indent=2) + "\n")
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
