"""The fit figure: the runs, the fitted law and its interval band."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure, FigureBase
from matplotlib.patches import Patch

from ...common.checks import check_level
from ...exceptions import DataError
from ...fitting import FitResult, SharedFit
from ..style import GREY, INK, OKABE_ITO, colours, marker
from .common import (
    BAND_ALPHA,
    BAND_EDGE,
    GRID,
    Z_CURVE,
    axis_label,
    band,
    check_dataset,
    check_fit,
    group_fit,
    group_rows,
    input_columns,
    interval_label,
    plain,
    point_style,
    set_scales,
    target,
)
from .compute import compute_plot
from .legends import legend
from .look import Look
from .text import display_name
from .ticks import label_column_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ...data.dataset import Dataset

#: the colour of the fitted curve and its band for a fit of one group
CURVE_COLOUR = OKABE_ITO[1]


def fit_figure(fit: FitResult | SharedFit, data: Dataset | None = None, *, level: float = 0.9,
               ax: Axes | None = None, title: str | None = None, width: float | None = None,
               dpi: float | None = None, style: str = "paper") -> Figure:
    """Plot a fit on log-log axes with its ``level`` interval band; returns the Figure.

    For a law of ``params`` and ``tokens`` (e.g. Chinchilla): the runs' target against
    compute C (the ``flops`` column, else 6·N·D), coloured by model size; the fitted law along
    five representative model sizes (coloured as the runs); and the compute-optimal frontier
    (the smallest predicted target over N at each C, found on a log grid of N) with its band.
    For a one-input law: the target against that input, the fitted curve and its band. Any
    other law: predicted against observed. The band comes from the fit's bootstrap when it
    carries one (:meth:`FitResult.with_bootstrap`), else from the delta method
    (:meth:`FitResult.predict_interval`).

    Runs are coloured by group (Okabe–Ito colours and distinct markers) when the data have a
    ``family`` column, or when ``fit`` is a :class:`~scalinglaws.SharedFit`: then each group
    gets its own curve (or frontier) and band. Markers shrink and fade as the runs grow in
    number; curves are drawn over the points; the legend goes where it covers no data.

    Parameters
    ----------
    fit:
        The fit to draw (a FitResult or a joint fit across groups).
    data:
        The runs to show as points; without it only the law is drawn, over
        ``fit.input_ranges``.
    level:
        Level of the interval band.
    ax:
        Axes to draw into; a new figure is made when omitted.
    title, width, dpi, style:
        The title (default: the law's name and citation; ``""`` for none), the width in
        inches, the resolution, and ``"paper"`` or ``"slide"`` (see :mod:`.look`).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import fit_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> fig = fit_figure(sl.fit("chinchilla", ds), ds)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_title()
    ('training compute $C$ (FLOPs)', 'Chinchilla (Hoffmann et al. 2022)')
    >>> fig.savefig("fit.png")  # doctest: +SKIP
    """
    check_fit(fit, "argument 'fit' of fit_figure")
    data = check_dataset(data, "argument 'data' of fit_figure")
    level = check_level(level)
    look = Look.of(style, width, dpi)
    with look.applied():
        parent: FigureBase | None
        if ax is None:
            parent = look.new_figure()
            ax = parent.add_subplot()
        else:
            parent = ax.get_figure()
        root = parent if isinstance(parent, Figure) else getattr(parent, "figure", None)
        if parent is None or not isinstance(root, Figure):
            raise DataError("the axes belong to no figure", "argument 'ax' of fit_figure",
                            "pass axes made with fig.add_subplot()")
        before = [a for a in root.axes if a is not ax]
        columns = input_columns(fit)
        if set(columns) == {"params", "tokens"}:
            compute_plot(parent, ax, fit, data, level, _groups(fit, data))
        elif len(columns) == 1:
            _one_input_plot(ax, fit, data, level)
        else:
            _parity_plot(ax, fit, data)
        ax.set_title(display_name(fit.law))
        return look.finish(root, title=title,
                           axes=[a for a in root.axes if a not in before])


def _groups(fit: FitResult | SharedFit, data: Dataset | None
            ) -> tuple[str | None, list[str], np.ndarray | None]:
    if data is not None:
        return group_rows(fit, data)
    if isinstance(fit, SharedFit):
        return fit.by, list(fit.groups), None
    return None, [""], None


def _one_input_plot(ax: Axes, fit: FitResult | SharedFit, data: Dataset | None,
                    level: float) -> None:
    """Target against the law's single input, with the fitted curve(s) and band(s)."""
    column = input_columns(fit)[0]
    by, labels, rows = _groups(fit, data)
    group_colours = colours(len(labels))
    shared = isinstance(fit, SharedFit)
    values: list[np.ndarray] = []
    points: list[Any] = []
    if data is not None:
        x, y = data.column(column), data.column(target(fit))
        values.append(y)
        look = point_style(len(y))
        for k, label in enumerate(labels):
            mask = rows == k if rows is not None else np.ones(len(y), dtype=bool)
            points.append(ax.scatter(x[mask], y[mask], color=group_colours[k],
                                     marker=marker(k), label=plain(label) if by else "runs",
                                     **look))
    log_x = True
    curves: list[Any] = []
    bands: list[Any] = []
    for k, label in enumerate(labels if shared else [""]):
        one = group_fit(fit, label)
        lo, hi = one.input_ranges.get(column, (np.nan, np.nan))
        if data is not None:
            x = data.column(column)
            if shared and rows is not None and (rows == k).any():
                x = x[rows == k]
            lo, hi = float(np.nanmin([lo, x.min()])), float(np.nanmax([hi, x.max()]))
        log_x = log_x and bool(np.isfinite(lo) and lo > 0)
        grid = np.geomspace(lo, hi, GRID) if lo > 0 else np.linspace(lo, hi, GRID)
        with np.errstate(all="ignore"):
            curve = np.asarray(one.law(one.params, **{column: grid}), dtype=float)
            query: dict[str, Any] = {column: grid}
            b_lo, b_hi = one.predict_interval(level, **query)
        colour = group_colours[k] if shared else CURVE_COLOUR
        curves += ax.plot(grid, curve, color=colour, zorder=Z_CURVE,
                          lw=1.1 * float(mpl.rcParams["lines.linewidth"]),
                          label="fitted law" + (f" ({plain(label)})" if shared else ""))
        drawn = band(ax, grid, b_lo, b_hi, colour, interval_label(one, level) if k == 0
                     else None)
        if drawn is not None:
            bands.append(drawn)
            values += [np.asarray(b_lo, float), np.asarray(b_hi, float)]
        values.append(curve)
    set_scales(ax, log_x, np.concatenate(values))
    label_column_axis(ax.xaxis, column)
    label_column_axis(ax.yaxis, target(fit))
    _one_input_legend(ax, fit, by, labels, (points, curves, bands))


def _one_input_legend(ax: Axes, fit: FitResult | SharedFit, by: str | None, labels: list[str],
                      drawn: tuple[list[Any], list[Any], list[Any]]) -> None:
    """One entry per group (its marker over its curve) for a joint fit, then the band."""
    points, curves, bands = drawn
    if not isinstance(fit, SharedFit):
        handles = points + curves + bands[:1]
        legend(ax, handles, [h.get_label() for h in handles],
               title=plain(by) if by is not None else None)
        return
    handles = [(p, c) for p, c in zip(points, curves, strict=True)] if points else curves
    names = [plain(label) for label in labels]
    if bands:
        label = str(bands[0].get_label())
        grey = Patch(facecolor=to_rgba(GREY, BAND_ALPHA), edgecolor=GREY, lw=BAND_EDGE,
                     label=label)
        handles, names = [*handles, grey], [*names, label]
    legend(ax, handles, names, title=plain(by) if by is not None else None)


def _parity_plot(ax: Axes, fit: FitResult | SharedFit, data: Dataset | None) -> None:
    """Predicted against observed target, for laws with other inputs than N and D."""
    from .common import predictions

    if data is None:
        ax.text(0.5, 0.5, "pass data= to plot this law", ha="center", va="center",
                transform=ax.transAxes)
        return
    y = data.column(target(fit))
    predicted = predictions(fit, data)
    ax.scatter(y, predicted, color=colours(1)[0], label="runs", **point_style(len(y)))
    both = np.concatenate([y, predicted[np.isfinite(predicted)]])
    ax.plot([both.min(), both.max()], [both.min(), both.max()], color=INK, lw=0.8,
            zorder=Z_CURVE, label="predicted = observed")
    set_scales(ax, bool((y > 0).all()), np.concatenate([predicted, y]))
    ax.set_xlabel(f"observed {axis_label(target(fit))}")
    ax.set_ylabel(f"predicted {axis_label(target(fit))}")
    legend(ax)
