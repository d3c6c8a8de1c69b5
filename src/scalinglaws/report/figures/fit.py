"""The fit figure: the runs, the fitted law and its interval band."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure, FigureBase

from ...common.checks import check_level
from ...exceptions import DataError
from ...fitting import FitResult, SharedFit
from ..style import GREY, INK, SEQUENTIAL, colours, marker, new_figure, styled
from .common import (
    COMPUTE_LABEL,
    GRID,
    axis_label,
    band,
    check_dataset,
    check_fit,
    group_fit,
    group_rows,
    input_columns,
    interval_label,
    plain,
    plain_ticks,
    set_scales,
    target,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ...data.dataset import Dataset

_N_LINES = 5  # representative model sizes drawn as fitted lines
_FRONTIER_C = 80  # budgets on the frontier
_FRONTIER_N = 801  # model sizes tried per budget: 8 decades at ~100 points per decade


@styled
def fit_figure(fit: FitResult | SharedFit, data: Dataset | None = None, *, level: float = 0.9,
               ax: Axes | None = None) -> Figure:
    """Plot a fit on log-log axes with its ``level`` interval band; returns the Figure.

    For a law of ``params`` and ``tokens`` (e.g. Chinchilla): the runs' target against
    compute C (the ``flops`` column, else 6·N·D), coloured by model size; the fitted law along
    five representative model sizes; and the compute-optimal frontier (the smallest predicted
    target over N at each C, found on a log grid of N) with its band. For a one-input law: the
    target against that input, the fitted curve and its band. Any other law: predicted
    against observed. The band comes from the fit's bootstrap when it carries one
    (:meth:`FitResult.with_bootstrap`), else from the delta method
    (:meth:`FitResult.predict_interval`).

    Runs are coloured by group (Okabe–Ito colours and distinct markers) when the data have a
    ``family`` column, or when ``fit`` is a :class:`~scalinglaws.SharedFit`: then each group
    gets its own curve (or frontier) and band.

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

    Example
    -------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import fit_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> fig = fit_figure(sl.fit("chinchilla", ds), ds)
    >>> fig.axes[0].get_xlabel()
    'training compute C (FLOPs)'
    >>> fig.savefig("fit.png")  # doctest: +SKIP
    """
    check_fit(fit, "argument 'fit' of fit_figure")
    data = check_dataset(data, "argument 'data' of fit_figure")
    level = check_level(level)
    parent: FigureBase | None
    if ax is None:
        parent = new_figure()
        ax = parent.add_subplot()
    else:
        parent = ax.get_figure()
    root = parent if isinstance(parent, Figure) else getattr(parent, "figure", None)
    if parent is None or not isinstance(root, Figure):
        raise DataError("the axes belong to no figure", "argument 'ax' of fit_figure",
                        "pass axes made with fig.add_subplot()")
    columns = input_columns(fit)
    if set(columns) == {"params", "tokens"}:
        _compute_plot(parent, ax, fit, data, level)
    elif len(columns) == 1:
        _one_input_plot(ax, fit, data, level)
    else:
        _parity_plot(ax, fit, data)
    ax.set_title(plain(fit.law.name))
    return root


def _groups(fit: FitResult | SharedFit, data: Dataset | None
            ) -> tuple[str | None, list[str], np.ndarray | None]:
    if data is not None:
        return group_rows(fit, data)
    if isinstance(fit, SharedFit):
        return fit.by, list(fit.groups), None
    return None, [""], None


def _curve_labels(fit: FitResult | SharedFit, labels: list[str]) -> list[str]:
    """One curve per group for a joint fit; one curve for a plain fit."""
    return labels if isinstance(fit, SharedFit) else [""]


def _scatter_groups(ax: Axes, x: np.ndarray, y: np.ndarray, labels: list[str],
                    rows: np.ndarray) -> None:
    for k, (label, colour) in enumerate(zip(labels, colours(len(labels)), strict=True)):
        mask = rows == k
        ax.scatter(x[mask], y[mask], s=12, color=colour, marker=marker(k), alpha=0.85,
                   edgecolors="none", label=plain(label))


def _compute_plot(fig: FigureBase, ax: Axes, fit: FitResult | SharedFit, data: Dataset | None,
                  level: float) -> None:
    """Target against compute, with the fitted law, the frontier and its band."""
    by, labels, rows = _groups(fit, data)
    factor = data.flops_factor if data is not None else 6.0
    ranges = _ranges(fit, data, labels, rows)
    if data is not None:
        _compute_runs(fig, ax, fit, data, (by, labels, rows), factor)
    if not isinstance(fit, SharedFit):
        _law_lines(ax, fit, data, ranges[0], factor, grey=by is not None)
    group_colours = colours(len(labels))
    for k, label in enumerate(_curve_labels(fit, labels)):
        colour = group_colours[k] if isinstance(fit, SharedFit) else None
        _frontier_and_band(ax, group_fit(fit, label), label, ranges[k], factor, level,
                           colour=colour, first=k == 0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_ticks(ax)
    ax.set_xlabel(COMPUTE_LABEL)
    ax.set_ylabel(plain(target(fit)))
    ax.legend(fontsize="x-small", ncols=1 if by is None else 2)


def _compute_runs(fig: FigureBase, ax: Axes, fit: FitResult | SharedFit, data: Dataset,
                  groups: tuple[str | None, list[str], np.ndarray | None],
                  factor: float) -> None:
    """The runs against compute: coloured by model size, or by group when there are groups."""
    by, labels, rows = groups
    c = data.flops if data.has("flops") else factor * data.params * data.tokens
    y = data.column(target(fit))
    if by is None:
        n = data.params
        sizes = np.unique(n)
        top = float(sizes.max()) * (1.0 + 1e-9 if sizes.size == 1 else 1.0)
        norm: Normalize = LogNorm(vmin=float(sizes.min()), vmax=top)
        points = ax.scatter(c, y, c=n, cmap=SEQUENTIAL, norm=norm, s=10, alpha=0.85,
                            edgecolors="none", label="runs")
        fig.colorbar(points, ax=ax, label="parameters N")
    else:
        assert rows is not None
        _scatter_groups(ax, c, y, labels, rows)


def _law_lines(ax: Axes, fit: FitResult, data: Dataset | None,
               ranges: tuple[float, float, float, float], factor: float, grey: bool) -> None:
    """The fitted law along a few representative model sizes (grey when runs are coloured
    by group, else coloured by size)."""
    n_lo, n_hi, d_lo, d_hi = ranges
    lines = np.geomspace(n_lo, n_hi, _N_LINES)
    if data is not None:
        lines = np.unique(np.quantile(np.unique(data.params), np.linspace(0, 1, _N_LINES),
                                      method="nearest"))
    cmap = LogNorm(vmin=n_lo, vmax=n_hi * (1 + 1e-9))
    budgets = np.geomspace(factor * n_lo * d_lo / 2.0, factor * n_hi * d_hi * 2.0, GRID)
    for size in lines:
        # each model size is drawn where its token count stays near the data's (x1/3 to x3)
        tokens = budgets / (factor * size)
        keep = (tokens >= d_lo / 3.0) & (tokens <= d_hi * 3.0)
        # the law itself, not fit.predict: drawing beyond the data is not a user's query
        loss = np.asarray(fit.law(fit.params, params=size, tokens=tokens[keep]), dtype=float)
        colour = GREY if grey else _viridis(cmap(size))
        ax.plot(budgets[keep], loss, color=colour, lw=0.9, label=f"law at N = {size:.3g}")


def _frontier_and_band(ax: Axes, one: FitResult, label: str,
                       ranges: tuple[float, float, float, float], factor: float, level: float,
                       *, colour: Any, first: bool) -> None:
    """One fit's compute-optimal frontier (dashed) and its interval band; ``colour`` is the
    group's for a joint fit (None: black, with a grey band)."""
    n_lo, n_hi, d_lo, d_hi = ranges
    c_grid = np.geomspace(factor * n_lo * d_lo / 2.0, factor * n_hi * d_hi * 2.0,
                          _FRONTIER_C)
    loss, best_n = _frontier(one, c_grid, factor)
    name = "compute-optimal frontier" + (f" ({plain(label)})" if label else "")
    ax.plot(c_grid, loss, color=INK if colour is None else colour, ls="--", lw=1.3,
            label=name)
    ok = np.isfinite(best_n)
    lo, hi = np.full(c_grid.shape, np.nan), np.full(c_grid.shape, np.nan)
    if ok.any():
        at: dict[str, Any] = {"params": best_n[ok],
                              "tokens": c_grid[ok] / (factor * best_n[ok])}
        lo[ok], hi[ok] = one.predict_interval(level, **at)
    band(ax, c_grid, lo, hi, GREY if colour is None else colour,
         interval_label(one, level) if first else None)


def _viridis(value: Any) -> Any:
    from matplotlib import colormaps

    return colormaps[SEQUENTIAL](value)


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


def _frontier(fit: FitResult, budgets: np.ndarray, factor: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """The smallest predicted target over model sizes N at each budget C = factor·N·D, and
    the N where it is reached (NaN where no size gives a finite prediction)."""
    center = np.sqrt(budgets / factor)[:, None]
    sizes = center * np.logspace(-4.0, 4.0, _FRONTIER_N)[None, :]
    with np.errstate(all="ignore"):
        loss = np.asarray(fit.law(fit.params, params=sizes,
                                  tokens=budgets[:, None] / (factor * sizes)), dtype=float)
    loss = np.where(np.isfinite(loss), loss, np.inf)
    j = loss.argmin(axis=1)
    best = loss[np.arange(len(budgets)), j]
    found = np.isfinite(best)
    return (np.where(found, best, np.nan),
            np.where(found, sizes[np.arange(len(budgets)), j], np.nan))


def _one_input_plot(ax: Axes, fit: FitResult | SharedFit, data: Dataset | None,
                    level: float) -> None:
    """Target against the law's single input, with the fitted curve(s) and band(s)."""
    column = input_columns(fit)[0]
    by, labels, rows = _groups(fit, data)
    group_colours = colours(len(labels))
    values: list[np.ndarray] = []
    if data is not None:
        x = data.column(column)
        y = data.column(target(fit))
        values.append(y)
        if by is None:
            ax.scatter(x, y, s=12, color=group_colours[0], alpha=0.85, edgecolors="none",
                       label="runs")
        else:
            assert rows is not None
            _scatter_groups(ax, x, y, labels, rows)
    log_x = True
    for k, label in enumerate(_curve_labels(fit, labels)):
        one = group_fit(fit, label)
        lo, hi = one.input_ranges.get(column, (np.nan, np.nan))
        if data is not None:
            x = data.column(column)
            if isinstance(fit, SharedFit) and rows is not None and (rows == k).any():
                x = x[rows == k]
            lo, hi = float(np.nanmin([lo, x.min()])), float(np.nanmax([hi, x.max()]))
        log_x = log_x and bool(np.isfinite(lo) and lo > 0)
        grid = np.geomspace(lo, hi, GRID) if lo > 0 else np.linspace(lo, hi, GRID)
        with np.errstate(all="ignore"):
            curve = np.asarray(one.law(one.params, **{column: grid}), dtype=float)
            query: dict[str, Any] = {column: grid}
            b_lo, b_hi = one.predict_interval(level, **query)
        shared = isinstance(fit, SharedFit)
        colour = group_colours[k] if shared else INK
        ax.plot(grid, curve, color=colour, lw=1.3,
                label="fitted law" + (f" ({plain(label)})" if shared else ""))
        if band(ax, grid, b_lo, b_hi, colour if shared else GREY,
                interval_label(one, level) if k == 0 else None):
            values += [np.asarray(b_lo, float), np.asarray(b_hi, float)]
        values.append(curve)
    set_scales(ax, log_x, np.concatenate(values))
    ax.set_xlabel(axis_label(column))
    ax.set_ylabel(plain(target(fit)))
    ax.legend(fontsize="x-small")


def _parity_plot(ax: Axes, fit: FitResult | SharedFit, data: Dataset | None) -> None:
    """Predicted against observed target, for laws with other inputs than N and D."""
    from .common import predictions

    if data is None:
        ax.text(0.5, 0.5, "pass data= to plot this law", ha="center", va="center",
                transform=ax.transAxes)
        return
    y = data.column(target(fit))
    predicted = predictions(fit, data)
    ax.scatter(y, predicted, s=12, color=colours(1)[0], alpha=0.85, edgecolors="none",
               label="runs")
    both = np.concatenate([y, predicted[np.isfinite(predicted)]])
    ax.plot([both.min(), both.max()], [both.min(), both.max()], color=INK, lw=0.8,
            label="predicted = observed")
    set_scales(ax, bool((y > 0).all()), np.concatenate([predicted, y]))
    ax.set_xlabel(f"observed {plain(target(fit))}")
    ax.set_ylabel(f"predicted {plain(target(fit))}")
    ax.legend(fontsize="x-small")
