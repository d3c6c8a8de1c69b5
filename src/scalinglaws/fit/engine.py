"""Fitting one law to one data set: resolve the law and data, search, polish, assess health."""

from __future__ import annotations

import dataclasses
import warnings as _warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..exceptions import DataError, FitError, LawError, OptionError, ScalingLawWarning
from ..laws.law import Law
from . import starts as st
from .boundary import is_negligible, snap_to_zero
from .covariance import covariance
from .diagnostics import (
    SPREAD_TOL,
    Diagnostics,
    Trend,
    flat_message,
    monotonicity,
    repeated_inputs,
    residual_trend,
)
from .objective import Objective, check_loss, log_shift
from .optimizer import (
    CONVERGED,
    MAX_ITER,
    STALLED,
    STATUS_NAMES,
    BatchResult,
    minimize_batched,
)
from .projection import project
from .result import FitResult, FitStatus, StartsTable

STARTS = ("auto", "grid")
#: residuals below this RMS (log units, or relative to the target's RMS for ``mse``) are
#: rounding, not misfit: no residual-trend test
_EXACT = 1e-6
#: a start that reaches the iteration limit having gained less than STALL_SHIFT / dof of its
#: objective over its last STALL_WINDOW Newton iterations is reported as settled in a flat
#: valley, not as unconverged: moving one parameter by one standard error changes a
#: least-squares objective by about 1/dof of its value, so those iterations moved the fit by
#: less than 0.1 standard error (z^2 = 0.01)
STALL_WINDOW, STALL_SHIFT = 50, 0.01
STALLED_MESSAGE = (
    "the fit ended in a flat valley: its last {window} iterations lowered the objective by "
    "less than a tenth of a standard error's worth; the predictions are settled but some "
    "parameters are not determined by the data (see their standard errors); add runs that "
    "separate them or fix some of them")


def resolve_law(law: Law | str, columns: Mapping[str, str] | None = None,
                x: str | None = None) -> Law:
    """A Law from a Law, a catalog name, or an expression.

    In an expression, N, D, C, S (and the role names) are inputs by default; so are the
    symbols that ``columns`` maps to a column, and ``x`` when ``x=`` is given.
    """
    if isinstance(law, Law):
        return law
    if not isinstance(law, str):
        raise LawError(f"a law is a name, an expression or a Law, got {type(law).__name__}",
                       "argument 'law'", "e.g. 'chinchilla' or 'E + A*C**(-alpha)'")
    from ..laws import catalog

    if law.isidentifier() or catalog.is_catalog_name(law):
        return catalog.get(law)  # an unknown name gets the close matches
    from ..laws import expression as ex
    from ..laws.law import DEFAULT_INPUTS

    symbols = {str(s) for s in ex.parse(law).free_symbols}
    inputs: dict[str, str | None] = {
        s: DEFAULT_INPUTS[s] for s in symbols if s in DEFAULT_INPUTS}
    inputs.update({s: col for s, col in (columns or {}).items() if s in symbols})
    if x is not None and "x" in symbols:
        inputs["x"] = x
    return Law.from_expression(law, inputs=inputs or None)


def bind_inputs(law: Law, x: str | None, columns: Mapping[str, str] | None) -> Law:
    """Apply ``x=`` (the input of a one-input law) and ``columns=`` (symbol or role -> column)."""
    mapping: dict[str, str] = {}
    for key, col in (columns or {}).items():
        if key in law.inputs:
            mapping[key] = col
        else:
            hits = [s for s, c in law.inputs.items() if c == key]
            if not hits:
                raise LawError(
                    f"'{key}' is neither an input symbol nor an input column of the law",
                    f"law '{law.name}' inputs: "
                    + ", ".join(f"{s} (column {c})" for s, c in law.inputs.items()),
                    "map a symbol or role to a column, e.g. N=n_params")
            mapping.update(dict.fromkeys(hits, col))
    if x is not None:
        if len(law.inputs) != 1:
            raise LawError(
                f"x= picks the input of a one-input law, but '{law.name}' has "
                f"{len(law.inputs)} inputs", "argument 'x'",
                "map inputs with columns={'N': 'params', ...} instead")
        mapping[next(iter(law.inputs))] = x
    if mapping:
        law = law.bind(**mapping)
    if law.unbound_inputs:
        raise LawError(
            f"law '{law.name}' needs to know which column its input "
            f"{', '.join(law.unbound_inputs)} reads",
            "argument 'x'", "pass x='flops' (or params, tokens, ...); CLI: --x flops")
    return law


def as_dataset(data: Any) -> Dataset:
    if isinstance(data, Dataset):
        return data
    if isinstance(data, pd.DataFrame):
        return Dataset.from_frame(data)
    raise DataError(f"data must be a Dataset or a DataFrame, got {type(data).__name__}",
                    "argument 'data'", "use sl.Dataset.from_csv(...) or a DataFrame")


def fit_law(
    law: Law | str,
    data: Dataset | pd.DataFrame,
    *,
    x: str | None = None,
    y: str | None = None,
    columns: Mapping[str, str] | None = None,
    loss: str = "huber",
    delta: float = 1e-3,
    overestimate_penalty: float = 1.0,
    init: Any = None,
    starts: str = "auto",
    n_polish: int = 4,
    max_iter: int = 1000,
    weights: Any = None,
    throw: bool = False,
) -> FitResult:
    """Fit one law to one data set (the work of :func:`scalinglaws.fit` without groups)."""
    delta, overestimate_penalty = check_loss(loss, delta, overestimate_penalty)
    if not isinstance(starts, str) or starts not in STARTS:
        raise OptionError(f"unknown starts strategy {starts!r}", "argument 'starts'",
                          f"use one of {', '.join(STARTS)}")
    n_polish = _positive_int(n_polish, "n_polish", "use e.g. 4 (the default)")
    max_iter = _positive_int(max_iter, "max_iter", "use e.g. 1000 (the default)")
    law = bind_inputs(resolve_law(law, columns, x), x, columns)
    y = law.target if y is None else y
    ds = as_dataset(data)
    cols = dict(law.inputs)
    X = [ds.column(str(c))[None, :] for c in cols.values()]
    target = ds.column(y)
    n, p = len(ds), len(law.parameters)
    if n < p:
        raise DataError(
            f"{n} data point(s) cannot determine the {p} parameters of '{law.name}'",
            f"dataset with {n} rows", "add runs, or fix some parameters / use a smaller law")
    shift = log_shift(loss)
    if shift is not None and (target + shift <= 0).any():
        bad = np.flatnonzero(target + shift <= 0)
        floor = "0" if shift == 0 else f"{-shift:g}"
        raise DataError(f"loss '{loss}' works on log values, but '{y}' has values <= {floor}",
                        f"column '{y}', rows {bad[:5].tolist()}", "use loss='mse'")
    case_w = None if weights is None else _case_weights(weights, n)
    obj = Objective(law, X, target, loss, delta, overestimate_penalty, case_w)
    U0 = _starting_points(obj, law, X, init, starts, n_polish)
    batch = _optimise(obj, U0, max_iter, prune=starts == "grid" and init is None)
    result = _assemble(obj, law, ds, y, U0, batch)
    result = dataclasses.replace(result, data=ds, case_weights=case_w)
    # rows equal in every input column (the law's and the data's size roles) but far apart in
    # the target: families or setups pooled without a column that separates them
    keys = dict.fromkeys([*map(str, cols.values()), "params", "tokens", "flops", "step", "lr"])
    mixed = repeated_inputs({c: ds.column(c) for c in keys if ds.has(c)}, target, y,
                            keep=None if case_w is None else case_w > 0)
    if mixed is not None:
        result = dataclasses.replace(result, warnings=(*result.warnings, mixed))
    if throw and not result.status.ok:
        verb = "failed" if result.status is FitStatus.FAILED else "did not converge"
        raise FitError(f"the fit of '{law.name}' {verb}: {result.status.message}",
                       f"status {result.status.value}",
                       "; ".join(result.warnings) or "see the fit's warnings", result=result)
    for w in result.warnings:
        _warnings.warn(w, ScalingLawWarning, stacklevel=2)
    return result


def _positive_int(value: Any, name: str, fix: str) -> int:
    """``value`` as an int >= 1, or an OptionError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise OptionError(f"{name} must be a positive integer, got {value!r}",
                          f"argument '{name}'", fix)
    return int(value)


def _case_weights(weights: Any, n: int) -> np.ndarray:
    """``weights`` as n finite, non-negative floats, not all zero, or a DataError."""
    fix = f"give {n} non-negative numbers, one per row, at least one of them positive"
    try:
        w = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"weights must be numbers ({exc})", "argument 'weights'",
                        fix) from None
    if w.shape != (n,) or not np.isfinite(w).all() or (w < 0).any():
        raise DataError("weights must be finite, non-negative, one per row",
                        f"argument 'weights' (shape {w.shape}, data {n} rows)", fix)
    if not w.sum() > 0:
        raise DataError("weights are all zero: no row would be fitted", "argument 'weights'",
                        fix)
    return w


def _optimise(obj: Objective, U0: np.ndarray, max_iter: int, prune: bool) -> Any:
    """IRLS Levenberg–Marquardt from every start, then a Newton polish of the survivors."""
    coarse = minimize_batched(obj, U0, max_iter=max_iter, ftol=1e-4,
                              prune_every=3 if prune else None)
    alive = np.flatnonzero(np.isin(coarse.status, [CONVERGED, MAX_ITER])
                           & np.isfinite(coarse.value))
    if prune and alive.size > 8:
        alive = alive[np.argsort(coarse.value[alive])[:8]]
    if alive.size == 0:
        return coarse
    dof = max(np.size(obj.y) - U0.shape[1], 1)
    fine = minimize_batched(obj, coarse.U[alive], max_iter=max_iter, exact=True, lam0=1e-6,
                            stall_window=STALL_WINDOW, stall_rtol=STALL_SHIFT / dof)
    fine = snap_to_zero(obj, fine, max_iter)
    U, value = coarse.U.copy(), coarse.value.copy()
    status, n_iter = coarse.status.copy(), coarse.n_iter.copy()
    U[alive], value[alive] = fine.U, fine.value
    status[alive] = np.where(fine.status == CONVERGED, CONVERGED,
                             np.maximum(fine.status, coarse.status[alive]))
    n_iter[alive] += fine.n_iter
    return BatchResult(U=U, value=value, status=status, n_iter=n_iter)


def _starting_points(obj: Objective, law: Law, X: list[np.ndarray], init: Any, starts: str,
                     n_polish: int) -> np.ndarray:
    if init is not None:
        return obj.clip(obj.search(st.user_starts(law, init)))
    U = _grid_starting_points(obj, law, X, starts, n_polish)
    guessed = st.guessed_starts(law, X, obj.y)
    return U if guessed is None else np.vstack([U, obj.clip(obj.search(guessed))])


def _grid_starting_points(obj: Objective, law: Law, X: list[np.ndarray], starts: str,
                          n_polish: int) -> np.ndarray:
    if starts == "grid":
        return obj.clip(obj.search(st.exhaustive_grid(law, X)))
    theta = st.projected_grid(law, X)
    P, f = project(obj, theta)
    values = obj.value_from_prediction(f)
    values[~np.isfinite(P).all(axis=1)] = np.inf
    floor = 1e-12 * (1.0 + float(np.max(np.abs(obj.y))))
    for i, prm in enumerate(law.parameters):
        if prm.log:
            P[:, i] = np.where(P[:, i] > 0, P[:, i], floor)
    coords = _grid_coords(theta)
    chosen = st.pick_diverse(values, coords, n_polish, min_gap=2.0)
    if chosen.size == 0:
        chosen = np.arange(min(n_polish, len(P)))
        P = np.nan_to_num(P, nan=1.0)
    return obj.clip(obj.search(P[chosen]))


def _grid_coords(theta: np.ndarray) -> np.ndarray:
    """Integer position of each grid point along each axis (for distinct candidates)."""
    out = np.zeros_like(theta)
    for j in range(theta.shape[1]):
        out[:, j] = np.unique(theta[:, j], return_inverse=True)[1]
    return out


def _assemble(obj: Objective, law: Law, ds: Dataset, y: str, U0: np.ndarray,
              batch: Any) -> FitResult:
    names = law.parameter_names
    usable = np.isin(batch.status, [CONVERGED, MAX_ITER, STALLED]) & np.isfinite(batch.value)
    warn: list[str] = []
    if not usable.any():
        best = int(np.argmin(np.where(np.isfinite(batch.value), batch.value, np.inf)))
        status = FitStatus.FAILED
        warn.append(f"fit of '{law.name}' failed: {status.message}")
    else:
        best = int(np.flatnonzero(usable)[np.argmin(batch.value[usable])])
        status = (FitStatus.CONVERGED if batch.status[best] in (CONVERGED, STALLED)
                  else FitStatus.MAX_ITER)
        if status is FitStatus.MAX_ITER:
            warn.append(f"fit of '{law.name}' did not converge: {status.message}")
        elif batch.status[best] == STALLED:
            warn.append(STALLED_MESSAGE.format(window=STALL_WINDOW))
    u = batch.U[best]
    p_hat = obj.natural(u[None, :])[0]
    tol = 1e-7 * (1.0 + np.abs(u))
    at_lo = np.isfinite(obj.lower) & (u - obj.lower <= tol)
    # a log-scale parameter bounded below by 0 has no finite search bound: it "reaches" 0 by
    # running off towards -inf; below 1e-10 it counts as at 0 once it no longer contributes
    # (when the others grew to compensate, A -> 0 with A*gamma**alpha ~ 1, the fit is heading
    # for a limit of the law, not for the bound)
    tiny = np.flatnonzero(obj.log_mask & ~np.isfinite(obj.lower) & (u < np.log(1e-10)))
    if tiny.size:
        at_lo[tiny] = is_negligible(obj, np.repeat(u[None, :], tiny.size, axis=0), tiny)
    at_hi = np.isfinite(obj.upper) & (obj.upper - u <= tol)
    if status is FitStatus.FAILED:  # a failed search sits nowhere: no bound to report
        at_lo[:] = at_hi[:] = False
    for i in np.flatnonzero(at_lo | at_hi):
        side, bound = ("lower", law.parameters[i].lower) if at_lo[i] else (
            "upper", law.parameters[i].upper)
        warn.append(f"parameter '{names[i]}' sits at its {side} bound {bound:g}: the optimum "
                    "may lie beyond it; widen the bound or question the law")
    if status is FitStatus.CONVERGED and (at_lo | at_hi).any():
        status = FitStatus.AT_BOUND
    cov = covariance(obj, p_hat, at_lo | at_hi)
    failed = status is FitStatus.FAILED
    if cov.flat and not failed:
        warn.append(flat_message(cov.flat[0], cov.condition))
    start_spread = 0.0
    if usable.sum() > 1 and not failed:
        fbest = batch.value[best]
        twins = usable & (batch.value <= fbest + 1e-6 * abs(fbest))
        P_all = obj.natural(batch.U[twins])
        spread = np.max(np.abs(P_all - p_hat) / (np.abs(p_hat) + 1e-12), axis=0)
        start_spread = float(np.max(spread))
        loose = [names[i] for i in np.flatnonzero(spread > SPREAD_TOL)]
        if loose:
            warn.append(f"starts reach the same objective with different {', '.join(loose)}: "
                        "the optimum is not unique; constrain those parameters")
    resid = obj.residual_jacobian(u[None, :])[0][0]
    diagnostics = _diagnostics(obj, law, resid, status, at_bound=tuple(
        names[i] for i in np.flatnonzero(at_lo | at_hi)), condition=cov.condition,
        flat=() if failed else cov.flat, start_spread=start_spread)
    warn.extend(diagnostics.model_messages)
    dof = max(len(resid) - len(names), 1)
    scale = float(np.sqrt(np.sum(resid[np.isfinite(resid)] ** 2) / dof))
    stderr = np.sqrt(np.where(np.diag(cov.cov) >= 0, np.diag(cov.cov), np.nan))
    ranges = {col: (float(xv.min()), float(xv.max()))
              for col, xv in zip(law.inputs.values(), obj.X, strict=True) if col}
    table = StartsTable(
        names=names, initial=obj.natural(U0), final=obj.natural(batch.U),
        objective=batch.value, status=tuple(STATUS_NAMES[int(s)] for s in batch.status),
        n_iter=batch.n_iter,
    )
    return FitResult(
        law=law,
        params={n: float(v) for n, v in zip(names, p_hat, strict=True)},
        stderr={n: float(v) for n, v in zip(names, stderr, strict=True)},
        cov=cov.cov,
        objective=float(batch.value[best]),
        loss=obj.loss,
        delta=obj.delta,
        overestimate_penalty=obj.overestimate_penalty,
        n_points=len(ds),
        status=status,
        warnings=tuple(warn),
        target=y,
        columns={s: str(c) for s, c in law.inputs.items()},
        input_ranges=ranges,
        fingerprint=ds.fingerprint,
        dataset=ds.name,
        n_starts=len(U0),
        residual_scale=scale,
        diagnostics=diagnostics,
        starts=table,
    )


def _rises(x: np.ndarray, y: np.ndarray, r: np.ndarray, obj: Objective) -> bool:
    """Whether the fitted law rises with ``x`` over the data (a loss-to-error law does): then
    data that rise with ``x`` are what it models, not a shape it cannot follow."""
    fitted = (y + obj.shift) * np.exp(r) - obj.shift if obj.log_space else y + r
    ok = np.isfinite(fitted) & np.isfinite(x)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(fitted[ok]) == 0:
        return False
    rx, rf = (pd.Series(v[ok]).rank().to_numpy() for v in (x, fitted))
    return bool(np.corrcoef(rx, rf)[0, 1] > 0)


def _diagnostics(obj: Objective, law: Law, resid: np.ndarray, status: FitStatus, *,
                 at_bound: tuple[str, ...], condition: float, flat: tuple[str, ...],
                 start_spread: float) -> Diagnostics:
    """The fit's :class:`Diagnostics`: the health facts computed above, plus residual trends
    and data shapes in the law's own inputs (rows with zero case weight left out).

    Residual trends are looked for only at an optimum (converged or at a bound; the residuals
    of an unfinished search say nothing about the law) and with a symmetric loss: with an
    ``overestimate_penalty`` the law tracks a lower envelope of the runs, so the centre of
    the residuals follows their spread (wider for some models) without the law missing
    anything.
    """
    keep = slice(None) if obj.case_weights is None else np.asarray(obj.case_weights) > 0
    inputs = {str(col): np.asarray(xv)[0][keep]
              for col, xv in zip(law.inputs.values(), obj.X, strict=True) if col}
    y, r = np.asarray(obj.y)[keep], resid[keep]
    n, p = int(y.size), len(law.parameters)
    trends: tuple[Trend, ...] = ()
    finite = r[np.isfinite(r)]
    # residuals at the level of rounding (a law fitted to its own exact values) have no trend
    # worth reporting
    floor = _EXACT * (1.0 if obj.log_space else float(np.sqrt(np.mean(y * y))))
    testable = (status in (FitStatus.CONVERGED, FitStatus.AT_BOUND)
                and obj.overestimate_penalty == 1.0)
    if testable and finite.size and float(np.sqrt(np.mean(finite**2))) > floor:
        trends = tuple(t for t in residual_trend(r, inputs) if t.significant)
    return Diagnostics(
        at_bound=at_bound, condition=float(condition), flat=tuple(flat),
        start_spread=start_spread, residual_trends=trends,
        shapes=tuple(s for s in monotonicity(inputs, y)
                     if not (s.kind == "inverse" and _rises(inputs[s.column], y, r, obj))),
        points_per_parameter=n / p if p else float("inf"), n_points=n, n_params=p)

