"""Every dataset of the registry loads by name (``sl.datasets.load``) and fits with an
appropriate catalog law, reproducing the published figure where the source gives one
(``../shared/data/MANIFEST.md`` describes the data and those figures).

The protocols are those of the tests that read the same files directly (test_fit,
test_law_bnsl, test_law_overtraining, test_law_moe, test_isoflop, test_validate_real,
test_calibration); here the point is that each table, obtained by its registry name, is
enough. The five tables that are not bundled (misfitting, bnsl_addition, steplaw,
steplaw_moe, steplaw_fits) are read through ``SCALINGLAWS_DATA_URL`` from the project's
shared data folder into a temporary cache; their tests skip when that folder is absent.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.laws.published.moe import CLARK_TABLE3, e_s

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
#: the registry's tables that are not bundled (read from a mirror or their original URL)
NOT_BUNDLED = {"misfitting", "bnsl_addition", "steplaw", "steplaw_moe", "steplaw_fits"}

#: registry name -> the test that fits it (filled by @covers at import time)
COVERED: dict[str, str] = {}


def covers(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            assert name not in COVERED, f"{name} covered twice"
            COVERED[name] = fn.__name__
        return fn
    return mark


def quiet_fit(*args: Any, **kwargs: Any) -> Any:
    """``sl.fit`` with its ScalingLawWarnings silenced: each test asserts what it expects of
    the fit (status, parameters, the warnings it keeps in ``.warnings``) itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return sl.fit(*args, **kwargs)


def r_squared(y: np.ndarray, pred: np.ndarray) -> float:
    y, pred = np.asarray(y, dtype=float), np.asarray(pred, dtype=float)
    return float(1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2))


def rel_errors(fit: sl.FitResult, frame: pd.DataFrame, y: str = "loss") -> np.ndarray:
    """|predicted / actual - 1| at the rows of ``frame`` (params, tokens)."""
    pred = fit.predict(params=frame["params"].to_numpy(), tokens=frame["tokens"].to_numpy(),
                       extrapolation=None)
    return np.abs(pred / frame[y].to_numpy() - 1)


# -- Chinchilla (Epoch AI's extraction) ---------------------------------------------------------
EPOCH_GRID_OPTIMUM = {"A": 477.84, "B": 2143.86, "E": 1.81724, "alpha": 0.34731,
                      "beta": 0.36718}
EPOCH_OBJECTIVE = 0.00101827403


@covers("chinchilla")
def test_chinchilla_reproduces_epochs_grid_fit() -> None:
    kept = sl.datasets.load("chinchilla").exclude("epoch_excluded")
    assert len(kept) == 240
    with warnings.catch_warnings():
        warnings.simplefilter("error", sl.ScalingLawWarning)  # a clean fit: nothing to warn
        fit = sl.fit("chinchilla", kept)
    assert fit.status is sl.FitStatus.CONVERGED
    # Epoch's values (MANIFEST) are printed to 5-6 digits from an L-BFGS-B run that stops
    # short of the optimum: 1% is far below the parameters' standard errors (>= 4%), and our
    # objective must be at least as low as theirs. Measured: A 477.83, B 2143.4, E 1.81722,
    # alpha 0.34731, beta 0.36717; objective 0.00101827402.
    for name, value in EPOCH_GRID_OPTIMUM.items():
        assert fit.params[name] == pytest.approx(value, rel=0.01), name
    assert fit.objective <= EPOCH_OBJECTIVE * (1 + 1e-6)


# -- (Mis)Fitting: an open_lm sweep with checkpoints ---------------------------------------------
@covers("misfitting")
def test_misfitting_best_learning_rate_table_fits_the_chinchilla_law(mirror: Path) -> None:
    with pytest.warns(sl.ScalingLawWarning, match="9 duplicated row"):  # as in the source
        ck = sl.datasets.load("misfitting")
    best = ck.where("final").best_of("loss", by=["model", "planned_tokens"])
    assert len(best) == 76 and len(np.unique(best.column("params"))) == 9
    fit = quiet_fit("chinchilla", best)
    # The data do not separate E from A/N^alpha over 12M-300M parameters: E runs to its
    # bound 0 (the diagnosis of test_validate_real), and the fit says so. With E = 0 the law
    # is a pure power law in N, and alpha is a Kaplan-like exponent (Kaplan et al.: 0.076
    # with no floor; measured 0.048), beta measured 0.66.
    assert fit.status is sl.FitStatus.AT_BOUND and fit.params["E"] < 1e-6
    assert any("'E' sits at its lower bound" in w for w in fit.warnings)
    assert 0.02 < fit.params["alpha"] < 0.15
    assert 0.3 < fit.params["beta"] < 1.0
    # in-sample: measured median 0.61% (mean 1.44%, dragged by one run); bound 1% (about
    # measured x 1.6), far below the 3.0-6.2 range of the losses fitted
    err = rel_errors(fit, best.to_frame())
    assert np.median(err) < 0.01
    # the one run far off (a 250-step run of the 71M model, 17% above the law) is named
    assert any("far above" in w and "misfitting_70m" in w for w in fit.warnings)


# -- Broken Neural Scaling Laws: 4-digit addition ------------------------------------------------
@covers("bnsl_addition")
def test_bnsl_addition_extrapolates_like_the_paper(mirror: Path) -> None:
    data = sl.datasets.load("bnsl_addition")
    train = data.where("split == 'train'")
    test = data.where("split == 'extrapolate'").to_frame()
    assert (len(train), len(test)) == (14, 3)
    # loss="mse_log1p" is the paper's objective (squared error of ln(1 + y)); 14 points for
    # 6 parameters is flagged as thin
    with pytest.warns(sl.ScalingLawWarning, match="points per parameter"):
        fit = sl.fit("bnsl", train, x="dataset_size", y="test_cross_entropy",
                     loss="mse_log1p")
    assert fit.status is sl.FitStatus.CONVERGED
    pred = fit.predict(extrapolation=None, dataset_size=test["dataset_size"].to_numpy())
    # the paper's predictions 0.760, 0.637, 0.563 are printed to 3 decimals (atol 6e-4:
    # their rounding plus 1e-4); measured 0.7602, 0.6375, 0.5626
    np.testing.assert_allclose(pred, [0.760, 0.637, 0.563], atol=6e-4)
    rmsle = math.sqrt(np.mean(np.log(pred / test["test_cross_entropy"].to_numpy()) ** 2))
    assert rmsle <= 0.010916 * (1 + 1e-4)  # the paper's code: 0.0109 on these 3 points


# -- Observational Scaling Laws: public models' benchmark scores ---------------------------------
#: score = a + b ln C within a family (C in units of 1e21 FLOPs); a and b free in sign, so a
#: score that falls with compute is a failure, not a slope stuck at a bound
_FREE = {"lower": -math.inf, "upper": math.inf, "log": False}
LOG_COMPUTE = sl.Law("a + b*log(C)", inputs={"C": None}).with_parameters(a=_FREE, b=_FREE)
COMPUTE = "FLOPs (1E21)"
FAMILY = "Model Family"


def observational_with(name: str) -> pd.DataFrame:
    """A table of the observational release joined with the base table's family and FLOPs."""
    base = sl.datasets.load("observational").to_frame()[["Model", FAMILY, COMPUTE]]
    return sl.datasets.load(name).to_frame().merge(base, on="Model", how="inner")


def assert_linear_in_log_compute(frame: pd.DataFrame, score: str, families: list[str],
                                 min_r2: float) -> dict[str, tuple[float, float]]:
    """Per family: the score rises with log-compute (b > 0) and the line explains at least
    ``min_r2`` of its variance. Returns {family: (b, R²)}."""
    rows = frame[frame[FAMILY].isin(families) & (frame[COMPUTE] > 0)][[FAMILY, COMPUTE, score]]
    fit = quiet_fit(LOG_COMPUTE, sl.Dataset.from_frame(rows.dropna()), x=COMPUTE, y=score,
                    loss="mse", by=FAMILY)
    assert fit.status is sl.FitStatus.CONVERGED
    out = {}
    for family in families:
        g = rows[rows[FAMILY] == family].dropna()
        pred = fit.for_group(family).predict(C=g[COMPUTE].to_numpy(), extrapolation=None)
        out[family] = (fit.params[family]["b"], r_squared(g[score].to_numpy(), pred))
    assert all(b > 0 for b, _ in out.values()), out
    assert all(r2 >= min_r2 for _, r2 in out.values()), out
    return out


@covers("observational")
def test_observational_scores_are_linear_in_log_compute_within_a_family() -> None:
    frame = sl.datasets.load("observational").to_frame()
    assert len(frame) == 148
    # The paper: within a family, capabilities are linear in log-compute. HellaSwag in the
    # three families with 7-8 models of known compute (Pythia, OPT, Qwen1.5): measured
    # slopes 0.089, 0.077, 0.071 per e-fold of compute, R² 0.991, 0.946, 0.949. A benchmark
    # near chance (MMLU below 10^22 FLOPs) would not pass: the bound R² >= 0.9 is a real line.
    fits = assert_linear_in_log_compute(frame, "HellaSwag", ["Pythia", "OPT", "Qwen1.5"], 0.9)
    assert fits["Pythia"][1] > 0.98


@covers("observational_emergent")
def test_observational_emergent_task_rises_with_log_compute_after_emergence() -> None:
    frame = observational_with("observational_emergent")
    # word unscrambling (exact match): near 0 in the small families (Pythia <= 0.021 at
    # 2e22 FLOPs), rising in the two families that span its emergence, Qwen1.5 (7 models,
    # 0.008 -> 0.416) and Llama (4 models, 0.044 -> 0.276). Measured slopes 0.081 and 0.081,
    # R² 0.88 and 0.92; an emergent task is a sigmoid in log-compute (its start bends the
    # line), so 0.8 rather than the 0.9 of HellaSwag.
    task = "word_unscrambling_2_exact_match"
    assert_linear_in_log_compute(frame, task, ["Qwen1.5", "Llama"], 0.8)
    pythia = frame[frame[FAMILY] == "Pythia"]
    assert len(pythia) == 8 and pythia[task].max() < 0.05


@covers("observational_leaderboard")
def test_observational_leaderboard_scores_rise_with_log_compute() -> None:
    frame = observational_with("observational_leaderboard")
    # Qwen1.5 (6 models, 7e21 to 8e23 FLOPs) on BBH and MMLU-Pro: measured slopes 0.055 and
    # 0.067, R² 0.97 and 0.97; the bound 0.9 as for HellaSwag. (The other families of this
    # table with 4 or more models, GPT-Neo/J and BLOOM, sit at chance on these benchmarks.)
    for score in ("leaderboard_bbh", "leaderboard_mmlu_pro"):
        assert_linear_in_log_compute(frame, score, ["Qwen1.5"], 0.9)


# -- OLMo model ladder ---------------------------------------------------------------------------
@covers("olmo_ladder")
def test_olmo_ladder_step_one_predicts_the_target_c4_loss() -> None:
    ladder = sl.datasets.load("olmo_ladder")
    frame = ladder.to_frame().sort_values(["run_id", "step"])
    # The paper's step 1 (OLMo-ladder src/fitting/step1.py, configs/final.json, -y c4
    # --moving_avg 5): per run, the mean C4 loss of its last 5 evaluations at its last
    # token count; fitted on 190M-1.3B at 1, 2, 5, 10x Chinchilla (16 runs: no 0.5xC, no
    # rerun, no 3B). Its step1_c4_main.csv reports the last target of that config, the
    # 13B-5T model: actual 2.4379 (= the mean of peteish13's last 5 rows here, exactly),
    # predicted 2.3444 (-3.8%). (MANIFEST.md calls that target the 7B.)
    runs = frame.groupby("run_id").tail(5).groupby("run_id").agg(
        loss=("loss_c4_en", "mean"), tokens=("tokens", "last"), params=("params", "first"),
        size=("size", "first"), multiple=("chinchilla_multiple", "first"),
        rerun=("rerun", "first"))
    paper = runs[runs["size"].isin(["190M", "370M", "760M", "1B"])
                 & runs["multiple"].isin([1, 2, 5, 10]) & ~runs["rerun"].astype(bool)]
    assert len(paper) == 16
    target = runs.loc["peteish13_eval_full"]
    assert target["loss"] == pytest.approx(2.4379, abs=5e-5)
    fit = quiet_fit("chinchilla", paper[["params", "tokens", "loss"]])
    assert fit.status is sl.FitStatus.CONVERGED
    pred = fit.predict(params=target["params"], tokens=target["tokens"], extrapolation=None)
    # Huber on log residuals (the default; their get_coefficients_huber) lands on their
    # optimum: their CSV's full-precision prediction 2.3443873053 against ours 2.3443873036
    # (measured difference 2e-9). abs 1e-5 allows for two optimisers' stopping rules and is
    # still 4,000x below the 3.8% error being reproduced.
    assert pred == pytest.approx(2.3443873053175697, abs=1e-5)
    assert pred / target["loss"] - 1 == pytest.approx(-0.03834843411636423, abs=1e-5)

    # Every ladder run's last (fully decayed) row, 190M-3B, 0.5-10x Chinchilla (30 runs):
    # the 3B runs bring the fit 2.4x closer to the 13B in N. Measured errors: 13B -0.42%,
    # 7B -1.25% (its last row; pre-anneal, so not the paper's 7B-4T target). Bound: 2%,
    # half the paper's own 3.8% from the shorter ladder.
    last = ladder.where("chinchilla_multiple > 0").last_by("run_id")
    assert len(last) == 30
    wide = quiet_fit("chinchilla", last, columns={"loss": "loss_c4_en"})
    assert wide.status is sl.FitStatus.CONVERGED
    final = ladder.last_by("run_id").to_frame().set_index("run_id")
    for run in ("peteish13_eval_full", "peteish7_eval_full"):
        row = final.loc[run]
        got = wide.predict(params=row["params"], tokens=row["tokens"], extrapolation=None)
        assert abs(got / row["loss_c4_en"] - 1) < 0.02, (run, got, row["loss_c4_en"])


# -- A Hitchhiker's Guide: GPT-3 curves --------------------------------------------------------
@covers("hitchhiker")
def test_hitchhiker_gpt3_small_models_predict_the_175b_curve() -> None:
    gpt3 = sl.datasets.load("hitchhiker").where("family == 'gpt3' and metric == 'val_loss'")
    frame = gpt3.to_frame()
    assert frame["model"].nunique() == 8
    # The paper's recipe: the Chinchilla form fitted to intermediate checkpoints of the
    # smaller models, checkpoints before ~10B tokens dropped (every GPT-3 curve here starts
    # at 9.6-11B); ARE = mean |y - y_hat| / y over the target's checkpoints from 70% of its
    # training on. Fit on 125M-13B (5,395 checkpoints), target 175B.
    train = gpt3.where("params < 1e11 and tokens >= 1e10")
    fit = quiet_fit("chinchilla", train, columns={"loss": "loss_nats"})
    assert fit.status is sl.FitStatus.CONVERGED
    target = frame[frame["params"] == 175e9]
    target = target[target["tokens"] >= 0.7 * target["tokens"].max()]
    are = float(np.mean(rel_errors(fit, target, "loss_nats")))
    # Measured ARE 0.55% (281 checkpoints). The paper quotes ~4% as the attainable floor set
    # by seed variance across its 485 models; one well-sampled family does far better. The
    # bound, 1% (about twice the measured), keeps a regression visible.
    assert are < 0.01, are


# -- Gadre et al.: over-training and downstream error --------------------------------------------
GADRE_SMALL = ["d=96_l=8_h=4", "d=512_l=8_h=4", "d=576_l=24_h=8", "d=1024_l=24_h=8"]
#: (model, tokens per parameter) -> relative errors (%) their notebook prints: loss, error
GADRE_PAPER = {("open_lm_1b", 640.0): (0.7103, 3.6365), ("open_lm_7b", 20.0): (0.7320, 0.0464)}


def gadre_runs() -> sl.Dataset:
    """RedPajama runs, C4 eval loss (the paper's protocol: test_law_overtraining)."""
    return sl.datasets.load("gadre").where("dataset == 'rpj' and eval_set == 'c4_val'")


def gadre_loss_points(runs: sl.Dataset) -> sl.Dataset:
    """The four small models at M = 20 and the 10.6M model at M = 320."""
    return runs.where(f"(model_config in {GADRE_SMALL} and tokens_per_param == 20) or "
                      "(model_config == 'd=96_l=8_h=4' and tokens_per_param == 320)")


def gadre_targets(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame[(frame["model_config"] == m) & (frame["tokens_per_param"] == k)]
                      for m, k in GADRE_PAPER])


@covers("gadre")
def test_gadre_overtraining_law_matches_or_beats_their_loss_predictions() -> None:
    runs = gadre_runs()
    points = gadre_loss_points(runs)
    assert len(points) == 5
    fit = quiet_fit("overtraining", points)
    assert fit.status is sl.FitStatus.CONVERGED
    targets = gadre_targets(runs.to_frame())
    rel = 100 * rel_errors(fit, targets)
    # measured 0.396% (1.4B, M = 640) and 0.420% (6.9B, M = 20) against their 0.7103% and
    # 0.7320%: the default fit must match or beat the published one, no slack
    assert np.all(rel <= [p[0] for p in GADRE_PAPER.values()]), rel


@covers("gadre_downstream")
def test_gadre_downstream_error_law_reproduces_their_top1_errors() -> None:
    runs = gadre_runs().to_frame()
    tasks = sl.datasets.load("gadre_downstream").where("dataset == 'rpj' and "
                                                       "in_17_task_subset").to_frame()
    err = tasks.groupby("run_id")["top1_error"].agg(["mean", "size"])
    assert (err["size"] == 17).all()  # the 17-task average of the paper
    runs = runs.merge(err["mean"].rename("top1_error"), left_on="run_id", right_index=True)
    joined = sl.Dataset.from_frame(runs)
    loss_points = gadre_loss_points(joined)
    error_points = joined.where(
        f"(model_config in {GADRE_SMALL} and tokens_per_param == 20) or "
        "(model_config == 'd=96_l=8_h=4' and tokens_per_param == 320) or "
        "(model_config == 'open_lm_1b' and tokens_per_param == 20)")
    assert (len(loss_points), len(error_points)) == (5, 6)
    # loss="mse" is their objective (scipy curve_fit): it must land on their optimum, so the
    # relative errors their notebook prints to 4 decimals come back to half a unit of the
    # last digit (5e-5 percentage points); the error is predicted from the predicted loss
    fit_l = quiet_fit("overtraining", loss_points, loss="mse")
    fit_e = quiet_fit("loss_to_error", error_points, loss="mse")
    assert fit_l.status is sl.FitStatus.CONVERGED and fit_e.status is sl.FitStatus.CONVERGED
    targets = gadre_targets(runs)
    loss = fit_l.predict(params=targets["params"].to_numpy(),
                         tokens=targets["tokens"].to_numpy(), extrapolation=None)
    top1 = fit_e.predict(loss=loss, extrapolation=None)
    rel_l = 100 * np.abs(loss / targets["loss"].to_numpy() - 1)
    rel_e = 100 * np.abs(top1 / targets["top1_error"].to_numpy() - 1)
    np.testing.assert_allclose(rel_l, [p[0] for p in GADRE_PAPER.values()], atol=5e-5)
    np.testing.assert_allclose(rel_e, [p[1] for p in GADRE_PAPER.values()], atol=5e-5)


# -- Step Law: learning-rate x batch-size grids --------------------------------------------------
SMOOTH = "smooth loss"


@covers("steplaw")
def test_steplaw_best_runs_fit_the_chinchilla_law(mirror: Path) -> None:
    grid = sl.datasets.load("steplaw")
    assert len(grid) == 1911
    # The best (lowest-loss) run of each of the 17 (N, D) cells, by the smoothed final loss.
    # The raw final loss of the best of ~120 runs is the minimum of noisy values and is not
    # monotone in D (536M: 2.162 at 28B tokens, 2.219 at 50B): with it E runs to its bound
    # 0, as asserted at the end.
    best = grid.best_of(SMOOTH, by=["params", "tokens"])
    assert len(best) == 17
    fit = quiet_fit("chinchilla", best, y=SMOOTH)
    assert fit.status is sl.FitStatus.CONVERGED
    # measured E 0.91, alpha 0.13, beta 0.29: positive floor, exponents in the range of
    # published LM fits (0.05-0.6)
    assert fit.params["E"] > 0.1
    assert 0.05 < fit.params["alpha"] < 0.6 and 0.05 < fit.params["beta"] < 0.6
    # in-sample: measured mean 0.28%, max 1.0%; bounds 0.5% and 1.5% (measured x 1.5-1.8;
    # the losses span 2.12-2.62, so a wrong surface misses by several percent)
    err = rel_errors(fit, best.to_frame(), SMOOTH)
    assert err.mean() < 0.005 and err.max() < 0.015
    raw = quiet_fit("chinchilla", grid.best_of("loss", by=["params", "tokens"]))
    assert raw.status is sl.FitStatus.AT_BOUND and raw.params["E"] < 1e-6


@covers("steplaw_moe")
def test_steplaw_moe_best_runs_fit_the_chinchilla_law_in_active_parameters(
        mirror: Path) -> None:
    grid = sl.datasets.load("steplaw_moe")  # params = Na, the active parameters
    assert len(grid) == 708
    best = grid.best_of(SMOOTH, by=["params", "tokens"])
    assert len(best) == 16  # 4 active sizes (188M-1.24B, ~2.15B total each) x 4 budgets
    fit = quiet_fit("chinchilla", best, y=SMOOTH)
    assert fit.status is sl.FitStatus.CONVERGED
    # measured mean 0.28%, max 0.75% in-sample; bounds as for the dense grid
    frame = best.to_frame()
    err = rel_errors(fit, frame, SMOOTH)
    assert err.mean() < 0.005 and err.max() < 0.015
    # the data exponent, measured 0.25 (the dense grid's 0.29): plausible range as dense.
    # alpha (measured 0.73) is not a size exponent here: the active size changes with the
    # number of experts and top-k at a fixed total, so it is only required to be positive
    assert 0.05 < fit.params["beta"] < 0.6 and fit.params["alpha"] > 0
    # more active parameters, lower loss, at every budget
    for tokens in np.unique(frame["tokens"]):
        n = np.unique(frame["params"])
        pred = fit.predict(params=n, tokens=np.full(n.size, tokens), extrapolation=None)
        assert np.all(np.diff(pred) < 0)


@covers("steplaw_fits")
def test_steplaw_fits_medians_and_the_grid_agree(mirror: Path) -> None:
    boot = sl.datasets.load("steplaw_fits").to_frame()
    assert len(boot) == 1000
    q = boot.quantile([0.025, 0.5, 0.975])
    # the MANIFEST's bootstrap medians (4 decimals) and 2.5-97.5% ranges (3 decimals)
    assert q.loc[0.5, ["lr_coefN", "lr_coefD", "bs_coefD"]].to_numpy() == pytest.approx(
        [-0.7122, 0.3070, 0.5713], abs=5e-5)
    assert math.exp(q.loc[0.5, "lr_intercept"]) == pytest.approx(1.782, abs=5e-4)
    assert math.exp(q.loc[0.5, "bs_intercept"]) == pytest.approx(0.573, abs=5e-4)
    assert q.loc[[0.025, 0.975], "lr_coefN"].to_numpy() == pytest.approx([-0.774, -0.655],
                                                                          abs=5e-4)
    assert q.loc[[0.025, 0.975], "lr_coefD"].to_numpy() == pytest.approx([0.271, 0.345],
                                                                          abs=5e-4)
    assert q.loc[[0.025, 0.975], "bs_coefD"].to_numpy() == pytest.approx([0.534, 0.606],
                                                                          abs=5e-4)
    # The law lr = exp(c0) N^a D^b fitted (least squares on log lr) to the learning rate of
    # each dense cell's best run (smoothed loss) agrees with the medians within 2 standard
    # errors (a 95% band): measured a = -0.823 (s.e. 0.113), b = 0.288 (0.063). The grid's
    # best lr is one of a discrete set, so this is a coarse check of the table against the
    # runs, not a reproduction of the authors' bootstrap.
    best = sl.datasets.load("steplaw").best_of(SMOOTH, by=["params", "tokens"])
    law = sl.Law("exp(c0)*N**a*D**b", inputs={"N": "params", "D": "tokens"}).with_parameters(
        a={"lower": -10.0, "upper": 10.0})
    fit = quiet_fit(law, best, y="lr", loss="mse_log")
    assert fit.status is sl.FitStatus.CONVERGED
    for name, median in (("a", q.loc[0.5, "lr_coefN"]), ("b", q.loc[0.5, "lr_coefD"])):
        assert abs(fit.params[name] - median) < 2 * fit.stderr[name], (name, fit.params)


# -- Clark et al.: routed language models --------------------------------------------------------
ROUTERS = {"S-Base": "s-base", "RL-R": "rl-r", "Hash": "hash"}


@covers("routing")
def test_routing_final_losses_reproduce_table_3() -> None:
    # the authors' selection (test_law_moe): each run's last evaluation, every other layer
    # routed, top-1, seed 42; N = the dense parameter count, E = experts; each router's runs
    # with the dense runs (E = 1)
    runs = sl.datasets.load("routing").last_by("hyper_id").where(
        "routing_frequency == 0.5 and k == 1 and seed == 42")
    roles = {"params": "dense_parameter_count", "experts": "num_experts",
             "loss": "loss_validation"}
    sizes = {}
    for router, key in ROUTERS.items():
        part = runs.where(f"router_type in ['Dense', '{router}']")
        sizes[key] = len(part)
        a, b, c, d, start, e_max = CLARK_TABLE3[key]
        table3 = {"a": a, "b": b, "c": c, "d": d, "E_s": e_s(start, e_max), "E_max": e_max}
        # Yardstick: the fit's own standard error. Table 3 and our fits come from the same
        # runs; the fitting choice (Huber on log residuals here, least squares on log10
        # theirs) and the table's 3-decimal rounding move every parameter by less than 1.5
        # s.e. (measured max 1.43); 2 s.e. is a 95% band.
        sat = quiet_fit("moe_saturating", part, columns=roles)
        assert sat.status is sl.FitStatus.CONVERGED
        z = {p: (sat.params[p] - v) / sat.stderr[p] for p, v in table3.items()}
        assert all(abs(v) < 2 for v in z.values()), (router, z)
        # the plain law (Ê replaced by E) keeps the size exponent a within the same band
        # (measured z 1.59, 1.26, 1.32); its b, c, d belong to another expert axis
        plain = quiet_fit("moe", part, columns=roles)
        assert plain.status is sl.FitStatus.CONVERGED
        assert abs(plain.params["a"] - a) < 2 * plain.stderr["a"], (router, plain.params)
    assert sizes == {"s-base": 58, "rl-r": 59, "hash": 56}


# -- Alabdulmohsin et al.: the extrapolation benchmark -------------------------------------------
CURVE = ["Domain", "Task", "Model"]


def extrapolation_errors(frame: pd.DataFrame) -> pd.DataFrame:
    """Per curve: the catalog power law E + A x^-alpha (the paper's M2) fitted by least
    squares on log y (the paper's objective) to the Training == 1 rows, scored by the RMSE of
    log y on the held-out rows (the paper's score). Repeated rows are dropped first."""
    rows = []
    for key, g in frame.drop_duplicates().groupby(CURVE, sort=True):
        train, test = g[g["Training"] == 1], g[g["Training"] == 0]
        fit = quiet_fit("power_law", sl.Dataset.from_frame(train), x="Seen Examples",
                        y="Loss", loss="mse_log")
        pred = fit.predict(x=test["Seen Examples"].to_numpy(), extrapolation=None)
        rows.append({"domain": key[0], "status": fit.status,
                     "rmse_log": math.sqrt(np.mean(np.log(pred / test["Loss"].to_numpy())
                                                   ** 2))})
    return pd.DataFrame(rows)


@covers("revisiting_lang")
def test_revisiting_lang_power_law_extrapolates() -> None:
    # the language file repeats most language-model points (as in the source)
    with pytest.warns(sl.ScalingLawWarning, match="687 duplicated row"):
        frame = sl.datasets.load("revisiting_lang").to_frame()
    scores = extrapolation_errors(frame)
    assert len(scores) == 20 and np.isfinite(scores["rmse_log"]).all()
    # Measured: median 0.0101 over the 20 curves; the language-model validation losses (5
    # smooth curves) 0.0013. Bounds: measured x 1.5 (as test_validate_real), 0.015 and 0.002.
    # The BIG-bench and NMT curves bend in ways M2 misses (the paper's case for M4).
    assert scores["rmse_log"].median() < 0.015
    assert scores[scores["domain"] == "LM"]["rmse_log"].median() < 0.002


@covers("revisiting_vision")
def test_revisiting_vision_power_law_extrapolates() -> None:
    frame = sl.datasets.load("revisiting_vision").to_frame()
    scores = extrapolation_errors(frame)
    assert len(scores) == 72 and np.isfinite(scores["rmse_log"]).all()
    # error rates of image classifiers extrapolated about 2x in examples seen: measured
    # median 0.063 (30 of 72 fits put the floor E at 0: the error has not flattened yet);
    # bound: measured x 1.25, 0.08
    assert scores["rmse_log"].median() < 0.08


# -- Porian et al.: compute-optimal exponents -----------------------------------------------------
KAPLAN_RW = "rw/base/long/kaplan/kaplan/train"
TUNED_RW = "rw/tuned/short/const/standard/val"
#: N* ∝ C^a, with a and k fitted by least squares on log N* (their "basic" fit)
POWER = sl.Law("k*C**a", inputs={"C": None})


@covers("porian_isoflop")
def test_porian_isoflop_reproduces_the_kaplan_and_tuned_exponents() -> None:
    points = sl.datasets.load("porian_isoflop")
    # their per-budget estimator: an Akima spline through ln loss (test_isoflop); a budget
    # whose minimum is at an end of its sizes is skipped, with a warning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        kaplan = sl.plan.isoflop(points.where(f"config_id == '{KAPLAN_RW}'"),
                                 estimator="akima", n_boot=0)
        tuned = sl.plan.isoflop(points.where(f"config_id == '{TUNED_RW}'"),
                                estimator="akima", n_boot=0)
    # the paper's weighted fits: 0.835 [0.824, 0.846] (Kaplan reproduction) and 0.497
    # [0.491, 0.505] (tuned AdamW, constant LR); ours must land in their 95% intervals
    # (measured 0.8336 and 0.4968)
    assert 0.824 <= kaplan.a <= 0.846
    assert 0.491 <= tuned.a <= 0.505


@covers("porian_optimal")
def test_porian_optimal_points_give_their_basic_power_law_fits() -> None:
    # 4 budgets have no optimum (NaN: their minimum fell outside the sizes run); their fits
    # leave them out, and so do we
    optimal = sl.datasets.load("porian_optimal").dropna(["n_star", "t_star"]).to_frame()
    assert len(optimal) == 177 - 4
    fits = sl.datasets.load("porian_fits").where("fit == 'basic'").to_frame()
    assert optimal["config_id"].nunique() == len(fits) == 15
    for config, g in optimal.groupby("config_id"):
        theirs = fits[fits["config_id"] == config].iloc[0]
        data = sl.Dataset.from_frame(g[["flops", "n_star", "t_star"]])
        for y, column in (("n_star", "n_exponent"), ("t_star", "t_exponent")):
            fit = quiet_fit(POWER, data, x="flops", y=y, loss="mse_log")
            # the same least squares on the same 10-12 points: the exponent to 1e-3 (their
            # bootstrap intervals are 0.01-0.08 wide; measured agreement 4e-9)
            assert fit.params["a"] == pytest.approx(theirs[column], abs=1e-3), (config, y)


@covers("porian_fits")
def test_porian_fits_hold_the_papers_exponents_and_their_weighted_fits() -> None:
    fits = sl.datasets.load("porian_fits").where("fit == 'weighted'").to_frame()
    fits = fits.set_index("config_id")
    # the MANIFEST's paper values (weighted fit): the discrepancy resolved step by step on
    # RefinedWeb and OpenWebText2. It quotes bootstrap medians to 3 decimals; the table holds
    # the point fits, which differ from them by up to 0.0005 (0.7065 vs 0.707, 0.5715 vs
    # 0.572) besides the rounding: abs 1e-3
    steps = ["base/long/kaplan/kaplan/train", "base/long/kaplan/standard/val",
             "base/short/kaplan/standard/val", "base/short/chinchilla/standard/val",
             "tuned/short/const/standard/val"]
    paper = {"rw": [0.835, 0.707, 0.602, 0.572, 0.497],
             "owt2": [0.864, 0.699, 0.603, 0.574, 0.519]}
    for dataset, values in paper.items():
        got = [fits.loc[f"{dataset}/{s}", "n_exponent"] for s in steps]
        assert got == pytest.approx(values, abs=1e-3), dataset
    for config, lo, hi in ((KAPLAN_RW, 0.824, 0.846), (TUNED_RW, 0.491, 0.505),
                           ("owt2/base/long/kaplan/kaplan/train", 0.819, 0.897),
                           ("owt2/tuned/short/const/standard/val", 0.493, 0.541)):
        assert fits.loc[config, ["n_exponent_ci95_lo", "n_exponent_ci95_hi"]].to_numpy() == \
            pytest.approx([lo, hi], abs=5e-4), config
    # their weighted fit is least squares on log N* weighted by 1 / sd(log N*)²: the same
    # weights on porian_optimal's points give their exponent for every configuration
    optimal = sl.datasets.load("porian_optimal").dropna(["n_star"]).to_frame()
    for config, g in optimal.groupby("config_id"):
        fit = quiet_fit(POWER, sl.Dataset.from_frame(g[["flops", "n_star"]]), x="flops",
                        y="n_star", loss="mse_log",
                        weights=1 / g["n_star_std"].to_numpy() ** 2)
        assert fit.params["a"] == pytest.approx(fits.loc[config, "n_exponent"], abs=1e-3), \
            config


# -- every registry name has its fit here --------------------------------------------------------
def test_every_registry_dataset_has_a_fit_test() -> None:
    assert set(COVERED) == set(sl.datasets.names())
    # and the mirror fixture serves exactly the tables that are not bundled
    entries = {name: sl.datasets.info(name) for name in sl.datasets.names()}
    assert {n for n, e in entries.items() if e.source != "bundled"} == NOT_BUNDLED
