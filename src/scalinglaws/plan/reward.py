"""The peak of reward over-optimisation (Gao, Schulman, Hilton 2023): from a fit of
``reward_bon`` or ``reward_rl`` to (d = √KL, gold reward) points, the distance d* where the
gold reward peaks, its KL budget d*², for best-of-n the n that reaches it, the reward there,
and a bootstrap interval of d*."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common.checks import check_level
from ..common.jsonvalues import json_value
from ..exceptions import OptionError
from ..laws.published.posttraining import bon_distance, peak

_LAWS = ("reward_bon", "reward_rl")


@dataclass(frozen=True)
class RewardPeak:
    """Where the gold reward peaks: ``d`` (√KL), ``kl``, ``n`` (best-of-n only), ``reward``
    (the fitted gold reward there) and ``interval`` (of ``d``, at ``level``; NaN without a
    bootstrap)."""

    law: str
    d: float
    kl: float
    n: float | None
    reward: float
    interval: tuple[float, float]
    level: float

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({"law": self.law, "d": self.d, "kl": self.kl, "n": self.n,
                                "reward": self.reward, "d_interval": list(self.interval),
                                "level": self.level}))

    def __str__(self) -> str:
        lo, hi = self.interval
        span = f" ({self.level:.0%} interval {lo:.3g}–{hi:.3g})" if math.isfinite(lo) else ""
        best = f", best-of-{self.n:.3g}" if self.n is not None else ""
        return (f"gold reward peaks at d = sqrt(KL) = {self.d:.4g}{span}: KL {self.kl:.4g}"
                f"{best}, reward {self.reward:.4g} above the start")


def reward_peak(fit: Any, *, level: float = 0.9, n_boot: int = 0,
                seed: int | None = 0) -> RewardPeak:
    """The over-optimisation peak of a ``reward_bon`` or ``reward_rl`` fit; ``n_boot`` > 0
    adds a percentile interval of d* over a bootstrap of the points.

    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> d = np.linspace(0.1, 8, 25)
    >>> fit = sl.fit("reward_bon", pd.DataFrame({"kl_distance": d,
    ...                                          "gold_reward": d * (1.0 - 0.12 * d)}))
    >>> round(sl.plan.reward_peak(fit).d, 3)
    4.167
    """
    name = str(getattr(getattr(fit, "law", None), "name", ""))
    if name not in _LAWS:
        raise OptionError(f"a reward peak needs a fit of {' or '.join(_LAWS)}, got "
                          f"'{name or type(fit).__name__}'", "argument 'fit'",
                          "fit sl.fit('reward_bon', points) first")
    level = check_level(level)
    d = peak(name, fit.params["alpha"], fit.params["beta"])
    interval = (math.nan, math.nan)
    if n_boot:
        ds = peak_samples(fit, n_boot, seed=seed)
        tail = 100 * (1 - level) / 2
        lo, hi = np.percentile(ds, [tail, 100 - tail])
        interval = (float(lo), float(hi))
    reward = float(fit.law(fit.params, kl_distance=d))
    return RewardPeak(name, float(d), float(d * d),
                      best_of_n(d) if name == "reward_bon" else None, reward, interval, level)


def peak_samples(fit: Any, n_boot: int, *, seed: int | None = 0) -> np.ndarray:
    """d* of every resample of a bootstrap of a ``reward_bon`` or ``reward_rl`` fit (the
    resamples that failed, or whose beta is not positive, left out)."""
    name = str(fit.law.name)
    boot = fit.bootstrap(n_boot, seed=seed)
    names = list(fit.law.parameter_names)
    samples = np.asarray(boot.samples, dtype=float)
    return np.array([peak(name, s[names.index("alpha")], s[names.index("beta")])
                     for s in samples if np.all(np.isfinite(s)) and s[names.index("beta")] > 0])


def best_of_n(d: float) -> float:
    """The n whose best-of-n distance is d (log n − (n − 1)/n = d², by bisection in log n)."""
    lo, hi = 0.0, 200.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if bon_distance(math.exp(mid)) < d:
            lo = mid
        else:
            hi = mid
    return float(math.exp(0.5 * (lo + hi)))
