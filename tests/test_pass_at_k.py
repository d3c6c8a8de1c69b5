"""pass@k (Chen et al. 2021) and PassUntil (Hu et al. 2024)."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import numpy as np
import pytest

import scalinglaws as sl
from scalinglaws.exceptions import DataError, OptionError


def exact(n: int, c: int, k: int) -> float:
    if n - c < k:
        return 1.0
    return float(1 - Fraction(comb(n - c, k), comb(n, k)))


def test_equals_the_exact_combinatorial_value_for_small_n() -> None:
    for n in range(1, 25):
        for c in range(n + 1):
            for k in range(1, n + 1):
                # exact rationals against the log-space product: agreement to rounding
                assert sl.inference.pass_at_k(n, c, k) == pytest.approx(exact(n, c, k),
                                                                      rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("c", "k"), [(1, 1), (1, 1000), (37, 100), (5000, 10), (2, 9000)])
def test_stays_finite_and_accurate_for_ten_thousand_samples(c: int, k: int) -> None:
    # C(10000, k) overflows a float beyond k ~ 200; the product in logs does not
    got = sl.inference.pass_at_k(10_000, c, k)
    assert np.isfinite(got)
    assert got == pytest.approx(exact(10_000, c, k), rel=1e-9)


def test_broadcasts_over_problems() -> None:
    got = sl.inference.pass_at_k([200, 200, 200], [0, 13, 200], 10)
    assert got[0] == 0.0 and got[2] == 1.0 and 0 < got[1] < 1


def test_pass_until_estimates_tiny_rates() -> None:
    rng = np.random.default_rng(1)
    p = 2e-5
    attempts = rng.geometric(p, size=400)  # sampled until the first pass
    rate = sl.inference.pass_until(attempts)
    assert rate.lower <= p <= rate.upper
    # 400 passes: the relative standard error is 1/sqrt(400) = 5%; 4 of them
    assert rate.estimate == pytest.approx(p, rel=0.2)
    capped = sl.inference.pass_until([100, 50, 1000], [0, 1, 0])
    assert capped.passes == 1 and capped.estimate == 0.0 and capped.upper > 0


def test_bad_inputs() -> None:
    with pytest.raises(DataError, match="c > n"):
        sl.inference.pass_at_k(10, 11, 1)
    with pytest.raises(OptionError, match="between 1 and n"):
        sl.inference.pass_at_k(10, 1, 11)
    with pytest.raises(OptionError, match="whole numbers"):
        sl.inference.pass_at_k(10.5, 1, 1)
    with pytest.raises(DataError, match="at least as many attempts"):
        sl.inference.pass_until([3], [5])


def test_cli_passk() -> None:
    import json

    from cli_runner import run

    doc = json.loads(run("passk", "--n", "200", "--c", "13", "--k", "1", "10", "100",
                         "--json").stdout)
    assert doc["k"] == [1, 10, 100]
    assert doc["pass_at_k"] == pytest.approx([exact(200, 13, k) for k in (1, 10, 100)],
                                             rel=1e-12)
    assert "c > n" in run("passk", "--n", "10", "--c", "11", "--k", "1", code=2).stderr
    assert "between 1 and n" in run("passk", "--n", "10", "--c", "1", "--k", "20",
                                    code=2).stderr
