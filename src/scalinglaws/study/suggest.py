"""``sl.study.suggest_runs``: the next runs that most narrow a forecast per unit of compute.

The forecast is the fitted law at a target (``{"params": 7e10, "tokens": 1.4e12}``, or
``{"flops": 1e23}``: the compute-optimal allocation there). A design's worth is the width of
the forecast's ``level`` range over refits on simulated outcomes (:mod:`.simulate`): the
interval the fit would have if those runs were trained. Runs are chosen greedily, one round at
a time ("Spend Less, Fit Better", sequential selection under a budget), by one of two rules:

* ``method="linear"`` (the default): the run that most shrinks the forecast's linearised
  variance (the information of the fit's runs and those chosen so far, Sherman–Morrison) per
  FLOP, until the budget, ``n_runs`` or the candidates run out; then each run's worth is
  measured by simulation, the width once it and those before it are trained.
* ``method="simulate"``: every round prices a shortlist (``screen`` candidates: half the best
  per FLOP by the linear rule, half the best outright) by simulation and keeps the ``batch``
  that narrow the simulated width most per FLOP; it stops when none narrows it.

Both return the better of their sequence and the best single affordable run (budgeted greedy
selection). On synthetic sweeps the linear rule chose better designs: a simulated width from a
few dozen sets is noisy enough to stop the simulated rule early (``docs/study.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, positive_int, positive_number
from ..exceptions import OptionError
from ..fitting import FitResult
from .candidates import candidate_costs, candidate_grid, target_point
from .simulate import Simulator, linear_gain
from .suggested import SuggestedRuns

Array = np.ndarray


def suggest_runs(fit: FitResult, target: Mapping[str, float], *, budget_flops: float,
                 candidates: pd.DataFrame | None = None,
                 cost: str | Callable[[pd.DataFrame], Any] | None = None,
                 n_runs: int | None = None, batch: int = 1, n_sim: int = 128, screen: int = 8,
                 level: float = 0.9, noise: float | None = None, method: str = "linear",
                 seed: int | None = 0, data: Any = None) -> SuggestedRuns:
    """The runs to train next, in order, within ``budget_flops``; returns
    :class:`SuggestedRuns` (``runs``, the forecast's width before and after each, the
    compute spent).

    Parameters
    ----------
    fit:
        A fit that carries its data (``sl.fit`` keeps them).
    target:
        Where the forecast matters: the law's inputs by column (``{"params": 7e10,
        "tokens": 1.4e12}``) or ``{"flops": C}`` for a (params, tokens) law (the
        compute-optimal point of ``fit`` at C).
    budget_flops:
        The compute the next runs may spend together.
    candidates:
        Runs that could be trained, a row each with the law's input columns (and a cost
        column if ``cost`` names one); default: a log grid over model sizes from the smallest
        fitted to four times the largest, at 5 to 80 tokens per parameter.
    cost:
        A column of ``candidates``, a function of the candidates' frame giving one cost per
        row, or None: ``flops`` if the candidates have it, else 6·params·tokens.
    n_runs, batch:
        At most ``n_runs`` runs (default: as many as the budget buys), ``batch`` chosen per
        round (1: fully sequential).
    noise:
        The run-to-run noise of an outcome on the fit's scale (the standard deviation of log
        losses for the log objectives: 0.01 is 1%); default: from the fit's residuals.
    data:
        The data the fit was made on, when it does not carry them (a fit read from a file
        saved without its data).
    n_sim, screen, level, seed:
        Simulated outcome sets per design, candidates priced by simulation per round, the
        level of the forecast's range, the seed of the simulated noise.
    """
    if not isinstance(fit, FitResult):
        raise OptionError(f"suggest_runs takes a single fit, not a {type(fit).__name__}",
                          "argument 'fit'", "pass the result of sl.fit(law, data)")
    level = check_level(level)
    budget = positive_number(budget_flops, "budget_flops", "give FLOPs, e.g. 1e20")
    for name, v in (("n_sim", n_sim), ("screen", screen), ("batch", batch)):
        positive_int(v, name, "give e.g. 8")
    if n_sim < 8:
        raise OptionError(f"n_sim={n_sim} simulated sets cannot give a {level:.0%} range",
                          "argument 'n_sim'", "use at least 8 (128 by default)")
    if method not in ("linear", "simulate"):
        raise OptionError(f"unknown method '{method}'", "argument 'method'",
                          "use 'linear' (the default) or 'simulate'")
    point = target_point(fit, target)
    frame = candidate_grid(fit) if candidates is None else candidates.reset_index(drop=True)
    costs = candidate_costs(frame, cost)
    limit = len(frame) if n_runs is None else int(n_runs)
    sim = Simulator.of(fit, n_sim=int(n_sim), extra=min(limit, len(frame)) + int(batch),
                       level=level, seed=seed, noise=noise, data=data)
    X_cand = sim.inputs(frame)
    t = np.array([[point[c]] for c in sim.columns], dtype=float)
    width0, _ = sim.width(np.empty((len(sim.columns), 0)), t)
    lin = _Linear(sim, X_cand, t)
    if method == "linear":
        chosen = _linear_choice(lin, costs, budget, limit)
        rows, width = _measured(sim, frame, X_cand, costs, chosen, t, width0)
    else:
        rows, width = _simulated_choice(sim, lin, frame, X_cand, costs, t, width0, budget,
                                        limit, int(batch), int(screen))
    spent = float(sum(r["cost"] for r in rows))
    order = [int(r["candidate"]) for r in rows]
    for k, row in enumerate(rows):
        row["width_linear"] = lin.width(order[:k + 1])
    runs = pd.DataFrame(rows, columns=[*sim.columns, "cost", "width", "width_linear",
                                       "candidate"])
    return SuggestedRuns(runs=runs, target=point, width_before=width0,
                         width_linear_before=lin.width([]),
                         width_after=width, budget=budget, spent=spent, level=level,
                         law=fit.law.name, noise=sim.noise, n_candidates=len(frame))


class _Linear:
    """The linearised variance of the forecast: the Jacobians of the fit's runs, of the
    candidates and of the target at the fitted parameters."""

    def __init__(self, sim: Simulator, X_cand: Array, t: Array) -> None:
        self.g = sim.jacobian(t)[0]
        self.J = sim.jacobian(sim.X)
        self.Jc = sim.jacobian(X_cand)
        z = NormalDist().inv_cdf(0.5 + sim.level / 2)
        self.scale = 2.0 * z * sim.noise * sim.target_scale(t)

    def width(self, chosen: list[int]) -> float:
        """The linearised ``level`` range of the forecast with the ``chosen`` runs."""
        return self.scale * float(np.sqrt(max(_variance(self, chosen), 0.0)))

    def gain(self, chosen: list[int], free: Array) -> Array:
        design = np.vstack([self.J, self.Jc[chosen]]) if chosen else self.J
        return linear_gain(design, self.Jc[free], self.g)


def _affordable(n: int, chosen: list[int], costs: Array, left: float) -> Array:
    return np.array([i for i in range(n) if i not in chosen
                     and costs[i] <= left * (1 + 1e-9)], dtype=int)


def _linear_choice(lin: _Linear, costs: Array, budget: float, limit: int) -> list[int]:
    """Greedy by linearised shrinkage per FLOP, then the better of that sequence and the
    single affordable run that shrinks the variance most."""
    chosen: list[int] = []
    left = budget
    while len(chosen) < limit:
        free = _affordable(len(costs), chosen, costs, left)
        if free.size == 0:
            break
        gain = lin.gain(chosen, free)
        if not chosen:
            single = int(free[np.argmax(gain)])
        k = int(np.argmax(gain / costs[free]))
        if not gain[k] > 0:
            break
        chosen.append(int(free[k]))
        left -= float(costs[free[k]])
    if chosen and _variance(lin, [single]) < _variance(lin, chosen):
        return [single]
    return chosen


def _variance(lin: _Linear, chosen: list[int]) -> float:
    design = np.vstack([lin.J, lin.Jc[chosen]]) if chosen else lin.J
    M = design.T @ design
    M = M + 1e-9 * (np.trace(M) / max(M.shape[0], 1) + 1e-300) * np.eye(M.shape[0])
    return float(lin.g @ np.linalg.pinv(M) @ lin.g)


def _measured(sim: Simulator, frame: pd.DataFrame, X_cand: Array, costs: Array,
              chosen: list[int], t: Array, width0: float) -> tuple[list[dict[str, Any]], float]:
    """The chosen runs in order, each with the simulated width once it and those before it
    are trained."""
    rows: list[dict[str, Any]] = []
    width = width0
    for k, i in enumerate(chosen):
        width, _ = sim.width(X_cand[:, chosen[:k + 1]], t)
        rows.append(_row(sim, frame, costs, i, width))
    return rows, width


def _row(sim: Simulator, frame: pd.DataFrame, costs: Array, i: int,
         width: float) -> dict[str, Any]:
    return {**{c: float(frame[c].iloc[i]) for c in sim.columns}, "cost": float(costs[i]),
            "width": width, "candidate": int(i)}


def _simulated_choice(sim: Simulator, lin: _Linear, frame: pd.DataFrame, X_cand: Array,
                      costs: Array, t: Array, width0: float, budget: float, limit: int,
                      batch: int, screen: int) -> tuple[list[dict[str, Any]], float]:
    """Each round prices a shortlist by simulation and keeps the ``batch`` that narrow the
    simulated width most per FLOP; stops when none narrows it."""
    chosen: list[int] = []
    rows: list[dict[str, Any]] = []
    width, left = width0, budget
    single: tuple[float, float, int] | None = None
    while len(chosen) < limit:
        free = _affordable(len(costs), chosen, costs, left)
        if free.size == 0:
            break
        shortlist = _shortlist(free, lin.gain(chosen, free), costs[free], screen)
        priced = []
        for i in shortlist:
            w, _ = sim.width(X_cand[:, [*chosen, i]], t)
            priced.append(((width - w) / costs[i], w, int(i)))
        if single is None:
            single = min(priced, key=lambda item: item[1])
        priced.sort(key=lambda item: -item[0])
        picks = [item for item in priced[:batch] if item[0] > 0]
        if not picks:
            break
        for _, w, i in picks:
            if len(chosen) >= limit or costs[i] > left * (1 + 1e-9):
                continue
            chosen.append(i)
            left -= float(costs[i])
            if len(picks) > 1:
                w, _ = sim.width(X_cand[:, chosen], t)
            rows.append(_row(sim, frame, costs, i, w))
            width = w
    if single is not None and chosen and single[1] < width:
        return [_row(sim, frame, costs, single[2], single[1])], single[1]
    return rows, width


def _shortlist(free: Array, gain: Array, cost: Array, screen: int) -> Array:
    """The candidates priced by simulation: the best by linearised shrinkage per FLOP and,
    as many again, the best by shrinkage alone (larger runs, which the ratio passes over)."""
    by_ratio = free[np.argsort(-(gain / cost), kind="stable")]
    by_gain = free[np.argsort(-gain, kind="stable")]
    out: list[int] = []
    for i in [*by_ratio[:max(1, screen - screen // 2)], *by_gain]:
        if int(i) not in out:
            out.append(int(i))
        if len(out) == screen:
            break
    return np.array(out, dtype=int)

