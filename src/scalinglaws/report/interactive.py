"""Interactive figure specs (plotly JSON) of fits: data, fitted laws with their uncertainty
bands, and residuals in a panel below that shares the x axis.

The specs are plain dicts (``{"data": [...], "layout": {...}, "config": {...}}``) that
plotly.js draws; no plotly Python objects are needed. Fits whose laws share an x axis are
overlaid, one trace per fit. The x axis is training compute C for laws of ``params`` and
``tokens`` (the fit is drawn as its compute-optimal frontier), the input for a one-input law,
and the predicted value for any other law (observed against predicted). The residual panel
is a second subplot of the same figure whose x axis matches the main one (same range, same
pixels, zoomed together); the legend sits above the plot area, clear of every axis title.
Every user string in a spec passes :func:`~scalinglaws.report.page.plotly_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import thinning
from .bands import law_traces
from .curve import COMPUTE as COMPUTE
from .curve import PALETTE as PALETTE
from .curve import PARITY as PARITY
from .curve import Curve as Curve
from .curve import styled as styled
from .curve import x_axis as x_axis
from .curve import x_label
from .page import plotly_text
from .traces import run_traces

_FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif'
CONFIG = {"displaylogo": False, "responsive": True, "showLink": False,
          "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
#: the vertical share of the main panel and of the residual panel below it
MAIN_DOMAIN = (0.34, 1.0)
RESIDUAL_DOMAIN = (0.0, 0.25)
#: the residual panel's axis title, short enough for its height
#: how far (as a share of the main panel's log x and log y extents) a law's hover point keeps
#: from every run drawn: about 12 px on a 900 × 400 px panel
CLEARANCE = (0.015, 0.03)
_SHORT = {"ln(observed / predicted)": "ln(obs / pred)", "observed − predicted": "obs − pred"}


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its caption (plain text), its spec, the notes under it and
    whether it has a residual panel."""

    title: str
    spec: dict[str, Any]
    notes: tuple[str, ...] = ()
    residuals: bool = False


def figures(curves: Sequence[Curve]) -> list[Figure]:
    """One figure per x axis the curves are drawn on."""
    out = []
    for axis in dict.fromkeys(x_axis(c.fit) for c in curves):
        out.append(_figure(axis, [c for c in curves if x_axis(c.fit) == axis]))
    return out


def _figure(axis: str, curves: list[Curve]) -> Figure:
    target = curves[0].fit.target
    runs = run_traces(axis, curves)
    laws = law_traces(axis, curves, runs.lows, runs.highs)
    # bands under the runs, the laws over them; a law answers hovers away from the runs
    hovers = [clear_of_runs(h, runs.data) for h in laws.hovers]
    traces = [*laws.bands, *runs.data, *laws.lines, *hovers]
    if axis == PARITY and runs.lows:
        lo, hi = min(runs.lows), max(runs.highs)
        traces.append({"type": "scatter", "mode": "lines", "x": [lo, hi], "y": [lo, hi],
                       "name": "observed = predicted", "hoverinfo": "skip",
                       "line": {"color": "#888", "dash": "dot"}, "xaxis": "x", "yaxis": "y",
                       "meta": {"role": "diagonal"}})
    resid = bool(runs.residuals)
    short = _SHORT.get(runs.residual_label, runs.residual_label)
    spec = {"data": [*traces, *runs.residuals], "config": CONFIG,
            "layout": layout(x_label(axis, target), plotly_text(target), log_y=True,
                             residual_title=f"residual<br>{short}" if resid else None)}
    notes = list(laws.notes.values())
    if resid:
        notes.append(f"Lower panel: residuals of every run, {runs.residual_label}, under "
                     "each fit drawn (hover a run for its values).")
    notes.append(thinning.note(runs.thinned))
    return Figure(_title(axis, target), spec, tuple(n for n in notes if n), resid)


def clear_of_runs(hover: dict[str, Any], data: list[dict[str, Any]]) -> dict[str, Any]:
    """A law's hover points without those within :data:`CLEARANCE` of a run drawn (as a
    share of the main panel's log-log extent), so that hovering a run shows the run."""
    xs = [np.asarray(t["x"], dtype=float) for t in data]
    ys = [np.asarray(t["y"], dtype=float) for t in data]
    if not xs or not sum(len(x) for x in xs):
        return hover
    with np.errstate(all="ignore"):
        px, py = np.log10(np.concatenate(xs)), np.log10(np.concatenate(ys))
        hx, hy = np.log10(np.asarray(hover["x"], dtype=float)), np.log10(
            np.asarray(hover["y"], dtype=float))
    spans = []
    for a, b in ((px, hx), (py, hy)):
        both = np.concatenate([a, b])
        both = both[np.isfinite(both)]
        spans.append(float(np.ptp(both)) if both.size else 1.0)
    near = np.zeros(len(hx), dtype=bool)
    for start in range(0, len(px), 4096):  # in blocks: hover points × runs stays small
        dx = np.abs(hx[:, None] - px[None, start:start + 4096]) < CLEARANCE[0] * spans[0]
        dy = np.abs(hy[:, None] - py[None, start:start + 4096]) < CLEARANCE[1] * spans[1]
        near |= (dx & dy).any(axis=1)
    keep = ~near
    return {**hover, "x": np.asarray(hover["x"])[keep], "y": np.asarray(hover["y"])[keep],
            "text": [t for t, k in zip(hover["text"], keep, strict=True) if k]}


def _title(axis: str, target: str) -> str:
    if axis == COMPUTE:
        return f"{target} against training compute, with the compute-optimal frontier of " \
               "each fit"
    if axis == PARITY:
        return f"observed against predicted {target}"
    return f"{target} against {axis}"


def _axis(kind: str) -> dict[str, Any]:
    return {"type": kind, "exponentformat": "power", "gridcolor": "#e8e8e8",
            "linecolor": "#777", "ticks": "outside", "zeroline": False, "automargin": True}


def layout(x_title: str, y_title: str, *, log_y: bool, residual_title: str | None = None
           ) -> dict[str, Any]:
    """The layout of every interactive figure: log x axis, the legend above the plot area;
    with ``residual_title``, a residual panel below whose x axis matches the main one (the
    traces of the main panel are on ``x``/``y``, the residuals' on ``x2``/``y2``)."""
    out: dict[str, Any] = {
        "font": {"family": _FONT, "size": 12},
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02,
                   "yanchor": "bottom", "font": {"size": 11}},
        "margin": {"t": 10, "r": 20, "b": 10, "l": 10},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    y = {**_axis("log" if log_y else "linear"), "title": {"text": y_title}}
    if residual_title is None:
        out.update(xaxis={**_axis("log"), "title": {"text": x_title}}, yaxis=y)
        return out
    out.update(
        xaxis={**_axis("log"), "matches": "x2", "showticklabels": False, "anchor": "y"},
        yaxis={**y, "domain": list(MAIN_DOMAIN)},
        xaxis2={**_axis("log"), "title": {"text": x_title}, "anchor": "y2"},
        yaxis2={**_axis("linear"), "domain": list(RESIDUAL_DOMAIN), "zeroline": True,
                "zerolinecolor": "#888", "title": {"text": residual_title,
                                                   "font": {"size": 11}}})
    return out
