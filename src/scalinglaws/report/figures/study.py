"""The heat map of an estimation-design study: the forecast error of the target's final loss
over two axes of the study (by default the largest model used against the fraction of
training seen), each cell annotated with its error."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ...common.numbers import size
from ...exceptions import OptionError
from ...study import EstimationDesign
from ..style import SEQUENTIAL
from .look import Look

_LABELS = {"max_size": "largest model used", "fraction": "fraction of training seen",
           "n_models": "model sizes used", "seed": "seed"}


def estimation_design_figure(study: EstimationDesign, *, x: str = "fraction",
                             y: str = "max_size", borrowed: bool = False,
                             title: str | None = None, width: float | None = None,
                             dpi: float | None = None, style: str = "paper") -> Figure:
    """Mean absolute relative error of the forecast of the study's target runs, ``y`` (rows)
    by ``x`` (columns), averaged over the other axes and the seeds; a log colour scale, the
    error written in each cell (``borrowed=True``: the fits with borrowed parameters).

    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import estimation_design_figure
    >>> study = sl.study.estimation_design(curves, "chinchilla")  # doctest: +SKIP
    >>> estimation_design_figure(study)  # doctest: +SKIP
    """
    if not isinstance(study, EstimationDesign):
        raise OptionError(f"expected an EstimationDesign, got {type(study).__name__}",
                          "argument 'study' of estimation_design_figure",
                          "pass sl.study.estimation_design(...)")
    table = study.pivot(x=x, y=y, borrowed=borrowed)
    if table.empty:
        raise OptionError("the study has no fit with a forecast to draw", "argument 'study'",
                          "look at study.frame['status'] for why the fits failed")
    values = 100 * table.to_numpy(dtype=float)
    finite = values[np.isfinite(values) & (values > 0)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.1, 1.0)
    vmin, vmax = lo, max(hi, lo * 1.01)
    norm = LogNorm(vmin=vmin, vmax=vmax)
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = look.new_figure()
        ax = fig.add_subplot()
        shown = np.ma.masked_invalid(np.where(values > 0, values, np.nan))
        mesh = ax.imshow(shown, cmap=SEQUENTIAL, norm=norm, aspect="auto", origin="lower")
        fig.colorbar(mesh, ax=ax, label="|relative error| of the forecast (%)")
        middle = float(np.sqrt(vmin * vmax))
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize="x-small",
                        color="white" if v < middle else "black")
        ax.set_xticks(range(table.shape[1]), [_tick(x, c) for c in table.columns])
        ax.set_yticks(range(table.shape[0]), [_tick(y, r) for r in table.index])
        ax.set_xlabel(_LABELS[x])
        ax.set_ylabel(_LABELS[y] + (f" ({study.size})" if y == "max_size" else ""))
        default = f"forecast of {study.target}" + (" (borrowed)" if borrowed else "")
        return look.finish(fig, title=default if title is None else title)


def _tick(axis: str, value: Any) -> str:
    if axis == "fraction":
        return f"{value:.0%}"
    if axis == "max_size":
        return size(float(value))
    return f"{value:g}"
