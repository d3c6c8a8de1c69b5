"""Saving a figure as PDF, PNG or SVG, atomically."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from ...data.files import write_bytes_atomic
from ...exceptions import DataError, OptionError
from .look import MAX_DPI, look_of

#: the formats :func:`save_figure` writes, by file extension
FORMATS = ("pdf", "png", "svg")
_METADATA: dict[str, dict[str, Any]] = {
    # no creation date: the same figure gives the same file
    "pdf": {"CreationDate": None},
    "svg": {"Date": None},
    "png": {},
}


def save_figure(fig: Figure, path: Any, *, dpi: float | None = None) -> Path:
    """Write ``fig`` to ``path`` as PDF, PNG or SVG (chosen by the extension), atomically:
    the file is rendered in memory and then put in place by a rename, so a reader never sees
    a half-written figure. Returns the path.

    ``dpi`` is the resolution of a PNG (and of the rasterized dense point clouds inside a
    PDF or SVG): by default the ``dpi`` the figure was drawn with, else its style's (300
    for ``paper``, 200 for ``slide``).

    Raises a :class:`~scalinglaws.exceptions.ScalingLawError` for an unknown extension, a
    folder that does not exist or cannot be written, or a figure with nothing drawn.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> from scalinglaws.report.figures import fit_figure, save_figure
    >>> ds = sl.datasets.load("chinchilla")
    >>> save_figure(fit_figure(sl.fit("chinchilla", ds), ds), "fit.pdf")  # doctest: +SKIP
    PosixPath('fit.pdf')
    """
    if not isinstance(fig, Figure):
        raise OptionError(f"expected a matplotlib Figure, got {type(fig).__name__}",
                          "argument 'fig' of save_figure",
                          "pass what fit_figure(...) and the other figure functions return")
    target = Path(os.fspath(path))
    ext = target.suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise OptionError(f"cannot tell the figure format from the extension "
                          f"'{target.suffix or '(none)'}'", f"path {target}",
                          f"end the file name with one of {', '.join('.' + f for f in FORMATS)}")
    if not _has_content(fig):
        raise DataError("the figure is blank: it has no data drawn", "argument 'fig' of "
                        "save_figure", "plot some runs or a fit into it first")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise DataError(f"the folder {folder} does not exist", f"path {target}",
                        "create it first or choose another path")
    look = look_of(fig)
    if dpi is not None and not (isinstance(dpi, int | float) and 0 < dpi <= MAX_DPI):
        raise OptionError(f"dpi must be a positive number up to {MAX_DPI:g}, got {dpi!r}",
                          "argument 'dpi' of save_figure", "give it in dots per inch, e.g. 300")
    buf = BytesIO()
    with look.applied():
        fig.savefig(buf, format=ext, dpi=dpi or look.save_dpi, metadata=_METADATA[ext])
    return write_bytes_atomic(target, buf.getvalue())


def _has_content(fig: Figure) -> bool:
    """Whether some axes of ``fig`` hold data: lines, collections, patches or images."""
    return any(ax.get_visible() and (ax.lines or ax.collections or ax.patches or ax.images)
               for ax in fig.axes)
