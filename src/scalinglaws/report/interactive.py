"""Interactive figure specs (plotly JSON) of fits: data and fitted laws, and residuals.

The specs are plain dicts (``{"data": [...], "layout": {...}, "config": {...}}``) that
plotly.js draws; no plotly Python objects are needed. Fits whose laws share an x axis are
overlaid, one trace per fit. The x axis is training compute C for laws of ``params`` and
``tokens`` (the fit is drawn as its compute-optimal frontier), the input for a one-input law,
and the predicted value for any other law (observed against predicted). Every user string in a
spec passes :func:`~scalinglaws.report.page.plotly_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data.dataset import Dataset
from ..exceptions import DataError, ScalingLawError
from ..fitting import FitResult
from .page import plotly_text

Array = np.ndarray
#: Okabe & Ito's colour-blind-safe palette, black last
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
COMPUTE = "flops"
PARITY = "(predicted)"
_GRID = 120  # points along each fitted curve
_FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif'
CONFIG = {"displaylogo": False, "responsive": True, "showLink": False}


@dataclass(frozen=True)
class Curve:
    """One fitted law to draw: its legend label, the fit, its runs (or None) and colour."""

    label: str
    fit: FitResult
    data: Dataset | None
    colour: str
    item: int = 0  #: position of the report item it comes from


def x_axis(fit: FitResult) -> str:
    """Which x axis a fit is drawn on: ``flops``, its one input's column, or ``(predicted)``."""
    cols = [str(c) for c in fit.columns.values()]
    if set(cols) == {"params", "tokens"}:
        return COMPUTE
    return cols[0] if len(cols) == 1 else PARITY


def run_names(ds: Dataset) -> list[str]:
    """A name per run: the ``run`` or ``name`` column when there is one, else the row number."""
    for col in ("run", "name"):
        if ds.has(col):
            return [str(v) for v in ds.labels(col)]
    return [f"row {i}" for i in range(len(ds))]


def predicted(fit: FitResult, ds: Dataset) -> Array:
    """The law at the fitted parameters on every run (no query warnings: these are the runs)."""
    missing = [str(c) for c in fit.columns.values() if not ds.has(str(c))]
    if missing or not ds.has(fit.target):
        lacks = ", ".join(missing + ([] if ds.has(fit.target) else [fit.target]))
        raise DataError(f"the data to plot lack the column(s) {lacks} of the fit "
                        f"'{fit.law.name}'", f"dataset {ds.name or '(unnamed)'}",
                        "pass the runs the law was fitted to (data=..., CLI: --data)")
    inputs = {str(c): ds.column(str(c)) for c in fit.columns.values()}
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(fit.law(fit.params, **inputs), dtype=float),
                               (len(ds),)).copy()


def residuals(observed: Array, pred: Array) -> tuple[Array, str]:
    """ln(observed / predicted) when both are positive throughout, else observed - predicted."""
    with np.errstate(all="ignore"):
        if np.all(observed > 0) and np.all(pred[np.isfinite(pred)] > 0):
            return np.log(observed) - np.log(pred), "ln(observed / predicted)"
        return observed - pred, "observed − predicted"


def figures(curves: Sequence[Curve]) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """Per x axis: a title, the main figure spec and the residual figure spec (None when no
    curve has runs)."""
    out = []
    for axis in dict.fromkeys(x_axis(c.fit) for c in curves):
        group = [c for c in curves if x_axis(c.fit) == axis]
        out.append(_figure_pair(axis, group))
    return out


def _x_values(axis: str, ds: Dataset, pred: Array) -> Array:
    if axis == PARITY:
        return pred
    return ds.column(axis)


def _x_label(axis: str, target: str) -> str:
    if axis == COMPUTE:
        return "training compute C (FLOPs)"
    return f"predicted {plotly_text(target)}" if axis == PARITY else plotly_text(axis)


def _figure_pair(axis: str, curves: list[Curve]) -> tuple[str, dict[str, Any],
                                                          dict[str, Any] | None]:
    target = curves[0].fit.target
    runs = _run_traces(axis, _datasets(axis, curves))
    traces = runs.traces
    for c in curves:
        traces.extend(_law_traces(axis, c, runs.lows, runs.highs))
    title = _title(axis, target)
    main_layout = layout(title, _x_label(axis, target), plotly_text(target), log_y=True)
    if axis == PARITY and runs.lows:
        lo, hi = min(runs.lows), max(runs.highs)
        traces.append({"type": "scatter", "mode": "lines", "x": [lo, hi], "y": [lo, hi],
                       "name": "observed = predicted", "hoverinfo": "skip",
                       "line": {"color": "#888", "dash": "dot"}})
    main = {"data": traces, "layout": main_layout, "config": CONFIG}
    if not runs.residuals:
        return title, main, None
    resid_layout = layout(f"Residuals: {runs.residual_label}", _x_label(axis, target),
                          f"residual, {runs.residual_label}", log_y=False)
    resid_layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                               "y0": 0, "y1": 0, "line": {"color": "#888", "dash": "dot"}}]
    return title, main, {"data": runs.residuals, "layout": resid_layout, "config": CONFIG}


def _datasets(axis: str, curves: list[Curve]) -> list[tuple[Dataset, list[Curve]]]:
    """The distinct datasets of the curves (per fit when x is predicted), each with the
    curves drawn from it: one data trace each."""
    datasets: list[tuple[Dataset, list[Curve]]] = []
    for c in curves:
        if c.data is None:
            continue
        for ds, users in datasets:
            if axis != PARITY and (ds is c.data or ds.fingerprint == c.data.fingerprint):
                users.append(c)
                break
        else:
            datasets.append((c.data, [c]))
    return datasets


@dataclass
class _RunTraces:
    """The runs' traces of one x axis: the data, the residuals (with what they measure),
    and the range of x they span (to draw the laws over)."""

    traces: list[dict[str, Any]] = field(default_factory=list)
    residuals: list[dict[str, Any]] = field(default_factory=list)
    residual_label: str = ""
    lows: list[float] = field(default_factory=list)
    highs: list[float] = field(default_factory=list)


def _run_traces(axis: str, datasets: list[tuple[Dataset, list[Curve]]]) -> _RunTraces:
    out = _RunTraces()
    for k, (ds, users) in enumerate(datasets):
        fits = [(c, predicted(c.fit, ds)) for c in users]
        observed = ds.column(users[0].fit.target)
        x = _x_values(axis, ds, fits[0][1])
        good = np.isfinite(x) & (x > 0)
        if good.any():
            out.lows.append(float(np.min(x[good])))
            out.highs.append(float(np.max(x[good])))
        names = run_names(ds)
        lines = _hover_base(ds, names, observed, users[0].fit.target)
        for c, pred in fits:
            r, out.residual_label = residuals(observed, pred)
            for i, v in enumerate(r):
                lines[i].append(f"residual ({plotly_text(c.label)}): {v:+.4f}")
            out.residuals.append(_residual_trace(c, _x_values(axis, ds, pred), r, names))
        label = "data" if len(datasets) == 1 else (
            f"data: {plotly_text(users[0].label)}" if axis == PARITY
            else f"data: {plotly_text(ds.name or k + 1)}")
        colour = users[0].colour if len(users) == 1 and len(datasets) > 1 else None
        out.traces.append(_data_trace(label, x, observed, ["<br>".join(p) for p in lines], ds,
                                      colour, single=len(datasets) == 1))
    return out


def _title(axis: str, target: str) -> str:
    if axis == COMPUTE:
        return f"{plotly_text(target)} against training compute, with the compute-optimal " \
               "frontier of each fit"
    if axis == PARITY:
        return f"observed against predicted {plotly_text(target)}"
    return f"{plotly_text(target)} against {plotly_text(axis)}"


def _hover_base(ds: Dataset, names: list[str], observed: Array, target: str) -> list[list[str]]:
    cols = [(c, label) for c, label in (("params", "N"), ("tokens", "D"), ("flops", "C"))
            if ds.has(c)]
    values = {c: ds.column(c) for c, _ in cols}
    out = []
    for i, name in enumerate(names):
        row = [f"<b>{plotly_text(name)}</b>"]
        row += [f"{label}: {values[c][i]:.4g}" for c, label in cols]
        row.append(f"{plotly_text(target)}: {observed[i]:.5g}")
        out.append(row)
    return out


def _data_trace(label: str, x: Array, y: Array, hover: list[str], ds: Dataset,
                colour: str | None, single: bool) -> dict[str, Any]:
    marker: dict[str, Any] = {"size": 7, "opacity": 0.85, "line": {"width": 0.5, "color": "#333"}}
    if colour is not None:
        marker["color"] = colour
    elif single and ds.has("params"):
        marker.update(color=np.log10(ds.column("params")), colorscale="Viridis",
                      colorbar={"title": {"text": "log10 N"}, "x": 1.02, "thickness": 12})
    else:
        marker["color"] = "#555"
    return {"type": "scatter", "mode": "markers", "name": label, "x": x, "y": y,
            "text": hover, "hovertemplate": "%{text}<extra></extra>", "marker": marker,
            "meta": {"role": "data"}}


def _residual_trace(c: Curve, x: Array, r: Array, names: list[str]) -> dict[str, Any]:
    hover = [f"<b>{plotly_text(n)}</b><br>residual: {v:+.4f}" for n, v in zip(names, r,
                                                                            strict=True)]
    return {"type": "scatter", "mode": "markers", "name": plotly_text(c.label), "x": x,
            "y": r, "text": hover, "hovertemplate": "%{text}<extra>%{fullData.name}</extra>",
            "marker": {"size": 6, "color": c.colour, "opacity": 0.8},
            "meta": {"role": "residuals"}}


def _span(axis: str, fit: FitResult, lows: list[float], highs: list[float]) -> tuple[float,
                                                                                    float]:
    """The x range a law is drawn over: the runs' (widened a little), else the fitted range."""
    if lows:
        return min(lows) / 2, max(highs) * 2
    ranges = fit.input_ranges
    if axis == COMPUTE:
        if "flops" in ranges:
            return ranges["flops"]
        (n_lo, n_hi), (d_lo, d_hi) = ranges["params"], ranges["tokens"]
        return 6 * n_lo * d_lo, 6 * n_hi * d_hi
    return ranges[axis]


def _law_traces(axis: str, c: Curve, lows: list[float],
                highs: list[float]) -> list[dict[str, Any]]:
    """The fitted law as one line (two-input laws: the compute-optimal frontier)."""
    name = plotly_text(c.label)
    line = {"color": c.colour, "width": 2.5}
    if axis == PARITY:
        return []  # observed against predicted: the data trace and the diagonal show the fit
    try:
        lo, hi = _span(axis, c.fit, lows, highs)
    except (KeyError, TypeError, ValueError):
        return []
    if not (0 < lo < hi < np.inf):
        return []
    grid = np.geomspace(lo, hi, _GRID)
    if axis == COMPUTE:
        from ..plan.optimal import compute_optimal

        try:
            alloc = compute_optimal(c.fit.with_bootstrap(None), grid)
        except ScalingLawError:
            return []
        hover = [f"<b>{name}</b> frontier<br>C: {cc:.3g}<br>N_opt: {n:.3g}<br>D_opt: {d:.3g}"
                 f"<br>loss: {v:.5g}" for cc, n, d, v in zip(alloc.flops, alloc.params,
                                                            alloc.tokens, alloc.loss,
                                                            strict=True)]
        y = alloc.loss
    else:
        with np.errstate(all="ignore"):
            y = np.broadcast_to(np.asarray(c.fit.law(c.fit.params, **{axis: grid}),
                                           dtype=float), grid.shape)
        hover = [f"<b>{name}</b><br>{plotly_text(axis)}: {g:.4g}<br>predicted: {v:.5g}"
                 for g, v in zip(grid, y, strict=True)]
    return [{"type": "scatter", "mode": "lines", "name": name, "x": grid, "y": y,
             "text": hover, "hovertemplate": "%{text}<extra></extra>", "line": line,
             "meta": {"role": "law"}}]


def layout(title: str, x_title: str, y_title: str, *, log_y: bool) -> dict[str, Any]:
    """The layout of every interactive figure: title, font, log x axis, legend below."""
    return {
        "title": {"text": title, "font": {"size": 15}},
        "font": {"family": _FONT, "size": 12},
        "xaxis": {"type": "log", "title": {"text": x_title}, "exponentformat": "power"},
        "yaxis": {"type": "log" if log_y else "linear", "title": {"text": y_title}},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18},
        "margin": {"t": 50, "r": 20, "b": 40, "l": 60},
    }
