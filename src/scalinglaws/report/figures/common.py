"""Helpers shared by the figures: argument checks, groups, predictions, axes and text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_rgba

from ...data.dataset import Dataset
from ...exceptions import DataError, OptionError
from ...fitting import FitResult, SharedFit
from .text import COMPUTE_LABEL as COMPUTE_LABEL
from .text import axis_label as axis_label
from .text import plain as plain

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: the column that colours points by group when a plain fit's data have it
GROUP_COLUMN = "family"
GRID = 200  # points along each drawn curve
#: up to this many points, markers are drawn at full size and nearly opaque
FEW = 50
#: drawing order: bands under points, points under curves, marks (minima, forecasts) on top
Z_BAND, Z_POINTS, Z_CURVE, Z_MARK = 1.0, 2.0, 3.0, 4.0
#: the interval bands: a fill light enough to show the points under it, and an edge line
BAND_ALPHA, BAND_EDGE_ALPHA, BAND_EDGE = 0.28, 0.9, 0.6


def check_dataset(data: Any, where: str, *, required: bool = False) -> Dataset | None:
    """``data`` as a non-empty Dataset (or None when optional and not given)."""
    if data is None:
        if required:
            raise DataError("this figure needs the runs", where,
                            "give the runs with --data DATA (Python: data=sl.Dataset.read(...))")
        return None
    if not isinstance(data, Dataset):
        raise DataError(f"data must be a Dataset, got {type(data).__name__}", where,
                        "pass sl.Dataset.from_frame(frame) or leave data out")
    if len(data) == 0:
        raise DataError("the dataset has no rows: there is nothing to plot", where,
                        "give at least one run")
    return data


def check_fit(fit: Any, where: str) -> FitResult | SharedFit:
    """``fit`` itself when it is a fit (a FitResult or a joint fit), else an OptionError."""
    if not isinstance(fit, FitResult | SharedFit):
        raise OptionError(f"expected a fit (FitResult or SharedFit), got {type(fit).__name__}",
                          where, "pass the result of sl.fit(...) or sl.load_fit(...)")
    return fit


def input_columns(fit: FitResult | SharedFit) -> list[str]:
    """The data columns the law reads, in the law's order."""
    if isinstance(fit, SharedFit):
        return [str(c) for c in fit.law.inputs.values()]
    return [str(c) for c in fit.columns.values()]


def target(fit: FitResult | SharedFit) -> str:
    return fit.joint.target if isinstance(fit, SharedFit) else fit.target


def group_rows(fit: FitResult | SharedFit, data: Dataset) -> tuple[str | None, list[str],
                                                                   np.ndarray]:
    """The grouping column (None: one group), the groups' labels and each row's group index.

    A joint fit groups by its ``by`` column; a plain fit by ``family`` when the data have it.
    """
    by = fit.by if isinstance(fit, SharedFit) else (
        GROUP_COLUMN if data.has(GROUP_COLUMN) else None)
    if by is None:
        return None, [""], np.zeros(len(data), dtype=int)
    text = np.array([str(v) for v in data.labels(by)], dtype=object)
    labels = list(fit.groups) if isinstance(fit, SharedFit) else list(dict.fromkeys(text))
    unknown = sorted(set(text) - set(labels))
    if unknown:
        raise DataError(f"the data hold group(s) {', '.join(map(repr, unknown[:5]))} that the "
                        "joint fit does not know", f"column '{by}'",
                        f"plot runs of the groups {', '.join(labels)} only")
    index = {lab: k for k, lab in enumerate(labels)}
    return by, labels, np.array([index[t] for t in text], dtype=int)


def group_fit(fit: FitResult | SharedFit, label: str) -> FitResult:
    """The plain fit of one group (the fit itself when it is not a joint fit)."""
    return fit.for_group(label) if isinstance(fit, SharedFit) else fit


def predictions(fit: FitResult | SharedFit, data: Dataset) -> np.ndarray:
    """The law at every row of ``data`` (each row with its own group's parameters)."""
    _, labels, rows = group_rows(fit, data)
    out = np.full(len(data), np.nan)
    for k, label in enumerate(labels):
        mask = rows == k
        if not mask.any():
            continue
        one = group_fit(fit, label)
        inputs = {c: data.column(c)[mask] for c in input_columns(fit)}
        with np.errstate(all="ignore"):
            out[mask] = np.asarray(one.law(one.params, **inputs), dtype=float)
    return out


def interval_label(fit: FitResult, level: float) -> str:
    source = "bootstrap" if fit.uncertainty is not None else "delta method"
    return f"{level:.0%} interval ({source})"


def point_style(n: int) -> dict[str, Any]:
    """Scatter keywords for ``n`` points: below :data:`FEW` points, full-size markers; above,
    the marker's area and opacity fall with ``n`` (area as n^-1/2 down to a fifth, opacity as
    n^-0.3 down to 0.15), so that thousands of checkpoints read as a density, not a blob;
    rasterized above 1,000 points so that a PDF stays small. Sizes follow the style's
    ``lines.markersize``."""
    size = float(mpl.rcParams["lines.markersize"])
    many = FEW / max(int(n), 1)
    scale = min(1.0, max(many ** 0.25, 0.45))
    return {"s": (size * scale) ** 2, "alpha": min(0.9, max(many ** 0.3, 0.15)),
            "edgecolors": "none", "linewidths": 0.0, "zorder": Z_POINTS,
            "rasterized": n > 1000}


def band(ax: Axes, x: np.ndarray, lo: Any, hi: Any, colour: Any, label: str | None) -> Any:
    """Fill between ``lo`` and ``hi`` where both are finite, with an edge line of the same
    colour so that the band stays visible in print; returns the band (None when nothing is
    finite)."""
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    if not ok.any():
        return None
    return ax.fill_between(x, lo, hi, where=ok, facecolor=to_rgba(colour, BAND_ALPHA),
                           edgecolor=to_rgba(colour, BAND_EDGE_ALPHA), linewidth=BAND_EDGE,
                           label=label, zorder=Z_BAND)


def set_scales(ax: Axes, log_x: bool, values: np.ndarray) -> None:
    """Log axes where every value is positive; linear otherwise (log would hide points)."""
    values = values[np.isfinite(values)]
    ax.set_xscale("log" if log_x else "linear")
    ax.set_yscale("log" if values.size and (values > 0).all() else "linear")


def positive(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(finite.size and (finite > 0).all())
