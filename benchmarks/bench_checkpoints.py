"""Does fitting on intermediate checkpoints forecast larger runs better than final points alone?
A nested comparison on the open-LM sweep of Li et al. (arXiv:2502.18969).

Data: ``misfitting/checkpoints.csv`` beside the clone (``../shared/data``). Exact duplicate
rows are dropped; per (model, total_steps) the run of lowest final loss is kept (75 runs); its
checkpoints are its curve. Five of those runs (17M) hold rows of two runs under one name (two
losses at one step, e.g. 3.85 and 5.95 at step 128): every row at a repeated step is dropped
except the chosen final one.

Protocol, fixed before any result was seen:

- Outer splits by model size: fit on models up to 70M and forecast the best runs' final losses
  at 100M, 200M and 300M; up to 100M -> 200M, 300M; up to 200M -> 300M. The score is the mean
  absolute relative error (MARE) on those final points only.
- Candidates (:data:`RECIPES`), each answering one reason why checkpoints may mislead: runs
  logged ~100x more often than others, learning rates not yet annealed, the early transient.
- "chosen by inner backtest": inside each outer training set, rolling-origin folds over its own
  sizes (:func:`scalinglaws.validate.nested.rolling_origin`, three cuts at its largest sizes)
  score every candidate on the inner held-out final points (pooled MARE; ties go to the
  earlier candidate); the chosen candidate's outer error is reported, so that choice never
  sees the outer answers.

Run: ``python benchmarks/bench_checkpoints.py``; prints the table and writes
``benchmarks/results/bench_checkpoints.json``.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import scalinglaws as sl
from scalinglaws.data import curves as cv
from scalinglaws.validate.nested import INNER, rolling_origin

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "misfitting" / "checkpoints.csv"
#: largest model size fitted by each outer split (non-embedding parameters, rounded names)
OUTER = (("<=70M", 75e6), ("<=100M", 150e6), ("<=200M", 250e6))
LAW = "chinchilla"
SCHEDULE_LAW = "E + A/N**alpha + B/D**beta + G*g"
SCHEDULE_COLUMNS = {"N": "params", "D": "tokens", "g": "g"}

Recipe = Callable[[pd.DataFrame], tuple[pd.DataFrame, np.ndarray | None]]


def _final(c: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray | None]:
    return c[c["final"]], None


def _late(fraction: float, weights: Callable[[pd.DataFrame], np.ndarray] | None = None
          ) -> Recipe:
    def make(c: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray | None]:
        rows = cv.late(c, fraction)
        return rows, None if weights is None else weights(rows)
    return make


def _thinned(c: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray | None]:
    return cv.thin(cv.late(c, 0.1), per_run=5), None


@dataclass(frozen=True)
class Candidate:
    name: str
    why: str
    rows: Recipe
    schedule: bool = False


#: the candidate grid, fixed in advance (the first is the baseline)
RECIPES: tuple[Candidate, ...] = (
    Candidate("final points only", "baseline", _final),
    Candidate("checkpoints >= 10%", "the Hitchhiker's Guide's recipe", _late(0.1)),
    Candidate("checkpoints >= 10%, equal run weights", "long runs logged ~100x more",
              _late(0.1, cv.run_weights)),
    Candidate("checkpoints >= 10%, half of each run's weight on its final point",
              "long runs logged ~100x more; the final point is the target",
              _late(0.1, lambda r: cv.run_weights(r, final=0.5))),
    Candidate("checkpoints >= 10%, log-thinned to 5 per run", "long runs logged ~100x more",
              _thinned),
    Candidate("checkpoints >= 50%", "early checkpoints far from the power-law regime",
              _late(0.5)),
    Candidate("checkpoints >= 80%", "early checkpoints far from the power-law regime",
              _late(0.8)),
    Candidate("checkpoints >= 50%, equal run weights", "both of the above",
              _late(0.5, cv.run_weights)),
    Candidate("checkpoints >= 10% + schedule term G·g, g = (1+cos πf)/2, predicted at g = 0",
              "learning rate not annealed at f < 1", _late(0.1), schedule=True),
)


def load(path: Path = DATA) -> pd.DataFrame:
    """The curves of the best run per (model, total_steps), cleaned as the docstring says."""
    ck = pd.read_csv(path).drop_duplicates().reset_index(drop=True)
    ck["final"] = ck["final"].astype(bool)
    finals = ck[ck["final"]]
    chosen = finals.groupby(["model", "total_steps"])["loss"].idxmin()
    c = ck[ck["run"].isin(ck.loc[chosen, "run"])].copy()
    repeated = c.duplicated(["run", "step"], keep=False)
    c = c[~repeated | c.index.isin(chosen)]
    c = c[~c["final"] | c.index.isin(chosen)]  # one final point per run, the chosen one
    c = c.sort_values(["run", "step"]).reset_index(drop=True)
    c["g"] = (1.0 + np.cos(np.pi * c["fraction_of_training"])) / 2.0
    return c


def schedule_gap(c: pd.DataFrame) -> pd.DataFrame:
    """How far each intermediate checkpoint sits above the final losses of the same model's
    runs trained to the same tokens (interpolated in log-log between the best runs' finals),
    by fraction of training: a cosine schedule that anneals to zero would put it above."""
    out = []
    for _, g in c.groupby("model"):
        fin = g[g["final"]].sort_values("tokens")
        lt, ll = np.log(fin["tokens"].to_numpy(float)), np.log(fin["loss"].to_numpy())
        x = g[~g["final"]]
        x = x[(np.log(x["tokens"]) >= lt.min()) & (np.log(x["tokens"]) <= lt.max())]
        gap = x["loss"].to_numpy() / np.exp(np.interp(np.log(x["tokens"].to_numpy(float)),
                                                      lt, ll)) - 1.0
        out.append(pd.DataFrame({"f": x["fraction_of_training"].to_numpy(), "gap": gap}))
    d = pd.concat(out, ignore_index=True)
    bands = pd.cut(d["f"], [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0])
    return d.groupby(bands, observed=True)["gap"].agg(["size", "median"]).reset_index()


@dataclass
class Evaluation:
    """Outer errors per candidate and split, the inner choice per split, rows fitted."""

    splits: tuple[str, ...]
    errors: dict[str, list[float]] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)
    inner: dict[str, dict[str, float]] = field(default_factory=dict)
    chosen: list[str] = field(default_factory=list)
    held_out: list[int] = field(default_factory=list)
    #: each candidate's fitted parameters and status on each outer training set
    params: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    status: dict[str, list[str]] = field(default_factory=dict)

    @property
    def chosen_errors(self) -> list[float]:
        return [self.errors[name][k] for k, name in enumerate(self.chosen)]


class _Fits:
    """Each candidate's fit on the runs below a size, computed once."""

    def __init__(self, c: pd.DataFrame) -> None:
        self.c = c
        self.cache: dict[tuple[str, float], tuple[sl.FitResult, int]] = {}

    def get(self, cand: Candidate, below: float) -> tuple[sl.FitResult, int]:
        key = (cand.name, below)
        if key not in self.cache:
            rows, weights = cand.rows(self.c[self.c["params"] < below].reset_index(drop=True))
            ds = sl.Dataset.from_frame(rows[["run", "step", "params", "tokens", "g", "loss"]])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", sl.ScalingLawWarning)
                if cand.schedule:
                    fit = sl.fit(SCHEDULE_LAW, ds, columns=SCHEDULE_COLUMNS, weights=weights)
                else:
                    fit = sl.fit(LAW, ds, weights=weights)
            self.cache[key] = (fit, len(rows))
        return self.cache[key]

    def errors(self, cand: Candidate, below: float, test: pd.DataFrame) -> np.ndarray:
        """Absolute relative errors of the forecasts of ``test``'s final losses."""
        fit, _ = self.get(cand, below)
        inputs = {"params": test["params"].to_numpy(float),
                  "tokens": test["tokens"].to_numpy(float)}
        if cand.schedule:
            inputs["g"] = np.zeros(len(test))  # fully annealed
        predicted = np.asarray(fit.predict(extrapolation=None, **inputs), dtype=float)
        err = np.abs(predicted / test["loss"].to_numpy() - 1.0)
        ok = fit.status.value in ("converged", "at_bound") and np.isfinite(err).all()
        return err if ok else np.full(len(test), np.nan)


def _below(sizes: np.ndarray) -> float:
    """A cut just above the largest size fitted (one key per training set)."""
    return float(sizes.max()) * 1.01


def evaluate(path: Path = DATA) -> Evaluation:
    """The whole nested comparison (about 10 s)."""
    c = load(path)
    fits = _Fits(c)
    finals = c[c["final"]].reset_index(drop=True)
    size = finals["params"].to_numpy(float)
    ev = Evaluation(splits=tuple(label for label, _ in OUTER))
    for label, top in OUTER:
        train, test = size <= top, size > top
        below = _below(size[train])
        for cand in RECIPES:
            err = fits.errors(cand, below, finals[test])
            ev.errors.setdefault(cand.name, []).append(float(err.mean()))
            fit, n_rows = fits.get(cand, below)
            ev.rows.setdefault(cand.name, []).append(n_rows)
            ev.params.setdefault(cand.name, []).append(
                {k: float(v) for k, v in fit.params.items()})
            ev.status.setdefault(cand.name, []).append(fit.status.value)
        inner = {}
        for cand in RECIPES:
            pooled = [fits.errors(cand, _below(size[fold.train]), finals[fold.test])
                      for fold in rolling_origin(size, train, INNER, "inner<")]
            inner[cand.name] = float(np.concatenate(pooled).mean())
        ev.inner[label] = inner
        scores = np.array([inner[cand.name] for cand in RECIPES])
        ev.chosen.append(RECIPES[int(np.nanargmin(scores))].name)
        ev.held_out.append(int(test.sum()))
    return ev


def table(ev: Evaluation) -> str:
    """The markdown table: one row per candidate and one for the inner choice."""
    head = " | ".join(f"fit {s} ({n} runs held out)" for s, n in zip(ev.splits, ev.held_out,
                                                                     strict=True))
    lines = [f"| recipe | {head} | mean | rows fitted |",
             "|---" * (len(ev.splits) + 3) + "|"]
    for cand in RECIPES:
        e = ev.errors[cand.name]
        lines.append(f"| {cand.name} | " + " | ".join(f"{v:.2%}" for v in e)
                     + f" | {np.mean(e):.2%} | " + " / ".join(map(str, ev.rows[cand.name]))
                     + " |")
    e = ev.chosen_errors
    lines.append("| chosen by inner backtest | " + " | ".join(f"{v:.2%}" for v in e)
                 + f" | {np.mean(e):.2%} | – |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"
                                             / "bench_checkpoints.json"))
    args = parser.parse_args()
    c = load(Path(args.data))
    print(f"{len(c):,} rows, {c['run'].nunique()} runs (best per model and total_steps)\n")
    print("Intermediate checkpoints against final losses at the same tokens (median gap):")
    gap = schedule_gap(c)
    print(gap.to_string(index=False, float_format=lambda v: f"{v:+.4f}"))
    start = time.perf_counter()
    ev = evaluate(Path(args.data))
    seconds = time.perf_counter() - start
    print()
    print(table(ev))
    print()
    for label, name in zip(ev.splits, ev.chosen, strict=True):
        print(f"fit {label}: inner backtest chose '{name}' "
              f"(inner error {ev.inner[label][name]:.2%})")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {"rows": len(c), "runs": int(c["run"].nunique()),
            "min_params": float(c["params"].min()), "max_params": float(c["params"].max())}
    schedule = [{"f_from": float(band.left), "f_to": float(band.right), "size": int(size),
                 "median": float(median)}
                for band, size, median in zip(gap["f"], gap["size"], gap["median"],
                                              strict=True)]
    out.write_text(json.dumps({"splits": ev.splits, "held_out": ev.held_out,
                               "errors": ev.errors, "rows": ev.rows, "inner": ev.inner,
                               "chosen": ev.chosen, "params": ev.params,
                               "status": ev.status, "data": data,
                               "schedule_gap": schedule, "seconds": seconds},
                              indent=2) + "\n")


if __name__ == "__main__":
    main()
