"""pass@k and PassUntil.

pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on Code", eq. 1): with
``n`` samples of which ``c`` pass, the unbiased estimate of the chance that at least one of
``k`` samples passes is ``1 - C(n-c, k) / C(n, k)``. The binomial coefficients overflow for
large ``n``; the ratio is computed as ``prod_{i=n-c+1}^{n} (1 - k/i)`` in logarithms
(``log1p``), exact to rounding for any ``n``.

PassUntil (Hu et al. 2024, "Unlock Predictable Scaling from Emergent Abilities", Sec. 3):
sample each instance until it passes (or a cap is reached); with ``r`` passes in ``n``
attempts the pass rate's unbiased estimate under negative-binomial sampling is
``(r - 1) / (n - 1)`` (Haldane), and an exact interval comes from the Beta distribution. It
measures pass rates of 1e-5 where a fixed budget of a hundred samples sees none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from ..exceptions import DataError, OptionError


def _ints(value: Any, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise OptionError(f"{name} must be whole numbers, got {value!r}", f"argument '{name}'",
                          "give counts such as 200")
    if np.any(arr < 0):
        raise OptionError(f"{name} must not be negative", f"argument '{name}'",
                          "give counts of samples")
    return arr.astype(np.int64)


def pass_at_k(n: Any, c: Any, k: Any) -> Any:
    """The unbiased pass@k from ``n`` samples of which ``c`` passed (scalars or arrays that
    broadcast): ``1 - C(n-c, k)/C(n, k)``; 1 when fewer than ``k`` samples failed.

    >>> round(pass_at_k(200, 13, 10), 6)
    0.497551
    >>> pass_at_k(10_000, 1, 1)
    0.0001
    """
    n_, c_, k_ = np.broadcast_arrays(_ints(n, "n"), _ints(c, "c"), _ints(k, "k"))
    if np.any(n_ < 1):
        raise OptionError("n must be at least 1 (samples drawn per problem)", "argument 'n'",
                          "pass@k needs samples: give n >= 1")
    if np.any(c_ > n_):
        raise DataError("more passing samples than samples (c > n)", "arguments 'n', 'c'",
                        "count the passing samples (c) among the n drawn")
    if np.any(k_ < 1) or np.any(k_ > n_):
        raise OptionError("k must lie between 1 and n", "argument 'k'",
                          "pass@k needs at least k samples per problem")
    out = np.ones(n_.shape, dtype=float)
    for idx in np.ndindex(n_.shape):
        ni, ci, ki = int(n_[idx]), int(c_[idx]), int(k_[idx])
        if ni - ci < ki:
            continue  # every k-subset holds a passing sample
        i = np.arange(ni - ci + 1, ni + 1, dtype=float)
        out[idx] = -np.expm1(np.sum(np.log1p(-ki / i)))
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class PassRate:
    """A pass rate estimated by :func:`pass_until`: the estimate, its ``level`` interval,
    and the passes and attempts it rests on."""

    estimate: float
    lower: float
    upper: float
    level: float
    passes: int
    attempts: int

    def to_dict(self) -> dict[str, float]:
        return {"pass_rate": self.estimate, "lower": self.lower, "upper": self.upper,
                "level": self.level, "passes": self.passes, "attempts": self.attempts}


def pass_until(attempts: Any, passes: Any = None, *, level: float = 0.9) -> PassRate:
    """The pass rate of a task sampled until each instance passed: ``attempts`` per instance
    (the attempt of the pass included), ``passes`` per instance (1 by default; 0 for an
    instance that hit the cap without passing). Pooled over instances: ``(r-1)/(n-1)`` with
    ``r`` passes in ``n`` attempts (unbiased under sampling until the r-th pass), and the
    exact Clopper–Pearson interval at ``level``.

    >>> rate = pass_until([4000, 12000, 9000, 25000])
    >>> f"{rate.estimate:.2e}"
    '6.00e-05'
    """
    n_i = _ints(attempts, "attempts").ravel()
    r_i = np.ones_like(n_i) if passes is None else _ints(passes, "passes").ravel()
    if n_i.shape != r_i.shape:
        raise DataError("attempts and passes have different lengths",
                        "arguments 'attempts', 'passes'", "give one of each per instance")
    if np.any(r_i > n_i) or n_i.size == 0:
        raise DataError("each instance needs at least as many attempts as passes",
                        "arguments 'attempts', 'passes'", "count every attempt")
    if not 0 < level < 1:
        raise OptionError(f"level must lie in (0, 1), got {level!r}", "argument 'level'",
                          "e.g. 0.9")
    n, r = int(n_i.sum()), int(r_i.sum())
    estimate = (r - 1) / (n - 1) if r >= 1 and n > 1 else 0.0
    tail = (1 - level) / 2
    lower = float(stats.beta.ppf(tail, r, n - r + 1)) if r > 0 else 0.0
    upper = float(stats.beta.ppf(1 - tail, r + 1, n - r)) if r < n else 1.0
    return PassRate(float(estimate), lower, upper, level, r, n)
