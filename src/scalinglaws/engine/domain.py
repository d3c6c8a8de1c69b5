"""Starts that begin: when no projected candidate gives a finite objective, a space-filling
design over every parameter's box looks for points where the law is finite on the data; and
when none is found, which terms of the law are not finite, and on which rows, says why."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..laws.law import Law
from . import starts as st
from .objective import Objective

Array = np.ndarray
#: points of the design over all parameters tried when every projected candidate failed
DOMAIN_POINTS = 2048
#: bytes the evaluation of those points against the rows may take at once
DOMAIN_BUDGET = 128 * 2**20


def domain_starts(obj: Objective, X: Sequence[Array], count: int) -> Array | None:
    """Up to ``count`` natural parameter rows with a finite objective, the best first, from a
    Sobol design over every parameter's search box; None when none is finite."""
    from scipy.stats import qmc  # only on this rescue path

    law = obj.law
    m = max(int(np.log2(DOMAIN_POINTS)), 1)
    u = qmc.Sobol(d=len(law.parameters), scramble=True, seed=1).random_base2(m)
    P = np.empty_like(u)
    for j, p in enumerate(law.parameters):
        lo, hi = st.axis_range(law, p, X)
        if p.log and lo > 0:
            P[:, j] = np.exp(np.log(lo) + u[:, j] * (np.log(hi) - np.log(lo)))
        else:
            P[:, j] = lo + u[:, j] * (hi - lo)
    n = max(int(np.size(obj.y)), 1)
    size = max(1, DOMAIN_BUDGET // (8 * n * 4))
    values = np.concatenate([obj.value_natural(P[i:i + size]) for i in range(0, len(P), size)])
    finite = np.flatnonzero(np.isfinite(values))
    if finite.size == 0:
        return None
    best = finite[np.argsort(values[finite])[:count]]
    return P[best]


def nonfinite_terms(law: Law, X: Sequence[Array], params: Array, y: Array,
                    shift: float | None) -> str:
    """Which additive terms of the law are not finite at ``params`` and on which rows (and,
    for a log loss, on which rows the law is not above ``-shift``), as a sentence; empty when
    the law is finite and in range everywhere."""
    import sympy as sp  # the terms of the expression: only on this failure path

    with np.errstate(all="ignore"):
        values = law.evaluate(X, params[None, :])[0]
    bad = ~np.isfinite(values)
    parts = []
    if bad.any():
        terms = sp.Add.make_args(law.expr)
        args = [*law.input_symbols, *law.parameter_symbols]
        cols = [np.asarray(x)[0] for x in X] + list(params)
        for term in terms:
            fn = sp.lambdify(args, term, modules="numpy")
            with np.errstate(all="ignore"):
                tv = np.broadcast_to(np.asarray(fn(*cols), dtype=float), values.shape)
            rows = np.flatnonzero(~np.isfinite(tv))
            if rows.size:
                parts.append(f"the term {sp.sstr(term)} is not finite on {rows.size} row(s) "
                             f"(rows {rows[:5].tolist()}{' ...' if rows.size > 5 else ''})")
        if not parts:
            rows = np.flatnonzero(bad)
            parts.append(f"the law is not finite on {rows.size} row(s) (rows "
                         f"{rows[:5].tolist()}{' ...' if rows.size > 5 else ''})")
    if shift is not None:
        low = np.flatnonzero(np.isfinite(values) & (values + shift <= 0))
        if low.size:
            parts.append(f"the law is <= {-shift:g} on {low.size} row(s) (rows "
                         f"{low[:5].tolist()}{' ...' if low.size > 5 else ''}), where a log "
                         "loss is undefined")
    return "; ".join(parts)
