"""Start-up time of ``import scalinglaws`` and of the command line, as ratios to ``python -c pass``.

Every command runs in a fresh interpreter (this one's, ``sys.executable``, with this process's
environment, ``PYTHONPATH`` included), round-robin so that a burst of load on a noisy machine
falls on all of them alike; after one untimed warm-up round (which also writes bytecode
caches) each is timed ``--runs`` times (at least 7) and its median wall time is divided by the
median of ``python -c pass`` from the same rounds:

* ``import``            ``python -c "import scalinglaws"``
* ``-m ... --help``     ``python -m scalinglaws --help`` (and ``--version``, ``laws``)
* ``script ... --help`` the ``scalinglaws`` console script beside the interpreter, when
                        installed (and ``--version``, ``laws``)

A separate run of each with ``PYTHONPROFILEIMPORTTIME=1`` lists which heavy modules it loads.
The targets (import <= 0.5 s, ``--help`` <= 0.8 s, ``laws`` <= 1.5 s wall) are printed beside
the medians for information only: absolute times depend on the machine. The exit status is 1
when ``import scalinglaws`` loads matplotlib, plotly, SymPy or scipy.signal
(docs/decisions.md, Start-up), else 0.

Prints a table and writes ``benchmarks/results/bench_startup.json``.
Run: ``python benchmarks/bench_startup.py [--runs 7] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_startup.json"
HEAVY = ("matplotlib", "plotly", "sympy", "scipy.signal", "scipy.stats", "pandas", "numpy")
#: what ``import scalinglaws`` must not load (the exit status checks it)
NOT_ON_IMPORT = ("matplotlib", "plotly", "sympy", "scipy.signal")
#: wall-time targets in seconds (informational)
TARGET_IMPORT, TARGET_HELP, TARGET_LAWS = 0.5, 0.8, 1.5
MIN_RUNS = 7


def commands() -> dict[str, tuple[list[str], float | None]]:
    """Label -> (argv, target seconds) of every command measured, the baseline first."""
    py = sys.executable
    cli = [(["--help"], TARGET_HELP), (["--version"], None), (["laws"], TARGET_LAWS)]
    out: dict[str, tuple[list[str], float | None]] = {
        "python -c pass": ([py, "-c", "pass"], None),
        "import scalinglaws": ([py, "-c", "import scalinglaws"], TARGET_IMPORT)}
    for args, goal in cli:
        out[f"python -m scalinglaws {args[0]}"] = ([py, "-m", "scalinglaws", *args], goal)
    script = Path(py).parent / "scalinglaws"
    if script.is_file() and os.access(script, os.X_OK):
        for args, goal in cli:
            out[f"scalinglaws {args[0]} (script)"] = ([str(script), *args], goal)
    return out


def run_once(argv: list[str], cwd: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def wall_times(cmds: dict[str, list[str]], runs: int, cwd: str) -> dict[str, list[float]]:
    env = dict(os.environ)
    times: dict[str, list[float]] = {label: [] for label in cmds}
    for round_ in range(runs + 1):
        for label, argv in cmds.items():
            start = time.perf_counter()
            run_once(argv, cwd, env)
            if round_ > 0:  # round 0 warms the caches
                times[label].append(time.perf_counter() - start)
    return times


def loaded_modules(argv: list[str], cwd: str) -> list[str]:
    """Every module the command imports, from ``-X importtime``'s report on stderr."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = run_once(argv, cwd, env)
    names = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the header row
                names.append(name)
    return names


def heavy(names: list[str]) -> list[str]:
    loaded = set(names)
    return [m for m in HEAVY if m in loaded]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=MIN_RUNS,
                        help=f"timed runs per command (at least {MIN_RUNS})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}: the median of fewer is noise")
    measured = commands()
    cmds = {label: argv for label, (argv, _) in measured.items()}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as cwd:  # nothing in the repository shadows a module
        times = wall_times(cmds, args.runs, cwd)
        modules = {label: heavy(loaded_modules(argv, cwd)) for label, argv in cmds.items()}
        version = run_once(cmds["python -m scalinglaws --version"], cwd, dict(os.environ))
    base = statistics.median(times["python -c pass"])

    rows = []
    print(f"median of {args.runs} runs each; python -c pass = {base:.3f} s; "
          f"load average {load_before:.2f} on {os.cpu_count()} CPUs")
    print(f"{'command':<36} {'median s':>9} {'x pass':>7} {'target s':>9}  {'met':<4} "
          "heavy modules loaded")
    for label, ts in times.items():
        median = statistics.median(ts)
        goal = measured[label][1]
        met = "" if goal is None else ("yes" if median <= goal else "NO")
        print(f"{label:<36} {median:>9.3f} {median / base:>7.1f} "
              f"{'' if goal is None else f'{goal:.1f}':>9}  {met:<4} "
              f"{', '.join(modules[label]) or '-'}")
        rows.append({"command": label, "argv": [Path(a).name if i == 0 else a
                                                for i, a in enumerate(cmds[label])],
                     "seconds": ts, "median_seconds": median, "ratio_to_python": median / base,
                     "target_seconds": goal, "heavy_modules": modules[label]})

    bad = [m for m in NOT_ON_IMPORT if m in modules["import scalinglaws"]]
    if bad:
        print(f"FAIL: import scalinglaws loads {', '.join(bad)} "
              f"(none of {', '.join(NOT_ON_IMPORT)} should load on import)")
    result = {"runs": args.runs, "baseline_median_seconds": base, "commands": rows,
              "import_loads_forbidden": bad, "load_average": load_before,
              "cpus": os.cpu_count(), "scalinglaws": version.stdout.strip(),
              "python": platform.python_version(), "machine": platform.machine()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=args.out.parent, suffix=".tmp",
                                     delete=False) as tmp:
        tmp.write(json.dumps(result, indent=1) + "\n")
    os.replace(tmp.name, args.out)
    print(f"wrote {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
