"""Tests of scalinglaws.report.figures: every figure's content, scales and bands, the files
save_figure writes, bad inputs, and the ``scalinglaws plot`` command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.image import imread
from typer.testing import CliRunner

import scalinglaws as sl
from scalinglaws.cli.common import EXTRA
from scalinglaws.cli.plot import plot_command
from scalinglaws.exceptions import DataError, OptionError, ScalingLawError
from scalinglaws.report.figures import (
    backtest_figure,
    corner_figure,
    curves_figure,
    fit_figure,
    isoflop_figure,
    residuals_figure,
    save_figure,
)

# the small synthetic fits here are barely determined on purpose; their warnings are not tested
pytestmark = pytest.mark.filterwarnings("ignore::scalinglaws.ScalingLawWarning")


# -- data and fits ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chinchilla() -> tuple[sl.FitResult, sl.Dataset]:
    ds = sl.datasets.load("chinchilla")
    ds = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    return sl.fit("chinchilla", ds), ds


@pytest.fixture(scope="module")
def boot(chinchilla) -> sl.Bootstrap:
    return chinchilla[0].bootstrap(30, seed=0)


def _families(floors: tuple[float, float] = (1.8, 2.0)) -> sl.Dataset:
    rng = np.random.default_rng(0)
    rows = []
    for family, floor in zip(("small-vocab", "large-vocab"), floors, strict=True):
        for n in np.geomspace(1e7, 1e10, 12):
            rows.append((family, n, floor + 300 * n**-0.3 * np.exp(0.01 * rng.standard_normal())))
    return sl.Dataset.from_frame(pd.DataFrame(rows, columns=["family", "params", "loss"]))


def _isoflop_runs() -> sl.Dataset:
    rows = []
    for c in (1e18, 1e19, 1e20, 1e21):
        n_opt = 1.35 * (c / 6) ** (0.28 / 0.62)
        for n in n_opt * np.geomspace(0.2, 5, 9):
            d = c / (6 * n)
            rows.append((c, n, d, 1.69 + 406.4 / n**0.34 + 410.7 / d**0.28))
    return sl.Dataset.from_frame(pd.DataFrame(rows, columns=["flops", "params", "tokens",
                                                             "loss"]))


def _curves() -> sl.Dataset:
    rows = []
    for k, n in enumerate(np.geomspace(1e8, 1e9, 3)):
        for step in np.geomspace(10, 1e4, 30):
            d = step * 5e5
            rows.append((f"run-{k}", n, step, d, 1.7 + 400 / n**0.34 + 410 / d**0.28))
    return sl.Dataset.from_frame(pd.DataFrame(rows, columns=["run", "params", "step", "tokens",
                                                             "loss"]))


def _bands(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _points(ax) -> list[PathCollection]:
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def _band_range(poly: PolyCollection) -> tuple[float, float]:
    y = np.concatenate([p.vertices[:, 1] for p in poly.get_paths()])
    return float(np.nanmin(y)), float(np.nanmax(y))


def _colours_in(path: Path) -> int:
    """How many distinct RGBA colours a PNG holds."""
    pixels = np.ascontiguousarray((imread(path) * 255).round().astype(np.uint8))
    return len(np.unique(pixels.view(np.uint32)))


def _check_files(fig: Figure, folder: Path, stem: str) -> None:
    """The figure saved as PNG, PDF and SVG: each a real, non-blank file of a sane size."""
    for ext in ("png", "pdf", "svg"):
        path = save_figure(fig, folder / f"{stem}.{ext}")
        data = path.read_bytes()
        # a column-sized figure: tens of KB to a few MB (a blank one would be ~1-3 KB)
        assert 5_000 < len(data) < 5_000_000, (ext, len(data))
        if ext == "png":
            assert _colours_in(path) > 10  # drawn, not one flat colour
        elif ext == "pdf":
            assert data.startswith(b"%PDF") and b"/FontFile2" in data  # TrueType embedded
        else:
            assert b"<svg" in data[:1000]
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]  # atomic: no leftovers


# -- fit_figure -------------------------------------------------------------------------------
@pytest.mark.slow
def test_fit_figure_compute_view_has_the_frontier_band(chinchilla, tmp_path):
    fit, ds = chinchilla
    fig = fit_figure(fit, ds)
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert ax.get_xlabel() == "training compute $C$ (FLOPs)" and ax.get_ylabel() == "loss $L$"
    assert len(ax.collections[0].get_offsets()) == len(ds)
    (poly,) = _bands(ax)
    assert poly.get_label() == "90% interval (delta method)"
    frontier = next(ln for ln in ax.get_lines() if ln.get_label() == "compute-optimal frontier")
    lo, hi = _band_range(poly)
    loss = np.asarray(frontier.get_ydata(), dtype=float)
    assert lo <= np.nanmin(loss) and np.nanmax(loss) <= hi
    # the band's width is the delta interval at the optimum: narrow inside the data
    c = np.asarray(frontier.get_xdata(), dtype=float)
    opt = sl.plan.compute_optimal(fit, 1e21)
    b_lo, b_hi = fit.predict_interval(0.9, params=opt.params, tokens=opt.tokens)
    assert b_lo < opt.loss < b_hi and (b_hi - b_lo) / opt.loss < 0.05
    assert c.min() < 1e21 < c.max()
    _check_files(fig, tmp_path, "fit")


def test_fit_figure_band_comes_from_an_attached_bootstrap(chinchilla, boot):
    fit, ds = chinchilla
    ax = fit_figure(fit.with_bootstrap(boot), ds, level=0.8).axes[0]
    (poly,) = _bands(ax)
    assert poly.get_label() == "80% interval (bootstrap)"


@pytest.mark.slow
def test_fit_figure_colours_families_and_draws_one_band_per_group_of_a_shared_fit(tmp_path):
    same = _families((1.8, 1.8))  # one law for both families
    plain = sl.fit("E + A*x**(-alpha)", same, x="params")
    ax = fit_figure(plain, same).axes[0]
    assert [c.get_label() for c in _points(ax)] == ["small-vocab", "large-vocab"]
    assert len(_bands(ax)) == 1 and len(ax.get_lines()) == 1
    colours = {tuple(c.get_facecolor()[0][:3]) for c in _points(ax)}
    assert len(colours) == 2
    ds = _families()
    joint = sl.fit("E + A*x**(-alpha)", ds, x="params", by="family", shared=["alpha"])
    fig = fit_figure(joint, ds)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert len(_points(ax)) == 2 and len(_bands(ax)) == 2
    curves = [ln for ln in ax.get_lines() if ln.get_label().startswith("fitted law")]
    assert len(curves) == 2
    for line, group in zip(curves, joint.groups, strict=True):
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        np.testing.assert_allclose(y, joint.predict(family=group, params=x), rtol=1e-12)
    _check_files(fig, tmp_path, "shared")


def test_fit_figure_of_a_fit_without_covariance_draws_no_band():
    ds = _families((1.8, 1.8))
    fit = sl.fit("E + A*x**(-alpha)", ds, x="params")
    import dataclasses

    blind = dataclasses.replace(fit, cov=np.full_like(np.asarray(fit.cov), np.nan))
    ax = fit_figure(blind, ds).axes[0]
    assert _bands(ax) == [] and len(ax.get_lines()) == 1


# -- residuals_figure -------------------------------------------------------------------------
def test_residuals_figure_one_log_panel_per_input(chinchilla, tmp_path):
    fit, ds = chinchilla
    fig = residuals_figure(fit)
    assert [ax.get_xlabel() for ax in fig.axes] == ["parameters $N$", "training tokens $D$"]
    assert all(ax.get_xscale() == "log" for ax in fig.axes)
    assert fig.axes[0].get_ylabel() == r"$\ln(y/\hat{y})$, loss"
    offsets = np.asarray(_points(fig.axes[0])[0].get_offsets())
    assert len(offsets) == len(ds)
    predicted = fit.predict(params=ds.params, tokens=ds.tokens)
    np.testing.assert_allclose(offsets[:, 1], np.log(ds.loss / predicted), atol=1e-12)
    assert any(np.allclose(ln.get_ydata(), 0.0) for ln in fig.axes[1].get_lines())
    _check_files(fig, tmp_path, "residuals")


def test_residuals_figure_groups_and_needs_data(chinchilla):
    ds = _families()
    joint = sl.fit("E + A*x**(-alpha)", ds, x="params", by="family", shared=["alpha"])
    ax = residuals_figure(joint, ds).axes[0]
    assert sum(len(c.get_offsets()) for c in _points(ax)) == len(ds)
    assert len(_points(ax)) == 2
    fit, _ = chinchilla
    # as read from a file saved without its runs
    saved = sl.FitResult.from_dict({k: v for k, v in fit.to_dict().items() if k != "data"})
    with pytest.raises(DataError, match="no data"):
        residuals_figure(saved)


# -- isoflop_figure ---------------------------------------------------------------------------
@pytest.mark.slow
def test_isoflop_figure_parabolas_and_power_law(tmp_path):
    ds = _isoflop_runs()
    iso = sl.plan.isoflop(ds, n_boot=50)
    fig = isoflop_figure(iso, ds)
    left, right = fig.axes[:2]
    assert left.get_xscale() == "log" and left.get_xlabel() == "parameters $N$"
    assert len(_points(left)) == 4 and sum(len(c.get_offsets()) for c in _points(left)) == 36
    parabolas = [ln for ln in left.get_lines() if len(ln.get_xdata()) > 1]
    assert len(parabolas) == 4
    for line, row in zip(parabolas, iso.budgets.itertuples(), strict=True):
        y = np.asarray(line.get_ydata(), dtype=float)
        assert np.nanmin(y) == pytest.approx(row.loss_opt, rel=1e-4)  # vertex on the grid
    assert (right.get_xscale(), right.get_yscale()) == ("log", "log")
    assert len(right.collections[-1].get_offsets()) == 4
    labels = [t.get_text() for t in right.get_legend().get_texts()]
    assert any(f"$a$ = {iso.a:.3f}" in t for t in labels)
    _check_files(fig, tmp_path, "isoflop")


def test_isoflop_figure_without_runs_still_draws_the_fits():
    iso = sl.plan.isoflop(_isoflop_runs(), n_boot=0)
    left, right = isoflop_figure(iso).axes[:2]
    assert _points(left) == [] and len(left.get_lines()) == 8  # 4 parabolas, 4 minima
    assert not any(isinstance(c, LineCollection) for c in right.collections)  # no intervals
    with pytest.raises(OptionError, match="IsoFlop"):
        isoflop_figure("iso")  # type: ignore[arg-type]


def test_isoflop_figure_draws_the_envelope_beside_the_parabolas():
    ds = _isoflop_runs()
    iso, env = sl.plan.isoflop(ds, n_boot=0), sl.plan.envelope(ds)
    right = isoflop_figure(iso, ds, envelope=env).axes[1]
    squares = right.collections[-1].get_offsets()
    np.testing.assert_allclose(np.asarray(squares)[:, 1], env.frame["params"].to_numpy())
    line = right.get_lines()[-1]
    x, y = (np.asarray(v, dtype=float) for v in line.get_data())
    np.testing.assert_allclose(y, env.predict(x)[0], rtol=1e-12)  # the envelope's power law
    labels = [t.get_text() for t in right.get_legend().get_texts()]
    assert any(f"envelope, $a$ = {env.a:.3f}" in t for t in labels)
    with pytest.raises(OptionError, match="Envelope"):
        isoflop_figure(iso, ds, envelope=iso)  # type: ignore[arg-type]


# -- backtest_figure --------------------------------------------------------------------------
def test_backtest_figure_two_input_law(chinchilla, tmp_path):
    _, ds = chinchilla
    bt = sl.validate.backtest("chinchilla", ds, train="flops<1e21", n_boot=0)
    fig = backtest_figure(bt)
    ax = fig.axes[0]
    # a law of N and D is drawn against compute, where the split by compute shows
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "training compute $C$ (FLOPs)"
    assert ax.get_title() == "Backtest of Chinchilla (Hoffmann et al. 2022)"
    train, test = _points(ax)
    assert len(train.get_offsets()) == bt.n_train and len(test.get_offsets()) == bt.n_test
    assert np.asarray(train.get_offsets())[:, 0].max() < 1e21 <= np.asarray(
        test.get_offsets())[:, 0].min()
    (forecast,) = [ln for ln in ax.get_lines() if ln.get_label() == "forecast"]
    np.testing.assert_allclose(np.asarray(forecast.get_ydata(), dtype=float),
                               bt.points["predicted"])
    (bars,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(bars.get_segments()) == bt.n_test
    # against model size when asked
    assert backtest_figure(bt, x="params").axes[0].get_xlabel() == "parameters $N$"
    _check_files(fig, tmp_path, "backtest")


def test_backtest_figure_one_input_law_has_a_band():
    ds = _families()
    ds = ds[ds.labels("family") == "small-vocab"]
    bt = sl.validate.backtest("E + A*x**(-alpha)", ds, x="params", train="largest=4",
                              n_boot=20)
    ax = backtest_figure(bt).axes[0]
    (poly,) = _bands(ax)
    lo, hi = _band_range(poly)
    assert lo <= bt.points["predicted"].min() and bt.points["predicted"].max() <= hi
    with pytest.raises(OptionError, match="does not read 'tokens'"):
        backtest_figure(bt, x="tokens")
    with pytest.raises(OptionError, match="does not read 'flops'"):
        backtest_figure(bt, x="flops")  # no compute for a law of model size alone


# -- corner_figure ----------------------------------------------------------------------------
def test_corner_figure(chinchilla, boot, tmp_path):
    fit, _ = chinchilla
    fig = corner_figure(fit.with_bootstrap(boot), ["E", "alpha", "beta"])
    assert len(fig.axes) == 6  # 3 histograms and 3 scatters, nothing above the diagonal
    hist = fig.axes[0]
    # Freedman-Diaconis on 30 resamples: a handful of bins, never the old fixed 30
    assert 5 <= len(hist.patches) <= 10
    estimate, lo, hi = (ln.get_xdata()[0] for ln in hist.get_lines())
    assert estimate == pytest.approx(fit.params["E"])
    assert (lo, hi) == pytest.approx(boot.interval("E", 0.9))
    scatters = [ax for ax in fig.axes if _points(ax)]
    assert len(scatters) == 3
    assert all(len(_points(ax)[0].get_offsets()) == int(boot.ok.sum()) for ax in scatters)
    assert [ax.get_xlabel() for ax in fig.axes if ax.get_xlabel()] == [
        "$E$", r"$\alpha$", r"$\beta$"]
    _check_files(fig, tmp_path, "corner")


def test_corner_figure_rejects_bad_input(chinchilla, boot):
    fit, _ = chinchilla
    with pytest.raises(OptionError, match="carries no bootstrap"):
        corner_figure(fit)
    with pytest.raises(OptionError, match="distinct parameters"):
        corner_figure(boot, ["alpha", "gamma"])
    failed = sl.Bootstrap(law=boot.law, estimate=boot.estimate,
                          samples=np.full_like(boot.samples, np.nan), by=None, n_clusters=1,
                          seed=0, n_moved=0, residuals=boot.residuals, log_space=True)
    with pytest.raises(DataError, match="0 successful"):
        corner_figure(failed)


# -- curves_figure ----------------------------------------------------------------------------
def test_curves_figure_with_a_fit(tmp_path):
    ds = _curves()
    fit = sl.fit("chinchilla", ds)
    fig = curves_figure(ds, fit, x="tokens")
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    solid = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-"]
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(solid) == len(dashed) == 3
    x, y = (np.asarray(v, dtype=float) for v in dashed[0].get_data())
    np.testing.assert_allclose(y, fit.predict(params=1e8, tokens=x), rtol=1e-10)
    assert solid[0].get_color() == dashed[0].get_color()
    _check_files(fig, tmp_path, "curves")
    plain = curves_figure(ds).axes[0]
    assert len(plain.get_lines()) == 3 and plain.get_xlabel() == "step"


def test_curves_figure_rejects_bad_input():
    ds = _curves()
    fit = sl.fit("chinchilla", ds)
    # the law reads params and tokens: against step it needs both in the data
    no_tokens = sl.Dataset.from_frame(ds.to_frame().drop(columns="tokens"))
    with pytest.raises(OptionError, match="lack its input"):
        curves_figure(no_tokens, fit, x="step")
    with pytest.raises(OptionError, match="no column 'seed'"):
        curves_figure(ds, by="seed")
    with pytest.raises(DataError, match="Dataset"):
        curves_figure(pd.DataFrame({"step": [], "loss": []}))  # type: ignore[arg-type]


# -- save_figure ------------------------------------------------------------------------------
def test_save_figure_errors(chinchilla, tmp_path):
    fit, ds = chinchilla
    fig = fit_figure(fit, ds)
    with pytest.raises(OptionError, match=r"extension '\.jpg'"):
        save_figure(fig, tmp_path / "fit.jpg")
    with pytest.raises(OptionError, match="extension"):
        save_figure(fig, tmp_path / "fit")
    with pytest.raises(DataError, match="does not exist"):
        save_figure(fig, tmp_path / "missing" / "fit.pdf")
    (tmp_path / "taken.png").mkdir()  # a folder where the file should go
    with pytest.raises(DataError, match="cannot write"):
        save_figure(fig, tmp_path / "taken.png")
    with pytest.raises(DataError, match="blank"):
        save_figure(Figure(), tmp_path / "blank.png")
    assert not (tmp_path / "blank.png").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a folder the user cannot write to")
def test_save_figure_unwritable_folder(chinchilla, tmp_path):
    fit, ds = chinchilla
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ScalingLawError, match="cannot write"):
            save_figure(fit_figure(fit, ds), locked / "fit.png")
    finally:
        locked.chmod(0o700)


# -- the command line -------------------------------------------------------------------------
cli = typer.Typer()


@cli.callback()
def _root() -> None:
    """The plot command alone, as the main app registers it."""


cli.command("plot", context_settings=EXTRA)(plot_command)
runner = CliRunner()


def _run(*args, code=0):
    result = runner.invoke(cli, ["plot", *map(str, args)])
    assert result.exit_code == code, (args, result.output, result.stderr)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def files(chinchilla, boot, tmp_path_factory):
    fit, _ = chinchilla
    folder = tmp_path_factory.mktemp("cli")
    fit.save(folder / "fit.json")
    bare = {k: v for k, v in fit.to_dict().items() if k != "data"}  # saved without its runs
    (folder / "bare.json").write_text(json.dumps(bare))
    fit.with_bootstrap(boot).save(folder / "boot.json")
    _isoflop_runs().to_frame().to_csv(folder / "iso.csv", index=False)
    _curves().to_frame().to_csv(folder / "curves.csv", index=False)
    ds = _families()
    ds.to_frame().to_csv(folder / "families.csv", index=False)
    sl.fit("E + A*x**(-alpha)", ds, x="params", by="family",
           shared=["alpha"]).save(folder / "joint.json")
    return folder


@pytest.mark.parametrize("kind, args", [
    ("fit", ["{f}/fit.json", "--data", "chinchilla", "--exclude", "epoch_excluded"]),
    ("fit", ["{f}/joint.json", "--data", "{f}/families.csv"]),
    ("fit", ["{f}/joint.json", "--group", "large-vocab", "--data", "{f}/families.csv"]),
    ("residuals", ["chinchilla", "--law", "chinchilla"]),
    ("isoflop", ["{f}/iso.csv", "--n-boot", "0"]),
    ("backtest", ["chinchilla", "--law", "chinchilla", "--train", "flops<1e21", "--n-boot",
                  "0"]),
    ("corner", ["{f}/boot.json"]),
    ("curves", ["{f}/curves.csv", "--x", "step"]),
])
def test_plot_command_writes_each_kind(files, tmp_path, kind, args):
    out = tmp_path / f"{kind}.png"
    result = _run(*[a.format(f=files) for a in args], "--kind", kind, "--out", out, "--json")
    assert out.stat().st_size > 5_000
    assert f'"out": "{out}"' in result.stdout
    assert _colours_in(out) > 10


@pytest.mark.parametrize("args, message", [
    (["chinchilla", "--kind", "pie", "--out", "{o}/x.png"], "unknown figure kind"),
    (["chinchilla", "--kind", "fit", "--out", "{o}/x.jpg"], "figure format"),
    (["chinchilla", "--kind", "fit", "--out", "{o}/x.png"], "needs --law"),
    (["{f}/fit.json", "--kind", "corner", "--out", "{o}/x.png"], "carries no bootstrap"),
    (["{f}/fit.json", "--kind", "isoflop", "--out", "{o}/x.png"], "from the runs"),
    (["{f}/bare.json", "--kind", "residuals", "--out", "{o}/x.png"], "no data"),
    (["{f}/fit.json", "--kind", "fit", "--group", "a", "--out", "{o}/x.png"], "not of groups"),
    (["chinchilla", "--kind", "backtest", "--law", "chinchilla", "--out", "{o}/x.png"],
     "needs --law and --train"),
    (["{f}/missing.json", "--kind", "fit", "--out", "{o}/x.png"], "not found"),
    (["chinchilla", "--kind", "fit", "--law", "chinchilla", "--out", "{o}/no/x.png"],
     "does not exist"),
])
def test_plot_command_exits_2_on_bad_input(files, tmp_path, args, message):
    result = _run(*[a.format(f=files, o=tmp_path) for a in args], code=2)
    assert message in " ".join(result.stderr.split())
    assert not list(tmp_path.glob("*.png"))
