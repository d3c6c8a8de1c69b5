"""The loss landscape of one (params, tokens) cell of a learning-rate × batch-size sweep: each
run at its (lr, batch size), coloured by how far its loss lies above the cell's best, with the
cell's optimum (stage 1 of a Step Law fit) and the law's recommendation marked."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...common.numbers import size
from ...exceptions import OptionError
from ...fitting import HyperparameterFit
from ..style import INK, OKABE_ITO, SEQUENTIAL
from .legends import legend
from .look import Look

#: runs more than this far above the cell's best loss are drawn grey (diverged, or far off)
CLIP = 0.02


def landscape_figure(hp_fit: HyperparameterFit, *, params: float, tokens: float,
                     title: str | None = None, width: float | None = None,
                     dpi: float | None = None, style: str = "paper") -> Figure:
    """Loss over (learning rate, batch size) for the cell of ``hp_fit`` at ``params`` and
    ``tokens``: the runs coloured by their loss above the cell's best (in %, up to +2%; runs
    further above are grey), the best run (square), the cell's fitted optimum (star) and
    what the fitted law recommends there (cross).

    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import landscape_figure
    >>> fit = sl.fit("step_law", sl.datasets.load("steplaw"), y="smooth loss",
    ...              columns={"batch_size": "bs"}, seq_len=2048, n_boot=0)  # doctest: +SKIP
    >>> landscape_figure(fit, params=4.29e8, tokens=4e10)  # doctest: +SKIP
    """
    if not isinstance(hp_fit, HyperparameterFit):
        raise OptionError(f"expected a HyperparameterFit, got {type(hp_fit).__name__}",
                          "argument 'hp_fit' of landscape_figure",
                          "pass sl.fit('step_law', sweep)")
    if hp_fit.runs is None:
        raise OptionError("this fit carries no runs to draw", "argument 'hp_fit'",
                          "refit it (fits saved by this version keep their runs)")
    k = _cell(hp_fit, params, tokens)
    cell = hp_fit.cells.iloc[k]
    runs = hp_fit.runs
    here = np.isclose(runs["params"], cell["params"], rtol=1e-9) & np.isclose(
        runs["tokens"], cell["tokens"], rtol=1e-9)
    lr, bs = runs["lr"].to_numpy()[here], runs["batch_size"].to_numpy()[here]
    excess = 100 * (runs["loss"].to_numpy()[here] / float(cell["loss_min"]) - 1)
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = look.new_figure()
        ax = fig.add_subplot()
        norm = Normalize(vmin=0.0, vmax=100 * CLIP)
        far = excess > 100 * CLIP
        ax.scatter(lr[far], bs[far], color="#c8c8c8", marker="o", s=10, linewidths=0,
                   zorder=2)
        order = np.argsort(-excess[~far])  # the best runs drawn last, on top
        ax.scatter(lr[~far][order], bs[~far][order], c=excess[~far][order], cmap=SEQUENTIAL,
                   norm=norm, marker="o", s=22, linewidths=0, zorder=3)
        fig.colorbar(ScalarMappable(norm=norm, cmap=SEQUENTIAL), ax=ax,
                     label="loss above the best run (%)")
        handles: list[Any] = [Line2D([], [], color="#c8c8c8", marker="o", linestyle="",
                                     label=f"> +{CLIP:.0%}")]
        ax.scatter([cell["lr_argmin"]], [cell["batch_size_argmin"]], marker="s", s=60,
                   facecolors="none", edgecolors=INK, linewidths=1.0, zorder=4)
        handles.append(Line2D([], [], color=INK, marker="s", markerfacecolor="none",
                              linestyle="", label="best run"))
        if np.isfinite(cell["lr_opt"]) and np.isfinite(cell["batch_size_opt"]):
            ax.scatter([cell["lr_opt"]], [cell["batch_size_opt"]], marker="*", s=110,
                       color=OKABE_ITO[1], edgecolors=INK, linewidths=0.5, zorder=5)
            handles.append(Line2D([], [], color=OKABE_ITO[1], marker="*", linestyle="",
                                  markersize=9, label=f"optimum ({cell['method']})"))
        law = hp_fit.predict(params=float(cell["params"]), tokens=float(cell["tokens"]),
                             extrapolation_factor=None)
        ax.scatter([law["lr"]], [law["batch_size"]], marker="X", s=55, color=OKABE_ITO[0],
                   edgecolors=INK, linewidths=0.5, zorder=6)
        handles.append(Line2D([], [], color=OKABE_ITO[0], marker="X", linestyle="",
                              label="Step Law fit"))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate")
        unit = "tokens" if hp_fit.seq_len is not None else "as in the sweep"
        ax.set_ylabel(f"batch size ({unit})")
        ax.set_title(f"N = {size(float(cell['params']))}, D = {size(float(cell['tokens']))} "
                     "tokens")
        legend(ax, handles, [h.get_label() for h in handles])
        return look.finish(fig, title=title)


def _cell(hp_fit: HyperparameterFit, params: float, tokens: float) -> int:
    """The row of ``hp_fit.cells`` at (params, tokens), matched to 0.1%."""
    cells = hp_fit.cells
    try:
        n, d = float(params), float(tokens)
    except (TypeError, ValueError):
        n = d = float("nan")
    hit = np.flatnonzero(np.isclose(cells["params"], n, rtol=1e-3)
                         & np.isclose(cells["tokens"], d, rtol=1e-3))
    if hit.size != 1:
        listing = ", ".join(f"({size(float(a))}, {size(float(b))})"
                            for a, b in zip(cells["params"], cells["tokens"], strict=True))
        raise OptionError(f"no cell of the sweep at params={params!r}, tokens={tokens!r}",
                          "arguments 'params' and 'tokens' of landscape_figure",
                          f"pick one of the (params, tokens) cells: {listing}")
    return int(hit[0])
