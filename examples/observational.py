"""Observational scaling laws: one capability axis, and forecasts of the largest models

Ruan, Maddison and Hashimoto (2024) put public base models of many families into one
low-dimensional "capability space": the principal components of their scores on eight
standard benchmarks, of which the first explains about 80% of the variance. A sigmoid of a
few components then forecasts other capabilities of models larger than those fitted. On their
released table of models, does `sl.observational` find the same first component, and do its
forecasts of the five largest models beat a forecast from training compute alone?
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from _gallery import Number, Reproduction, main

import scalinglaws as sl
from scalinglaws.observational import PAPER_BENCHMARKS, PAPER_FAMILIES
from scalinglaws.report.figures import save_figure

#: "PC-1 explains about 80% of the variance" of the eight benchmarks (Ruan et al., Sec. 3.2)
PAPER_PC1 = 0.80
HELD_OUT = 5


def reproduce(out: Path) -> Reproduction:
    table = sl.datasets.load("observational").to_frame()
    paper = table[table["Model Family"].isin(PAPER_FAMILIES)]
    space_paper = sl.observational.fit(paper)
    space_all = sl.observational.fit(table)
    # BTLM-3B-8K is listed with 627 T training tokens (it saw 627 B), which puts a 3B model
    # among the largest by compute: the forecasts leave it out
    btlm = table["Model"].str.contains("btlm", case=False)
    models = table[~btlm]
    rows = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        for target in PAPER_BENCHMARKS:
            rows[target] = sl.observational.fit(models, target=target).backtest(HELD_OUT)

    ev_paper, ev_all = space_paper.explained_variance, space_all.explained_variance
    numbers = [
        # the paper states "about 80%" (a rounded figure, from the repository's earlier table
        # of these 21 families): within 3 points of accuracy, 3.75% of 0.80
        Number(f"PC-1 share of variance, the paper's {len(paper)} models of "
               f"{len(PAPER_FAMILIES)} families",
               float(ev_paper[0]), PAPER_PC1, fmt=".3f", source="Ruan et al., §3.2",
               tol=0.0375),
        Number(f"PC-1 share of variance, all {len(table)} models of the table",
               float(ev_all[0]), PAPER_PC1, fmt=".3f", source="Ruan et al., §3.2"),
        Number("share of the top 3 PCs, the paper's models", float(ev_paper[:3].sum()),
               fmt=".3f"),
    ]
    for target, bt in rows.items():
        numbers.append(Number(f"{target}: mean abs. error on the {HELD_OUT} largest models "
                              f"(compute-only sigmoid: {bt.baseline_mean_abs_error:.3f})",
                              bt.mean_abs_error, fmt=".3f"))

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.3), layout="constrained")
    k = np.arange(1, len(ev_paper) + 1)
    left.bar(k - 0.2, ev_paper, width=0.4, color="#0072B2",
             label=f"the paper's {len(paper)} models")
    left.bar(np.arange(1, len(ev_all) + 1) + 0.2, ev_all, width=0.4, color="#E69F00",
             label=f"all {len(table)} models")
    left.axhline(PAPER_PC1, color="black", linestyle="--", linewidth=0.9,
                 label="paper: PC-1 ≈ 80%")
    left.set_xticks(k, [f"PC-{i}" for i in k], fontsize=8)
    left.set_ylabel("share of the variance of the 8 benchmarks")
    left.set_ylim(0, 1)
    left.legend(fontsize=8)
    left.set_title("The capability space", fontsize=10)
    colours = plt.get_cmap("Dark2")
    for i, (target, bt) in enumerate(rows.items()):
        p = bt.points
        right.scatter(p["truth"], p["predicted"], color=colours(i), s=22, label=target)
        right.scatter(p["truth"], p["baseline"], facecolor="none", edgecolor=colours(i),
                      s=22, marker="s")
    right.scatter([], [], color="black", s=22, label="observational")
    right.scatter([], [], facecolor="none", edgecolor="black", s=22, marker="s",
                  label="compute only")
    right.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8)
    right.set_xlim(0.3, 1)
    right.set_ylim(0.3, 1)
    right.set_xlabel("measured score of a held-out model")
    right.set_ylabel("forecast")
    right.set_title(f"Forecasts of the {HELD_OUT} largest models (by compute)", fontsize=10)
    right.legend(fontsize=7, ncol=2, loc="upper left")
    save_figure(fig, out / "observational-pcs-forecasts.png", dpi=110)

    wins = sum(bt.mean_abs_error < bt.baseline_mean_abs_error for bt in rows.values())
    gsm = rows["GSM8K"]
    held = [m.split("/")[-1] for m in gsm.points["model"]]
    differs = (
        f"On the paper's {len(paper)} models of its {len(PAPER_FAMILIES)} families PC-1 "
        "explains "
        f"{ev_paper[0]:.1%} of the variance and three components {ev_paper[:3].sum():.1%}, "
        "in line with the paper's \"about 80%\"; the bundled table is the repository's "
        f"current file, with {len(table) - len(paper)} later models added, on which PC-1 "
        f"explains {ev_all[0]:.1%}, so the paper's figure is checked on its own families "
        "only. The paper publishes its held-out forecasts as figures (and forecasts "
        "emergent, agentic and post-training capabilities from a compute cutoff at "
        "Llama-2 7B's 8.4e22 FLOPs), not as a table of errors, so no forecast error of "
        "theirs is set beside ours. The forecasts here take each of the eight benchmarks in "
        f"turn as the capability to forecast from the other seven, hold out the {HELD_OUT} "
        f"models of largest training compute, and compare with a sigmoid of log-compute "
        f"fitted to the same models: the observational forecast wins on {wins} of "
        f"{len(rows)} benchmarks (GSM8K: mean error {gsm.mean_abs_error:.3f} against "
        f"{gsm.baseline_mean_abs_error:.3f}; held out: {', '.join(held)}). The forecasts "
        "leave out BTLM-3B-8K: the source table gives it 627 T training tokens (it was "
        "trained on 627 B), which would make a 3B model one of the largest by compute and "
        "hand the compute-only baseline a frontier model's scores to forecast for it "
        "(`docs/observational.md` gives the errors with it kept). The margin is small "
        "where a benchmark is saturated or near chance.")
    return Reproduction(
        paper="Ruan, Maddison, Hashimoto 2024, Observational Scaling Laws and the "
              "Predictability of Language Model Performance (arXiv:2405.10938)",
        data=f"The authors' table of {len(table)} public base models and their scores on "
             "eight benchmarks (repository ryoungj/ObsScaling, `eval_results/"
             "base_llm_benchmark_eval.csv`; bundled: `sl.datasets.load(\"observational\")`); "
             "BTLM-3B-8K is left out of the forecasts.",
        numbers=numbers, figures=["observational-pcs-forecasts.png"], differs=differs,
        extra={"explained_variance_paper": ev_paper.tolist(),
               "explained_variance_all": ev_all.tolist()})


if __name__ == "__main__":
    main(reproduce, __doc__)
