"""Comparing two setups: compute multiplier, crossover, paired bootstrap, sensitivity."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl


def setup(multiplier: float, seed: int, noise: float = 0.002, alpha_n: float = 0.34,
          budgets: tuple[float, ...] = (5, 10, 20, 40, 80)) -> sl.Dataset:
    """A sweep whose law is the reference law in units of compute / ``multiplier``: N and D
    both count sqrt(multiplier) times less, so B needs ``multiplier`` x the FLOPs of A."""
    rng = np.random.default_rng(seed)
    s = np.sqrt(multiplier)
    rows = []
    for n in np.geomspace(2e7, 2e9, 7):
        for mult in budgets:
            d = mult * n
            loss = (1.8 + 480 * (n / s) ** -alpha_n + 2100 * (d / s) ** -0.37) * np.exp(
                rng.normal(0, noise))
            rows.append({"params": n, "tokens": d, "loss": loss})
    return sl.Dataset.from_frame(pd.DataFrame(rows))


def _fit(ds: sl.Dataset) -> sl.FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return sl.fit("chinchilla", ds)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_a_known_compute_multiplier(seed: int) -> None:
    a, b = _fit(setup(1.0, 2 * seed)), _fit(setup(3.0, 2 * seed + 1))
    cmp = sl.compare(a, b)
    # 35 runs per setup with 0.2% noise: the multiplier at the largest budget came out
    # 2.98-3.20 over six seeds (measured); the issue asks for 10%
    assert cmp.multiplier_at_budget == pytest.approx(3.0, rel=0.10)
    assert cmp.a_better
    assert "B needs" in cmp.statement()


def test_identical_setups_are_not_called_different() -> None:
    a, b = _fit(setup(1.0, 10)), _fit(setup(1.0, 11))
    cmp = sl.compare(a, b, n_boot=200)
    assert cmp.multiplier_at_budget == pytest.approx(1.0, rel=0.15)
    assert cmp.p_a_better is not None and not cmp.significant
    assert cmp.n_pairs == 200
    same = sl.compare(a, a)
    assert same.multiplier_at_budget == pytest.approx(1.0, rel=1e-9)
    assert same.crossover_flops is None


def test_a_real_difference_is_significant() -> None:
    a, b = _fit(setup(1.0, 20)), _fit(setup(3.0, 21))
    cmp = sl.compare(a, b, n_boot=200)
    assert cmp.p_a_better is not None and cmp.p_a_better > 0.975 and cmp.significant


def test_crossover_when_one_setup_has_a_lower_floor() -> None:
    # B starts worse (a larger model-size term) but its irreducible loss is lower, so it
    # wins at large budgets: the multiplier passes 1 once, where the curves cross
    import dataclasses

    a = _fit(setup(1.0, 30))
    b = dataclasses.replace(a, params={**a.params, "E": a.params["E"] - 0.05,
                                       "A": a.params["A"] * 3})
    cmp = sl.compare(a, b, budget=1e20, flops=np.geomspace(1e17, 1e27, 41))
    assert cmp.crossover_flops is not None
    m = cmp.multiplier
    assert m[0] < 1 < m[-1] or m[0] > 1 > m[-1]
    # at the crossover the two compute-optimal losses agree
    la = sl.plan.compute_optimal(a, cmp.crossover_flops).loss[0]
    lb = sl.plan.compute_optimal(b, cmp.crossover_flops).loss[0]
    assert la == pytest.approx(lb, rel=1e-6)


def test_compare_data_has_a_sensitivity_table() -> None:
    cmp = sl.plan.compare_data(setup(1.0, 40), setup(3.0, 41), n_boot=50)
    table = cmp.sensitivity
    assert table is not None and len(table) == 4
    assert table["a_better"].all()  # a 3x multiplier survives every fitting choice
    assert not any("flips" in w for w in cmp.warnings)
    d = cmp.to_dict()
    for key in ("compute_multiplier", "crossover_flops", "p_a_better", "sensitivity"):
        assert key in d


def test_bad_input() -> None:
    a = _fit(setup(1.0, 50))
    with pytest.raises(sl.OptionError, match="budget"):
        sl.compare(a, a, budget=-1)
    with pytest.raises(sl.OptionError, match="flops"):
        sl.compare(a, a, flops=[0, 1e20])
    with pytest.raises(sl.OptionError, match="at least one fitting choice"):
        sl.plan.compare_data(setup(1.0, 1), setup(1.0, 2), choices=())


# -- a setup against itself: no winner; a real difference: still significant ------------------
@pytest.fixture(scope="module")
def chinchilla() -> sl.Dataset:
    return sl.datasets.load("chinchilla")


def _scaled(ds: sl.Dataset, factor: float) -> sl.Dataset:
    frame = ds.to_frame()
    frame["loss"] = frame["loss"] * factor
    return sl.Dataset.from_frame(frame)


def _contains_one(band: tuple[float, float] | None) -> bool:
    assert band is not None
    return band[0] <= 1.0 <= band[1]


def test_a_dataset_compared_with_itself_is_no_detectable_difference(chinchilla) -> None:
    # the user's report: 'compare chinchilla chinchilla' said P(A better) = 0.000 (significant):
    # both fits were resampled with the same seed, every pair tied, and a tie counted for B
    cmp = sl.plan.compare_data(chinchilla, chinchilla, "chinchilla", n_boot=200)
    assert cmp.p_a_better is not None and 0.025 <= cmp.p_a_better <= 0.975
    assert not cmp.significant and _contains_one(cmp.multiplier_interval)
    assert cmp.n_pairs == 200 and cmp.n_ties == 0  # A and B were resampled independently
    text = cmp.statement()
    assert "no detectable difference" in text and "interval" in text
    assert "significant" not in text and "B needs 1x the compute of A to reach A's" in text
    # every fitting choice gives the same fit twice: a tie, not a flipping verdict
    assert cmp.sensitivity is not None and cmp.sensitivity["a_better"].isna().all()
    assert not any("flips" in w for w in cmp.warnings)
    d = cmp.to_dict()
    assert d["significant"] is False and d["level"] == 0.95
    lo, hi = d["multiplier_interval"]
    assert lo <= 1.0 <= hi


def test_loss_ten_percent_higher_is_still_significant(chinchilla) -> None:
    cmp = sl.plan.compare_data(chinchilla, _scaled(chinchilla, 1.1), "chinchilla", n_boot=200)
    assert cmp.a_better and cmp.significant and cmp.p_a_better == 1.0
    band = cmp.multiplier_interval
    assert band is not None and band[0] > 1.0 and not _contains_one(band)
    text = cmp.statement()
    assert "B needs" in text and "significant at 95%" in text
    assert "no detectable difference" not in text


def test_pairs_of_identical_resamples_are_ties_counted_as_half(chinchilla) -> None:
    f = _fit(chinchilla)
    boot = f.with_bootstrap(f.bootstrap(40, seed=3))
    cmp = sl.compare(boot, boot)
    assert cmp.n_ties == 40 and cmp.p_a_better == 0.5 and not cmp.significant
    assert cmp.multiplier_interval == (1.0, 1.0)
    assert "40 tied, counted as half" in cmp.statement()
    # two fits carrying bootstraps drawn with one seed: paired resamples, said so
    other = _fit(chinchilla).with_bootstrap(_fit(chinchilla).bootstrap(40, seed=3))
    paired = sl.compare(boot, other)
    assert any("paired, not independent" in w for w in paired.warnings)


def test_the_same_fit_twice_is_resampled_from_two_streams(chinchilla) -> None:
    f = _fit(chinchilla)
    cmp = sl.compare(f, f, n_boot=60, seed=7)
    # independent resamples of one fit: almost no pair ties, and no winner
    assert cmp.n_ties < 3 and cmp.n_pairs == 60
    assert not cmp.significant and _contains_one(cmp.multiplier_interval)
    again = sl.compare(f, f, n_boot=60, seed=7)
    assert again.p_a_better == cmp.p_a_better  # the seed still fixes the result
