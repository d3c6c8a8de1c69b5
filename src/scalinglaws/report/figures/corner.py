"""The corner figure: a bootstrap's parameter distributions and their pairwise scatter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ...exceptions import DataError, OptionError
from ...fitting import FitResult
from ...uncertainty.bootstrap import Bootstrap
from ..style import FULL_WIDTH, OKABE_ITO, new_figure, styled
from .common import plain

_BINS = 30
_LOG_SPAN = 10.0


@styled
def corner_figure(boot_or_fit: Bootstrap | FitResult,
                  params: Sequence[str] | None = None) -> Figure:
    """Histograms of each parameter over the bootstrap resamples (diagonal) and the
    resamples' pairwise scatter (lower triangle), the point estimate marked in vermillion.
    Log-scale parameters (amplitudes) are drawn on log axes.

    Parameters
    ----------
    boot_or_fit:
        A :class:`~scalinglaws.Bootstrap`, or a fit carrying one
        (``fit.with_bootstrap(fit.bootstrap(200))``, or a fit saved with ``--bootstrap``).
    params:
        The parameters to show (default: all), in this order.

    Example
    -------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import corner_figure
    >>> fit = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> fig = corner_figure(fit.bootstrap(50, seed=0), ["alpha", "beta"])
    >>> len(fig.axes)  # two histograms and one scatter
    3
    """
    boot = _bootstrap(boot_or_fit)
    names = list(boot.names) if params is None else _checked(params, boot)
    good = boot.samples[boot.ok]
    if len(good) < 2:
        raise DataError(f"the bootstrap has {len(good)} successful resample(s): nothing to "
                        "plot", "argument 'boot_or_fit' of corner_figure",
                        "rerun the bootstrap with more resamples (e.g. 200)")
    cols = [boot.names.index(n) for n in names]
    law_params = {p.name: p for p in boot.law.parameters}
    # log axes for log-scale parameters that spread over more than a factor _LOG_SPAN
    log = [bool(law_params[n].log and (good[:, j] > 0).all()
                and good[:, j].max() > _LOG_SPAN * good[:, j].min())
           for n, j in zip(names, cols, strict=True)]
    k = len(names)
    side = min(FULL_WIDTH, 1.25 * k + 0.5)
    fig = new_figure(side, side)
    grid = fig.add_gridspec(k, k)
    estimate = boot.estimate
    diagonal: list[Any] = []
    for i in range(k):
        row_axes: Any = None
        for j in range(i + 1):
            if i == j:
                ax = fig.add_subplot(grid[i, j], sharex=diagonal[j] if j < len(diagonal)
                                     else None)
                diagonal.append(ax)
            else:
                ax = fig.add_subplot(grid[i, j], sharex=diagonal[j], sharey=row_axes)
                row_axes = row_axes or ax
            xs = good[:, cols[j]]
            if i == j:
                bins: Any = (np.geomspace(xs.min(), xs.max(), _BINS + 1) if log[j]
                             and xs.max() > xs.min() else _BINS)
                ax.hist(xs, bins=bins, color=OKABE_ITO[0], alpha=0.75, linewidth=0)
                ax.axvline(estimate[cols[j]], color=OKABE_ITO[1], lw=1.0)
                ax.set_yticks([])
                ax.spines["left"].set_visible(False)
            else:
                ys = good[:, cols[i]]
                ax.scatter(xs, ys, s=3, color=OKABE_ITO[0], alpha=0.4, edgecolors="none",
                           rasterized=len(xs) > 2000)
                ax.plot([estimate[cols[j]]], [estimate[cols[i]]], marker="+", ms=7,
                        mew=1.2, color=OKABE_ITO[1], ls="none")
                ax.set_yscale("log" if log[i] else "linear")
                if j == 0:
                    ax.set_ylabel(plain(names[i]))
                else:
                    ax.tick_params(which="both", labelleft=False)
            ax.set_xscale("log" if log[j] else "linear")
            if i == k - 1:
                ax.set_xlabel(plain(names[j]))
            else:
                ax.tick_params(which="both", labelbottom=False)
            ax.tick_params(labelsize=6)
    unit = f"clusters of '{boot.by}'" if boot.by else "points"
    fig.suptitle(f"{plain(boot.law.name)}: {len(good)} bootstrap resamples of {unit}",
                 fontsize="small")
    return fig


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
