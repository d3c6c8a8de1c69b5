"""The extrapolation benchmark of Alabdulmohsin et al. (2022) on its 92 learning curves.

"Revisiting Neural Scaling Laws in Language and Vision" (NeurIPS 2022, arXiv:2209.06640);
data: google-research/google-research, ``revisiting_neural_scaling_laws/data/`` (Apache-2.0),
read from ``../shared/data/revisiting_scaling_benchmark/`` (see its MANIFEST.md).

Every curve's ``Training == 1`` rows are fitted and its ``Training == 0`` rows (larger seen
examples) forecast, by ``sl.validate.benchmark`` with its default laws M1, M2, M3 and M4 with
``a = 1`` (the paper's M4 is implicit in y and not expressible) and least squares on log loss.
Prints, per file and for both together, the per-law summary (median / mean RMSE of log loss,
the paper's score, and mean absolute relative error over the curves), the win counts (the
paper's rule: lowest RMSE truncated to 3 decimals, ties shared) overall and per domain, and
the runtime; writes ``benchmarks/results/bench_extrapolation.json``.

Run: ``python benchmarks/bench_extrapolation.py [--data DIR] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import pandas as pd

from scalinglaws.validate.benchmarking import BenchmarkResult, benchmark

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "revisiting_scaling_benchmark"
FILES = {"language": "benchmark.lang.csv", "vision": "benchmark.vision.csv"}


def fmt(frame: pd.DataFrame) -> str:
    return frame.to_string(float_format=lambda v: f"{v:.4g}")


def report(title: str, result: BenchmarkResult) -> None:
    print(f"\n== {title}: {result.n_curves} curves, {result.seconds:.1f} s ==")
    print(fmt(result.summary()))
    print("\nwins per domain (paper's rule: lowest RMSE(log) to 3 decimals, ties shared)")
    print(fmt(result.wins_by("domain")))


def fitted(result: BenchmarkResult, frame: pd.DataFrame) -> list[dict]:
    """Per curve and law: the fitted parameters (in the curve's units of its training range,
    ``x / max(training x)``, ``y / min(training y)``), the parameters at a bound, and the
    curve's largest training loss in those units."""
    curve = ["Domain", "Task", "Model"]
    train = frame[frame["Training"] == 1]
    ratio = (train.groupby(curve)["Loss"].max() / train.groupby(curve)["Loss"].min()).to_dict()
    rows = []
    for key, cmp in result.comparisons.items():
        for law, bt in cmp.backtests.items():
            for fold in bt.folds:
                fit = fold.fit
                rows.append({"domain": key[0], "task": str(key[1]), "model": str(key[2]),
                             "law": law, "status": fit.status.value,
                             "params": {k: float(v) for k, v in fit.params.items()},
                             "at_bound": list(fit.diagnostics.at_bound)
                             if fit.diagnostics else [],
                             "max_train_loss": float(ratio[key])})
    return rows


def combined(results: dict[str, BenchmarkResult]) -> BenchmarkResult:
    """Both files as one result (the tables stacked), for the overall summary and wins."""
    first = next(iter(results.values()))
    table = pd.concat([r.table for r in results.values()], ignore_index=True)
    return BenchmarkResult(table=table, curve_columns=first.curve_columns, laws=first.laws,
                           fit_options=first.fit_options, normalize=first.normalize,
                           seconds=sum(r.seconds for r in results.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"
                                             / "bench_extrapolation.json"))
    args = parser.parse_args()
    data = Path(args.data)
    if not data.is_dir():
        sys.exit(f"no benchmark data at {data} (see ../shared/data/MANIFEST.md)")
    results: dict[str, BenchmarkResult] = {}
    frames: dict[str, pd.DataFrame] = {}
    started = time.perf_counter()
    for name, file in FILES.items():
        frames[name] = pd.read_csv(data / file)
        results[name] = benchmark(frames[name])
        report(f"{name} ({file})", results[name])
    total = time.perf_counter() - started
    both = combined(results)
    report("both files", both)
    print("\nwins overall")
    print(fmt(both.wins.to_frame().T))
    print(f"\ntotal runtime {total:.1f} s (reading the files included) for {both.n_curves} "
          f"curves x {len(both.laws)} laws")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "source": "Alabdulmohsin, Neyshabur, Zhai 2022, arXiv:2209.06640; data "
                  "google-research/google-research revisiting_neural_scaling_laws/data",
        "command": "python benchmarks/bench_extrapolation.py",
        "python": platform.python_version(), "machine": platform.machine(),
        "total_seconds": total,
        "overall": {k: v for k, v in both.to_dict().items() if k != "table"},
        "wins_by_domain": {str(k): v for k, v in
                           both.wins_by("domain").to_dict(orient="index").items()},
        "files": {name: r.to_dict() for name, r in results.items()},
        "fits": [row for name, r in results.items() for row in fitted(r, frames[name])],
    }
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
