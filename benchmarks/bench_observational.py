"""Observational scaling laws on the bundled public model table (Ruan et al. 2024).

For each of the eight benchmarks as the target (the other seven span the capability space):
the mean absolute error of the held-out forecasts of the largest models (by training
compute), from their benchmark scores through the sigmoid link ("observational"), from their
family's efficiency line ("family"), and from log-compute alone ("compute-only"); beside it the
share of variance of PC-1 on the whole table and on the paper's 21 families (and of its first
three components there). The source table gives BTLM-3B-8K 627 T training tokens (it was
trained on 627 B), so the forecasts are also scored without it ("without_btlm").
Prints a markdown table and writes ``benchmarks/results/bench_observational.json``.
Run: ``python benchmarks/bench_observational.py [--holdout 5]``.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import scalinglaws as sl
from scalinglaws.observational import PAPER_BENCHMARKS, PAPER_FAMILIES

#: the paper's figure: PC-1 explains about 80% of the variance of the benchmarks (Sec. 3.2)
PAPER_PC1 = 0.80


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holdout", type=int, default=5)
    args = parser.parse_args()
    frame = sl.datasets.load("observational").to_frame()
    paper = frame[frame["Model Family"].isin(PAPER_FAMILIES)]
    shares = {"all": sl.observational.fit(frame).explained_variance,
              "paper": sl.observational.fit(paper).explained_variance,
              "all, standardised": sl.observational.fit(frame, standardize=True)
              .explained_variance}
    without_btlm = frame[frame["Model Family"] != "BTLM"]
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        for target in PAPER_BENCHMARKS:
            fit = sl.observational.fit(frame, target=target)
            scores = fit.backtest(args.holdout)
            family = fit.backtest(args.holdout, via="family")
            alone = sl.observational.fit(without_btlm, target=target).backtest(args.holdout)
            rows.append({"target": target, "k": scores.n_components,
                         "observational": scores.mean_abs_error,
                         "compute_only": scores.baseline_mean_abs_error,
                         "family": family.mean_abs_error, "family_n": family.n_scored,
                         "family_compute_only": family.baseline_mean_abs_error,
                         "without_btlm": {"observational": alone.mean_abs_error,
                                          "compute_only": alone.baseline_mean_abs_error}})
    print(f"PC-1 share of variance: {shares['all'][0]:.1%} (148 models), "
          f"{shares['paper'][0]:.1%} (the paper's {len(paper)} models of 21 families; top 3: "
          f"{shares['paper'][:3].sum():.1%}), {shares['all, standardised'][0]:.1%} "
          f"(148 models, standardised); paper: about {PAPER_PC1:.0%}")
    print(f"\nheld out: the {args.holdout} models of largest training compute\n")
    print("| target | k | observational MAE | compute-only MAE | family-line MAE (models) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['target']} | {r['k']} | {r['observational']:.3f} | "
              f"{r['compute_only']:.3f} | {r['family']:.3f} ({r['family_n']}) |")
    out = Path(__file__).with_name("results") / "bench_observational.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"holdout": args.holdout, "paper_pc1": PAPER_PC1,
                               "models": len(frame), "paper_models": len(paper),
                               "pc1": {k: float(v[0]) for k, v in shares.items()},
                               "paper_top3": float(shares["paper"][:3].sum()),
                               "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
