"""Estimation design on the open-LM sweep: which models, and how much of their training?

Choshen, Zhang and Andreas (2025) asked how to estimate a scaling law cheaply: which model
sizes to fit, and how much of each run's training to use, to forecast a larger target. On
the open-LM sweep of Li et al. (2025; 12M to 302M parameters), fitting the Chinchilla form
on the checkpoints of ever larger models seen up to ever later fractions of training, how
close does the forecast of the 302M model's final loss come, at what share of the sweep's
compute? And if runs are chosen one at a time by the forecast's variance per FLOP, how much
of the sweep does a good forecast need?
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _gallery import Number, Reproduction, main, shared

import scalinglaws as sl
from scalinglaws.report.figures import estimation_design_figure, save_figure

#: the absolute relative error the Guide treats as the attainable floor, set by seed-to-seed
#: variation across its models (about 4%; as summaries of arXiv:2410.11840 quote it, see
#: ../shared/data/MANIFEST.md, hitchhiker_colpret: not re-checked against the paper's body)
GUIDE_FLOOR = 0.04
#: the cells: per (params, planned_tokens) the run of lowest final loss, as the usual
#: analysis of this sweep takes them (MANIFEST, misfitting)
CELLS = {"best_of": "loss", "best_by": ["params", "planned_tokens"]}
FRACTIONS = [0.25, 0.5, 0.75, 1.0]
BUDGETS = (0.05, 0.1, 0.2)


def reproduce(out: Path) -> Reproduction:
    data = pd.read_csv(shared("misfitting", "checkpoints.csv"))
    with warnings.catch_warnings():
        # fits on few small models warn that they extrapolate far; that is the question
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        study = sl.study.estimation_design(data, "chinchilla", target="params==max",
                                           grid={"fraction": FRACTIONS}, **CELLS)
        replays = {b: sl.study.replay(data, "chinchilla", target="params==max", budget=b,
                                      **CELLS) for b in BUDGETS}
    frame = study.frame
    table = study.pivot()
    best = study.best(within=0.005).iloc[0]
    every = replays[BUDGETS[0]].are_all
    n_runs = int(frame["n_runs"].max())
    sizes = sorted(frame["max_size"].unique())
    under = frame[frame["are"] < GUIDE_FLOOR]
    smallest_under = float(under["max_size"].min())
    small = frame[frame["max_size"] < smallest_under]

    near, far = float(table.iloc[-1].min()), float(table.iloc[0].min())
    numbers = [
        # The Guide (abstract, verified): "estimates of performance are generally most
        # accurate when derived from other models of similar sizes". Claimed: the best cell
        # with models up to the largest non-target size errs less than the best cell with
        # the smallest models only, a ratio below 1 (no slack: the claim is the direction)
        Number(f"best ARE with models up to {sizes[-1] / 1e6:.0f}M ÷ best ARE with models up "
               f"to {sizes[0] / 1e6:.0f}M", near / far, 1.0, fmt=".3f",
               source="the Guide's abstract: similar sizes forecast best", tol=0.0,
               claim="below"),
        # the ~4% floor is quoted by summaries of the paper and not re-checked against its
        # body (reference data manifest), so it is shown, not claimed
        Number(f"ARE of the 302M forecast, fit on all {n_runs} other runs (%)", 100 * float(every),
               100 * GUIDE_FLOOR, fmt=".2f", source="~4% floor, as summaries quote the Guide"),
        Number("ARE of the cheapest fit within 0.5 points of the best (%)",
               100 * float(best["are"]), fmt=".2f"),
        Number("… its share of the sweep's compute (%)", 100 * float(best["cost_fraction"]),
               fmt=".1f"),
        Number(f"cells under 4% (of {len(frame)})", float(len(under)), fmt=".0f"),
        Number(f"best ARE with models up to {sizes[0] / 1e6:.0f}M (%)", 100 * far, fmt=".2f"),
    ]
    for b, r in replays.items():
        numbers.append(Number(f"replay, {b:.0%} of the compute: ARE (%)", 100 * r.are,
                              fmt=".2f"))

    fig = estimation_design_figure(study, title="open-LM sweep: forecast of the 302M model")
    save_figure(fig, out / "estimation-design.png", dpi=110)

    more = int((table[1.0] < table[0.25]).sum())
    rows = "\n".join(f"| {float(size) / 1e6:.1f}M | " + " | ".join(f"{v:.2%}" for v in row)
                     + " |" for size, row in table.iterrows())
    replay_rows = "\n".join(f"| {b:.0%} | {len(r.runs)} | {r.spent:.1%} | {r.are:.2%} |"
                            for b, r in replays.items())
    differs = (
        "The Guide's advice holds here: the forecast improves as larger models are fitted "
        f"(the best cell per row falls from {100 * table.iloc[0].min():.1f}% with models up "
        f"to {sizes[0] / 1e6:.0f}M to {100 * table.iloc[-1].min():.2f}% with models up to "
        f"{sizes[-1] / 1e6:.0f}M), and seeing all of each run's training beats seeing a "
        f"quarter of it for {more} of {len(table)} model sizes. "
        f"With models below {smallest_under / 1e6:.0f}M parameters no cell comes under the "
        f"~4% the Guide names as the floor (their errors run from "
        f"{100 * small['are'].min():.1f}% to {100 * small['are'].max():.1f}%); the cheapest "
        f"cell within half a point of the best, models up to {best['max_size'] / 1e6:.0f}M "
        f"seeing {best['fraction']:.0%} of training, forecasts the 302M model's final losses "
        f"within {100 * best['are']:.2f}% for {100 * best['cost_fraction']:.0f}% "
        "of the sweep's compute. The 4% is the figure quoted for the paper by summaries of "
        "it (the reference data's manifest records it as not re-checked against the paper's "
        "body): a floor for typical model families, not a number measured on this sweep, "
        "whose single training recipe and data keep runs far more alike. Each cell fits the "
        "checkpoints past the first 10% of training (the Guide's choice) of the runs of "
        "lowest final loss per model size and token budget; the Guide scores a target over "
        "its checkpoints from 70% of training on, this page the target's final losses.\n\n"
        "The error by the largest model fitted (rows) and the fraction of each run's "
        "training seen (columns):\n\n"
        "| largest model | " + " | ".join(f"{c:.0%}" for c in table.columns) + " |\n"
        "|---|" + "---|" * len(table.columns) + "\n" + rows + "\n\n"
        "`sl.study.replay` starts from the sweep's cheapest runs, lets the linear rule "
        "choose the next run by the forecast's variance per FLOP, reveals its real loss, "
        f"refits, and stops at the budget; the fit on all {n_runs} non-target runs misses "
        f"by {100 * every:.2f}%:\n\n"
        "| budget | runs | compute spent | ARE |\n|---|---|---|---|\n" + replay_rows + "\n\n"
        "The replay needs runs large enough to show the curvature in N, and its result "
        "depends on where it starts.")
    return Reproduction(
        paper="Choshen, Zhang, Andreas 2025, A Hitchhiker's Guide to Scaling Law Estimation "
              "(ICML 2025, arXiv:2410.11840); the sweep: Li, Kudugunta, Zettlemoyer 2025, "
              "(Mis)Fitting Scaling Laws: A Survey of Scaling Law Fitting Techniques in Deep "
              "Learning (ICLR 2025, arXiv:2502.18969)",
        data="The open-LM sweep's checkpoints (reference data `misfitting/checkpoints.csv`; "
             "repository hadasah/scaling_laws, commit 1f3708c): 223 runs of 12M to 302M "
             "parameters, several learning rates and token budgets per size; per size and "
             "budget the run of lowest final loss is used.",
        numbers=numbers, figures=["estimation-design.png"], differs=differs,
        extra={"table": {f"{float(k):.0f}": [float(v) for v in row]
                         for k, row in table.iterrows()},
               "replay": {str(b): {"runs": len(r.runs), "spent": float(r.spent),
                                   "are": float(r.are)} for b, r in replays.items()},
               "are_all": float(every), "fractions": FRACTIONS,
               "sizes": [float(s) for s in np.asarray(sizes)]})


if __name__ == "__main__":
    main(reproduce, __doc__)
