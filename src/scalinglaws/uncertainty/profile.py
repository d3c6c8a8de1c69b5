"""Profile-likelihood intervals: refit with one parameter pinned at a grid of values.

For an M-estimator the drop in the objective when a parameter is pinned away from its
optimum, scaled by ``Σψ'/Σψ²`` (the robust analogue of ``1/σ²``; Ronchetti 1982's
drop-in-dispersion test), is asymptotically χ²₁. For ``mse``/``mse_log`` this is the usual
``2·ΔSS/σ̂²``. The interval is where the scaled drop crosses the χ²₁ quantile of the level.
All grid points are refitted together as one batch (the pinned parameter's bounds are set per
row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ..common.checks import check_level, integer_at_least
from ..common.display import html_pairs, text_pairs
from ..common.numbers import ends, level_label, readable
from ..engine.objective import inside_probability, robust_loss
from ..engine.optimizer import minimize_batched
from ..exceptions import OptionError
from .refit import estimate_search, fit_objective

if TYPE_CHECKING:
    from ..engine.objective import Objective
    from .fitted import FittedLaw

Array = np.ndarray


@dataclass(frozen=True)
class Profile:
    """The profile of one parameter: pinned ``values`` and the scaled objective drop
    ``statistic`` (≈ χ²₁ under the model; NaN where the refit failed), with the interval at
    ``level``. ``lower`` and ``upper`` are the parameter's bounds (natural units).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> prof = f.profile("alpha")
    >>> lo, hi = prof.interval()
    >>> lo < f.params["alpha"] < hi
    True
    """

    name: str
    estimate: float
    values: Array
    statistic: Array
    level: float
    lower: float = -math.inf
    upper: float = math.inf

    def interval(self, level: float | None = None) -> tuple[float, float]:
        """Where the statistic crosses the χ²₁ quantile on each side. A side where it never
        does ends at the parameter's bound (±inf when unbounded): the profiled range reached
        the bound, or the interval runs on beyond it. An end that cannot be told is NaN: the
        statistic is NaN at the far end of the side (failed refits) or everywhere."""
        level = self.level if level is None else check_level(level)
        cut = float(stats.chi2.ppf(level, 1))
        v, s = self.values, self.statistic
        below, above = v < self.estimate, v > self.estimate
        lo = (self.lower if self.estimate <= self.lower else
              _crossing(v[below][::-1], s[below][::-1], self.estimate, cut, self.lower))
        hi = (self.upper if self.estimate >= self.upper else
              _crossing(v[above], s[above], self.estimate, cut, self.upper))
        return lo, hi

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({self.name: self.values, "statistic": self.statistic})

    # -- presentation --------------------------------------------------------------------------
    def _facts(self) -> list[tuple[str, str]]:
        lo, hi = self.interval()
        a, b = ends(lo, hi, 4)
        cut = float(stats.chi2.ppf(self.level, 1))
        ok = int(np.isfinite(self.statistic).sum())
        return [("estimate", readable(self.estimate, 4)),
                (f"{level_label(self.level)} interval", f"[{a}, {b}]"),
                ("method", f"profile likelihood: the pinned refits' scaled objective drop "
                           f"crosses the χ²₁ quantile {cut:.3g}"),
                ("bounds", f"[{readable(self.lower)}, {readable(self.upper)}]"),
                ("pinned values", f"{len(self.values)} ({len(self.values) - ok} failed)")]

    def __str__(self) -> str:
        return f"Profile of '{self.name}'\n" + text_pairs(self._facts())

    def __repr__(self) -> str:
        facts = dict(self._facts())
        key = f"{level_label(self.level)} interval"
        return (f"<Profile of '{self.name}': estimate {facts['estimate']}, {key} "
                f"{facts[key]}>")

    def _repr_html_(self) -> str:
        return html_pairs(self._facts(), caption=f"Profile of '{self.name}'")


def _crossing(v: Array, s: Array, estimate: float, cut: float, bound: float) -> float:
    """First crossing of ``cut`` moving away from the estimate (interpolated in sqrt(stat),
    over the points whose statistic is finite); ``bound`` when the statistic stays below it
    to the last point, NaN when that point's statistic is NaN (or there is no point)."""
    prev_v, prev_s = estimate, 0.0
    for vi, si in zip(v, s, strict=True):
        if not math.isfinite(si):
            continue
        if si >= cut:
            a, b = math.sqrt(max(prev_s, 0.0)), math.sqrt(si)
            t = (math.sqrt(cut) - a) / (b - a) if b > a else 1.0
            return float(prev_v + t * (vi - prev_v))
        prev_v, prev_s = vi, si
    if len(s) == 0 or not math.isfinite(s[-1]):
        return math.nan
    return float(bound)


def run_profile(fit: FittedLaw, name: str, *, level: float = 0.95, data: Any = None,
                points: int = 41) -> Profile:
    """Profile ``name`` over a range that brackets the ``level`` interval (see module doc)."""
    level = check_level(level)
    names = fit.law.parameter_names
    if name not in names:
        raise OptionError(f"unknown parameter '{name}'", f"law '{fit.law.name}'",
                          f"use one of {', '.join(names)}")
    points = integer_at_least(points, "points", 5, "use e.g. 41")
    j = names.index(name)
    obj = fit_objective(fit, data)
    u_hat = estimate_search(fit, obj)
    f_hat = float(obj.value(u_hat[None, :])[0])
    kappa = _scale(obj, u_hat)
    cut = float(stats.chi2.ppf(level, 1))
    step = _initial_step(fit, obj, name, j, u_hat)
    lo_b, hi_b = obj.lower[j], obj.upper[j]
    half = points // 2
    spans = [4.0, 4.0]  # steps to the left and to the right; a side still open widens alone
    for _ in range(4):
        t = np.concatenate([np.linspace(-spans[0], 0.0, half + 1),
                            np.linspace(0.0, spans[1], half + 1)[1:]])
        grid = np.clip(u_hat[j] + t * step, lo_b, hi_b)
        stat = _profile_values(obj, u_hat, j, grid, f_hat, kappa)
        left_open = bool(np.all(stat[:half] < cut)) and grid[0] > lo_b
        right_open = bool(np.all(stat[half + 1:] < cut)) and grid[-1] < hi_b
        if not (left_open or right_open):
            break
        spans = [spans[0] * (3.0 if left_open else 1.0), spans[1] * (3.0 if right_open else 1.0)]
    grid, stat = _refine(obj, u_hat, j, grid, stat, f_hat, kappa, cut, fine=0.05 * step)
    spec = fit.law.parameters[j]
    values = np.where(obj.log_mask[j], np.exp(grid), grid)
    # the ends pinned at a bound sit exactly on it (exp(log(bound)) may miss by an ulp)
    values = np.where(grid <= lo_b, spec.lower, np.where(grid >= hi_b, spec.upper, values))
    keep = np.concatenate([[True], np.diff(values) > 0])
    return Profile(name=name, estimate=float(fit.params[name]), values=values[keep],
                   statistic=stat[keep], level=level, lower=float(spec.lower),
                   upper=float(spec.upper))


def _refine(obj: Objective, u_hat: Array, j: int, grid: Array, stat: Array, f_hat: float,
            kappa: float, cut: float, fine: float, rounds: int = 3) -> tuple[Array, Array]:
    """Add grid points where the statistic crosses ``cut`` on each side, until the crossing is
    bracketed within ``fine`` (search coordinates): a grid widened to find a far crossing is
    otherwise too coarse to place it."""
    for _ in range(rounds):
        extra = [np.linspace(a, b, 9)[1:-1] for a, b in _brackets(grid, stat, u_hat[j], cut)
                 if abs(b - a) > fine]
        if not extra:
            break
        new = np.concatenate(extra)
        grid = np.concatenate([grid, new])
        stat = np.concatenate([stat, _profile_values(obj, u_hat, j, new, f_hat, kappa)])
        order = np.argsort(grid, kind="stable")
        grid, stat = grid[order], stat[order]
    return grid, stat


def _brackets(grid: Array, stat: Array, centre: float, cut: float) -> list[tuple[float, float]]:
    """On each side of ``centre``: the last grid point below ``cut`` and the first at or above
    it (finite statistics only), when the statistic crosses there."""
    out = []
    for left in (True, False):
        side = grid < centre if left else grid > centre
        g, s = grid[side], stat[side]
        if left:  # walked from the centre outwards
            g, s = g[::-1], s[::-1]
        prev = centre
        for gi, si in zip(g, s, strict=True):
            if not math.isfinite(si):
                continue
            if si >= cut:
                out.append((prev, float(gi)))
                break
            prev = float(gi)
    return out


def _scale(obj: Objective, u_hat: Array) -> float:
    """κ = Σc·E[ψ'] / (Σc²ψ² · n/(n-q)): turns 2·(objective drop) into a χ²₁ statistic."""
    r = obj.residual_jacobian(u_hat[None, :])[0][0]
    psi = robust_loss(r, obj.loss, obj.delta)[1]
    c = obj.point_weights(r[None, :])[0]
    n, q = r.size, obj.n_params
    m1 = float(np.sum(c)) * inside_probability(r, obj.loss, obj.delta)
    m2 = float(np.sum((c * psi) ** 2)) * n / max(n - q, 1)
    return m1 / m2 if m2 > 0 else math.nan


def _initial_step(fit: FittedLaw, obj: Objective, name: str, j: int, u_hat: Array) -> float:
    """Grid spacing unit in search coordinates: the standard error (at most 2 log units for a
    log-scale parameter). Without one (a parameter at a bound): 2 log units (a tenth of the
    search range when that is narrower) for a log-scale parameter, else 10% of the value."""
    value = float(fit.params[name])
    se = float(fit.stderr.get(name, math.nan))
    if math.isfinite(se) and se > 0:
        return min(se / max(abs(value), 1e-300), 2.0) if obj.log_mask[j] else se
    if obj.log_mask[j]:
        width = float(obj.upper[j] - obj.lower[j])
        return min(width / 10.0, 2.0) if math.isfinite(width) and width > 0 else 2.0
    return 0.1 * abs(value) if value != 0 else 0.1


def _profile_values(obj: Objective, u_hat: Array, j: int, grid: Array, f_hat: float,
                    kappa: float) -> Array:
    K = len(grid)
    U0 = np.tile(u_hat, (K, 1))
    U0[:, j] = grid
    lower = np.tile(obj.lower, (K, 1))
    upper = np.tile(obj.upper, (K, 1))
    lower[:, j] = upper[:, j] = grid
    pinned = obj.with_row_bounds(lower, upper)
    coarse = minimize_batched(pinned, U0, max_iter=300, ftol=1e-6)
    fine = minimize_batched(pinned, coarse.U, max_iter=300, exact=True, lam0=1e-6)
    drop = np.where(fine.usable, np.maximum(fine.value - f_hat, 0.0), np.nan)
    return 2.0 * kappa * drop
