"""Chinchilla's parametric loss, Approach 3, and Epoch AI's replication

Hoffmann et al. (2022) fitted `L(N, D) = E + A/N^α + B/D^β` to their runs and concluded that
parameters and tokens should grow about equally with compute. Besiroglu et al. (Epoch AI, 2024)
transcribed the runs from the paper's figure, refitted the law and found other constants, a
fit that matches the data far better, and an exponent split nearer one half. What does a plain
`sl.fit` find on the same 240 points?
"""

from __future__ import annotations

from pathlib import Path

from _gallery import Number, Reproduction, main

import scalinglaws as sl
from scalinglaws.report.figures import fit_figure, save_figure

#: Epoch AI's maximum-likelihood estimates (arXiv:2404.10102, Table 1)
EPOCH = {"E": 1.8169, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}
#: Hoffmann et al.'s Approach 3 (arXiv:2203.15556, section 3.3)
HOFFMANN = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
#: the exponent of N_opt ∝ C^a: Approach 3 in Hoffmann et al.'s Table 2; Epoch's from its fit
HOFFMANN_A, EPOCH_A = 0.46, EPOCH["beta"] / (EPOCH["alpha"] + EPOCH["beta"])


def reproduce(out: Path) -> Reproduction:
    runs = sl.datasets.load("chinchilla")
    kept = runs[~runs.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    fit = sl.fit("chinchilla", kept)
    boot = fit.bootstrap(200, seed=0)
    fit = fit.with_bootstrap(boot)
    plan = sl.plan.compute_optimal(fit, flops=5.76e23)

    p = fit.params
    # Epoch's table values maximise a likelihood with a fitted Huber scale, not the plain Huber
    # objective fitted here, so they agree to a fraction of their standard errors, not exactly:
    # E, alpha, beta within 1% (s.e. 1.4%, 4.4%, 5.6%), A within 5% (s.e. 26%), B within 10%
    # (s.e. 62%)
    claim = {"E": 0.01, "A": 0.05, "B": 0.10, "alpha": 0.01, "beta": 0.01}
    numbers = [Number(k, p[k], EPOCH[k], fmt=".4g", source="Epoch AI, Table 1", tol=claim[k])
               for k in ("E", "A", "B", "alpha", "beta")]
    numbers += [Number(f"{k} (Hoffmann et al.)", p[k], HOFFMANN[k], fmt=".4g",
                       source="Hoffmann et al., §3.3") for k in ("E", "alpha", "beta")]
    numbers += [
        # a = beta / (alpha + beta): within 2%, as both exponents are within 1%
        Number("a in N_opt ∝ C^a", plan.exponent_params or float("nan"), EPOCH_A, fmt=".3f",
               source="Epoch AI's fit", tol=0.02),
        Number("a in N_opt ∝ C^a (Hoffmann et al.)", plan.exponent_params or float("nan"),
               HOFFMANN_A, fmt=".3f", source="Hoffmann et al., Table 2"),
        Number("N_opt at 5.76e23 FLOPs (Chinchilla's budget)", float(plan.params[0]), 70e9,
               fmt=".3g", source="Chinchilla: 70B"),
    ]
    fig = fit_figure(fit, kept, width=6.5)
    save_figure(fig, out / "chinchilla-fit.png", dpi=110)

    lo, hi = boot.interval("beta", 0.95)
    differs = (
        f"Our fit lands on Epoch AI's constants (β = {p['beta']:.3f} against their "
        f"{EPOCH['beta']}; our 95% bootstrap interval for β is {lo:.3f}–{hi:.3f}, theirs "
        "0.331–0.415), not on Hoffmann et al.'s: the objective is the same Huber loss on log "
        "residuals (δ = 10⁻³), and Epoch showed that Hoffmann et al.'s published constants "
        "fit the transcribed points badly, most likely from an optimiser stopped early and "
        "rounding. Epoch's own table values come from a likelihood with a fitted scale, so "
        "they differ from the plain Huber optimum in the third digit; the optimum of their "
        "notebook's grid fit (A = 477.84, B = 2143.86) is reproduced to 1% by the tests. "
        f"The compute-optimal exponent a = {plan.exponent_params:.3f} sits near Approaches 1 "
        "and 2 (0.50, 0.49), which is Epoch's point: the corrected Approach 3 agrees with "
        "the other two.")
    return Reproduction(
        paper="Hoffmann et al. 2022, Training Compute-Optimal Large Language Models "
              "(arXiv:2203.15556); Besiroglu et al. 2024, Chinchilla Scaling: A replication "
              "attempt (arXiv:2404.10102)",
        data="The 245 Chinchilla runs as Epoch AI transcribed them (bundled: "
             "`sl.datasets.load(\"chinchilla\")`), less the 5 Epoch left out: 240 points.",
        numbers=numbers, figures=["chinchilla-fit.png"], differs=differs,
        extra={"beta_interval": [lo, hi]})


if __name__ == "__main__":
    main(reproduce, __doc__)
