"""Compute-optimal allocation: the model size and token count that minimise a fitted law's
loss at a training budget C = k·N·D, and the inverse query (FLOPs to reach a loss).

For the Chinchilla form ``E + A/N^alpha + B/D^beta`` the optimum has a closed form
(Hoffmann et al. 2022, Appendix D.2): ``N_opt = G (C/k)^(beta/(alpha+beta))``,
``D_opt = G^-1 (C/k)^(alpha/(alpha+beta))`` with ``G = (alpha A / (beta B))^(1/(alpha+beta))``.
Any other law with ``params`` and ``tokens`` inputs is minimised numerically along the
budget's iso-FLOP line (a log grid, then golden-section refinement), for all budgets at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..common.checks import check_level, positive_number
from ..common.numbers import level_label, readable, times
from ..exceptions import QueryError
from ..fitting import KIND_LABELS, FitResult
from .queries import (
    Array,
    PerQuery,
    flops_budgets,
    params_tokens_symbols,
    positive_values,
    query_record,
)
from .search import golden_section

_GRID = 241


@dataclass(frozen=True, repr=False)
class Allocation(PerQuery):
    """Compute-optimal model size, tokens and loss for one or more budgets."""

    flops: Array
    params: Array
    tokens: Array
    loss: Array
    method: str
    flops_factor: float
    exponent_params: float | None = None
    exponent_tokens: float | None = None
    warnings: tuple[str, ...] = field(default=())
    #: percentile intervals over a bootstrap's resamples, (budgets, 2) arrays, and their level
    params_interval: Array | None = None
    tokens_interval: Array | None = None
    loss_interval: Array | None = None
    exponent_interval: tuple[float, float] | None = None
    level: float | None = None
    #: how many times beyond the fitted data each optimum lies (1 inside)
    extrapolation: Array | None = None
    #: the calibrated (budgets, 2) interval of a run at each optimum, when the fit carries
    #: a calibration (:func:`scalinglaws.calibrate`), at ``forecast_level``
    loss_forecast: Array | None = None
    forecast_level: float | None = None
    #: how the fitted data counted params, tokens and flops, when they said
    convention: str | None = None

    def _columns(self) -> dict[str, Array]:
        return {"flops": self.flops, "params": self.params, "tokens": self.tokens,
                "loss": self.loss, "tokens_per_param": self.tokens / self.params}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; scalars when a single budget was asked for."""
        out: dict[str, Any] = {
            **query_record(self._columns()),
            "method": self.method, "flops_factor": self.flops_factor,
            "warnings": list(self.warnings),
        }
        if self.convention is not None:
            out["convention"] = self.convention
        if self.exponent_params is not None:
            out["exponent_params"] = self.exponent_params
            out["exponent_tokens"] = self.exponent_tokens
        if self.extrapolation is not None:
            ext = [float(v) for v in self.extrapolation]
            out["extrapolation"] = ext[0] if len(ext) == 1 else ext
        if self.loss_forecast is not None:
            rows = [[float(lo), float(hi)] for lo, hi in self.loss_forecast]
            out.update(loss_forecast_interval=rows[0] if len(rows) == 1 else rows,
                       forecast_level=self.forecast_level,
                       forecast_interval_kind=KIND_LABELS["calibrated"])
        if self.params_interval is not None:
            def pairs(a: Any) -> Any:
                rows = [[float(lo), float(hi)] for lo, hi in np.asarray(a)]
                return rows[0] if len(rows) == 1 else rows

            out.update(level=self.level, params_interval=pairs(self.params_interval),
                       tokens_interval=pairs(self.tokens_interval),
                       loss_interval=pairs(self.loss_interval),
                       interval_kind="parameter-only (bootstrap percentiles of the allocation)")
            if self.exponent_interval is not None:
                out["exponent_params_interval"] = list(self.exponent_interval)
        return out

    def _title(self) -> str:
        return (f"compute-optimal allocation ({self.method}; C = {self.flops_factor:g}·N·D"
                + (f"; N ∝ C^{self.exponent_params:.4f}" if self.exponent_params else "")
                + ")")

    def _intervals(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if self.level is not None:
            pct = level_label(self.level)
            out += [(f"{name} {pct}", band) for name, band in (
                ("params", self.params_interval), ("tokens", self.tokens_interval),
                ("loss", self.loss_interval)) if band is not None]
        if self.loss_forecast is not None and self.forecast_level is not None:
            out.append((f"loss {level_label(self.forecast_level)} forecast", self.loss_forecast))
        return out

    def _notes(self) -> list[str]:
        notes = []
        if self.params_interval is not None:
            notes.append("params, tokens, loss intervals: parameter-only (bootstrap "
                         "percentiles of the allocation)")
        if self.loss_forecast is not None:
            notes.append(f"loss forecast: {KIND_LABELS['calibrated']}")
        if self.convention is not None:
            notes.append(f"data convention: {self.convention}")
        return notes + super()._notes()

    def records(self) -> list[dict[str, float]]:
        return [{"flops": float(c), "params": float(n), "tokens": float(d), "loss": float(l_)}
                for c, n, d, l_ in zip(self.flops, self.params, self.tokens, self.loss,
                                       strict=True)]


def _is_chinchilla(fit: FitResult, n_sym: str, d_sym: str) -> bool:
    names = set(fit.law.parameter_names)
    if names != {"E", "A", "B", "alpha", "beta"}:
        return False
    import sympy as sp  # the law's own expression is symbolic: compared on first use

    s = {n: sp.Symbol(n, real=True) for n in [*names, n_sym, d_sym]}
    form = s["E"] + s["A"] / s[n_sym] ** s["alpha"] + s["B"] / s[d_sym] ** s["beta"]
    return bool(sp.simplify(fit.law.expr - form) == 0)


def compute_optimal(fit: FitResult, flops: Any, *, flops_factor: float = 6.0,
                    bootstrap: Any = None, level: float = 0.9) -> Allocation:
    """The model size N and tokens D = C/(k·N) that minimise the fitted loss at each budget C.

    With a bootstrap (``bootstrap=fit.bootstrap(1000)``, or one attached to the fit with
    ``fit.with_bootstrap``) the allocation is recomputed for every resample and the result
    carries ``level`` percentile intervals for N, D, the loss and the exponent of N
    (parameter-only). Every optimum carries its ``extrapolation`` factor beyond the fitted
    data, and, when the fit carries a calibration (:func:`scalinglaws.calibrate`), the
    ``level`` calibrated interval of a run's loss there (``loss_forecast``).

    >>> import scalinglaws as sl
    >>> ds = sl.datasets.load("chinchilla")
    >>> f = sl.fit("chinchilla", ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)])
    >>> a = sl.plan.compute_optimal(f, flops=5.76e23)
    >>> 1e10 < float(a.params[0]) < 1e12
    True
    """
    c = flops_budgets(flops)
    positive_number(flops_factor, "flops_factor", "use 6 (C = 6·N·D)")
    n_sym, d_sym = params_tokens_symbols(fit)
    p = fit.params
    if _is_chinchilla(fit, n_sym, d_sym) and p["alpha"] > 0 and p["beta"] > 0:
        a, b = p["alpha"], p["beta"]
        g = (a * p["A"] / (b * p["B"])) ** (1.0 / (a + b))
        n = g * (c / flops_factor) ** (b / (a + b))
        d = (c / flops_factor) ** (a / (a + b)) / g
        # the law itself, not fit.predict (whose query warnings would repeat at every step
        # of a search); the allocation carries its own extrapolation warnings
        loss = np.asarray(fit.law(fit.params, params=n, tokens=d), dtype=float)
        out = Allocation(c, n, d, loss, "closed_form", flops_factor,
                         exponent_params=b / (a + b), exponent_tokens=a / (a + b))
    else:
        n, loss = _numeric_optimum(fit, c, flops_factor)
        out = Allocation(c, n, c / (flops_factor * n), loss, "numeric", flops_factor)
    boot = bootstrap if bootstrap is not None else fit.uncertainty
    if boot is not None:
        out = _with_intervals(fit, out, boot, level)
    at = {n_sym: out.params, d_sym: out.tokens}
    out = dataclasses.replace(out, convention=fit.data_convention, extrapolation=np.broadcast_to(
        np.asarray(fit.extrapolation_factor(**at), dtype=float), out.params.shape).copy())
    if fit.calibration is not None:
        lo, hi = fit.predict_interval(level, kind="calibrated", **at)
        out = dataclasses.replace(out, loss_forecast=np.column_stack(
            [np.broadcast_to(lo, out.params.shape), np.broadcast_to(hi, out.params.shape)]),
            forecast_level=level)
    return _with_extrapolation_warnings(fit, out)


#: the numeric path is a search per resample: at most this many resamples give its intervals
_NUMERIC_RESAMPLES = 200


def _with_intervals(fit: FitResult, out: Allocation, boot: Any, level: float) -> Allocation:
    """Percentile intervals of the allocation over the bootstrap's resamples."""
    level = check_level(level)
    samples = np.asarray(boot.samples, dtype=float)
    samples = samples[np.isfinite(samples).all(axis=1)]
    if out.method == "numeric":
        samples = samples[:_NUMERIC_RESAMPLES]
    if len(samples) < 2:
        raise QueryError("the bootstrap has fewer than 2 usable resamples",
                         "argument 'bootstrap'", "rerun it with more resamples")
    names = fit.law.parameter_names
    rows_n, rows_l, expo = [], [], []
    for row in samples:
        resampled = dataclasses.replace(fit, params=dict(zip(names, map(float, row),
                                                             strict=True)),
                                        uncertainty=None)
        alloc = compute_optimal(resampled, out.flops, flops_factor=out.flops_factor)
        rows_n.append(alloc.params)
        rows_l.append(alloc.loss)
        if alloc.exponent_params is not None:
            expo.append(alloc.exponent_params)
    n_s, l_s = np.array(rows_n), np.array(rows_l)
    q = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    n_int = np.quantile(n_s, q, axis=0).T
    d_int = (out.flops[:, None] / (out.flops_factor * n_int))[:, ::-1]
    l_int = np.quantile(l_s, q, axis=0).T
    e_int = tuple(float(v) for v in np.quantile(expo, q)) if len(expo) == len(samples) else None
    return dataclasses.replace(out, params_interval=n_int, tokens_interval=d_int,
                               loss_interval=l_int, exponent_interval=e_int,  # type: ignore
                               level=level)


def _numeric_optimum(fit: FitResult, c: Array, k: float) -> tuple[Array, Array]:
    """Minimise loss(N, C/(kN)) over log N for every budget; batched grid + golden section."""
    hi = np.log(c / k)  # D >= 1 token
    lo = np.full_like(hi, np.log(1.0))
    u = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, _GRID)[None, :]

    def loss_at(logn: Array) -> Array:
        n = np.exp(logn)
        with np.errstate(all="ignore"):
            v = np.asarray(fit.law(fit.params, params=n, tokens=c.reshape(
                (-1,) + (1,) * (n.ndim - 1)) / (k * n)), dtype=float)
        return np.where(np.isfinite(v), v, np.inf)

    vals = loss_at(u)
    j = np.argmin(vals, axis=1)
    if not np.isfinite(vals[np.arange(len(c)), j]).all():
        raise QueryError("the law gives no finite loss along the budget's iso-FLOP line",
                         f"law '{fit.law.name}'", "check the fit's parameters")
    edge = (j == 0) | (j == _GRID - 1)
    if edge.any():
        raise QueryError(
            f"the law has no interior optimum for budget(s) {c[edge].tolist()}: the loss "
            "keeps falling towards an extreme model size",
            f"law '{fit.law.name}'",
            "check that the fitted exponents are positive, or use a law with both N and D terms")
    step = (hi - lo) / (_GRID - 1)
    best = u[np.arange(len(c)), j]
    logn = golden_section(lambda x: loss_at(x[:, None])[:, 0], best - step, best + step)
    return np.exp(logn), loss_at(logn[:, None])[:, 0]


def _with_extrapolation_warnings(fit: FitResult, out: Allocation) -> Allocation:
    warn = []
    for col, values in (("params", out.params), ("tokens", out.tokens)):
        if col in fit.input_ranges:
            top = fit.input_ranges[col][1]
            ratio = float(np.max(values)) / top
            if ratio > 10:
                warn.append(f"extrapolation: the optimal {col} ({readable(np.max(values))}) "
                            f"is {times(ratio)} the largest fitted value ({readable(top)}); "
                            "treat the answer as a forecast with wide uncertainty")
    if not warn:
        return out
    return dataclasses.replace(out, warnings=tuple(warn))


def flops_to_reach(fit: FitResult, loss: Any, *, flops_factor: float = 6.0,
                   level: float = 0.9) -> Allocation:
    """The smallest budget whose compute-optimal loss equals ``loss`` (inverse query); the
    answer is :func:`compute_optimal`'s at that budget (with its ``level`` intervals when the
    fit carries a bootstrap or a calibration).

    Raises :class:`QueryError` when the target is at or below what the law can ever reach.
    """
    target = positive_values(loss, "loss", "loss=2.0")
    lo = np.full(target.shape, np.log(1e6))
    hi = np.full(target.shape, np.log(1e45))
    # the search needs the fitted law only, not the intervals at each of its steps
    bare = dataclasses.replace(fit, uncertainty=None, calibration=None)

    def best(logc: Array) -> Array:
        return compute_optimal(bare, np.exp(logc), flops_factor=flops_factor).loss

    floor = best(hi)
    unreachable = target <= floor
    if unreachable.any():
        irreducible = f" (irreducible loss E = {fit.params['E']:.4g})" if "E" in fit.params else ""
        raise QueryError(
            f"target loss {target[unreachable][0]:g} is below what the fitted law reaches at "
            f"any budget{irreducible}",
            f"law '{fit.law.name}'",
            "ask for a higher loss, or check the fit")
    top = best(lo)
    target_c = np.where(target >= top, lo, np.nan)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        above = best(mid) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    c = np.exp(np.where(np.isnan(target_c), hi, target_c))
    return compute_optimal(fit, c, flops_factor=flops_factor, level=level)
