"""A self-contained interactive HTML report: fits, plots, plans, backtests and provenance."""

from __future__ import annotations

import datetime as _dt
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..common.warning import warn
from ..data.dataset import Dataset
from ..data.files import write_text_atomic
from ..exceptions import DataError, ScalingLawError
from ..fitting import FitResult, SharedFit
from ..plan.optimal import compute_optimal
from ..validate.backtesting import Backtest
from . import page
from .backtest_plot import backtest_spec
from .interactive import COMPUTE, PALETTE, Curve, figures, x_axis
from .page import backtest_section, fit_section, provenance, shared_section

Item = FitResult | SharedFit | Backtest
_KINDS = "a FitResult, SharedFit or Backtest"


def html(
    items: Item | Sequence[Item],
    path: str | os.PathLike[str],
    *,
    data: Dataset | Sequence[Dataset | None] | None = None,
    title: str = "scalinglaws report",
    command: str | None = None,
    plans: Sequence[Any] | None = None,
) -> Path:
    """Write one self-contained interactive HTML report and return its path.

    The page needs no network: plotly.js is inlined. It holds an interactive log-log plot of
    the runs and the fitted law(s) (several fits overlaid, one trace per fit; hover a run for
    its name, N, D, loss and residuals), a residual plot, per item a summary table
    (parameters, standard errors, bootstrap intervals when a bootstrap is attached, status,
    warnings) or a backtest table, compute-optimal tables, and provenance (data fingerprint,
    law expression, scalinglaws version, command, time in UTC). Every user string is escaped
    and the file is written atomically.

    Parameters
    ----------
    items:
        A :class:`~scalinglaws.FitResult`, a joint fit across groups
        (:class:`~scalinglaws.fitting.shared.SharedFit`, drawn one curve per group), a
        :class:`~scalinglaws.validate.Backtest`, or a list of them.
    path:
        Where to write the report (its folder must exist).
    data:
        The runs to plot: one Dataset for all items, or a list aligned with ``items``. Where
        none is given, the runs a fit carries are used (a fit read from a file carries them
        unless it was saved without them); without runs only its law is drawn.
    title:
        The report's title.
    command:
        The command that produced the report, recorded under provenance.
    plans:
        Compute-optimal plans as dicts with keys flops, params, tokens, loss (e.g.
        ``Allocation.records()``): one list of dicts for the whole report, or a list aligned
        with ``items`` holding a list of dicts (or ``None``) per item. When omitted, each fit
        of a law of params and tokens gets a plan at four budgets around its runs' compute
        (see ``docs/report.md``); ``plans=[]`` gives none.

    Example
    -------
    >>> import scalinglaws as sl
    >>> ds = sl.datasets.load("chinchilla")
    >>> sl.report.html(sl.fit("chinchilla", ds), "report.html", data=ds)  # doctest: +SKIP
    """
    objs = _check_items(items)
    datasets = _check_data(data, objs)
    per_item, overall = _check_plans(plans, len(objs))
    if not isinstance(title, str) or (command is not None and not isinstance(command, str)):
        raise DataError("title and command must be strings", "arguments 'title', 'command'",
                        "pass text, e.g. title='my report'")
    with warnings.catch_warnings():  # the report states what it finds; it does not warn
        warnings.simplefilter("ignore")
        text = _render(objs, datasets, per_item, overall, plans is None, title, command)
    return write_text_atomic(path, text)


def _render(objs: list[Item], datasets: list[Dataset | None],
            per_item: list[list[Mapping[str, Any]] | None], overall: list[Mapping[str, Any]],
            auto: bool, title: str, command: str | None) -> str:
    curves = _curves(objs, datasets)
    body = [f"<h1>{page.text(title)}</h1>"]
    specs = figures(curves)
    plotted = bool(specs)
    if specs:
        body.append("<section><h2>Data and fitted laws</h2>")
        body.append("<noscript>The plots need JavaScript (plotly.js is inlined in this file)."
                    "</noscript>")
        for k, (fig_title, main, resid) in enumerate(specs, 1):
            body.append(f'<div class="plot" id="plot-{k}" role="img" '
                        f'aria-label="{page.text(fig_title)}"></div>')
            body.append(page.json_script(main, f"plot-{k}"))
            if resid is not None:
                body.append(f'<div class="plot residuals" id="residuals-{k}" role="img" '
                            f'aria-label="residuals"></div>')
                body.append(page.json_script(resid, f"residuals-{k}"))
        body.append("</section>")
    for i, obj in enumerate(objs, 1):
        if isinstance(obj, Backtest):
            body.append(backtest_section(i, obj))
            spec = backtest_spec(obj)
            if spec is not None:
                body.append(f'<div class="plot" id="backtest-{i}" role="img" '
                            f'aria-label="backtest forecasts"></div>')
                body.append(page.json_script(spec, f"backtest-{i}"))
                plotted = True
            continue
        tables = plans_for([c for c in curves if c.item == i - 1], per_item[i - 1], auto)
        if isinstance(obj, SharedFit):
            body.append(shared_section(i, obj, tables))
        else:
            body.append(fit_section(i, obj, tables))
    if overall:
        body.append("<section><h2>Compute-optimal plan</h2>" + page.plan_table(overall)
                    + "</section>")
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    body.append(provenance(objs, datasets, command, now))
    from plotly.offline import get_plotlyjs

    return page.document(title, body, get_plotlyjs() if plotted else None)


def _curves(objs: list[Item], datasets: list[Dataset | None]) -> list[Curve]:
    """What the plots draw: one curve per fit, one per group of a joint fit."""
    raw: list[tuple[int, str, FitResult, Dataset | None]] = []
    for i, (obj, ds) in enumerate(zip(objs, datasets, strict=True)):
        if isinstance(obj, FitResult):
            raw.append((i, obj.law.name, obj, ds))
        elif isinstance(obj, SharedFit):
            for group in obj.groups:
                rows = _group_rows(obj, ds, group)
                raw.append((i, f"{obj.law.name} · {obj.by}={group}", obj.for_group(group), rows))
    counts: dict[str, int] = {}
    for _, label, _, _ in raw:
        counts[label] = counts.get(label, 0) + 1
    return [Curve(label if counts[label] == 1 else f"{i + 1}. {label}", fit, ds,
                  PALETTE[k % len(PALETTE)], item=i)
            for k, (i, label, fit, ds) in enumerate(raw)]


def _group_rows(fit: SharedFit, ds: Dataset | None, group: str) -> Dataset | None:
    if ds is None:
        return None
    if not ds.has(fit.by):
        raise DataError(f"the data have no column '{fit.by}', which the joint fit groups by",
                        f"dataset {ds.name or '(unnamed)'}",
                        "pass the runs the joint fit was made on")
    mask = [str(v) == group for v in ds.labels(fit.by)]
    return ds[mask] if any(mask) else None


# -- compute-optimal plans --------------------------------------------------------------------
#: budgets of an automatic plan, in decades around the largest compute of the runs
_DECADES = (-1, 0, 1, 2)
_PLAN_LEVEL = 0.9


def plans_for(curves: list[Curve], given: list[Mapping[str, Any]] | None, auto: bool
              ) -> list[str]:
    """The plan tables of one item: the plans given, or computed for its laws of N and D."""
    if given is not None:
        return [page.plan_table(given)] if given else []
    if not auto:
        return []
    out = []
    for c in curves:
        if x_axis(c.fit) != COMPUTE:
            continue
        caption = "Compute-optimal allocation" + (f": {c.label}" if len(curves) > 1 else "")
        try:
            alloc = compute_optimal(c.fit, _budgets(c), level=_PLAN_LEVEL)
        except ScalingLawError as exc:
            out.append(f'<p class="warning">{page.text(caption)}: not computed ({page.text(exc)})'
                       "</p>")
            continue
        rows: list[dict[str, Any]] = []
        for k, row in enumerate(alloc.records()):
            if alloc.extrapolation is not None:
                row["extrapolation"] = float(alloc.extrapolation[k])
            if alloc.loss_forecast is not None:
                row["loss_forecast"] = alloc.loss_forecast[k]  # type: ignore[assignment]
            if alloc.params_interval is not None:
                row.update(params_interval=alloc.params_interval[k],  # type: ignore[dict-item]
                           tokens_interval=alloc.tokens_interval[k],  # type: ignore[index]
                           loss_interval=alloc.loss_interval[k])  # type: ignore[index]
            rows.append(row)
        level = (alloc.level if alloc.params_interval is not None
                 else alloc.forecast_level if alloc.loss_forecast is not None else None)
        out.append(page.plan_table(rows, caption, level) + page.warnings_list(alloc.warnings))
    return out


def _budgets(c: Curve) -> list[float]:
    """Budgets in whole decades around the largest compute among the runs (or the fitted
    range when no runs are at hand)."""
    if c.data is not None and c.data.has("flops"):
        top = float(max(c.data.column("flops")))
    else:
        ranges = c.fit.input_ranges
        top = 6.0 * ranges["params"][1] * ranges["tokens"][1]
    decade = math.floor(math.log10(top))
    return [10.0 ** (decade + k) for k in _DECADES]


# -- validation -------------------------------------------------------------------------------
def _check_items(items: Any) -> list[Item]:
    objs = [items] if isinstance(items, FitResult | SharedFit | Backtest) else items
    if not isinstance(objs, Sequence) or isinstance(objs, str | bytes):
        raise DataError(f"a report needs a FitResult or a list of them ({_KINDS} each), got "
                        f"{type(items).__name__}", "argument 'items' of report.html",
                        "pass sl.fit(...) results")
    if len(objs) == 0:
        raise DataError("there is no fit to report", "argument 'items' of report.html",
                        f"pass at least one item: {_KINDS}")
    for i, item in enumerate(objs):
        if not isinstance(item, FitResult | SharedFit | Backtest):
            raise DataError(f"item {i} is a {type(item).__name__}, not a FitResult",
                            f"items[{i}] of report.html",
                            "pass results of sl.fit(...) or sl.load_fit(...), a SharedFit "
                            "or a Backtest")
    return list(objs)


def _own_data(obj: Item) -> Dataset | None:
    fit = obj.joint if isinstance(obj, SharedFit) else obj
    own = getattr(fit, "data", None)
    source = getattr(fit, "data_source", None)
    if own is None and source:
        law = fit.law if isinstance(fit.law, str) else fit.law.name
        warn(f"the runs of the fit of '{law}' could not be read again from "
                      f"{source} (the file changed or is gone): the report draws the law "
                      "without them. Pass them with data= (CLI: --data)")
    return own if isinstance(own, Dataset) else None


def _check_data(data: Any, objs: list[Item]) -> list[Dataset | None]:
    n = len(objs)
    if data is None:
        given: list[Any] = [None] * n
    elif isinstance(data, Dataset):
        given = [data] * n
    elif not isinstance(data, Sequence) or isinstance(data, str | bytes) or len(data) != n:
        got = f"{len(data)} entries" if isinstance(data, Sequence) else type(data).__name__
        raise DataError(f"data must be a Dataset or a list with one entry per fit in items "
                        f"({n}), got {got}", "argument 'data' of report.html",
                        "align data with items, using None where there is none")
    else:
        given = list(data)
    for i, ds in enumerate(given):
        if ds is not None and not isinstance(ds, Dataset):
            raise DataError(f"data[{i}] is a {type(ds).__name__}, not a Dataset",
                            f"data[{i}] of report.html", "pass a Dataset or None")
    return [None if isinstance(obj, Backtest) else ds if ds is not None else _own_data(obj)
            for obj, ds in zip(objs, given, strict=True)]


def _check_plans(plans: Any, n: int) -> tuple[list[list[Mapping[str, Any]] | None],
                                              list[Mapping[str, Any]]]:
    """Per-item plans (None: compute them) and report-wide plans."""
    none: list[list[Mapping[str, Any]] | None] = [None] * n
    if plans is None:
        return none, []
    fix = "give dicts with keys flops, params, tokens, loss (e.g. Allocation.records())"
    if not isinstance(plans, Sequence) or isinstance(plans, str | bytes):
        raise DataError(f"plans must be a list, got {type(plans).__name__}",
                        "argument 'plans' of report.html", fix)
    if all(isinstance(p, Mapping) for p in plans):
        rows = [_check_plan_row(p, f"plans[{i}]") for i, p in enumerate(plans)]
        return [[] for _ in range(n)], rows
    if len(plans) != n:
        raise DataError(f"plans has {len(plans)} entries but there are {n} items",
                        "argument 'plans' of report.html",
                        "give one list of dicts, or one list (or None) per item")
    out: list[list[Mapping[str, Any]] | None] = []
    for i, group in enumerate(plans):
        if group is None:
            out.append([])
        elif isinstance(group, Sequence) and not isinstance(group, str | bytes):
            out.append([_check_plan_row(p, f"plans[{i}][{j}]") for j, p in enumerate(group)])
        else:
            raise DataError(f"plans[{i}] is a {type(group).__name__}",
                            f"plans[{i}] of report.html", fix)
    return out, []


def _check_plan_row(row: Any, where: str) -> Mapping[str, Any]:
    fix = "give dicts with keys flops, params, tokens, loss (e.g. Allocation.records())"
    if not isinstance(row, Mapping):
        raise DataError(f"a plan row must be a dict, got {type(row).__name__}", where, fix)
    missing = [k for k in page.PLAN_KEYS if k not in row]
    if missing:
        raise DataError(f"a plan row lacks {', '.join(missing)}", where, fix)
    for k in page.PLAN_KEYS:
        try:
            float(row[k])
        except (TypeError, ValueError):
            raise DataError(f"plan value {k}={row[k]!r} is not a number", where, fix) from None
    return row
