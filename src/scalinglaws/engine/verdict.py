"""Judging a search: the best start, its status, bounds, covariance, warnings and
diagnostics. One rule decides whether a parameter sits at a bound (:func:`bound_flags`); the
result types, summaries and reports read it from here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..laws.law import Law
from .boundary import is_negligible
from .covariance import Covariance, covariance
from .diagnostics import (
    SPREAD_TOL,
    Diagnostics,
    Trend,
    flat_message,
    monotonicity,
    residual_trend,
)
from .domain import nonfinite_terms
from .multistart import STALL_WINDOW, Search
from .objective import Objective
from .optimizer import CONVERGED, MAX_ITER, STALLED, STATUS_NAMES, BatchResult
from .status import FitStatus, StartsTable

#: residuals below this RMS (log units, or relative to the target's RMS for ``mse``) are
#: rounding, not misfit: no residual-trend test
_EXACT = 1e-6
#: a parameter within this relative distance of a bound, in search coordinates, sits at it
BOUND_TOL = 1e-7
STALLED_MESSAGE = (
    "the fit ended in a flat valley: its last {window} iterations lowered the objective by "
    "less than a tenth of a standard error's worth; the predictions are settled but some "
    "parameters are not determined by the data (see their standard errors); add runs that "
    "separate them or fix some of them")


@dataclass(frozen=True)
class Assessment:
    """What the engine concludes from a search, in natural units (the fields a
    :class:`~scalinglaws.FitResult` is made of)."""

    params: dict[str, float]
    stderr: dict[str, float]
    cov: np.ndarray
    objective: float
    status: FitStatus
    warnings: tuple[str, ...]
    input_ranges: dict[str, tuple[float, float]]
    n_starts: int
    residual_scale: float
    diagnostics: Diagnostics
    starts: StartsTable


def assess(obj: Objective, found: Search) -> Assessment:
    """Pick the best start of ``found`` and judge it (status, bounds, errors, diagnostics)."""
    law, batch = obj.law, found.batch
    names = law.parameter_names
    usable = np.isin(batch.status, [CONVERGED, MAX_ITER, STALLED]) & np.isfinite(batch.value)
    best, status, warn = _best_start(law, batch, usable)
    u = batch.U[best]
    p_hat = obj.natural(u[None, :])[0]
    if status is FitStatus.FAILED:
        why = nonfinite_terms(law, obj.X, p_hat, obj.y, obj.link)
        if why:
            warn = [f"{warn[0]}: at the best start, {why}; give starts (init=) inside the "
                    "law's domain, narrow the ranges of the parameters that leave it, or drop "
                    "those rows"]
    at_lo, at_hi = bound_flags(obj, u)
    if status is FitStatus.FAILED:  # a failed search sits nowhere: no bound to report
        at_lo[:] = at_hi[:] = False
    warn += bound_messages(law, at_lo, at_hi)
    if status is FitStatus.CONVERGED and (at_lo | at_hi).any():
        status = FitStatus.AT_BOUND
    cov = covariance(obj, p_hat, at_lo | at_hi)
    failed = status is FitStatus.FAILED
    if cov.flat and not failed:
        warn.append(flat_message(cov.flat[0], cov.condition))
    start_spread = 0.0
    if usable.sum() > 1 and not failed:
        start_spread, message = _start_spread(obj, batch, usable, best, p_hat)
        warn += message
    resid = obj.residual_jacobian(u[None, :])[0][0]
    diagnostics = _diagnostics(obj, resid, status, at_bound=tuple(
        names[i] for i in np.flatnonzero(at_lo | at_hi)), condition=cov.condition,
        flat=() if failed else cov.flat, start_spread=start_spread)
    warn.extend(diagnostics.model_messages)
    if found.repaired and found.design == "init":
        warn.append(f"{found.repaired} of the starts given (init=) made the law not finite on "
                    "some rows; they were moved into its domain before the search")
    return _assessment(obj, found, best, status, tuple(warn), cov, resid, diagnostics)


def _best_start(law: Law, batch: BatchResult, usable: np.ndarray
                ) -> tuple[int, FitStatus, list[str]]:
    """The index of the best usable start, the fit's status and the warnings it implies."""
    if not usable.any():
        best = int(np.argmin(np.where(np.isfinite(batch.value), batch.value, np.inf)))
        status = FitStatus.FAILED
        return best, status, [f"fit of '{law.name}' failed: {status.message}"]
    best = int(np.flatnonzero(usable)[np.argmin(batch.value[usable])])
    status = (FitStatus.CONVERGED if batch.status[best] in (CONVERGED, STALLED)
              else FitStatus.MAX_ITER)
    if status is FitStatus.MAX_ITER:
        return best, status, [f"fit of '{law.name}' did not converge: {status.message}"]
    if batch.status[best] == STALLED:
        return best, status, [STALLED_MESSAGE.format(window=STALL_WINDOW)]
    return best, status, []


def bound_flags(obj: Objective, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which parameters of the point ``u`` (search coordinates) sit at their lower and upper
    bounds: the one rule of the project."""
    tol = BOUND_TOL * (1.0 + np.abs(u))
    at_lo = np.isfinite(obj.lower) & (u - obj.lower <= tol)
    # a log-scale parameter bounded below by 0 has no finite search bound: it "reaches" 0 by
    # running off towards -inf; below 1e-10 it counts as at 0 once it no longer contributes
    # (when the others grew to compensate, A -> 0 with A*gamma**alpha ~ 1, the fit is heading
    # for a limit of the law, not for the bound)
    tiny = np.flatnonzero(obj.log_mask & ~np.isfinite(obj.lower) & (u < np.log(1e-10)))
    if tiny.size:
        at_lo[tiny] = is_negligible(obj, np.repeat(u[None, :], tiny.size, axis=0), tiny)
    at_hi = np.isfinite(obj.upper) & (obj.upper - u <= tol)
    return at_lo, at_hi


def bound_messages(law: Law, at_lo: np.ndarray, at_hi: np.ndarray) -> list[str]:
    out = []
    for i in np.flatnonzero(at_lo | at_hi):
        side, bound = ("lower", law.parameters[i].lower) if at_lo[i] else (
            "upper", law.parameters[i].upper)
        out.append(f"parameter '{law.parameter_names[i]}' sits at its {side} bound {bound:g}: "
                   "the optimum may lie beyond it; widen the bound or question the law")
    return out


def _start_spread(obj: Objective, batch: BatchResult, usable: np.ndarray, best: int,
                  p_hat: np.ndarray) -> tuple[float, list[str]]:
    """How far apart starts that reach the best objective ended, and the warning if they
    disagree on some parameters."""
    fbest = batch.value[best]
    twins = usable & (batch.value <= fbest + 1e-6 * abs(fbest))
    P_all = obj.natural(batch.U[twins])
    spread = np.max(np.abs(P_all - p_hat) / (np.abs(p_hat) + 1e-12), axis=0)
    names = obj.law.parameter_names
    loose = [names[i] for i in np.flatnonzero(spread > SPREAD_TOL)]
    message = ([f"starts reach the same objective with different {', '.join(loose)}: "
                "the optimum is not unique; constrain those parameters"] if loose else [])
    return float(np.max(spread)), message


def _assessment(obj: Objective, found: Search, best: int, status: FitStatus,
                warnings: tuple[str, ...], cov: Covariance, resid: np.ndarray,
                diagnostics: Diagnostics) -> Assessment:
    law, batch = obj.law, found.batch
    names = law.parameter_names
    p_hat = obj.natural(batch.U[best][None, :])[0]
    dof = max(len(resid) - len(names), 1)
    stderr = np.sqrt(np.where(np.diag(cov.cov) >= 0, np.diag(cov.cov), np.nan))
    return Assessment(
        params={n: float(v) for n, v in zip(names, p_hat, strict=True)},
        stderr={n: float(v) for n, v in zip(names, stderr, strict=True)},
        cov=cov.cov,
        objective=float(batch.value[best]),
        status=status,
        warnings=warnings,
        input_ranges={col: (float(xv.min()), float(xv.max()))
                      for col, xv in zip(law.inputs.values(), obj.X, strict=True) if col},
        n_starts=len(found.U0),
        residual_scale=float(np.sqrt(np.sum(resid[np.isfinite(resid)] ** 2) / dof)),
        diagnostics=diagnostics,
        starts=StartsTable(
            names=names, initial=obj.natural(found.U0), final=obj.natural(batch.U),
            objective=batch.value, status=tuple(STATUS_NAMES[int(s)] for s in batch.status),
            n_iter=batch.n_iter, design=found.design, design_size=found.design_size,
            repaired=found.repaired),
    )


def _rises(x: np.ndarray, y: np.ndarray, r: np.ndarray, obj: Objective) -> bool:
    """Whether the fitted law rises with ``x`` over the data (a loss-to-error law does): then
    data that rise with ``x`` are what it models, not a shape it cannot follow."""
    fitted = obj.link.shifted(y, r)
    ok = np.isfinite(fitted) & np.isfinite(x)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(fitted[ok]) == 0:
        return False
    rx, rf = (pd.Series(v[ok]).rank().to_numpy() for v in (x, fitted))
    return bool(np.corrcoef(rx, rf)[0, 1] > 0)


def _diagnostics(obj: Objective, resid: np.ndarray, status: FitStatus, *,
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
    law = obj.law
    keep = slice(None) if obj.case_weights is None else np.asarray(obj.case_weights) > 0
    inputs = {str(col): np.asarray(xv)[0][keep]
              for col, xv in zip(law.inputs.values(), obj.X, strict=True) if col}
    y, r = np.asarray(obj.y)[keep], resid[keep]
    n, p = int(y.size), len(law.parameters)
    trends: tuple[Trend, ...] = ()
    finite = r[np.isfinite(r)]
    # residuals at the level of rounding (a law fitted to its own exact values) have no trend
    # worth reporting
    floor = _EXACT * (float(np.sqrt(np.mean(y * y))) if obj.link.identity else 1.0)
    testable = status.finished and obj.overestimate_penalty == 1.0
    if testable and finite.size and float(np.sqrt(np.mean(finite**2))) > floor:
        trends = tuple(t for t in residual_trend(r, inputs) if t.significant)
    # a U-shape of the data in an input is reported only when the fitted law does not follow
    # it: with several inputs (checkpoints of runs of many sizes) the data's partial shape in
    # one input can turn while the law, which falls in each, fits them without a trend
    followed = {str(c) for c in inputs} - {t.column for t in trends} if testable else set()
    return Diagnostics(
        at_bound=at_bound, condition=float(condition), flat=tuple(flat),
        start_spread=start_spread, residual_trends=trends,
        shapes=tuple(s for s in monotonicity(inputs, y)
                     if not (s.kind == "inverse" and _rises(inputs[s.column], y, r, obj))
                     and not (s.kind == "u_shaped" and s.column in followed)),
        points_per_parameter=n / p if p else float("inf"), n_points=n, n_params=p)


def values_at_bound(law: Law, params: Mapping[str, float]) -> tuple[str, ...]:
    """The parameters whose values sit at a bound, by the rule of :func:`bound_flags` applied
    without the data (for records saved without diagnostics): within ``BOUND_TOL`` of a
    search bound, or at or beyond a natural bound (a log-scale parameter at 0)."""
    out = []
    for p in law.parameters:
        value = float(params[p.name])
        u = float(p.to_search(value)) if value > 0 or not p.log else -math.inf
        lo, hi = p.search_bounds
        tol = BOUND_TOL * (1.0 + abs(u)) if math.isfinite(u) else 0.0
        if ((math.isfinite(lo) and u - lo <= tol) or (math.isfinite(hi) and hi - u <= tol)
                or value <= p.lower or value >= p.upper):
            out.append(p.name)
    return tuple(out)
