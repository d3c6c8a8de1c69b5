"""The figures' quality, checked by measurement and against stored images.

* Each figure of the gallery (``docs/make_gallery.py``: every kind at its defaults on fixed
  data) is compared with its baseline image in ``tests/baseline/figures`` (pytest-mpl; the
  project's pytest options include ``--mpl``, so every run compares).
* No legend box covers a marker or a curve: measured on the drawn figure, from the legend's
  window extent and the display coordinates of the markers and of points every half pixel
  along each curve.
* Every log axis shows at least three labelled ticks.
* Markers adapt to the number of runs, curves lie above the points, bands are visible, titles
  come from the law, the corner plot uses natural scales, and the figure options (title,
  width, dpi, style) work from Python and from ``scalinglaws plot``.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import typer
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.testing.compare import compare_images
from matplotlib.transforms import Bbox
from typer.testing import CliRunner

import scalinglaws as sl
from scalinglaws.cli.common import EXTRA
from scalinglaws.cli.plot import plot_command
from scalinglaws.exceptions import OptionError
from scalinglaws.report.figures import (
    backtest_figure,
    corner_figure,
    curves_figure,
    fit_figure,
    residuals_figure,
    save_figure,
)
from scalinglaws.report.figures.legends import legend, place_legends
from scalinglaws.report.figures.look import PAPER_RC, Look
from scalinglaws.report.figures.ticks import LogLabels, label_log_axis, log_tick_values
from scalinglaws.report.style import OKABE_ITO

ROOT = Path(__file__).resolve().parents[1]
BASELINES = Path(__file__).resolve().parent / "baseline" / "figures"

#: the matplotlib (major.minor) the baselines were drawn with: text layout and antialiasing
#: change between matplotlib releases, so another one skips the image comparisons (with a
#: reason that says how to redraw them) rather than failing on pixels no code change moved
BASELINE_MATPLOTLIB = "3.11"
#: resolution of the baselines: every element spans several pixels, files stay small
BASELINE_DPI = 100
#: largest RMS difference (0-255 grey levels) accepted. The same code on the same matplotlib
#: redraws the same pixels (RMS 0: fonts are matplotlib's bundled DejaVu, the data fixed),
#: and numerical noise in a refit (1e-9 relative) moves nothing by a pixel; 0.5 leaves room
#: for antialiasing of such sub-pixel shifts only. The smallest changes we mean to catch
#: score above it (test_the_tolerance_catches_small_visible_changes): one run moved by 5% in
#: loss 1.1, the band as faint as it was 3.2, the frontier 1 pt thicker 8.6, the legend
#: moved 18.
TOLERANCE = 0.5


def _gallery():
    spec = importlib.util.spec_from_file_location("make_gallery", ROOT / "docs" /
                                                  "make_gallery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_gallery"] = module
    spec.loader.exec_module(module)
    return module


GALLERY = _gallery()
NAMES = list(GALLERY.CASES)


def _same_matplotlib() -> None:
    version = ".".join(matplotlib.__version__.split(".")[:2])
    if version != BASELINE_MATPLOTLIB:
        pytest.skip(f"baselines drawn with matplotlib {BASELINE_MATPLOTLIB}, this is "
                    f"{matplotlib.__version__}: redraw them (docs/decisions.md, 'Figure "
                    "baselines')")


def _drawn(fig: Figure) -> Figure:
    """``fig`` drawn once on an Agg canvas, so that every artist has its place."""
    FigureCanvasAgg(fig).draw()
    return fig


@pytest.fixture(scope="module")
def drawn() -> dict[str, Figure]:
    figures = {name: GALLERY.figure(name) for name in NAMES}
    ds, fit = GALLERY.chinchilla(), GALLERY.chinchilla_fit()
    # the same figures narrower, in the other style, and the backtest against model size
    figures["fit-narrow"] = fit_figure(fit, ds, width=2.4)
    figures["residuals-slide"] = residuals_figure(fit, style="slide")
    bt = sl.validate.backtest("chinchilla", ds, train="flops<1e21", n_boot=0)
    figures["backtest-params"] = backtest_figure(bt, x="params")
    return {name: _drawn(fig) for name, fig in figures.items()}


# -- visual regression --------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.mpl_image_compare(baseline_dir="baseline/figures", tolerance=TOLERANCE,
                               style=PAPER_RC, savefig_kwargs={"dpi": BASELINE_DPI})
def test_each_figure_matches_its_baseline(name):
    _same_matplotlib()
    return GALLERY.figure(name)


def test_every_gallery_figure_has_a_baseline():
    stored = sorted(p.name for p in BASELINES.glob("*.png"))
    assert stored == sorted(f"{_baseline_stem(n)}.png" for n in NAMES)


def _baseline_stem(name: str) -> str:
    return f"test_each_figure_matches_its_baseline_{name}"


def _render(fig: Figure, path: Path) -> Path:
    with Look().applied():
        fig.savefig(path, dpi=BASELINE_DPI)
    return path


@pytest.mark.slow
def test_the_tolerance_catches_small_visible_changes(tmp_path):
    _same_matplotlib()
    baseline = BASELINES / f"{_baseline_stem('fit')}.png"
    assert compare_images(str(baseline), str(_render(GALLERY.figure("fit"), tmp_path /
                                                     "same.png")), TOLERANCE) is None
    thicker = GALLERY.figure("fit")
    frontier = next(ln for ln in thicker.axes[0].get_lines()
                    if ln.get_label() == "compute-optimal frontier")
    frontier.set_linewidth(frontier.get_linewidth() + 1.0)
    faint = GALLERY.figure("fit")
    (band,) = [c for c in faint.axes[0].collections if isinstance(c, PolyCollection)]
    band.set_facecolor(to_rgba(band.get_facecolor()[0], 0.2))  # the old, faint band
    band.set_linewidth(0.0)
    moved = GALLERY.figure("fit")
    moved.legends[0].set_loc("outside lower left")
    one_run = GALLERY.figure("fit")
    offsets = np.array(_runs(one_run).get_offsets())
    offsets[0, 1] *= 1.05
    _runs(one_run).set_offsets(offsets)
    for k, fig in enumerate((thicker, faint, moved, one_run)):
        result = compare_images(str(baseline), str(_render(fig, tmp_path / f"{k}.png")),
                                TOLERANCE)
        assert result is not None and "RMS" in result


# -- legends never cover data ------------------------------------------------------------------
def _dense(xy: np.ndarray, step: float = 0.5) -> np.ndarray:
    """Points every ``step`` pixels along a polyline (gaps at non-finite vertices)."""
    out = [np.empty((0, 2))]
    for a, b in itertools.pairwise(xy):
        if np.isfinite(a).all() and np.isfinite(b).all():
            n = max(int(np.hypot(*(b - a)) / step), 1)
            out.append(a + np.linspace(0.0, 1.0, n + 1)[:, None] * (b - a))
    return np.concatenate(out)


def _inside(xy: np.ndarray, box: Bbox, margin: np.ndarray | float) -> int:
    x, y = xy[:, 0], xy[:, 1]
    return int(((x + margin > box.x0) & (x - margin < box.x1)
                & (y + margin > box.y0) & (y - margin < box.y1)).sum())


def _covered(box: Bbox, fig: Figure) -> list[str]:
    """What of the figure's markers and curves lies under ``box`` (where the axes show it)."""
    pt = fig.dpi / 72.0
    hits = []
    for ax in fig.axes:
        clip = Bbox.intersection(box, ax.bbox)
        if clip is None:
            continue
        for coll in ax.collections:
            if isinstance(coll, PathCollection):
                xy = coll.get_offset_transform().transform(np.asarray(coll.get_offsets()))
                radius = np.sqrt(np.asarray(coll.get_sizes(), dtype=float)) / 2.0 * pt
                found = _inside(xy, clip, np.broadcast_to(radius, len(xy)))
            elif isinstance(coll, LineCollection):
                found = sum(_inside(_dense(coll.get_transform().transform(seg)), clip, 0.0)
                            for seg in coll.get_segments())
            else:
                continue
            if found:
                hits.append(f"{found} points of {coll.get_label()!r}")
        for line in ax.get_lines():
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            found = 0
            if line.get_linestyle() not in ("None", "none", "", " "):
                found += _inside(_dense(xy), clip, line.get_linewidth() / 2.0 * pt)
            if line.get_marker() not in (None, "None", "none", "", " "):
                found += _inside(xy[np.isfinite(xy).all(axis=1)], clip,
                                 line.get_markersize() / 2.0 * pt)
            if found:
                hits.append(f"{found} points of line {line.get_label()!r}")
    return hits


def test_no_legend_covers_a_marker_or_a_curve(drawn):
    checked = 0
    for name, fig in drawn.items():
        legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
        for found in legends:
            assert not _covered(found.get_window_extent(), fig), (name, _covered(
                found.get_window_extent(), fig))
            checked += 1
    # a legend in every figure but the residuals of ungrouped runs (which need none)
    assert checked >= len(drawn) - 2


def test_the_measure_sees_a_legend_over_data():
    fig = Figure(figsize=(3.4, 2.6), layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(np.linspace(0, 1, 50), np.linspace(0, 1, 50), label="runs")
    ax.plot([0, 1], [1, 0], label="law")
    made = ax.legend(loc="center")  # over both, on purpose
    _drawn(fig)
    assert len(_covered(made.get_window_extent(), fig)) == 2


def test_a_legend_goes_to_the_corner_the_data_leave_empty():
    fig = Look().new_figure()
    ax = fig.add_subplot()
    x = np.linspace(0.0, 1.0, 40)
    ax.scatter(x, 1.0 - x ** 0.5, label="runs")  # the upper right stays empty...
    ax.plot(x, 0.9 - x ** 0.5 + 0.1 * x, label="law")
    ax.scatter([0.05, 0.95], [0.95, 0.05], label="ends")  # ...and the other corners are not
    made = legend(ax)
    place_legends(fig, [ax])
    _drawn(fig)
    assert made is ax.get_legend() and not _covered(made.get_window_extent(), fig)
    assert made.get_window_extent().x1 > ax.bbox.x0 + 0.6 * ax.bbox.width  # upper right
    assert made.get_window_extent().y1 > ax.bbox.y0 + 0.6 * ax.bbox.height


def test_a_legend_goes_below_when_the_data_fill_the_axes():
    fig = Look().new_figure()
    ax = fig.add_subplot()
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 30), np.linspace(0, 1, 30))).reshape(2, -1)
    ax.scatter(*grid, label="everywhere")
    legend(ax)
    place_legends(fig, [ax])
    _drawn(fig)
    assert ax.get_legend() is None and len(fig.legends) == 1
    assert fig.legends[0].get_window_extent().y1 <= ax.bbox.y0


# -- log axes ------------------------------------------------------------------------------------
def _labelled(axis) -> list[str]:
    lo, hi = sorted(axis.get_view_interval())
    pairs = zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False)
    return [t.get_text() for v, t in pairs
            if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9) and t.get_visible() and t.get_text()]


def test_every_log_axis_shows_at_least_three_labelled_ticks(drawn):
    checked = 0
    for name, fig in drawn.items():
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_scale() != "log":
                    continue
                if not any(t.label1.get_visible() or t.label2.get_visible()
                           for t in axis.get_major_ticks()):
                    continue  # a shared axis whose labels its neighbour shows
                labels = _labelled(axis)
                assert len(labels) >= 3, (name, axis.axis_name, labels)
                checked += 1
    assert checked >= 2 * len(drawn)  # not a vacuous pass: most figures are log-log


@pytest.mark.parametrize("lo, hi", [(1.8, 3.6), (2.0, 2.4), (2.0, 20.0), (3e7, 4e9),
                                    (7e7, 1.6e10), (1e17, 1e24), (1e-5, 2e-3), (0.5, 1e5)])
def test_log_ticks_label_at_least_three_values_of_any_span(lo, hi):
    ticks = log_tick_values(lo, hi)
    assert 3 <= len(ticks) <= 9
    assert np.all(np.diff(ticks) > 0) and ticks.min() >= lo * (1 - 1e-9)
    assert ticks.max() <= hi * (1 + 1e-9)


def test_log_labels_keep_one_form_along_an_axis():
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(50, 2e5)  # 100 to 10^5: all written as powers of ten, 100 included
    ax.set_ylim(2e7, 3e9)
    label_log_axis(ax.xaxis)
    label_log_axis(ax.yaxis, sizes=True)
    _drawn(fig)
    assert _labelled(ax.xaxis) == ["$10^{2}$", "$10^{3}$", "$10^{4}$", "$10^{5}$"]
    assert _labelled(ax.yaxis) == ["30M", "100M", "300M", "1B", "3B"]
    assert isinstance(ax.yaxis.get_major_formatter(), LogLabels)


# -- markers, curves and bands -----------------------------------------------------------------
def _runs(fig: Figure) -> PathCollection:
    return next(c for c in fig.axes[0].collections if isinstance(c, PathCollection))


def test_markers_shrink_and_fade_as_the_runs_grow_in_number(drawn):
    few, some, many = (_runs(drawn[n]) for n in ("fit-joint", "fit", "fit-checkpoints"))
    assert [len(c.get_offsets()) for c in (few, some, many)] == [12, 240, 4800]
    sizes = [float(c.get_sizes()[0]) for c in (few, some, many)]
    alphas = [float(c.get_alpha()) for c in (few, some, many)]
    assert sizes[0] > sizes[1] > sizes[2] and alphas[0] > alphas[1] > alphas[2]
    assert sizes[2] < 0.3 * sizes[0] and alphas[2] <= 0.3  # a density, not a blob
    assert many.get_rasterized() and not some.get_rasterized()  # a PDF of it stays small


def test_curves_are_drawn_above_the_points(drawn):
    for name in ("fit", "fit-joint", "fit-checkpoints", "backtest", "curves", "isoflop"):
        for ax in drawn[name].axes:
            points = [c.get_zorder() for c in ax.collections if isinstance(c, PathCollection)]
            curves = [ln.get_zorder() for ln in ax.get_lines()
                      if ln.get_linestyle() not in ("None", "none")]
            if points and curves:
                assert min(curves) > max(points), name


def test_bands_are_visible_in_print_and_colour_blind_safe(drawn):
    for name in ("fit", "fit-joint"):
        bands = [c for c in drawn[name].axes[0].collections if isinstance(c, PolyCollection)]
        assert bands, name
        for found in bands:
            face, edge = found.get_facecolor()[0], found.get_edgecolor()[0]
            assert 0.25 <= face[3] <= 0.5  # seen, without hiding the points under it
            assert edge[3] >= 0.8 and found.get_linewidth()[0] >= 0.5  # an edge line
            assert to_hex(face[:3]) in {c.lower() for c in OKABE_ITO}


# -- titles and labels -------------------------------------------------------------------------
def test_titles_come_from_the_law_and_can_be_replaced(drawn):
    assert drawn["fit"].axes[0].get_title() == "Chinchilla (Hoffmann et al. 2022)"
    assert drawn["fit-joint"].axes[0].get_title() == r"$A x^{- \alpha} + E$"
    assert drawn["residuals"].get_suptitle() == "Chinchilla (Hoffmann et al. 2022): residuals"
    fit, ds = GALLERY.chinchilla_fit(), GALLERY.chinchilla()
    assert fit_figure(fit, ds, title="Our sweep").axes[0].get_title() == "Our sweep"
    assert fit_figure(fit, ds, title="").axes[0].get_title() == ""
    assert residuals_figure(fit, title="Residuals").get_suptitle() == "Residuals"
    assert curves_figure(GALLERY.curves()).axes[0].get_title() == ""  # no law, no title
    long = curves_figure(GALLERY.curves(), title="A title far too long to fit across one "
                         "column of a two-column paper at eight points").axes[0].get_title()
    assert "\n" in long and max(len(line) for line in long.split("\n")) < 60


def test_labels_use_the_fields_symbols(drawn):
    ax = drawn["fit"].axes[0]
    assert ax.get_xlabel() == "training compute $C$ (FLOPs)" and ax.get_ylabel() == "loss $L$"
    assert drawn["fit"].axes[1].get_ylabel() == "parameters $N$"
    labels = [ln.get_label() for ln in ax.get_lines() if ln.get_label().startswith("law at")]
    # sizes as people write them, never 5.73e+07
    assert labels and all("e+" not in lab and lab[-1] in "MB" for lab in labels)


# -- the corner plot -----------------------------------------------------------------------------
def test_corner_uses_natural_scales_greek_symbols_bins_from_the_sample_and_intervals(drawn):
    fig = drawn["corner"]
    boot = GALLERY.chinchilla_fit().bootstrap(200, seed=0)
    k = len(boot.names)
    bottom = [ax for ax in fig.axes if ax.get_xlabel()]  # the bottom row
    assert [ax.get_xlabel() for ax in bottom] == ["$A$", "$B$", "$E$", r"$\alpha$",
                                                  r"$\beta$"]
    log = {p.name: p.log for p in boot.law.parameters}
    for ax, name in zip(bottom, boot.names, strict=True):
        assert ax.get_xscale() == ("log" if log[name] else "linear"), name
    diagonal = [ax for ax in fig.axes if ax.patches]
    assert len(diagonal) == k
    good = boot.samples[boot.ok]
    for j, (ax, name) in enumerate(zip(diagonal, boot.names, strict=True)):
        values = np.log10(good[:, j]) if log[name] else good[:, j]
        fd = len(np.histogram_bin_edges(values, bins="fd")) - 1  # numpy's Freedman-Diaconis
        assert len(ax.patches) == min(max(fd, 5), 50) < 30, name
        estimate, lo, hi = (float(ln.get_xdata()[0]) for ln in ax.get_lines())
        assert estimate == pytest.approx(boot.estimate[j])
        assert (lo, hi) == pytest.approx(boot.interval(name, 0.9))
        assert [ln.get_linestyle() for ln in ax.get_lines()] == ["-", "--", "--"]


# -- the figure options ----------------------------------------------------------------------------
def test_width_dpi_and_style(tmp_path):
    fit, ds = GALLERY.chinchilla_fit(), GALLERY.chinchilla()
    paper = fit_figure(fit, ds)
    assert paper.get_size_inches()[0] == pytest.approx(3.4)
    wide = fit_figure(fit, ds, width=5.0, dpi=120)
    w, h = wide.get_size_inches()
    assert (w, wide.dpi) == (5.0, 120)
    assert h / w == pytest.approx(paper.get_size_inches()[1] / 3.4)  # proportions kept
    png = imread(save_figure(wide, tmp_path / "wide.png"))  # at the figure's own dpi
    assert png.shape[1] == 600
    assert imread(save_figure(paper, tmp_path / "paper.png")).shape[1] == 1020  # 300 dpi
    slide = fit_figure(fit, ds, style="slide")
    assert slide.get_size_inches()[0] == pytest.approx(6.8)
    assert slide.axes[0].title.get_fontsize() == 14.0 == 1.75 * paper.axes[0].title.get_fontsize()
    assert _runs(slide).get_sizes()[0] > _runs(paper).get_sizes()[0]


@pytest.mark.parametrize("options, message", [
    ({"style": "poster"}, "unknown figure style 'poster'"),
    ({"width": 0}, "width must be a positive number"),
    ({"width": "3.4"}, "width must be a positive number"),
    ({"dpi": 5000}, "dpi must be a positive number up to 1200"),
    ({"dpi": float("nan")}, "dpi must be a positive number"),
])
def test_bad_figure_options_are_refused(options, message):
    fit, ds = GALLERY.chinchilla_fit(), GALLERY.chinchilla()
    with pytest.raises(OptionError, match=message):
        fit_figure(fit, ds, **options)
    with pytest.raises(OptionError, match=message):
        corner_figure(fit.bootstrap(5, seed=0), **options)


def test_save_figure_refuses_a_bad_dpi(tmp_path):
    with pytest.raises(OptionError, match="dpi must be a positive number"):
        save_figure(GALLERY.figure("curves"), tmp_path / "x.png", dpi=-1)
    assert not (tmp_path / "x.png").exists()


cli = typer.Typer()


@cli.callback()
def _root() -> None:
    """The plot command alone, as the main app registers it."""


cli.command("plot", context_settings=EXTRA)(plot_command)


def test_plot_command_takes_title_width_dpi_and_style(tmp_path):
    runner = CliRunner()
    out = tmp_path / "fit.png"
    result = runner.invoke(cli, ["plot", "chinchilla", "--law", "chinchilla", "--kind", "fit",
                                 "--exclude", "epoch_excluded", "--title", "Our sweep",
                                 "--style", "slide", "--width", "5", "--dpi", "100",
                                 "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert imread(out).shape[1] == 500  # 5 in at 100 dpi
    narrow = tmp_path / "narrow.png"
    result = runner.invoke(cli, ["plot", "chinchilla", "--law", "chinchilla", "--kind",
                                 "residuals", "--width", "4", "--out", str(narrow)])
    assert result.exit_code == 0 and imread(narrow).shape[1] == 1200  # paper: 300 dpi


@pytest.mark.parametrize("args, message", [
    (["--style", "poster"], "unknown figure style 'poster' — option --style"),
    (["--width", "-2"], "width must be a positive number up to 40, got -2.0 — option --width"),
    (["--dpi", "0"], "dpi must be a positive number up to 1200, got 0.0 — option --dpi"),
])
def test_plot_command_exits_2_on_a_bad_figure_option(tmp_path, args, message):
    out = tmp_path / "x.png"
    result = CliRunner().invoke(cli, ["plot", "chinchilla", "--law", "chinchilla", "--kind",
                                      "fit", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert not out.exists()


# -- the gallery ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_gallery_script_writes_every_kind_small(tmp_path):
    GALLERY.main(["--out", str(tmp_path)])
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written == sorted(f"gallery-{name}.png" for name in NAMES)
    kinds = {"fit", "residuals", "isoflop", "backtest", "corner", "curves"}
    assert kinds <= {name.split("-")[0] for name in NAMES}
    for path in tmp_path.glob("*.png"):
        assert 5_000 < path.stat().st_size <= 150_000, path.name
    committed = sorted(p.name for p in (ROOT / "docs" / "images").glob("gallery-*.png"))
    assert committed == written


def test_the_gallery_page_shows_every_image():
    page = (ROOT / "docs" / "gallery.md").read_text()
    for name in NAMES:
        assert f"images/gallery-{name}.png" in page
    assert "make_gallery.py" in page
