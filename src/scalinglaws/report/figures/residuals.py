"""The residuals figure: log residuals of a fit against each input of its law."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...data.dataset import Dataset
from ...exceptions import DataError
from ...fitting import FitResult, SharedFit
from ...uncertainty.refit import fit_data
from ..style import COLUMN_WIDTH, FULL_WIDTH, HEIGHT, INK, colours, marker
from .common import (
    Z_CURVE,
    check_dataset,
    check_fit,
    group_rows,
    input_columns,
    plain,
    point_style,
    positive,
    predictions,
    target,
)
from .legends import legend
from .look import Look
from .text import display_name
from .ticks import label_column_axis


def residuals_figure(fit: FitResult | SharedFit, data: Dataset | None = None, *,
                     title: str | None = None, width: float | None = None,
                     dpi: float | None = None, style: str = "paper") -> Figure:
    """Residuals ``ln(observed / predicted)`` against each input of the law, one panel per
    input (log x where the input is positive), with the zero line; runs coloured by group
    (``family``, or the groups of a joint fit).

    For a target that is not positive (or a fit with ``loss="mse"``) the residuals are plain
    differences, ``observed - predicted``; for a fit with ``loss="mse_logit"`` they are the
    differences of the logits, the residuals it fitted.

    Parameters
    ----------
    fit:
        The fit (a FitResult or a joint fit across groups).
    data:
        The runs; by default the data the fit was made on (``fit.data``, which a fit read
        from a file carries unless it was saved without them).
    title, width, dpi, style:
        The title (default: the law's name and citation; ``""`` for none), the width in
        inches, the resolution, and ``"paper"`` or ``"slide"`` (see :mod:`.look`).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import residuals_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> fig = residuals_figure(sl.fit("chinchilla", ds))
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['parameters $N$', 'training tokens $D$']
    """
    check_fit(fit, "argument 'fit' of residuals_figure")
    look = Look.of(style, width, dpi)
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
    inside = bool(np.all((y > 0) & (y < 1)) and np.all((predicted > 0) & (predicted < 1)))
    space = ("logit" if loss == "mse_logit" and inside else
             "log" if loss not in ("mse", "mse_logit") and positive(y) and positive(predicted)
             else "raw")
    with np.errstate(all="ignore"):
        r = (np.log(y / predicted) if space == "log" else
             np.log(y / (1 - y)) - np.log(predicted / (1 - predicted)) if space == "logit"
             else y - predicted)
    if not np.isfinite(r).any():
        raise DataError("the law's predictions are not finite at any run: no residual to "
                        "plot", "argument 'fit' of residuals_figure",
                        "check that the fit converged and matches the data")
    with look.applied():
        fig = _draw(fit, ds, r, space, look)
        return look.finish(fig, title=title)


def _draw(fit: FitResult | SharedFit, ds: Dataset, r: np.ndarray, space: str,
          look: Look) -> Figure:
    """One panel per input of the law, the residuals of each group in its colour."""
    by, labels, rows = group_rows(fit, ds)
    columns = input_columns(fit)
    width = min(FULL_WIDTH, COLUMN_WIDTH if len(columns) == 1 else 2.4 * len(columns))
    fig = look.new_figure(width, HEIGHT * 0.9)
    axes = fig.subplots(1, len(columns), sharey=True, squeeze=False)[0]
    group_colours = colours(len(labels))
    points = point_style(len(ds))
    for j, (ax, column) in enumerate(zip(axes, columns, strict=True)):
        x = ds.column(column)
        for k, label in enumerate(labels):
            mask = rows == k
            ax.scatter(x[mask], r[mask], color=group_colours[k], marker=marker(k),
                       label=plain(label) if by is not None else "runs", **points)
        ax.axhline(0.0, color=INK, lw=0.8, zorder=Z_CURVE)
        ax.set_xscale("log" if positive(x) else "linear")
        label_column_axis(ax.xaxis, column)
        if j == 0:
            what = plain(target(fit))
            ax.set_ylabel({"log": rf"$\ln(y/\hat{{y}})$, {what}",
                           "logit": rf"$\mathrm{{logit}}\,y - \mathrm{{logit}}\,\hat{{y}}$, "
                           f"{what}"}.get(space, rf"$y - \hat{{y}}$, {what}"))
        if by is not None and j == len(columns) - 1:
            legend(ax, title=plain(by))
    fig.suptitle(f"{display_name(fit.law)}: residuals", fontsize="medium")
    return fig
