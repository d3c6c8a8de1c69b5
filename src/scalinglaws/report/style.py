"""The look of the report's figures: sizes for a paper's column, fonts, colour-blind-safe
colours and markers.

Figures are sized in inches for a two-column paper (:data:`COLUMN_WIDTH` for one column,
:data:`FULL_WIDTH` across both), use a clean sans-serif font at 8 pt, no top or right spine,
no legend frame, and embed TrueType fonts in PDF (journals reject Type 3 fonts). Groups are
told apart by colour and marker together, from the Okabe–Ito palette (Okabe & Ito 2008,
"Color Universal Design"), which stays distinct under the common colour-vision deficiencies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib import colormaps
from matplotlib.figure import Figure

#: width of one column of a two-column paper (NeurIPS, ICML, ACL: 3.25-3.5 in), inches
COLUMN_WIDTH = 3.4
#: width across both columns, inches
FULL_WIDTH = 7.0
#: height of a one-panel figure, inches
HEIGHT = 2.6

#: the Okabe–Ito palette, in the order groups get it (yellow late: it is faint on white)
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")
#: markers paired with the colours, so that groups stay apart in greyscale too
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: neutral colours: the fitted law, bands, the training points of a backtest
INK = "#000000"
GREY = "#7f7f7f"
BAND_ALPHA = 0.2
#: the sequential colormap for ordered quantities (model size, budget) with many values
SEQUENTIAL = "viridis"

RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "font.size": 8.0,
    "axes.titlesize": 8.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 6.5,
    "legend.frameon": False,
    "legend.handlelength": 1.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "ytick.minor.width": 0.4,
    "lines.linewidth": 1.2,
    "lines.markersize": 4.0,
    "patch.linewidth": 0.5,
    "figure.dpi": 150.0,
    "savefig.dpi": 300.0,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
}

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def style() -> Iterator[None]:
    """Matplotlib settings of the report's figures, for the duration of a ``with`` block."""
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        yield


def styled(func: F) -> F:
    """Run a figure function under :func:`style` (fonts and sizes are read at creation)."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with style():
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def new_figure(width: float = COLUMN_WIDTH, height: float = HEIGHT) -> Figure:
    """An empty figure (no pyplot, so no display and no global state) with constrained
    layout, in the report's style; call it inside :func:`style`."""
    return Figure(figsize=(width, height), layout="constrained")


def colours(n: int) -> list[Any]:
    """``n`` distinct colours: Okabe–Ito up to 8, else evenly along :data:`SEQUENTIAL`."""
    if n <= len(OKABE_ITO):
        return list(OKABE_ITO[:n])
    cmap = colormaps[SEQUENTIAL]
    return [cmap(v) for v in np.linspace(0.0, 0.92, n)]


def marker(k: int) -> str:
    """The marker of group ``k`` (cycling)."""
    return MARKERS[k % len(MARKERS)]
