"""The backtest figure: training runs, held-out runs and their forecasts with intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ...exceptions import DataError, OptionError
from ...validate.backtesting import Backtest
from ..style import GREY, OKABE_ITO
from .common import (
    Z_CURVE,
    Z_MARK,
    Z_POINTS,
    band,
    plain,
    point_style,
    positive,
    set_scales,
)
from .legends import legend
from .look import Look
from .text import display_name
from .ticks import label_column_axis

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

#: the size of a forecast's mark and the width of its interval bar, in marker sizes
_FORECAST_MARK, _BAR = 1.6, 0.25


def backtest_figure(bt: Backtest, *, x: str | None = None, title: str | None = None,
                    width: float | None = None, dpi: float | None = None,
                    style: str = "paper") -> Figure:
    """The runs a backtest fitted on (grey), the held-out runs (blue) and their forecasts
    (vermillion) with the backtest's prediction interval, on log axes.

    For a one-input law the forecasts and interval are drawn as a line and a band along that
    input; for a law of several inputs (a forecast depends on more than the x shown) each
    forecast is a mark with its interval as a bar. A law of ``params`` and ``tokens`` is
    drawn against compute by default, where the held-out runs of a split by compute stand
    apart from the training runs and no two runs share an x.

    Parameters
    ----------
    bt:
        The result of :func:`scalinglaws.validate.backtest`.
    x:
        The input to plot against: default ``flops`` (C = factor·N·D) for a law of
        ``params`` and ``tokens``, else ``params`` when the law reads it, else the law's
        first input.
    title, width, dpi, style:
        The title (default: the law's name and citation; ``""`` for none), the width in
        inches, the resolution, and ``"paper"`` or ``"slide"`` (see :mod:`.look`).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import backtest_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> bt = sl.validate.backtest("chinchilla", ds, train="flops<1e21", n_boot=0)
    >>> backtest_figure(bt).axes[0].get_xscale()
    'log'
    """
    if not isinstance(bt, Backtest):
        raise OptionError(f"expected a Backtest, got {type(bt).__name__}",
                          "argument 'bt' of backtest_figure",
                          "pass the result of sl.validate.backtest(...)")
    if len(bt.points) == 0:
        raise DataError("the backtest scored no runs: there is nothing to plot",
                        "argument 'bt' of backtest_figure", "hold out at least one run")
    x = _x(bt, x)
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = look.new_figure()
        ax = fig.add_subplot()
        _draw(ax, bt, x)
        ax.set_title(f"Backtest of {display_name(bt.fit.law)}")
        return look.finish(fig, title=title)


def _x(bt: Backtest, x: str | None) -> str:
    """The input drawn along x (see ``backtest_figure``)."""
    inputs = [str(c) for c in bt.fit.columns.values()]
    compute = {"params", "tokens"} <= set(inputs)
    if x is None:
        x = "flops" if compute else "params" if "params" in inputs else inputs[0]
    if not ((x in inputs and x in bt.points.columns) or (x == "flops" and compute)):
        raise OptionError(f"the law of this backtest does not read '{x}'",
                          "argument 'x' of backtest_figure",
                          f"use one of {', '.join(inputs + (['flops'] if compute else []))}")
    return x


def _column(frame: pd.DataFrame, x: str, factor: float) -> np.ndarray:
    """The held-out runs' ``x`` (compute from N and D where x is ``flops``)."""
    if x == "flops" and x not in frame.columns:
        return factor * frame["params"].to_numpy(dtype=float) * frame["tokens"].to_numpy(
            dtype=float)
    return frame[x].to_numpy(dtype=float)


def _draw(ax: Axes, bt: Backtest, x: str) -> None:
    fit = bt.fit
    pts = bt.points
    values, factor = [], 6.0
    for k, fold in enumerate(bt.folds):
        train = fold.fit.data
        if train is None or not train.has(x):
            continue
        factor = train.flops_factor
        y_train = train.column(fit.target)
        values.append(y_train)
        ax.scatter(train.column(x), y_train, color=GREY,
                   label=f"training runs ({plain(bt.rule)})" if k == 0 else None,
                   **point_style(len(y_train)))
    tx = _column(pts, x, factor)
    ty, pred, lo, hi = (pts[c].to_numpy(dtype=float) for c in ("y", "predicted", "lower",
                                                                "upper"))
    values += [ty, pred, lo, hi]
    size = float(mpl.rcParams["lines.markersize"])
    # hollow, so that held-out runs close together and the forecasts inside stay apart
    ax.scatter(tx, ty, label="held-out runs", **{
        **point_style(len(tx)), "s": size ** 2, "facecolors": "none",
        "edgecolors": OKABE_ITO[0], "linewidths": 0.25 * size, "alpha": 0.9,
        "zorder": Z_POINTS + 0.5})
    interval = f"{bt.level:.0%} prediction interval"
    order = np.argsort(tx, kind="stable")
    if len(fit.columns) == 1 and len(bt.folds) == 1 and np.unique(tx).size == tx.size:
        ax.plot(tx[order], pred[order], color=OKABE_ITO[1], zorder=Z_CURVE, label="forecast")
        band(ax, tx[order], lo[order], hi[order], OKABE_ITO[1], interval)
    else:
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            ax.errorbar(tx[ok], (lo[ok] + hi[ok]) / 2.0, yerr=(hi[ok] - lo[ok]) / 2.0,
                        fmt="none", ecolor=OKABE_ITO[1], elinewidth=_BAR * size,
                        capsize=0.4 * size, capthick=_BAR * size, zorder=Z_CURVE,
                        label=interval)
        ax.plot(tx, pred, ls="none", marker="_", ms=_FORECAST_MARK * size,
                mew=0.35 * size, color=OKABE_ITO[1], zorder=Z_MARK, label="forecast")
    set_scales(ax, positive(tx), np.concatenate(values))
    label_column_axis(ax.xaxis, x)
    label_column_axis(ax.yaxis, fit.target)
    legend(ax)
