"""The fitted laws of an interactive figure, each with its uncertainty bands.

A law of ``params`` and ``tokens`` is drawn as its compute-optimal frontier
(:func:`~scalinglaws.plan.compute_optimal` along the x axis), a one-input law against its
input. Each curve carries, at :data:`BAND_LEVEL`:

- a **bootstrap** band when the fit carries a bootstrap: per x, the percentiles of the law
  (of the compute-optimal loss, on the frontier) over the resamples, parameter-only;
- a **calibrated** band when the fit carries a calibration: per x, the calibrated interval
  of a new run (``fit.predict_interval(level, kind="calibrated")``), which widens with the
  distance beyond the data.

Each band's legend entry and hover name its kind (:data:`~scalinglaws.fitting.KIND_LABELS`).
The curves are exact: never thinned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..common.numbers import level_label, readable
from ..exceptions import ScalingLawError
from ..fitting import KIND_LABELS, FitResult
from ..plan.optimal import compute_optimal
from .curve import COMPUTE, PARITY, Array, Curve, rgba
from .page import plotly_text

#: the level of every band (the level of the report's plan tables too)
BAND_LEVEL = 0.9
_GRID = 120  # points along each fitted curve
#: per kind of band: its words in a legend, the kind of interval (KIND_LABELS) and its fill
KINDS = {
    "bootstrap": ("bootstrap, parameter-only", "mean", 0.25),
    "calibrated": ("calibrated on backtests", "calibrated", 0.10),
}


@dataclass(frozen=True)
class Band:
    """An interval of the law along the curve's x grid."""

    kind: str  #: a key of :data:`KINDS`
    lower: Array
    upper: Array


@dataclass
class LawTraces:
    """A figure's law lines, their bands (drawn under them), the points that show a law's
    values on hover (invisible markers along each line: the lines and bands themselves do not
    answer a hover, so that they never take one from a run they pass through) and what the
    bands are."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    bands: list[dict[str, Any]] = field(default_factory=list)
    hovers: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def span(axis: str, fit: FitResult, lows: list[float], highs: list[float]
         ) -> tuple[float, float]:
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


def law_traces(axis: str, curves: list[Curve], lows: list[float], highs: list[float]
               ) -> LawTraces:
    """Every curve's line and bands on this x axis (none when x is the prediction)."""
    out = LawTraces()
    if axis == PARITY:
        return out  # observed against predicted: the data and the diagonal show the fit
    for c in curves:
        try:
            lo, hi = span(axis, c.fit, lows, highs)
        except (KeyError, TypeError, ValueError):
            continue
        if not (0 < lo < hi < np.inf):
            continue
        grid = np.geomspace(lo, hi, _GRID)
        drawn = _frontier(c, grid) if axis == COMPUTE else _one_input(axis, c, grid)
        if drawn is None:
            continue
        y, hover, bands = drawn
        name = plotly_text(c.label)
        out.lines.append({
            "type": "scatter", "mode": "lines", "name": name, "x": grid, "y": y,
            "hoverinfo": "skip", "line": {"color": c.colour, "width": 2.5},
            "legendgroup": c.key, "xaxis": "x", "yaxis": "y", "meta": {"role": "law"}})
        pct = level_label(BAND_LEVEL)
        for band in sorted(bands, key=lambda b: b.kind != "calibrated"):  # wider one first
            out.bands += band_traces(c, grid, band)
            out.notes[band.kind] = _note(band.kind, c.fit, axis)
            hover = [f"{h}<br>{pct} band, {KINDS[band.kind][0]}: {readable(lo, 4)} – "
                     f"{readable(hi, 4)}" for h, lo, hi in zip(hover, band.lower, band.upper,
                                                              strict=True)]
        out.hovers.append({
            "type": "scatter", "mode": "markers", "name": name, "x": grid, "y": y,
            "text": hover, "hovertemplate": "%{text}<extra></extra>",
            "marker": {"size": 10, "opacity": 0, "color": c.colour}, "showlegend": False,
            "legendgroup": c.key, "xaxis": "x", "yaxis": "y", "meta": {"role": "law-hover"}})
    return out


def _frontier(c: Curve, grid: Array) -> tuple[Array, list[str], list[Band]] | None:
    """The compute-optimal loss along the budgets, and its bands."""
    # a bootstrap without usable resamples, or a calibration that cannot answer: without it
    tries = (c.fit, c.fit.with_bootstrap(None), c.fit.with_bootstrap(None).with_calibration(None))
    for fit in tries:
        try:
            alloc = compute_optimal(fit, grid, level=BAND_LEVEL)
            break
        except ScalingLawError:
            continue
    else:
        return None
    name = plotly_text(c.label)
    hover = [f"<b>{name}</b> frontier<br>C: {readable(cc)}<br>N_opt: {readable(n)}"
             f"<br>D_opt: {readable(d)}<br>loss: {readable(v, 4)}"
             for cc, n, d, v in zip(alloc.flops, alloc.params, alloc.tokens, alloc.loss,
                                    strict=True)]
    bands = []
    if alloc.loss_interval is not None:
        bands.append(Band("bootstrap", alloc.loss_interval[:, 0], alloc.loss_interval[:, 1]))
    if alloc.loss_forecast is not None:
        bands.append(Band("calibrated", alloc.loss_forecast[:, 0], alloc.loss_forecast[:, 1]))
    return np.asarray(alloc.loss, dtype=float), hover, bands


def _one_input(axis: str, c: Curve, grid: Array) -> tuple[Array, list[str], list[Band]]:
    """The law along its input, and its bands."""
    fit = c.fit
    with np.errstate(all="ignore"):
        y = np.broadcast_to(np.asarray(fit.law(fit.params, **{axis: grid}), dtype=float),
                            grid.shape)
    name, label = plotly_text(c.label), plotly_text(axis)
    hover = [f"<b>{name}</b><br>{label}: {readable(g)}<br>predicted: {readable(v, 4)}"
             for g, v in zip(grid, y, strict=True)]
    bands = []
    for kind, carried in (("bootstrap", fit.uncertainty), ("calibrated", fit.calibration)):
        if carried is None:
            continue
        try:
            lo, hi = fit.predict_interval(BAND_LEVEL, kind=KINDS[kind][1], **{axis: grid})
        except ScalingLawError:
            continue
        bands.append(Band(kind, np.broadcast_to(np.asarray(lo, dtype=float), grid.shape),
                          np.broadcast_to(np.asarray(hi, dtype=float), grid.shape)))
    return y, hover, bands


def band_traces(c: Curve, grid: Array, band: Band) -> list[dict[str, Any]]:
    """Two traces: the lower edge, then the upper edge filled down to it (one legend entry
    that names the band's kind; the law's hover points give its values)."""
    words, _, alpha = KINDS[band.kind]
    name = f"{plotly_text(c.label)}: {level_label(BAND_LEVEL)} band, {words}"
    edge = ({"width": 1, "dash": "dot", "color": c.colour} if band.kind == "calibrated"
            else {"width": 0, "color": c.colour})
    group = f"{c.key}:{band.kind}"
    meta = {"kind": band.kind, "level": BAND_LEVEL, "interval": KIND_LABELS[KINDS[band.kind][1]]}
    common = {"type": "scatter", "mode": "lines", "x": grid, "line": edge, "hoverinfo": "skip",
              "legendgroup": group, "xaxis": "x", "yaxis": "y"}
    return [{**common, "y": band.lower, "showlegend": False,
             "meta": {"role": "band-edge", **meta}},
            {**common, "y": band.upper, "fill": "tonexty", "fillcolor": rgba(c.colour, alpha),
             "name": name, "meta": {"role": "band", **meta}}]


def _note(kind: str, fit: FitResult, axis: str) -> str:
    """What a kind of band is, for the figure's notes."""
    pct = level_label(BAND_LEVEL)
    what = "the compute-optimal loss at each budget" if axis == COMPUTE else "the law"
    if kind == "bootstrap":
        n = fit.uncertainty.n if fit.uncertainty is not None else 0
        return (f"Filled bands: {pct} bootstrap bands, the percentiles of {what} over the "
                f"fit's {n} resamples; {KIND_LABELS['mean']}.")
    return (f"Bands with dotted edges: {pct} calibrated bands of a new run at {what}, "
            f"{KIND_LABELS['calibrated']}; they widen with the distance beyond the data.")
