"""The search of one fit: starting points (variable projection over a grid, or an exhaustive
grid, or the user's own), then a batched Levenberg–Marquardt from every start and a Newton
polish of the survivors. Returns every start's end point; :mod:`.verdict` judges them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..laws.law import Law
from . import starts as st
from .boundary import snap_to_zero
from .domain import DOMAIN_POINTS, domain_starts, repaired
from .objective import Objective
from .optimizer import CONVERGED, BatchResult, minimize_batched
from .options import FitOptions
from .projection import projected_values

#: a start that reaches the iteration limit having gained less than STALL_SHIFT / dof of its
#: objective over its last STALL_WINDOW Newton iterations is reported as settled in a flat
#: valley, not as unconverged: moving one parameter by one standard error changes a
#: least-squares objective by about 1/dof of its value, so those iterations moved the fit by
#: less than 0.1 standard error (z^2 = 0.01)
STALL_WINDOW, STALL_SHIFT = 50, 0.01
#: rows × parameters² past which a problem counts as large (Chinchilla: 240 × 25 = 6,000; a
#: 15-parameter law on 1,911 runs: 430,000), and the polish prunes its starts every
#: POLISH_PRUNE iterations
LARGE_WORK, POLISH_PRUNE = 200_000, 50


@dataclass(frozen=True)
class Search:
    """Where every start began (``U0``, search coordinates), how it ended (``batch``), the
    design the starts came from (its kind and number of points) and how many starts were
    moved into the law's domain before the search (``repaired``)."""

    U0: np.ndarray
    batch: BatchResult
    design: str = ""
    design_size: int = 0
    repaired: int = 0


def search(obj: Objective, options: FitOptions, init: Any = None) -> Search:
    """Optimise the objective from the starts ``options`` (or ``init``) call for."""
    U0, design, size = _starting_points(obj, obj.law, obj.X, init, options.starts,
                                        options.n_polish)
    U0, moved = repaired(obj, obj.X, U0)
    batch = _optimise(obj, U0, options.max_iter, prune=options.starts == "grid" and init is None)
    return Search(U0=U0, batch=batch, design=design, design_size=size, repaired=moved)


def _optimise(obj: Objective, U0: np.ndarray, max_iter: int, prune: bool) -> BatchResult:
    """IRLS Levenberg–Marquardt from every start, then a Newton polish of the survivors."""
    coarse = minimize_batched(obj, U0, max_iter=max_iter, ftol=1e-4,
                              prune_every=3 if prune else None)
    alive = np.flatnonzero(coarse.usable)
    if prune and alive.size > 8:
        alive = alive[np.argsort(coarse.value[alive])[:8]]
    if alive.size == 0:
        return coarse
    dof = max(np.size(obj.y) - U0.shape[1], 1)
    # on large problems the Newton polish drops the worse half of the starts still running
    # every POLISH_PRUNE iterations (the best start always survives): starts far behind it
    # otherwise spend most of the time creeping to their iteration limit
    large = np.size(obj.y) * U0.shape[1] ** 2 > LARGE_WORK
    fine = minimize_batched(obj, coarse.U[alive], max_iter=max_iter, exact=True, lam0=1e-6,
                            stall_window=STALL_WINDOW, stall_rtol=STALL_SHIFT / dof,
                            prune_every=POLISH_PRUNE if large else None, keep=1)
    fine = snap_to_zero(obj, fine, max_iter)
    U, value = coarse.U.copy(), coarse.value.copy()
    status, n_iter = coarse.status.copy(), coarse.n_iter.copy()
    U[alive], value[alive] = fine.U, fine.value
    status[alive] = np.where(fine.status == CONVERGED, CONVERGED,
                             np.maximum(fine.status, coarse.status[alive]))
    n_iter[alive] += fine.n_iter
    return BatchResult(U=U, value=value, status=status, n_iter=n_iter)


def _starting_points(obj: Objective, law: Law, X: Sequence[np.ndarray], init: Any, starts: str,
                     n_polish: int) -> tuple[np.ndarray, str, int]:
    """The starts (search coordinates), the kind of design they came from and its size."""
    if init is not None:
        U = obj.clip(obj.search(st.user_starts(law, init)))
        return U, "init", len(U)
    U, design, size = _grid_starting_points(obj, law, X, starts, n_polish)
    guessed = st.guessed_starts(law, X, obj.y)
    if guessed is not None:
        U = np.vstack([U, obj.clip(obj.search(guessed))])
    return U, design, size


def _grid_starting_points(obj: Objective, law: Law, X: Sequence[np.ndarray], starts: str,
                          n_polish: int) -> tuple[np.ndarray, str, int]:
    if starts == "grid":
        U = obj.clip(obj.search(st.exhaustive_grid(law, X)))
        return U, "grid", len(U)
    design = st.projected_design(law, X)
    P, values = projected_values(obj, design.theta)
    values[~np.isfinite(P).all(axis=1)] = np.inf
    floor = 1e-12 * (1.0 + float(np.max(np.abs(obj.y))))
    for i, prm in enumerate(law.parameters):
        if prm.log:
            P[:, i] = np.where(P[:, i] > 0, P[:, i], floor)
    chosen = st.pick_diverse(values, design.coords, n_polish, min_gap=2.0)
    if chosen.size == 0:  # no candidate is finite: look over every parameter's box
        rescued = domain_starts(obj, X, n_polish)
        if rescued is not None:
            return obj.clip(obj.search(rescued)), "domain", DOMAIN_POINTS
        chosen = np.arange(min(n_polish, len(P)))
        P = np.nan_to_num(P, nan=1.0)
    return obj.clip(obj.search(P[chosen])), design.kind, len(design)
