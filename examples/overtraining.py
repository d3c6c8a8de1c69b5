"""Over-training: predicting a 32× over-trained 1.4B model from five small runs

Gadre et al. (2024) trained models far past the compute-optimal 20 tokens per parameter and
found the loss still scales predictably in compute C = 6ND and the token multiplier M = D/N:
`L(C, M) = E + (a·M^η + b·M^(-η))·C^(-η)`. Fitted on four small models at M = 20 and one at
M = 320, their law predicted the C4 loss of a 1.4B model trained on 640 tokens per parameter
and of a 6.9B model at M = 20 to within 0.75%, and the average downstream error from that
predicted loss. Does `sl.fit("overtraining", ...)` on the same five runs do as well?
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _gallery import Number, Reproduction, main
from matplotlib.colors import LogNorm
from matplotlib.ticker import FormatStrFormatter, NullFormatter

import scalinglaws as sl
from scalinglaws.report.figures import save_figure
from scalinglaws.report.style import FULL_WIDTH, HEIGHT, colours, new_figure, style

#: the four small models of the fit (open_lm configurations), fitted at M = 20; the smallest
#: also at M = 320 (their scaling/shared.py: fit_ds)
SMALL = ["d=96_l=8_h=4", "d=512_l=8_h=4", "d=576_l=24_h=8", "d=1024_l=24_h=8"]
#: (model, M) -> the relative errors (%) their notebook prints (scaling_explorer.ipynb,
#: RedPajama, C4 eval loss, 17-task average; MANIFEST gadre_overtraining): loss, top-1 error
PAPER = {("open_lm_1b", 640.0): (0.7103, 3.6365), ("open_lm_7b", 20.0): (0.7320, 0.0464)}
LABEL = {("open_lm_1b", 640.0): "1.4B at M = 640", ("open_lm_7b", 20.0): "6.9B at M = 20"}
SOURCE = "Gadre et al., scaling_explorer.ipynb"
#: η of their code's fit (scaling/shared.py: fit_ds, rerun on these data; the paper prints
#: no fitted parameters): the reference of the catalog's overtraining law
THEIR_ETA = 0.13643


def runs() -> pd.DataFrame:
    """RedPajama runs: C4 eval loss and the 17-task average top-1 error, one row per run."""
    losses = sl.datasets.load("gadre").to_frame()
    tasks = sl.datasets.load("gadre_downstream").to_frame()
    rows = losses[(losses["dataset"] == "rpj") & (losses["eval_set"] == "c4_val")]
    sub = tasks[(tasks["dataset"] == "rpj") & tasks["in_17_task_subset"].astype(bool)]
    err = sub.groupby("run_id")["top1_error"].mean().rename("top1_error")
    return rows.merge(err, left_on="run_id", right_index=True).reset_index(drop=True)


def fits(frame: pd.DataFrame, loss: str) -> tuple[sl.FitResult, sl.FitResult]:
    m = frame["tokens_per_param"]
    on = (frame["model_config"].isin(SMALL) & (m == 20)) | (
        (frame["model_config"] == SMALL[0]) & (m == 320))
    # the error law: the same five runs and the 1.4B model at M = 20
    on_err = on | ((frame["model_config"] == "open_lm_1b") & (m == 20))
    with warnings.catch_warnings():
        # five points for four parameters, and an error that rises with the loss: both
        # fits warn, rightly
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit_l = sl.fit("overtraining", frame.loc[on, ["params", "tokens", "loss"]], loss=loss)
        fit_e = sl.fit("loss_to_error", frame.loc[on_err, ["loss", "top1_error"]], loss=loss)
    return fit_l, fit_e


def relative_errors(frame: pd.DataFrame, fit_l: sl.FitResult, fit_e: sl.FitResult
                    ) -> dict[tuple[str, float], tuple[float, float]]:
    """Per target: relative errors (%) of the predicted loss and of the error predicted from
    that predicted loss (their protocol)."""
    out = {}
    for name, m in PAPER:
        row = frame[(frame["model_config"] == name) & (frame["tokens_per_param"] == m)].iloc[0]
        pred = float(fit_l.predict(params=row["params"], tokens=row["tokens"],
                                   extrapolation=None))
        err = float(fit_e.predict(loss=pred, extrapolation=None))
        out[(name, m)] = (float(100 * abs(pred - row["loss"]) / row["loss"]),
                          float(100 * abs(err - row["top1_error"]) / row["top1_error"]))
    return out


def size(n: float) -> str:
    return f"{n / 1e6:.0f}M" if n < 1e9 else f"{n / 1e9:.1f}B"


def figure(frame: pd.DataFrame, fit_l: sl.FitResult, fitted: pd.Series, path: Path) -> None:
    """Left: C4 loss against compute, coloured by M, with the fitted law along each M.
    Right: the relative error of the law's prediction for every run, against M."""
    p = fit_l.params
    with style():
        fig = new_figure(FULL_WIDTH, HEIGHT * 1.25)
        ax, err_ax = fig.subplots(1, 2, width_ratios=[1.25, 1])
        mults = np.sort(frame["tokens_per_param"].unique())
        norm = LogNorm(mults.min(), mults.max())
        c = 6 * frame["params"] * frame["tokens"]
        points = ax.scatter(c, frame["loss"], c=frame["tokens_per_param"], cmap="viridis",
                            norm=norm, s=14, zorder=3)
        for m in mults:
            cc = c[frame["tokens_per_param"] == m]
            grid = np.geomspace(cc.min() / 2, max(cc.max(), 1e22) * 2, 100)
            line = p["E"] + (p["a"] * m ** p["eta"] + p["b"] * m ** -p["eta"]) * grid ** -p["eta"]
            ax.plot(grid, line, color=points.cmap(norm(m)), lw=0.8, alpha=0.8)
        ax.scatter(c[fitted], frame.loc[fitted, "loss"], s=60, facecolors="none",
                   edgecolors="black", lw=1, label="fitted (5 runs)", zorder=4)
        target = np.zeros(len(frame), dtype=bool)
        for name, m in LABEL:
            target |= ((frame["model_config"] == name)
                       & (frame["tokens_per_param"] == m)).to_numpy()
        ax.scatter(c[target], frame.loc[target, "loss"], marker="*", s=110, color="#D55E00",
                   edgecolors="black", lw=0.5, zorder=5,
                   label="targets: 1.4B, M = 640; 6.9B, M = 20")
        ax.set(xscale="log", yscale="log", xlabel="training compute C = 6ND (FLOPs)",
               ylabel="C4 eval loss (nats/token)", title="RedPajama runs and the fitted law")
        ax.set_yticks([2.5, 3, 3.5, 4, 5, 6])
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.legend(loc="lower left", fontsize="x-small")
        fig.colorbar(points, ax=ax, label="tokens per parameter M", aspect=30, pad=0.02)
        pred = fit_l.predict(params=frame["params"].to_numpy(), tokens=frame["tokens"].to_numpy(),
                             extrapolation=None)
        rel = 100 * (pred - frame["loss"].to_numpy()) / frame["loss"].to_numpy()
        sizes = np.sort(frame["params"].unique())
        for k, n in enumerate(sizes):
            on = np.flatnonzero((frame["params"] == n).to_numpy())
            on = on[np.argsort(frame["tokens_per_param"].to_numpy()[on])]
            err_ax.plot(frame["tokens_per_param"].to_numpy()[on], rel[on], marker="o", ms=3,
                        lw=0.8,
                        color=colours(len(sizes))[k], label=size(n))
        err_ax.scatter(frame.loc[fitted, "tokens_per_param"], rel[fitted.to_numpy()], s=60,
                       facecolors="none", edgecolors="black", lw=1, zorder=4)
        err_ax.scatter(frame.loc[target, "tokens_per_param"], rel[target], marker="*", s=110,
                       color="#D55E00", edgecolors="black", lw=0.5, zorder=5)
        err_ax.axhline(0, color="grey", lw=0.6)
        floor = -6.0  # the axis stops here; runs below it are named at the bottom
        err_ax.set_ylim(floor, max(3.0, float(rel.max()) + 0.5))
        below = [f"{rel[k]:.1f}% ({size(frame['params'].iloc[k])}, "
                 f"M = {frame['tokens_per_param'].iloc[k]:g})" for k in np.flatnonzero(rel < floor)]
        if below:
            err_ax.text(0.12, 0.03, "off the axis: " + ", ".join(below), fontsize="x-small",
                        transform=err_ax.transAxes)
        err_ax.set(xscale="log", xlabel="tokens per parameter M",
                   ylabel="predicted − observed loss (%)", title="error of the law, every run")
        err_ax.set_xticks([5, 20, 80, 320, 640])
        err_ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        err_ax.xaxis.set_minor_formatter(NullFormatter())
        err_ax.legend(title="parameters", fontsize="x-small", title_fontsize="x-small",
                      loc="best", ncols=2)
        save_figure(fig, path, dpi=110)


def reproduce(out: Path) -> Reproduction:
    frame = runs()
    fit_l, fit_e = fits(frame, "huber")
    ours = relative_errors(frame, fit_l, fit_e)
    mse_l, mse_e = fits(frame, "mse")
    theirs = relative_errors(frame, mse_l, mse_e)
    numbers = []
    for key, (paper_l, _) in PAPER.items():
        # "below", no slack: the default fit's error must be no larger than theirs
        numbers.append(Number(f"loss error, {LABEL[key]} (%)", ours[key][0], paper_l,
                              fmt=".3f", source=SOURCE, tol=0.0, claim="below"))
    for key, (paper_l, _) in PAPER.items():
        # their objective (least squares on raw losses, loss="mse") lands on their curve_fit
        # optimum: their errors are printed to 4 decimals, half a unit (5e-5) is under
        # 0.01% of 0.71 and 0.73
        numbers.append(Number(f"loss error, {LABEL[key]}, their objective (%)",
                              theirs[key][0], paper_l, fmt=".4f", source=SOURCE, tol=1e-4))
    for key, (_, paper_e) in PAPER.items():
        # the same for the error predicted from the predicted loss: half a unit (5e-5) of
        # 3.6365 and of 0.0464 is 0.0014% and 0.108% of them
        numbers.append(Number(f"top-1 error's error, {LABEL[key]}, their objective (%)",
                              theirs[key][1], paper_e, fmt=".4f", source=SOURCE,
                              tol=1e-4 if paper_e > 1 else 1.1e-3))
    for key, (_, paper_e) in PAPER.items():
        numbers.append(Number(f"top-1 error's error, {LABEL[key]} (%)", ours[key][1], paper_e,
                              fmt=".3f", source=SOURCE))
    p = fit_l.params
    numbers.append(Number("η (half the Chinchilla exponent)", p["eta"], THEIR_ETA, fmt=".4f",
                          source="their code, rerun (the catalog's reference)"))
    # the other 28 runs, none fitted: the law's error across M = 5 to 640
    m = frame["tokens_per_param"]
    fitted = (frame["model_config"].isin(SMALL) & (m == 20)) | (
        (frame["model_config"] == SMALL[0]) & (m == 320))
    others = frame[~fitted & ~frame["model_config"].isin(["open_lm_1b", "open_lm_7b"])]
    pred = fit_l.predict(params=others["params"].to_numpy(), tokens=others["tokens"].to_numpy(),
                         extrapolation=None)
    rel = 100 * np.abs(pred - others["loss"].to_numpy()) / others["loss"].to_numpy()
    small_m = others["tokens_per_param"].to_numpy() < 20
    numbers.append(Number(f"median loss error, the {len(others)} other runs of the small "
                          "models (%)", float(np.median(rel)), None, fmt=".2f"))
    figure(frame, fit_l, fitted, out / "overtraining.png")
    k1, k7 = ("open_lm_1b", 640.0), ("open_lm_7b", 20.0)
    differs = (
        "The law fitted by default (Huber on log residuals) to the same five runs predicts "
        f"both targets' C4 loss better than their fit: {ours[k1][0]:.2f}% off for the 1.4B "
        f"model at M = 640 and {ours[k7][0]:.2f}% for the 6.9B at M = 20, against "
        f"{PAPER[k1][0]}% and {PAPER[k7][0]}%. Their code fits by least squares on the raw "
        "losses, where each run counts by its absolute error and the smallest model, whose "
        "loss is highest, weighs most; on log residuals each run counts by its relative "
        "error. With their objective (`loss=\"mse\"`) the fit "
        "lands on their optimum and every printed error to four decimals.\n\n"
        "The downstream error, predicted from the predicted loss through "
        "`Err = E - k·exp(-γL)` fitted on six runs, is a different matter: ours is "
        f"{ours[k1][1]:.2f}% and {ours[k7][1]:.2f}% off, theirs {PAPER[k1][1]}% and "
        f"{PAPER[k7][1]}%. An average of 17 task accuracies carries a sampling error of "
        "order 1% of the error rate (each task has a few hundred to a few thousand "
        "examples), so an error below that is noise landing favourably, not a property of "
        "the fit: neither objective is better on both targets. Five points for four "
        "parameters pin the law only loosely; across the other "
        f"{len(others)} runs of the four small models (none fitted, M = 5 to 640) the "
        f"median error is {np.median(rel):.2f}%, and {np.median(rel[small_m]):.2f}% at M "
        "below 20, outside the range of M the law was fitted on.")
    return Reproduction(
        paper="Gadre et al. 2024, Language models scale reliably with over-training and on "
              "downstream tasks (arXiv:2403.08540)",
        data="Their released evaluations (repository mlfoundations/scaling, MIT; bundled: "
             "`sl.datasets.load(\"gadre\")` and `\"gadre_downstream\"`): the 35 open_lm "
             "models trained on RedPajama, C4 validation loss, and the average top-1 error "
             "over their 17-task subset.",
        numbers=numbers, figures=["overtraining.png"], differs=differs,
        extra={"params": dict(p), "params_mse": dict(mse_l.params)})


if __name__ == "__main__":
    main(reproduce, __doc__)
