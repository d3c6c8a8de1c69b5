"""The backtest figure: training runs, held-out runs and their forecasts with intervals."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...exceptions import DataError, OptionError
from ...validate.backtesting import Backtest
from ..style import GREY, OKABE_ITO, new_figure, styled
from .common import axis_label, band, plain, positive, set_scales


@styled
def backtest_figure(bt: Backtest, *, x: str | None = None) -> Figure:
    """The runs a backtest fitted on (grey), the held-out runs (blue) and their forecasts
    (orange) with the backtest's prediction interval, against model size on a log axis.

    For a one-input law the forecasts and interval are drawn as a line and a band along that
    input; for a law of several inputs (a forecast depends on more than the x shown) each
    forecast is a marker with its interval as a vertical bar.

    Parameters
    ----------
    bt:
        The result of :func:`scalinglaws.validate.backtest`.
    x:
        The input to plot against: default ``params`` when the law reads it, else the
        law's first input.

    Example
    -------
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
    pts = bt.points
    if len(pts) == 0:
        raise DataError("the backtest scored no runs: there is nothing to plot",
                        "argument 'bt' of backtest_figure", "hold out at least one run")
    fit = bt.fit
    inputs = [str(c) for c in fit.columns.values()]
    if x is None:
        x = "params" if "params" in inputs else inputs[0]
    if x not in inputs or x not in pts.columns:
        raise OptionError(f"the law of this backtest does not read '{x}'",
                          "argument 'x' of backtest_figure", f"use one of {', '.join(inputs)}")
    fig = new_figure()
    ax = fig.add_subplot()
    values = []
    for k, fold in enumerate(bt.folds):
        train = fold.fit.data
        if train is None or not train.has(x):
            continue
        y_train = train.column(fit.target)
        values.append(y_train)
        ax.scatter(train.column(x), y_train, s=10, color=GREY, alpha=0.6, edgecolors="none",
                   label="training runs" if k == 0 else None)
    tx = pts[x].to_numpy(dtype=float)
    ty = pts["y"].to_numpy(dtype=float)
    pred = pts["predicted"].to_numpy(dtype=float)
    lo = pts["lower"].to_numpy(dtype=float)
    hi = pts["upper"].to_numpy(dtype=float)
    values += [ty, pred, lo, hi]
    ax.scatter(tx, ty, s=14, color=OKABE_ITO[0], marker="o", edgecolors="none",
               label="held-out runs", zorder=3)
    interval = f"{bt.level:.0%} prediction interval"
    order = np.argsort(tx, kind="stable")
    if len(inputs) == 1 and len(bt.folds) == 1 and np.unique(tx).size == tx.size:
        ax.plot(tx[order], pred[order], color=OKABE_ITO[1], lw=1.2, label="forecast")
        band(ax, tx[order], lo[order], hi[order], OKABE_ITO[1], interval)
    else:
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            ax.vlines(tx[ok], lo[ok], hi[ok], color=OKABE_ITO[1], lw=0.8, alpha=0.7,
                      label=interval)
        ax.scatter(tx, pred, s=16, marker="_", color=OKABE_ITO[1], linewidths=1.2,
                   label="forecast", zorder=4)
    set_scales(ax, positive(tx), np.concatenate(values))
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(plain(fit.target))
    ax.set_title(f"backtest of {plain(bt.law)} (train: {plain(bt.rule)})")
    ax.legend(fontsize="x-small")
    return fig

