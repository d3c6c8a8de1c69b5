"""The residuals figure: log residuals of a fit against each input of its law."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...data.dataset import Dataset
from ...exceptions import DataError
from ...fitting import FitResult, SharedFit
from ...uncertainty.refit import fit_data
from ..style import COLUMN_WIDTH, FULL_WIDTH, HEIGHT, INK, colours, marker, new_figure, styled
from .common import (
    axis_label,
    check_dataset,
    check_fit,
    group_rows,
    input_columns,
    plain,
    positive,
    predictions,
    target,
)


@styled
def residuals_figure(fit: FitResult | SharedFit, data: Dataset | None = None) -> Figure:
    """Residuals ``ln(observed / predicted)`` against each input of the law, one panel per
    input (log x where the input is positive), with the zero line; runs coloured by group
    (``family``, or the groups of a joint fit).

    For a target that is not positive (or a fit with ``loss="mse"``) the residuals are plain
    differences, ``observed - predicted``.

    Parameters
    ----------
    fit:
        The fit (a FitResult or a joint fit across groups).
    data:
        The runs; by default the data the fit was made on (``fit.data``, which a fit read
        from a file carries unless it was saved without them).

    Example
    -------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import residuals_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> fig = residuals_figure(sl.fit("chinchilla", ds))
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['params', 'tokens']
    """
    check_fit(fit, "argument 'fit' of residuals_figure")
    if data is None:
        data = fit.joint.data if isinstance(fit, SharedFit) else fit.data
        if data is None and isinstance(fit, FitResult) and fit.data_source:
            data = fit_data(fit)  # says why its file could not be read again
        if data is None:
            raise DataError("the fit carries no data (read from a file saved without them)",
                            "argument 'data' of residuals_figure",
                            "give the runs with --data DATA (Python: data=...)")
    ds = check_dataset(data, "argument 'data' of residuals_figure", required=True)
    assert ds is not None
    y = ds.column(target(fit))
    predicted = predictions(fit, ds)
    loss = fit.joint.loss if isinstance(fit, SharedFit) else fit.loss
    log = loss != "mse" and positive(y) and positive(predicted)
    with np.errstate(all="ignore"):
        r = np.log(y / predicted) if log else y - predicted
    if not np.isfinite(r).any():
        raise DataError("the law's predictions are not finite at any run: no residual to "
                        "plot", "argument 'fit' of residuals_figure",
                        "check that the fit converged and matches the data")
    by, labels, rows = group_rows(fit, ds)
    columns = input_columns(fit)
    width = min(FULL_WIDTH, COLUMN_WIDTH if len(columns) == 1 else 2.4 * len(columns))
    fig = new_figure(width, HEIGHT * 0.9)
    axes = fig.subplots(1, len(columns), sharey=True, squeeze=False)[0]
    group_colours = colours(len(labels))
    for j, (ax, column) in enumerate(zip(axes, columns, strict=True)):
        x = ds.column(column)
        for k, label in enumerate(labels):
            mask = rows == k
            ax.scatter(x[mask], r[mask], s=10, color=group_colours[k], marker=marker(k),
                       alpha=0.8, edgecolors="none",
                       label=plain(label) if by is not None else "runs")
        ax.axhline(0.0, color=INK, lw=0.8, zorder=0)
        ax.set_xscale("log" if positive(x) else "linear")
        ax.set_xlabel(axis_label(column))
        if j == 0:
            what = plain(target(fit))
            ax.set_ylabel(f"ln(observed / predicted) {what}" if log
                          else f"observed - predicted {what}")
        if by is not None and j == len(columns) - 1:
            ax.legend(fontsize="x-small", title=plain(by), title_fontsize="x-small")
    fig.suptitle(f"{plain(fit.law.name)}: residuals", fontsize="medium")
    return fig
