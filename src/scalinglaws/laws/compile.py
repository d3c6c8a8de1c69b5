"""A law's numeric callables, generated from its SymPy expression on first use.

Derivatives are taken once and shared: the gradient from the expression, each entry of the
Hessian's upper triangle from a gradient entry (and only where that entry still holds the
other parameter: a zero is known without differentiating). Every callable is compiled by
``lambdify`` with common subexpressions eliminated, the first time it is needed. Laws with the
same expression, inputs and parameters (a law and its copies with other columns or bounds, the
same law built again for each fold of a backtest) share one :class:`Compiled` (:func:`compiled`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import sympy as sp

Array = np.ndarray


@lru_cache(maxsize=128)
def compiled(expr: sp.Expr, inputs: tuple[sp.Symbol, ...], params: tuple[sp.Symbol, ...],
             linear: tuple[sp.Symbol, ...]) -> Compiled:
    """The (shared) compiled callables of an expression; see :class:`Compiled`."""
    return Compiled(expr, inputs, params, linear)


class Compiled:
    """Value, gradient, Hessian and projection-basis callables of an expression.

    Every callable takes the input arrays, then the parameter columns (natural units), in
    the order of ``inputs`` and ``params``; ``linear`` are the parameters the basis
    projects out.
    """

    def __init__(self, expr: sp.Expr, inputs: Sequence[sp.Symbol],
                 params: Sequence[sp.Symbol], linear: Sequence[sp.Symbol]) -> None:
        self.expr = expr
        self.inputs = list(inputs)
        self.params = list(params)
        self.linear = list(linear)
        self.args = [*self.inputs, *self.params]

    # -- derivatives (symbolic, cached) ----------------------------------------------------
    @cached_property
    def gradient(self) -> list[sp.Expr]:
        return [sp.diff(self.expr, p) for p in self.params]

    @cached_property
    def hessian_upper(self) -> list[sp.Expr]:
        """∂²f/∂p_i∂p_j for i <= j, row-major."""
        k = len(self.params)
        out: list[sp.Expr] = []
        for i in range(k):
            g = self.gradient[i]
            free = g.free_symbols
            out += [sp.diff(g, self.params[j]) if self.params[j] in free else sp.S.Zero
                    for j in range(i, k)]
        return out

    def parts(self, order: int) -> list[sp.Expr]:
        """The value, the gradient and (``order=2``) the Hessian's upper triangle."""
        return [self.expr, *self.gradient, *(self.hessian_upper if order == 2 else [])]

    # -- compiled callables ----------------------------------------------------------------
    @cached_property
    def value_fn(self) -> Any:
        return sp.lambdify(self.args, self.expr, modules="numpy")

    @cached_property
    def d1_fn(self) -> Any:
        return _lambdify(self.args, self.parts(1))

    @cached_property
    def d2_fn(self) -> Any:
        return _lambdify(self.args, self.parts(2))

    @cached_property
    def d1_log_fn(self) -> Any:
        return self._log_input_fn(1)

    @cached_property
    def d2_log_fn(self) -> Any:
        return self._log_input_fn(2)

    def _log_input_fn(self, order: int) -> Any:
        """The parts with every power of an input ``x**e`` written ``exp(e·log x)`` and
        ``log x`` passed in precomputed: one ``exp`` per power instead of a ``pow`` (about
        half the cost), valid where every input is positive."""
        logs = {s: sp.Symbol(f"_log_{s.name}", real=True) for s in self.inputs}

        def rewrite(e: sp.Expr) -> sp.Expr:
            e = e.replace(lambda t: t.is_Pow and t.base in logs,
                          lambda t: sp.exp(t.exp * logs[t.base]))
            return e.replace(lambda t: isinstance(t, sp.log) and t.args[0] in logs,
                             lambda t: logs[t.args[0]])

        parts = [rewrite(e) if e.free_symbols else e for e in self.parts(order)]
        return _lambdify([*self.inputs, *logs.values(), *self.params], parts)

    @cached_property
    def basis_fn(self) -> Any:
        zero = dict.fromkeys(self.linear, 0)
        index = {p: i for i, p in enumerate(self.params)}
        parts = [self.expr.subs(zero)] + [self.gradient[index[p]] for p in self.linear]
        nonlinear = [s for s in self.params if s not in self.linear]
        return _lambdify([*self.inputs, *nonlinear], parts)

    # -- numeric evaluation ----------------------------------------------------------------
    # X: list of input arrays shaped (1, n); P: parameter matrix (K, p) in natural units.
    def evaluate(self, X: Sequence[Array], P: Array) -> Array:
        """Law values, shape (K, n)."""
        cols = [P[:, i : i + 1] for i in range(P.shape[1])]
        out = self.value_fn(*X, *cols)
        return np.broadcast_to(out, (P.shape[0], X[0].shape[-1])).astype(float, copy=False)

    def jacobian(self, X: Sequence[Array], P: Array) -> Array:
        """d value / d parameter, shape (K, n, p)."""
        shape = (P.shape[0], X[0].shape[-1])
        grads = self._columns(X, P, 1)[1 : P.shape[1] + 1]
        return np.stack([np.broadcast_to(g, shape) for g in grads], axis=-1)

    def hessian(self, X: Sequence[Array], P: Array) -> Array:
        """Second derivatives, shape (K, n, p, p)."""
        k = P.shape[1]
        shape = (P.shape[0], X[0].shape[-1])
        out = np.empty((*shape, k, k))
        entries = iter(self._columns(X, P, 2)[k + 1 :])
        for i in range(k):
            for j in range(i, k):
                out[..., i, j] = out[..., j, i] = np.broadcast_to(next(entries), shape)
        return out

    def hessian_contract(self, X: Sequence[Array], P: Array, w: Array) -> Array:
        """Σ_n w[k, n] · ∂²f/∂p_i∂p_j at (X_n, P_k), shape (K, p, p), without the full
        (K, n, p, p) array."""
        k = P.shape[1]
        out = np.empty((P.shape[0], k, k))
        entries = iter(self._columns(X, P, 2)[k + 1 :])
        for i in range(k):
            for j in range(i, k):
                e = next(entries)
                out[:, i, j] = out[:, j, i] = (w * e).sum(axis=-1) if np.ndim(e) else (
                    e * w.sum(axis=-1))
        return out

    def derivative_columns(self, X: Sequence[Array], P: Array, order: int = 1
                           ) -> tuple[Array, list[Array], list[Array | None]]:
        """Value (K, n), the gradient as p arrays (K, n) and, for ``order=2``, the upper
        triangle of the Hessian (row-major, ``None`` where identically zero), from one
        compiled function with shared subexpressions (the fast path of the fit engine)."""
        k = P.shape[1]
        shape = (P.shape[0], X[0].shape[-1])
        out = self._columns(X, P, order)

        def full(e: Any) -> Array:
            if isinstance(e, np.ndarray) and e.shape == shape:
                return e
            return np.broadcast_to(e, shape)

        value = full(out[0]).astype(float, copy=False)
        grads = [full(g) for g in out[1 : k + 1]]
        hess: list[Array | None] = [
            None if not isinstance(e, np.ndarray) and e == 0 else full(e)
            for e in out[k + 1 :]]
        return value, grads, hess

    def _columns(self, X: Sequence[Array], P: Array, order: int) -> list[Any]:
        """The value, gradient and (``order=2``) Hessian entries as the compiled function
        returns them (arrays or scalars); through the logs of the inputs where all are
        positive. The Jacobian and the Hessian use these too: one compiled function each
        for first and second order, shared with the fit engine."""
        cols = [P[:, i : i + 1] for i in range(P.shape[1])]
        if all(np.all(x > 0) for x in X):
            fn = self.d2_log_fn if order == 2 else self.d1_log_fn
            with np.errstate(all="ignore"):
                return list(fn(*X, *(np.log(x) for x in X), *cols))
        return list((self.d2_fn if order == 2 else self.d1_fn)(*X, *cols))

    def basis(self, X: Sequence[Array], Pnl: Array) -> tuple[Array, Array]:
        """Variable projection basis: value = g0 + F @ linear; shapes (K, n), (K, n, m)."""
        cols = [Pnl[:, i : i + 1] for i in range(Pnl.shape[1])]
        shape = (Pnl.shape[0], X[0].shape[-1])
        parts = [np.broadcast_to(v, shape) for v in self.basis_fn(*X, *cols)]
        return parts[0], np.stack(parts[1:], axis=-1)


def _lambdify(args: Sequence[sp.Symbol], parts: Sequence[sp.Expr]) -> Any:
    return sp.lambdify(args, list(parts), modules="numpy", cse=True)
