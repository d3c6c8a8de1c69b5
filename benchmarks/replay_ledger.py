"""A replay of the OLMo ladder's history through the forecast ledger: forecasts of the 7B and
13B runs' final validation losses recorded from the ladder's 190M–3B runs (every loss the
release logs, two laws, calibrated 90% intervals), then the outcomes observed, then scored.

Data: Bhagia et al., "Establishing Task Scaling Laws via Compute-Efficient Model Ladders"
(arXiv:2412.04403), github.com/allenai/OLMo-ladder (Apache-2.0), bundled as
``sl.datasets.load("olmo_ladder")``. Each run's last evaluation is its fully decayed point.

    python benchmarks/replay_ledger.py            # prints the README's tables
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

import scalinglaws as sl

LAWS = ("chinchilla", "kaplan")
TARGET_RUNS = ("peteish7_medlr_eval_full", "peteish7_eval_full", "peteish13_eval_full")


def finals() -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The ladder's and the targets' last evaluations, and the loss columns."""
    frame = sl.datasets.load("olmo_ladder").to_frame()
    last = frame.sort_values("step").groupby("run_id").tail(1)
    losses = [c for c in frame.columns if c.startswith("loss_")]
    ladder = last[~last["run_id"].isin(TARGET_RUNS)]
    targets = last[last["run_id"].isin(TARGET_RUNS)]
    return ladder.reset_index(drop=True), targets.reset_index(drop=True), losses


def replay(url: str) -> sl.ledger.Ledger:
    """Record every forecast, then observe every outcome, in the ledger at ``url``."""
    ladder, targets, losses = finals()
    book = sl.ledger.Ledger(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        for law in LAWS:
            for loss in losses:
                fit = sl.calibrate(sl.fit(law, ladder, y=loss))
                for row in targets.itertuples():
                    book.record(fit, {"params": row.params, "tokens": row.tokens},
                                target=loss, run=row.run_id, level=0.9,
                                tags=["olmo-ladder", law], note="from the 190M-3B ladder")
        for loss in losses:
            book.observe_from(targets, target=loss, run="run_id")
    return book


def tables(book: sl.ledger.Ledger) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard by law, and by law and target run."""
    return book.scorecard("law").table, book.scorecard(["law", "run"]).table


def markdown(table: pd.DataFrame, keys: list[str]) -> str:
    head = [*keys, "forecasts", "mean ARE", "median ARE", "bias (log)", "90% coverage",
            "sharpness"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table.to_dict("records"):
        lines.append("| " + " | ".join([*(str(r[k]) for k in keys), str(r["observed"]),
                                        f"{r['mean_are']:.2%}", f"{r['median_are']:.2%}",
                                        f"{r['bias']:+.4f}", f"{r['coverage']:.0%}",
                                        f"{r['sharpness']:.2%}"]) + " |")
    return "\n".join(lines)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        book = replay(f"sqlite:///{Path(folder) / 'olmo.db'}")
        by_law, by_run = tables(book)
        book._engine.dispose()
    sys.stdout.write(markdown(by_law, ["law"]) + "\n\n" + markdown(by_run, ["law", "run"])
                     + "\n")


if __name__ == "__main__":
    main()
