"""Compute-optimal model size, tokens and shape for Chinchilla's and Gopher's budgets

Hoffmann et al. (2022, Table 3) projected the compute-optimal number of parameters and
training tokens for budgets from 1.9e19 to 1.3e28 FLOPs: 67B parameters and 1.5T tokens for
the 5.76e23 FLOPs that trained both Gopher (280B) and Chinchilla (70B), and 9.9e24 FLOPs with
5.9T tokens for a model of Gopher's size. From the Chinchilla law fitted to the runs Epoch AI
transcribed, what does `sl.plan` allocate at those budgets, with what uncertainty, and which
transformer shape does `sl.plan.configure` propose?
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from _gallery import Number, Reproduction, main

# Epoch AI's estimates of the Chinchilla law (arXiv:2404.10102, Table 1)
from chinchilla_approach3 import EPOCH

import scalinglaws as sl
from scalinglaws.report.figures import save_figure

#: Hoffmann et al., Table 3 (Approach 1's projections): parameters, FLOPs, tokens
TABLE3 = [(400e6, 1.92e19, 8.0e9), (1e9, 1.21e20, 20.2e9), (10e9, 1.23e22, 205.1e9),
          (67e9, 5.76e23, 1.5e12), (175e9, 3.85e24, 3.7e12), (280e9, 9.90e24, 5.9e12),
          (520e9, 3.43e25, 11.0e12), (1e12, 1.27e26, 21.2e12), (10e12, 1.30e28, 216.2e12)]
#: Chinchilla (Hoffmann et al., Table 4): 80 layers, d_model 8192, 64 heads, 1.4T tokens
CHINCHILLA = {"params": 70e9, "tokens": 1.4e12, "n_layers": 80, "d_model": 8192}
#: Gopher (Rae et al. 2021): 280B parameters, 300B tokens, the same 5.76e23 FLOPs budget
GOPHER = {"params": 280e9, "tokens": 300e9}
BUDGET = 5.76e23
N_BOOT = 200


def epoch_allocation(flops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """N_opt and D_opt of Epoch's constants in closed form (C = 6 N D)."""
    a, b = EPOCH["alpha"], EPOCH["beta"]
    g = (a * EPOCH["A"] / (b * EPOCH["B"])) ** (1 / (a + b))
    n = g * (flops / 6) ** (b / (a + b))
    return n, flops / (6 * n)


def inside(ours: float, lo: float, hi: float, published: float) -> float:
    """The relative tolerance that holds exactly when ``published`` lies in [lo, hi]: the
    distance from ours to the interval's end on the published value's side, rounded down."""
    end = hi if published >= ours else lo
    return math.floor(1000 * abs(end - ours) / abs(published)) / 1000


def reproduce(out: Path) -> Reproduction:
    runs = sl.datasets.load("chinchilla")
    kept = runs[~runs.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    fit = sl.fit("chinchilla", kept)
    boot = fit.bootstrap(N_BOOT, seed=0)
    n3, c3, d3 = (np.array(col) for col in zip(*TABLE3, strict=True))
    plan = sl.plan.compute_optimal(fit, flops=c3, bootstrap=boot)
    n_lo, n_hi = plan.params_interval.T
    d_lo, d_hi = plan.tokens_interval.T
    n_ep, _ = epoch_allocation(c3)
    shapes = sl.plan.configure(flops=BUDGET, fit=fit)
    best = shapes.best.model
    level = plan.level

    numbers = []
    for row in (3, 5):  # the rows of Chinchilla's budget and of Gopher's size
        label = f"at {c3[row]:.3g} FLOPs"
        # the published value must lie inside our 90% bootstrap interval (200 resamples of
        # the 240 points): the tolerance is the distance to the interval's end on its side
        numbers += [
            Number(f"N_opt {label}", float(plan.params[row]), float(n3[row]), fmt=".3g",
                   source="Hoffmann et al., Table 3",
                   tol=inside(plan.params[row], n_lo[row], n_hi[row], n3[row])),
            Number(f"D_opt {label} (tokens)", float(plan.tokens[row]), float(d3[row]),
                   fmt=".3g", source="Hoffmann et al., Table 3",
                   tol=inside(plan.tokens[row], d_lo[row], d_hi[row], d3[row])),
            # Epoch's constants give one allocation; ours must hold it in the same interval
            Number(f"N_opt {label}, Epoch AI's constants", float(plan.params[row]),
                   float(n_ep[row]), fmt=".3g", source="Epoch AI, Table 1 (closed form)",
                   tol=inside(plan.params[row], n_lo[row], n_hi[row], n_ep[row])),
        ]
    numbers += [
        Number("a in N_opt ∝ C^a", float(plan.exponent_params), 0.50, fmt=".3f",
               source="Hoffmann et al., Table 2 (Approach 1)"),
        Number("tokens per parameter at 5.76e23 FLOPs", float(plan.tokens[3] / plan.params[3]),
               float(d3[3] / n3[3]), fmt=".3g", source="Hoffmann et al., Table 3"),
        Number("layers of the proposed shape (Chinchilla: 80)", best.n_layers,
               CHINCHILLA["n_layers"], fmt=".0f", source="Hoffmann et al., Table 4"),
        Number("d_model of the proposed shape (Chinchilla: 8192)", best.d_model,
               CHINCHILLA["d_model"], fmt=".0f", source="Hoffmann et al., Table 4"),
    ]

    grid = np.geomspace(1e19, 1e28, 60)
    flops = kept.to_frame()["flops"].to_numpy()
    band = sl.plan.compute_optimal(fit, flops=grid, bootstrap=boot)
    n_ep_g, d_ep_g = epoch_allocation(grid)
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.4), layout="constrained")
    for ax, ours, (lo, hi), epoch, table, what, models in (
            (axes[0], band.params, band.params_interval.T, n_ep_g, n3, "parameters N_opt",
             ("params",)),
            (axes[1], band.tokens, band.tokens_interval.T, d_ep_g, d3, "training tokens D_opt",
             ("tokens",))):
        ax.fill_between(grid, lo, hi, color="#0072B2", alpha=0.2,
                        label=f"{level:.0%} bootstrap interval")
        ax.plot(grid, ours, color="#0072B2", label="sl.plan.compute_optimal (our fit)")
        ax.plot(grid, epoch, color="black", linestyle="--", linewidth=1,
                label="Epoch AI's constants")
        ax.axvspan(flops.min(), flops.max(), color="grey", alpha=0.12,
                   label="budgets of the fitted runs")
        ax.scatter(c3, table, color="#D55E00", zorder=5, s=28,
                   label="Hoffmann et al., Table 3")
        key = models[0]
        ax.scatter([BUDGET], [CHINCHILLA[key]], marker="*", s=160, color="gold",
                   edgecolor="black", zorder=4, label="Chinchilla (70B, 1.4T)")
        ax.scatter([BUDGET], [GOPHER[key]], marker="P", s=90, color="#CC79A7",
                   edgecolor="black", zorder=4, label="Gopher (280B, 300B)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training compute C (FLOPs)")
        ax.set_ylabel(f"compute-optimal {what}")
    axes[0].legend(fontsize=8, loc="upper left")
    axes[0].set_title("Model size", fontsize=10)
    axes[1].set_title("Training tokens", fontsize=10)
    save_figure(fig, out / "compute_optimal-frontier.png", dpi=110)

    gopher_loss = float(fit.predict(params=GOPHER["params"],
                                    tokens=BUDGET / (6 * GOPHER["params"]), extrapolation=None))
    outside = [f"{n / 1e9:g}B at {c:.3g} FLOPs (interval {lo / 1e9:.3g}–{hi / 1e9:.3g}B)"
               for n, c, lo, hi in zip(n3, c3, n_lo, n_hi, strict=True) if not lo <= n <= hi]
    held = ("holds" if n_lo[3] <= CHINCHILLA["params"] <= n_hi[3]
            and d_lo[3] <= CHINCHILLA["tokens"] <= d_hi[3] else "does not hold")
    differs = (
        "Table 3 gives Approach 1's projections (N_opt ∝ C^0.50); the fit here is Approach 3 "
        "on the 240 points Epoch AI transcribed and kept, which lands on Epoch's corrected "
        f"constants (see the Chinchilla Approach 3 page) and allocates N_opt ∝ "
        f"C^{plan.exponent_params:.3f}. At Chinchilla's budget it proposes "
        f"{plan.params[3] / 1e9:.0f}B parameters ({level:.0%} interval "
        f"{n_lo[3] / 1e9:.0f}–{n_hi[3] / 1e9:.0f}B) and {plan.tokens[3] / 1e12:.2f}T tokens "
        f"({d_lo[3] / 1e12:.2f}–{d_hi[3] / 1e12:.2f}T), which {held} Chinchilla's own 70B "
        "and 1.4T; for the budget at which Table 3 puts a model of "
        f"Gopher's size, {plan.params[5] / 1e9:.0f}B ({n_lo[5] / 1e9:.0f}–"
        f"{n_hi[5] / 1e9:.0f}B) and {plan.tokens[5] / 1e12:.1f}T tokens. Of Table 3's "
        f"{len(n3)} model sizes, {len(n3) - len(outside)} lie inside our intervals"
        + (f"; outside: {'; '.join(outside)}" if outside else "")
        + ". The intervals are of our fit's allocation (the points resampled), not of the "
        "true optimum, and they widen as the law is extrapolated. Gopher spent the same "
        f"budget on a model {GOPHER['params'] / plan.params[3]:.1f} times the optimal size: "
        f"our law predicts a loss of {gopher_loss:.3f} for 280B parameters "
        f"at that budget against {plan.loss[3]:.3f} at the optimum.\n\n"
        f"The proposed shape, {best.n_layers} layers of width {best.d_model} (aspect "
        f"{best.d_model / best.n_layers:.0f}), is the shape nearest an aspect ratio of 100 "
        f"within 1% of the {plan.params[3] / 1e9:.0f}B target among the "
        f"{shapes.considered} tried; Chinchilla's 80 x 8192 (aspect 102) is of the same kind. "
        "The library's default architecture (gated MLP, untied embeddings, a 32,000 "
        "vocabulary) is not Chinchilla's, so the layer count and width are not a "
        "reproduction, only a check that the plan turns into a plausible model.")
    return Reproduction(
        paper="Hoffmann et al. 2022, Training Compute-Optimal Large Language Models "
              "(arXiv:2203.15556); Besiroglu et al. 2024, Chinchilla Scaling: A replication "
              "attempt (arXiv:2404.10102)",
        data="The 245 Chinchilla runs as Epoch AI transcribed them (bundled: "
             "`sl.datasets.load(\"chinchilla\")`), less the 5 Epoch left out: 240 points; "
             f"{N_BOOT} bootstrap resamples (seed 0) for the intervals.",
        numbers=numbers, figures=["compute_optimal-frontier.png"], differs=differs,
        extra={"config": shapes.best.to_dict()})


if __name__ == "__main__":
    main(reproduce, __doc__)
