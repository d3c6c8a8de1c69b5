"""The Law: a symbolic expression of inputs and parameters, with compiled numeric callables.

Building a law reads its expression without SymPy (:mod:`scalinglaws.laws.syntax`); the
SymPy expression, the analysis and the compiled callables are made on first use
(:mod:`scalinglaws.laws.analysis`, :mod:`scalinglaws.laws.compile`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import LawError
from . import analysis as an
from . import inputs as li
from . import metadata as md
from . import syntax
from .parameter import Parameter, coerce_parameters

if TYPE_CHECKING:
    import sympy as sp

    from .compile import Compiled

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
    finite differences) and cached. Building a law does not import SymPy: the expression is
    checked as text, and its SymPy form (``expr``) is made when first needed.

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

    Examples
    --------
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
        order = syntax.symbol_names(self.expression)
        self.name = name or self.expression
        self.description = description
        self.citation = citation
        self.domain = domain
        self.target = target
        self.inputs: dict[str, str | None] = _checked_inputs(self.expression, order, inputs)
        specs = coerce_parameters(parameters)
        param_names = _parameter_order(self.expression, order, self.inputs, specs,
                                       isinstance(parameters, Sequence))
        found = an.lookup(an.key(self.expression, self.inputs, param_names))
        if found is not None:
            self.__dict__["_analysis"] = found
        self._names = tuple(param_names)
        self.parameters: tuple[Parameter, ...] = tuple(
            specs[p] if p in specs else self._default_parameter(p) for p in param_names)
        self.reference = md.checked_reference(self.name, self.parameters, reference)
        self.ranges = md.checked_ranges(self.name, self.inputs, ranges)
        self.guess = guess

    def _default_parameter(self, name: str) -> Parameter:
        """The spec of a parameter given none: from the analysis (which needs SymPy)."""
        if name in self._analysis.signed:
            return Parameter(name, description="coefficient of a term of either sign")
        if name in self._analysis.linear:
            return Parameter(name, lower=0.0, log=True,
                             description="amplitude or offset (enters linearly)")
        if name in self._analysis.exponents:
            return Parameter(name, lower=0.0, upper=10.0, description="exponent")
        if name in self._analysis.inner and name not in self._analysis.positive:
            return Parameter(name, description="offset or slope of a shape (either sign)")
        return Parameter(name, lower=0.0, log=True, description="scale")

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
        return self._analysis.linear

    @property
    def exponent_names(self) -> tuple[str, ...]:
        """Parameters in the exponent of a power (or ``exp``) of an input."""
        return self._analysis.exponents

    @property
    def unbound_inputs(self) -> tuple[str, ...]:
        return tuple(s for s, c in self.inputs.items() if c is None)

    @property
    def input_ranges(self) -> dict[str, tuple[float, float]]:
        """The input values the law is meant for, by symbol (where known)."""
        return md.input_ranges(self.inputs, self.ranges)

    @property
    def formula(self) -> str:
        """The expression as readable text (as SymPy writes it)."""
        return self._analysis.formula

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise LawError(f"'{name}' is not a parameter of law '{self.name}'",
                       f"parameters: {', '.join(self.parameter_names)}", "use one of those")

    def __getstate__(self) -> dict[str, Any]:
        """The definition without the compiled callables (rebuilt on use), for pickling."""
        cached = {n for k in type(self).__mro__ for n, v in vars(k).items()
                  if isinstance(v, cached_property) and n != "_analysis"}
        return {k: v for k, v in self.__dict__.items() if k not in cached}

    def __repr__(self) -> str:
        ins = ", ".join(f"{s}={c}" for s, c in self.inputs.items())
        return f"<Law {self.name!r}: {self.formula}; inputs {ins}>"

    def __str__(self) -> str:
        from .display import text

        return text(self)

    def _repr_html_(self) -> str:
        from .display import html

        return html(self)

    # -- symbolic form and compiled callables (SymPy, on first use) -------------------------
    @cached_property
    def expr(self) -> sp.Expr:
        """The SymPy expression (parsed on first use)."""
        from . import expression as ex

        return ex.parse(self.expression)

    @cached_property
    def _symbols(self) -> dict[str, sp.Symbol]:
        import sympy as sp

        found = {s.name: s for s in self.expr.free_symbols if isinstance(s, sp.Symbol)}
        return {n: found.get(n) or sp.Symbol(n, real=True)
                for n in (*self.inputs, *self._names)}

    @cached_property
    def input_symbols(self) -> list[sp.Symbol]:
        """The SymPy symbols of the inputs, in order (compiles the expression on first use)."""
        return [self._symbols[s] for s in self.inputs]

    @cached_property
    def parameter_symbols(self) -> list[sp.Symbol]:
        """The SymPy symbols of the parameters, in order (compiles the expression on first
        use)."""
        return [self._symbols[p] for p in self._names]

    @cached_property
    def _linear(self) -> list[sp.Symbol]:
        return [self._symbols[p] for p in self.linear_names]

    @cached_property
    def _analysis(self) -> an.Analysis:
        return an.analyse(self.expr, self.input_symbols, self.parameter_symbols)

    @cached_property
    def _compiled(self) -> Compiled:
        from .compile import compiled

        return compiled(self.expr, tuple(self.input_symbols), tuple(self.parameter_symbols),
                        tuple(self._linear))

    # -- numeric evaluation (compiled on first use, see scalinglaws.laws.compile) -----------
    # X: list of input arrays shaped (1, n); P: parameter matrix (K, p) in natural units.
    def evaluate(self, X: Sequence[Array], P: Array) -> Array:
        """Law values, shape (K, n)."""
        return self._compiled.evaluate(X, P)

    def jacobian(self, X: Sequence[Array], P: Array) -> Array:
        """d value / d parameter, shape (K, n, p)."""
        return self._compiled.jacobian(X, P)

    def hessian(self, X: Sequence[Array], P: Array) -> Array:
        """Second derivatives, shape (K, n, p, p)."""
        return self._compiled.hessian(X, P)

    def hessian_contract(self, X: Sequence[Array], P: Array, w: Array) -> Array:
        """Σ_n w[k, n] · ∂²f/∂p_i∂p_j at (X_n, P_k), shape (K, p, p), without the full
        (K, n, p, p) array."""
        return self._compiled.hessian_contract(X, P, w)

    def derivative_columns(self, X: Sequence[Array], P: Array, order: int = 1
                           ) -> tuple[Array, list[Array], list[Array | None]]:
        """Value (K, n), the gradient as p arrays (K, n) and, for ``order=2``, the upper
        triangle of the Hessian (row-major, ``None`` where identically zero), from one
        compiled function with shared subexpressions (the fast path of the fit engine)."""
        return self._compiled.derivative_columns(X, P, order)

    def basis(self, X: Sequence[Array], Pnl: Array) -> tuple[Array, Array]:
        """Variable projection basis: value = g0 + F @ linear; shapes (K, n), (K, n, m)."""
        return self._compiled.basis(X, Pnl)

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
                guess=md.catalog_guess(str(d.get("name", "")), d.get("expression")),
            )
        except (KeyError, TypeError) as exc:
            raise LawError(f"a saved law lacks {exc}", "law record",
                           "save it again with FitResult.save") from None


def shaped(values: Array, shape: tuple[int, ...]) -> Any:
    """Values computed on :meth:`Law.flat_inputs` put back in the inputs' broadcast shape: a
    float for scalar inputs, else an array."""
    out = np.asarray(values).reshape(shape)
    return float(out) if out.ndim == 0 else out


def _checked_inputs(expression: str, order: Sequence[str],
                    inputs: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """The inputs by symbol, in order of appearance (N, D, C, S and role names by default)."""
    if inputs is None:
        inputs = {s: DEFAULT_INPUTS[s] for s in order if s in DEFAULT_INPUTS}
    for sym in inputs:
        if sym not in order:
            raise LawError(
                f"input '{sym}' does not appear in the expression",
                f"expression {expression!r}",
                f"use one of its symbols: {', '.join(order) or 'none'}",
            )
    if not inputs:
        from . import expression as ex

        sym = ex.likely_input(ex.parse(expression), order)
        raise LawError(
            "the expression has no input",
            f"expression {expression!r}",
            f"map its input symbol to a column, --col {sym}=flops (Python: "
            f"columns={{'{sym}': 'flops'}} or Law(..., inputs={{'{sym}': 'flops'}})), or write "
            "N, D, C, S, which read params, tokens, flops, step",
        )
    return {s: inputs[s] for s in order if s in inputs}


def _parameter_order(expression: str, order: Sequence[str], inputs: Mapping[str, Any],
                     specs: Mapping[str, Parameter], in_spec_order: bool) -> list[str]:
    """The parameters: the symbols that are not inputs, in order of appearance (or first
    those given as a sequence of specs, in its order)."""
    names = [s for s in order if s not in inputs]
    for pname in specs:
        if pname not in names:
            raise LawError(
                f"parameter '{pname}' does not appear in the expression",
                f"expression {expression!r}",
                f"its parameters are {', '.join(names) or 'none'}",
            )
    if not names:
        raise LawError("the expression has no parameter to fit",
                       f"expression {expression!r}",
                       "add parameters, e.g. 'E + A*C**(-alpha)'")
    if in_spec_order and specs:
        names = [p for p in specs if p in names] + [p for p in names if p not in specs]
    return names
