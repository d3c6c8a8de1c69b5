"""Law and fitting-choice selection, backtested one level up, and plain backtests, on real
sweeps.

Data: the open_lm sweep of Li, Kudugunta, Zettlemoyer, "(Mis)Fitting Scaling Laws" (ICLR 2025,
arXiv:2502.18969; repository hadasah/scaling_laws), read from
``../shared/data/misfitting/checkpoints.csv``; and the bundled Chinchilla points (Hoffmann et
al. 2022 as extracted by Epoch AI, arXiv:2404.10102).

1. The usual table: per (model, planned_tokens) the final checkpoint of the learning rate with
   the lowest final loss (76 rows, 9 model sizes, 12M to 303M non-embedding parameters).
2. ``sl.validate.select(ds)`` with its defaults (laws chinchilla and kaplan, the 17 choices
   of ``sl.validate.DEFAULT_CHOICES``, rolling holdout over the 3 largest sizes, nested
   backtest): its table and choice; its time (median of 3) against one default
   ``sl.fit("chinchilla", ds)`` in the same process.
3. The nested table. On each of the two outer rolling-origin folds (fit below 199M
   parameters and forecast 199M and 303M; fit below 303M and forecast 303M) the whole choice
   is rerun through the public API on the outer training rows (``select`` with strategy
   auto, best and average, then ``Selection.predict``) and every fixed recipe (law, choice)
   is fitted with ``sl.fit`` (the choice's options, smallest sizes dropped, compute weights).
   Per row: the nested error (mean absolute relative error of the forecasts of both folds,
   each weighted 1 + ln(size / largest fitted size), as ``select`` weighs them) and each
   fold's plain mean absolute relative error. Rows: the three strategies, the default recipe
   (chinchilla, Huber 1e-3), OLMo-core's (chinchilla, Huber 1e-3, over-estimates penalised
   x10), and the best, median and worst fixed recipe in hindsight. These are checked against
   ``sel.nested`` (the figures ``select`` computes itself). Per fold, the 90% coverage of the
   chosen fit's calibrated interval (``sl.calibrate``) and of ``Selection.predict_interval``.
4. ``sl.validate.backtest("chinchilla", ...)`` with calibrated intervals: on the sweep with
   ``train="largest=3"`` (fit the 6 smaller sizes, score the 3 larger), and on the bundled
   Chinchilla data with ``train="flops<1e21"`` and ``train="largest=3"``.
5. The chinchilla fits whose E runs to its bound 0: per rolling fold, the default fit (status,
   E, every start's status, iterations, E and alpha), the same fit without the engine's
   boundary probe, the objective profile over a fixed E, the fit when E may be negative
   (down to -20) and the law it tends to (linear in log N), and the same fit with
   ``max_iter=3000``.

Prints the tables and writes ``benchmarks/results/bench_select.json``.
Run: ``python benchmarks/bench_select.py [--data FILE] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

import scalinglaws as sl
from scalinglaws.laws import catalog
from scalinglaws.validate import DEFAULT_CHOICES, Choice, backtest, select
from scalinglaws.validate.candidates import compute_of
from scalinglaws.validate.nested import INNER, OUTER, rolling_origin
from scalinglaws.validate.split import Fold, folds

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "misfitting" / "checkpoints.csv"
E_PROFILE = (2.0, 1.0, 0.5, 0.1, 0.01, 1e-3, 1e-6)
LAWS = ("chinchilla", "kaplan")
#: the default recipe, and OLMo-core's (over-estimates of the loss penalised ten times)
DEFAULT = ("chinchilla", "huber 1e-3")
OLMO_CORE = ("chinchilla", "huber 1e-3, overestimate x10")
STRATEGIES = ("auto", "best", "average")
LEVEL = 0.9
REPEATS = 3


def best_lr_table(checkpoints: pd.DataFrame) -> pd.DataFrame:
    """Per (model, planned_tokens): the final checkpoint of the best learning rate."""
    final = checkpoints[checkpoints["final"].astype(bool)]
    best = final.loc[final.groupby(["model", "planned_tokens"])["loss"].idxmin()]
    cols = ["run", "model", "params", "tokens", "flops", "loss", "planned_tokens", "peak_lr"]
    return best[cols].sort_values(["params", "tokens"]).reset_index(drop=True)


def jf(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: jf(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]


def fmt(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def show_backtest(title: str, bt: Any) -> dict[str, Any]:
    print(f"\n== {title} ==")
    print(bt)
    print(f"  status {bt.status}; params " + ", ".join(f"{k}={v:.4g}"
                                                      for k, v in bt.fit.params.items()))
    return bt.to_dict(points=False)


# -- timing --------------------------------------------------------------------------------
def timed(call: Any) -> tuple[Any, float]:
    """``call()``'s first result and the median of :data:`REPEATS` wall-clock times."""
    seconds, first = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        out = call()
        seconds.append(time.perf_counter() - t0)
        first = out if first is None else first
    return first, statistics.median(seconds)


# -- the nested table ----------------------------------------------------------------------
def outer_folds(ds: sl.Dataset) -> list[Fold]:
    """The nested backtest's outer folds, as ``select`` makes them: a rolling origin over the
    2 largest sizes, each with room for inner folds in its training rows."""
    size = ds.column("params")
    every = np.ones(len(ds), dtype=bool)
    return [f for f in rolling_origin(size, every, OUTER, "outer<")
            if rolling_origin(size, f.train, INNER, "inner<")]


def fixed_fit(law: str, choice: Choice, train: sl.Dataset) -> sl.FitResult:
    """``law`` fitted with ``choice`` alone (a fixed recipe) on the training runs."""
    rows = train
    if choice.drop_smallest:
        sizes = np.unique(train.column("params"))
        rows = train[train.column("params") >= sizes[choice.drop_smallest]]
    weights = None
    if choice.weight == "compute":
        compute = compute_of(rows)
        weights = np.sqrt(compute / compute.max())
    return sl.fit(law, rows, weights=weights, **choice.fit_options)


def outer_fold(ds: sl.Dataset, fold: Fold) -> dict[str, Any]:
    """One outer fold through the public API: ``select`` with each strategy and every fixed
    recipe on the training runs, their forecasts of the held-out runs, and the coverage of
    the chosen fit's intervals."""
    train, test = ds[fold.train], ds[fold.test]
    inputs = {"params": test.column("params"), "tokens": test.column("tokens")}
    y = test.column("loss")
    out: dict[str, Any] = {
        "label": fold.label, "n_train": len(train), "n_test": len(test),
        "train_sizes": int(np.unique(train.column("params")).size),
        "largest_fitted": float(train.column("params").max()),
        "held_out_sizes": sorted(float(v) for v in np.unique(inputs["params"])),
        "y": y, "weight": 1.0 + np.log(inputs["params"] / train.column("params").max()),
        "predicted": {}, "picked": {}}
    for strategy in STRATEGIES:
        # auto decides between best and average by its own nested backtest on these rows
        sel = select(train, list(LAWS), strategy=strategy,
                     nested_backtest=strategy == "auto")
        out["predicted"][strategy] = np.asarray(sel.predict(**inputs), dtype=float)
        out["picked"][strategy] = {
            "strategy": sel.strategy,
            "members": [{"law": law, "choice": c, "weight": w} for (law, c), w in zip(
                sel.ensemble.members, sel.ensemble.weights, strict=True)]}
        if strategy == "auto":
            chosen = sl.calibrate(sel.fit)
            lo, hi = chosen.predict_interval(LEVEL, kind="calibrated", **inputs)
            e_lo, e_hi, kind = sel.predict_interval(LEVEL, **inputs)
            out["coverage"] = {
                "chosen_fit": f"{sel.law} | {sel.choice.name}",
                "calibrated": float(np.mean((y >= lo) & (y <= hi))),
                "calibrated_median_width": float(np.median((hi - lo) / chosen.predict(
                    **inputs))),
                "selection": float(np.mean((y >= e_lo) & (y <= e_hi))),
                "selection_kind": kind,
                "selection_median_width": float(np.median((e_hi - e_lo)
                                                          / out["predicted"][strategy]))}
    for law in LAWS:
        for choice in DEFAULT_CHOICES:
            fit = fixed_fit(law, choice, train)
            out["predicted"][(law, choice.name)] = np.asarray(fit.predict(**inputs),
                                                              dtype=float)
    return out


def scored(folds_out: list[dict[str, Any]], key: Any) -> dict[str, float]:
    """The nested (weighted) error of one row over the outer folds, and each fold's plain
    mean absolute relative error."""
    errs = [np.abs(f["predicted"][key] / f["y"] - 1.0) for f in folds_out]
    w = np.concatenate([f["weight"] for f in folds_out])
    out = {"nested_error": float(np.concatenate(errs) @ w / w.sum())}
    for f, e in zip(folds_out, errs, strict=True):
        out[f"fold {f['label']}"] = float(np.mean(e))
    return out


def nested_table(folds_out: list[dict[str, Any]]) -> pd.DataFrame:
    """The strategies, the default and OLMo-core recipes, and the best, median and worst
    fixed recipe in hindsight (by nested error)."""
    fixed = {(law, c.name): scored(folds_out, (law, c.name))
             for law in LAWS for c in DEFAULT_CHOICES}
    ranked = sorted(fixed, key=lambda k: fixed[k]["nested_error"])
    rows = [{"row": f"select(), strategy {s}", "law": "", "choice": "",
             **scored(folds_out, s)} for s in STRATEGIES]
    named = [("default recipe", DEFAULT), ("OLMo-core recipe", OLMO_CORE),
             ("best fixed recipe in hindsight", ranked[0]),
             (f"median fixed recipe ({(len(ranked) + 1) // 2} of {len(ranked)})",
              ranked[(len(ranked) - 1) // 2]),
             ("worst fixed recipe in hindsight", ranked[-1])]
    rows += [{"row": name, "law": key[0], "choice": key[1], **fixed[key]}
             for name, key in named]
    table = pd.DataFrame(rows)
    table.attrs["fixed"] = {f"{law} | {c}": v for (law, c), v in fixed.items()}
    table.attrs["median_fixed_error"] = float(np.median([v["nested_error"]
                                                        for v in fixed.values()]))
    return table


def percent(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.copy()
    for col in shown.columns:
        if col == "nested_error" or col.startswith("fold "):
            shown[col] = shown[col].map(lambda v: f"{100 * v:.2f}%")
    return shown


def checked_against_select(table: pd.DataFrame, sel: Any) -> dict[str, Any]:
    """The public API's nested figures against those ``select`` computed itself
    (``sel.nested``: warm-started fits, cached per training rows)."""
    mine = {s: float(table.loc[table["row"] == f"select(), strategy {s}",
                               "nested_error"].iloc[0]) for s in ("best", "average")}
    fixed = table.attrs["fixed"]
    diffs = {f"strategy {s}": abs(mine[s] - sel.nested.strategy_error[s]) for s in mine}
    diffs.update({f"{law} | {c}": abs(fixed[f"{law} | {c}"]["nested_error"] - v)
                  for (law, c), v in sel.nested.fixed_error.items()})
    worst = max(diffs, key=lambda k: diffs[k])
    return {"max_abs_difference": diffs[worst], "where": worst,
            "strategy_error": dict(sel.nested.strategy_error),
            "fixed_error": {f"{law} | {c}": v for (law, c), v in
                            sel.nested.fixed_error.items()},
            "folds": list(sel.nested.folds), "n_test": sel.nested.n_test}


def fit_without_probe(law: sl.Law, ds: sl.Dataset) -> sl.FitResult:
    """``sl.fit`` with the engine's boundary probe switched off (as before the probe)."""
    with mock.patch("scalinglaws.engine.multistart.snap_to_zero",
                    lambda obj, batch, max_iter: batch):
        return sl.fit(law, ds)


def start_records(fit: sl.FitResult) -> pd.DataFrame:
    if fit.starts is None:
        return pd.DataFrame()
    cols = ["objective", "status", "n_iter", "init_E", "E", "init_alpha", "alpha"]
    return fit.starts.to_frame()[cols]


def diagnose(ds: sl.Dataset) -> list[dict[str, Any]]:
    """The chinchilla law's default fit in each rolling fold, taken apart."""
    law = catalog.get("chinchilla")
    free_e = sl.Law("E + A/N**alpha + B/D**beta",
                    parameters={"E": {"lower": -20.0, "upper": 20.0}}, name="chinchilla, E free")
    # the limit alpha -> 0, A -> inf, E -> -inf of the chinchilla law: linear in log N
    log_linear = sl.Law("c - s*log(N) + B/D**beta", name="log-linear in N")
    out = []
    for fold in folds(ds, "rolling"):
        train, test = ds[fold.train], ds[fold.test]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = sl.fit(law, train)
        warns = sorted({str(w.message).split(":")[0] for w in caught})
        raw = fit_without_probe(law, train)
        long = sl.fit(law, train, max_iter=3000)
        free = sl.fit(free_e, train)
        limit = sl.fit(log_linear, train)
        starts, raw_starts = start_records(fit), start_records(raw)
        pred = law(fit.params, params=test.params, tokens=test.tokens)
        pred_raw = law(raw.params, params=test.params, tokens=test.tokens)
        pred_long = law(long.params, params=test.params, tokens=test.tokens)
        profile = []
        for e in E_PROFILE:
            pinned = law.with_parameters(E={"lower": e * (1 - 1e-12), "upper": e * (1 + 1e-12),
                                            "log": True})
            pf = sl.fit(pinned, train)
            profile.append({"E": e, "objective": pf.objective, "alpha": pf.params["alpha"],
                            "A": pf.params["A"]})
        n = train.params
        row = {
            "fold": fold.label, "n_train": len(train), "status": fit.status.value,
            "objective": fit.objective, "params": dict(fit.params),
            "warnings": warns, "starts": records(starts),
            "condition": fit.diagnostics.condition if fit.diagnostics else math.nan,
            "n_term_change_over_training_range": float(
                (n.min() / n.max()) ** -fit.params["alpha"]),
            "without_probe": {"status": raw.status.value, "objective": raw.objective,
                              "params": dict(raw.params), "starts": records(raw_starts),
                              "condition": raw.diagnostics.condition if raw.diagnostics
                              else math.nan},
            "max_rel_forecast_change_vs_without_probe": float(
                np.max(np.abs(pred - pred_raw) / pred)),
            "max_iter_3000": {"status": long.status.value, "objective": long.objective,
                              "params": dict(long.params),
                              "n_iter": [int(v) for v in long.starts.n_iter]
                              if long.starts is not None else []},
            "max_rel_forecast_change_vs_3000": float(np.max(np.abs(pred - pred_long)
                                                            / pred_long)),
            "E_free": {"status": free.status.value, "objective": free.objective,
                       "params": dict(free.params)},
            "E_profile": profile,
            "log_linear_in_N": {"status": limit.status.value, "objective": limit.objective,
                                "params": dict(limit.params)},
        }
        out.append(row)
        print(f"\n-- fold {fold.label} ({len(train)} training rows): {fit.status.value}, "
              f"objective {fit.objective:.7g}, condition {row['condition']:.2g} "
              "(E at its bound held fixed)")
        print("   " + ", ".join(f"{k}={v:.4g}" for k, v in fit.params.items()))
        print("   warnings: " + "; ".join(warns))
        print(fmt(starts))
        print(f"   without the boundary probe: {raw.status.value}, E={raw.params['E']:.3g}, "
              f"objective {raw.objective:.7g}, condition {row['without_probe']['condition']:.2g}"
              f"; forecasts differ by at most "
              f"{row['max_rel_forecast_change_vs_without_probe']:.1e} (relative)")
        print(fmt(raw_starts))
        print(f"   A/N^alpha changes by x{row['n_term_change_over_training_range']:.3f} over "
              f"the training sizes ({n.min():.3g} to {n.max():.3g} parameters)")
        print("   objective with E pinned: " + ", ".join(
            f"E={p['E']:g}: {p['objective']:.7g} (alpha {p['alpha']:.3f})" for p in profile))
        print(f"   E free to go negative: E={free.params['E']:.3g}, alpha="
              f"{free.params['alpha']:.3g}, objective {free.objective:.7g} ({free.status.value})")
        print(f"   its limit c - s*log(N) + B/D^beta: objective {limit.objective:.7g} "
              f"({limit.status.value}; s={limit.params['s']:.3g}, beta="
              f"{limit.params['beta']:.3g})")
        print(f"   max_iter=3000: {long.status.value}, E={long.params['E']:.2g}, objective "
              f"{long.objective:.7g}, iterations per start "
              f"{row['max_iter_3000']['n_iter']}; forecasts differ by at most "
              f"{row['max_rel_forecast_change_vs_3000']:.1e} (relative)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"
                                             / "bench_select.json"))
    args = parser.parse_args()
    if not Path(args.data).is_file():
        sys.exit(f"no data at {args.data} (see ../shared/data/MANIFEST.md)")
    pd.set_option("display.width", 200)
    table = best_lr_table(pd.read_csv(args.data))
    ds = sl.Dataset.from_frame(table, name="misfitting (best LR per model and budget)")
    print(f"misfitting: {len(table)} rows, {table['params'].nunique()} model sizes "
          f"({table['params'].min():.3g} to {table['params'].max():.3g} parameters), tokens "
          f"{table['tokens'].min():.3g} to {table['tokens'].max():.3g}")
    record: dict[str, Any] = {
        "source": "Li, Kudugunta, Zettlemoyer 2025, arXiv:2502.18969 (hadasah/scaling_laws); "
                  "Chinchilla points: Hoffmann et al. 2022 via Epoch AI, arXiv:2404.10102",
        "command": "python benchmarks/bench_select.py",
        "python": platform.python_version(), "machine": platform.machine(),
        "data": {"rows": len(table), "sizes": int(table["params"].nunique()),
                 "table": records(table.drop(columns="run"))},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        # 2. select with its defaults, timed against one default fit
        sel, select_seconds = timed(lambda: select(ds))
        _, fit_seconds = timed(lambda: sl.fit("chinchilla", ds))
        print(f"\n== select(ds): {len(sel.table)} candidates, rolling holdout over the 3 "
              "largest sizes, nested backtest ==")
        print(sel)
        print(f"time (median of {REPEATS}): select {select_seconds:.2f} s, one default "
              f"sl.fit('chinchilla') {fit_seconds:.3f} s: x{select_seconds / fit_seconds:.0f}")
        record["select"] = {
            **sel.to_dict(), "n_candidates": len(sel.table),
            "nested_strategy_error": dict(sel.nested.strategy_error),
            "backtests": {f"{law} | {choice}": bt.to_dict(points=False)
                          for (law, choice), bt in sel.backtests.items()}}
        record["timing"] = {"repeats": REPEATS, "select_seconds": select_seconds,
                            "fit_seconds": fit_seconds,
                            "ratio": select_seconds / fit_seconds}

        # 3. the nested table, through the public API
        t0 = time.perf_counter()
        folds_out = [outer_fold(ds, f) for f in outer_folds(ds)]
        nested = nested_table(folds_out)
        check = checked_against_select(nested, sel)
        seconds = time.perf_counter() - t0
        print("\n== nested backtest: each row fitted on the outer training rows, scored on "
              "the larger runs ==")
        for f in folds_out:
            picks = {s: f"{p['strategy']} ({p['members'][0]['law']} | "
                        f"{p['members'][0]['choice']})" for s, p in f["picked"].items()}
            print(f"fold {f['label']}: fit {f['n_train']} runs of {f['train_sizes']} sizes up "
                  f"to {f['largest_fitted']:.3g}, forecast {f['n_test']} runs at "
                  + ", ".join(f"{v:.3g}" for v in f["held_out_sizes"])
                  + f"; auto picks {picks['auto']}")
        print(percent(nested).to_string(index=False))
        print(f"median nested error of the {len(nested.attrs['fixed'])} fixed recipes: "
              f"{nested.attrs['median_fixed_error']:.2%}; select() on all {len(ds)} rows "
              f"picks strategy {sel.strategy} (nested_error {sel.nested_error:.2%}, that "
              f"strategy's error with hindsight of the outer folds)")
        print(f"against sel.nested: largest difference {check['max_abs_difference']:.1e} "
              f"({check['where']})")
        print(f"\n{LEVEL:.0%} interval coverage of the chosen fit (select, strategy auto), "
              "per outer fold:")
        for f in folds_out:
            c = f["coverage"]
            print(f"  fold {f['label']} ({c['chosen_fit']}): calibrated {c['calibrated']:.0%} "
                  f"of {f['n_test']} (median width {c['calibrated_median_width']:.2%}); "
                  f"Selection.predict_interval ({c['selection_kind']}) {c['selection']:.0%} "
                  f"(median width {c['selection_median_width']:.2%})")
        n_test = sum(f["n_test"] for f in folds_out)
        covered = {k: sum(f["coverage"][k] * f["n_test"] for f in folds_out) / n_test
                   for k in ("calibrated", "selection")}
        print(f"  both folds: calibrated {covered['calibrated']:.0%}, selection "
              f"{covered['selection']:.0%} of {n_test}")
        record["nested"] = {
            "table": records(nested), "fixed": nested.attrs["fixed"],
            "median_fixed_error": nested.attrs["median_fixed_error"],
            "against_select": check, "coverage": covered, "seconds": seconds,
            "folds": [{k: v for k, v in f.items() if k not in ("y", "weight", "predicted")}
                      for f in folds_out]}

        # 4. plain backtests
        bts = {}
        t0 = time.perf_counter()
        bts["misfitting, largest=3"] = backtest("chinchilla", ds, train="largest=3", n_boot=200)
        chin = sl.datasets.load("chinchilla")
        for rule in ("flops<1e21", "largest=3"):
            bts[f"chinchilla data, {rule}"] = backtest("chinchilla", chin, train=rule,
                                                       n_boot=200)
        seconds = time.perf_counter() - t0
        record["backtests"] = {k: show_backtest(f"backtest chinchilla law, {k}", v)
                               for k, v in bts.items()}
        record["backtests_seconds"] = seconds

        # 5. E at its bound
        print("\n== chinchilla's E runs to its bound 0 in the rolling folds ==")
        record["boundary_diagnosis"] = diagnose(ds)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1, default=jf) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
