"""Starts that begin: a start whose objective is not finite (a user's init, a guess from the
data) is moved into the law's domain, towards the nearest start where the law is finite on
every row; when no projected candidate gives a finite objective, a space-filling design over
every parameter's box looks for such points; and when none is found, which terms of the law
are not finite, and on which rows, says why."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..laws.law import Law
from . import starts as st
from .links import Link
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


#: fractions of the way from a start outside the domain to its anchor inside it tried in turn
#: (the smallest move that makes the objective finite is kept; 1 is the anchor itself)
REPAIR_STEPS = np.array([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])


def repaired(obj: Objective, X: Sequence[Array], U: Array) -> tuple[Array, int]:
    """``U`` (search coordinates) with each start whose objective is not finite moved the
    least way along the segment to the nearest start where it is finite (in search
    coordinates, where log-scale parameters move by factors), and the number moved. When no
    start is finite, the points of :func:`domain_starts` serve as anchors; when there are none
    either, ``U`` is returned unchanged."""
    values = obj.value(U)
    bad = ~np.isfinite(values)
    if not bad.any():
        return U, 0
    anchors = U[~bad]
    if anchors.size == 0:
        found = domain_starts(obj, X, 16)
        if found is None:
            return U, 0
        anchors = obj.clip(obj.search(found))
    out = U.copy()
    for i in np.flatnonzero(bad):
        start = np.nan_to_num(U[i], nan=0.0, posinf=0.0, neginf=0.0)
        anchor = anchors[np.argmin(np.sum((anchors - start) ** 2, axis=1))]
        path = start + REPAIR_STEPS[:, None] * (anchor - start)
        finite = np.flatnonzero(np.isfinite(obj.value(path)))
        out[i] = path[finite[0]] if finite.size else anchor
    return out, int(bad.sum())


def nonfinite_terms(law: Law, X: Sequence[Array], params: Array, y: Array,
                    link: Link) -> str:
    """Which additive terms of the law are not finite at ``params`` and on which rows (and,
    off the identity link, on which rows the law leaves the link's domain: not above
    ``-shift`` for a log loss, outside (0, 1) for the logit), as a sentence; empty when the
    law is finite and in range everywhere."""
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
    low = np.flatnonzero(np.isfinite(values) & ~link.inside(values))
    if low.size:
        where = ("outside (0, 1)", "the logit loss") if link.kind == "logit" else (
            f"<= {-link.shift:g}", "a log loss")
        parts.append(f"the law is {where[0]} on {low.size} row(s) (rows "
                     f"{low[:5].tolist()}{' ...' if low.size > 5 else ''}), where {where[1]} "
                     "is undefined")
    return "; ".join(parts)
