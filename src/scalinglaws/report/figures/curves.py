"""The curves figure: one line per run (loss against step or tokens), with a fit's
predictions overlaid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ...data.dataset import Dataset
from ...exceptions import OptionError
from ...fitting import FitResult, SharedFit
from ..style import INK, OKABE_ITO, SEQUENTIAL
from .common import (
    Z_CURVE,
    check_dataset,
    check_fit,
    input_columns,
    plain,
    positive,
    predictions,
    set_scales,
)
from .legends import legend
from .look import Look
from .text import display_name
from .ticks import label_column_axis

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def curves_figure(data: Dataset, fit: FitResult | SharedFit | None = None, *, x: str = "step",
                  y: str = "loss", by: str = "run", title: str | None = None,
                  width: float | None = None, dpi: float | None = None,
                  style: str = "paper") -> Figure:
    """Training curves: ``y`` against ``x``, one line per value of ``by``, and, when ``fit``
    is given (its law must read ``x``), the law's predictions at the same rows as dashed
    lines of the same colour.

    Up to eight runs get Okabe–Ito colours; more are coloured along viridis by model size
    (``params``, when the data have it) or in order. Axes are logarithmic where the values
    are positive. The legend names the runs and shows the fitted law as a black dashed line
    (each run's own prediction takes the run's colour).

    ``title`` (default: the law's name and citation when a fit is given; ``""`` for none),
    ``width`` (inches), ``dpi`` and ``style`` (``"paper"`` or ``"slide"``) are the options of
    every figure (see :mod:`.look`).

    Examples
    --------
    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> from scalinglaws.report.figures import curves_figure
    >>> step = np.tile(np.arange(1, 101), 2)
    >>> frame = pd.DataFrame({"run": np.repeat(["a", "b"], 100), "step": step,
    ...                       "loss": 2 + np.repeat([5, 3], 100) * step ** -0.3})
    >>> len(curves_figure(sl.Dataset.from_frame(frame)).axes[0].get_lines())
    2
    """
    ds = check_dataset(data, "argument 'data' of curves_figure", required=True)
    assert ds is not None
    for option, column in (("x", x), ("y", y), ("by", by)):
        if not ds.has(column):
            raise OptionError(f"the data have no column '{column}'",
                              f"argument '{option}' of curves_figure",
                              f"use one of {', '.join(ds.columns)}")
    if fit is not None:
        check_fit(fit, "argument 'fit' of curves_figure")
        missing = [c for c in input_columns(fit) if not ds.has(c)]
        if x not in input_columns(fit) and missing:
            raise OptionError(f"the law '{fit.law.name}' does not read '{x}' and the data "
                              f"lack its input(s) {', '.join(missing)}, so its predictions "
                              "have no place on this x axis",
                              "argument 'fit' of curves_figure",
                              "add those columns to the data, plot against one of its "
                              f"inputs (x={input_columns(fit)[0]!r}) or leave fit out")
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = look.new_figure()
        ax = fig.add_subplot()
        _draw(ax, ds, fit, (x, y, by))
        if fit is not None:
            ax.set_title(display_name(fit.law))
        return look.finish(fig, title=title)


def _draw(ax: Axes, ds: Dataset, fit: FitResult | SharedFit | None,
          columns: tuple[str, str, str]) -> None:
    """One line per run, its prediction dashed in the same colour."""
    x, y, by = columns
    xs = ds.column(x)
    ys = ds.column(y)
    runs = np.array([str(v) for v in ds.labels(by)], dtype=object)
    labels = list(dict.fromkeys(runs))
    palette = _colours(ds, runs, labels)
    fitted = predictions(fit, ds) if fit is not None else None
    many = len(labels) > len(OKABE_ITO)
    values = [ys]
    handles: list[Any] = []
    lw = float(mpl.rcParams["lines.linewidth"])
    for k, label in enumerate(labels):
        rows = np.flatnonzero(runs == label)
        rows = rows[np.argsort(xs[rows], kind="stable")]
        handles += ax.plot(xs[rows], ys[rows], color=palette[k], lw=0.85 * lw, zorder=Z_CURVE,
                           label=None if many else plain(label))
        if fitted is not None:
            ax.plot(xs[rows], fitted[rows], color=palette[k], lw=0.85 * lw, ls="--",
                    zorder=Z_CURVE + 0.1, label="fitted law" if k == 0 else None)
            values.append(fitted[rows])
    set_scales(ax, positive(xs), np.concatenate(values))
    label_column_axis(ax.xaxis, x)
    label_column_axis(ax.yaxis, y)
    entries = [] if many else handles
    if fitted is not None:
        entries.append(Line2D([], [], color=INK, lw=0.85 * lw, ls="--", label="fitted law"))
    if entries:
        legend(ax, entries, [h.get_label() for h in entries],
               title=None if many else plain(by))


def _colours(ds: Dataset, runs: np.ndarray, labels: list[str]) -> list[object]:
    if len(labels) <= len(OKABE_ITO):
        return list(OKABE_ITO[: len(labels)])
    from matplotlib import colormaps

    cmap = colormaps[SEQUENTIAL]
    if ds.has("params"):
        size = np.array([ds.params[runs == lab].max() for lab in labels])
        if positive(size) and size.max() > size.min():
            norm = LogNorm(vmin=float(size.min()), vmax=float(size.max()))
            return [cmap(0.92 * float(norm(s))) for s in size]
    return [cmap(v) for v in np.linspace(0.0, 0.92, len(labels))]
