"""The source of a law's compiled kernels: Python that Numba compiles (:mod:`.jit`).

Three functions are written for each law. ``_assemble``: at one problem's parameters, the
objective Σ c_i·2ρ(r_i) with r = h(f) − h(y) (h the loss's link: identity, log with a shift,
logit; ρ = r²/2, or Huber's loss; c_i a case weight times the over-estimate penalty where
r > 0), its gradient and its Gauss–Newton matrix, in the engine's search coordinates
(log-scale parameters by their logs), as straight-line code over one point's scalars;
``_assemble_irls`` the same for Huber's objective (IRLS weights ψ(r)/r), and
``_assemble_exact`` Huber's with Newton's exact Hessian, from the law's second derivatives.
The law's value and derivatives come from its SymPy expression with common subexpressions
eliminated, and every power of an input ``x**e`` is written ``exp(e·log x)`` with ``log x``
passed in (one ``exp`` instead of a ``pow``, as the NumPy path does). The fixed kernels
around them are in :mod:`.jit_template`.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from .jit_template import TEMPLATE as _TEMPLATE

#: the residual and the slope of the link at each point, by the link's code (0 identity,
#: 1 log with a shift, 2 logit), and the point's weight
_RESIDUAL = """\
        if kind == 0:
            r = f - HY[k, i]
            sl = 1.0
        elif kind == 1:
            sl = f + shift
            if not sl > 0.0:
                return math.inf
            r = math.log(sl) - HY[k, i]
            sl = 1.0 / sl
        else:
            if not (f > 0.0 and f < 1.0):
                return math.inf
            r = math.log(f) - math.log(1.0 - f) - HY[k, i]
            sl = 1.0 / (f * (1.0 - f))
        if not math.isfinite(r):
            return math.inf
        c = W[kw, i] * (pen if r > 0.0 else 1.0)"""
#: the point's terms: least squares (weights c), or Huber's (IRLS weight delta/|r| on its arms)
_SQUARES = """\
        total += c * r * r
        cr = c * r
        cw = c"""
_HUBER = """\
        if abs(r) > delta:
            ar = abs(r)
            total += c * (2.0 * delta * ar - delta * delta)
            cr = c * (delta if r > 0.0 else -delta)
            cw = c * delta / ar
        else:
            total += c * r * r
            cr = c * r
            cw = c"""


def _assemble_source(n_inputs: int, n_params: int, body: list[str], kind: str = "squares"
                     ) -> str:
    """``_assemble``: the objective Σ c·r² at one problem's parameters, with its gradient
    and Gauss–Newton matrix in search coordinates, as straight-line code over one point's
    scalars (no arrays in the loop but the data's: about 2.5 times faster than a loop over
    parameter arrays). ``body`` computes the shared subexpressions, the value ``f`` and the
    gradient ``d0, d1, ...`` from ``x0, lx0, ...`` and ``p0, p1, ...``. ``kind``:
    ``"squares"`` (``_assemble``), ``"irls"`` (``_assemble_irls``: Huber's objective, IRLS
    weights) or ``"exact"`` (``_assemble_exact``: Huber's objective with Newton's Hessian;
    ``body`` then also computes the law's second derivatives ``e0_0, e1_0, ...``)."""
    P = n_params
    exact = kind == "exact"
    name = {"squares": "_assemble", "irls": "_assemble_irls", "exact": "_assemble_exact"}[kind]
    lines = ["@njit(cache=True, nogil=True, fastmath={'contract'})",
             f"def {name}(k, X, LX, HY, W, u, logmask, kind, shift, pen, delta, jtj, g, par):",
             "    n = HY.shape[1]",
             "    kx = k if X.shape[1] > 1 else 0  # inputs shared by every problem: one row",
             "    kw = k if W.shape[0] > 1 else 0",
             "    _natural(u, logmask, par)"]
    lines += [f"    p{a} = par[{a}]" for a in range(P)]
    # d/du of a log-scale parameter's term: its natural value times d/dp
    lines += [f"    ch{a} = p{a} if logmask[{a}] else 1.0" for a in range(P)]
    lines += [f"    lm{a} = 1.0 if logmask[{a}] else 0.0" for a in range(P)]
    lines += ["    total = 0.0"]
    lines += [f"    g{a} = 0.0" for a in range(P)]
    lines += [f"    h{a}_{b} = 0.0" for a in range(P) for b in range(a + 1)]
    lines += ["    for i in range(n):"]
    lines += [f"        x{j} = X[{j}, kx, i]" for j in range(n_inputs)]
    lines += [f"        lx{j} = LX[{j}, kx, i]" for j in range(n_inputs)]
    lines += ["    " + line for line in body]
    lines += [_RESIDUAL, _SQUARES if kind == "squares" else _HUBER]
    lines += [f"        j{a} = d{a} * sl * ch{a}" for a in range(P)]
    lines += [f"        g{a} += j{a} * cr" for a in range(P)]
    if not exact:
        lines += [f"        h{a}_{b} += cw * j{a} * j{b}" for a in range(P)
                  for b in range(a + 1)]
    else:
        # Σ c·(rho''(r)·∇r∇rᵀ + psi(r)·∇²r): rho'' is 1 inside Huber's quadratic zone, 0 on
        # its arms; ∇²r = h'(f)·∇²f + h''(f)·∇f∇fᵀ in search coordinates, where a log-scale
        # parameter's second derivative gains its first (d²f/du² = p²·f_pp + p·f_p)
        lines += ["        cw = c if abs(r) <= delta else 0.0",
                  "        s2 = 0.0 if kind == 0 else (-sl * sl if kind == 1 else"
                  " -(1.0 - 2.0 * f) * sl * sl)"]
        lines += [f"        q{a} = d{a} * ch{a}" for a in range(P)]
        lines += [f"        h{a}_{b} += cw * j{a} * j{b} + cr * (sl * (ch{a} * ch{b} * e{a}_{b}"
                  + (f" + lm{a} * q{a}" if a == b else "") + f") + s2 * q{a} * q{b})"
                  for a in range(P) for b in range(a + 1)]
    lines += [f"    g[{a}] = g{a}" for a in range(P)]
    lines += [f"    jtj[{a}, {b}] = h{a}_{b}" for a in range(P) for b in range(a + 1)]
    lines += ["    return total"]
    return "\n".join(lines)


class _Printer(PythonCodePrinter):
    """Python with ``math`` functions (Numba compiles them) and plain float literals."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "standard": "python3"})


def module_source(expr: sp.Expr, inputs: list[sp.Symbol], params: list[sp.Symbol],
                  gradient: list[sp.Expr], hessian: list[sp.Expr], n_linear: int) -> str:
    """The kernels' module for one law: its value, gradient and second derivatives
    (``hessian``: the upper triangle, row-major), ``n_linear`` linear parameters."""
    names = {s: sp.Symbol(f"x{i}", real=True) for i, s in enumerate(inputs)}
    logs = {s: sp.Symbol(f"lx{i}", real=True) for i, s in enumerate(inputs)}
    names.update({s: sp.Symbol(f"p{i}", real=True) for i, s in enumerate(params)})

    def rewrite(e: sp.Expr) -> sp.Expr:
        e = sp.sympify(e)
        e = e.replace(lambda t: t.is_Pow and t.base in logs,
                      lambda t: sp.exp(t.exp * logs[t.base]))
        e = e.replace(lambda t: isinstance(t, sp.log) and t.args[0] in logs,
                      lambda t: logs[t.args[0]])
        return e.xreplace(names)

    printer = _Printer()
    P = len(params)

    def body(exprs: list[sp.Expr]) -> list[str]:
        """One point's body: the shared subexpressions, the value f, the gradient d0, d1...
        and, where given, the second derivatives e0_0, e1_0, e1_1... (lower triangle)."""
        reps, reduced = sp.cse([rewrite(e) for e in exprs], symbols=sp.numbered_symbols("t"))
        out = [f"    {s} = {printer.doprint(e)}" for s, e in reps]
        out += [f"    f = {printer.doprint(reduced[0])}"]
        out += [f"    d{a} = {printer.doprint(e)}" for a, e in enumerate(reduced[1:P + 1])]
        pairs = [(b, a) for a in range(P) for b in range(a, P)]  # hessian_upper's order
        out += [f"    e{i}_{j} = {printer.doprint(e)}"
                for (i, j), e in zip(pairs, reduced[P + 1:], strict=False)]
        return out

    first = body([expr, *gradient])
    parts = [_assemble_source(len(inputs), P, first),
             _assemble_source(len(inputs), P, first, "irls"),
             _assemble_source(len(inputs), P, body([expr, *gradient, *hessian]), "exact")]
    return _TEMPLATE.format(p=P, d=len(inputs), m=n_linear, q=P - n_linear,
                            assemble="\n\n\n".join(parts))
