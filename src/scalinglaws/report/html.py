"""A self-contained HTML report: summaries, embedded figures, plans and provenance."""

from __future__ import annotations

import base64
import datetime as _dt
import math
import os
from collections.abc import Mapping, Sequence
from html import escape
from io import BytesIO
from pathlib import Path
from typing import Any

from ..data.dataset import Dataset
from ..data.files import write_text_atomic
from ..exceptions import DataError
from ..fit.result import FitResult
from .figures import fit_figure

_PLAN_KEYS = ("flops", "params", "tokens", "loss")
_DPI = 110

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { font-weight: bold; text-align: left; padding: 0.3rem 0; }
img { max-width: 100%; height: auto; }
code { background: #f4f4f4; padding: 0 0.2rem; }
.warning { color: #8a4b00; }
"""


def html(
    items: FitResult | Sequence[FitResult],
    path: str | os.PathLike[str],
    *,
    data: Dataset | Sequence[Dataset | None] | None = None,
    title: str = "scalinglaws report",
    command: str | None = None,
    plans: Sequence[Any] | None = None,
) -> Path:
    """Write one self-contained HTML report (no external resources) and return its path.

    For each fit: its summary table and its figure (an embedded PNG); then, when given, the
    compute-optimal plans; then provenance (dataset and fingerprint, law expression,
    scalinglaws version, command, generation time in UTC). Every user string is escaped and
    the file is written atomically.

    Parameters
    ----------
    items:
        A :class:`~scalinglaws.FitResult` or a list of them.
    path:
        Where to write the report (its folder must exist).
    data:
        The runs to plot: one Dataset for all fits, or a list aligned with ``items``
        (``None`` entries draw the law alone).
    title:
        The report's title.
    command:
        The command that produced the report, recorded under provenance.
    plans:
        Compute-optimal plans as dicts with keys flops, params, tokens, loss (e.g.
        ``Allocation.records()``): one list of dicts for the whole report, or a list aligned
        with ``items`` holding a list of dicts (or ``None``) per fit.

    Example
    -------
    >>> import scalinglaws as sl
    >>> ds = sl.datasets.load("chinchilla")
    >>> sl.report.html(sl.fit("chinchilla", ds), "report.html", data=ds)  # doctest: +SKIP
    """
    fits = _check_items(items)
    datasets = _check_data(data, len(fits))
    per_fit, overall = _check_plans(plans, len(fits))
    if not isinstance(title, str) or (command is not None and not isinstance(command, str)):
        raise DataError("title and command must be strings", "arguments 'title', 'command'",
                        "pass text, e.g. title='my report'")
    body = [f"<h1>{escape(title)}</h1>"]
    for i, (fit, ds) in enumerate(zip(fits, datasets, strict=True)):
        body.append(_fit_section(i + 1, fit, ds, per_fit[i]))
    if overall:
        body.append("<section><h2>Compute-optimal plan</h2>" + _plan_table(overall)
                    + "</section>")
    body.append(_provenance(fits, datasets, command))
    page = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>", *body, "</body>", "</html>", "",
    ])
    return write_text_atomic(path, page)


# -- validation -------------------------------------------------------------------------------
def _check_items(items: Any) -> list[FitResult]:
    fits = [items] if isinstance(items, FitResult) else items
    if not isinstance(fits, Sequence) or isinstance(fits, str | bytes):
        raise DataError(f"a report needs a FitResult or a list of them, got "
                        f"{type(items).__name__}", "argument 'items' of report.html",
                        "pass sl.fit(...) results")
    if len(fits) == 0:
        raise DataError("there is no fit to report", "argument 'items' of report.html",
                        "pass at least one FitResult")
    for i, item in enumerate(fits):
        if not isinstance(item, FitResult):
            raise DataError(f"item {i} is a {type(item).__name__}, not a FitResult",
                            f"items[{i}] of report.html",
                            "pass results of sl.fit(...) or sl.load_fit(...)")
    return list(fits)


def _check_data(data: Any, n: int) -> list[Dataset | None]:
    if data is None:
        return [None] * n
    if isinstance(data, Dataset):
        return [data] * n
    if not isinstance(data, Sequence) or isinstance(data, str | bytes) or len(data) != n:
        got = f"{len(data)} entries" if isinstance(data, Sequence) else type(data).__name__
        raise DataError(f"data must be a Dataset or a list with one entry per fit ({n}), "
                        f"got {got}", "argument 'data' of report.html",
                        "align data with items, using None where there is none")
    for i, ds in enumerate(data):
        if ds is not None and not isinstance(ds, Dataset):
            raise DataError(f"data[{i}] is a {type(ds).__name__}, not a Dataset",
                            f"data[{i}] of report.html", "pass a Dataset or None")
    return list(data)


def _check_plans(plans: Any, n: int) -> tuple[list[list[Mapping[str, Any]]], list[Any]]:
    """Per-fit plans and report-wide plans (one of them is empty)."""
    none: list[list[Mapping[str, Any]]] = [[] for _ in range(n)]
    if plans is None:
        return none, []
    fix = "give dicts with keys flops, params, tokens, loss (e.g. Allocation.records())"
    if not isinstance(plans, Sequence) or isinstance(plans, str | bytes):
        raise DataError(f"plans must be a list, got {type(plans).__name__}",
                        "argument 'plans' of report.html", fix)
    if all(isinstance(p, Mapping) for p in plans):
        return none, [_check_plan_row(p, f"plans[{i}]") for i, p in enumerate(plans)]
    if len(plans) != n:
        raise DataError(f"plans has {len(plans)} entries but there are {n} fits",
                        "argument 'plans' of report.html",
                        "give one list of dicts, or one list (or None) per fit")
    out: list[list[Mapping[str, Any]]] = []
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
    missing = [k for k in _PLAN_KEYS if k not in row]
    if missing:
        raise DataError(f"a plan row lacks {', '.join(missing)}", where, fix)
    for k in _PLAN_KEYS:
        try:
            float(row[k])
        except (TypeError, ValueError):
            raise DataError(f"plan value {k}={row[k]!r} is not a number", where, fix) from None
    return row


# -- rendering --------------------------------------------------------------------------------
def _fit_section(number: int, fit: FitResult, ds: Dataset | None,
                 plan: list[Mapping[str, Any]]) -> str:
    parts = [f"<section><h2>{number}. {escape(fit.law.name)}</h2>", fit.summary().html()]
    fig = fit_figure(fit, ds)
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI)
    encoded = base64.b64encode(buf.getvalue()).decode("ascii")
    alt = f"{fit.target} against the inputs, with the fitted law {fit.law.name}"
    parts.append(f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{encoded}">'
                 "</figure>")
    if plan:
        parts.append(_plan_table(plan))
    parts.append("</section>")
    return "\n".join(parts)


def _plan_table(rows: list[Mapping[str, Any]]) -> str:
    head = ["training compute C (FLOPs)", "parameters N", "tokens D", "tokens per parameter",
            "predicted loss"]
    out = ['<table class="scalinglaws-plan">', "<caption>Compute-optimal allocation</caption>",
           "<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in head)
           + "</tr></thead>", "<tbody>"]
    for row in rows:
        c, n, d, loss = (float(row[k]) for k in _PLAN_KEYS)
        ratio = d / n if n else math.nan
        cells = [f"{c:.3g}", f"{n:.3g}", f"{d:.3g}", f"{ratio:.3g}", f"{loss:.4g}"]
        out.append("<tr>" + "".join(f'<td class="num">{v}</td>' for v in cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _provenance(fits: list[FitResult], datasets: list[Dataset | None],
                command: str | None) -> str:
    from .. import __version__

    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    rows: list[tuple[str, str]] = []  # (label, HTML with every user string escaped)
    for i, (fit, ds) in enumerate(zip(fits, datasets, strict=True), 1):
        prefix = f"{i}. " if len(fits) > 1 else ""
        name = fit.dataset or (ds.name if ds is not None else None) or "(unnamed)"
        rows.append((f"{prefix}dataset", f"{escape(name)}, fingerprint "
                     f"<code>{escape(fit.fingerprint or 'unknown')}</code>"))
        if ds is not None and fit.fingerprint and ds.fingerprint != fit.fingerprint:
            rows.append((f"{prefix}note", f'<span class="warning">the plotted data (fingerprint '
                         f"<code>{escape(ds.fingerprint)}</code>) are not the data this law "
                         "was fitted to</span>"))
        rows.append((f"{prefix}law", f"{escape(fit.law.name)}: "
                     f"<code>{escape(fit.law.expression)}</code>"))
    rows.append(("scalinglaws version", escape(__version__)))
    if command:
        rows.append(("command", f"<code>{escape(command)}</code>"))
    rows.append(("generated (UTC)", now))
    body = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return f"<section><h2>Provenance</h2><table><tbody>{body}</tbody></table></section>"
