"""Stage 1 of a hyper-parameter law: each (params, tokens) cell's best learning rate and batch
size, located by a smooth fit around the grid's minimum rather than taken as the raw argmin.

Around the run with the lowest loss, the runs at most ``window`` grid steps away on each axis
(the cell's own sorted values of log lr and log batch size) whose loss is within
``MAX_EXCESS`` of the minimum (diverged runs are far above it) are fitted by weighted least
squares with a quadratic in (log lr, log batch size); the weights ``exp(-(L/L_min - 1) /
TAU)`` favour the runs closest to the optimum, where the quadratic describes the landscape
best. Its minimum is the cell's optimum when the quadratic is convex and the minimum lies
within the runs fitted. Otherwise, and always when the minimum sits on the edge of the
swept values, the cell keeps the grid's best run (``argmin``) and says why. A cell with a
single batch size (or a single learning rate) is fitted along the other axis alone, and the
axis it did not sweep has no optimum there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: runs more than this fraction above a cell's minimum loss are left out of its fit
MAX_EXCESS = 0.05
#: the weights' scale: a run 1% above the minimum weighs e^-1 of the best one
TAU = 0.01
#: grid steps on each side of the minimum fitted by default (a 5 × 5 neighbourhood)
WINDOW = 2

QUADRATIC = "quadratic"
LR_ONLY = "quadratic in lr"
BATCH_ONLY = "quadratic in batch size"
ARGMIN = "argmin"
SKIPPED = "skipped"


@dataclass(frozen=True)
class CellOptimum:
    """One cell's optimum (natural units; NaN along an axis the cell did not sweep)."""

    lr: float
    batch: float
    loss: float  # the fitted (or best observed) loss at the optimum
    method: str
    reason: str
    n_used: int


@dataclass(frozen=True)
class Cell:
    """A cell's runs, prepared once: logs and grid positions (for every resample)."""

    u: np.ndarray  # log lr
    v: np.ndarray  # log batch size
    loss: np.ndarray
    iu: np.ndarray  # index of each run's lr among the cell's sorted values
    iv: np.ndarray
    nu: int  # distinct learning rates in the cell
    nv: int

    @classmethod
    def of(cls, lr: np.ndarray, batch: np.ndarray, loss: np.ndarray) -> Cell:
        u, v = np.log(lr), np.log(batch)
        ul, iu = np.unique(np.round(u, 3), return_inverse=True)
        vl, iv = np.unique(np.round(v, 3), return_inverse=True)
        return cls(u, v, np.asarray(loss, dtype=float), iu.ravel(), iv.ravel(), ul.size,
                   vl.size)


def cell_optimum(cell: Cell, counts: np.ndarray | None = None,
                 window: int = WINDOW) -> CellOptimum:
    """The optimum of one cell; ``counts`` are the runs' multiplicities in a resample (0:
    absent), None for the data as they are."""
    present = np.ones(cell.loss.size, bool) if counts is None else counts > 0
    if not present.any():
        return _skipped("no run in the cell")
    masked = np.where(present, cell.loss, np.inf)
    best = int(np.argmin(masked))
    low = cell.loss[best]
    near = (present & (np.abs(cell.iu - cell.iu[best]) <= window)
            & (np.abs(cell.iv - cell.iv[best]) <= window)
            & (cell.loss <= low * (1 + MAX_EXCESS)))
    weight = np.exp(-(cell.loss[near] / low - 1) / TAU)
    if counts is not None:
        weight = weight * counts[near]
    du, dv = cell.u[near] - cell.u[best], cell.v[near] - cell.v[best]
    n_used = int(near.sum())
    lr, batch = float(np.exp(cell.u[best])), float(np.exp(cell.v[best]))
    distinct_u, distinct_v = np.unique(cell.iu[near]).size, np.unique(cell.iv[near]).size
    if cell.nu < 2 and cell.nv < 2:
        return _skipped("a single learning rate and a single batch size")
    if cell.nv < 2:
        return _one_axis(du, cell.loss[near], weight, distinct_u, cell.iu[best], cell.nu,
                         "learning rate", (cell.u[best], np.nan), n_used, LR_ONLY, low)
    if cell.nu < 2:
        found = _one_axis(dv, cell.loss[near], weight, distinct_v, cell.iv[best], cell.nv,
                          "batch size", (cell.v[best], np.nan), n_used, BATCH_ONLY, low)
        return CellOptimum(np.nan, found.lr, found.loss, found.method, found.reason,
                           found.n_used)
    edge = _edge(cell.iu[best], cell.nu, "learning rate") or _edge(
        cell.iv[best], cell.nv, "batch size")
    if edge:
        return CellOptimum(lr, batch, low, ARGMIN, edge, 1)
    if distinct_u < 3 or distinct_v < 3 or n_used < 6:
        return CellOptimum(lr, batch, low, ARGMIN, f"too few runs around the minimum "
                           f"({n_used} within {window} steps and {MAX_EXCESS:.0%} of it)", 1)
    x = np.column_stack([np.ones_like(du), du, dv, du**2, dv**2, du * dv])
    coef = _weighted_lstsq(x, cell.loss[near], weight)
    hess = np.array([[2 * coef[3], coef[5]], [coef[5], 2 * coef[4]]])
    if not np.all(np.linalg.eigvalsh(hess) > 0):
        return CellOptimum(lr, batch, low, ARGMIN, "the quadratic around the minimum is "
                           "not convex", 1)
    step = -np.linalg.solve(hess, coef[1:3])
    if not (du.min() <= step[0] <= du.max() and dv.min() <= step[1] <= dv.max()):
        return CellOptimum(lr, batch, low, ARGMIN, "the quadratic's minimum lies outside "
                           "the runs fitted", 1)
    fitted = coef[0] + 0.5 * float(coef[1:3] @ step)
    return CellOptimum(float(np.exp(cell.u[best] + step[0])),
                       float(np.exp(cell.v[best] + step[1])), float(fitted), QUADRATIC, "",
                       n_used)


def _one_axis(d: np.ndarray, loss: np.ndarray, weight: np.ndarray, distinct: int,
              at: int, n_values: int, name: str, centre: tuple[float, float], n_used: int,
              method: str, low: float) -> CellOptimum:
    """A 1-D quadratic along the one swept axis (returned in the ``lr`` slot; the other is
    NaN: the cell did not sweep it)."""
    other = f"the cell has a single {'batch size' if method == LR_ONLY else 'learning rate'}"
    best = float(np.exp(centre[0]))
    edge = _edge(at, n_values, name)
    if edge:
        return CellOptimum(best, np.nan, low, ARGMIN, f"{edge}; {other}", 1)
    if distinct < 3:
        return CellOptimum(best, np.nan, low, ARGMIN, f"too few runs around the minimum; "
                           f"{other}", 1)
    coef = _weighted_lstsq(np.column_stack([np.ones_like(d), d, d**2]), loss, weight)
    if coef[2] <= 0:
        return CellOptimum(best, np.nan, low, ARGMIN, f"the quadratic is not convex; {other}",
                           1)
    step = -coef[1] / (2 * coef[2])
    if not d.min() <= step <= d.max():
        return CellOptimum(best, np.nan, low, ARGMIN, "the quadratic's minimum lies outside "
                           f"the runs fitted; {other}", 1)
    return CellOptimum(float(np.exp(centre[0] + step)), np.nan,
                       float(coef[0] + coef[1] * step / 2), method, other, n_used)


def _edge(at: int, n_values: int, name: str) -> str:
    if at == 0:
        return f"the minimum is at the smallest {name} swept"
    if at == n_values - 1:
        return f"the minimum is at the largest {name} swept"
    return ""


def _weighted_lstsq(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    root = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * root[:, None], y * root, rcond=None)
    return np.asarray(coef, dtype=float)


def _skipped(reason: str) -> CellOptimum:
    return CellOptimum(np.nan, np.nan, np.nan, SKIPPED, reason, 0)
