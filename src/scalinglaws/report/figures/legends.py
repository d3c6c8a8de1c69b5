"""Legends placed by measurement: in the corner or edge of the axes that covers no data,
else below the axes.

After the figure's layout is fixed, each candidate position of a legend is tried and its box
(in display coordinates) is tested against what the axes show: the markers of scatter plots
and of marker-only lines (each with its radius), the curves and bars (their paths), and the
interval bands (their filled areas). The first position that covers no marker, curve or band
wins; failing that, one that covers no marker or curve (only a band); failing that, the
legend goes below the axes, under the axis label, in as many columns as fit the figure's
width (the layout then makes room for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.path import Path
from matplotlib.transforms import Bbox, ScaledTranslation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, FigureBase
    from matplotlib.legend import Legend

#: positions tried inside the axes, in order of preference
CANDIDATES = ("upper right", "upper left", "lower left", "lower right", "upper center",
              "lower center", "center right", "center left")
#: clearance kept between a legend and the data, in points
PAD_PT = 3.0
_MADE = "_scalinglaws_legend"  # the arguments a legend was made with, to rebuild it below
_BELOW = "_scalinglaws_below"  # marks a legend placed below its axes
_NO_MARKER = (None, "None", "none", "", " ")
_NO_LINE = ("None", "none", "", " ")


@dataclass
class Obstacles:
    """What a legend must not cover, in display coordinates."""

    points: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    radius: np.ndarray = field(default_factory=lambda: np.empty(0))
    curves: list[Path] = field(default_factory=list)
    areas: list[Path] = field(default_factory=list)


def legend(ax: Axes, handles: list[Any] | None = None, labels: list[str] | None = None,
           **kwargs: Any) -> Legend | None:
    """The legend of ``ax`` (of ``handles`` and ``labels``, else of its labelled artists),
    to be placed by :func:`place_legends`; None when nothing is labelled."""
    if handles is None or labels is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    if kwargs.get("title") is not None:
        kwargs.setdefault("title_fontsize", mpl.rcParams["legend.fontsize"])
    made = ax.legend(handles, labels, loc="upper right", **kwargs)
    setattr(made, _MADE, (list(handles), list(labels), dict(kwargs)))
    return made


def place_legends(fig: Figure, axes: list[Axes]) -> None:
    """Move the legend of each of ``axes`` where it covers no data (see the module)."""
    decided: set[int] = set()
    for _ in range(3):  # a legend moved below changes the layout: check the others again
        fig.draw_without_rendering()
        moved = False
        for ax in axes:
            found = ax.get_legend()
            if found is None or getattr(found, _BELOW, False):
                continue
            seen = obstacles(ax)
            if id(ax) in decided and coverage(found.get_window_extent(), seen, ax)[0] == 0:
                continue
            decided.add(id(ax))
            if not _inside(ax, found, seen):
                _below(ax, found)
                moved = True
        if not moved:
            return


def _inside(ax: Axes, found: Legend, seen: Obstacles) -> bool:
    """Put the legend at the best candidate inside the axes; False when every candidate
    covers a marker or curve (or the legend does not fit inside)."""
    scores = []
    for rank, loc in enumerate(CANDIDATES):
        found.set_loc(loc)  # type: ignore[arg-type]
        box = found.get_window_extent()
        if not _contains(ax.bbox, box):
            continue
        score = coverage(box, seen, ax)
        if score == (0, 0):
            return True
        scores.append((score, rank, loc))
    clear = [s for s in scores if s[0][0] == 0]
    if not clear:
        return False
    found.set_loc(min(clear)[2])  # type: ignore[arg-type]
    return True


def _contains(outer: Any, inner: Bbox) -> bool:
    return bool(inner.x0 >= outer.x0 - 0.5 and inner.x1 <= outer.x1 + 0.5
                and inner.y0 >= outer.y0 - 0.5 and inner.y1 <= outer.y1 + 0.5)


def _below(ax: Axes, found: Legend) -> None:
    """Rebuild the legend below the figure's panels (see :func:`legend_below`); without a
    constrained layout, below the axes' tick and axis labels."""
    made_with = getattr(found, _MADE, None)
    handles, labels, kwargs = made_with if made_with is not None else (
        *ax.get_legend_handles_labels(), {})
    found.remove()
    fig = ax.figure
    options = {k: v for k, v in kwargs.items() if k not in ("loc", "ncols", "ncol")}
    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        legend_below(fig, handles, labels, **options)
        return
    tight = ax.get_tightbbox()
    drop = max(float(ax.bbox.y0 - tight.y0), 0.0) if tight is not None else 0.0
    anchor = ax.transAxes + ScaledTranslation(0.0, -drop / fig.dpi - 2.0 * PAD_PT / 72.0,
                                              fig.dpi_scale_trans)
    _in_columns(ax, handles, labels, {"loc": "upper center", "bbox_to_anchor": (0.5, 0.0),
                                      "bbox_transform": anchor, **options})


def legend_below(fig: FigureBase, handles: list[Any], labels: list[str],
                 **kwargs: Any) -> Legend:
    """A figure legend below the panels, which the constrained layout makes room for, in as
    many columns (up to four) as fit the figure's width."""
    if kwargs.get("title") is not None:
        kwargs.setdefault("title_fontsize", mpl.rcParams["legend.fontsize"])
    return _in_columns(fig, handles, labels, {"loc": "outside lower center", **kwargs})


def _in_columns(owner: Any, handles: list[Any], labels: list[str],
                options: dict[str, Any]) -> Legend:
    """``owner.legend`` in the most columns (up to four) that keep it within the figure."""
    width = owner.figure.bbox.width  # a figure is its own .figure
    made: Any = None
    for ncols in range(min(len(labels), 4), 0, -1):
        if made is not None:
            made.remove()
        made = owner.legend(handles, labels, ncols=ncols, **options)
        if made.get_window_extent().width <= 0.98 * width:
            break
    setattr(made, _MADE, (handles, labels, options))
    setattr(made, _BELOW, True)
    return made  # type: ignore[no-any-return]


def obstacles(ax: Axes) -> Obstacles:
    """The markers, curves and bands ``ax`` shows, in display coordinates."""
    dpi = ax.figure.dpi
    points: list[np.ndarray] = []
    radius: list[np.ndarray] = []
    out = Obstacles()
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        paths = [coll.get_transform().transform_path(p) for p in coll.get_paths()]
        if isinstance(coll, PathCollection):
            xy = coll.get_offset_transform().transform(np.asarray(coll.get_offsets()))
            sizes = np.broadcast_to(np.asarray(coll.get_sizes(), dtype=float), len(xy)) \
                if len(coll.get_sizes()) else np.zeros(len(xy))
            points.append(xy)
            radius.append(np.sqrt(sizes) / 2.0 * dpi / 72.0)
        elif isinstance(coll, LineCollection):
            out.curves += [q for p in paths for q in _finite(np.asarray(p.vertices))]
        elif isinstance(coll, PolyCollection):
            out.areas += [p for p in paths if np.isfinite(p.vertices).all()]
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
        if line.get_linestyle() not in _NO_LINE:
            out.curves += _finite(xy)
        if line.get_marker() not in _NO_MARKER:
            keep = np.isfinite(xy).all(axis=1)
            points.append(xy[keep])
            radius.append(np.full(int(keep.sum()), line.get_markersize() / 2.0 * dpi / 72.0))
    if points:
        out.points, out.radius = np.concatenate(points), np.concatenate(radius)
    return out


def _finite(xy: np.ndarray) -> list[Path]:
    """The runs of finite vertices of a polyline, as paths (a lone vertex as a point)."""
    ok = np.isfinite(xy).all(axis=1)
    if ok.all():
        return [Path(xy)] if len(xy) else []
    pieces = np.split(np.arange(len(xy)), np.flatnonzero(np.diff(ok.astype(int))) + 1)
    return [Path(xy[idx]) for idx in pieces if ok[idx[0]]]


def coverage(box: Bbox, seen: Obstacles, ax: Axes) -> tuple[int, int]:
    """How many markers and curves, and how many bands, ``box`` covers where the axes show
    them (data outside the axes are clipped, so never covered)."""
    shown = Bbox.intersection(box, ax.bbox)
    if shown is None:
        return 0, 0
    area = shown.padded(PAD_PT * ax.figure.dpi / 72.0)
    hits = 0
    if len(seen.points):
        x, y, r = seen.points[:, 0], seen.points[:, 1], seen.radius
        hits += int(((x + r >= area.x0) & (x - r <= area.x1)
                     & (y + r >= area.y0) & (y - r <= area.y1)).sum())
    hits += sum(bool(p.intersects_bbox(area, filled=False)) for p in seen.curves)
    bands = sum(bool(p.intersects_bbox(area, filled=True)) for p in seen.areas)
    return hits, bands
