"""Choosing the base model to fine-tune from small fine-tuning subsets (Lin et al. 2024,
"Selecting Large Language Model to Fine-tune via Rectified Scaling Law", arXiv:2402.02314).

Each candidate is fine-tuned on subsets doubling in size; the ``rectified`` law (their eq. 3),
which has the flat pre-power phase a plain power law lacks, is fitted to its (size, loss)
points and forecasts its loss on the full set, with a bootstrap interval. After every round
the candidate with the lowest forecast leads; a candidate whose interval lies wholly above
the leader's cannot win and is fine-tuned no further, so the compute goes to the candidates
still in the running (two rounds in a row, so that one surprising forecast of the leader
stops nobody). This keeps the paper's premise (the loss at the full size, forecast
from subsets where the pre-power phase is fitted, not cut away) and replaces its
accept-then-stop threshold by the intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level, check_n_boot, integer_at_least
from ..exceptions import OptionError
from .forecast import Forecast, forecast
from .inputs import Oracle, Source, checked_size, read
from .result import COLUMNS, Selection

#: rounds in a row a candidate's interval must lie above the leader's before it is stopped
PATIENCE = 2


def select(candidates: Any, budget: float = 0.5, *, full_size: float | None = None,
           oracle: Oracle | None = None, sizes: Sequence[float] | None = None,
           columns: Mapping[str, str] | None = None, cost: Mapping[str, float] | None = None,
           min_points: int = 5, level: float = 0.9, n_boot: int = 100,
           seed: int | None = 0) -> Selection:
    """The candidate to fine-tune: lowest forecast loss on ``full_size`` examples.

    ``candidates`` is one of

    - a tidy table with columns ``candidate``, ``examples`` (the subset size) and ``loss``
      (``columns={"examples": "n"}`` maps other names): runs already made. The selection is
      replayed on them, smallest subsets first, so the result says how much of that compute
      early stopping would have saved;
    - a dict of candidate -> runs (a table with ``examples`` and ``loss``, or a pair
      ``(sizes, losses)``), read as the table is; or candidate -> function of the subset size
      returning the fine-tuned loss;
    - a list of candidate names with ``oracle=lambda candidate, size: loss``, which
      fine-tunes and evaluates on request.

    ``full_size`` is the number of examples of the full fine-tuning set, where the losses
    are forecast and compared (for recorded runs, by default their largest subset: runs that
    include the full set show what early stopping would have saved).

    With functions or an oracle, subsets are requested as the selection goes: each candidate's
    first ``min_points`` sizes of ``sizes`` (default: ``full_size`` / 2^13, ..., / 8, sizes
    below 10 examples left out), then one more size per round for the candidates still in
    the running. Nothing beyond ``budget`` (a fraction of the compute of fine-tuning every
    candidate on ``full_size``; ``cost`` weighs each candidate's examples, e.g. by its
    parameters) is requested. ``level`` and ``n_boot`` set the bootstrap intervals.

    >>> import scalinglaws as sl
    >>> law = sl.laws.get("rectified")
    >>> truth = {"a": (60.0, 15.0, 0.55, 0.9), "b": (40.0, 40.0, 0.6, 0.8),
    ...          "c": (90.0, 10.0, 0.5, 1.0)}
    >>> curves = {k: (lambda d, p=p: float(law(dict(zip(law.parameter_names, p)),
    ...                                        examples=d))) for k, p in truth.items()}
    >>> pick = sl.finetune.select(curves, full_size=409_600)
    >>> pick.best, pick.fraction < 0.5
    ('b', True)
    """
    level = check_level(level)
    n_boot = check_n_boot(n_boot, "no interval, no early stopping", "use e.g. 100")
    min_points = integer_at_least(min_points, "min_points", 5,
                                  "the rectified law has 4 parameters: use 5 or more")
    budget = _fraction(budget)
    source = read(candidates, oracle, columns, min_points)
    full = _full_size(full_size, source)
    schedule = _schedules(source, full, sizes, min_points)
    weights = _costs(source.names, cost)
    return _run(source, schedule, weights, full, budget, min_points, level, n_boot, seed)


def _full_size(full_size: Any, source: Source) -> float:
    if full_size is not None:
        return checked_size(full_size, "full_size")
    if source.sizes is None:
        raise OptionError("the size of the full fine-tuning set is not given",
                          "argument 'full_size' of select",
                          "pass full_size= (the examples each candidate would be fine-tuned "
                          "on)")
    return max(max(v) for v in source.sizes.values())


def _fraction(budget: Any) -> float:
    try:
        value = float(budget)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 < value <= 1.0:
        raise OptionError(f"budget must be a fraction in (0, 1], got {budget!r}",
                          "argument 'budget' of select",
                          "give the share of fine-tuning every candidate fully that the "
                          "selection may spend, e.g. 0.5")
    return value


def _schedules(source: Source, full: float, sizes: Sequence[float] | None,
               min_points: int) -> dict[str, tuple[float, ...]]:
    if source.sizes is not None:
        if sizes is not None:
            raise OptionError("sizes= is given with recorded runs", "argument 'sizes' of select",
                              "leave it out: the runs' own subset sizes are used")
        return dict(source.sizes)
    if sizes is None:
        steps = full / 2.0 ** np.arange(13, 2, -1)
        plan = tuple(float(round(v)) for v in steps if v >= 10)
    else:
        plan = tuple(checked_size(v, "sizes") for v in sizes)
        if any(b <= a for a, b in pairwise(plan)):
            raise OptionError(f"sizes must increase, got {list(plan)}",
                              "argument 'sizes' of select", "give increasing subset sizes")
    if len(plan) < min_points:
        raise OptionError(f"{len(plan)} subset sizes; the rectified law needs at least "
                          f"{min_points}", "argument 'sizes' of select",
                          "give more sizes (doubling from a few dozen examples), or a larger "
                          "full_size")
    return dict.fromkeys(source.names, plan)


def _costs(names: Sequence[str], cost: Mapping[str, float] | None) -> dict[str, float]:
    if cost is None:
        return dict.fromkeys(names, 1.0)
    unknown = sorted(set(map(str, cost)) - set(names))
    if unknown:
        raise OptionError(f"cost given for unknown candidate(s) {', '.join(unknown)}",
                          "argument 'cost' of select", f"use {', '.join(names)}")
    return {n: checked_size(cost.get(n, 1.0), "cost") for n in names}


def _run(source: Source, schedule: dict[str, tuple[float, ...]], weights: dict[str, float],
         full: float, budget: float, min_points: int, level: float, n_boot: int,
         seed: int | None) -> Selection:
    names = source.names
    full_cost = full * sum(weights.values())
    points: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    spent = 0.0

    def affordable(name: str) -> bool:
        size = schedule[name][len(points[name])]
        return spent + weights[name] * size <= budget * full_cost * (1 + 1e-12)

    def request(name: str) -> None:
        nonlocal spent
        size = schedule[name][len(points[name])]
        points[name].append((size, float(source.oracle(name, size))))
        spent += weights[name] * size

    for name in names:
        for _ in range(min_points):
            if not affordable(name):
                need = sum(weights[n] * sum(schedule[n][:min_points]) for n in names)
                raise OptionError(f"budget {budget:g} cannot pay for {min_points} subsets of "
                                  f"every candidate ({need / full_cost:.3g} of the full cost)",
                                  "argument 'budget' of select",
                                  "raise the budget or start from smaller subsets")
            request(name)
    alive, stopped = list(names), set()
    strikes = dict.fromkeys(names, 0)
    found: dict[str, Forecast] = {}
    rounds = 0
    while True:
        rounds += 1
        for i, name in enumerate(alive):
            # each round adds one subset: the last forecast is the one without it
            before = found[name].loss if name in found else None
            found[name] = forecast(points[name], full, level=level, n_boot=n_boot,
                                   seed=None if seed is None else seed + 1000 * rounds + i,
                                   before=before)
        leader = min(alive, key=lambda n: _key(found[n]))
        top = found[leader].high
        for name in alive:
            behind = name != leader and found[name].low > top
            strikes[name] = strikes[name] + 1 if behind else 0
        stopped |= {n for n in alive if strikes[n] >= PATIENCE}
        alive = [n for n in alive if n not in stopped]
        grow = [n for n in alive if len(points[n]) < len(schedule[n]) and affordable(n)]
        if len(alive) == 1 or not grow:
            break
        for name in grow:
            if affordable(name):
                request(name)
    return _result(names, alive, stopped, found, points, weights, full, level, spent,
                   full_cost, rounds, source.recorded)


def _key(f: Forecast) -> float:
    return f.loss if f.usable else float("inf")


def _result(names: Sequence[str], alive: list[str], stopped: set[str],
            found: Mapping[str, Forecast], points: Mapping[str, list[tuple[float, float]]],
            weights: Mapping[str, float], full: float, level: float, spent: float,
            full_cost: float, rounds: int, recorded: bool) -> Selection:
    order = sorted(alive, key=lambda n: _key(found[n])) + sorted(
        stopped, key=lambda n: _key(found[n]))
    rows = []
    for rank, name in enumerate(order, start=1):
        f, pts = found[name], points[name]
        status = "best" if rank == 1 else ("stopped" if name in stopped else "kept")
        rows.append((name, rank, f.loss, f.low, f.high, status, pts[-1][0], len(pts),
                     weights[name] * sum(d for d, _ in pts)))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return Selection(best=order[0], table=table, full_size=full, level=level, spent=spent,
                     full_cost=full_cost, rounds=rounds, recorded=recorded,
                     fits={n: found[n].fit for n in names},
                     points={n: tuple(points[n]) for n in names})
