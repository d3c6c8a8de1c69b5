"""A self-contained interactive HTML report: fits, plots, plans, backtests and provenance."""

from __future__ import annotations

import datetime as _dt
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..data.dataset import Dataset
from ..data.files import write_text_atomic
from ..exceptions import DataError, ScalingLawError
from ..fitting import FitResult, SharedFit
from ..plan.optimal import compute_optimal
from ..validate.backtesting import Backtest
from . import page
from .arguments import Item, check_data, check_items, check_plans, check_text, expand_chains
from .backtest_plot import backtest_spec, backtest_title
from .bands import BAND_LEVEL
from .interactive import COMPUTE, Curve, figures, styled, x_axis
from .ledger_section import scorecard_section
from .provenance import default_title, provenance_section
from .sections import backtest_section, fit_section, plan_table, shared_section


def html(
    items: Item | Sequence[Item],
    path: str | os.PathLike[str],
    *,
    data: Dataset | Sequence[Dataset | None] | None = None,
    title: str | None = None,
    command: str | None = None,
    plans: Sequence[Any] | None = None,
    scorecard: Any = None,
) -> Path:
    """Write one self-contained interactive HTML report and return its path.

    The page needs no network: plotly.js is inlined (compressed). It holds an interactive
    log-log plot of the runs and the fitted law(s) (several fits overlaid, one trace per fit,
    one per group of a joint fit; hover a run for its name, N, D, loss and residuals), with
    the uncertainty bands the fits carry (bootstrap, calibrated), a residual panel below on
    the same x axis, per item a summary table (typeset formula, parameters, standard errors,
    bootstrap intervals when a bootstrap is attached, status, warnings) or a backtest table,
    compute-optimal tables, and provenance (data fingerprint, law expression, scalinglaws
    version, command, time in UTC). Every user string is escaped and the file is written
    atomically. Beyond 1,500 rows a figure draws a thinned set of them
    (:mod:`scalinglaws.report.thinning`); the fits, tables and plans use them all.

    Parameters
    ----------
    items:
        A :class:`~scalinglaws.FitResult` (a two-stage ``sl.fitting.chain`` is drawn as its
        two stages), a joint fit across groups
        (:class:`~scalinglaws.fitting.shared.SharedFit`, drawn one curve per group), a
        :class:`~scalinglaws.validate.Backtest`, or a list of them.
    path:
        Where to write the report (its folder must exist).
    data:
        The runs to plot: one Dataset for all items, or a list aligned with ``items``. Where
        none is given, the runs a fit carries are used (a fit read from a file carries them
        unless it was saved without them); without runs only its law is drawn.
    title:
        The report's title; by default made from the laws and the data's names
        (``chinchilla and kaplan on runs.csv``).
    command:
        The command that produced the report, recorded under provenance.
    plans:
        Compute-optimal plans as dicts with keys flops, params, tokens, loss (e.g.
        ``Allocation.records()``): one list of dicts for the whole report, or a list aligned
        with ``items`` holding a list of dicts (or ``None``) per item. When omitted, each fit
        of a law of params and tokens gets a plan at four budgets around its runs' compute
        (see ``docs/report.md``); ``plans=[]`` gives none.
    scorecard:
        A forecast ledger's :class:`~scalinglaws.ledger.Scorecard` (``ledger.scorecard()``):
        a section with its table, each observed forecast against its outcome and the
        calibration of the intervals. With a scorecard, ``items`` may be empty.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> ds = sl.datasets.load("chinchilla")
    >>> sl.report.html(sl.fit("chinchilla", ds), "report.html", data=ds)  # doctest: +SKIP
    """
    items, data = expand_chains(items, data)
    objs = [] if scorecard is not None and _empty(items) else check_items(items)
    datasets = check_data(data, objs) if objs else []
    per_item, overall = check_plans(plans, len(objs))
    check_text(title, command)
    with warnings.catch_warnings():  # the report states what it finds; it does not warn
        warnings.simplefilter("ignore")
        shown = title if title is not None else (
            default_title(objs, datasets) if objs else "Forecast ledger")
        text = _render(objs, datasets, per_item, overall, plans is None, shown, command,
                       scorecard)
    return write_text_atomic(path, text)


def _render(objs: list[Item], datasets: list[Dataset | None],
            per_item: list[list[Mapping[str, Any]] | None], overall: list[Mapping[str, Any]],
            auto: bool, title: str, command: str | None, scorecard: Any = None) -> str:
    from ..common.version import __version__

    curves = _curves(objs, datasets)
    body = []
    specs = figures(curves)
    plotted = bool(specs)
    if specs:
        body.append("<section><h2>Data and fitted laws</h2>")
        for k, fig in enumerate(specs, 1):
            body.append(page.figure(f"plot-{k}", fig.title, fig.spec, fig.notes,
                                    "with-residuals" if fig.residuals else ""))
        body.append("</section>")
    for i, obj in enumerate(objs, 1):
        if isinstance(obj, Backtest):
            body.append(backtest_section(i, obj))
            spec = backtest_spec(obj)
            if spec is not None:
                body.append(page.figure(f"backtest-{i}", backtest_title(obj), spec))
                plotted = True
            continue
        tables = plans_for([c for c in curves if c.item == i - 1], per_item[i - 1], auto)
        if isinstance(obj, SharedFit):
            body.append(shared_section(i, obj, tables))
        else:
            body.append(fit_section(i, obj, tables))
    if overall:
        body.append("<section><h2>Compute-optimal plan</h2>" + plan_table(overall)
                    + "</section>")
    if scorecard is not None:
        section, drawn = scorecard_section(check_scorecard(scorecard))
        body.append(section)
        plotted = plotted or drawn
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    body.append(provenance_section(objs, datasets, command, now))
    subtitle = f"scalinglaws {__version__} · generated {now.replace('+00:00', ' UTC')}"
    return page.document(title, body, plotted, subtitle)


def _empty(items: Any) -> bool:
    return isinstance(items, Sequence) and not isinstance(items, str | bytes) and not items


def check_scorecard(card: Any) -> Any:
    from ..ledger import Scorecard

    if not isinstance(card, Scorecard):
        raise DataError(f"scorecard must be a ledger's Scorecard, got {type(card).__name__}",
                        "argument 'scorecard' of report.html", "pass ledger.scorecard()")
    return card


def _curves(objs: list[Item], datasets: list[Dataset | None]) -> list[Curve]:
    """What the plots draw: one curve per fit, one per group of a joint fit (named by it)."""
    raw: list[tuple[int, str, FitResult, Dataset | None, str | None]] = []
    for i, (obj, ds) in enumerate(zip(objs, datasets, strict=True)):
        if isinstance(obj, FitResult):
            raw.append((i, obj.law.name, obj, ds, None))
        elif isinstance(obj, SharedFit):
            for group in obj.groups:
                name = f"{obj.by}={group}"
                raw.append((i, f"{obj.law.name} · {name}", obj.for_group(group),
                            _group_rows(obj, ds, group), name))
    counts: dict[str, int] = {}
    for _, label, _, _, _ in raw:
        counts[label] = counts.get(label, 0) + 1
    out = []
    for k, (i, label, fit, ds, named) in enumerate(raw):
        colour, symbol = styled(k)
        out.append(Curve(label if counts[label] == 1 else f"{i + 1}. {label}", fit, ds,
                         colour, item=i, group=named, symbol=symbol))
    return out


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
_PLAN_LEVEL = BAND_LEVEL  # the plans' intervals match the figures' bands


def plans_for(curves: list[Curve], given: list[Mapping[str, Any]] | None, auto: bool
              ) -> list[str]:
    """The plan tables of one item: the plans given, or computed for its laws of N and D."""
    if given is not None:
        return [plan_table(given)] if given else []
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
        out.append(plan_table(rows, caption, level) + page.warnings_list(alloc.warnings))
    return out


def _budgets(c: Curve) -> list[float]:
    """Budgets in whole decades around the largest compute among the runs (or the fitted
    range when no runs are at hand)."""
    if c.data is not None and c.data.has("flops"):
        top = float(c.data.column("flops").max())
    else:
        ranges = c.fit.input_ranges
        top = 6.0 * ranges["params"][1] * ranges["tokens"][1]
    decade = math.floor(math.log10(top))
    return [10.0 ** (decade + k) for k in _DECADES]


