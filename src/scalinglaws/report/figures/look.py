"""The looks of the figures and the options every figure function takes.

Two styles: ``paper`` (a column of a two-column paper: 3.4 in wide, 8 pt text, the settings
of :mod:`scalinglaws.report.style`) and ``slide`` (twice the size, 14 pt text, thicker
lines and larger markers, for a projector). Both use matplotlib's bundled DejaVu Sans for
text and mathematics, so a figure renders the same on every machine.

Every figure function takes ``title`` (replaces the default title; ``""`` removes it),
``width`` (inches; the height follows, keeping the figure's proportions), ``dpi`` (the
resolution of the figure and of its PNG file) and ``style``. :meth:`Look.finish` then does
what all figures share: the size, the title, the ticks of log axes
(:mod:`.ticks`) and the legends' places (:mod:`.legends`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from matplotlib.figure import Figure

from ...exceptions import OptionError
from ..style import COLUMN_WIDTH, HEIGHT, RC
from .legends import place_legends
from .text import wrapped
from .ticks import label_log_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: the styles a figure can take
STYLES = ("paper", "slide")
PAPER_RC: dict[str, Any] = dict(RC)
SLIDE_RC: dict[str, Any] = {
    **RC,
    "font.size": 14.0, "axes.titlesize": 14.0, "axes.labelsize": 14.0,
    "xtick.labelsize": 12.0, "ytick.labelsize": 12.0, "legend.fontsize": 11.0,
    "lines.linewidth": 2.0, "lines.markersize": 7.0, "axes.linewidth": 1.0,
    "xtick.major.width": 1.0, "ytick.major.width": 1.0, "xtick.minor.width": 0.7,
    "ytick.minor.width": 0.7, "xtick.major.size": 6.0, "ytick.major.size": 6.0,
    "xtick.minor.size": 3.5, "ytick.minor.size": 3.5, "patch.linewidth": 0.9,
    "figure.dpi": 100.0, "savefig.dpi": 200.0,
}
_RC = {"paper": PAPER_RC, "slide": SLIDE_RC}
#: how much larger than the paper style a style draws a figure
SCALE = {"paper": 1.0, "slide": 2.0}
MAX_WIDTH = 40.0  # inches
MAX_DPI = 1200.0
_ATTR = "_scalinglaws_look"  # the Look a figure was drawn with, for save_figure


@dataclass(frozen=True)
class Look:
    """A style with the size and resolution asked for (None: the style's own)."""

    style: str = "paper"
    width: float | None = None
    dpi: float | None = None

    @classmethod
    def of(cls, style: object = "paper", width: object = None, dpi: object = None) -> Look:
        """The look of the figure options, checked (an OptionError names a bad one)."""
        if style not in STYLES:
            raise OptionError(f"unknown figure style {style!r}", "argument 'style'",
                              f"use one of {', '.join(STYLES)}")
        return cls(str(style), _number(width, "width", MAX_WIDTH, "inches, e.g. 3.4"),
                   _number(dpi, "dpi", MAX_DPI, "dots per inch, e.g. 300"))

    @property
    def rc(self) -> dict[str, Any]:
        return _RC[self.style]

    @property
    def save_dpi(self) -> float:
        """The resolution of a PNG file of the figure."""
        return self.dpi if self.dpi is not None else float(self.rc["savefig.dpi"])

    @contextmanager
    def applied(self) -> Iterator[None]:
        """The style's matplotlib settings for the duration of a ``with`` block."""
        with mpl.rc_context(self.rc):  # type: ignore[arg-type]
            yield

    def new_figure(self, width: float = COLUMN_WIDTH, height: float = HEIGHT) -> Figure:
        """An empty figure (no pyplot: no display, no global state) with constrained layout,
        ``width`` × ``height`` inches in the paper style (scaled for the style, or to the
        width asked for)."""
        w, h = width * SCALE[self.style], height * SCALE[self.style]
        if self.width is not None:
            w, h = self.width, h * self.width / w
        fig = Figure(figsize=(w, h), layout="constrained",
                     dpi=self.dpi if self.dpi is not None else float(self.rc["figure.dpi"]))
        setattr(fig, _ATTR, self)
        return fig

    def finish(self, fig: Figure, *, title: str | None,
               axes: list[Axes] | None = None) -> Figure:
        """Size, title, log ticks and legends of a drawn figure (``axes``: the ones drawn
        here, default all)."""
        axes = list(fig.axes) if axes is None else axes
        if self.width is not None:
            w, h = fig.get_size_inches()
            fig.set_size_inches(self.width, h * self.width / w)
        if self.dpi is not None:
            fig.set_dpi(self.dpi)
        setattr(fig, _ATTR, self)
        _title(fig, axes, title)
        for ax in axes:
            label_log_axes(ax)
        place_legends(fig, axes)
        return fig


def look_of(fig: Figure) -> Look:
    """The look ``fig`` was drawn with (the paper style for a figure made elsewhere)."""
    found = getattr(fig, _ATTR, None)
    return found if isinstance(found, Look) else Look()


def _number(value: object, name: str, most: float, unit: str) -> float | None:
    if value is None:
        return None
    number = math.nan
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
    if not (math.isfinite(number) and 0 < number <= most):
        raise OptionError(f"{name} must be a positive number up to {most:g}, got {value!r}",
                          f"argument '{name}'", f"give it in {unit}")
    return number


def _title(fig: Figure, axes: list[Axes], title: str | None) -> None:
    """Set the title asked for (the figure's main one: the suptitle of a figure of several
    panels, else the panel's), then wrap every title to the figure's width."""
    panels = [ax for ax in axes if not hasattr(ax, "_colorbar")]
    width = float(fig.get_size_inches()[0])
    size = float(mpl.rcParams["axes.titlesize"]) if isinstance(
        mpl.rcParams["axes.titlesize"], int | float) else float(mpl.rcParams["font.size"])
    if title is not None:
        if fig.get_suptitle() or len(panels) != 1:
            fig.suptitle(title, fontsize="medium")
        else:
            panels[0].set_title(title)
    if fig.get_suptitle():
        fig.suptitle(wrapped(fig.get_suptitle(), width, size), fontsize="medium")
    for ax in panels:
        text = ax.get_title()
        if text:
            share = ax.get_position().width if len(panels) > 1 else 1.0
            ax.set_title(wrapped(text, width * share, size))
