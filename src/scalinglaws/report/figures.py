"""Matplotlib figures of a fit: the data, the fitted law and the compute-optimal frontier.

Figures are built with :class:`matplotlib.figure.Figure` directly (never ``pyplot``), so they
need no display and leave no global state; the caller saves or shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Colormap, LogNorm, Normalize
from matplotlib.figure import Figure, FigureBase
from matplotlib.ticker import FormatStrFormatter, MaxNLocator, NullFormatter

from ..data.dataset import Dataset
from ..exceptions import DataError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..fit.result import FitResult

_CMAP = "viridis"  # perceptually uniform and colour-blind safe
_N_LINES = 5  # representative model sizes drawn as fitted lines
_GRID = 200  # points along each fitted curve
_FRONTIER_C = 80  # budgets on the frontier
_FRONTIER_N = 801  # model sizes tried per budget: 8 decades at ~100 points per decade
COMPUTE_LABEL = "training compute C (FLOPs)"


def fit_figure(fit: FitResult, data: Dataset | None = None, *, ax: Axes | None = None) -> Figure:
    """Plot a fit on log-log axes and return the :class:`~matplotlib.figure.Figure`.

    For a law of ``params`` and ``tokens`` (e.g. Chinchilla): the runs' target against
    compute C (the ``flops`` column, else 6·N·D), coloured by model size; the fitted law along
    five representative model sizes; and the compute-optimal frontier (the smallest predicted
    target over N at each C, found on a log grid of N). For a one-input law: the target
    against that input and the fitted curve. Any other law: predicted against observed.

    Parameters
    ----------
    fit:
        The fit to draw.
    data:
        The runs to show as points; without it only the law is drawn, over
        ``fit.input_ranges``.
    ax:
        Axes to draw into; a new figure is made when omitted.

    Example
    -------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report import fit_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> fig = fit_figure(sl.fit("chinchilla", ds), ds)
    >>> fig.axes[0].get_xlabel()
    'training compute C (FLOPs)'
    >>> fig.savefig("fit.png")  # doctest: +SKIP
    """
    if data is not None and not isinstance(data, Dataset):
        raise DataError(f"data must be a Dataset, got {type(data).__name__}",
                        "argument 'data' of fit_figure",
                        "pass sl.Dataset.from_frame(frame) or leave data out")
    parent: FigureBase | None
    if ax is None:
        parent = Figure(figsize=(6.4, 4.8), layout="constrained")
        ax = parent.add_subplot()
    else:
        parent = ax.get_figure()
        if parent is None:
            raise DataError("the axes belong to no figure", "argument 'ax' of fit_figure",
                            "pass axes made with fig.add_subplot()")
    if set(fit.columns.values()) == {"params", "tokens"}:
        _compute_plot(parent, ax, fit, data)
    elif len(fit.columns) == 1:
        _one_input_plot(ax, fit, data)
    else:
        _parity_plot(ax, fit, data)
    ax.set_title(_plain(fit.law.name))
    root = parent if isinstance(parent, Figure) else parent.figure  # a SubFigure's root
    if not isinstance(root, Figure):
        raise DataError("the axes belong to no figure", "argument 'ax' of fit_figure",
                        "pass axes made with fig.add_subplot()")
    return root


def _compute_plot(fig: FigureBase, ax: Axes, fit: FitResult, data: Dataset | None) -> None:
    """Target against compute, by model size, with the fitted law and the frontier."""
    factor = 6.0
    if data is not None:
        factor = data.flops_factor
        n = data.params
        d = data.tokens
        c = data.flops if data.has("flops") else factor * n * d
        y = data.column(fit.target)
        sizes = np.unique(n)
        top = float(sizes.max()) * (1.0 + 1e-9 if sizes.size == 1 else 1.0)
        norm: Normalize = LogNorm(vmin=float(sizes.min()), vmax=top)
        points = ax.scatter(c, y, c=n, cmap=_CMAP, norm=norm, s=14, alpha=0.85,
                            edgecolors="none", label="runs")
        fig.colorbar(points, ax=ax, label="parameters N")
        lines = np.unique(np.quantile(sizes, np.linspace(0, 1, _N_LINES), method="nearest"))
        c_lo, c_hi = float(c.min()), float(c.max())
        d_lo, d_hi = float(d.min()), float(d.max())
    else:
        n_lo, n_hi = fit.input_ranges.get("params", (1e7, 1e11))
        d_lo, d_hi = fit.input_ranges.get("tokens", (1e9, 1e12))
        norm = LogNorm(vmin=n_lo, vmax=n_hi)
        lines = np.geomspace(n_lo, n_hi, _N_LINES)
        c_lo, c_hi = factor * n_lo * d_lo, factor * n_hi * d_hi
    budgets = np.geomspace(c_lo / 2.0, c_hi * 2.0, _GRID)
    cmap = _colormap()
    for size in lines:
        # each model size is drawn where its token count stays near the data's (x1/3 to x3)
        tokens = budgets / (factor * size)
        keep = (tokens >= d_lo / 3.0) & (tokens <= d_hi * 3.0)
        # the law itself, not fit.predict: drawing beyond the data is not a user's query
        loss = np.asarray(fit.law(fit.params, params=size, tokens=tokens[keep]), dtype=float)
        ax.plot(budgets[keep], loss, color=cmap(norm(size)), lw=1.3,
                label=f"law at N = {size:.3g}")
    frontier_c = np.geomspace(c_lo / 2.0, c_hi * 2.0, _FRONTIER_C)
    ax.plot(frontier_c, _frontier(fit, frontier_c, factor), color="black", ls="--", lw=1.6,
            label="compute-optimal frontier")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_ticks(ax)
    ax.set_xlabel(COMPUTE_LABEL)
    ax.set_ylabel(_plain(fit.target))
    ax.legend(fontsize="small", frameon=False)


def _frontier(fit: FitResult, budgets: np.ndarray, factor: float) -> np.ndarray:
    """The smallest predicted target over model sizes N at each budget C = factor·N·D."""
    center = np.sqrt(budgets / factor)[:, None]
    sizes = center * np.logspace(-4.0, 4.0, _FRONTIER_N)[None, :]
    with np.errstate(all="ignore"):
        loss = np.asarray(fit.law(fit.params, params=sizes,
                                  tokens=budgets[:, None] / (factor * sizes)), dtype=float)
    loss = np.where(np.isfinite(loss), loss, np.inf)
    best = loss.min(axis=1)
    return np.where(np.isfinite(best), best, np.nan)


def _one_input_plot(ax: Axes, fit: FitResult, data: Dataset | None) -> None:
    """Target against the law's single input, with the fitted curve."""
    column = next(iter(fit.columns.values()))
    lo, hi = fit.input_ranges.get(column, (np.nan, np.nan))
    if data is not None:
        x = data.column(column)
        y = data.column(fit.target)
        ax.scatter(x, y, s=14, color=_colormap()(0.35), alpha=0.85, edgecolors="none",
                   label="runs")
        lo, hi = float(np.nanmin([lo, x.min()])), float(np.nanmax([hi, x.max()]))
    log_x = bool(np.isfinite(lo) and lo > 0)
    grid = np.geomspace(lo, hi, _GRID) if log_x else np.linspace(lo, hi, _GRID)
    curve = np.asarray(fit.law(fit.params, **{column: grid}), dtype=float)
    ax.plot(grid, curve, color="black", lw=1.5, label="fitted law")
    _set_scales(ax, log_x, curve, data.column(fit.target) if data is not None else None)
    ax.set_xlabel(COMPUTE_LABEL if column == "flops" else _plain(column))
    ax.set_ylabel(_plain(fit.target))
    ax.legend(fontsize="small", frameon=False)


def _parity_plot(ax: Axes, fit: FitResult, data: Dataset | None) -> None:
    """Predicted against observed target, for laws with other inputs than N and D."""
    if data is None:
        ax.text(0.5, 0.5, "pass data= to plot this law", ha="center", va="center",
                transform=ax.transAxes)
        return
    y = data.column(fit.target)
    inputs = {column: data.column(column) for column in fit.columns.values()}
    predicted = np.asarray(fit.law(fit.params, **inputs), dtype=float)
    ax.scatter(y, predicted, s=14, color=_colormap()(0.35), alpha=0.85, edgecolors="none",
               label="runs")
    both = np.concatenate([y, predicted[np.isfinite(predicted)]])
    ax.plot([both.min(), both.max()], [both.min(), both.max()], color="black", lw=1.0,
            label="predicted = observed")
    _set_scales(ax, bool((y > 0).all()), predicted, y)
    ax.set_xlabel(f"observed {_plain(fit.target)}")
    ax.set_ylabel(f"predicted {_plain(fit.target)}")
    ax.legend(fontsize="small", frameon=False)


def _set_scales(ax: Axes, log_x: bool, curve: np.ndarray, y: np.ndarray | None) -> None:
    """Log axes where every value is positive; linear otherwise (log would hide points)."""
    values = curve[np.isfinite(curve)]
    if y is not None:
        values = np.concatenate([values, y])
    ax.set_xscale("log" if log_x else "linear")
    ax.set_yscale("log" if values.size and (values > 0).all() else "linear")
    _plain_ticks(ax)


def _plain_ticks(ax: Axes) -> None:
    """Label a log y axis spanning under ~1.5 decades with plain numbers (2.5, not 2.5e0)."""
    if ax.get_yscale() != "log":
        return
    lo, hi = ax.get_ylim()
    if lo > 0 and hi / lo < 30.0:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())


def _colormap() -> Colormap:
    return colormaps[_CMAP]


def _plain(text: str) -> str:
    """Text shown literally by matplotlib (a ``$`` would otherwise start mathtext)."""
    return str(text).replace("$", r"\$")

