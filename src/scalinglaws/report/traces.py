"""The runs' traces of one interactive figure: their markers against the x axis (main panel)
and their residuals under every fit drawn (residual panel, same x axis).

Runs are drawn once per distinct dataset. One dataset drawn alone is coloured by log10 N;
the runs of a joint fit's group are drawn in the group's colour and named by the group
(``data · family=a``); several datasets are named by their dataset's name (and by their
fits where two share a name). Beyond :data:`~scalinglaws.report.thinning.MAX_MARKERS` rows a
figure draws a thinned set of them (:mod:`~scalinglaws.report.thinning`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..common.numbers import readable
from ..data.dataset import Dataset
from .curve import PARITY, Array, Curve, predicted, residuals, run_names, x_values
from .page import plotly_text
from .thinning import Thinned, budget, thin

#: the size columns shown in a run's hover label, with their symbols
_SIZES = (("params", "N"), ("tokens", "D"), ("flops", "C"))


@dataclass
class RunSet:
    """One dataset drawn as one data trace, with the curves fitted to it."""

    data: Dataset
    curves: list[Curve]
    label: str = "data"
    colour: str | None = None  #: None: by log10 N (one dataset alone), else one colour
    group: str = "data"  #: its legend group


@dataclass
class RunTraces:
    """The runs' traces of one figure, what the residuals measure, the x range of the runs
    (to draw the laws over) and how each dataset was thinned."""

    data: list[dict[str, Any]] = field(default_factory=list)
    residuals: list[dict[str, Any]] = field(default_factory=list)
    residual_label: str = ""
    lows: list[float] = field(default_factory=list)
    highs: list[float] = field(default_factory=list)
    thinned: list[Thinned] = field(default_factory=list)


def run_sets(axis: str, curves: list[Curve]) -> list[RunSet]:
    """The distinct datasets of the curves, each with the curves drawn from it, named and
    coloured (see the module)."""
    sets: list[RunSet] = []
    for c in curves:
        if c.data is None:
            continue
        for s in sets:
            if (axis != PARITY and c.group is None and s.curves[0].group is None
                    and (s.data is c.data or s.data.fingerprint == c.data.fingerprint)):
                s.curves.append(c)
                break
        else:
            sets.append(RunSet(c.data, [c]))
    names = Counter(_name(s) for s in sets)
    for k, s in enumerate(sets, 1):
        first = s.curves[0]
        if first.group is not None:
            s.label = f"data · {plotly_text(first.group)}"
            s.colour, s.group = first.colour, first.key
        elif len(sets) > 1:
            name = _name(s) or f"dataset {k}"
            s.label = f"data: {name}" if axis != PARITY and names[_name(s)] == 1 else (
                f"data: {name} ({', '.join(plotly_text(c.label) for c in s.curves)})")
            s.colour = first.colour if len(s.curves) == 1 else "#555555"
            s.group = first.key if len(s.curves) == 1 else f"data:{k}"
    return sets


def _name(s: RunSet) -> str:
    return plotly_text(s.data.name or "")


def run_traces(axis: str, curves: list[Curve]) -> RunTraces:
    """Markers and residuals of every dataset of the curves."""
    out = RunTraces()
    sets = run_sets(axis, curves)
    limit = budget(len(sets))
    for s in sets:
        ds = s.data
        fits = [(c, predicted(c.fit, ds)) for c in s.curves]
        observed = ds.column(s.curves[0].fit.target)
        x = x_values(axis, ds, fits[0][1])
        good = np.isfinite(x) & (x > 0)
        if good.any():
            out.lows.append(float(np.min(x[good])))
            out.highs.append(float(np.max(x[good])))
        kept = thin(ds, x, limit)
        out.thinned.append(kept)
        rows = kept.rows
        names = run_names(ds)
        shown = [names[i] for i in rows]
        lines = _hover_base(ds, rows, shown, observed, s.curves[0].fit.target)
        for c, pred in fits:
            r, out.residual_label = residuals(observed, pred)
            for line, v in zip(lines, r[rows], strict=True):
                line.append(f"residual ({plotly_text(c.label)}): {v:+.4f}")
            out.residuals.append(_residual_trace(c, x_values(axis, ds, pred)[rows], r[rows],
                                                 shown, kept.thinned))
        hover = ["<br>".join(p) for p in lines]
        out.data.append(_data_trace(s, x[rows], observed[rows], hover, rows, alone=len(sets) == 1,
                                    dense=kept.thinned))
    return out


def _hover_base(ds: Dataset, rows: Array, names: list[str], observed: Array,
                target: str) -> list[list[str]]:
    cols = [(c, label) for c, label in _SIZES if ds.has(c)]
    values = {c: ds.column(c)[rows] for c, _ in cols}
    out = []
    for j, name in enumerate(names):
        row = [f"<b>{plotly_text(name)}</b>"]
        row += [f"{label}: {readable(values[c][j])}" for c, label in cols]
        row.append(f"{plotly_text(target)}: {readable(observed[rows[j]], 4)}")
        out.append(row)
    return out


def _data_trace(s: RunSet, x: Array, y: Array, hover: list[str], rows: Array, *, alone: bool,
                dense: bool) -> dict[str, Any]:
    first = s.curves[0]
    marker: dict[str, Any] = {"size": 5 if dense else 7, "opacity": 0.7 if dense else 0.85,
                              "line": {"width": 0 if dense else 0.5, "color": "#333"}}
    if s.colour is not None:
        marker.update(color=s.colour, symbol=first.symbol)
    elif alone and s.data.has("params"):
        marker.update(color=np.log10(s.data.column("params")[rows]), colorscale="Viridis",
                      colorbar={"title": {"text": "log10 N"}, "x": 1.02, "y": 1.0,
                                "yanchor": "top", "len": 0.66, "thickness": 12})
    else:
        marker["color"] = "#555555"
    return {"type": "scatter", "mode": "markers", "name": s.label, "x": x, "y": y,
            "text": hover, "hovertemplate": "%{text}<extra></extra>", "marker": marker,
            "legendgroup": s.group, "xaxis": "x", "yaxis": "y", "meta": {"role": "data"}}


def _residual_trace(c: Curve, x: Array, r: Array, names: list[str], dense: bool
                    ) -> dict[str, Any]:
    hover = [f"<b>{plotly_text(n)}</b><br>residual: {v:+.4f}" for n, v in zip(names, r,
                                                                            strict=True)]
    return {"type": "scatter", "mode": "markers", "name": plotly_text(c.label), "x": x,
            "y": r, "text": hover, "hovertemplate": "%{text}<extra>%{fullData.name}</extra>",
            "marker": {"size": 4 if dense else 6, "color": c.colour, "symbol": c.symbol,
                       "opacity": 0.7 if dense else 0.8},
            "showlegend": False, "legendgroup": c.key, "xaxis": "x2", "yaxis": "y2",
            "meta": {"role": "residuals"}}
