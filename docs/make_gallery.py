"""Draw every kind of figure at its defaults on fixed data and write the gallery's PNGs.

    PYTHONPATH=src python docs/make_gallery.py            # writes docs/images/gallery-*.png
    PYTHONPATH=src python docs/make_gallery.py --out DIR  # elsewhere

The data are fixed: the bundled Chinchilla runs (Hoffmann et al. 2022, as Epoch AI
transcribed them) and small synthetic sweeps drawn from seeded random numbers, so the same
figures come out on every machine. ``figures()`` is also what the visual-regression tests
(``tests/test_figures_quality.py``) compare with their baselines, so the gallery shows what
the tests check. Each PNG is written at :data:`DPI` dots per inch with a palette of 256
colours, to stay well under 150 KB.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import scalinglaws as sl
from scalinglaws.report.figures import (
    backtest_figure,
    corner_figure,
    curves_figure,
    fit_figure,
    isoflop_figure,
    residuals_figure,
    save_figure,
)

#: the resolution of the gallery's PNGs (the library's default for a paper is 300)
DPI = 150
OUT = Path(__file__).resolve().parent / "images"


@cache
def chinchilla() -> sl.Dataset:
    """The bundled Chinchilla runs without those Epoch AI flags as repeated-epoch runs."""
    ds = sl.datasets.load("chinchilla")
    return ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]


@cache
def chinchilla_fit() -> sl.FitResult:
    return sl.fit("chinchilla", chinchilla())


@cache
def families() -> sl.Dataset:
    """Two families of 12 model sizes whose losses follow E + A·N^-0.3 with floors 1.8 and
    2.0, with 1% noise."""
    rng = np.random.default_rng(0)
    rows = []
    for family, floor in (("small-vocab", 1.8), ("large-vocab", 2.0)):
        for n in np.geomspace(1e7, 1e10, 12):
            rows.append((family, n, floor + 300 * n**-0.3 * np.exp(0.01 * rng.standard_normal())))
    return sl.Dataset.from_frame(pd.DataFrame(rows, columns=["family", "params", "loss"]))


@cache
def checkpoints() -> sl.Dataset:
    """4,800 checkpoints: 40 model sizes × 120 token counts on the Chinchilla law, 1% noise."""
    rng = np.random.default_rng(1)
    n, d = np.meshgrid(np.geomspace(5e7, 5e9, 40), np.geomspace(1e9, 2e11, 120))
    loss = (1.69 + 406.4 / n**0.34 + 410.7 / d**0.28) * np.exp(0.01 * rng.standard_normal(n.shape))
    return sl.Dataset.from_frame(pd.DataFrame({"params": n.ravel(), "tokens": d.ravel(),
                                               "loss": loss.ravel()}))


@cache
def curves() -> sl.Dataset:
    """Loss curves of four runs (70M to 1.4B parameters, 20 tokens per parameter at the end)
    on the Chinchilla law, 0.5% noise."""
    rng = np.random.default_rng(2)
    rows = []
    for n in (7e7, 2e8, 5e8, 1.4e9):
        for step in np.geomspace(100, 20 * n / 1e6, 40):
            d = step * 1e6  # a million tokens per step
            loss = (1.69 + 406.4 / n**0.34 + 410.7 / d**0.28) * np.exp(
                0.005 * rng.standard_normal())
            rows.append((f"{sl.common.numbers.size(n, 2)}", n, step, d, loss))
    return sl.Dataset.from_frame(pd.DataFrame(rows, columns=["run", "params", "step", "tokens",
                                                             "loss"]))


def _fit() -> Figure:
    return fit_figure(chinchilla_fit(), chinchilla())


def _fit_joint() -> Figure:
    joint = sl.fit("E + A*x**(-alpha)", families(), x="params", by="family", shared=["alpha"])
    return fit_figure(joint, families())


def _fit_checkpoints() -> Figure:
    return fit_figure(sl.fit("chinchilla", checkpoints()), checkpoints())


def _fit_slide() -> Figure:
    return fit_figure(chinchilla_fit(), chinchilla(), style="slide")


def _residuals() -> Figure:
    return residuals_figure(chinchilla_fit())


def _isoflop() -> Figure:
    runs = sl.datasets.load("chinchilla")
    return isoflop_figure(sl.plan.isoflop(runs, budgets="log"), runs)


def _backtest() -> Figure:
    return backtest_figure(sl.validate.backtest("chinchilla", chinchilla(), train="flops<1e21"))


def _corner() -> Figure:
    return corner_figure(chinchilla_fit().bootstrap(200, seed=0))


def _curves() -> Figure:
    return curves_figure(curves(), sl.fit("chinchilla", curves()))


#: name -> (what the figure shows, how to draw it)
CASES: dict[str, tuple[str, Callable[[], Figure]]] = {
    "fit": ("`fit_figure(fit, data)`: Chinchilla's runs against compute", _fit),
    "fit-joint": ("`fit_figure(joint, data)`: a joint fit of two families", _fit_joint),
    "fit-checkpoints": ("`fit_figure(fit, data)`: 4,800 checkpoints", _fit_checkpoints),
    "fit-slide": ("`fit_figure(fit, data, style=\"slide\")`", _fit_slide),
    "residuals": ("`residuals_figure(fit)`", _residuals),
    "isoflop": ("`isoflop_figure(sl.plan.isoflop(runs, budgets=\"log\"), runs)`", _isoflop),
    "backtest": ("`backtest_figure(sl.validate.backtest(\"chinchilla\", data, "
                 "train=\"flops<1e21\"))`", _backtest),
    "corner": ("`corner_figure(fit.bootstrap(200, seed=0))`", _corner),
    "curves": ("`curves_figure(curves, sl.fit(\"chinchilla\", curves))`", _curves),
}


def figure(name: str) -> Figure:
    """The gallery's figure ``name`` (a fresh one each call), small fits' warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return CASES[name][1]()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the folder of the PNGs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        path = shrink(save_figure(figure(name), args.out / f"gallery-{name}.png", dpi=DPI))
        print(f"{path}  {path.stat().st_size / 1024:.0f} KB")


def shrink(path: Path) -> Path:
    """Rewrite a PNG with a palette of 256 colours (a third of the size; the figures have
    few colours, so nothing visible is lost)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path


if __name__ == "__main__":
    main()
