"""The bootstrap of an IsoFLOP analysis: the runs within each budget resampled, every
budget's minimum and both power laws refitted, all resamples at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .inputs import Array
from .parabola import Budgets, pack, power_laws
from .tokens import LogTokens

#: the estimator of the budgets' minima: ``minima(budgets, counts)`` (see ``parabolas``)
Minima = Callable[[Budgets, Array], dict[str, Array]]


@dataclass(frozen=True)
class Resamples:
    """Per resample: the exponents ``a`` and ``b`` (NaN where fewer than two budgets kept a
    minimum), and per resample and budget ``ln N_opt`` (0 where ``ok`` is false: no minimum
    within the sizes drawn; that budget sat out the resample's power laws)."""

    a: Array
    b: Array
    log_n_opt: Array
    ok: Array

    def exponent_intervals(self, q: list[float]) -> tuple[tuple[float, float],
                                                          tuple[float, float]] | None:
        """Percentile intervals (``q`` in percent) of ``a`` and ``b`` over the resamples
        whose ``a`` is finite; None with fewer than two."""
        fin = np.isfinite(self.a)
        if fin.sum() < 2:
            return None
        lo_a, hi_a = np.percentile(self.a[fin], q)
        lo_b, hi_b = np.percentile(self.b[fin], q)
        return (float(lo_a), float(hi_a)), (float(lo_b), float(hi_b))

    def n_opt_interval(self, j: int, q: list[float]) -> tuple[float, float] | None:
        """The percentile interval of budget ``j``'s N_opt over the resamples where it had a
        minimum; None with fewer than two."""
        v = self.log_n_opt[self.ok[:, j], j]
        if v.size < 2:
            return None
        lo, hi = np.percentile(v, q)
        return float(np.exp(lo)), float(np.exp(hi))

    @property
    def failed(self) -> Array:
        """Per budget, the share of resamples in which it had no usable minimum."""
        return 1.0 - self.ok.mean(axis=0)


def resample(minima: Minima, groups: list[tuple[Array, Array]], logc: Array, which: Array,
             log_tokens: LogTokens, n: int, seed: int | None) -> Resamples:
    """``n`` resamples of the runs ``groups`` of the budgets ``which`` (at ``ln C`` =
    ``logc``), each refitted: the minima by ``minima``, then both power laws."""
    sub = pack(groups)
    rng = np.random.default_rng(seed)
    bf = minima(sub, resample_counts(sub, n, rng))
    ok = bf["ok"]
    ln = np.where(ok, sub.centre + bf["vertex"], 0.0)
    a, _ = power_laws(logc, ln, ok)
    b, _ = power_laws(logc, np.where(ok, log_tokens(ln, which), 0.0), ok)
    return Resamples(a=a, b=b, log_n_opt=ln, ok=ok)


def resample_counts(bud: Budgets, n: int, rng: np.random.Generator) -> Array:
    """(n, G, M) counts: each budget's runs drawn with replacement, as many as it has."""
    G, M = bud.mask.shape
    draws = (rng.random((n, G, M)) * bud.n_runs[None, :, None]).astype(int)
    flat = (np.arange(n)[:, None, None] * G + np.arange(G)[None, :, None]) * M + draws
    flat = flat[np.broadcast_to(bud.mask, flat.shape)]
    return np.bincount(flat, minlength=n * G * M).reshape(n, G, M).astype(float)
