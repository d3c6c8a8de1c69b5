"""The report's interactive backtest plot: held-out runs against their forecasts."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..common.numbers import level_label, readable, span
from ..validate.backtesting import Backtest
from .interactive import CONFIG, layout
from .page import plotly_text

#: the points columns that are not inputs of the law
_SCORES = {"fold", "row", "y", "predicted", "lower", "upper", "abs_rel_error", "log_error",
           "inside", "extrapolation", "interval", "run"}


def backtest_spec(bt: Backtest) -> dict[str, Any] | None:
    """A plotly figure: each scored run's observed value and its forecast with the
    prediction interval, against its size (params, else flops, else the first input)."""
    pts = bt.points
    if len(pts) == 0:
        return None
    inputs = [c for c in pts.columns if c not in _SCORES]
    axis = next((c for c in ("params", "flops") if c in inputs), inputs[0] if inputs else None)
    if axis is None:
        return None
    x = pts[axis].to_numpy(dtype=float)
    y = pts["y"].to_numpy(dtype=float)
    pred = pts["predicted"].to_numpy(dtype=float)
    lo, hi = (pts[k].to_numpy(dtype=float) for k in ("lower", "upper"))
    hover = []
    for i in range(len(pts)):
        parts = [f"<b>row {int(pts['row'].iloc[i])}</b> ({plotly_text(pts['fold'].iloc[i])})"]
        parts += [f"{plotly_text(c)}: {readable(pts[c].iloc[i])}" for c in inputs]
        parts.append(f"observed: {readable(y[i], 4)}; forecast: {readable(pred[i], 4)}")
        if np.isfinite(lo[i]) and np.isfinite(hi[i]):
            parts.append(f"{level_label(bt.level)} interval: {span(lo[i], hi[i], 4)}")
        parts.append(f"error: {(pred[i] / y[i] - 1):+.2%}")
        hover.append("<br>".join(parts))
    band = np.isfinite(lo) & np.isfinite(hi)
    forecast: dict[str, Any] = {
        "type": "scatter", "mode": "markers", "name": "forecast", "x": x, "y": pred,
        "text": hover, "hovertemplate": "%{text}<extra></extra>",
        "marker": {"symbol": "diamond-open", "size": 9, "color": "#D55E00"},
        "xaxis": "x", "yaxis": "y", "meta": {"role": "forecast"}}
    if band.any():
        forecast["error_y"] = {"type": "data", "symmetric": False,
                               "array": np.where(band, hi - pred, 0.0),
                               "arrayminus": np.where(band, pred - lo, 0.0),
                               "color": "#D55E00", "thickness": 1}
    observed = {"type": "scatter", "mode": "markers", "name": "held-out runs", "x": x,
                "y": y, "text": hover, "hovertemplate": "%{text}<extra></extra>",
                "marker": {"size": 7, "color": "#0072B2"}, "meta": {"role": "observed"}}
    target = bt.folds[0].fit.target if bt.folds else "target"
    return {"data": [observed, forecast], "config": CONFIG,
            "layout": layout(plotly_text(axis), plotly_text(target), log_y=True)}


def backtest_title(bt: Backtest) -> str:
    """The backtest figure's caption (plain text)."""
    return f"Backtest of {bt.law} (train: {bt.rule}): held-out runs and their forecasts"
