"""The IsoFLOP figure: loss against model size per budget with each budget's fitted curve,
and the optimal sizes against compute with the fitted power law."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ...data.dataset import Dataset
from ...exceptions import OptionError
from ...plan.isoflops import Envelope, IsoFlop
from ..style import FULL_WIDTH, HEIGHT, INK, SEQUENTIAL, colours, marker
from .common import (
    COMPUTE_LABEL,
    GRID,
    Z_CURVE,
    Z_MARK,
    Z_POINTS,
    axis_label,
    check_dataset,
    point_style,
)
from .legends import legend
from .look import Look
from .text import math_number
from .ticks import label_colorbar, label_column_axis, label_log_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_LEGEND_MAX = 8  # more budgets than this: a colour bar instead of a legend
_STAR = 7.0  # the size of the marker of a budget's minimum, points (paper style)


def isoflop_figure(result: IsoFlop, data: Dataset | None = None, *, title: str | None = None,
                   width: float | None = None, dpi: float | None = None,
                   style: str = "paper", envelope: Envelope | None = None) -> Figure:
    """Two panels of an IsoFLOP analysis (:func:`scalinglaws.plan.isoflop`).

    Left: the loss against model size at each budget, with each budget's fitted parabola in
    ``ln N`` (drawn from its minimum and curvature; the Akima estimator's spline when the
    result used ``estimator="akima"`` and the runs are given) and its minimum marked.
    Right: ``N_opt`` of the budgets used against compute on log-log axes, with their
    bootstrap intervals when there are some, and the fitted power law ``N_opt = k_N·C^a``
    (its exponent and interval in the legend). With ``envelope``, the right panel also shows
    the loss envelope's points and power law (:func:`scalinglaws.plan.envelope`, Hoffmann et
    al.'s Approach 1) beside the IsoFLOP one (Approach 2).

    Parameters
    ----------
    result:
        The :class:`~scalinglaws.plan.isoflop.IsoFlop` result.
    data:
        The runs the analysis was made on, drawn as points (the result does not carry them);
        each run is matched to the nearest budget in log FLOPs.
    title, width, dpi, style:
        A title over both panels (default none; each panel has its own), the width in
        inches, the resolution, and ``"paper"`` or ``"slide"`` (see :mod:`.look`).
    envelope:
        An :class:`~scalinglaws.plan.isoflops.Envelope` of the same runs, drawn on the right.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import isoflop_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> iso = sl.plan.isoflop(ds, budgets="log", n_boot=0)  # doctest: +SKIP
    >>> fig = isoflop_figure(iso, ds)  # doctest: +SKIP
    """
    if not isinstance(result, IsoFlop):
        raise OptionError(f"expected an IsoFlop result, got {type(result).__name__}",
                          "argument 'result' of isoflop_figure",
                          "pass the result of sl.plan.isoflop(data)")
    ds = check_dataset(data, "argument 'data' of isoflop_figure")
    if envelope is not None and not isinstance(envelope, Envelope):
        raise OptionError(f"expected an Envelope, got {type(envelope).__name__}",
                          "argument 'envelope' of isoflop_figure",
                          "pass the result of sl.plan.envelope(data)")
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = _draw(result, ds, look, envelope)
        return look.finish(fig, title=title)


def _draw(result: IsoFlop, ds: Dataset | None, look: Look,
          envelope: Envelope | None = None) -> Figure:
    table = result.budgets
    fig = look.new_figure(FULL_WIDTH, HEIGHT)
    left, right = fig.subplots(1, 2)
    flops = table["flops"].to_numpy(dtype=float)
    many = len(table) > _LEGEND_MAX
    norm = LogNorm(vmin=float(flops.min()), vmax=float(flops.max()) * (1 + 1e-9))
    palette = ([colormaps[SEQUENTIAL](norm(f)) for f in flops] if many
               else colours(len(table)))
    member = _members(ds, flops) if ds is not None else None
    points = point_style(int((member >= 0).sum()) if member is not None else 0)
    shown: list[np.ndarray] = []
    for g in range(len(table)):
        row = table.iloc[g]
        label: str | None = None if many else f"$C = {math_number(flops[g], 2)}$"
        colour = palette[g]
        runs = None
        if ds is not None and member is not None:
            idx = member == g
            if idx.any():
                runs = ds.column(result.x)[idx], ds.column("loss")[idx]
                shown.append(runs[1])
                left.scatter(*runs, color=colour, marker="o" if many else marker(g),
                             label=label, **points)
                label = None  # the points carry the budget's label
        if row["status"] == "used":
            _curve(left, result, row, runs, colour, label)
    left.set_xscale("log")
    label_column_axis(left.xaxis, result.x)
    left.set_ylabel(axis_label("loss"))
    left.set_title("IsoFLOP profiles")
    if shown:
        values = np.concatenate(shown)
        pad = 0.05 * float(values.max() - values.min() or values.max())
        left.set_ylim(float(values.min()) - pad, float(values.max()) + pad)
    if many:
        label_colorbar(fig.colorbar(ScalarMappable(norm=norm, cmap=SEQUENTIAL), ax=left,
                                    label="budget $C$ (FLOPs)"))
    else:
        legend(left, title="budget")
    _power_law(right, result, envelope)
    return fig


def _members(ds: Dataset, flops: np.ndarray) -> np.ndarray:
    """Each run's budget: the nearest in log FLOPs (-1: none within half a decade)."""
    logc = np.log10(ds.flops if ds.has("flops") else ds.flops_factor * ds.params * ds.tokens)
    logb = np.log10(flops)
    tol = 0.5  # decades: a run farther from every budget belongs to none
    dist = np.abs(logc[:, None] - logb[None, :])
    nearest = dist.argmin(axis=1)
    return np.where(dist[np.arange(len(logc)), nearest] <= tol, nearest, -1)


def _curve(ax: Axes, result: IsoFlop, row: object,
           runs: tuple[np.ndarray, np.ndarray] | None, colour: object, label: str | None
           ) -> None:
    """One budget's fitted curve and its minimum."""
    n_opt = float(row["n_opt"])  # type: ignore[index]
    loss_opt = float(row["loss_opt"])  # type: ignore[index]
    curvature = float(row["curvature"])  # type: ignore[index]
    if not (np.isfinite(n_opt) and np.isfinite(loss_opt)):
        return
    if runs is not None and np.unique(runs[0]).size >= 2:
        lo, hi = float(runs[0].min()), float(runs[0].max())
    else:
        lo, hi = n_opt / 10.0, n_opt * 10.0
    grid = np.geomspace(min(lo, n_opt), max(hi, n_opt), GRID)
    if result.estimator == "akima":
        if runs is None or np.unique(runs[0]).size < 2:
            ax.plot([n_opt], [loss_opt], marker="*", ms=_star(), color=colour, ls="none",
                    label=label, zorder=Z_MARK)
            return
        curve = _akima(*runs, grid)
    elif np.isfinite(curvature):
        curve = loss_opt + 0.5 * curvature * np.log(grid / n_opt) ** 2
    else:
        return
    ax.plot(grid, curve, color=colour, lw=0.85 * float(mpl.rcParams["lines.linewidth"]),
            label=label, zorder=Z_CURVE)
    ax.plot([n_opt], [loss_opt], marker="*", ms=_star(), color=colour, ls="none",
            markeredgecolor=INK, markeredgewidth=0.4, zorder=Z_MARK)


def _star() -> float:
    """The size of the marker of a budget's minimum in the current style."""
    return _STAR * float(mpl.rcParams["lines.markersize"]) / 4.0


def _akima(sizes: np.ndarray, loss: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The Akima spline of ln loss in ln size through the budget's runs (as the analysis
    fits it: through the mean ln loss at each size)."""
    from scipy.interpolate import Akima1DInterpolator

    u, inverse = np.unique(np.log(sizes), return_inverse=True)
    mean = np.bincount(inverse, weights=np.log(loss)) / np.bincount(inverse)
    spline = Akima1DInterpolator(u, mean)
    inside = (np.log(grid) >= u[0]) & (np.log(grid) <= u[-1])
    return np.where(inside, np.exp(spline(np.clip(np.log(grid), u[0], u[-1]))), np.nan)


def _power_law(ax: Axes, result: IsoFlop, envelope: Envelope | None = None) -> None:
    used = result.used
    c = used["flops"].to_numpy(dtype=float)
    n = used["n_opt"].to_numpy(dtype=float)
    lo = used["n_opt_lo"].to_numpy(dtype=float)
    hi = used["n_opt_hi"].to_numpy(dtype=float)
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    if has_ci.any():
        ax.errorbar(c[has_ci], n[has_ci],
                    yerr=[n[has_ci] - lo[has_ci], hi[has_ci] - n[has_ci]], fmt="none",
                    ecolor=colours(1)[0], elinewidth=0.9, capsize=2.0, zorder=Z_POINTS - 0.1,
                    label=f"{result.level:.0%} interval")
    ax.scatter(c, n, color=colours(1)[0], label=r"$N_\mathrm{opt}$ per budget",
               **{**point_style(len(c)), "alpha": 0.9})
    grid = np.geomspace(c.min() / 2.0, c.max() * 2.0, GRID)
    n_line, _ = result.predict(grid)
    lo_a, hi_a = result.a_interval
    ci = f" [{lo_a:.3f}, {hi_a:.3f}]" if np.isfinite(lo_a) else ""
    ax.plot(grid, n_line, color=INK, zorder=Z_CURVE,
            label=rf"$N_\mathrm{{opt}} \propto C^{{a}}$, $a$ = {result.a:.3f}{ci}")
    if envelope is not None:
        _envelope(ax, envelope)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(COMPUTE_LABEL)
    ax.set_ylabel(r"compute-optimal size $N_\mathrm{opt}$")
    ax.set_title("optimal size against compute")
    label_log_axis(ax.yaxis, sizes=True)
    legend(ax)


def _envelope(ax: Axes, envelope: Envelope) -> None:
    """The loss envelope's points (the lowest-loss run at each budget) and its power law."""
    c = envelope.frame["flops"].to_numpy(dtype=float)
    colour = colours(2)[1]
    ax.scatter(c, envelope.frame["params"].to_numpy(dtype=float), marker="s",
               facecolors="none", edgecolors=colour, zorder=Z_POINTS,
               s=2.0 * float(mpl.rcParams["lines.markersize"]) ** 2,
               label="envelope: lowest-loss run")
    grid = np.geomspace(c.min() / 2.0, c.max() * 2.0, GRID)
    ax.plot(grid, envelope.predict(grid)[0], color=colour, ls="--", zorder=Z_CURVE,
            label=f"envelope, $a$ = {envelope.a:.3f}")
