"""Fitting on intermediate checkpoints: GPT-3's curves, and an open-LM sweep where it does not help

Choshen, Zhang and Andreas (2025) fitted scaling laws to more than 1,000 model families and
recommend fitting the intermediate checkpoints of each run, after dropping the first ~10% of
training, rather than final losses alone. Does their recipe forecast the GPT-3 175B model's
curve from the seven smaller GPT-3 models, and does it beat final points on a sweep whose
runs were trained for us to check (the open-LM sweep of Li et al. 2025)?
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from _gallery import Number, Reproduction, main, shared

import scalinglaws as sl
from scalinglaws.data import curves as cv
from scalinglaws.report.figures import save_figure

#: the absolute relative error the Guide treats as the attainable floor, set by seed-to-seed
#: variation across its models (about 4%; as summaries of arXiv:2410.11840 quote it, see
#: ../shared/data/MANIFEST.md, hitchhiker_colpret: not re-checked against the paper's body)
GUIDE_FLOOR = 0.04
#: the Guide's recipe: drop each run's first 10% of training; score the target's checkpoints
#: from 70% of its training on
SKIP, SCORED_FROM = 0.1, 0.7
#: outer splits of the open-LM sweep (as benchmarks/bench_checkpoints.py): fit on models up to
#: 71M, 99M or 199M parameters, forecast the final losses of the larger runs
OPEN_LM_SPLITS = (7.5e7, 1.5e8, 2.5e8)


def fit(rows: pd.DataFrame, loss: str = "loss") -> sl.FitResult:
    ds = sl.Dataset.from_frame(rows[["params", "tokens", loss]])
    with warnings.catch_warnings():
        # a law fitted to one family: the fit may sit at a bound (E = 0), which it says
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return sl.fit("chinchilla", ds, columns={"loss": loss})


def predict(f: sl.FitResult, rows: pd.DataFrame) -> np.ndarray:
    return np.asarray(f.predict(params=rows["params"].to_numpy(float),
                                tokens=rows["tokens"].to_numpy(float), extrapolation=None),
                      dtype=float)


def open_lm() -> pd.DataFrame:
    """The open-LM sweep's curves: per (model, total_steps) the run of lowest final loss, its
    checkpoints its curve; rows at a step logged twice in one run dropped (the cleaning of
    benchmarks/bench_checkpoints.py)."""
    ck = pd.read_csv(shared("misfitting", "checkpoints.csv")).drop_duplicates()
    ck = ck.reset_index(drop=True)
    ck["final"] = ck["final"].astype(bool)
    chosen = ck[ck["final"]].groupby(["model", "total_steps"])["loss"].idxmin()
    c = ck[ck["run"].isin(ck.loc[chosen, "run"])]
    c = c[~c.duplicated(["run", "step"], keep=False) | c.index.isin(chosen)]
    c = c[~c["final"] | c.index.isin(chosen)]
    return c.sort_values(["run", "step"]).reset_index(drop=True)


def reproduce(out: Path) -> Reproduction:
    # -- GPT-3: the seven smaller models forecast the 175B model ----------------------------
    gpt3 = sl.datasets.load("hitchhiker").where(
        "family == 'gpt3' and metric == 'val_loss'").to_frame()
    gpt3["run"] = gpt3["model"]
    biggest = gpt3["params"].max()
    small, target = gpt3[gpt3["params"] < biggest], gpt3[gpt3["params"] == biggest]
    scored = target[target["tokens"] >= SCORED_FROM * target["tokens"].max()]
    late = small[small["tokens"] >= SKIP * small.groupby("model")["tokens"].transform("max")]
    finals = small.loc[small.groupby("model")["tokens"].idxmax()]
    fits = {"checkpoints": fit(late, "loss_nats"), "finals": fit(finals, "loss_nats")}
    are = {k: float(np.mean(np.abs(predict(f, scored) / scored["loss_nats"] - 1)))
           for k, f in fits.items()}
    last = target.loc[[target["tokens"].idxmax()]]
    end_err = {k: float(abs(predict(f, last)[0] / last["loss_nats"].iloc[0] - 1))
               for k, f in fits.items()}

    # -- the open-LM sweep: the same comparison on final losses of larger runs --------------
    c = open_lm()
    ends = c[c["final"]]
    mare: dict[str, list[float]] = {"finals": [], "checkpoints": []}
    for top in OPEN_LM_SPLITS:
        train, test = c[c["params"] <= top], ends[ends["params"] > top]
        for key, rows in (("finals", train[train["final"]]), ("checkpoints", cv.late(train, SKIP))):
            err = np.abs(predict(fit(rows), test) / test["loss"].to_numpy() - 1)
            mare[key].append(float(err.mean()))
    mean = {k: float(np.mean(v)) for k, v in mare.items()}

    numbers = [
        # The Guide (abstract, verified): "fitting scaling laws to intermediate checkpoints
        # ... substantially improves accuracy". Claimed on GPT-3: the ratio of the two
        # recipes' errors is below 1 (no slack: the claim is the direction)
        Number("GPT-3 175B: ARE with checkpoints past 10% ÷ ARE with final points only",
               are["checkpoints"] / are["finals"], 1.0, fmt=".3f",
               source="the Guide's abstract: checkpoints improve accuracy", tol=0.0,
               claim="below"),
        # the ~4% floor is quoted by summaries of the paper and not re-checked against its
        # body (reference data manifest), so it is shown, not claimed
        Number("GPT-3 175B: ARE from 70% of training on, checkpoints past 10% (%)",
               100 * are["checkpoints"], 100 * GUIDE_FLOOR, fmt=".2f",
               source="~4% floor, as summaries quote the Guide"),
        Number("GPT-3 175B: ARE from 70% of training on, final points only (%)",
               100 * are["finals"], fmt=".2f"),
        Number("GPT-3 175B: error of the last checkpoint, checkpoints past 10% (%)",
               100 * end_err["checkpoints"], fmt=".2f"),
        Number("GPT-3 175B: error of the last checkpoint, final points only (%)",
               100 * end_err["finals"], fmt=".2f"),
        Number("open-LM: mean MARE of larger runs' final losses, checkpoints past 10% (%)",
               100 * mean["checkpoints"], fmt=".2f"),
        Number("open-LM: mean MARE of larger runs' final losses, final points only (%)",
               100 * mean["finals"], fmt=".2f"),
    ]

    # -- the figure ---------------------------------------------------------------------------
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.3), gridspec_kw={"width_ratios": [3, 2]})
    for i, (name, r) in enumerate(sorted(gpt3.groupby("model"),
                                         key=lambda kv: kv[1]["params"].iloc[0])):
        r = r.sort_values("tokens")[::8]
        colour = "k" if name == target["model"].iloc[0] else f"C{i % 7}"
        a.plot(r["tokens"], r["loss_nats"], ".", ms=2, color=colour)
        if colour != "k":
            a.plot(r["tokens"], predict(fits["checkpoints"], r), "-", lw=0.8, color=colour)
    t = target.sort_values("tokens")
    a.plot(t["tokens"], predict(fits["checkpoints"], t), "-", color="k", lw=2,
           label=f"175B forecast, checkpoints past 10% (ARE {100 * are['checkpoints']:.2f}%)")
    a.plot(t["tokens"], predict(fits["finals"], t), "--", color="0.45", lw=2,
           label=f"175B forecast, final points only (ARE {100 * are['finals']:.2f}%)")
    a.axvspan(SCORED_FROM * t["tokens"].max(), t["tokens"].max(), color="0.9", zorder=0,
              label="scored: 175B from 70% of training")
    a.set(xscale="log", xlabel="tokens seen", ylabel="validation loss (nats)",
          title="GPT-3: 125M–13B curves (colours) forecast 175B (black)")
    a.legend(fontsize=7.5, loc="upper right")
    x = np.arange(len(OPEN_LM_SPLITS))
    b.bar(x - 0.2, [100 * v for v in mare["finals"]], 0.4, label="final points only",
          color="0.55")
    b.bar(x + 0.2, [100 * v for v in mare["checkpoints"]], 0.4,
          label="checkpoints past 10%", color="C0")
    b.set_xticks(x, [f"fit ≤ {ends.loc[ends['params'] <= top, 'params'].max() / 1e6:.0f}M"
                     for top in OPEN_LM_SPLITS])
    b.set(ylabel="MARE of larger runs' final losses (%)",
          title="open-LM sweep: final points vs checkpoints")
    b.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "checkpoints.png", dpi=110)

    at_bound = fits["finals"].status is not sl.FitStatus.CONVERGED
    verdict = ("lose on average" if mean["checkpoints"] > mean["finals"]
               else "win on average")
    better = sum(m < f for m, f in zip(mare["checkpoints"], mare["finals"], strict=True))
    differs = (
        "On GPT-3 the Guide's recipe works: fitted to the checkpoints of the seven smaller "
        "models past 10% of their training, the Chinchilla form forecasts the 175B model's "
        f"validation loss from 70% of its training on within {100 * are['checkpoints']:.2f}% "
        "(the Guide's absolute relative error), against "
        f"{100 * are['finals']:.2f}% from final points alone, and below the ~4% that "
        "summaries of the Guide quote as the floor seed-to-seed variation sets; one "
        "well-sampled family with a "
        "single training recipe does far better than that floor. Final points alone "
        f"forecast it at {100 * are['finals']:.2f}%: every GPT-3 model saw the same 300B "
        "tokens, so seven final points cannot tell the law how loss falls with tokens"
        f"{' (the fit stops at a bound)' if at_bound else ''}, and the checkpoints are what "
        "supply it. The 4% is "
        "the figure quoted for the paper by summaries of it (the reference data's manifest "
        "records it as not re-checked against the paper's body); it is a floor for typical "
        "families, not a number measured on GPT-3. The curves are digitised from the GPT-3 "
        "paper's figure, so part of any error is the digitisation's.\n\n"
        "On the open-LM sweep of Li et al., whose runs differ in length and learning rate, "
        "checkpoints past 10% beat final points on "
        f"{better} of {len(OPEN_LM_SPLITS)} splits by model size and {verdict} "
        f"({100 * mean['checkpoints']:.2f}% against {100 * mean['finals']:.2f}% for the "
        "larger runs' final losses): long runs are logged a hundred times more than short "
        "ones and set the fit. `docs/checkpoints.md` measures nine recipes there, weights "
        "and later cut-offs included, chosen by an inner backtest: none beat final points "
        "honestly. The Guide's finding holds where final points cannot identify the law "
        "(one token budget per size, as GPT-3), not on a sweep that already varies tokens.")
    return Reproduction(
        paper="Choshen, Zhang, Andreas 2025, A Hitchhiker's Guide to Scaling Law Estimation "
              "(ICML 2025, arXiv:2410.11840); the sweep: Li, Kudugunta, Zettlemoyer 2025, "
              "(Mis)Fitting Scaling Laws: A Survey of Scaling Law Fitting Techniques in Deep "
              "Learning (ICLR 2025, arXiv:2502.18969)",
        data="GPT-3's validation-loss curves for its 8 sizes (125M to 175B), digitised in the "
             "Guide's data release (bundled: `sl.datasets.load(\"hitchhiker\")`, family "
             "`gpt3`; repository IBM/ColPret, commit 16f23bb, MIT); and the open-LM sweep's "
             "checkpoints (reference data `misfitting/checkpoints.csv`; repository "
             "hadasah/scaling_laws, commit 1f3708c): per model and token budget the run of "
             "the best learning rate, 75 runs of 12M to 300M parameters.",
        numbers=numbers, figures=["checkpoints.png"], differs=differs,
        extra={"gpt3_are": are, "open_lm_mare": mare})


if __name__ == "__main__":
    main(reproduce, __doc__)
