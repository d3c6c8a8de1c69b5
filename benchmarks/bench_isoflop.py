"""IsoFLOP analysis (Hoffmann et al. 2022, Approaches 1 and 2): accuracy, real data, speed.

1. Synthetic IsoFLOP sweeps from ``L = E + A/N^alpha + B/D^beta`` (E, A, B of Hoffmann et al.;
   9 budgets 1e18..1e22, 11 sizes per budget over a factor 16 around the optimum, sweep centre
   off the optimum by up to ±0.3 in ln N, 0.2% log-normal loss noise): ``sl.plan.isoflop`` on
   one sweep per (alpha, beta), and over 50 sweeps the mean and largest error of ``a`` and the
   coverage of its 95% interval, against ``a = beta/(alpha+beta)``, ``b = alpha/(alpha+beta)``.
2. The bundled Chinchilla points (Hoffmann et al. 2022, Figure 4, as read by Epoch AI,
   arXiv:2404.10102): their FLOPs are not exact budgets (no two runs share one), so
   ``budgets="log"`` (0.1-decade bins); the Epoch-kept 240 points and all 245; and the loss
   envelope (Approach 1). Beside them Hoffmann et al.'s Table 2 values.
3. Porian et al. 2024 ("Resolving Discrepancies in Compute-Optimal Scaling of Language
   Models", arXiv:2406.19146), ``../shared/data/porian_isoflop``: per configuration
   ``sl.plan.isoflop(window=3)`` (the parabola through the lowest loss and its two neighbouring
   sizes) and ``window=None`` (one parabola over the whole sweep), beside their ``weighted``
   fit's exponent and 95% interval (``fits.csv``; the MANIFEST's paper values), and
   ``estimator="akima"`` (their per-budget estimator: the minimum of an Akima spline through
   ln loss against ln N, budgets with it at the first or last size dropped). Their whole fit
   (those Akima minima, budgets weighted by their ``n_star_std``) is re-run on the library's
   Akima minima as a check of the data handling. For a configuration outside their interval
   the per-budget optima of the parabola are compared with theirs (``optimal_points.csv``)
   and each budget's optimum is swapped for theirs in turn to find the budget that moves
   ``a``.
4. Time of the 15 Porian configurations with 1,000 resamples each, per estimator (best of 3).

Prints the tables and writes ``benchmarks/results/bench_isoflop.json``.
Run: ``python benchmarks/bench_isoflop.py [--data DIR] [--n-boot 1000] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import scalinglaws as sl
from scalinglaws.common.jsonvalues import json_value

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "porian_isoflop"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "bench_isoflop.json"

E, A, B = 1.69, 406.4, 410.7
PAIRS = [(0.34, 0.28), (0.45, 0.25), (0.30, 0.40)]
#: Hoffmann et al. 2022, Table 2: exponent and the interval they report
HOFFMANN = {
    "approach 1 (envelope)": {"a": 0.50, "a_interval": [0.488, 0.502],
                              "b": 0.50, "b_interval": [0.501, 0.512]},
    "approach 2 (IsoFLOP)": {"a": 0.49, "a_interval": [0.462, 0.534],
                             "b": 0.51, "b_interval": [0.483, 0.529]},
}
#: the 10 configurations of Porian et al.'s Figure 1 (RefinedWeb and OpenWebText2)
MAIN = [f"{d}/{rest}" for d in ("rw", "owt2") for rest in (
    "base/long/kaplan/kaplan/train", "base/long/kaplan/standard/val",
    "base/short/kaplan/standard/val", "base/short/chinchilla/standard/val",
    "tuned/short/const/standard/val")]


def sweep(alpha: float, beta: float, seed: int, *, noise: float = 0.002, span: float = 16.0,
          n_sizes: int = 11, jitter: float = 0.3) -> sl.Dataset:
    """One synthetic IsoFLOP sweep (the same generator as tests/test_isoflop.py)."""
    rng = np.random.default_rng(seed)
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    rows = []
    for c in np.geomspace(1e18, 1e22, 9):
        centre = g * (c / 6) ** (beta / (alpha + beta)) * np.exp(rng.uniform(-jitter, jitter))
        for n in centre * np.geomspace(span**-0.5, span**0.5, n_sizes):
            d = c / (6 * n)
            loss = (E + A / n**alpha + B / d**beta) * np.exp(noise * rng.standard_normal())
            rows.append((c, n, d, loss))
    return sl.Dataset(pd.DataFrame(rows, columns=["flops", "params", "tokens", "loss"]))


def synthetic(n_boot: int, replicates: int = 50) -> list[dict[str, Any]]:
    out = []
    for alpha, beta in PAIRS:
        a_true, b_true = beta / (alpha + beta), alpha / (alpha + beta)
        one = sl.plan.isoflop(sweep(alpha, beta, 0), n_boot=n_boot)
        errors, covered, covered_b, widths, errors_w5 = [], [], [], [], []
        for s in range(replicates):
            r = sl.plan.isoflop(sweep(alpha, beta, s), n_boot=n_boot, seed=s)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                errors_w5.append(sl.plan.isoflop(sweep(alpha, beta, s), window=5,
                                                 n_boot=0).a - a_true)
            errors.append(r.a - a_true)
            covered.append(r.a_interval[0] <= a_true <= r.a_interval[1])
            covered_b.append(r.b_interval[0] <= b_true <= r.b_interval[1])
            widths.append(r.a_interval[1] - r.a_interval[0])
        out.append({
            "alpha": alpha, "beta": beta, "a_true": a_true, "b_true": b_true,
            "a": one.a, "a_interval": one.a_interval, "b": one.b, "b_interval": one.b_interval,
            "replicates": replicates, "a_error_mean": float(np.mean(errors)),
            "a_error_max_abs": float(np.max(np.abs(errors))),
            "a_error_sd": float(np.std(errors)), "a_error_sd_window5": float(np.std(errors_w5)),
            "a_coverage": float(np.mean(covered)),
            "b_coverage": float(np.mean(covered_b)), "a_width_median": float(np.median(widths))})
    return out


def envelope_synthetic() -> list[dict[str, Any]]:
    """Approach 1 on 49 sizes x 200 checkpoints of the law, FLOPs 1e18..1e22."""
    out = []
    n = np.repeat(np.geomspace(1e6, 1e12, 49), 200)
    d = np.tile(np.geomspace(1e7, 1e15, 200), 49)
    keep = (6 * n * d >= 1e18) & (6 * n * d <= 1e22)
    for alpha, beta in PAIRS:
        frame = pd.DataFrame({"params": n[keep], "tokens": d[keep],
                              "loss": E + A / n[keep]**alpha + B / d[keep]**beta})
        row: dict[str, Any] = {"alpha": alpha, "beta": beta, "a_true": beta / (alpha + beta),
                               "b_true": alpha / (alpha + beta)}
        for n_bins in (None, 40):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                env = sl.plan.envelope(frame, n_bins=n_bins)
            key = "running" if n_bins is None else f"bins{n_bins}"
            row[f"a_{key}"], row[f"b_{key}"] = env.a, env.b
        out.append(row)
    return out


def chinchilla(n_boot: int) -> dict[str, Any]:
    ds = sl.datasets.load("chinchilla")
    kept = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    out: dict[str, Any] = {"hoffmann_table2": HOFFMANN}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sl.plan.isoflop(kept, n_boot=0)
            out["exact"] = "fitted"
        except sl.DataError as e:
            out["exact"] = f"DataError: {e.what}"
    out["exact_warnings"] = len(caught)
    for name, data in (("kept_240", kept), ("all_245", ds)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = sl.plan.isoflop(data, budgets="log", n_boot=n_boot)
            env = sl.plan.envelope(data)
        used = r.used
        out[name] = {"isoflop_log": r.to_dict(),
                     "statuses": {str(k): int(v) for k, v in
                                  r.budgets["status"].value_counts().items()},
                     "at_edge_used": int(used["at_edge"].sum()),
                     "runs_per_used_bin": [int(used["n_runs"].min()),
                                           int(used["n_runs"].max())],
                     "envelope": {"a": env.a, "b": env.b, "points": len(env.frame),
                                  "sizes_on_envelope": int(env.frame["params"].nunique())}}
    return out


def their_fit(iso: sl.plan.IsoFlop, optimal: pd.DataFrame) -> float:
    """Porian et al.'s ``weighted`` fit (without their seed-noise median) on the library's
    Akima minima (``iso``: ``estimator="akima"``, which drops budgets with the minimum at the
    first or last size as their code does): a log-log line through the budgets' ``N_opt``
    weighted by ``1/n_star_std`` (``optimal_points.csv``), as ``np.polyfit`` weights."""
    std = dict(zip(np.round(np.log10(optimal["flops"]), 6), optimal["n_star_std"],
                   strict=True))
    used = iso.used
    s = np.array([std.get(round(float(np.log10(c)), 6), np.nan) for c in used["flops"]])
    keep = np.isfinite(s)
    return float(np.polyfit(np.log(used["flops"][keep]), np.log(used["n_opt"][keep]), 1,
                            w=1 / s[keep])[0])


def porian(data_dir: Path, n_boot: int) -> dict[str, Any]:
    points = pd.read_csv(data_dir / "isoflop_points.csv")
    optimal = pd.read_csv(data_dir / "optimal_points.csv")
    fits = pd.read_csv(data_dir / "fits.csv")
    weighted = fits[fits["fit"] == "weighted"].set_index("config_id")
    basic = fits[fits["fit"] == "basic"].set_index("config_id")
    rows, diagnoses = [], {}
    datasets = {cid: sl.Dataset.from_frame(g[["flops", "params", "tokens", "loss"]])
                for cid, g in points.groupby("config_id", sort=False)}
    for cid, ds in datasets.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = sl.plan.isoflop(ds, window=3, n_boot=n_boot)
            ak = sl.plan.isoflop(ds, estimator="akima", n_boot=n_boot)
            whole = sl.plan.isoflop(ds, n_boot=0)
            frame = ds.to_frame()  # the same parabolas fitted to ln loss (Porian et al.'s scale)
            log_loss = sl.plan.isoflop(frame.assign(loss=np.log(frame["loss"])), window=3,
                                       n_boot=0)
        w = weighted.loc[cid]
        lo, hi = float(w["n_exponent_ci95_lo"]), float(w["n_exponent_ci95_hi"])
        row = {
            "config": cid, "figure1": cid in MAIN,
            "a": r.a, "a_lo": r.a_interval[0], "a_hi": r.a_interval[1],
            "b": r.b, "b_lo": r.b_interval[0], "b_hi": r.b_interval[1],
            "a_whole_sweep": whole.a, "a_log_loss": log_loss.a,
            "theirs": float(w["n_exponent"]), "theirs_lo": lo, "theirs_hi": hi,
            "theirs_basic": float(basic.loc[cid, "n_exponent"]),
            "theirs_b": float(w["t_exponent"]),
            "a_akima": ak.a, "a_akima_lo": ak.a_interval[0], "a_akima_hi": ak.a_interval[1],
            "akima_budgets_used": int((ak.budgets["status"] == "used").sum()),
            "their_estimator_rerun": their_fit(ak, optimal[optimal["config_id"] == cid]),
            "inside": bool(lo <= r.a <= hi), "inside_akima": bool(lo <= ak.a <= hi),
            "budgets_used": int((r.budgets["status"] == "used").sum()),
            "budgets": len(r.budgets), "at_edge": int(r.budgets["at_edge"].sum()),
            "warnings": len(caught)}
        rows.append(row)
        if not row["inside"]:
            diagnoses[cid] = diagnose(r, ds, optimal[optimal["config_id"] == cid], lo, hi)
    timing = time_porian(datasets, n_boot)
    return {"rows": rows, "diagnoses": diagnoses, "timing": timing,
            "windows": window_sensitivity(datasets, weighted)}


def window_sensitivity(datasets: dict[str, sl.Dataset], weighted: pd.DataFrame
                       ) -> list[dict[str, Any]]:
    """How many configurations land inside their interval, per parabola window."""
    out = []
    for window in (None, 3, 4, 5, 7):
        inside = []
        for cid, ds in datasets.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = sl.plan.isoflop(ds, window=window, n_boot=0).a
            w = weighted.loc[cid]
            inside.append((cid, bool(w["n_exponent_ci95_lo"] <= a <= w["n_exponent_ci95_hi"])))
        out.append({"window": window, "inside": sum(ok for _, ok in inside),
                    "inside_figure1": sum(ok for cid, ok in inside if cid in MAIN),
                    "configs": len(inside)})
    return out


def diagnose(r: sl.plan.IsoFlop, ds: sl.Dataset, optimal: pd.DataFrame, lo: float,
             hi: float) -> dict[str, Any]:
    """Per-budget optima against theirs, and ``a`` with each budget's optimum swapped."""
    used = r.used
    key = np.round(np.log10(optimal["flops"]), 6)
    theirs = dict(zip(key, optimal["n_star"], strict=True))
    their_sd = dict(zip(key, optimal["n_star_std"], strict=True))
    their_n = np.array([theirs.get(round(float(np.log10(c)), 6), np.nan)
                        for c in used["flops"]])
    sd = np.array([their_sd.get(round(float(np.log10(c)), 6), np.nan) for c in used["flops"]])
    frame = ds.to_frame()
    lowest_at = []  # rank (from 1) of the size with the lowest loss, among the budget's sizes
    for c in used["flops"]:
        g = frame[np.isclose(frame["flops"], c, rtol=1e-6)].sort_values("params")
        lowest_at.append(int(np.argmin(g["loss"].to_numpy())) + 1)
    logc, logn = np.log(used["flops"].to_numpy()), np.log(used["n_opt"].to_numpy())
    swaps = []
    for i in range(len(used)):
        if np.isfinite(their_n[i]):
            swapped = logn.copy()
            swapped[i] = np.log(their_n[i])
            a_swap = float(np.polyfit(logc, swapped, 1)[0])
            swaps.append({"flops": float(used["flops"][i]), "a": a_swap,
                          "inside": bool(lo <= a_swap <= hi)})
    return {
        "budgets": [{"flops": float(c), "n_sizes": int(k), "lowest_loss_at_size": int(j),
                     "ours": float(n), "theirs": float(t), "their_ln_sd": float(s_),
                     "ln_ratio": float(np.log(n / t)), "at_edge": bool(e)}
                    for c, k, j, n, t, s_, e in zip(used["flops"], used["n_sizes"], lowest_at,
                                                    used["n_opt"], their_n, sd,
                                                    used["at_edge"], strict=True)],
        "swap_one_budget": swaps}


def time_porian(datasets: dict[str, sl.Dataset], n_boot: int, repeat: int = 3) -> dict[str, Any]:
    out: dict[str, Any] = {"configs": len(datasets), "n_boot": n_boot,
                           "seconds_best_of": repeat}
    for key, options in (("seconds", {"window": 3}), ("seconds_akima", {"estimator": "akima"})):
        best = np.inf
        for _ in range(repeat):
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for ds in datasets.values():
                    sl.plan.isoflop(ds, n_boot=n_boot, **options)
            best = min(best, time.perf_counter() - t0)
        out[key] = best
    return out


def show(result: dict[str, Any]) -> None:
    print("1. Synthetic IsoFLOP sweeps (9 budgets 1e18..1e22, 11 sizes, 0.2% noise)")
    print(f"{'alpha':>6} {'beta':>5} {'a true':>7} {'a [95%]':>24} {'b true':>7} "
          f"{'b [95%]':>24} {'mean err':>9} {'max|err|':>9} {'cover a':>8}")
    for s in result["synthetic"]:
        print(f"{s['alpha']:>6} {s['beta']:>5} {s['a_true']:>7.4f} "
              f"{s['a']:.4f} [{s['a_interval'][0]:.4f}, {s['a_interval'][1]:.4f}] "
              f"{s['b_true']:>7.4f} {s['b']:.4f} [{s['b_interval'][0]:.4f}, "
              f"{s['b_interval'][1]:.4f}] {s['a_error_mean']:>+9.4f} "
              f"{s['a_error_max_abs']:>9.4f} {s['a_coverage']:>8.2f}")
    print("   sd of a's error over the sweeps, all 11 sizes vs window=5: " + "; ".join(
        f"({s['alpha']}, {s['beta']}) {s['a_error_sd']:.4f} vs {s['a_error_sd_window5']:.4f}"
        for s in result["synthetic"]))
    print("   envelope (Approach 1), 49 sizes x 200 checkpoints, FLOPs 1e18..1e22:")
    for e in result["envelope_synthetic"]:
        print(f"     ({e['alpha']}, {e['beta']}) a true {e['a_true']:.4f}: running minimum "
              f"{e['a_running']:.4f}, 40 bins {e['a_bins40']:.4f}; b true {e['b_true']:.4f}: "
              f"{e['b_running']:.4f}, {e['b_bins40']:.4f}")
    ch = result["chinchilla"]
    print("\n2. Bundled Chinchilla points")
    print(f"   budgets='exact': {ch['exact']}")
    for name in ("kept_240", "all_245"):
        d = ch[name]["isoflop_log"]
        used = sum(b["status"] == "used" for b in d["budgets"])
        env = ch[name]["envelope"]
        print(f"   {name}: isoflop(budgets='log') a = {d['a']:.3f} "
              f"[{d['a_interval'][0]:.3f}, {d['a_interval'][1]:.3f}], b = {d['b']:.3f} "
              f"[{d['b_interval'][0]:.3f}, {d['b_interval'][1]:.3f}] ({used} of "
              f"{len(d['budgets'])} bins used); envelope a = {env['a']:.3f}, "
              f"b = {env['b']:.3f} ({env['points']} points)")
        print(f"     bins: {ch[name]['statuses']}; used bins at the edge: "
              f"{ch[name]['at_edge_used']}; runs per used bin: {ch[name]['runs_per_used_bin']}")
    for k, v in HOFFMANN.items():
        print(f"   Hoffmann et al. {k}: a = {v['a']} {v['a_interval']}, "
              f"b = {v['b']} {v['b_interval']}")
    if "porian" not in result:
        return
    print("\n3. Porian et al. 2024: exponent a of N_opt ∝ C^a (ours: parabola window=3, and "
          "estimator='akima')")
    print(f"{'config':<42} {'parabola a [95%]':>22} {'in?':>4} {'akima a [95%]':>22} {'in?':>4} "
          f"{'theirs [95%]':>22} {'rerun':>6} {'whole':>6}")
    for r in result["porian"]["rows"]:
        mark = "" if r["figure1"] else " *"
        print(f"{r['config'] + mark:<42} {r['a']:.3f} [{r['a_lo']:.3f}, {r['a_hi']:.3f}] "
              f"{'yes' if r['inside'] else 'NO':>4} {r['a_akima']:.3f} "
              f"[{r['a_akima_lo']:.3f}, {r['a_akima_hi']:.3f}] "
              f"{'yes' if r['inside_akima'] else 'NO':>4} {r['theirs']:.3f} "
              f"[{r['theirs_lo']:.3f}, {r['theirs_hi']:.3f}] {r['their_estimator_rerun']:>6.3f} "
              f"{r['a_whole_sweep']:>6.3f}")
    print("   * not in their Figure 1; in? = inside their 95% interval; rerun = the library's "
          "Akima minima with their budget weights 1/n_star_std; whole = one parabola over "
          "each whole sweep")
    diff = max(abs(r["a"] - r["a_log_loss"]) for r in result["porian"]["rows"])
    print(f"   window=3 parabolas in ln loss instead of loss: largest change in a {diff:.4f}")
    for cid, d in result["porian"]["diagnoses"].items():
        print(f"\n   {cid}: per-budget N_opt, ours vs theirs")
        for b in d["budgets"]:
            print(f"     C={b['flops']:.3g} lowest loss at size {b['lowest_loss_at_size']:>2} "
                  f"of {b['n_sizes']:>2}: ours={b['ours']:.3g} theirs={b['theirs']:.3g} "
                  f"ln ratio={b['ln_ratio']:+.3f} (their sd {b['their_ln_sd']:.3f})"
                  f"{' at_edge' if b['at_edge'] else ''}")
        inside = [s for s in d["swap_one_budget"] if s["inside"]]
        print("     swapping one budget's N_opt for theirs puts a inside their interval for: "
              + (", ".join(f"C={s['flops']:.3g} (a={s['a']:.3f})" for s in inside) or "none"))
    print("\n   configurations inside their interval, by parabola window (all / Figure 1):")
    for w in result["porian"]["windows"]:
        name = "whole sweep" if w["window"] is None else f"window={w['window']}"
        print(f"     {name:<12} {w['inside']:>2}/{w['configs']}   {w['inside_figure1']:>2}/10")
    t = result["porian"]["timing"]
    print(f"\n4. Time: {t['configs']} configurations x {t['n_boot']} resamples: parabola "
          f"(window=3) {t['seconds']:.2f} s, akima {t['seconds_akima']:.2f} s "
          f"(best of {t['seconds_best_of']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "source": "Hoffmann et al. 2022 (arXiv:2203.15556), Approaches 1 and 2; Chinchilla "
                  "points via Epoch AI (arXiv:2404.10102); Porian et al. 2024 "
                  "(arXiv:2406.19146, formll/resolving-scaling-law-discrepancies)",
        "command": "python benchmarks/bench_isoflop.py",
        "python": platform.python_version(), "machine": platform.machine(),
        "n_boot": args.n_boot,
    }
    result["synthetic"] = synthetic(args.n_boot)
    result["envelope_synthetic"] = envelope_synthetic()
    result["chinchilla"] = chinchilla(args.n_boot)
    if args.data.exists():
        result["porian"] = porian(args.data, args.n_boot)
    else:
        print(f"no Porian data at {args.data}; skipping section 3", file=sys.stderr)
    show(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(json_value(result), indent=1) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
