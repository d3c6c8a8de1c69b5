"""Law and fitting-choice selection, and plain backtests, on real sweeps.

Data: the open_lm sweep of Li, Kudugunta, Zettlemoyer, "(Mis)Fitting Scaling Laws" (ICLR 2025,
arXiv:2502.18969; repository hadasah/scaling_laws), read from
``../shared/data/misfitting/checkpoints.csv``; and the bundled Chinchilla points (Hoffmann et
al. 2022 as extracted by Epoch AI, arXiv:2404.10102).

1. The usual table: per (model, planned_tokens) the final checkpoint of the learning rate with
   the lowest final loss (76 rows, 9 model sizes, 12M to 303M non-embedding parameters).
2. ``sl.validate.select(ds)`` with its defaults (laws chinchilla and kaplan; five fitting
   choices; rolling holdout over the 3 largest sizes): its table, the chosen law and choice,
   its backtest error and the default (chinchilla, Huber 1e-3) error beside it.
3. ``sl.validate.backtest("chinchilla", ds, train="largest=3", n_boot=200)`` (fit on the 6
   smaller sizes, score the 3 larger), and the same law on the bundled Chinchilla data with
   ``train="flops<1e21"`` and ``train="largest=3"``.
4. The chinchilla fits whose E runs to its bound 0: per rolling fold, the default fit (status,
   E, every start's status, iterations, E and alpha), the same fit without the engine's
   boundary probe (where it stops at ``max_iter``), the objective profile over a fixed E, the
   fit when E may be negative (down to -20) and the law it tends to (linear in log N), and the
   same fit with ``max_iter=3000``.

Prints the tables and writes ``benchmarks/results/bench_select.json``.
Run: ``python benchmarks/bench_select.py [--data FILE] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
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
from scalinglaws.validate import backtest, select
from scalinglaws.validate.split import folds

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "misfitting" / "checkpoints.csv"
E_PROFILE = (2.0, 1.0, 0.5, 0.1, 0.01, 1e-3, 1e-6)


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
        t0 = time.perf_counter()
        sel = select(ds)
        seconds = time.perf_counter() - t0
        print("\n== select(ds): rolling holdout over the 3 largest sizes ==")
        print(sel)
        print(f"chosen: {sel.law} with '{sel.choice.name}'; backtest mean |rel. error| "
              f"{sel.backtest_error:.2%}; default (chinchilla, huber 1e-3) "
              f"{sel.default_error:.2%}; refit on all data: {sel.fit.status.value}; "
              f"{seconds:.1f} s")
        record["select"] = {**sel.to_dict(), "seconds": seconds,
                            "folds": {f"{law} / {choice}": [
                                {"label": f.label, "status": f.fit.status.value,
                                 "n_train": f.n_train} for f in bt.folds]
                                for (law, choice), bt in sel.backtests.items()}}
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
        print("\n== chinchilla's E runs to its bound 0 in the rolling folds ==")
        record["boundary_diagnosis"] = diagnose(ds)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1, default=jf) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
