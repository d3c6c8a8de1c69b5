"""The Law: a symbolic expression of inputs and parameters, with compiled numeric callables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from ..exceptions import LawError
from . import expression as ex
from . import inputs as li
from . import metadata as md
from .parameter import Parameter, coerce_parameters

#: symbols that are inputs by default, and the column each reads
DEFAULT_INPUTS: dict[str, str] = {
    "N": "params", "D": "tokens", "C": "flops", "S": "step",
    "params": "params", "tokens": "tokens", "flops": "flops", "step": "step", "lr": "lr",
}

Array = np.ndarray


class Law:
    """A scaling law: expression + inputs + parameters (bounds, log scale, init grid).

    Laws are stateless and immutable; fitting returns a :class:`~scalinglaws.FitResult`.
    Value, gradient and Hessian callables are generated from the SymPy expression (never by
    finite differences) and cached.

    Parameters
    ----------
    expression:
        A formula in Python syntax, e.g. ``"E + A/N**alpha + B/D**beta"``.
    inputs:
        Map from the expression's input symbols to dataset columns (roles), e.g.
        ``{"N": "params", "D": "tokens"}``. A value of ``None`` leaves the input to be bound
        at fit time (``sl.fit(law, ds, x="flops")``). By default N, D, C, S read params,
        tokens, flops, step.
    parameters:
        Specs for some or all parameters (``{"alpha": {"lower": 0, "upper": 2}}`` or
        :class:`Parameter` objects). Missing specs are derived: parameters that enter linearly
        are non-negative and searched in log space (amplitudes, offsets); exponents lie in
        [0, 10]; other parameters are positive scales searched in log space.
    reference:
        Published values of every parameter (catalog laws cite them).
    ranges:
        ``{symbol: (low, high)}``: the input values the law is meant for (params, tokens
        and flops default to those of typical LLM training runs).
    guess:
        ``guess(X, y) -> rows``: data-driven starting points, tried besides the grid's.

    Example
    -------
    >>> import scalinglaws as sl
    >>> law = sl.Law.from_expression("E + A/N**alpha + B/D**beta")
    >>> law.parameter_names
    ('E', 'A', 'alpha', 'B', 'beta')
    >>> sorted(law.linear_names)
    ['A', 'B', 'E']
    """

    def __init__(
        self,
        expression: str,
        *,
        inputs: Mapping[str, str | None] | None = None,
        parameters: Mapping[str, Any] | Sequence[Parameter] | None = None,
        name: str | None = None,
        description: str = "",
        citation: str = "",
        domain: str = "",
        target: str = "loss",
        reference: Mapping[str, float] | None = None,
        ranges: Mapping[str, Any] | None = None,
        guess: md.Guess | None = None,
    ) -> None:
        self.expression = str(expression)
        self.expr: sp.Expr = ex.parse(self.expression)
        self.name = name or self.expression
        self.description = description
        self.citation = citation
        self.domain = domain
        self.target = target
        by_name = {s.name: s for s in self.expr.free_symbols if isinstance(s, sp.Symbol)}
        order = _appearance_order(self.expression, by_name)
        if inputs is None:
            inputs = {s: DEFAULT_INPUTS[s] for s in order if s in DEFAULT_INPUTS}
        for sym in inputs:
            if sym not in by_name:
                raise LawError(
                    f"input '{sym}' does not appear in the expression",
                    f"expression {self.expression!r}",
                    f"use one of its symbols: {', '.join(order) or 'none'}",
                )
        if not inputs:
            sym = ex.likely_input(self.expr, order)
            raise LawError(
                "the expression has no input",
                f"expression {self.expression!r}",
                f"map its input symbol to a column: sl.fit(..., columns={{'{sym}': 'flops'}}) "
                f"(CLI: --col {sym}=flops), Law(..., inputs={{'{sym}': 'flops'}}); or write "
                "N, D, C, S, which read params, tokens, flops, step",
            )
        self.inputs: dict[str, str | None] = {s: inputs[s] for s in order if s in inputs}
        specs = coerce_parameters(parameters)
        param_names = [s for s in order if s not in self.inputs]
        for pname in specs:
            if pname not in param_names:
                raise LawError(
                    f"parameter '{pname}' does not appear in the expression",
                    f"expression {self.expression!r}",
                    f"its parameters are {', '.join(param_names) or 'none'}",
                )
        if not param_names:
            raise LawError("the expression has no parameter to fit",
                           f"expression {self.expression!r}",
                           "add parameters, e.g. 'E + A*C**(-alpha)'")
        if isinstance(parameters, Sequence) and specs:
            param_names = [p for p in specs if p in param_names] + [
                p for p in param_names if p not in specs]
        self._input_syms = [by_name[s] for s in self.inputs]
        self._param_syms = [by_name[p] for p in param_names]
        linear = ex.linear_parameters(self.expr, self._param_syms)
        exponents = ex.exponent_parameters(self.expr, self._param_syms, self._input_syms)
        params: list[Parameter] = []
        for sym in self._param_syms:
            if sym.name in specs:
                params.append(specs[sym.name])
            elif sym in linear:
                params.append(Parameter(sym.name, lower=0.0, log=True,
                                        description="amplitude or offset (enters linearly)"))
            elif sym in exponents:
                params.append(Parameter(sym.name, lower=0.0, upper=10.0,
                                        description="exponent"))
            else:
                params.append(Parameter(sym.name, lower=0.0, log=True, description="scale"))
        self.parameters: tuple[Parameter, ...] = tuple(params)
        self._linear = [s for s in self._param_syms if s in linear]
        self._exponents = exponents
        self.reference = md.checked_reference(self.name, self.parameters, reference)
        self.ranges = md.checked_ranges(self.name, self.inputs, ranges)
        self.guess = guess

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_expression(cls, expression: str, **kwargs: Any) -> Law:
        """Build a user law from a formula; see :class:`Law` for the arguments."""
        return cls(expression, **kwargs)

    def bind(self, **columns: str) -> Law:
        """A copy whose inputs read other columns: ``law.bind(x="flops")``."""
        inputs = dict(self.inputs)
        for sym, col in columns.items():
            if sym not in inputs:
                raise LawError(
                    f"'{sym}' is not an input of law '{self.name}'",
                    f"inputs: {', '.join(inputs)}",
                    "bind one of the law's inputs",
                )
            inputs[sym] = col
        return self._replace(inputs=inputs)

    def with_parameters(self, **specs: Any) -> Law:
        """A copy with some parameter specs replaced (bounds, init, log)."""
        current = {p.name: p for p in self.parameters}
        for name, spec in coerce_parameters(specs).items():
            if name not in current:
                raise LawError(f"'{name}' is not a parameter of law '{self.name}'",
                               f"parameters: {', '.join(current)}", "use one of those names")
            current[name] = spec
        return self._replace(parameters=list(current.values()))

    def _replace(self, **changes: Any) -> Law:
        kwargs: dict[str, Any] = {
            "inputs": self.inputs, "parameters": list(self.parameters), "name": self.name,
            "description": self.description, "citation": self.citation,
            "domain": self.domain, "target": self.target, "reference": self.reference,
            "ranges": self.ranges, "guess": self.guess,
        }
        kwargs.update(changes)
        return Law(self.expression, **kwargs)

    # -- description ----------------------------------------------------------------------
    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(self.inputs)

    @property
    def linear_names(self) -> tuple[str, ...]:
        """Parameters that enter linearly: solved exactly by the fitter (variable projection)."""
        return tuple(s.name for s in self._linear)

    @property
    def exponent_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self._param_syms if s in self._exponents)

    @property
    def unbound_inputs(self) -> tuple[str, ...]:
        return tuple(s for s, c in self.inputs.items() if c is None)

    @property
    def input_ranges(self) -> dict[str, tuple[float, float]]:
        """The input values the law is meant for, by symbol (where known)."""
        return md.input_ranges(self.inputs, self.ranges)

    @property
    def formula(self) -> str:
        """The expression as readable text."""
        return str(sp.sstr(self.expr))

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise LawError(f"'{name}' is not a parameter of law '{self.name}'",
                       f"parameters: {', '.join(self.parameter_names)}", "use one of those")

    def __repr__(self) -> str:
        ins = ", ".join(f"{s}={c}" for s, c in self.inputs.items())
        return f"<Law {self.name!r}: {self.formula}; inputs {ins}>"

    # -- compiled callables (cached) -------------------------------------------------------
    @cached_property
    def _args(self) -> list[sp.Symbol]:
        return [*self._input_syms, *self._param_syms]

    @cached_property
    def _value_fn(self) -> Any:
        return sp.lambdify(self._args, self.expr, modules="numpy")

    @cached_property
    def _grad_fn(self) -> Any:
        grads = [sp.diff(self.expr, p) for p in self._param_syms]
        return sp.lambdify(self._args, grads, modules="numpy", cse=True)

    @cached_property
    def _hess_fn(self) -> Any:
        k = len(self._param_syms)
        entries = [sp.diff(self.expr, self._param_syms[i], self._param_syms[j])
                   for i in range(k) for j in range(i, k)]
        return sp.lambdify(self._args, entries, modules="numpy", cse=True)

    def _derivative_parts(self, order: int) -> list[sp.Expr]:
        k = len(self._param_syms)
        parts = [self.expr] + [sp.diff(self.expr, p) for p in self._param_syms]
        if order == 2:
            parts += [sp.diff(self.expr, self._param_syms[i], self._param_syms[j])
                      for i in range(k) for j in range(i, k)]
        return parts

    def _log_input_fn(self, order: int) -> Any:
        """The parts with every power of an input ``x**e`` written ``exp(e·log x)`` and
        ``log x`` passed in precomputed: one ``exp`` per power instead of a ``pow`` (about
        half the cost), valid where every input is positive."""
        logs = {s: sp.Symbol(f"_log_{s.name}", real=True) for s in self._input_syms}

        def rewrite(e: sp.Expr) -> sp.Expr:
            e = e.replace(lambda t: t.is_Pow and t.base in logs,
                          lambda t: sp.exp(t.exp * logs[t.base]))
            return e.replace(lambda t: isinstance(t, sp.log) and t.args[0] in logs,
                             lambda t: logs[t.args[0]])

        parts = [rewrite(e) for e in self._derivative_parts(order)]
        args = [*self._input_syms, *logs.values(), *self._param_syms]
        return sp.lambdify(args, parts, modules="numpy", cse=True)

    @cached_property
    def _d1_fn(self) -> Any:
        return sp.lambdify(self._args, self._derivative_parts(1), modules="numpy", cse=True)

    @cached_property
    def _d2_fn(self) -> Any:
        return sp.lambdify(self._args, self._derivative_parts(2), modules="numpy", cse=True)

    @cached_property
    def _d1_log_fn(self) -> Any:
        return self._log_input_fn(1)

    @cached_property
    def _d2_log_fn(self) -> Any:
        return self._log_input_fn(2)

    @cached_property
    def _basis_fn(self) -> Any:
        zero = dict.fromkeys(self._linear, 0)
        parts = [self.expr.subs(zero)] + [sp.diff(self.expr, p) for p in self._linear]
        nonlinear = [s for s in self._param_syms if s not in self._linear]
        return sp.lambdify([*self._input_syms, *nonlinear], parts, modules="numpy", cse=True)

    # -- numeric evaluation -----------------------------------------------------------------
    # X: list of input arrays shaped (1, n); P: parameter matrix (K, p) in natural units.
    def evaluate(self, X: Sequence[Array], P: Array) -> Array:
        """Law values, shape (K, n)."""
        cols = [P[:, i : i + 1] for i in range(P.shape[1])]
        out = self._value_fn(*X, *cols)
        return np.broadcast_to(out, (P.shape[0], X[0].shape[-1])).astype(float, copy=False)

    def jacobian(self, X: Sequence[Array], P: Array) -> Array:
        """d value / d parameter, shape (K, n, p)."""
        cols = [P[:, i : i + 1] for i in range(P.shape[1])]
        shape = (P.shape[0], X[0].shape[-1])
        return np.stack([np.broadcast_to(g, shape) for g in self._grad_fn(*X, *cols)], axis=-1)

    def hessian(self, X: Sequence[Array], P: Array) -> Array:
        """Second derivatives, shape (K, n, p, p)."""
        cols = [P[:, i : i + 1] for i in range(P.shape[1])]
        k = P.shape[1]
        shape = (P.shape[0], X[0].shape[-1])
        out = np.empty((*shape, k, k))
        entries = iter(self._hess_fn(*X, *cols))
        for i in range(k):
            for j in range(i, k):
                out[..., i, j] = out[..., j, i] = np.broadcast_to(next(entries), shape)
        return out

    def hessian_contract(self, X: Sequence[Array], P: Array, w: Array) -> Array:
        """Σ_n w[k, n] · ∂²f/∂p_i∂p_j at (X_n, P_k), shape (K, p, p), without the full
        (K, n, p, p) array."""
        cols = [P[:, i : i + 1] for i in range(P.shape[1])]
        k = P.shape[1]
        out = np.empty((P.shape[0], k, k))
        entries = iter(self._hess_fn(*X, *cols))
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
        cols = [P[:, i : i + 1] for i in range(P.shape[1])]
        k = P.shape[1]
        shape = (P.shape[0], X[0].shape[-1])
        if all(np.all(x > 0) for x in X):
            fn = self._d2_log_fn if order == 2 else self._d1_log_fn
            with np.errstate(all="ignore"):
                out = fn(*X, *(np.log(x) for x in X), *cols)
        else:
            out = (self._d2_fn if order == 2 else self._d1_fn)(*X, *cols)
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

    def basis(self, X: Sequence[Array], Pnl: Array) -> tuple[Array, Array]:
        """Variable projection basis: value = g0 + F @ linear; shapes (K, n), (K, n, m)."""
        cols = [Pnl[:, i : i + 1] for i in range(Pnl.shape[1])]
        shape = (Pnl.shape[0], X[0].shape[-1])
        parts = [np.broadcast_to(v, shape) for v in self._basis_fn(*X, *cols)]
        return parts[0], np.stack(parts[1:], axis=-1)

    def __call__(self, values: Mapping[str, float], /, **inputs: Any) -> Array:
        """Evaluate at parameter values and inputs given by symbol or column name."""
        flat, shape = self.flat_inputs(inputs)
        P = np.array([[float(values[p]) for p in self.parameter_names]])
        with np.errstate(all="ignore"):
            return self.evaluate(flat, P)[0].reshape(shape)

    def flat_inputs(self, inputs: Mapping[str, Any]) -> tuple[list[Array], tuple[int, ...]]:
        """The inputs broadcast together and flattened: one (1, m) array per input symbol,
        and the broadcast shape (``shaped`` turns m values back into it)."""
        return li.flat_inputs(self, inputs)

    def input_arrays(self, inputs: Mapping[str, Any]) -> list[Array]:
        """Arrays for each input symbol, looked up by symbol or by bound column name."""
        return li.input_arrays(self, inputs)

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "expression": self.expression,
            "inputs": dict(self.inputs),
            "parameters": [p.to_dict() for p in self.parameters],
            "target": self.target,
            "description": self.description,
            "citation": self.citation,
            "domain": self.domain,
            "reference": dict(self.reference),
            "ranges": {s: list(r) for s, r in self.ranges.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Law:
        try:
            return cls(
                d["expression"],
                inputs=d["inputs"],
                parameters=[Parameter.from_dict(p) for p in d["parameters"]],
                name=d.get("name"),
                description=d.get("description", ""),
                citation=d.get("citation", ""),
                domain=d.get("domain", ""),
                target=d.get("target", "loss"),
                reference=d.get("reference") or None,
                ranges=d.get("ranges") or None,
                guess=_catalog_guess(d),
            )
        except (KeyError, TypeError) as exc:
            raise LawError(f"a saved law lacks {exc}", "law record",
                           "save it again with FitResult.save") from None


def _catalog_guess(d: Mapping[str, Any]) -> md.Guess | None:
    """The first guess of the catalog law a saved law came from (same name and formula)."""
    from . import catalog

    law = catalog.find(str(d.get("name", "")))
    return law.guess if law is not None and law.expression == d.get("expression") else None


def shaped(values: Array, shape: tuple[int, ...]) -> Any:
    """Values computed on :meth:`Law.flat_inputs` put back in the inputs' broadcast shape: a
    float for scalar inputs, else an array."""
    out = np.asarray(values).reshape(shape)
    return float(out) if out.ndim == 0 else out


def _appearance_order(text: str, names: Mapping[str, sp.Symbol]) -> list[str]:
    order: list[str] = []
    for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
        if token in names and token not in order:
            order.append(token)
    order += sorted(n for n in names if n not in order)
    return order

