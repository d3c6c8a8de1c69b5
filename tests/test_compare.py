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
