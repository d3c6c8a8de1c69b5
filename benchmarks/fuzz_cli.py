"""Fuzz ``scalinglaws fit`` with random CSV files, in-process.

Generates random CSV files (headers from the role names, near misses and junk; cells holding
plain, huge, tiny, negative, NaN and infinite numbers, strings, units such as "7B", empty
cells, quoted commas, unicode; rows with too few or too many fields; byte-order marks,
non-UTF-8 bytes, empty files) and runs ``scalinglaws fit FILE --law chinchilla`` on each
through Typer's in-process runner (``typer.testing.CliRunner``, as ``tests/cli_runner.py``
does), now and then with ``--law power_law --x flops``, ``--exclude COLUMN``, ``--json`` or
``--bootstrap 2``.

Counts the outcomes: exit 0 (fitted), 1 (the fit failed), 2 (bad input, a clear message) and
*uncaught*: any other exception, any other exit code, or a traceback in the output. For each
kind of uncaught exception (class and the place it was raised) it keeps the smallest
reproducing CSV, shrinks it (drops rows, then columns, while the same exception persists) and
prints it. Writes the counts, the time and the rate to ``benchmarks/results/fuzz_cli.json``.

Run: ``python benchmarks/fuzz_cli.py [--n 10000] [--seed 0] [--workers 2] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "fuzz_cli.json"

ROLES = ["params", "tokens", "flops", "loss", "step", "lr", "run", "seed", "family"]
JUNK_HEADERS = ["", " ", "Params", "params ", "N", "D", "x", "loss.1", "epoch_excluded",
                "exclude", "名前", "ｌｏｓｓ", "a,b", 'q"uote', "\t", "#", "nan", "1e9", "None",
                "flops\n", "é"]
WORDS = ["abc", "NaN", "nan", "inf", "-inf", "Infinity", "None", "null", "NA", "N/A", "true",
         "false", "True", "yes", "no", "7B", "1.4T", "70M", "3e", "1e", "e9", "--1", "0x10",
         "1_000", "1,000", "1 000", "½", "٣", "🙂", "数据", "\u00a0", "'", '"', "#1", "1e-400",
         "1e400", "-0", "+5", ".", "..", "  2.5  "]


# -- generating files ---------------------------------------------------------------------------
def _number(rng: np.random.Generator) -> str:
    kind = rng.integers(8)
    if kind <= 2:  # plausible sizes and losses
        return f"{10 ** rng.uniform(-1, 13):.6g}"
    if kind == 3:
        return str(rng.choice(["1e308", "1.7976931348623157e308", "1e-308", "5e-324",
                               "1e300", "1e-300", "9" * 40, "0", "0.0", "-0.0"]))
    if kind == 4:
        return f"{-(10 ** rng.uniform(-3, 12)):.6g}"
    if kind == 5:
        return str(rng.choice(["nan", "NaN", "inf", "-inf", "Inf", ""]))
    if kind == 6:
        return str(int(rng.integers(-5, 10**6)))
    return f"{rng.uniform(1.5, 4):.4f}"


def _cell(rng: np.random.Generator, wild: float) -> str:
    u = rng.random()
    if u < 1 - wild:
        return _number(rng)
    if u < 1 - wild / 2:
        return str(rng.choice(WORDS))
    if u < 1 - wild / 4:
        return ""
    return "".join(chr(int(c)) for c in rng.integers(32, 0x2FFF, rng.integers(1, 6)))


def _header(rng: np.random.Generator) -> list[str]:
    k = int(rng.integers(0, 8))
    pool = ROLES + JUNK_HEADERS
    names = [str(rng.choice(pool)) for _ in range(k)]
    if rng.random() < 0.75:  # most files carry what chinchilla needs
        names = ["params", "tokens", "loss", *names]
    if rng.random() < 0.05 and names:  # repeated header names
        names.append(names[0])
    return names


def _plausible_rows(rng: np.random.Generator, header: list[str], n: int) -> list[list[str]]:
    """Rows a real sweep could have: Chinchilla-like losses with some noise."""
    rows = []
    for _ in range(n):
        N, D = 10 ** rng.uniform(7, 10), 10 ** rng.uniform(8, 11.5)
        loss = 1.7 + 400 / N**0.34 + 410 / D**0.28
        values = {"params": N, "tokens": D, "flops": 6 * N * D,
                  "loss": loss * np.exp(0.01 * rng.standard_normal()),
                  "step": rng.integers(0, 10**5), "lr": 10 ** rng.uniform(-4, -2),
                  "run": f"r{rng.integers(5)}", "seed": rng.integers(3),
                  "family": rng.choice(["a", "b"]),
                  "epoch_excluded": rng.choice(["true", "false", "0", "1", "True"])}
        rows.append([f"{values[h]:.8g}" if isinstance(values.get(h), float)
                     else str(values.get(h, _number(rng))) for h in header])
    return rows


def make_csv(seed: int, index: int) -> bytes:
    """The bytes of random CSV file number ``index`` (deterministic given the seed)."""
    rng = np.random.default_rng([seed, index])
    if rng.random() < 0.01:
        return b""
    header = _header(rng)
    n = int(rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 30],
                       p=[0.05, 0.05, 0.05, 0.05, 0.1, 0.15, 0.2, 0.2, 0.15]))
    wild = float(rng.choice([0.0, 0.0, 0.0, 0.02, 0.1, 0.5]))
    if wild == 0.0 and rng.random() < 0.8:
        rows = _plausible_rows(rng, header, n)
    else:
        rows = [[_cell(rng, wild) for _ in header] for _ in range(n)]
    if rows and rng.random() < 0.1:  # a ragged row: too few or too many fields
        row = rows[int(rng.integers(len(rows)))]
        if rng.random() < 0.5:
            del row[int(rng.integers(len(row) + 1)):]
        else:
            row.extend(_cell(rng, 0.5) for _ in range(int(rng.integers(1, 3))))
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if rng.random() < 0.1 else csv.QUOTE_MINIMAL
    writer = csv.writer(buf, quoting=quoting, lineterminator=str(rng.choice(["\n", "\r\n"])))
    if header or rng.random() < 0.5:
        writer.writerow(header)
    writer.writerows(rows)
    text = buf.getvalue()
    if rng.random() < 0.05:
        text = "\ufeff" + text
    if rng.random() < 0.03:
        text = text.replace(",", ";")
    if rng.random() < 0.02:
        text = text[: int(rng.integers(len(text) + 1))]  # cut mid-way
    data = text.encode("utf-8")
    if rng.random() < 0.02:
        data = text.encode("utf-16") if rng.random() < 0.5 else data + b"\xff\xfe\x80"
    return data


def make_args(seed: int, index: int, path: Path, text: bytes) -> list[str]:
    """The command line for file ``index``: mostly chinchilla, sometimes other options."""
    rng = np.random.default_rng([seed, index, 1])
    args = ["fit", str(path), "--law", "chinchilla"]
    if rng.random() < 0.2:
        args = ["fit", str(path), "--law", "power_law", "--x", "flops"]
    if rng.random() < 0.1:
        first = text.decode("utf-8", "replace").splitlines()[:1]
        names = first[0].split(",") if first else []
        names = [n for n in names if n.strip()] or ["epoch_excluded"]
        args += ["--exclude", str(rng.choice([*names, "epoch_excluded"]))]
    if rng.random() < 0.03:
        args += ["--bootstrap", "2"]
    if rng.random() < 0.2:
        args += ["--json"]
    return args


# -- running ------------------------------------------------------------------------------------
_RUNNER: Any = None


def _invoke(args: list[str]) -> dict[str, Any]:
    """Run the CLI in-process; the outcome, and for an uncaught exception its kind."""
    global _RUNNER
    if _RUNNER is None:
        from typer.testing import CliRunner

        _RUNNER = CliRunner()
    from scalinglaws.cli.main import app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _RUNNER.invoke(app, args)
    exc = result.exception
    stderr = getattr(result, "stderr", "") or ""
    traced = "Traceback" in result.output or "Traceback" in stderr
    if (exc is None or isinstance(exc, SystemExit)) and not traced and \
            result.exit_code in (0, 1, 2):
        return {"outcome": str(result.exit_code)}
    if exc is not None and not isinstance(exc, SystemExit):
        tb = traceback.extract_tb(result.exc_info[2]) if result.exc_info else []
        where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
        kind = f"{type(exc).__module__}.{type(exc).__qualname__} at {where}"
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
        stack = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
    else:
        kind = f"exit {result.exit_code} / traceback in output"
        message, stack = (result.output + stderr)[-400:], ""
    return {"outcome": "uncaught", "kind": kind, "message": message, "stack": stack[-3000:]}


def run_one(seed: int, index: int, folder: str) -> dict[str, Any]:
    """Generate file ``index``, run the CLI on it, return the outcome."""
    data = make_csv(seed, index)
    path = Path(folder) / f"fuzz_{index:06d}.csv"
    path.write_bytes(data)
    args = make_args(seed, index, path, data)
    t0 = time.perf_counter()
    out = _invoke(args)
    out.update(index=index, seconds=time.perf_counter() - t0, args=args[2:],
               size=len(data))
    return out


def _run_chunk(job: tuple[int, list[int], str]) -> list[dict[str, Any]]:
    seed, indices, folder = job
    return [run_one(seed, i, folder) for i in indices]


def shrink(data: bytes, options: list[str], kind: str, folder: Path) -> bytes:
    """A smaller CSV raising the same kind of uncaught exception: drop lines, then columns."""
    path = folder / "shrink.csv"

    def same(candidate: bytes) -> bool:
        path.write_bytes(candidate)
        got = _invoke(["fit", str(path), *options])
        return got.get("kind") == kind

    lines = data.split(b"\n")
    i = 1
    while i < len(lines):
        trial = lines[:i] + lines[i + 1:]
        if same(b"\n".join(trial)):
            lines = trial
        else:
            i += 1
    data = b"\n".join(lines)
    try:
        table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        return data
    j = 0
    while table and j < max(len(r) for r in table):
        trial = [r[:j] + r[j + 1:] for r in table]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(trial)
        if same(buf.getvalue().encode()):
            table = trial
            data = buf.getvalue().encode()
        else:
            j += 1
    return data


def fuzz(n: int, seed: int = 0, workers: int = 1, shrink_examples: bool = True,
         folder: str | None = None) -> dict[str, Any]:
    """Run ``n`` random files; counts, timing and one minimal example per uncaught kind."""
    tmp = tempfile.TemporaryDirectory(prefix="scalinglaws_fuzz_") if folder is None else None
    where = folder or tmp.name  # type: ignore[union-attr]
    t0 = time.perf_counter()
    if workers > 1:
        chunks = [(seed, list(range(s, min(n, s + 50))), where) for s in range(0, n, 50)]
        with ProcessPoolExecutor(workers) as pool:
            results = [r for chunk in pool.map(_run_chunk, chunks) for r in chunk]
    else:
        results = _run_chunk((seed, list(range(n)), where))
    elapsed = time.perf_counter() - t0
    counts = Counter(r["outcome"] for r in results)
    uncaught: dict[str, dict[str, Any]] = {}
    for r in results:
        if r["outcome"] != "uncaught":
            continue
        best = uncaught.get(r["kind"])
        entry = uncaught.setdefault(r["kind"], {"count": 0})
        entry["count"] += 1
        if best is None or r["size"] < best["size"]:
            entry.update(size=r["size"], index=r["index"], options=r["args"],
                         message=r["message"], stack=r["stack"])
    for kind, entry in uncaught.items():
        data = make_csv(seed, entry["index"])
        if shrink_examples:
            data = shrink(data, entry["options"], kind, Path(where))
        entry["csv"] = data.decode("utf-8", "backslashreplace")
    by_law = Counter((r["args"][1], r["outcome"]) for r in results)
    seconds = sorted(r["seconds"] for r in results)
    if tmp is not None:
        tmp.cleanup()
    return {
        "n_files": n, "seed": seed, "workers": workers,
        "counts": {k: counts.get(k, 0) for k in ("0", "1", "2", "uncaught")},
        "counts_by_law": {f"{law}: {outcome}": c for (law, outcome), c in sorted(by_law.items())},
        "seconds": elapsed, "files_per_second": n / elapsed,
        "run_seconds": {"total": sum(seconds), "median": seconds[len(seconds) // 2],
                        "max": seconds[-1]} if seconds else {},
        "uncaught": uncaught,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-shrink", action="store_true")
    opts = ap.parse_args()
    doc = fuzz(opts.n, opts.seed, opts.workers, shrink_examples=not opts.no_shrink)
    c = doc["counts"]
    print(f"{doc['n_files']} files in {doc['seconds']:.1f} s ({doc['files_per_second']:.1f} "
          f"files/s, {doc['workers']} worker(s)): exit 0: {c['0']}, exit 1: {c['1']}, "
          f"exit 2: {c['2']}, uncaught: {c['uncaught']}")
    for key, count in doc["counts_by_law"].items():
        print(f"  {key}: {count}")
    for kind, entry in doc["uncaught"].items():
        print(f"\nUNCAUGHT {kind} ({entry['count']} file(s)): {entry['message']}")
        print(f"  options: {' '.join(entry['options'])}")
        print("  minimal CSV:\n" + "\n".join("    | " + ln for ln in entry["csv"].split("\n")))
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"\nwritten {opts.out}")
    sys.exit(0)


if __name__ == "__main__":
    main()
