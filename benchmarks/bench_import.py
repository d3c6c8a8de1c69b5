"""Importing runs from experiment trackers: rows per second through each importer, and the
ratio to reading the same rows from Parquet.

The sweep: ``--runs`` runs (200) × ``--steps`` logged steps (1,000) of a Chinchilla-like loss
curve, each step logging ``loss`` and ``tokens`` and each run its size, written once (it takes
a while) by the tests' writers (``tests/tracker_runs.py``) into a folder under the system's
temporary directory, reused by later runs of the benchmark: a real MLflow SQLite store
(MLflow's client), real TensorBoard event files (tensorboardX), a W&B-style export (runs table
and history CSV) and a Parquet file of the same rows. Each source is then read whole
(``reduce="curve"``: one row per logged step) ``--repeat`` times in this process, the best
time kept; the MLflow figure includes opening the store, not importing MLflow's packages
(done once before timing).

Prints a table and writes ``benchmarks/results/bench_import.json``.
Run: ``python benchmarks/bench_import.py [--runs 200] [--steps 1000] [--repeat 2] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

import scalinglaws as sl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_import.json"
sys.path.insert(0, str(ROOT / "tests"))

from tracker_runs import (  # noqa: E402  (the tests' writers, found through sys.path)
    mlflow_database,
    sweep,
    write_mlflow,
    write_tensorboard,
    write_wandb_export,
)

PARAMS = {"params": "n_params", "tokens": "tokens"}


def sources(n_runs: int, n_steps: int) -> dict[str, Path]:
    """The sweep in each format, written once into a folder named by its size."""
    folder = Path(tempfile.gettempdir()) / f"scalinglaws-bench-import-v1-{n_runs}x{n_steps}"
    paths = {"mlflow": folder / "mlflow.db", "tensorboard": folder / "tb",
             "wandb": folder / "wandb", "parquet": folder / "runs.parquet"}
    if (folder / "done").exists():
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    runs = sweep(n_runs, n_steps)
    for name, write in (
            ("MLflow", lambda: write_mlflow(mlflow_database(paths["mlflow"]), "sweep", runs)),
            ("TensorBoard", lambda: write_tensorboard(paths["tensorboard"], runs)),
            ("W&B export", lambda: write_wandb_export(paths["wandb"], runs))):
        start = time.perf_counter()
        write()
        print(f"wrote the {name} fixture in {time.perf_counter() - start:.1f} s")
    pd.DataFrame({
        "run": [r.name for r in runs for _ in r.steps], "status": "finished",
        "step": [s for r in runs for s in r.steps],
        "loss": [v for r in runs for v in r.loss],
        "params": [r.params for r in runs for _ in r.steps],
        "tokens": [t for r in runs for t in r.tokens],
    }).to_parquet(paths["parquet"], index=False)
    (folder / "done").write_text("")
    return paths


def readers(paths: dict[str, Path]) -> dict[str, object]:
    wandb = paths["wandb"]
    return {
        "parquet": lambda: sl.Dataset.read(paths["parquet"]),
        "mlflow": lambda: sl.data.from_mlflow(f"sqlite:///{paths['mlflow']}", "sweep",
                                              params=PARAMS, reduce="curve"),
        "tensorboard": lambda: sl.data.from_tensorboard(paths["tensorboard"], params=PARAMS,
                                                        reduce="curve"),
        "wandb_export": lambda: sl.data.from_wandb_export(
            wandb / "runs.csv", wandb / "history.csv", params=PARAMS, reduce="curve"),
    }


def best_time(read: object, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        ds = read()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
        rows = len(ds)
    return min(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    paths = sources(args.runs, args.steps)
    import mlflow.tracking  # noqa: F401  (its import, a second or so, is not the read)

    warnings.simplefilter("ignore", DeprecationWarning)  # MLflow's own, from SQLAlchemy
    results = {}
    for name, read in readers(paths).items():
        seconds, rows = best_time(read, args.repeat)
        results[name] = {"seconds": round(seconds, 4), "rows": rows,
                         "rows_per_s": round(rows / seconds)}
    parquet = results["parquet"]["rows_per_s"]
    print(f"\n{args.runs} runs × {args.steps} steps, best of {args.repeat}")
    print(f"{'source':<14}{'rows':>9}{'seconds':>10}{'rows/s':>12}{'× Parquet time':>16}")
    for name, r in results.items():
        r["slower_than_parquet"] = round(parquet / r["rows_per_s"], 1)
        print(f"{name:<14}{r['rows']:>9}{r['seconds']:>10.3f}{r['rows_per_s']:>12,}"
              f"{r['slower_than_parquet']:>16}")
    record = {"benchmark": "bench_import", "runs": args.runs, "steps": args.steps,
              "repeat": args.repeat, "python": platform.python_version(),
              "machine": platform.machine(), "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
