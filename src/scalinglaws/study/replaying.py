"""``sl.study.replay``: how much of a sweep did its forecast need? The run choice of
:func:`.suggest_runs` replayed on a sweep already run ("Spend Less, Fit Better": sequential
selection under a budget): start from its cheapest runs, let the rule choose the next run among
the sweep's others, reveal that run's real loss, refit, and go on until the budget (a fraction
of the cost of every non-target run) is spent; then forecast the target runs, beside the fit on
every non-target run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..common.jsonvalues import json_value
from ..exceptions import OptionError
from ..fitting import FitResult, fit
from .suggest import suggest_runs
from .sweep import forecast_errors, read_sweep, run_flops, target_runs


@dataclass(frozen=True)
class Replay:
    """The runs chosen in order (``runs``: inputs, ``cost``, ``spent``: the fraction of the
    sweep's cost so far, ``are``: the mean error of the targets' forecast after it), and the
    final forecast's error beside the fit on all runs."""

    runs: pd.DataFrame
    start: int
    budget: float
    spent: float
    are: float
    are_all: float
    law: str
    target: str

    def to_dict(self) -> dict[str, Any]:
        return json_value({
            "law": self.law, "target": self.target, "budget_fraction": self.budget,
            "spent_fraction": self.spent, "start_runs": self.start,
            "chosen_runs": len(self.runs) - self.start, "are": self.are,
            "are_all_runs": self.are_all, "runs": self.runs.to_dict(orient="records")})

    def __str__(self) -> str:
        return (f"Replay of '{self.law}' on the runs {self.target}: {len(self.runs)} runs "
                f"({self.start} to start) cost {self.spent:.1%} of the sweep; forecast error "
                f"{self.are:.2%}, against {self.are_all:.2%} fitting every run")


def replay(data: Any, law: Any = "chinchilla", *, target: str = "params==max",
           budget: float = 0.1, start: int | None = None, size: str = "params",
           best_of: str | None = None, best_by: Sequence[str] | None = None,
           fit_options: Mapping[str, Any] | None = None, method: str = "linear",
           n_sim: int = 32, seed: int | None = 0) -> Replay:
    """Replay the choice of runs on a sweep (final points; ``best_of``/``best_by`` keep the
    best learning rate per cell). ``budget`` is the fraction of the cost of the non-target
    runs the choice may spend, ``start`` the number of cheapest runs it starts from (default:
    the law's parameters plus one, the fewest that identify it with a residual to spare)."""
    if not 0.0 < float(budget) <= 1.0:
        raise OptionError(f"budget is a fraction of the sweep's cost in (0, 1], not {budget!r}",
                          "argument 'budget'", "give e.g. 0.1")
    sweep = read_sweep(data, size=size, best_of=best_of, best_by=best_by)
    targets = target_runs(sweep, target)
    finals = sweep.finals
    pool = finals[~finals["_run"].isin(set(targets))].reset_index(drop=True)
    goal = finals[finals["_run"].isin(set(targets))]
    cols = [c for c in finals.columns if not c.startswith("_")]
    options = dict(fit_options or {})
    full = _fit(law, pool[cols], options)
    columns = [str(c) for c in full.law.inputs.values()]
    point = {c: float(np.exp(np.mean(np.log(goal[c].to_numpy(dtype=float))))) for c in columns}
    cost = run_flops(pool, size)
    total = float(cost.sum())
    n0 = len(full.law.parameters) + 1 if start is None else int(start)
    if not 1 <= n0 < len(pool):
        raise OptionError(f"start={n0} runs leaves no choice among {len(pool)}",
                          "argument 'start'", f"give fewer than {len(pool)}")
    chosen = list(np.argsort(cost, kind="stable")[:n0])
    rows = [_row(pool, columns, cost, total, chosen, i, np.nan) for i in chosen]
    current = _fit(law, pool.iloc[chosen][cols], options)
    while True:
        left = budget * total - float(cost[chosen].sum())
        free = np.array([i for i in range(len(pool)) if i not in chosen and cost[i] <= left])
        if free.size == 0:
            break
        pick = suggest_runs(current, point, budget_flops=max(left, float(cost[free].min())),
                            candidates=pool.iloc[free][columns].reset_index(drop=True),
                            cost=_fixed_costs(cost[free]), n_runs=1, n_sim=n_sim,
                            method=method, seed=seed)
        if pick.runs.empty:
            break
        i = int(free[int(pick.runs["candidate"].iloc[0])])
        chosen.append(i)
        current = _fit(law, pool.iloc[chosen][cols], options)
        rows.append(_row(pool, columns, cost, total, chosen, i, _error(current, goal)))
    return Replay(runs=pd.DataFrame(rows), start=n0, budget=float(budget),
                  spent=float(cost[chosen].sum()) / total, are=_error(current, goal),
                  are_all=_error(full, goal),
                  law=full.law.name, target=target)


def _fixed_costs(values: np.ndarray) -> Callable[[pd.DataFrame], np.ndarray]:
    """The candidates' costs as suggest_runs takes a cost function."""
    return lambda frame: values


def _fit(law: Any, frame: pd.DataFrame, options: Mapping[str, Any]) -> FitResult:
    out = fit(law, frame.reset_index(drop=True), **options)
    if not isinstance(out, FitResult):
        raise OptionError("replay takes single fits", "argument 'fit_options'",
                          "leave out by= and the step law")
    return out


def _error(result: FitResult, goal: pd.DataFrame) -> float:
    return float(np.mean(forecast_errors(result, goal)[2]))


def _row(pool: pd.DataFrame, columns: list[str], cost: np.ndarray, total: float,
         chosen: list[int], i: int, are: float) -> dict[str, Any]:
    return {"run": pool["_run"].iloc[i], **{c: float(pool[c].iloc[i]) for c in columns},
            "cost": float(cost[i]), "spent": float(cost[chosen].sum()) / total, "are": are}
