"""Data mixing laws: the mixture that minimises the loss, from 30 small runs

Ye et al. (2024) model each validation domain's loss as an exponential of a linear function of
the training mixture, `L_i(r) = c_i + k_i exp(Σ_j t_ij r_j)`, fit it on a few dozen mixtures
and choose the mixture that minimises the predicted loss. From 30 mixtures of three domains
with 1% noise, does `sl.mixing.fit` recover the law's constants, and is the mixture that
`sl.mixing.optimise` proposes within 0.5% of the true optimum's loss?
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from _gallery import Number, Reproduction, main

import scalinglaws as sl
from scalinglaws.report.figures import mixture_figure, save_figure

DOMAINS = ("web", "code", "books")
#: the law that generates the runs, in the identified form the library fits (the last domain,
#: books, the reference: t_i,books = 0), chosen for this example: each domain's loss falls
#: with its own share and the other shares help or hurt a little; books' loss falls with the
#: books share, i.e. rises with the web and code shares.
C = np.array([2.0, 0.9, 2.3])
K = np.array([0.8, 1.2, 0.5])
T = np.array([[-2.0, 0.3, 0.0],
              [-0.2, -3.0, 0.0],
              [1.5, 2.0, 0.0]])
RUNS, NOISE, SEED = 30, 0.01, 0
#: the criterion asked of the optimiser (the library's mixing issue, and docs/mixing.md)
BAR = 0.005


def experiments(law: sl.mixing.MixingLaw) -> pd.DataFrame:
    """RUNS mixtures from a flat Dirichlet, each loss times exp(NOISE x a standard normal)."""
    rng = np.random.default_rng(SEED)
    r = rng.dirichlet(np.ones(len(DOMAINS)), RUNS)
    y = law.predict(r) * np.exp(NOISE * rng.standard_normal(r.shape))
    frame = pd.DataFrame(r, columns=list(DOMAINS))
    for i, v in enumerate(DOMAINS):
        frame[f"loss_{v}"] = y[:, i]
    return frame


def _xy(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ternary coordinates: web at the bottom left, code bottom right, books at the top."""
    r = np.atleast_2d(r)
    return r[:, 1] + r[:, 2] / 2, r[:, 2] * np.sqrt(3) / 2


def surface_figure(truth: sl.mixing.MixingLaw, fit: sl.mixing.MixingFit, runs: np.ndarray,
                   best: np.ndarray, proposed: np.ndarray) -> plt.Figure:
    n = 80
    grid = np.array([(i / n, j / n, (n - i - j) / n) for i in range(n + 1)
                     for j in range(n + 1 - i)])
    w = truth.weights(None)
    true_loss = truth.target(grid, w)
    fitted_loss = fit.model.target(grid, w)
    x, y = _xy(grid)
    fig, ax = plt.subplots(figsize=(6.6, 5.6), layout="constrained")
    levels = np.quantile(true_loss, [0.02, 0.08, 0.2, 0.35, 0.5, 0.65, 0.8, 0.92])
    filled = ax.tricontourf(x, y, true_loss, levels=40, cmap="viridis_r")
    ax.tricontour(x, y, true_loss, levels=levels, colors="white", linewidths=0.9)
    ax.tricontour(x, y, fitted_loss, levels=levels, colors="black", linewidths=0.9,
                  linestyles="--")
    rx, ry = _xy(runs)
    ax.scatter(rx, ry, s=14, color="white", edgecolor="black", linewidth=0.6, zorder=3,
               label=f"the {len(runs)} runs")
    bx, by = _xy(best)
    ax.scatter(bx, by, s=180, marker="*", color="gold", edgecolor="black", zorder=4,
               label="true optimum")
    px, py = _xy(proposed)
    ax.scatter(px, py, s=70, marker="X", color="crimson", edgecolor="black", zorder=5,
               label="sl.mixing.optimise")
    ax.plot([], [], color="white", label="true law (contours)")
    ax.plot([], [], color="black", linestyle="--", label="fitted law (same levels)")
    ax.plot([0, 1, 0.5, 0], [0, 0, np.sqrt(3) / 2, 0], color="black", linewidth=0.8)
    for name, (tx, ty), ha in (("web", (0, -0.04), "center"), ("code", (1, -0.04), "center"),
                               ("books", (0.5, np.sqrt(3) / 2 + 0.02), "center")):
        ax.text(tx, ty, f"100% {name}", ha=ha, va="top" if ty < 0 else "bottom", fontsize=9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.06, 0.93)
    bar = fig.colorbar(filled, ax=ax, shrink=0.75, pad=0.02)
    bar.set_label("mean validation loss over the 3 domains (true law)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=8,
              facecolor="lightgrey", framealpha=0.9)
    ax.set_title("The mixing law over the simplex of mixtures", fontsize=10)
    return fig


def reproduce(out: Path) -> Reproduction:
    truth = sl.mixing.MixingLaw(DOMAINS, DOMAINS, C, K, T)
    frame = experiments(truth)
    # least squares on log losses (mse_log) is the maximum-likelihood fit under lognormal
    # noise, so its standard errors are calibrated; the default Huber loss with delta = 1e-3
    # far below the 1% noise is nearly L1, whose covariance is too optimistic
    # (docs/uncertainty.md)
    fit = sl.mixing.fit(frame, list(DOMAINS), loss="mse_log")
    proposal = sl.mixing.optimise(fit)
    best = sl.mixing.optimise(truth)
    w = truth.weights(None)
    r_best = np.array([best.mixture[d] for d in DOMAINS])
    r_prop = np.array([proposal.mixture[d] for d in DOMAINS])
    true_at_proposal = float(truth.target(r_prop, w)[0])
    uniform = float(truth.target(np.full(3, 1 / 3), w)[0])

    numbers = [
        # the bar set for the optimiser: the proposal's true loss at most 0.5% above the true
        # optimum (the true optimum is a lower bound, so "below" is the whole claim)
        Number("true loss of the proposed mixture (vs the true optimum)", true_at_proposal,
               best.predicted_loss, fmt=".5f", source="the generating law's optimum",
               tol=BAR, claim="below"),
        Number("true loss of the uniform mixture (vs the true optimum)", uniform,
               best.predicted_loss, fmt=".4f", source="the generating law's optimum"),
    ]
    numbers += [Number(f"share of {d} in the proposed mixture", proposal.mixture[d],
                       best.mixture[d], fmt=".3f", source="the generating law's optimum")
                for d in DOMAINS]
    zs = []
    for i, v in enumerate(DOMAINS):
        f = fit.fits[v]
        true = {"c": C[i], "k": K[i], "t1": T[i, 0], "t2": T[i, 1]}
        for p, label in (("c", f"c ({v})"), ("k", f"k ({v})"),
                         ("t1", f"t ({v} loss, web share)"),
                         ("t2", f"t ({v} loss, code share)")):
            se = float(f.stderr[p])
            zs.append((float(f.params[p]) - true[p]) / se)
            # within three of the fit's own standard errors (mse_log on 30 runs, 4
            # parameters): the estimate's sampling spread, not a precision we choose
            numbers.append(Number(label, float(f.params[p]), float(true[p]), fmt=".3f",
                                  source="the generating constants",
                                  tol=math.ceil(3000 * se / abs(true[p])) / 1000))

    save_figure(surface_figure(truth, fit, frame[list(DOMAINS)].to_numpy(), r_best, r_prop),
                out / "data_mixing-surface.png", dpi=110)
    save_figure(mixture_figure(fit, proposal, title="Held-in fit and the proposed mixture"),
                out / "data_mixing-fit.png", dpi=110)

    gap = true_at_proposal / best.predicted_loss - 1
    gain = 1 - best.predicted_loss / uniform
    sel = fit.selection
    largest = max(abs(z) for z in zs)
    differs = (
        "Ye et al. fit the law on their own training runs (domains of the Pile and of "
        "RedPajama) and publish no per-run table, so these runs are drawn from the law "
        "itself, with constants chosen for this example: the check is of "
        "the method (fit, then optimise), not of the paper's numbers. Their headline "
        "result, a RedPajama mixture whose model matches one trained for 48% more steps on "
        "the default mixture, needs their training runs and is not reproduced here.\n\n"
        f"On {RUNS} mixtures with {NOISE:.0%} noise the {len(zs)} constants land within "
        f"{largest:.1f} standard errors of the generating ones. The proposed mixture "
        f"(web {proposal.mixture['web']:.3f}, code {proposal.mixture['code']:.3f}, books "
        f"{proposal.mixture['books']:.3f}) is not the true optimum's (web "
        f"{best.mixture['web']:.3f}, code {best.mixture['code']:.3f}, books "
        f"{best.mixture['books']:.3f}), but the law is flat near its minimum, so its true "
        f"loss is only {100 * gap:.3f}% above the optimum, against a bar of {100 * BAR:g}% "
        f"(the uniform mixture is {100 * (uniform / best.predicted_loss - 1):.1f}% above; "
        f"the optimum gains {100 * gain:.1f}% over it). Held-out mixtures chose the mixing "
        f"law over the floorless log-linear regressor (5-fold error {sel.errors['mixture']:.2%} "
        f"against {sel.errors['log_linear']:.2%}). The fits use least squares on log losses, "
        "the maximum-likelihood objective for the lognormal noise drawn here, rather than "
        "`sl.fit`'s default Huber loss, whose standard errors are too small when its δ sits "
        "far below the noise.")
    return Reproduction(
        paper="Ye, Liu, Sun, Zhou, Zhan, Qiu 2024, Data Mixing Laws: Optimizing Data Mixtures "
              "by Predicting Language Modeling Performance (arXiv:2403.16952)",
        data=f"Drawn from the paper's law (eq. 5) with the constants c = {C.tolist()}, "
             f"k = {K.tolist()}, t = {T.tolist()} (rows: the web, code and books validation "
             f"losses; columns: the web, code and books shares, books the reference): {RUNS} "
             f"mixtures from a flat Dirichlet, each loss times exp(0.01 ε), ε standard "
             f"normal ({NOISE:.0%} lognormal noise), seed {SEED}.",
        numbers=numbers, figures=["data_mixing-surface.png", "data_mixing-fit.png"],
        differs=differs,
        extra={"proposal": dict(proposal.mixture), "optimum": dict(best.mixture),
               "gap": gap, "selection": dict(sel.errors)})


if __name__ == "__main__":
    main(reproduce, __doc__)
