"""Comparing two setups (say two optimisers or two data mixes) through their fitted laws.

The question a comparison answers is economic: how many times more compute does setup B need
to reach the loss that setup A reaches with compute C? That *compute multiplier* is a
function of C (constant only when the two laws differ by a pure change of compute units); the
*crossover* is the budget where it passes 1 (the setups trade places). Both come from the
compute-optimal losses of the two fits (:func:`compute_optimal`, :func:`flops_to_reach`).
Uncertainty comes from the two fits' bootstraps, resample k of A beside resample k of B:
``p_a_better`` is the share of resample pairs in which A's compute-optimal loss at the chosen
budget is the lower. A sensitivity table refits both setups under other reasonable fitting
choices (Gemstones, arXiv:2502.06857: conclusions can hinge on them) and says whether the
conclusion flips.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..common.jsonvalues import json_value
from ..data.dataset import as_dataset
from ..exceptions import OptionError, QueryError, ScalingLawError, ScalingLawWarning
from ..fitting import FitOptions, FitResult, fit_law
from ..laws import resolve
from .optimal import compute_optimal, flops_to_reach
from .queries import Array, positive_values


@dataclass(frozen=True)
class SetupComparison:
    """Setup A against setup B: the compute multiplier over budgets, the crossover, and the
    probability that A is better at ``budget``."""

    flops: Array
    multiplier: Array
    budget: float
    multiplier_at_budget: float
    crossover_flops: float | None
    p_a_better: float | None
    n_pairs: int
    sensitivity: pd.DataFrame | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def a_better(self) -> bool:
        """Whether A reaches B's loss with less compute at ``budget`` (multiplier above 1)."""
        return self.multiplier_at_budget > 1.0

    @property
    def significant(self) -> bool:
        """Whether the bootstrap says so at 95% (p_a_better outside [0.025, 0.975])."""
        p = self.p_a_better
        return p is not None and (p > 0.975 or p < 0.025)

    def statement(self) -> str:
        """One sentence: who is better at the budget, by how much, and how sure."""
        better, worse = ("A", "B") if self.a_better else ("B", "A")
        factor = self.multiplier_at_budget if self.a_better else 1 / self.multiplier_at_budget
        text = (f"at {self.budget:.3g} FLOPs {worse} needs {factor:.3g}x the compute of "
                f"{better} to reach the same loss")
        if self.p_a_better is not None:
            sure = "significant" if self.significant else "not significant"
            text += (f"; P(A better) = {self.p_a_better:.3f} over {self.n_pairs} bootstrap "
                     f"pairs ({sure} at 95%)")
        if self.crossover_flops is not None:
            text += f"; the curves cross at {self.crossover_flops:.3g} FLOPs"
        return text

    def __str__(self) -> str:
        return self.statement()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "compute_multiplier": self.multiplier_at_budget, "budget": self.budget,
            "crossover_flops": self.crossover_flops, "p_a_better": self.p_a_better,
            "significant": self.significant, "n_pairs": self.n_pairs,
            "statement": self.statement(),
            "curve": {"flops": self.flops.tolist(), "multiplier": self.multiplier.tolist()},
            "warnings": list(self.warnings)}
        if self.sensitivity is not None:
            out["sensitivity"] = self.sensitivity.to_dict(orient="records")
        return json_value(out)  # type: ignore[no-any-return]


def compare(fit_a: FitResult, fit_b: FitResult, *, budget: float | None = None,
            flops: Any = None, n_boot: int = 0, seed: int | None = 0,
            flops_factor: float = 6.0) -> SetupComparison:
    """Compare two fitted laws of params and tokens (see the module text).

    ``budget`` is where the verdict is given (default: the larger of the two fits' largest
    training budgets); ``flops`` the budgets of the multiplier curve (default: 30 points over
    1/100 to 100 times ``budget``). ``n_boot`` resamples per fit give ``p_a_better``; a fit
    that carries a bootstrap (``fit.with_bootstrap``) uses its own.

    Example
    -------
    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> round(sl.compare(f, f).multiplier_at_budget, 6)
    1.0
    """
    budget_c = _default_budget(fit_a, fit_b, flops_factor) if budget is None else float(
        positive_values(budget, "budget", "budget=1e23")[0])
    grid = (np.geomspace(budget_c / 100, budget_c * 100, 30) if flops is None
            else np.sort(positive_values(flops, "flops", "flops=[1e21, 1e23]")))
    multiplier = _multiplier(fit_a, fit_b, grid, flops_factor)
    at_budget = float(_multiplier(fit_a, fit_b, np.array([budget_c]), flops_factor)[0])
    crossover = _crossover(fit_a, fit_b, grid, multiplier, flops_factor)
    p, n_pairs = _p_a_better(fit_a, fit_b, budget_c, n_boot, seed, flops_factor)
    warn = []
    for f, name in ((fit_a, "A"), (fit_b, "B")):
        top = _largest_budget(f, flops_factor)
        if math.isfinite(top) and budget_c > 10 * top:
            warn.append(f"the budget is {budget_c / top:.0f}x beyond setup {name}'s largest run")
    return SetupComparison(flops=grid, multiplier=multiplier, budget=budget_c,
                      multiplier_at_budget=at_budget, crossover_flops=crossover,
                      p_a_better=p, n_pairs=n_pairs, warnings=tuple(warn))


#: the fitting choices of the sensitivity table: (name, fit options, smallest sizes dropped)
SENSITIVITY: tuple[tuple[str, dict[str, Any], int], ...] = (
    ("huber 1e-3", {"loss": "huber", "delta": 1e-3}, 0),
    ("huber 1e-2", {"loss": "huber", "delta": 1e-2}, 0),
    ("mse_log", {"loss": "mse_log"}, 0),
    ("huber 1e-3, drop smallest", {"loss": "huber", "delta": 1e-3}, 1),
)


def compare_data(data_a: Any, data_b: Any, law: Any = "chinchilla", *,
                 budget: float | None = None, n_boot: int = 200, seed: int | None = 0,
                 choices: Sequence[tuple[str, dict[str, Any], int]] = SENSITIVITY,
                 flops_factor: float = 6.0) -> SetupComparison:
    """Fit one law to two datasets and compare them; the first choice gives the verdict,
    every choice a row of the sensitivity table (does the conclusion flip?)."""
    ds_a, ds_b = as_dataset(data_a), as_dataset(data_b)
    if budget is not None:  # a bad budget is one clear error, not a failure per choice
        budget = float(positive_values(budget, "budget", "budget=1e23")[0])
    if not choices:
        raise OptionError("choices must name at least one fitting choice", "argument "
                          "'choices'", "use the default SENSITIVITY")
    bound = resolve(law)
    checked = [(name, FitOptions.coerce(**options), drop) for name, options, drop in choices]
    rows, main = [], None
    for name, options, drop in checked:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScalingLawWarning)
            fa = fit_law(bound, _drop_smallest(ds_a, drop), options=options)
            fb = fit_law(bound, _drop_smallest(ds_b, drop), options=options)
        try:
            result = compare(fa, fb, budget=budget, n_boot=n_boot if main is None else 0,
                             seed=seed, flops_factor=flops_factor)
        except ScalingLawError as exc:
            rows.append({"choice": name, "compute_multiplier": math.nan, "a_better": None,
                         "status": f"error: {exc.what}"})
            continue
        if main is None:
            main = result
        rows.append({"choice": name, "compute_multiplier": result.multiplier_at_budget,
                     "a_better": result.a_better,
                     "status": f"{fa.status.value} / {fb.status.value}"})
    if main is None:
        raise QueryError("no fitting choice gave a comparison", "compare_data",
                         "check that both datasets fit the law")
    table = pd.DataFrame(rows)
    verdicts = {v for v in table["a_better"] if v is not None}
    warn = list(main.warnings)
    if len(verdicts) > 1:
        warn.append("the conclusion flips under other fitting choices (see the sensitivity "
                    "table): it is not robust")
    return dataclasses.replace(main, sensitivity=table, warnings=tuple(warn))


def _drop_smallest(ds: Any, k: int) -> Any:
    if not k:
        return ds
    sizes = np.unique(ds.column("params"))
    return ds[ds.column("params") >= sizes[min(k, len(sizes) - 1)]]


def _largest_budget(fit: FitResult, k: float) -> float:
    """The largest training budget behind a fit: its data's FLOPs when it carries them, else
    ``k`` times its largest model size and token count (an upper bound)."""
    if fit.data is not None and fit.data.has("flops"):
        return float(np.max(fit.data.column("flops")))
    n = fit.input_ranges.get("params", (math.nan, math.nan))[1]
    d = fit.input_ranges.get("tokens", (math.nan, math.nan))[1]
    return float(k * n * d)


def _default_budget(fit_a: FitResult, fit_b: FitResult, k: float) -> float:
    tops = [t for t in (_largest_budget(f, k) for f in (fit_a, fit_b)) if math.isfinite(t)]
    if not tops:
        raise OptionError("the fits record no model sizes and tokens to take a budget from",
                          "argument 'budget'", "pass budget=1e23")
    return float(max(tops))


def _multiplier(fit_a: FitResult, fit_b: FitResult, c: Array, k: float) -> Array:
    """C_B(L_A*(C)) / C: the compute B needs to match A's compute-optimal loss."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)
        target = compute_optimal(fit_a, c, flops_factor=k).loss
        out = np.full(c.shape, np.inf)
        try:
            out = flops_to_reach(fit_b, target, flops_factor=k).flops / c
        except QueryError:
            for i, t in enumerate(target):  # some targets are beyond B's floor
                try:
                    out[i] = flops_to_reach(fit_b, t, flops_factor=k).flops[0] / c[i]
                except QueryError:
                    out[i] = np.inf
    return np.asarray(out, dtype=float)


def _crossover(fit_a: FitResult, fit_b: FitResult, grid: Array, m: Array,
               k: float) -> float | None:
    """The budget where the multiplier passes 1, refined by bisection in log C."""
    log_m = np.log(np.where(np.isfinite(m), m, 1e300))
    s = np.where(np.abs(log_m) < 1e-9, 0.0, np.sign(log_m))  # equal to round-off: no side
    change = np.flatnonzero(s[:-1] * s[1:] < 0)
    if change.size == 0:
        return None
    lo, hi = np.log(grid[change[0]]), np.log(grid[change[0] + 1])
    s_lo = s[change[0]]
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        v = _multiplier(fit_a, fit_b, np.array([np.exp(mid)]), k)[0]
        if np.sign(np.log(v)) == s_lo:
            lo = mid
        else:
            hi = mid
    return float(np.exp(0.5 * (lo + hi)))


def _p_a_better(fit_a: FitResult, fit_b: FitResult, budget: float, n_boot: int,
                seed: int | None, k: float) -> tuple[float | None, int]:
    boots = []
    for f in (fit_a, fit_b):
        if f.uncertainty is not None:
            boots.append(f.uncertainty)
        elif n_boot:
            boots.append(f.bootstrap(n_boot, seed=seed))
        else:
            return None, 0
    n = min(b.n for b in boots)
    losses = []
    for f, b in zip((fit_a, fit_b), boots, strict=True):
        vals = np.full(n, np.nan)
        for i, row in enumerate(b.samples[:n]):
            if not np.isfinite(row).all():
                continue
            g = dataclasses.replace(f, params=dict(zip(f.law.parameter_names, map(float, row),
                                                       strict=True)), uncertainty=None)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScalingLawWarning)
                try:
                    vals[i] = compute_optimal(g, budget, flops_factor=k).loss[0]
                except ScalingLawError:
                    vals[i] = np.nan
        losses.append(vals)
    ok = np.isfinite(losses[0]) & np.isfinite(losses[1])
    if ok.sum() < 2:
        return None, int(ok.sum())
    return float(np.mean(losses[0][ok] < losses[1][ok])), int(ok.sum())
