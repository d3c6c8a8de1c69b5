"""The demo's HTML report: its size and how fast Chromium opens it until the plot is drawn.

Writes the report ``scalinglaws demo`` writes (the bundled Chinchilla data with Epoch AI's
exclusions, fitted with the ``chinchilla`` law, plans at the demo's three budgets), then opens
it ``--runs`` times in headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright,
network off, a fresh page each time) and times ``goto`` until every figure's SVG markers are
drawn. Targets: size < 5 MB (5,000,000 bytes), median open time < 2 s.

Prints a table and writes ``benchmarks/results/bench_report.json``.
Run: ``python benchmarks/bench_report.py [--runs 5] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import scalinglaws as sl
from scalinglaws.cli.demo import BUDGETS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_report.json"
CHROMIUM = "/usr/bin/chromium"
SIZE_LIMIT = 5_000_000
OPEN_TARGET_S = 2.0
DRAWN = """() => {
  const plots = document.querySelectorAll('.plot');
  return plots.length > 0 && Array.from(plots).every(
    p => p.querySelector('.scatterlayer .trace path.point'));
}"""


def write_demo_report(folder: Path) -> tuple[Path, float]:
    """The demo's report, and the seconds it took to write (the fit excluded)."""
    full = sl.datasets.load("chinchilla")
    data = full[~full.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    fit = sl.fit("chinchilla", data)
    plans = sl.plan.compute_optimal(fit, list(BUDGETS)).records()
    start = time.perf_counter()
    path = sl.report.html([fit], folder / "report.html", data=[data],
                          title="scalinglaws demo: Chinchilla (Hoffmann et al. 2022)",
                          command="scalinglaws demo", plans=[plans])
    return path, time.perf_counter() - start


def open_times(path: Path, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
            for _ in range(runs):
                page = context.new_page()
                start = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_function(DRAWN, polling=10, timeout=30000)
                times.append(time.perf_counter() - start)
                page.close()
        finally:
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path, write_s = write_demo_report(Path(folder))
        size = path.stat().st_size
        times = open_times(path, args.runs)
    median = statistics.median(times)
    rows = [("report size", f"{size / 1e6:.3f} MB", f"< {SIZE_LIMIT / 1e6:.0f} MB",
             size < SIZE_LIMIT),
            ("write time (library)", f"{write_s:.3f} s", "", True),
            (f"open until drawn (median of {len(times)})", f"{median:.3f} s",
             f"< {OPEN_TARGET_S:.0f} s", median < OPEN_TARGET_S),
            ("open until drawn (min / max)", f"{min(times):.3f} / {max(times):.3f} s", "", True)]
    print(f"{'measure':<36} {'value':>18} {'target':>9}  ok")
    for name, value, target, ok in rows:
        print(f"{name:<36} {value:>18} {target:>9}  {'yes' if ok else 'NO'}")
    result = {"size_bytes": size, "size_limit_bytes": SIZE_LIMIT, "write_seconds": write_s,
              "open_seconds": times, "open_median_seconds": median,
              "open_target_seconds": OPEN_TARGET_S, "browser": CHROMIUM,
              "scalinglaws": sl.__version__, "python": platform.python_version(),
              "machine": platform.machine(), "processor": platform.processor()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from scalinglaws.data.files import write_text_atomic

    write_text_atomic(args.out, json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
