"""Comparing two setups (say two optimisers or two data mixes) through their fitted laws.

The question a comparison answers is economic: how many times more compute does setup B need
to reach the loss that setup A reaches with compute C? That *compute multiplier* is a
function of C (constant only when the two laws differ by a pure change of compute units); the
*crossover* is the budget where it passes 1 (the setups trade places). Both come from the
compute-optimal losses of the two fits (:func:`compute_optimal`, :func:`flops_to_reach`).
Uncertainty comes from the two fits' bootstraps, drawn independently (separate random
streams), resample k of A beside resample k of B: ``p_a_better`` is the share of resample pairs
in which A's compute-optimal loss at the chosen budget is the lower, a tie counting as half,
and ``multiplier_interval`` the central 95% of the pairs' multipliers. A difference is called
significant only when that interval leaves out 1 and ``p_a_better`` is outside
[0.025, 0.975]; otherwise the statement says there is no detectable difference. A sensitivity
table refits both setups under other reasonable fitting
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

from ..common.jsonvalues import float_text, json_value
from ..common.numbers import times
from ..data.dataset import as_dataset
from ..exceptions import OptionError, QueryError, ScalingLawError, ScalingLawWarning
from ..fitting import FitOptions, FitResult, fit_law
from ..laws import resolve
from .optimal import compute_optimal, flops_to_reach
from .queries import Array, positive_values

#: the level of the multiplier's interval and of the call "significant"
LEVEL = 0.95
#: compute-optimal losses (and multipliers from 1) closer than this, relatively, are a tie:
#: a setup compared with itself differs by round-off only
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SetupComparison:
    """Setup A against setup B: the compute multiplier over budgets, the crossover, and, from
    bootstrap pairs, the probability that A is better at ``budget`` and the interval of the
    multiplier there."""

    flops: Array
    multiplier: Array
    budget: float
    multiplier_at_budget: float
    crossover_flops: float | None
    p_a_better: float | None
    n_pairs: int
    sensitivity: pd.DataFrame | None = None
    warnings: tuple[str, ...] = field(default=())
    #: the central ``LEVEL`` interval of the multiplier at ``budget`` over the bootstrap pairs
    multiplier_interval: tuple[float, float] | None = None
    #: bootstrap pairs whose compute-optimal losses tie (each counted as half in p_a_better)
    n_ties: int = 0

    @property
    def tied(self) -> bool:
        """Whether the fitted multiplier at ``budget`` is 1 up to round-off."""
        return abs(self.multiplier_at_budget - 1.0) <= TIE_TOLERANCE

    @property
    def a_better(self) -> bool:
        """Whether A reaches B's loss with less compute at ``budget`` (multiplier above 1,
        beyond round-off)."""
        return self.multiplier_at_budget > 1.0 + TIE_TOLERANCE

    @property
    def significant(self) -> bool:
        """Whether the bootstrap pairs tell the setups apart at 95%: the multiplier's interval
        leaves out 1 and p_a_better is outside [0.025, 0.975]."""
        p, band = self.p_a_better, self.multiplier_interval
        if p is None or band is None:
            return False
        tail = (1.0 - LEVEL) / 2
        excludes_one = band[0] > 1.0 + TIE_TOLERANCE or band[1] < 1.0 - TIE_TOLERANCE
        return excludes_one and (p > 1.0 - tail or p < tail)

    def statement(self) -> str:
        """One sentence: who is better at the budget, by how much, and how sure; "no
        detectable difference" when the bootstrap pairs cannot tell."""
        band, pct = self.multiplier_interval, f"{LEVEL:.0%}"
        if self.p_a_better is not None and band is not None and not self.significant:
            text = (f"at {self.budget:.3g} FLOPs no detectable difference between A and B: B "
                    f"needs {self.multiplier_at_budget:.3g}x the compute of A to reach A's "
                    f"loss, {pct} interval {_times(band[0])} to {_times(band[1])}")
        elif self.tied:
            text = (f"at {self.budget:.3g} FLOPs A and B need the same compute to reach the "
                    f"same loss")
        else:
            better, worse = ("A", "B") if self.a_better else ("B", "A")
            m = self.multiplier_at_budget
            factor = m if self.a_better else 1 / m
            text = (f"at {self.budget:.3g} FLOPs {worse} needs {factor:.3g}x the compute of "
                    f"{better} to reach the same loss")
            if band is not None:
                lo, hi = band if self.a_better else (_inverse(band[1]), _inverse(band[0]))
                text += f" ({pct} interval {_times(lo)} to {_times(hi)})"
        if self.p_a_better is not None:
            text += (f"; P(A better) = {self.p_a_better:.3f} over {self.n_pairs} bootstrap "
                     f"pairs")
            if self.n_ties:
                text += f" ({self.n_ties} tied, counted as half)"
            if self.significant:
                text += f" (significant at {pct})"
        if self.crossover_flops is not None:
            text += f"; the curves cross at {self.crossover_flops:.3g} FLOPs"
        return text

    def __str__(self) -> str:
        from .shown import text

        return text(self)

    def __repr__(self) -> str:
        return f"<SetupComparison: {self.statement()}>"

    def _repr_html_(self) -> str:
        from .shown import html

        return html(self)

    def to_dict(self) -> dict[str, Any]:
        band = self.multiplier_interval
        out: dict[str, Any] = {
            "compute_multiplier": self.multiplier_at_budget, "budget": self.budget,
            "multiplier_interval": None if band is None else [float_text(v) for v in band],
            "level": LEVEL,
            "crossover_flops": self.crossover_flops, "p_a_better": self.p_a_better,
            "significant": self.significant, "n_pairs": self.n_pairs, "n_ties": self.n_ties,
            "statement": self.statement(),
            "curve": {"flops": self.flops.tolist(), "multiplier": self.multiplier.tolist()},
            "warnings": list(self.warnings)}
        if self.sensitivity is not None:
            out["sensitivity"] = self.sensitivity.to_dict(orient="records")
        return json_value(out)  # type: ignore[no-any-return]


def _times(v: float) -> str:
    """A multiplier in a sentence: ``1.5x``; ``inf`` where one setup never reaches the other's
    loss."""
    return f"{v:.3g}x" if math.isfinite(v) else "inf"


def _inverse(v: float) -> float:
    return math.inf if v == 0 else 1.0 / v


def compare(fit_a: FitResult, fit_b: FitResult, *, budget: float | None = None,
            flops: Any = None, n_boot: int = 0, seed: int | None = 0,
            flops_factor: float = 6.0) -> SetupComparison:
    """Compare two fitted laws of params and tokens (see the module text).

    ``budget`` is where the verdict is given (default: the larger of the two fits' largest
    training budgets); ``flops`` the budgets of the multiplier curve (default: 30 points over
    1/100 to 100 times ``budget``). ``n_boot`` resamples per fit, drawn from independent
    streams of ``seed``, give ``p_a_better`` and ``multiplier_interval``; a fit that carries a
    bootstrap (``fit.with_bootstrap``) uses its own.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> round(sl.compare(f, f).multiplier_at_budget, 6)
    1.0
    >>> sl.compare(f, f, n_boot=50).significant
    False
    """
    budget_c = _default_budget(fit_a, fit_b, flops_factor) if budget is None else float(
        positive_values(budget, "budget", "budget=1e23")[0])
    grid = (np.geomspace(budget_c / 100, budget_c * 100, 30) if flops is None
            else np.sort(positive_values(flops, "flops", "flops=[1e21, 1e23]")))
    multiplier = _multiplier(fit_a, fit_b, grid, flops_factor)
    at_budget = float(_multiplier(fit_a, fit_b, np.array([budget_c]), flops_factor)[0])
    crossover = _crossover(fit_a, fit_b, grid, multiplier, flops_factor)
    pairs = _bootstrap_pairs(fit_a, fit_b, budget_c, n_boot, seed, flops_factor)
    warn = list(pairs.warnings)
    for f, name in ((fit_a, "A"), (fit_b, "B")):
        top = _largest_budget(f, flops_factor)
        if math.isfinite(top) and budget_c > 10 * top:
            warn.append(f"the budget is {times(budget_c / top)} beyond setup {name}'s "
                        "largest run")
    return SetupComparison(flops=grid, multiplier=multiplier, budget=budget_c,
                      multiplier_at_budget=at_budget, crossover_flops=crossover,
                      p_a_better=pairs.p_a_better, n_pairs=pairs.n, n_ties=pairs.n_ties,
                      multiplier_interval=pairs.interval, warnings=tuple(warn))


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
                     "a_better": None if result.tied else result.a_better,
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


@dataclass(frozen=True)
class _Pairs:
    """What the bootstrap pairs say at the budget (nothing when there are none)."""

    p_a_better: float | None = None
    n: int = 0
    n_ties: int = 0
    interval: tuple[float, float] | None = None
    warnings: tuple[str, ...] = ()


def _bootstraps(fit_a: FitResult, fit_b: FitResult, n_boot: int,
                seed: int | None) -> tuple[list[Any], list[str]] | None:
    """Each fit's own bootstrap, or ``n_boot`` resamples from a stream of its own."""
    streams = ([None, None] if seed is None else
               [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(2)])
    boots = []
    for f, stream in zip((fit_a, fit_b), streams, strict=True):
        if f.uncertainty is not None:
            boots.append(f.uncertainty)
        elif n_boot:
            boots.append(f.bootstrap(n_boot, seed=stream))
        else:
            return None
    a, b = boots
    warn = []
    if (fit_a.uncertainty is not None and fit_b.uncertainty is not None and a is not b
            and a.seed is not None and a.seed == b.seed and a.n_clusters == b.n_clusters):
        warn.append(f"both fits carry bootstraps drawn with seed {a.seed}: their resamples "
                    "are paired, not independent; rerun one with another seed")
    return boots, warn


def _resample_fit(f: FitResult, row: Array) -> FitResult:
    return dataclasses.replace(f, params=dict(zip(f.law.parameter_names, map(float, row),
                                                  strict=True)), uncertainty=None)


def _bootstrap_pairs(fit_a: FitResult, fit_b: FitResult, budget: float, n_boot: int,
                     seed: int | None, k: float) -> _Pairs:
    """Resample k of A beside resample k of B: P(A better), ties as half, and the central
    ``LEVEL`` interval of the multiplier at ``budget``."""
    found = _bootstraps(fit_a, fit_b, n_boot, seed)
    if found is None:
        return _Pairs()
    boots, warn = found
    n = min(b.n for b in boots)
    ratios = np.full(n, np.nan)
    wins = ties = used = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)
        for i in range(n):
            rows = boots[0].samples[i], boots[1].samples[i]
            if not (np.isfinite(rows[0]).all() and np.isfinite(rows[1]).all()):
                continue
            ga, gb = _resample_fit(fit_a, rows[0]), _resample_fit(fit_b, rows[1])
            try:
                la = compute_optimal(ga, budget, flops_factor=k).loss[0]
                lb = compute_optimal(gb, budget, flops_factor=k).loss[0]
            except ScalingLawError:
                continue
            if not (np.isfinite(la) and np.isfinite(lb)):
                continue
            used += 1
            if abs(la - lb) <= TIE_TOLERANCE * max(abs(la), abs(lb)):
                ties += 1
                ratios[i] = 1.0
                continue
            wins += int(la < lb)
            ratios[i] = _multiplier(ga, gb, np.array([budget]), k)[0]
    if used < 2:
        return _Pairs(None, used, ties, None, tuple(warn))
    kept = ratios[~np.isnan(ratios)]
    tail = (1.0 - LEVEL) / 2  # ends taken outward (elements, not interpolated: they may be inf)
    band = (float(np.quantile(kept, tail, method="lower")),
            float(np.quantile(kept, 1.0 - tail, method="higher")))
    return _Pairs((wins + 0.5 * ties) / used, used, ties, band, tuple(warn))
