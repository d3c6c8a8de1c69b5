"""Ticks of log axes: at least three labelled ticks whatever the span, numbers for people.

Matplotlib's default log ticks label only powers of ten, so an axis spanning less than two
decades (a loss from 2 to 4, model sizes from 70M to 700M) shows one or two labels. Here the
major ticks are the powers of ten when at least three fall inside the axis, else ``1, 3`` or
``1, 2, 5`` (then ``1, 2, 3, 5`` and every digit) times the powers of ten, whichever first
gives three; an axis spanning less than a factor of ten gets evenly spaced round numbers
(2, 2.5, 3, 3.5). Only the major ticks are labelled.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.ticker import Formatter, Locator, LogLocator, MaxNLocator, NullFormatter

from .text import axis_label, tick_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

#: the columns whose log axes are labelled as sizes (300M, 1B)
SIZE_COLUMNS = ("params", "tokens")
#: the fewest labelled ticks a log axis shows
MIN_LABELS = 3
#: the most powers of ten labelled; beyond, every second (third, ...) one
MAX_DECADES = 6
_SUBS = ((1.0,), (1.0, 3.0), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0),
         (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0))


def log_tick_values(vmin: float, vmax: float) -> np.ndarray:
    """The major ticks of a log axis from ``vmin`` to ``vmax`` (see the module's rule).

    >>> log_tick_values(1.8, 3.6).tolist()
    [2.0, 2.5, 3.0, 3.5]
    >>> log_tick_values(3e7, 4e9).tolist()
    [30000000.0, 100000000.0, 300000000.0, 1000000000.0, 3000000000.0]
    >>> log_tick_values(1e17, 1e24).tolist()  # eight decades: every second one
    [1e+18, 1e+20, 1e+22, 1e+24]
    """
    lo, hi = sorted((float(vmin), float(vmax)))
    if not (lo > 0 and math.isfinite(hi)) or hi <= lo:
        return np.array([])
    slack = 1e-9 * (hi - lo)
    if hi / lo < 10.0:
        even = np.asarray(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10],
                                      min_n_ticks=MIN_LABELS).tick_values(lo, hi), dtype=float)
        return even[(even >= lo - slack) & (even <= hi + slack) & (even > 0)]
    exponents = np.arange(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    inside = np.array([])
    for subs in _SUBS:
        values = np.array([s * 10.0 ** int(k) for k in exponents for s in subs])
        inside = values[(values >= lo - slack) & (values <= hi + slack)]
        if inside.size >= MIN_LABELS:
            break
    if inside.size > MAX_DECADES and np.allclose(np.log10(inside) % 1.0, 0.0):
        step = math.ceil(inside.size / MAX_DECADES)
        inside = inside[np.round(np.log10(inside)).astype(int) % step == 0]
    return inside


class LogTicks(Locator):
    """The major ticks of :func:`log_tick_values` over the axis's view."""

    def __call__(self) -> Any:
        assert self.axis is not None
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin: float, vmax: float) -> Any:
        return log_tick_values(vmin, vmax)


class LogLabels(Formatter):
    """Tick labels of :func:`~.text.tick_number`, one form along an axis: plain numbers when
    every visible tick lies in 10⁻³..10⁴, else sizes (``300M``; with ``sizes``) or powers of
    ten, so that an axis never mixes ``1000`` and ``10^4``."""

    def __init__(self, sizes: bool = False) -> None:
        self.sizes = sizes
        self._form = "plain"

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        lo, hi = (self.axis.get_view_interval() if self.axis is not None
                  else (-math.inf, math.inf))
        shown = [abs(v) for v in locs if min(lo, hi) <= v <= max(lo, hi) and v != 0]
        if all(1e-3 <= v <= 1e4 for v in shown):
            self._form = "plain"
        else:
            self._form = "sizes" if self.sizes else "power"

    def __call__(self, x: float, pos: int | None = None) -> str:
        return tick_number(x, self._form)


def label_log_axis(axis: Axis, *, sizes: bool = False) -> None:
    """Give a log axis the ticks and labels of this module (nothing for a linear axis)."""
    if axis.get_scale() != "log":
        return
    axis.set_major_locator(LogTicks())
    axis.set_major_formatter(LogLabels(sizes=sizes))
    axis.set_minor_locator(LogLocator(base=10.0, subs=tuple(range(2, 10)), numticks=100))
    axis.set_minor_formatter(NullFormatter())


def label_column_axis(axis: Axis, column: str) -> None:
    """Name an axis after the data column it shows (``parameters $N$``) and, when it is a
    log axis, give it this module's ticks (sizes as ``300M`` for parameters and tokens);
    call it after the axis's scale is set."""
    axis.set_label_text(axis_label(column))
    label_log_axis(axis, sizes=column in SIZE_COLUMNS)


def label_log_axes(ax: Axes) -> None:
    """:func:`label_log_axis` for both axes of ``ax``, keeping a labelling already chosen
    (sizes along a parameter axis) and a colour bar's own ticks."""
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "log" and not isinstance(axis.get_major_formatter(),
                                                        LogLabels):
            label_log_axis(axis)


def label_colorbar(colorbar: Any, *, sizes: bool = False) -> None:
    """The ticks of this module along a colour bar with a log scale."""
    if colorbar.long_axis.get_scale() != "log":
        return
    colorbar.locator = LogTicks()
    colorbar.formatter = LogLabels(sizes=sizes)
    colorbar.minorlocator = LogLocator(base=10.0, subs=tuple(range(2, 10)), numticks=100)
