"""The distillation law on sweeps of ordinary size: how the fit ends and how well it predicts.

For each of ``--draws`` parameter sets drawn from the law's typical ranges (and the reference
values), 180 runs (20 per coefficient) are drawn log-uniformly over the documented input
ranges with 1% lognormal noise on the student loss, and ``sl.fit("distillation", ...)`` is run
with its defaults. Reported per draw: status, wall time, the largest relative error of the
fitted law against the noise-free law on the runs, and at 3x the largest student size and
token budget (teacher losses across their range).

Prints a table and a summary, and writes ``benchmarks/results/sweep_distillation.json``.
Run: ``python benchmarks/sweep_distillation.py [--draws 20] [--max-iter N] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglaws as sl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "sweep_distillation.json"
NOISE = 0.01


def log_uniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def draw(law: sl.Law, rng: np.random.Generator) -> dict[str, float]:
    out = {}
    for p in law.parameters:
        lo, hi = p.typical
        out[p.name] = float(log_uniform(rng, lo, hi, 1)[0] if p.log else rng.uniform(lo, hi))
    return out


def one(law: sl.Law, true: dict[str, float], seed: int,
        max_iter: int | None = None) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    n_runs = 20 * len(law.parameters)
    (lt_lo, lt_hi), (n_lo, n_hi), (d_lo, d_hi) = (law.input_ranges[s] for s in ("LT", "N", "D"))
    runs = {"teacher_loss": rng.uniform(lt_lo, lt_hi, n_runs),
            "params": log_uniform(rng, n_lo, n_hi, n_runs),
            "tokens": log_uniform(rng, d_lo, d_hi, n_runs)}
    clean = law(true, **runs)
    frame = pd.DataFrame({**runs, "loss": clean * np.exp(NOISE * rng.standard_normal(n_runs))})
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sl.fit("distillation", frame,
                     **({} if max_iter is None else {"max_iter": max_iter}))
    seconds = time.perf_counter() - t0
    far = {"teacher_loss": np.linspace(lt_lo, lt_hi, 5), "params": np.full(5, 3 * n_hi),
           "tokens": np.full(5, 3 * d_hi)}
    inside = np.abs(fit.predict(extrapolation=None, **runs) / clean - 1).max()
    beyond = np.abs(fit.predict(extrapolation=None, **far) / law(true, **far) - 1).max()
    return {"status": fit.status.value, "stalled": any("flat valley" in w for w in fit.warnings),
            "at_bound": list(fit.diagnostics.at_bound), "seconds": seconds,
            "max_error_runs": float(inside), "max_error_3x": float(beyond)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--max-iter", type=int, default=None,
                    help="the fit's iteration limit (default: sl.fit's)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    law = sl.laws.get("distillation")
    rng = np.random.default_rng(2025)
    cases = [("reference", dict(law.reference))] + [
        (f"draw {k}", draw(law, rng)) for k in range(1, args.draws + 1)]
    rows = []
    print(f"{'case':>10} {'status':>10} {'time s':>7} {'runs %':>7} {'3x %':>6}  at bound")
    for k, (name, true) in enumerate(cases):
        row = {"case": name, **one(law, true, seed=100 + k, max_iter=args.max_iter)}
        rows.append(row)
        status = str(row["status"]) + ("*" if row["stalled"] else "")
        print(f"{name:>10} {status:>10} {row['seconds']:7.2f} "
              f"{100 * float(row['max_error_runs']):7.2f} {100 * float(row['max_error_3x']):6.2f}"
              f"  {', '.join(row['at_bound']) or '-'}")  # type: ignore[arg-type]
    counts = Counter(str(r["status"]) for r in rows)
    summary = {
        "statuses": dict(counts),
        "ended_in_a_flat_valley": sum(bool(r["stalled"]) for r in rows),
        "median_seconds": float(np.median([r["seconds"] for r in rows])),
        "max_seconds": float(np.max([r["seconds"] for r in rows])),
        "worst_error_runs": float(np.max([r["max_error_runs"] for r in rows])),
        "worst_error_3x": float(np.max([r["max_error_3x"] for r in rows])),
    }
    print("(* the best start ended in a flat valley)")
    print(json.dumps(summary, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"rows": rows, "summary": summary}, indent=2))
    tmp.replace(args.out)


if __name__ == "__main__":
    main()
