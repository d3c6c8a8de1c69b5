"""The corner figure: a bootstrap's parameter distributions and their pairwise scatter."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...common.checks import check_level
from ...exceptions import DataError, OptionError
from ...fitting import FitResult
from ...uncertainty.bootstrap import Bootstrap
from ..style import FULL_WIDTH, INK, OKABE_ITO
from .common import Z_CURVE, Z_MARK, plain, point_style
from .legends import legend_below
from .look import Look
from .text import display_name, symbol

#: the fewest and the most bins of a histogram
MIN_BINS, MAX_BINS = 5, 50


def corner_figure(boot_or_fit: Bootstrap | FitResult, params: Sequence[str] | None = None, *,
                  level: float = 0.9, title: str | None = None, width: float | None = None,
                  dpi: float | None = None, style: str = "paper") -> Figure:
    """Histograms of each parameter over the bootstrap resamples (diagonal) and the
    resamples' pairwise scatter (lower triangle), the point estimate marked in vermillion
    and the ``level`` percentile interval of each parameter as dashed lines on its
    histogram. Parameters are labelled with their symbols (``$\\alpha$``) and drawn on their
    natural scale: log-scale parameters (``Parameter.log``: amplitudes, scales) on log axes.

    The number of bins follows the Freedman–Diaconis rule on the axis's scale (log10 of the
    values on a log axis): ``range / (2·IQR·n^(-1/3))``, the square-root rule where the
    interquartile range is 0, clipped to 5..50 (about 10 bins for 200 resamples).

    Parameters
    ----------
    boot_or_fit:
        A :class:`~scalinglaws.Bootstrap`, or a fit carrying one
        (``fit.with_bootstrap(fit.bootstrap(200))``, or a fit saved with ``--bootstrap``).
    params:
        The parameters to show (default: all), in this order.
    level:
        Level of the percentile intervals drawn on the histograms.
    title, width, dpi, style:
        The title (default: the law's name and the resamples), the width in inches, the
        resolution, and ``"paper"`` or ``"slide"`` (see :mod:`.look`).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import corner_figure
    >>> fit = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> fig = corner_figure(fit.bootstrap(50, seed=0), ["alpha", "beta"])
    >>> len(fig.axes)  # two histograms and one scatter
    3
    """
    boot = _bootstrap(boot_or_fit)
    names = list(boot.names) if params is None else _checked(params, boot)
    level = check_level(level)
    good = boot.samples[boot.ok]
    if len(good) < 2:
        raise DataError(f"the bootstrap has {len(good)} successful resample(s): nothing to "
                        "plot", "argument 'boot_or_fit' of corner_figure",
                        "rerun the bootstrap with more resamples (e.g. 200)")
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = _draw(boot, names, good, level, look)
        return look.finish(fig, title=title)


def bins(values: np.ndarray, log: bool) -> np.ndarray:
    """Histogram edges of ``values`` by the Freedman–Diaconis rule (see corner_figure).

    >>> len(bins(np.random.default_rng(0).normal(size=200), log=False)) - 1
    10
    """
    v = np.log10(values) if log else np.asarray(values, dtype=float)
    lo, hi = float(v.min()), float(v.max())
    q1, q3 = np.percentile(v, [25, 75])
    n = len(v)
    if hi <= lo:  # every resample the same: one bin around it
        pad = 0.01 if log else max(abs(lo) * 0.01, 1e-12)
        edges = np.array([lo - pad, lo + pad])
    else:
        count = (math.ceil((hi - lo) / (2.0 * (q3 - q1) * n ** (-1.0 / 3.0))) if q3 > q1
                 else math.ceil(math.sqrt(n)))
        edges = np.linspace(lo, hi, min(max(count, MIN_BINS), MAX_BINS) + 1)
    return np.asarray(10.0 ** edges if log else edges)


def _draw(boot: Bootstrap, names: list[str], good: np.ndarray, level: float,
          look: Look) -> Figure:
    cols = [boot.names.index(n) for n in names]
    law_params = {p.name: p for p in boot.law.parameters}
    # log axes for log-scale parameters (all of whose resamples are positive)
    log = [bool(law_params[n].log and (good[:, j] > 0).all())
           for n, j in zip(names, cols, strict=True)]
    k = len(names)
    side = min(FULL_WIDTH, 1.25 * k + 0.5)
    fig = look.new_figure(side, side)
    grid = fig.add_gridspec(k, k)
    estimate = boot.estimate
    points = {**point_style(len(good)), "color": OKABE_ITO[0]}
    diagonal: list[Any] = []
    for i in range(k):
        row_axes: Any = None
        for j in range(i + 1):
            if i == j:
                ax = fig.add_subplot(grid[i, j])
                diagonal.append(ax)
                _marginal(ax, boot, names[j], good[:, cols[j]], log[j], level)
            else:
                ax = fig.add_subplot(grid[i, j], sharex=diagonal[j], sharey=row_axes)
                row_axes = row_axes or ax
                ax.scatter(good[:, cols[j]], good[:, cols[i]], **points)
                ax.plot([estimate[cols[j]]], [estimate[cols[i]]], marker="+",
                        ms=1.8 * float(mpl.rcParams["lines.markersize"]), mew=1.2,
                        color=OKABE_ITO[1], ls="none", zorder=Z_MARK)
                ax.set_yscale("log" if log[i] else "linear")
                if j == 0:
                    ax.set_ylabel(symbol(names[i]))
                else:
                    ax.tick_params(which="both", labelleft=False)
            ax.set_xscale("log" if log[j] else "linear")
            if i == k - 1:
                ax.set_xlabel(symbol(names[j]))
                ax.tick_params(axis="x", labelrotation=45)
            else:
                ax.tick_params(which="both", labelbottom=False)
            ax.tick_params(labelsize=0.85 * float(mpl.rcParams["xtick.labelsize"]))
    legend_below(fig, *_key(len(good), level))
    unit = f"clusters of '{plain(boot.by)}'" if boot.by else "points"
    fig.suptitle(f"{display_name(boot.law)}: bootstrap over {unit}", fontsize="medium")
    return fig


def _key(n: int, level: float) -> tuple[list[Any], list[str]]:
    """Legend entries for the resamples, the estimate and the interval."""
    handles = [Line2D([], [], ls="none", marker="o", ms=3.0, color=OKABE_ITO[0]),
               Line2D([], [], color=OKABE_ITO[1], lw=1.0),
               Line2D([], [], color=INK, lw=0.8, ls="--")]
    return handles, [f"{n} resamples", "estimate", f"{level:.0%} percentile interval"]


def _marginal(ax: Any, boot: Bootstrap, name: str, values: np.ndarray, log: bool,
              level: float) -> None:
    """One parameter's histogram, its estimate (solid) and percentile interval (dashed)."""
    ax.hist(values, bins=bins(values, log), color=OKABE_ITO[0], alpha=0.75, linewidth=0)
    ax.axvline(boot.estimate[boot.names.index(name)], color=OKABE_ITO[1], lw=1.0,
               zorder=Z_MARK)
    for end in boot.interval(name, level):
        if np.isfinite(end):
            ax.axvline(end, color=INK, lw=0.8, ls="--", zorder=Z_CURVE)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


def _bootstrap(value: Any) -> Bootstrap:
    if isinstance(value, Bootstrap):
        return value
    if isinstance(value, FitResult):
        if value.uncertainty is None:
            raise OptionError("the fit carries no bootstrap",
                              "argument 'boot_or_fit' of corner_figure",
                              "bootstrap the fit: scalinglaws fit DATA --law LAW --bootstrap 200 "
                              "--out fit.json (Python: fit.bootstrap(200))")
        return value.uncertainty  # type: ignore[no-any-return]
    raise OptionError(f"expected a Bootstrap or a fit carrying one, got {type(value).__name__}",
                      "argument 'boot_or_fit' of corner_figure",
                      "pass fit.bootstrap(200)")


def _checked(params: Sequence[str], boot: Bootstrap) -> list[str]:
    names = [params] if isinstance(params, str) else list(params)
    unknown = [p for p in names if p not in boot.names]
    if unknown or not names or len(set(names)) != len(names):
        raise OptionError(f"params must name distinct parameters of law '{boot.law.name}', "
                          f"got {names!r}", "argument 'params' of corner_figure",
                          f"choose among {', '.join(boot.names)}")
    return names
