"""The curves figure: one line per run (loss against step or tokens), with a fit's
predictions overlaid."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ...data.dataset import Dataset
from ...exceptions import OptionError
from ...fitting import FitResult, SharedFit
from ..style import OKABE_ITO, SEQUENTIAL, new_figure, styled
from .common import (
    axis_label,
    check_dataset,
    check_fit,
    input_columns,
    plain,
    positive,
    predictions,
    set_scales,
)


@styled
def curves_figure(data: Dataset, fit: FitResult | SharedFit | None = None, *, x: str = "step",
                  y: str = "loss", by: str = "run") -> Figure:
    """Training curves: ``y`` against ``x``, one line per value of ``by``, and, when ``fit``
    is given (its law must read ``x``), the law's predictions at the same rows as dashed
    lines of the same colour.

    Up to eight runs get Okabe–Ito colours; more are coloured along viridis by model size
    (``params``, when the data have it) or in order. Axes are logarithmic where the values
    are positive.

    Example
    -------
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
    xs = ds.column(x)
    ys = ds.column(y)
    runs = np.array([str(v) for v in ds.labels(by)], dtype=object)
    labels = list(dict.fromkeys(runs))
    palette = _colours(ds, runs, labels)
    fitted = predictions(fit, ds) if fit is not None else None
    fig = new_figure()
    ax = fig.add_subplot()
    many = len(labels) > len(OKABE_ITO)
    values = [ys]
    for k, label in enumerate(labels):
        rows = np.flatnonzero(runs == label)
        rows = rows[np.argsort(xs[rows], kind="stable")]
        ax.plot(xs[rows], ys[rows], color=palette[k], lw=1.0,
                label=None if many else plain(label))
        if fitted is not None:
            ax.plot(xs[rows], fitted[rows], color=palette[k], lw=1.0, ls="--",
                    label="fitted law" if k == 0 else None)
            values.append(fitted[rows])
    set_scales(ax, positive(xs), np.concatenate(values))
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(plain(y))
    if not many or fitted is not None:
        ax.legend(fontsize="x-small", ncols=2 if len(labels) > 4 and not many else 1,
                  title=None if many else plain(by), title_fontsize="x-small")
    return fig


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
