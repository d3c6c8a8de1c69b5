"""The compute view of the fit figure, for a law of model size N and tokens D: the runs
against compute, the law along a few model sizes, the compute-optimal frontier and its band."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm
from matplotlib.lines import Line2D

from ...common.numbers import size as size_text
from ...fitting import FitResult, SharedFit
from ..style import GREY, INK, OKABE_ITO, SEQUENTIAL, colours, marker
from .common import (
    COMPUTE_LABEL,
    GRID,
    Z_CURVE,
    axis_label,
    band,
    group_fit,
    interval_label,
    plain,
    point_style,
    target,
)
from .legends import legend
from .ticks import label_colorbar

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase

    from ...data.dataset import Dataset

N_LINES = 5  # representative model sizes drawn as fitted lines
FRONTIER_C = 80  # budgets on the frontier
FRONTIER_N = 801  # model sizes tried per budget: 8 decades at ~100 points per decade
#: the label of the legend entry that stands for the law's lines at fixed model sizes
LINES_LABEL = "law at fixed $N$"
#: the colour of the frontier's band of a plain fit
BAND_COLOUR = OKABE_ITO[1]

Groups = tuple[str | None, list[str], np.ndarray | None]


def compute_plot(fig: FigureBase, ax: Axes, fit: FitResult | SharedFit, data: Dataset | None,
                 level: float, groups: Groups) -> None:
    """Target against compute, with the fitted law, the frontier and its band."""
    by, labels, rows = groups
    factor = data.flops_factor if data is not None else 6.0
    ranges = _ranges(fit, data, labels, rows)
    handles: list[Any] = []
    if data is not None:
        handles += _runs(fig, ax, fit, data, groups, factor)
    if not isinstance(fit, SharedFit):
        handles.append(_law_lines(ax, fit, data, ranges[0], factor, grey=by is not None))
    group_colours = colours(len(labels))
    curve_labels = labels if isinstance(fit, SharedFit) else [""]
    for k, label in enumerate(curve_labels):
        colour = group_colours[k] if isinstance(fit, SharedFit) else None
        handles += _frontier_and_band(ax, group_fit(fit, label), label, ranges[k], factor,
                                      level, colour=colour, first=k == 0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(COMPUTE_LABEL)
    ax.set_ylabel(axis_label(target(fit)))
    legend(ax, handles, [h.get_label() for h in handles])


def _runs(fig: FigureBase, ax: Axes, fit: FitResult | SharedFit, data: Dataset,
          groups: Groups, factor: float) -> list[Any]:
    """The runs against compute: coloured by model size (with a colour bar), or by group when
    there are groups; returns their legend handles."""
    by, labels, rows = groups
    c = data.flops if data.has("flops") else factor * data.params * data.tokens
    y = data.column(target(fit))
    look = point_style(len(y))
    if by is None:
        n = data.params
        sizes = np.unique(n)
        top = float(sizes.max()) * (1.0 + 1e-9 if sizes.size == 1 else 1.0)
        norm = LogNorm(vmin=float(sizes.min()), vmax=top)
        points = ax.scatter(c, y, c=n, cmap=SEQUENTIAL, norm=norm, label="runs", **look)
        # the bar from the colour map itself: the points' transparency would pale it
        label_colorbar(fig.colorbar(ScalarMappable(norm=norm, cmap=SEQUENTIAL), ax=ax,
                                    label=axis_label("params")), sizes=True)
        return [points]
    assert rows is not None
    out = []
    for k, (label, colour) in enumerate(zip(labels, colours(len(labels)), strict=True)):
        mask = rows == k
        out.append(ax.scatter(c[mask], y[mask], color=colour, marker=marker(k),
                              label=plain(label), **look))
    return out


def _law_lines(ax: Axes, fit: FitResult, data: Dataset | None,
               ranges: tuple[float, float, float, float], factor: float, grey: bool) -> Any:
    """The fitted law along a few representative model sizes (grey when runs are coloured
    by group, else coloured by size as the runs are); returns one legend handle for all."""
    n_lo, n_hi, d_lo, d_hi = ranges
    lines = np.geomspace(n_lo, n_hi, N_LINES)
    if data is not None:
        lines = np.unique(np.quantile(np.unique(data.params), np.linspace(0, 1, N_LINES),
                                      method="nearest"))
    norm = LogNorm(vmin=n_lo, vmax=n_hi * (1 + 1e-9))
    cmap = colormaps[SEQUENTIAL]
    budgets = np.geomspace(factor * n_lo * d_lo / 2.0, factor * n_hi * d_hi * 2.0, GRID)
    width = 0.75 * float(mpl.rcParams["lines.linewidth"])  # thinner than the frontier
    for size in lines:
        # each model size is drawn where its token count stays near the data's (x1/3 to x3)
        tokens = budgets / (factor * size)
        keep = (tokens >= d_lo / 3.0) & (tokens <= d_hi * 3.0)
        # the law itself, not fit.predict: drawing beyond the data is not a user's query
        loss = np.asarray(fit.law(fit.params, params=size, tokens=tokens[keep]), dtype=float)
        colour = GREY if grey else cmap(norm(size))
        ax.plot(budgets[keep], loss, color=colour, lw=width, zorder=Z_CURVE,
                label=f"law at $N$ = {size_text(size)}")
    return Line2D([], [], color=GREY if grey else cmap(0.5), lw=width,
                  label=LINES_LABEL + ("" if grey else " (colour: $N$)"))


def _frontier_and_band(ax: Axes, one: FitResult, label: str,
                       ranges: tuple[float, float, float, float], factor: float, level: float,
                       *, colour: Any, first: bool) -> list[Any]:
    """One fit's compute-optimal frontier (dashed) and its interval band; ``colour`` is the
    group's for a joint fit (None: a black frontier in a vermillion band). Returns their
    legend handles."""
    n_lo, n_hi, d_lo, d_hi = ranges
    c_grid = np.geomspace(factor * n_lo * d_lo / 2.0, factor * n_hi * d_hi * 2.0, FRONTIER_C)
    loss, best_n = frontier(one, c_grid, factor)
    name = "compute-optimal frontier" + (f" ({plain(label)})" if label else "")
    (line,) = ax.plot(c_grid, loss, color=INK if colour is None else colour, ls="--",
                      lw=1.1 * float(mpl.rcParams["lines.linewidth"]),
                      label=name, zorder=Z_CURVE + 0.1)
    ok = np.isfinite(best_n)
    lo, hi = np.full(c_grid.shape, np.nan), np.full(c_grid.shape, np.nan)
    if ok.any():
        at: dict[str, Any] = {"params": best_n[ok],
                              "tokens": c_grid[ok] / (factor * best_n[ok])}
        lo[ok], hi[ok] = one.predict_interval(level, **at)
    drawn = band(ax, c_grid, lo, hi, BAND_COLOUR if colour is None else colour,
                 interval_label(one, level) if first else None)
    return [line] if drawn is None or not first else [line, drawn]


def _ranges(fit: FitResult | SharedFit, data: Dataset | None, labels: list[str],
            rows: np.ndarray | None) -> list[tuple[float, float, float, float]]:
    """(N min, N max, D min, D max) per group: of the data, else of the fitted range."""
    out = []
    for k, label in enumerate(labels):
        if data is not None:
            mask = np.ones(len(data), bool) if rows is None or not isinstance(
                fit, SharedFit) else rows == k
            if not mask.any():
                mask = np.ones(len(data), bool)
            n, d = data.params[mask], data.tokens[mask]
            out.append((float(n.min()), float(n.max()), float(d.min()), float(d.max())))
        else:
            r = group_fit(fit, label).input_ranges
            n_lo, n_hi = r.get("params", (1e7, 1e11))
            d_lo, d_hi = r.get("tokens", (1e9, 1e12))
            out.append((n_lo, n_hi, d_lo, d_hi))
    return out


def frontier(fit: FitResult, budgets: np.ndarray, factor: float
             ) -> tuple[np.ndarray, np.ndarray]:
    """The smallest predicted target over model sizes N at each budget C = factor·N·D, and
    the N where it is reached (NaN where no size gives a finite prediction)."""
    center = np.sqrt(budgets / factor)[:, None]
    sizes = center * np.logspace(-4.0, 4.0, FRONTIER_N)[None, :]
    with np.errstate(all="ignore"):
        loss = np.asarray(fit.law(fit.params, params=sizes,
                                  tokens=budgets[:, None] / (factor * sizes)), dtype=float)
    loss = np.where(np.isfinite(loss), loss, np.inf)
    j = loss.argmin(axis=1)
    best = loss[np.arange(len(budgets)), j]
    found = np.isfinite(best)
    return (np.where(found, best, np.nan),
            np.where(found, sizes[np.arange(len(budgets)), j], np.nan))

