"""The Step Law recovered from the authors' released dense grid, against their published fit.

Li et al. 2025 ("Predictable Scale: Part I", arXiv:2503.04715) publish 1,000 bootstrap fits of
``lr = a N^b D^c`` and ``bs = d D^e`` (bs in tokens); their medians are the published law. The
grid (``steplaw``: 1,911 runs over 17 (N, D) cells) is read from ``../shared/data/steplaw``
through the registry's mirror. The script prints, for each exponent, the published median
and 2.5-97.5% range, and what ``sl.fit("step_law", ...)`` recovers:

* the default (smooth loss, 5 × 5 window, runs resampled within cells),
* ``resample="both"`` (cells resampled too), ``window=3``, the raw final loss,
* and, as a reference outside the library, the authors' own selection rule applied to this
  release: every run within 0.25% of its cell's minimum smooth loss, least squares of log lr
  on (log N, log D) and of log bs on log D over those runs.

Writes ``benchmarks/results/bench_step_law.json``.
Run: ``python benchmarks/bench_step_law.py [--n-boot 1000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "benchmarks" / "results" / "bench_step_law.json"
NAMES = ("lr_exp_params", "lr_exp_tokens", "bs_exp_tokens")
PAPER_COLUMNS = {"lr_exp_params": "lr_coefN", "lr_exp_tokens": "lr_coefD",
                 "bs_exp_tokens": "bs_coefD"}


def authors_rule(frame: Any) -> dict[str, float]:
    """The selection of the authors' released fitting code, on this release (no bootstrap)."""
    low = frame.groupby(["params", "tokens"])["smooth loss"].transform("min")
    near = frame[(frame["smooth loss"] / low - 1).abs() < 0.0025]
    x = np.column_stack([np.ones(len(near)), np.log(near["params"]), np.log(near["tokens"])])
    lr = np.linalg.lstsq(x, np.log(near["lr"]), rcond=None)[0]
    bs = np.linalg.lstsq(x[:, [0, 2]], np.log(near["bs"] * 2048.0), rcond=None)[0]
    return {"lr_exp_params": float(lr[1]), "lr_exp_tokens": float(lr[2]),
            "bs_exp_tokens": float(bs[1])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        sys.exit(f"no reference data at {SHARED} (see ../shared/data/MANIFEST.md)")
    os.environ.setdefault("SCALINGLAWS_DATA_URL", str(SHARED))
    import tempfile

    os.environ.setdefault("SCALINGLAWS_CACHE", tempfile.mkdtemp(prefix="steplaw-cache-"))
    import scalinglaws as sl

    grid = sl.datasets.load("steplaw")
    fits = sl.datasets.load("steplaw_fits").to_frame()
    published = {n: (float(fits[c].median()), float(fits[c].quantile(0.025)),
                     float(fits[c].quantile(0.975))) for n, c in PAPER_COLUMNS.items()}
    common = {"columns": {"batch_size": "bs"}, "seq_len": 2048, "n_boot": args.n_boot,
              "seed": 0}
    variants = {"default (smooth loss)": {"y": "smooth loss"},
                "resample='both'": {"y": "smooth loss", "resample": "both"},
                "window=3": {"y": "smooth loss", "window": 3},
                "raw final loss": {}}
    rows: dict[str, dict[str, Any]] = {}
    for label, options in variants.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sl.ScalingLawWarning)
            fit = sl.fit("step_law", grid, **common, **options)
        seconds = time.perf_counter() - start
        rows[label] = {"params": {n: float(fit.params[n]) for n in NAMES},
                       "intervals": {n: list(fit.intervals.get(n, ())) for n in NAMES},
                       "coefficients": {"lr": float(fit.params["lr_coef"]),
                                        "bs": float(fit.params["bs_coef"])},
                       "quadratic_cells": int((fit.cells["method"] == "quadratic").sum()),
                       "seconds": seconds}
    rule = authors_rule(grid.to_frame())

    print(f"Step Law on the released dense grid ({len(grid)} runs, 17 cells), "
          f"n_boot={args.n_boot}, seed 0")
    header = f"{'exponent':<15}{'published median [2.5%, 97.5%]':>34}"
    print(header + "".join(f"{label:>36}" for label in rows) + f"{'authors rule':>14}")
    for n in NAMES:
        m, lo, hi = published[n]
        line = f"{n:<15}{m:>12.4f} [{lo:.3f}, {hi:.3f}]".ljust(49)
        for row in rows.values():
            a, b = row["intervals"][n] or (np.nan, np.nan)
            inside = "*" if lo <= row["params"][n] <= hi else " "
            line += f"{row['params'][n]:>12.4f}{inside}[{a:.3f}, {b:.3f}]".rjust(36)
        print(line + f"{rule[n]:>14.4f}")
    print("(* : the estimate lies inside the published 2.5-97.5% range; brackets: our "
          "95% bootstrap interval)")
    for label, row in rows.items():
        print(f"{label}: lr = {row['coefficients']['lr']:.3g} N^b D^c, bs = "
              f"{row['coefficients']['bs']:.3g} D^e; {row['quadratic_cells']}/17 cells located "
              f"by the quadratic; {row['seconds']:.2f} s")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"n_boot": args.n_boot, "published": published, "fits": rows,
                               "authors_rule_on_release": rule}, indent=2) + "\n")
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
