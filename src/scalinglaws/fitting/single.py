"""One law fitted to one data set: the data checked, the engine run, the result assembled."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..common.warning import warn
from ..data.curves import is_final
from ..data.dataset import Dataset
from ..data.saved import data_fingerprint
from ..data.validation import rows_text
from ..engine import FitOptions, FitStatus, Objective, assess, search
from ..engine.diagnostics import repeated_inputs
from ..engine.links import link_for
from ..exceptions import DataError, FitError
from ..laws.law import Law
from .result import FitResult

DEFAULT_OPTIONS = FitOptions()


def fit_law(law: Law, data: Dataset, *, y: str | None = None,
            options: FitOptions = DEFAULT_OPTIONS, init: Any = None, weights: Any = None,
            throw: bool = False, quiet: bool = False) -> FitResult:
    """Fit a law whose inputs are bound to columns (:func:`scalinglaws.laws.resolve`) to a
    dataset with options checked once (:class:`~scalinglaws.engine.FitOptions`): the work of
    :func:`scalinglaws.fit` for one data set, for callers that fit many times (backtest
    folds, groups, candidates). ``quiet`` leaves the warnings in the result without issuing
    them."""
    y = law.target if y is None else y
    obj = objective(law, data, y, options, weights)
    verdict = assess(obj, search(obj, options, init))
    used = [*(str(c) for c in law.inputs.values()), y]
    result = FitResult(
        law=law, params=verdict.params, stderr=verdict.stderr, cov=verdict.cov,
        objective=verdict.objective, loss=obj.loss, delta=obj.delta,
        overestimate_penalty=obj.overestimate_penalty, n_points=len(data),
        status=verdict.status, warnings=verdict.warnings + _pooled(law, data, obj, y)
        + (() if rising_score(y, law) else _diverged(law, data, obj, verdict.params)),
        target=y, columns={s: str(c) for s, c in law.inputs.items()},
        input_ranges=verdict.input_ranges, fingerprint=data_fingerprint(data, used),
        dataset=data.name, n_starts=verdict.n_starts, residual_scale=verdict.residual_scale,
        diagnostics=verdict.diagnostics, starts=verdict.starts, data=data,
        case_weights=obj.case_weights,
        data_convention=None if data.convention is None else data.convention.describe())
    if throw and not result.status.ok:
        verb = "failed" if result.status is FitStatus.FAILED else "did not converge"
        raise FitError(f"the fit of '{law.name}' {verb}: {result.status.message}",
                       f"status {result.status.value}",
                       "; ".join(result.warnings) or "see the fit's warnings", result=result)
    if not quiet:
        for w in result.warnings:
            warn(w)
    return result


def objective(law: Law, data: Dataset, y: str, options: FitOptions,
              weights: Any = None) -> Objective:
    """The objective of a fit of ``law`` to ``data``'s column ``y``, the data checked first."""
    X = [data.column(str(c))[None, :] for c in law.inputs.values()]
    target = data.column(y)
    n, p = len(data), len(law.parameters)
    if n < p:
        raise DataError(
            f"{n} data point(s) cannot determine the {p} parameters of '{law.name}'",
            f"dataset with {n} rows", "add runs, or fix some parameters / use a smaller law")
    link = link_for(options.loss)
    outside = ~np.isnan(target) & ~link.inside(target)
    if link.kind == "logit" and outside.any():
        raise DataError(f"loss 'mse_logit' works on logits, but '{y}' has values outside "
                        "(0, 1) (a logit is infinite at exactly 0 or 1)",
                        f"column '{y}', {rows_text(np.flatnonzero(outside))}",
                        "use loss='mse', or clip the scores into (0, 1) (e.g. to "
                        "[0.5/questions, 1 - 0.5/questions])")
    if link.kind == "log" and outside.any():
        bad = np.flatnonzero(outside)
        floor = "0" if link.shift == 0 else f"{-link.shift:g}"
        raise DataError(f"loss '{options.loss}' works on log values, but '{y}' has values "
                        f"<= {floor}", f"column '{y}', rows {bad[:5].tolist()}",
                        "use loss='mse'")
    case_w = None if weights is None else case_weights(weights, n)
    return Objective(law, X, target, options.loss, options.delta,
                     options.overestimate_penalty, case_w)


def _pooled(law: Law, data: Dataset, obj: Objective, y: str) -> tuple[str, ...]:
    """The warning for rows equal in every input column (the law's and the data's size roles)
    but far apart in the target: families or setups pooled without a column that separates
    them."""
    keys = dict.fromkeys([*map(str, law.inputs.values()), "params", "tokens", "flops", "step",
                          "lr"])
    keep = None if obj.case_weights is None else np.asarray(obj.case_weights) > 0
    mixed = repeated_inputs({c: data.column(c) for c in keys if data.has(c)}, obj.y, y,
                            keep=keep)
    return () if mixed is None else (mixed,)


#: a run whose loss lies this far above the fitted law, in units of the residuals' robust
#: scale (and at least DIVERGED_FLOOR in log), is reported as possibly diverged
DIVERGED_SCALES, DIVERGED_FLOOR = 8.0, 0.1


def rising_score(y: str, law: Law) -> bool:
    """Whether the target is a score where higher is better (accuracy, pass rate...): runs
    far above the law are then good runs, not diverged ones."""
    from .metrics import HIGHER_IS_BETTER

    return any(str(t).lower() in HIGHER_IS_BETTER for t in (y, law.target))


def _diverged(law: Law, data: Dataset, obj: Objective, params: Any) -> tuple[str, ...]:
    """The warning for runs far above the fitted law (diverged or unfinished runs that no
    status column marks): reported, with their rows, rather than fitted in silence."""
    if data.has("status") or not np.isfinite(list(params.values())).all():
        return ()
    P = np.array([[params[n] for n in law.parameter_names]], dtype=float)
    with np.errstate(all="ignore"):
        f = law.evaluate(obj.X, P)[0]
        r = np.log(obj.y) - np.log(f)
    ok = np.isfinite(r)
    if ok.sum() < 5:
        return ()
    scale = 1.4826 * float(np.median(np.abs(r[ok] - np.median(r[ok]))))
    far = np.flatnonzero(ok & (r > max(DIVERGED_SCALES * scale, DIVERGED_FLOOR)))
    if far.size == 0:
        return ()
    worst = float(np.expm1(np.max(r[far])))
    curve = _checkpoints(data)
    if curve is not None and curve[1][far].mean() > 0.5:
        col, early, n_runs = curve
        return (f"{far.size} rows lie far above the fitted law (up to {worst:.0%} above it), "
                f"{int(early[far].sum())} of them before their run's last row: the data are "
                f"training curves ({n_runs} runs in column '{col}'), whose early checkpoints "
                "no law of final losses follows; fit the runs' last rows (--last-by "
                f"{col}; Python: sl.data.curves.finals(frame, run='{col}')) or leave out the "
                f"first part of each run (sl.data.curves.late(frame, 0.1, run='{col}'))",)
    names = (np.asarray(data.labels("run"), dtype=object)[far] if data.has("run") else far)
    shown = ", ".join(str(n) for n in names[:5]) + (" ..." if far.size > 5 else "")
    return (f"{far.size} run(s) lie far above the fitted law (up to {worst:.0%} above it): "
            f"{'runs' if data.has('run') else 'rows'} {shown}; diverged or unfinished runs? "
            "mark them in a status column (diverged) or leave them out (--where)",)


#: columns that name the run a row belongs to, in the order they are looked for
RUN_COLUMNS = ("run", "run_id", "run_name")


def _checkpoints(data: Dataset) -> tuple[str, np.ndarray, int] | None:
    """Where rows are checkpoints of training curves (a run column whose runs repeat, with
    steps or tokens): the column, which rows come before their run's last one, and the
    number of runs; else None."""
    col = next((c for c in RUN_COLUMNS if data.has(c)), None)
    clock = next((c for c in ("step", "tokens") if data.has(c)), None)
    if col is None or clock is None:
        return None
    final = is_final(data, run=col, step=clock)
    if final.all():
        return None
    return col, ~final, len(pd.unique(np.asarray(data.labels(col), dtype=object)))


def case_weights(weights: Any, n: int) -> np.ndarray:
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
