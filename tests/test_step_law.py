"""The Step Law (Li et al. 2025, "Predictable Scale: Part I", arXiv:2503.04715): optimal
learning rate and batch size from a learning-rate × batch-size sweep, ``sl.fit("step_law",
sweep)``.

* On the authors' released dense grid (``steplaw``: 1,911 runs, 17 (N, D) cells) the fit is
  compared with their 1,000 published bootstrap fits (``steplaw_fits``).
* On a synthetic grid with known exponents and noise the exponents are recovered.
* Predictions, the saved document, ``sl.load``, the reprs and the command line; bad input.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import scalinglaws as sl
from scalinglaws.cli.main import app
from scalinglaws.exceptions import DataError, OptionError, ResultFileError
from scalinglaws.report.figures import landscape_figure
from scalinglaws.report.figures.look import PAPER_RC

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# The paper fits the smoothed final training loss ("smooth loss": the loss curve's last value
# after a Gaussian filter), not the last logged step: the released fitting code groups runs by
# the minimum of "smooth loss", and its figures show "Train Smooth Loss". The raw final loss
# is one noisy step; on this grid it moves a cell's minimum by up to a grid step, and a
# quadratic fitted to it fails to be convex around the minimum in several cells.
SMOOTH = "smooth loss"
#: the authors' published fit: medians of their 1,000 bootstrap fits and 2.5-97.5% ranges
#: (../shared/data/MANIFEST.md, recomputed from steplaw_fits below)
PUBLISHED = {"lr_exp_params": (-0.7122, -0.774, -0.655),
             "lr_exp_tokens": (0.3070, 0.271, 0.345),
             "bs_exp_tokens": (0.5713, 0.534, 0.606)}

pytestmark = pytest.mark.filterwarnings("ignore::scalinglaws.ScalingLawWarning")


# -- data ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_fit(mirror: Path) -> sl.HyperparameterFit:
    grid = sl.datasets.load("steplaw")
    return sl.fit("step_law", grid, y=SMOOTH, columns={"batch_size": "bs"}, seq_len=2048,
                  n_boot=1000, seed=0)


TRUE = {"lr_coef": 2.0, "lr_exp_params": -0.7, "lr_exp_tokens": 0.3, "bs_coef": 0.5,
        "bs_exp_tokens": 0.57}


def synthetic(noise: float = 0.001, seed: int = 0) -> pd.DataFrame:
    """A 4 × 4 (N, D) grid, each cell swept over 13 learning rates × 13 batch sizes (half-
    octave steps, each cell's grid shifted at random by up to ±0.2 in log) around the known
    optimum; the loss a Chinchilla surface plus a quadratic bowl in (log lr, log bs) with a
    cross term, times log-normal noise of ``noise`` (0.1% is about 0.0025 on these losses,
    the order of the scatter of neighbouring runs in the real grid's smooth loss)."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in (2e8, 4e8, 8e8, 1.6e9):
        for d in (5e9, 1.5e10, 4.5e10, 1.2e11):
            lr_star = TRUE["lr_coef"] * n ** TRUE["lr_exp_params"] * d ** TRUE["lr_exp_tokens"]
            bs_star = TRUE["bs_coef"] * d ** TRUE["bs_exp_tokens"]
            steps = 2.0 ** np.arange(-3, 3.5, 0.5)
            lrs = lr_star * steps * np.exp(rng.uniform(-0.2, 0.2))
            bss = bs_star * steps * np.exp(rng.uniform(-0.2, 0.2))
            for lr in lrs:
                for bs in bss:
                    u, v = np.log(lr / lr_star), np.log(bs / bs_star)
                    loss = (1.8 + 400 / n**0.34 + 400 / d**0.28 + 0.03 * u**2 + 0.02 * v**2
                            + 0.005 * u * v)
                    rows.append((n, d, lr, bs, loss * np.exp(noise * rng.standard_normal()),
                                 lr_star, bs_star))
    return pd.DataFrame(rows, columns=["params", "tokens", "lr", "batch_size", "loss",
                                       "lr_star", "bs_star"])


@pytest.fixture(scope="module")
def synth() -> pd.DataFrame:
    return synthetic()


@pytest.fixture(scope="module")
def synth_fit(synth: pd.DataFrame) -> sl.HyperparameterFit:
    return sl.fit("step_law", synth.drop(columns=["lr_star", "bs_star"]), n_boot=200, seed=0)


# -- the real grid ------------------------------------------------------------------------------
def test_published_numbers_are_the_authors_bootstrap_medians(mirror: Path) -> None:
    fits = sl.datasets.load("steplaw_fits").to_frame()
    med = fits.median()
    lo, hi = fits.quantile(0.025), fits.quantile(0.975)
    for ours, col in (("lr_exp_params", "lr_coefN"), ("lr_exp_tokens", "lr_coefD"),
                      ("bs_exp_tokens", "bs_coefD")):
        m, a, b = PUBLISHED[ours]
        assert med[col] == pytest.approx(m, abs=5e-5)
        assert lo[col] == pytest.approx(a, abs=5e-4) and hi[col] == pytest.approx(b, abs=5e-4)
    assert np.exp(med["lr_intercept"]) == pytest.approx(1.782, abs=5e-4)
    assert np.exp(med["bs_intercept"]) == pytest.approx(0.573, abs=5e-4)


def test_real_grid_every_cell_is_located_by_the_quadratic(real_fit) -> None:
    cells = real_fit.cells
    assert len(cells) == 17 and int(cells["n_runs"].sum()) == 1911
    # measured: all 17 cells convex around the minimum, the minimum inside the runs fitted
    assert (cells["method"] == "quadratic").all()
    # the smooth optimum stays within two grid steps of lr (a factor 2; measured at most
    # 1.54, at 214M and 100B tokens where the landscape is flattest) and a factor 2 in batch
    # size of the best run, and its fitted loss within 0.2% of the best run's
    assert np.all(np.abs(np.log(cells["lr_opt"] / cells["lr_argmin"])) <= np.log(2))
    assert np.all(np.abs(np.log(cells["batch_size_opt"] / cells["batch_size_argmin"]))
                  <= np.log(2))
    assert np.all(np.abs(cells["loss_opt"] / cells["loss_min"] - 1) < 2e-3)


def test_real_grid_agrees_with_the_published_fit(real_fit, mirror: Path) -> None:
    """Our bootstrap intervals overlap the published 2.5-97.5% ranges; the published medians
    of the two lr exponents lie inside ours, and all three inside ours when the cells are
    resampled too (``resample="both"``, which adds the scatter of the cells' optima around
    the laws).

    Measured (n_boot=1000, seed 0): lr = 11.98 N^-0.7754 D^0.2799, bs = 0.153 D^0.6263
    (tokens). Intervals resampling the runs within cells: -0.875..-0.671, 0.224..0.340,
    0.573..0.676 (the published batch median, 0.5713, just below); resampling both:
    -0.985..-0.629, 0.194..0.370, 0.490..0.753. The D exponent of lr lies inside the
    published range; the N exponent (-0.7754) sits 0.0014 below it and the batch exponent
    (0.626) 0.02 above it. The released runs do not pin the published values exactly
    whatever the rule: the authors' own selection on this release (every run within 0.25%
    of its cell's minimum, least squares over those runs) gives -0.766, 0.197 and 0.613, the
    D exponent of lr far outside their published range (benchmarks/bench_step_law.py prints
    both; docs/hyperparameters.md discusses it).
    """
    for name, (_, lo, hi) in PUBLISHED.items():
        ours_lo, ours_hi = real_fit.intervals[name]
        assert ours_lo < hi and lo < ours_hi, name
        assert ours_lo < real_fit.params[name] < ours_hi, name
    for name in ("lr_exp_params", "lr_exp_tokens"):
        assert real_fit.intervals[name][0] < PUBLISHED[name][0] < real_fit.intervals[name][1]
    assert PUBLISHED["lr_exp_tokens"][1] < real_fit.params["lr_exp_tokens"] \
        < PUBLISHED["lr_exp_tokens"][2]
    both = sl.fit("step_law", sl.datasets.load("steplaw"), y=SMOOTH,
                  columns={"batch_size": "bs"}, seq_len=2048, n_boot=1000, seed=0,
                  resample="both")
    assert both.params == real_fit.params  # the estimate does not depend on the resampling
    for name, (median, _, _) in PUBLISHED.items():
        assert both.intervals[name][0] < median < both.intervals[name][1], name
    # the signs and rough sizes the paper reports: lr falls with N, rises with D; bs ~ D^0.6
    assert -1.0 < real_fit.params["lr_exp_params"] < -0.5
    assert 0.5 < real_fit.params["bs_exp_tokens"] < 0.7


def test_real_grid_predicts_what_the_published_law_recommends(real_fit) -> None:
    """At 1B parameters and 100B tokens (inside the grid's range of N, at its largest D) our
    law and the published one recommend learning rates and batch sizes within 15% and 25%
    (measured 9% and 8%): both laws pass through the same cells, so where data exist they
    agree better than their exponents suggest."""
    n, d = 1.0e9, 1.0e11
    ours = real_fit.predict(params=n, tokens=d)
    lr_pub = 1.782 * n**-0.7122 * d**0.3070
    bs_pub = 0.573 * d**0.5713
    assert abs(ours["lr"] / lr_pub - 1) < 0.15
    assert abs(ours["batch_size"] / bs_pub - 1) < 0.25
    assert ours["batch_size_sequences"] == pytest.approx(ours["batch_size"] / 2048)


def test_raw_final_loss_gives_a_worse_located_grid(mirror: Path) -> None:
    """Why the smooth loss: with the raw final loss fewer cells are convex around their
    minimum (measured: 17 of 17 with the smooth loss; 13 of 17 with the raw loss), and the
    fit says which ones fell back to the argmin."""
    grid = sl.datasets.load("steplaw")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sl.ScalingLawWarning)
        raw = sl.fit("step_law", grid, columns={"batch_size": "bs"}, seq_len=2048, n_boot=0)
    fallen = int((raw.cells["method"] != "quadratic").sum())
    assert fallen >= 2
    assert any("argmin only" in str(w.message) for w in caught)
    assert any("argmin only" in w for w in raw.warnings)


# -- synthetic grid -----------------------------------------------------------------------------
def test_synthetic_exponents_are_recovered(synth_fit) -> None:
    """Known exponents within 0.05. Over 15 noise seeds at this noise (0.1%) the largest
    error measured was 0.010, 0.010 and 0.023 (0.007, 0.005, 0.008 at 0.05% noise)."""
    for name in ("lr_exp_params", "lr_exp_tokens", "bs_exp_tokens"):
        assert abs(synth_fit.params[name] - TRUE[name]) < 0.05, name
        lo, hi = synth_fit.intervals[name]
        assert lo < synth_fit.params[name] < hi
    assert (synth_fit.cells["method"] == "quadratic").all()


def test_synthetic_smooth_optimum_beats_the_argmin(synth, synth_fit) -> None:
    """The quadratic's optimum is closer to the true one than the grid's best run: each
    cell's grid is shifted off the optimum by up to 0.2 in log, half a step of 0.35."""
    truth = synth.groupby(["params", "tokens"])[["lr_star", "bs_star"]].first().reset_index()
    cells = synth_fit.cells.merge(truth, on=["params", "tokens"])
    for opt, arg, star in (("lr_opt", "lr_argmin", "lr_star"),
                           ("batch_size_opt", "batch_size_argmin", "bs_star")):
        smooth = np.mean(np.abs(np.log(cells[opt] / cells[star])))
        raw = np.mean(np.abs(np.log(cells[arg] / cells[star])))
        assert smooth < 0.6 * raw, (opt, smooth, raw)


def test_predict_returns_the_law_and_broadcasts(synth_fit) -> None:
    p = synth_fit.params
    out = synth_fit.predict(params=1e9, tokens=2e10)
    assert set(out) == {"lr", "batch_size"}  # no seq_len: no count of sequences
    assert out["lr"] == pytest.approx(p["lr_coef"] * 1e9 ** p["lr_exp_params"]
                                      * 2e10 ** p["lr_exp_tokens"])
    assert out["batch_size"] == pytest.approx(p["bs_coef"] * 2e10 ** p["bs_exp_tokens"])
    many = synth_fit.predict(params=np.array([1e9, 2e9]), tokens=2e10)
    assert many["lr"].shape == (2,) and many["lr"][1] < many["lr"][0]  # larger N: smaller lr
    # sensible values: near the truth at a point inside the grid
    lr_true = TRUE["lr_coef"] * 1e9 ** TRUE["lr_exp_params"] * 2e10 ** TRUE["lr_exp_tokens"]
    assert abs(np.log(out["lr"] / lr_true)) < 0.1
    lo, hi = synth_fit.predict_interval(0.9, params=1e9, tokens=2e10)["lr"]
    assert lo < out["lr"] < hi
    with pytest.warns(sl.ScalingLawWarning, match="beyond"):
        synth_fit.predict(params=1e13, tokens=2e10)
    with pytest.raises(OptionError, match="params"):
        synth_fit.predict(params=-1.0, tokens=2e10)


def test_batch_law_with_model_size(synth) -> None:
    fit = sl.fit("step_law", synth.drop(columns=["lr_star", "bs_star"]),
                 bs_inputs=("params", "tokens"), n_boot=0)
    # the truth has no N in the batch law: its exponent is near 0
    assert abs(fit.params["bs_exp_params"]) < 0.05
    assert abs(fit.params["bs_exp_tokens"] - TRUE["bs_exp_tokens"]) < 0.05


def test_seq_len_converts_sequences_to_tokens(synth) -> None:
    seqs = synth.drop(columns=["lr_star", "bs_star"]).rename(columns={"batch_size": "bs"})
    seqs["bs"] = seqs["bs"] / 1024
    fit = sl.fit("step_law", seqs, columns={"batch_size": "bs"}, seq_len=1024, n_boot=0)
    direct = sl.fit("step_law", synth.drop(columns=["lr_star", "bs_star"]), n_boot=0)
    assert fit.params["bs_coef"] == pytest.approx(direct.params["bs_coef"], rel=1e-6)
    assert fit.seq_len == 1024 and fit.to_dict()["batch_unit"] == "tokens"
    assert fit.predict(params=1e9, tokens=2e10)["batch_size_sequences"] == pytest.approx(
        direct.predict(params=1e9, tokens=2e10)["batch_size"] / 1024)


# -- saved document, load, reprs ----------------------------------------------------------------
def test_save_and_load_round_trip(synth_fit, tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    synth_fit.save(path)
    doc = json.loads(path.read_text())
    assert doc["schema"] == "scalinglaws.hyperparameter_fit" and doc["schema_version"] == 1
    back = sl.load(path)
    assert isinstance(back, sl.HyperparameterFit)
    assert back == synth_fit  # params, intervals, options (not the arrays: compared below)
    np.testing.assert_allclose(back.samples, synth_fit.samples)
    pd.testing.assert_frame_equal(back.cells, synth_fit.cells, check_dtype=False)
    assert back.predict(params=1e9, tokens=2e10) == synth_fit.predict(params=1e9, tokens=2e10)
    doc["schema_version"] = 99
    path.write_text(json.dumps(doc))
    with pytest.raises(ResultFileError, match="Upgrade scalinglaws"):
        sl.load(path)


def test_reprs_show_the_laws_and_cells(synth_fit) -> None:
    text = str(synth_fit)
    assert "lr: " in text and "N^" in text and "16 quadratic" in text
    assert "lr_exp_tokens" in text
    html = synth_fit._repr_html_()
    assert "<table" in html and "Step Law" in html


# -- bad input ----------------------------------------------------------------------------------
def _grid(synth: pd.DataFrame) -> pd.DataFrame:
    return synth.drop(columns=["lr_star", "bs_star"])


def test_single_learning_rate_per_cell_is_refused(synth) -> None:
    df = _grid(synth)
    first = df.groupby(["params", "tokens"])["lr"].transform("min")
    with pytest.raises(DataError, match="learning rate is not swept"):
        sl.fit("step_law", df[df["lr"] == first], n_boot=0)


def test_missing_columns_are_named_at_once(synth) -> None:
    df = _grid(synth).drop(columns=["lr"]).rename(columns={"batch_size": "bsz"})
    with pytest.raises(DataError) as err:
        sl.fit("step_law", df, n_boot=0)
    assert "'lr'" in str(err.value) and "'batch_size'" in str(err.value)


def test_non_positive_learning_rate_is_refused(synth) -> None:
    df = _grid(synth)
    df.loc[5, "lr"] = 0.0
    with pytest.raises(DataError, match="lr"):
        sl.fit("step_law", df, n_boot=0)
    df = _grid(synth)
    df.loc[7, "batch_size"] = -4
    with pytest.raises(DataError, match="batch_size"):
        sl.fit("step_law", df, n_boot=0)


def test_options_of_other_fits_and_bad_options_are_refused(synth) -> None:
    df = _grid(synth)
    with pytest.raises(OptionError, match="weights"):
        sl.fit("step_law", df, weights=np.ones(len(df)))
    with pytest.raises(OptionError, match="seq_len"):
        sl.fit("step_law", df, seq_len=0)
    with pytest.raises(OptionError, match="resample"):
        sl.fit("step_law", df, resample="points")
    with pytest.raises(OptionError, match="n_boot"):
        sl.fit("chinchilla", sl.datasets.load("chinchilla"), n_boot=10)


def test_one_batch_size_per_cell_fits_the_lr_axis_and_says_so(synth) -> None:
    """Cells with a single batch size are fitted along lr alone; with no cell sweeping the
    batch size the batch law cannot be fitted, which is refused."""
    df = _grid(synth)
    first = df.groupby(["params", "tokens"])["batch_size"].transform("min")
    with pytest.raises(DataError, match="batch size is not swept"):
        sl.fit("step_law", df[df["batch_size"] == first], n_boot=0)
    # half of the cells keep one batch size (the one nearest their optimum)
    keep = np.ones(len(df), bool)
    cells = list(df.groupby(["params", "tokens"]).groups.items())
    for _, idx in cells[::2]:
        sub = df.loc[idx]
        near = sub["batch_size"].iloc[np.argmin(np.abs(np.log(
            sub["batch_size"] / synth.loc[idx, "bs_star"])))]
        keep[idx] = (sub["batch_size"] == near).to_numpy()
    fit = sl.fit("step_law", df[keep], n_boot=0)
    lr_only = fit.cells["method"] == "quadratic in lr"
    assert lr_only.sum() == 8
    assert fit.cells.loc[lr_only, "batch_size_opt"].isna().all()
    assert abs(fit.params["lr_exp_params"] - TRUE["lr_exp_params"]) < 0.05


# -- command line -------------------------------------------------------------------------------
def test_cli_fit_and_predict(synth, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.csv"
    _grid(synth).rename(columns={"batch_size": "bs"}).to_csv(sweep, index=False)
    out = tmp_path / "f.json"
    runner = CliRunner()
    fitted = runner.invoke(app, ["fit", str(sweep), "--law", "step_law", "--col",
                                 "batch_size=bs", "--bootstrap", "50", "--out", str(out),
                                 "--json"])
    assert fitted.exit_code == 0, fitted.output
    doc = json.loads(fitted.stdout)
    assert doc["law"] == "step_law" and doc["n_boot"] == 50
    assert json.loads(out.read_text())["params"] == doc["params"]
    text = runner.invoke(app, ["fit", str(sweep), "--law", "step_law", "--col",
                               "batch_size=bs", "--bootstrap", "20"])
    assert text.exit_code == 0 and "Step Law fit" in text.stdout
    pred = runner.invoke(app, ["predict", str(out), "--at", "params=3e9", "tokens=6e10",
                               "--json"])
    assert pred.exit_code == 0, pred.output
    got = json.loads(pred.stdout)
    expected = sl.load(out).predict(params=3e9, tokens=6e10)
    assert got["lr"] == pytest.approx(expected["lr"])
    assert got["batch_size"] == pytest.approx(expected["batch_size"])
    bad = runner.invoke(app, ["predict", str(out), "--at", "params=3e9"])
    assert bad.exit_code == 2 and "tokens" in bad.output
    plan = runner.invoke(app, ["plan", str(out), "--flops", "1e22"])
    assert plan.exit_code == 2 and "step_law" in plan.output


# -- the landscape figure -----------------------------------------------------------------------
#: as in test_figures_quality: baselines drawn with this matplotlib, compared at RMS 0.5 grey
#: levels (the same code redraws the same pixels; a moved marker scores far above it)
BASELINE_MATPLOTLIB = "3.11"


@pytest.mark.mpl_image_compare(baseline_dir="baseline/landscape", tolerance=0.5,
                               style=PAPER_RC, savefig_kwargs={"dpi": 100})
def test_landscape_figure_matches_its_baseline(synth_fit):
    version = ".".join(matplotlib.__version__.split(".")[:2])
    if version != BASELINE_MATPLOTLIB:
        pytest.skip(f"baseline drawn with matplotlib {BASELINE_MATPLOTLIB}, this is "
                    f"{matplotlib.__version__}: redraw it (docs/decisions.md, 'Figure "
                    "baselines'; --mpl-generate-path=tests/baseline/landscape)")
    return landscape_figure(synth_fit, params=4e8, tokens=1.5e10)


def test_landscape_figure_marks_the_optimum(synth_fit) -> None:
    fig = landscape_figure(synth_fit, params=4e8, tokens=1.5e10)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    cell = synth_fit.cells[(synth_fit.cells["params"] == 4e8)
                           & (synth_fit.cells["tokens"] == 1.5e10)].iloc[0]
    offsets = [tuple(c.get_offsets()[0]) for c in ax.collections if len(c.get_offsets()) == 1]
    assert (pytest.approx(cell["lr_opt"]), pytest.approx(cell["batch_size_opt"])) in [
        (pytest.approx(a), pytest.approx(b)) for a, b in offsets]
    # the legend sits inside the axes or, where it would cover runs, below them
    found = [lg for lg in (ax.get_legend(), *fig.legends) if lg is not None]
    labels = [t.get_text() for lg in found for t in lg.get_texts()]
    assert "optimum (quadratic)" in labels and "Step Law fit" in labels
    with pytest.raises(OptionError, match="no cell"):
        landscape_figure(synth_fit, params=3e8, tokens=1.5e10)
