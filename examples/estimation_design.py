"""The estimation-design study of the open-LM sweep (Li et al. 2025, arXiv:2502.18969): how
small may the models be, and how much of each run's training must be seen, to forecast the
final loss of the largest model (302M parameters)? The Hitchhiker's analysis (Choshen et al.
2025) with ``sl.study.estimation_design``; then the run choice of ``sl.study.replay``.

Writes ``docs/images/study-misfitting.png`` and ``docs/study_misfitting.md`` (the numbers the
study page quotes). Reads the sweep from the reference data beside the repository
(``../shared/data/misfitting``) or from ``SCALINGLAWS_DATA_URL``.
Run: ``python examples/estimation_design.py``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd

import scalinglaws as sl
from scalinglaws.report.figures import estimation_design_figure, save_figure

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "misfitting" / "checkpoints.csv"


def sweep() -> pd.DataFrame:
    if SHARED.exists():
        return pd.read_csv(SHARED)
    os.environ.setdefault("SCALINGLAWS_DATA_URL", str(ROOT.parent / "shared" / "data"))
    return sl.datasets.load("misfitting").to_frame()


def main() -> None:
    data = sweep()
    cells = {"best_of": "loss", "best_by": ["params", "planned_tokens"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = sl.study.estimation_design(data, "chinchilla", target="params==max",
                                           grid={"fraction": [0.25, 0.5, 0.75, 1.0]}, **cells)
        replays = {b: sl.study.replay(data, "chinchilla", target="params==max", budget=b,
                                      **cells) for b in (0.05, 0.1, 0.2)}
    out = ROOT / "docs" / "images" / "study-misfitting.png"
    save_figure(estimation_design_figure(study, title="open-LM sweep: forecast of the 302M "
                                         "model"), out)
    table = study.pivot()
    lines = ["<!-- written by examples/estimation_design.py; do not edit -->", "",
             "Mean absolute relative error of the forecast of the 302M model's final losses "
             "(3 runs), by the largest model fitted (rows) and the fraction of each run's "
             "training seen (columns):", "",
             "| largest model | " + " | ".join(f"{c:.0%}" for c in table.columns) + " |",
             "|---|" + "---|" * len(table.columns)]
    for size, row in table.iterrows():
        lines.append(f"| {float(size) / 1e6:.1f}M | " + " | ".join(f"{v:.2%}" for v in row)
                     + " |")
    best = study.best(within=0.005).iloc[0]
    lines += ["", f"The cheapest fit within 0.5 points of the best: models up to "
              f"{best['max_size'] / 1e6:.1f}M seeing {best['fraction']:.0%} of training, "
              f"{best['cost_fraction']:.1%} of the sweep's compute, error {best['are']:.2%}.",
              "", "Runs chosen one at a time by `sl.study.replay` (linear rule, starting from "
              f"the {replays[0.1].start} cheapest runs), against the fit on all "
              f"{int(study.frame['n_runs'].max())} non-target runs:", "",
              "| budget | runs | compute spent | error | error, all runs |",
              "|---|---|---|---|---|"]
    for b, r in replays.items():
        lines.append(f"| {b:.0%} | {len(r.runs)} | {r.spent:.1%} | {r.are:.2%} | "
                     f"{r.are_all:.2%} |")
    (ROOT / "docs" / "study_misfitting.md").write_text("\n".join(lines) + "\n")
    print(study)
    for r in replays.values():
        print(r)


if __name__ == "__main__":
    main()
