"""The fine-tuning selection figure: each candidate's losses on the subsets it was fine-tuned
on, its fitted rectified law up to the full size, and its forecast there with the interval
that decided whether it was stopped."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...exceptions import OptionError
from ...finetune.result import Selection
from ..style import GREY, OKABE_ITO
from .look import Look
from .ticks import label_log_axes


def selection_figure(selection: Selection, *, title: str | None = None,
                     width: float | None = None, dpi: float | None = None,
                     style: str = "paper") -> Figure:
    """Loss against fine-tuning examples for every candidate of a
    :func:`~scalinglaws.finetune.select`: the measured subsets (points), the fitted law up to
    the full size (a solid line for the candidates still in the running, dotted for those
    stopped), and the forecast at the full size with its interval (an error bar; the chosen
    candidate's drawn thicker). Both axes are logarithmic.

    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import selection_figure
    >>> law = sl.laws.get("rectified")
    >>> curves = {k: (lambda d, p=p: float(law(dict(zip(law.parameter_names, p)),
    ...                                        examples=d)))
    ...           for k, p in {"a": (60.0, 15.0, 0.55, 0.9), "b": (40.0, 40.0, 0.6, 0.8)}.items()}
    >>> fig = selection_figure(sl.finetune.select(curves, full_size=409_600))
    >>> fig.axes[0].get_xlabel()
    'fine-tuning examples'
    """
    if not isinstance(selection, Selection):
        raise OptionError(f"expected a Selection, got {type(selection).__name__}",
                          "argument 'selection' of selection_figure",
                          "pass the result of sl.finetune.select(...)")
    look = Look.of(style, width, dpi)
    table = selection.table.set_index("candidate")
    with look.applied():
        fig = look.new_figure()
        ax = fig.add_subplot()
        for i, name in enumerate(table.index):
            row = table.loc[name]
            colour = OKABE_ITO[i % len(OKABE_ITO)] if row["status"] != "stopped" else GREY
            points = np.array(selection.points[str(name)])
            ax.scatter(points[:, 0], points[:, 1], color=colour, s=12, zorder=3,
                       label=f"{name} ({row['status']})")
            fit = selection.fits[str(name)]
            grid = np.geomspace(points[0, 0], selection.full_size, 100)
            ax.plot(grid, np.asarray(fit.law(fit.params, examples=grid)), color=colour,
                    linestyle=":" if row["status"] == "stopped" else "-", linewidth=1.0)
            ax.errorbar([selection.full_size], [row["loss"]],
                        yerr=[[row["loss"] - row["low"]], [row["high"] - row["loss"]]],
                        color=colour, capsize=3, marker="o", markersize=4,
                        linewidth=2.0 if name == selection.best else 1.0, zorder=4)
        ax.set_xscale("log")
        ax.set_yscale("log")
        label_log_axes(ax)
        ax.set_xlabel("fine-tuning examples")
        ax.set_ylabel("loss")
        ax.set_title(f"Fine-tune {selection.best}: compute {selection.fraction:.0%} of "
                     "fine-tuning all fully")
        ax.legend(loc="upper right")
        return look.finish(fig, title=title)
