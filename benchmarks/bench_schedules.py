"""Held-out ends of the OLMo ladder's loss curves: the schedule law (Tissue et al. 2024)
against the multi-power law (Luo et al. 2025).

Every ladder run (30: 190M-3B, 0.5x-10x Chinchilla; C4 loss from step 1000 on; each warms up
and decays with a cosine to 10% of its peak at its own final step) is fitted up to
``--cut`` (default 70%) of its steps and its remaining points are forecast. The schedule law
is fitted by ``sl.fit`` on the areas of the run's ``learning_rate`` column (raw rates,
lambda = 0.999); the multi-power law by ``sl.fitting.fit_multi_power`` (all seven
parameters free; the run's rates read from the same column). Prints, per run and summed up,
the mean absolute relative error (MARE) of each law on the held-out points and the error of
the run's final loss; writes ``benchmarks/results/bench_schedules.json``.

Run: ``python benchmarks/bench_schedules.py [--cut 0.7] [--runs 190M,370M]``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglaws as sl
from scalinglaws.data import schedule_areas
from scalinglaws.data.schedules import from_array
from scalinglaws.fitting import fit_multi_power


def ladder() -> pd.DataFrame:
    frame = sl.datasets.load("olmo_ladder").to_frame()
    frame = frame[frame["learning_rate"].notna()].rename(
        columns={"run_id": "run", "loss_c4_en": "loss", "learning_rate": "lr"})
    return schedule_areas(frame[["run", "step", "lr", "loss", "params"]])


def held_out(frame: pd.DataFrame, cut: float) -> pd.DataFrame:
    rows = []
    for run, r in frame.groupby("run"):
        schedule = from_array(r["lr"].to_numpy(), steps=r["step"].to_numpy())
        r = r[r["step"] >= 1000]
        last = r["step"].max()
        train, test = r[r["step"] <= cut * last], r[r["step"] > cut * last]
        y = test["loss"].to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sl.ScalingLawWarning)
            law = sl.fit("schedule", sl.Dataset.from_frame(train))
            mp = fit_multi_power(train, schedules={run: schedule})
            p = law.predict(lr_area=test["lr_area"].to_numpy(),
                            anneal_area=test["anneal_area"].to_numpy(), extrapolation=None)
        q = mp.predict(schedule, test["step"].to_numpy())
        rows.append({"run": run, "schedule": float(np.mean(np.abs(p / y - 1))),
                     "multi_power": float(np.mean(np.abs(q / y - 1))),
                     "schedule_final": float(p[-1] / y[-1] - 1),
                     "multi_power_final": float(q[-1] / y[-1] - 1),
                     "multi_power_status": mp.status})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cut", type=float, default=0.7)
    parser.add_argument("--runs", default=None, help="comma list of size prefixes")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                             "bench_schedules.json"))
    args = parser.parse_args()
    frame = ladder()
    if args.runs:
        frame = frame[frame["run"].str.split("-").str[0].isin(args.runs.split(","))]
    start = time.perf_counter()
    table = held_out(frame, args.cut)
    seconds = time.perf_counter() - start
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    summary = {law: {"median_mare": float(table[law].median()),
                     "mean_mare": float(table[law].mean()),
                     "max_mare": float(table[law].max()),
                     "median_abs_final": float(table[f"{law}_final"].abs().median())}
               for law in ("schedule", "multi_power")}
    wins = int((table["multi_power"] < table["schedule"]).sum())
    print(f"\n{len(table)} runs, fitted up to {args.cut:.0%} of their steps; {seconds:.0f} s")
    print("law           median MARE  mean MARE  max MARE  median |final error|")
    for law, s in summary.items():
        print(f"{law:<13} {s['median_mare']:>10.4%} {s['mean_mare']:>10.4%} "
              f"{s['max_mare']:>9.4%} {s['median_abs_final']:>12.4%}")
    print(f"multi-power better on {wins} of {len(table)} runs; converged on "
          f"{(table['multi_power_status'] == 'converged').sum()}")
    Path(args.out).write_text(json.dumps({"cut": args.cut, "seconds": seconds,
                                          "summary": summary, "wins": wins,
                                          "runs": table.to_dict("records")}, indent=1))


if __name__ == "__main__":
    main()
