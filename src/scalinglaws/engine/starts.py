"""Where the optimiser starts: grids over the parameters, derived from specs and data."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
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


def axis_values(law: Law, p: Parameter, X: Sequence[Array], count: int | None) -> Array:
    """Values of one parameter to search; ``count=None`` keeps the spec's own init grid."""
    if p.init is not None and (count is None or len(p.init) >= count):
        return np.asarray(p.init, dtype=float)
    if count is None:
        count = 5
    if p.init is not None and len(p.init) > 1:
        lo, hi = min(p.init), max(p.init)
    else:
        lo, hi = _default_range(law, p, X)
    # cell midpoints: never exactly on a bound (an exponent of 0 makes a flat, useless start)
    mid = (np.arange(count) + 0.5) / count
    if p.log and lo > 0:
        return np.exp(np.log(lo) + mid * (np.log(hi) - np.log(lo)))
    return lo + mid * (hi - lo)


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


def projected_grid(law: Law, X: Sequence[Array]) -> Array:
    """Dense product grid over the nonlinear parameters (natural units), (G, k)."""
    nonlinear = [p for p in law.parameters if p.name not in law.linear_names]
    if not nonlinear:
        return np.empty((1, 0))
    per_axis = int(np.clip(round(PROJECTED_BUDGET ** (1 / len(nonlinear))), 5, 64))
    axes = [np.asarray(axis_values(law, p, X, per_axis), dtype=float) for p in nonlinear]
    sizes = [len(a) for a in axes]
    total = math.prod(sizes)
    if total <= MAX_PROJECTED:
        return np.array(list(itertools.product(*axes)), dtype=float)
    idx = np.random.default_rng(0).choice(total, MAX_PROJECTED, replace=False)
    coords = np.unravel_index(idx, sizes)
    return np.stack([a[c] for a, c in zip(axes, coords, strict=True)], axis=1)


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
