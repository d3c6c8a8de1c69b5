"""Where the optimiser starts: grids over the parameters, derived from specs and data."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import OptionError
from ..laws.law import Law
from ..laws.parameter import Parameter

Array = np.ndarray

#: grid points over the nonlinear parameters in the default (projected) search
PROJECTED_BUDGET = 256
#: most points of the projected grid; beyond, a fixed random subset of the product (a law
#: with many nonlinear parameters, e.g. a broken power law with three breaks)
MAX_PROJECTED = 100_000
#: most grid points × data rows the projected search evaluates; beyond, a Sobol design of
#: PROJECTED_WORK / rows points (within MIN_SOBOL..MAX_SOBOL) replaces the product grid
PROJECTED_WORK = 20_000_000
MIN_SOBOL, MAX_SOBOL = 256, 8192


def axis_values(law: Law, p: Parameter, X: Sequence[Array], count: int | None) -> Array:
    """Values of one parameter to search; ``count=None`` keeps the spec's own init grid."""
    if p.init is not None and (count is None or len(p.init) >= count):
        return np.asarray(p.init, dtype=float)
    if count is None:
        count = 5
    lo, hi = axis_range(law, p, X)
    # cell midpoints: never exactly on a bound (an exponent of 0 makes a flat, useless start)
    mid = (np.arange(count) + 0.5) / count
    if p.log and lo > 0:
        return np.exp(np.log(lo) + mid * (np.log(hi) - np.log(lo)))
    return lo + mid * (hi - lo)


def axis_range(law: Law, p: Parameter, X: Sequence[Array]) -> tuple[float, float]:
    """The interval a parameter is searched over: its init grid's span, else a default range
    from its kind and the data."""
    if p.init is not None and len(p.init) > 1:
        return min(p.init), max(p.init)
    return _default_range(law, p, X)


def _default_range(law: Law, p: Parameter, X: Sequence[Array]) -> tuple[float, float]:
    if p.name in law.exponent_names:
        lo, hi = 0.05, 2.0
    elif p.log:
        from ..laws import expression as ex  # SymPy: only for laws with scale parameters

        sym = next(s for s in law.parameter_symbols if s.name == p.name)
        related = ex.scale_inputs(law.expr, sym, law.input_symbols)
        xs = [X[i] for i, s in enumerate(law.input_symbols) if s in related]
        if xs:
            lo = min(float(np.min(x)) for x in xs) / 100
            hi = max(float(np.max(x)) for x in xs) * 100
        else:
            lo, hi = 1e-3, 1e3
    else:
        lo, hi = -2.0, 2.0
    lo = max(lo, p.lower if math.isfinite(p.lower) else lo)
    hi = min(hi, p.upper if math.isfinite(p.upper) else hi)
    if p.log:
        lo = max(lo, 1e-300)
    if not lo < hi:
        lo, hi = p.lower, p.upper
    return lo, hi


@dataclass(frozen=True)
class Design:
    """Points over the nonlinear parameters (natural units, (G, k)) at which the linear ones
    are projected out, their integer-like coordinates (for picking distinct candidates), and
    which design it is (``"product"`` grid, ``"subset"`` of one, or ``"sobol"``)."""

    theta: Array
    coords: Array
    kind: str

    def __len__(self) -> int:
        return len(self.theta)


def projected_design(law: Law, X: Sequence[Array]) -> Design:
    """The design over the nonlinear parameters for the default (projected) search.

    A product grid (about ``PROJECTED_BUDGET`` points, 5 to 64 per axis) while its work, points
    × rows, stays within ``PROJECTED_WORK``; past that (many nonlinear parameters, thousands of
    rows) a scrambled Sobol sequence over the same box (log axes for log-scale parameters) of
    ``PROJECTED_WORK / rows`` points, between ``MIN_SOBOL`` and ``MAX_SOBOL``: a space-filling
    design whose size does not grow with the number of parameters.
    """
    nonlinear = [p for p in law.parameters if p.name not in law.linear_names]
    if not nonlinear:
        return Design(np.empty((1, 0)), np.zeros((1, 0)), "product")
    n_rows = max(int(X[0].shape[-1]) if X else 1, 1)
    per_axis = int(np.clip(round(PROJECTED_BUDGET ** (1 / len(nonlinear))), 5, 64))
    axes = [np.asarray(axis_values(law, p, X, per_axis), dtype=float) for p in nonlinear]
    sizes = [len(a) for a in axes]
    total = math.prod(sizes)
    if min(total, MAX_PROJECTED) * n_rows > PROJECTED_WORK:
        return _sobol_design(law, nonlinear, X, n_rows)
    if total <= MAX_PROJECTED:
        grid = np.array(list(itertools.product(*axes)), dtype=float)
        return Design(grid, _axis_coords(grid), "product")
    idx = np.random.default_rng(0).choice(total, MAX_PROJECTED, replace=False)
    coords = np.unravel_index(idx, sizes)
    grid = np.stack([a[c] for a, c in zip(axes, coords, strict=True)], axis=1)
    return Design(grid, _axis_coords(grid), "subset")


def _sobol_design(law: Law, nonlinear: Sequence[Parameter], X: Sequence[Array],
                  n_rows: int) -> Design:
    from scipy.stats import qmc  # scipy.stats loads in ~0.3 s: only for large problems

    count = int(np.clip(PROJECTED_WORK // n_rows, MIN_SOBOL, MAX_SOBOL))
    m = max(math.floor(math.log2(count)), 1)
    u = qmc.Sobol(d=len(nonlinear), scramble=True, seed=0).random_base2(m)
    cols = []
    for j, p in enumerate(nonlinear):
        lo, hi = axis_range(law, p, X)
        if p.log and lo > 0:
            cols.append(np.exp(np.log(lo) + u[:, j] * (np.log(hi) - np.log(lo))))
        else:
            cols.append(lo + u[:, j] * (hi - lo))
    theta = np.stack(cols, axis=1)
    # coordinates in cells of the size a product grid of as many points would have
    cells = len(theta) ** (1 / len(nonlinear))
    return Design(theta, u * cells, "sobol")


def _axis_coords(theta: Array) -> Array:
    """Integer position of each grid point along each axis (for distinct candidates)."""
    out = np.zeros_like(theta)
    for j in range(theta.shape[1]):
        out[:, j] = np.unique(theta[:, j], return_inverse=True)[1]
    return out


def exhaustive_grid(law: Law, X: Sequence[Array]) -> Array:
    """Product of every parameter's init grid (natural units): the classic multi-start."""
    axes = [axis_values(law, p, X, None) for p in law.parameters]
    return np.array(list(itertools.product(*axes)), dtype=float)


def guessed_starts(law: Law, X: Sequence[Array], y: Array) -> Array | None:
    """The law's own data-driven starting rows (natural units), finite ones only."""
    if law.guess is None:
        return None
    with np.errstate(all="ignore"):
        rows = np.atleast_2d(np.asarray(law.guess(X, y), dtype=float))
    if rows.ndim != 2 or rows.shape[1] != len(law.parameters):
        return None
    lower = np.array([p.lower for p in law.parameters])
    upper = np.array([p.upper for p in law.parameters])
    rows = np.clip(rows, lower, upper)
    positive = np.array([p.log for p in law.parameters])
    ok = np.isfinite(rows).all(axis=1) & ((rows > 0) | ~positive).all(axis=1)
    return rows[ok] if ok.any() else None


def user_starts(law: Law, init: Any) -> Array:
    """Rows of natural parameters from ``init``: a dict, or a list of dicts, or an array
    (one row per start, the columns in the law's parameter order)."""
    names = law.parameter_names
    shape = f"e.g. init={{'{names[0]}': 1.0, ...}}: a dict of every parameter, or a list of them"
    rows: list[Mapping[str, Any]]
    if isinstance(init, Mapping):
        rows = [init]
    elif isinstance(init, np.ndarray):
        try:
            arr = np.atleast_2d(np.asarray(init, dtype=float))
        except (TypeError, ValueError):
            raise OptionError("init array must hold numbers", "argument 'init'",
                              shape) from None
        if arr.ndim != 2 or arr.shape[1] != len(names):
            raise OptionError(f"init has shape {arr.shape}, the law has {len(names)} "
                              "parameters", "argument 'init'",
                              f"one row per start, columns in order: {', '.join(names)}")
        rows = [dict(zip(names, row, strict=True)) for row in arr]
    elif isinstance(init, str | bytes) or not isinstance(init, Iterable):
        raise OptionError(f"init must be a dict of parameter values or a list of them, got "
                          f"{type(init).__name__}", "argument 'init'", shape)
    else:
        rows = list(init)
    if not rows:
        raise OptionError("init holds no start", "argument 'init'", shape)
    out = np.empty((len(rows), len(names)))
    for k, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise OptionError("init must be a dict of parameter values or a list of them",
                              "argument 'init'", shape)
        missing = [n for n in names if n not in row]
        extra = [n for n in row if n not in names]
        if missing or extra:
            raise OptionError(
                f"init start {k} " + (f"lacks {missing}" if missing else f"has unknown {extra}"),
                "argument 'init'", f"give every parameter: {', '.join(names)}")
        for n in names:
            p = law.parameter(n)
            try:
                v = float(row[n])
            except (TypeError, ValueError):
                raise OptionError(f"starting value {row[n]!r} is not a number",
                                  f"parameter '{n}', init start {k} (argument 'init')",
                                  "give a number inside the parameter's bounds") from None
            if not (p.lower <= v <= p.upper) or not math.isfinite(v):
                raise OptionError(
                    f"starting value {v:g} lies outside the bounds [{p.lower:g}, {p.upper:g}]",
                    f"parameter '{n}', init start {k} (argument 'init')",
                    "move the start inside the bounds or widen them",
                )
            out[k, names.index(n)] = v
    return out


def pick_diverse(values: Array, coords: Array, count: int, min_gap: float) -> Array:
    """Indices of the ``count`` best finite values whose coords differ by >= ``min_gap``."""
    order = np.argsort(values)
    order = order[np.isfinite(values[order])]
    chosen: list[int] = []
    for i in order:
        if all(np.max(np.abs(coords[i] - coords[j])) >= min_gap for j in chosen):
            chosen.append(int(i))
            if len(chosen) == count:
                break
    return np.array(chosen, dtype=int)
