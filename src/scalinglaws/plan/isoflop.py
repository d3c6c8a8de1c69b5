"""IsoFLOP analysis: compute-optimal exponents read off the runs themselves, without a law.

Hoffmann et al. 2022 ("Training Compute-Optimal Large Language Models", arXiv:2203.15556)
estimate how the compute-optimal model size ``N_opt`` and token count ``D_opt`` grow with the
training budget ``C`` in three ways; two need no parametric law and are here:

* **Approach 2** (:func:`isoflop`): train several model sizes at each of a few fixed budgets
  (an IsoFLOP profile), fit a parabola to the final loss against ``log N`` at each budget, take
  its minimum as ``N_opt(C)``, then fit ``N_opt = k_N·C^a`` and ``D_opt = k_D·C^b`` by least
  squares in log-log. Intervals come from a bootstrap that resamples the runs within each
  budget and refits every parabola and both power laws (all resamples at once, as batched
  3x3 normal equations).
* **Approach 1** (:func:`envelope`): the lower envelope of loss against FLOPs over all runs
  (or checkpoints); the runs on the envelope are compute-optimal for their FLOPs, and power
  laws fitted to their ``N`` and ``D`` give ``a`` and ``b``.

For the law ``L = E + A/N^alpha + B/D^beta`` with ``C = 6ND`` both give
``a = beta/(alpha+beta)`` and ``b = alpha/(alpha+beta)`` (Hoffmann et al., Appendix D.2).
The choices (loss rather than log loss, where ``D_opt`` comes from, what "at the edge"
means) are in ``docs/planning.md``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..data.jsonvalues import json_value
from ..exceptions import DataError, OptionError, ScalingLawWarning
from ..uncertainty.resample import check_level

Array = np.ndarray

#: FLOP values within this relative difference count as one budget (``budgets="exact"``)
EXACT_RTOL = 1e-6
#: width of the bins of ``budgets="log"``, in decades of FLOPs (a factor 10**0.1 ≈ 1.26)
LOG_BIN_DECADES = 0.1
#: the roles that cannot be the size column of a parabola
_NOT_SIZE = ("flops", "loss", "tokens")


# -- results -------------------------------------------------------------------------------
@dataclass(frozen=True)
class IsoFlop:
    """The result of :func:`isoflop`: ``N_opt = k_N·C^a`` and ``D_opt = k_D·C^b``.

    ``budgets`` has one row per budget (used or skipped): ``flops``, ``n_runs``, ``n_sizes``
    (distinct sizes), ``n_opt``, ``d_opt``, ``loss_opt`` (the parabola's minimum),
    ``curvature`` (d²loss/d(ln N)² of the parabola), ``at_edge`` (the minimum has fewer than
    two sampled sizes on one side: the parabola extrapolates), ``n_opt_lo``/``n_opt_hi`` (the
    bootstrap interval of ``n_opt`` at ``level``) and ``status``: ``"used"``,
    ``"too_few_sizes"``, ``"no_minimum"`` (the parabola opens downwards) or
    ``"extrapolated"`` (its minimum lies beyond the sampled sizes); only ``"used"`` budgets
    enter the power laws. ``boot_a``/``boot_b`` hold the bootstrap exponents (NaN where a
    resample kept fewer than two budgets).
    """

    a: float
    b: float
    a_interval: tuple[float, float]
    b_interval: tuple[float, float]
    k_N: float
    k_D: float
    budgets: pd.DataFrame
    level: float
    n_boot: int
    x: str
    window: int | None
    budget_rule: str
    tokens_from: str
    flops_factor: float
    boot_a: Array = field(repr=False)
    boot_b: Array = field(repr=False)
    warnings: tuple[str, ...] = ()

    def predict(self, flops: Any) -> tuple[Array, Array]:
        """The fitted ``(N_opt, D_opt)`` at budget(s) ``flops`` (arrays shaped like ``flops``).

        >>> import numpy as np, pandas as pd, scalinglaws as sl
        >>> n = np.geomspace(1e8, 1e10, 9)
        >>> rows = [(c, m, c / (6 * m), 1.7 + 400 / m**0.34 + 400 / (c / (6 * m))**0.28)
        ...         for c in (1e19, 1e20, 1e21) for m in n * (c / 1e20)**0.45]
        >>> ds = sl.Dataset(pd.DataFrame(rows, columns=["flops", "params", "tokens", "loss"]))
        >>> iso = sl.plan.isoflop(ds, n_boot=0)
        >>> n_opt, d_opt = iso.predict(1e22)
        >>> bool(np.isclose(6 * n_opt * d_opt, 1e22, rtol=1e-6))
        True
        """
        c = _positive(flops, "flops", "flops=1e22 or flops=[1e21, 1e23]")
        shape = np.shape(flops)
        n = self.k_N * c**self.a
        d = self.k_D * c**self.b
        return n.reshape(shape), d.reshape(shape)

    @property
    def used(self) -> pd.DataFrame:
        """The rows of ``budgets`` that entered the power-law fits."""
        return self.budgets[self.budgets["status"] == "used"].reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: exponents, intervals, coefficients, options and the per-budget table."""
        return json_value({
            "method": "isoflop",
            "a": self.a, "b": self.b,
            "a_interval": list(self.a_interval), "b_interval": list(self.b_interval),
            "k_N": self.k_N, "k_D": self.k_D,
            "level": self.level, "n_boot": self.n_boot, "x": self.x, "window": self.window,
            "budget_rule": self.budget_rule, "tokens_from": self.tokens_from,
            "flops_factor": self.flops_factor,
            "budgets": self.budgets.to_dict(orient="records"),
            "warnings": list(self.warnings),
        })

    def _header(self) -> list[str]:
        pct = f"{100 * self.level:g}%"

        def ci(lo_hi: tuple[float, float]) -> str:
            lo, hi = lo_hi
            return f"[{lo:.3f}, {hi:.3f}]" if math.isfinite(lo) else "[no bootstrap]"

        n_used = int((self.budgets["status"] == "used").sum())
        return [
            f"IsoFLOP analysis (Hoffmann et al. 2022, Approach 2): {n_used} of "
            f"{len(self.budgets)} budgets, parabola in ln {self.x}"
            + (f" over the {self.window} sizes nearest the lowest loss" if self.window else ""),
            f"  N_opt = {self.k_N:.4g} * C^a   a = {self.a:.4f}  {pct} {ci(self.a_interval)}",
            f"  D_opt = {self.k_D:.4g} * C^b   b = {self.b:.4f}  {pct} {ci(self.b_interval)}",
            f"  D_opt from: {self.tokens_from}; budgets: {self.budget_rule}; "
            f"bootstrap: {self.n_boot} resamples of the runs within each budget",
        ]

    def __str__(self) -> str:
        cols = ["flops", "n_runs", "n_sizes", "n_opt", "d_opt", "loss_opt", "curvature",
                "at_edge", "status"]
        lines = self._header()
        lines.append(self.budgets[cols].to_string(index=False,
                                                  float_format=lambda v: f"{v:.4g}"))
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        head = "<br>".join(escape(line) for line in self._header())
        table = self.budgets.to_html(index=False, float_format=lambda v: f"{v:.4g}")
        warn = "".join(f"<li>{escape(w)}</li>" for w in self.warnings)
        return f"<p>{head}</p>{table}" + (f"<ul>{warn}</ul>" if warn else "")


@dataclass(frozen=True)
class Envelope:
    """The result of :func:`envelope`: the compute-optimal frontier and its power laws.

    ``frame`` holds the envelope points (``flops``, ``params``, ``tokens``, ``loss``), one row
    per run (or checkpoint) that has the lowest loss at its FLOPs.
    """

    a: float
    b: float
    k_N: float
    k_D: float
    frame: pd.DataFrame
    n_bins: int | None
    x: str
    tokens_from: str
    warnings: tuple[str, ...] = ()

    def predict(self, flops: Any) -> tuple[Array, Array]:
        """The fitted ``(N_opt, D_opt)`` at budget(s) ``flops`` (arrays shaped like ``flops``)."""
        c = _positive(flops, "flops", "flops=1e22 or flops=[1e21, 1e23]")
        shape = np.shape(flops)
        return (self.k_N * c**self.a).reshape(shape), (self.k_D * c**self.b).reshape(shape)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: exponents, coefficients and the envelope points."""
        return json_value({
            "method": "envelope", "a": self.a, "b": self.b, "k_N": self.k_N, "k_D": self.k_D,
            "n_bins": self.n_bins, "x": self.x, "tokens_from": self.tokens_from,
            "points": self.frame.to_dict(orient="records"), "warnings": list(self.warnings),
        })

    def __str__(self) -> str:
        rule = "running minimum" if self.n_bins is None else f"minimum per {self.n_bins} log bins"
        lines = [
            f"Loss envelope (Hoffmann et al. 2022, Approach 1): {len(self.frame)} points "
            f"({rule})",
            f"  N_opt = {self.k_N:.4g} * C^a   a = {self.a:.4f}",
            f"  D_opt = {self.k_D:.4g} * C^b   b = {self.b:.4f}",
            self.frame.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        head = escape(str(self).split("\n")[0])
        return f"<p>{head}<br>a = {self.a:.4f}, b = {self.b:.4f}</p>" + self.frame.to_html(
            index=False, float_format=lambda v: f"{v:.4g}")


# -- option and data checks ------------------------------------------------------------------
def _positive(value: Any, name: str, example: str) -> Array:
    try:
        out = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    except (TypeError, ValueError):
        out = np.array([np.nan])
    if out.size == 0 or not np.isfinite(out).all() or (out <= 0).any():
        raise OptionError(f"{name} must be positive finite numbers, got {value!r}",
                          f"argument '{name}'", f"e.g. {example}")
    return out


def _as_dataset(data: Any) -> Dataset:
    if isinstance(data, Dataset):
        return data
    if isinstance(data, pd.DataFrame):
        return Dataset.from_frame(data)  # validates: FLOPs, sizes and losses must be > 0
    raise DataError(f"data must be a Dataset or a DataFrame, got {type(data).__name__}",
                    "argument 'data'", "use sl.Dataset.from_csv(...) or a DataFrame")


def _check_int(value: Any, name: str, low: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise OptionError(f"{name} must be an integer of at least {low}, got {value!r}",
                          f"argument '{name}'", example)
    return int(value)


def _check_seed(seed: Any) -> int | None:
    if seed is None:
        return None
    return _check_int(seed, "seed", 0, "use seed=0, or None for fresh randomness")


def _size_column(ds: Dataset, x: Any) -> Array:
    if not isinstance(x, str) or x in _NOT_SIZE:
        raise OptionError(f"x names the model-size column, got {x!r}", "argument 'x'",
                          "use x='params' (or a column of e.g. non-embedding parameters)")
    values = ds.column(x)
    bad = np.flatnonzero(values <= 0)
    if bad.size:
        raise DataError(f"column '{x}' must be strictly positive (found {values[bad[0]]:g})",
                        f"column '{x}', row {int(bad[0])} (counting from 0)",
                        "model sizes are positive; drop those rows or choose another x")
    return values


def _flops_column(ds: Dataset) -> Array:
    if not ds.has("flops"):
        raise DataError(
            "an IsoFLOP analysis groups runs by training compute, but the dataset has no "
            "'flops' column (and no 'params' and 'tokens' to derive C = k·N·D from)",
            f"available columns: {', '.join(ds.columns)}",
            "map one with columns={'flops': 'your_column'}, or give params and tokens")
    c = ds.column("flops")
    bad = np.flatnonzero(c <= 0)
    if bad.size:  # the Dataset rejects these already; kept for frames built around it
        raise DataError(f"column 'flops' must be strictly positive (found {c[bad[0]]:g})",
                        f"column 'flops', row {int(bad[0])} (counting from 0)",
                        "a training budget is a positive number of FLOPs; drop those rows")
    return c


# -- grouping runs into budgets ---------------------------------------------------------------
def _group_budgets(c: Array, budgets: Any) -> tuple[Array, str, list[str]]:
    """A budget label per run (-1: outside every bin), a description of the rule, notes."""
    logc = np.log10(c)
    notes: list[str] = []
    if isinstance(budgets, str):
        if budgets == "exact":
            order = np.argsort(c, kind="stable")
            labels = np.empty(len(c), dtype=int)
            group, start = 0, c[order[0]]
            for i in order:
                if c[i] > start * (1.0 + EXACT_RTOL):
                    group, start = group + 1, c[i]
                labels[i] = group
            return labels, f"exact (FLOPs equal within {EXACT_RTOL:g} relative)", notes
        if budgets == "log":
            # bins of LOG_BIN_DECADES centred on multiples of it (1e19, 1.26e19, 1.58e19, ...)
            k = np.round(logc / LOG_BIN_DECADES).astype(int)
            _, labels = np.unique(k, return_inverse=True)
            width = f"{LOG_BIN_DECADES:g}"
            text = f"log bins of {width} decades centred on 10^(k*{width})"
            return labels.astype(int), text, notes
        raise OptionError(f"unknown budgets rule {budgets!r}", "argument 'budgets'",
                          "use 'exact', 'log', a number of log bins, or an array of bin edges")
    if isinstance(budgets, numbers.Integral) and not isinstance(budgets, bool):
        n = _check_int(budgets, "budgets", 1, "e.g. budgets=8 (eight log-spaced bins)")
        lo, hi = logc.min(), logc.max()
        if hi == lo:
            return np.zeros(len(c), dtype=int), f"{n} log bins (one FLOP value)", notes
        idx = np.minimum(((logc - lo) / (hi - lo) * n).astype(int), n - 1)
        _, labels = np.unique(idx, return_inverse=True)
        return labels.astype(int), f"{n} equal log bins from {10**lo:.3g} to {10**hi:.3g}", notes
    try:
        edges = np.asarray(budgets, dtype=float)
    except (TypeError, ValueError):
        edges = np.array([np.nan])
    if (edges.ndim != 1 or edges.size < 2 or not np.isfinite(edges).all() or (edges <= 0).any()
            or (np.diff(edges) <= 0).any()):
        raise OptionError(
            f"budget edges must be at least two increasing positive FLOP values, got {budgets!r}",
            "argument 'budgets'", "e.g. budgets=[3e18, 3e19, 3e20, 3e21]")
    idx = np.searchsorted(edges, c, side="right") - 1
    idx[c == edges[-1]] = edges.size - 2  # the last bin includes its upper edge
    inside = (idx >= 0) & (idx < edges.size - 1)
    labels = np.full(len(c), -1, dtype=int)
    if inside.any():
        _, labels[inside] = np.unique(idx[inside], return_inverse=True)
    if (~inside).any():
        notes.append(f"{int((~inside).sum())} run(s) with FLOPs outside the budget edges "
                     f"[{edges[0]:.3g}, {edges[-1]:.3g}] were left out")
    return labels, f"{edges.size - 1} bins between the given edges", notes


# -- the batched parabola fits ------------------------------------------------------------------
@dataclass(frozen=True)
class _Budgets:
    """Runs of the usable budgets, padded to (G, M) and sorted by size within each budget."""

    logx: Array      # (G, M) ln size, centred per budget (minus ``centre``)
    loss: Array      # (G, M)
    mask: Array      # (G, M) a real run
    size_id: Array   # (G, M) index of the run's distinct size within its budget
    n_runs: Array    # (G,)
    n_sizes: Array   # (G,)
    centre: Array    # (G,) mean ln size of the budget's runs
    size_onehot: Array  # (G, M, S)


def _pack(groups: list[tuple[Array, Array]]) -> _Budgets:
    G = len(groups)
    M = max(len(x) for x, _ in groups)
    logx = np.zeros((G, M))
    loss = np.zeros((G, M))
    mask = np.zeros((G, M), dtype=bool)
    size_id = np.zeros((G, M), dtype=int)
    n_runs = np.zeros(G, dtype=int)
    n_sizes = np.zeros(G, dtype=int)
    centre = np.zeros(G)
    for g, (lx, y) in enumerate(groups):
        order = np.argsort(lx, kind="stable")
        lx, y = lx[order], y[order]
        m = len(lx)
        centre[g] = lx.mean()
        logx[g, :m] = lx - centre[g]
        loss[g, :m] = y
        mask[g, :m] = True
        _, ids = np.unique(lx, return_inverse=True)
        size_id[g, :m] = ids
        n_runs[g], n_sizes[g] = m, ids.max() + 1
    S = int(n_sizes.max())
    onehot = np.zeros((G, M, S))
    onehot[np.arange(G)[:, None], np.arange(M)[None, :], size_id] = mask
    return _Budgets(logx, loss, mask, size_id, n_runs, n_sizes, centre, onehot)


def _parabolas(bud: _Budgets, counts: Array, window: int | None) -> dict[str, Array]:
    """Weighted least-squares parabolas ``loss = c0 + c1 u + c2 u²`` in centred ln size.

    ``counts`` (R, G, M) are case weights (1 for the data, bootstrap counts for a resample).
    With ``window`` only the ``window`` distinct sizes (among those drawn) nearest in rank to
    the size of the lowest drawn loss enter. Returns per (R, G): ``vertex`` (centred ln size
    of the minimum), ``curvature`` (2·c2), ``loss_opt``, ``has_min`` (three or more sizes and
    a parabola that opens upwards) and ``ok`` (has a minimum within the sizes drawn).
    """
    w = counts * bud.mask
    size_w = np.einsum("rgm,gms->rgs", w, bud.size_onehot)
    present = size_w > 0
    drawn_lo = np.where(w > 0, bud.logx, np.inf).min(axis=-1)
    drawn_hi = np.where(w > 0, bud.logx, -np.inf).max(axis=-1)
    if window is not None:
        drawn_loss = np.where(w > 0, bud.loss, np.inf)
        best_run = np.argmin(drawn_loss, axis=-1)                       # (R, G)
        best_size = np.take_along_axis(
            np.broadcast_to(bud.size_id, w.shape), best_run[..., None], axis=-1)[..., 0]
        rank = np.cumsum(present, axis=-1) - 1
        n_present = present.sum(axis=-1)
        r_best = np.take_along_axis(rank, best_size[..., None], axis=-1)[..., 0]
        start = np.clip(r_best - (window - 1) // 2, 0, np.maximum(n_present - window, 0))
        chosen = present & (rank >= start[..., None]) & (rank < (start + window)[..., None])
        run_chosen = np.take_along_axis(
            chosen, np.broadcast_to(bud.size_id, w.shape), axis=-1)
        w = w * run_chosen
        present = chosen
    n_sizes = present.sum(axis=-1)
    u, y = bud.logx, bud.loss
    powers = np.stack([np.ones_like(u), u, u**2, u**3, u**4], axis=-1)  # (G, M, 5)
    s = np.einsum("rgm,gmk->rgk", w, powers)                             # (R, G, 5)
    t = np.einsum("rgm,gmk->rgk", w, powers[..., :3] * y[..., None])     # (R, G, 3)
    A = np.stack([s[..., 0:3], s[..., 1:4], s[..., 2:5]], axis=-2)       # (R, G, 3, 3)
    enough = n_sizes >= 3
    A = np.where(enough[..., None, None], A, np.eye(3))
    with np.errstate(all="ignore"):
        coef = np.linalg.solve(A, t[..., None])[..., 0]
        c0, c1, c2 = coef[..., 0], coef[..., 1], coef[..., 2]
        scale = np.maximum(np.abs(c0), 1.0)
        has_min = enough & np.isfinite(coef).all(axis=-1) & (c2 > 1e-12 * scale)
        vertex = np.where(has_min, -c1 / (2.0 * c2), np.nan)
        loss_opt = np.where(has_min, c0 - c1**2 / (4.0 * c2), np.nan)
    inside = has_min & (vertex >= drawn_lo) & (vertex <= drawn_hi)
    return {"vertex": vertex, "curvature": 2.0 * c2, "loss_opt": loss_opt,
            "has_min": has_min, "ok": inside}


def _power_laws(logc: Array, logy: Array, ok: Array) -> tuple[Array, Array]:
    """Least-squares slope and intercept of ``logy`` on ``logc`` over the ``ok`` budgets.

    ``logy`` and ``ok`` are (R, G); NaN where fewer than two budgets (or one budget value).
    """
    m = ok.astype(float)
    n = m.sum(axis=-1)
    y = np.where(ok, logy, 0.0)
    with np.errstate(all="ignore"):
        cbar = (m * logc).sum(axis=-1) / n
        ybar = (m * y).sum(axis=-1) / n
        dc = logc - cbar[..., None]
        sxx = (m * dc**2).sum(axis=-1)
        slope = (m * dc * (y - ybar[..., None])).sum(axis=-1) / sxx
        good = (n >= 2) & (sxx > 0)
        slope = np.where(good, slope, np.nan)
        intercept = np.where(good, ybar - slope * cbar, np.nan)
    return slope, intercept


def _flops_per_token(lx: Array, logd: Array, logc: Array) -> tuple[Array, Array]:
    """The budget's FLOPs per token against size: sorted distinct ``ln x`` and the mean
    ``ln(C/D)`` of the runs at each (``C = D·f(N)`` for any FLOP count; ``f = k·N`` for
    ``C = k·N·D``, where ``ln f`` is a straight line in ``ln N``)."""
    sizes, inverse = np.unique(lx, return_inverse=True)
    h = np.bincount(inverse, weights=logc - logd) / np.bincount(inverse)
    return sizes, h


def _interp(x: Array, xp: Array, fp: Array) -> Array:
    """Piecewise-linear interpolation, extended linearly beyond the ends."""
    y = np.interp(x, xp, fp)
    lo, hi = (fp[1] - fp[0]) / (xp[1] - xp[0]), (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
    y = np.where(x < xp[0], fp[0] + lo * (x - xp[0]), y)
    return np.where(x > xp[-1], fp[-1] + hi * (x - xp[-1]), y)


# -- Approach 2 ---------------------------------------------------------------------------------
def isoflop(
    data: Dataset | pd.DataFrame,
    *,
    budgets: str | int | Any = "exact",
    x: str = "params",
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int | None = 0,
    min_sizes: int = 3,
    window: int | None = None,
) -> IsoFlop:
    """Compute-optimal exponents from IsoFLOP profiles (Hoffmann et al. 2022, Approach 2).

    Groups the runs by training budget (the ``flops`` column), fits a parabola in ``ln x`` to
    the loss at each budget, takes its minimum as ``N_opt`` and fits ``N_opt = k_N·C^a`` and
    ``D_opt = k_D·C^b`` by least squares in log-log. Intervals for ``a`` and ``b`` are
    percentile intervals of a bootstrap that resamples the runs within each budget and refits
    every parabola and both power laws; in a resample, a budget whose parabola has no
    minimum within the sizes drawn sits out that resample's power-law fits.

    ``D_opt`` is read off the budget's own runs when the data have ``tokens``: their FLOPs per
    token ``C/D``, interpolated linearly in ``ln N`` to ``N_opt`` (exact for ``C = k·N·D``,
    and right for a FLOP count with other terms); without ``tokens`` it is ``C/(k·N_opt)``
    with the dataset's ``flops_factor``.

    Parameters
    ----------
    data:
        A :class:`~scalinglaws.Dataset` (or DataFrame) with ``flops`` (or ``params`` and
        ``tokens``), the size column ``x`` and ``loss``: one row per run at its final budget.
    budgets:
        ``"exact"`` (FLOP values equal within 1e-6 relative are one budget), ``"log"`` (bins
        of 0.1 decade), an integer number of equal log bins, or an increasing array of bin
        edges in FLOPs. A budget's FLOPs is the geometric mean of its runs' FLOPs.
    x:
        The model-size column whose optimum is sought (``"params"``; e.g. a column of
        non-embedding parameters).
    level:
        Confidence level of the intervals.
    n_boot:
        Bootstrap resamples (0: no intervals).
    seed:
        Seed of the resampling.
    min_sizes:
        Budgets with fewer distinct sizes are skipped with a warning (at least 3).
    window:
        ``None`` fits each parabola to all sizes of its budget (Hoffmann et al.); an integer
        ``k >= 3`` fits it to the ``k`` sizes nearest (in rank) to the size with the lowest
        loss — for sweeps that span sizes far from the optimum, where the loss is no parabola
        in ``ln N``. The window is chosen again in every bootstrap resample.

    Returns
    -------
    IsoFlop
        ``a``, ``b``, their intervals, ``k_N``, ``k_D``, the per-budget table, ``warnings``.

    Raises
    ------
    DataError
        Missing columns, non-positive values, or fewer than two usable budgets.
    OptionError
        An option outside its range.

    Warns
    -----
    ScalingLawWarning
        Budgets skipped (fewer than ``min_sizes`` sizes, a parabola that opens downwards, a
        minimum beyond the sampled sizes), minima at the edge of the sampled sizes (kept),
        runs outside the given bin edges, budgets that often fail in the bootstrap.

    Example
    -------
    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> rows = []
    >>> for c in (1e18, 1e19, 1e20, 1e21):
    ...     n_opt = 1.35 * (c / 6) ** (0.28 / 0.62)  # the optimum of the law below
    ...     for n in n_opt * np.geomspace(0.2, 5, 9):
    ...         d = c / (6 * n)
    ...         rows.append((c, n, d, 1.69 + 406.4 / n**0.34 + 410.7 / d**0.28))
    >>> ds = sl.Dataset(pd.DataFrame(rows, columns=["flops", "params", "tokens", "loss"]))
    >>> iso = sl.plan.isoflop(ds, n_boot=200)
    >>> round(iso.a, 2), round(iso.b, 2)  # beta/(alpha+beta) = 0.45, alpha/(alpha+beta) = 0.55
    (0.45, 0.55)
    """
    ds = _as_dataset(data)
    level = check_level(level)
    n_boot = _check_int(n_boot, "n_boot", 0, "use n_boot=1000 (0: no intervals)")
    if n_boot == 1:
        raise OptionError("a bootstrap needs at least 2 resamples, got 1", "argument 'n_boot'",
                          "use n_boot=1000, or 0 for no intervals")
    seed = _check_seed(seed)
    min_sizes = _check_int(min_sizes, "min_sizes", 3, "a parabola needs min_sizes >= 3")
    if window is not None:
        window = _check_int(window, "window", 3,
                            "use window=None (all sizes) or e.g. window=5")
    size = _size_column(ds, x)
    c = _flops_column(ds)
    loss = ds.column("loss")
    labels, rule, notes = _group_budgets(c, budgets)
    tokens_from = "tokens" if ds.has("tokens") else f"C / ({ds.flops_factor:g}·N)"
    logd = np.log(ds.column("tokens")) if ds.has("tokens") else None

    messages = list(notes)
    few: list[str] = []
    no_min: list[str] = []
    beyond: list[str] = []
    at_edge: list[str] = []
    rows: list[dict[str, Any]] = []
    usable: list[int] = []
    groups: list[tuple[Array, Array]] = []
    members: list[Array] = []
    for g in range(labels.max() + 1 if (labels >= 0).any() else 0):
        idx = np.flatnonzero(labels == g)
        if idx.size == 0:
            continue
        c_g = float(np.exp(np.mean(np.log(c[idx]))))
        n_sizes = int(np.unique(size[idx]).size)
        row: dict[str, Any] = {
            "flops": c_g, "n_runs": int(idx.size), "n_sizes": n_sizes, "n_opt": np.nan,
            "d_opt": np.nan, "loss_opt": np.nan, "curvature": np.nan, "at_edge": False,
            "n_opt_lo": np.nan, "n_opt_hi": np.nan, "status": "used"}
        if n_sizes < min_sizes:
            row["status"] = "too_few_sizes"
            few.append(f"C={c_g:.3g} ({n_sizes} size{'s' if n_sizes > 1 else ''})")
        else:
            usable.append(len(rows))
            groups.append((np.log(size[idx]), loss[idx]))
            members.append(idx)
        rows.append(row)

    table = pd.DataFrame(rows, columns=["flops", "n_runs", "n_sizes", "n_opt", "d_opt",
                                        "loss_opt", "curvature", "at_edge", "n_opt_lo",
                                        "n_opt_hi", "status"])
    if few:
        messages.append(
            f"{len(few)} budget(s) have fewer than min_sizes={min_sizes} distinct sizes and "
            f"were skipped: {_listing(few)}"
            + ("; if the FLOPs are not exact budgets (e.g. read off a figure), bin them with "
               "budgets='log'" if rule.startswith("exact") else ""))
    if not groups:
        _emit(messages)
        raise _too_few_budgets(table, rule, 0)
    bud = _pack(groups)
    fits = {k: v[0] for k, v in _parabolas(bud, bud.mask[None].astype(float), window).items()}
    logn_all = bud.centre + fits["vertex"]

    # D_opt: along each budget's own (N, D) relation when tokens are given, else C/(k·N)
    logc_all = np.log(table.loc[usable, "flops"].to_numpy(dtype=float))
    if logd is not None:
        per_token = [_flops_per_token(np.log(size[i]), logd[i], np.log(c[i])) for i in members]

        def log_tokens(ln: Array, which: Array) -> Array:
            # ln D_opt = ln C_budget - ln f(N_opt), f interpolated between the budget's sizes
            cols = [logc_all[g] - _interp(ln[..., j], *per_token[g])
                    for j, g in enumerate(np.atleast_1d(which))]
            return np.stack(cols, axis=-1)
    else:
        k = ds.flops_factor

        def log_tokens(ln: Array, which: Array) -> Array:
            return logc_all[which] - np.log(k) - ln

    every = np.arange(len(usable))
    logd_all = log_tokens(logn_all, every)
    for j, r in enumerate(usable):
        flops_j = float(table["flops"].to_numpy(dtype=float)[r])
        if not fits["has_min"][j]:
            table.loc[r, "status"] = "no_minimum"
            table.loc[r, "curvature"] = float(fits["curvature"][j])
            no_min.append(f"C={flops_j:.3g} (curvature {fits['curvature'][j]:.3g})")
            continue
        sizes = np.unique(np.log(size[members[j]]))
        edge = bool(logn_all[j] < sizes[1] or logn_all[j] > sizes[-2])
        table.loc[r, ["n_opt", "d_opt", "loss_opt", "curvature"]] = [
            float(np.exp(logn_all[j])), float(np.exp(logd_all[j])),
            float(fits["loss_opt"][j]), float(fits["curvature"][j])]
        table.loc[r, "at_edge"] = edge
        where = (f"C={flops_j:.3g} ({x} {np.exp(logn_all[j]):.3g} vs sizes "
                 f"{np.exp(sizes[0]):.3g}..{np.exp(sizes[-1]):.3g})")
        if not fits["ok"][j]:
            table.loc[r, "status"] = "extrapolated"
            beyond.append(where)
        elif edge:
            at_edge.append(where)
    if no_min:
        messages.append(f"the parabola opens downwards (no minimum) at {len(no_min)} "
                        f"budget(s), which were skipped: {_listing(no_min)}")
    if beyond:
        messages.append(
            f"the parabola minimum lies beyond the sampled sizes at {len(beyond)} budget(s), "
            f"which were skipped (an extrapolation, not a measurement): {_listing(beyond)}. "
            "Extend those sweeps past the optimum")
    if at_edge:
        messages.append(
            f"the parabola minimum lies at the edge of the sampled sizes (fewer than two "
            f"sizes on one side; the parabola extrapolates there) at {len(at_edge)} "
            f"budget(s), kept: {_listing(at_edge)}. Centre those sweeps on the optimum")

    keep = np.flatnonzero(fits["ok"])
    if keep.size < 2:
        _emit(messages)
        raise _too_few_budgets(table, rule, int(keep.size))
    rows_keep = [usable[j] for j in keep]
    logc_b = logc_all[keep]
    ok1 = np.ones((1, keep.size), dtype=bool)
    a, ia = _power_laws(logc_b, logn_all[keep][None], ok1)
    b, ib = _power_laws(logc_b, logd_all[keep][None], ok1)

    boot_a = np.full(0, np.nan)
    boot_b = np.full(0, np.nan)
    a_int = b_int = (math.nan, math.nan)
    if n_boot:
        sub = _pack([groups[j] for j in keep])
        rng = np.random.default_rng(seed)
        bf = _parabolas(sub, _resample_counts(sub, n_boot, rng), window)
        ok_b = bf["ok"]
        ln_b = np.where(ok_b, sub.centre + bf["vertex"], 0.0)
        boot_a, _ = _power_laws(logc_b, ln_b, ok_b)
        boot_b, _ = _power_laws(logc_b, np.where(ok_b, log_tokens(ln_b, keep), 0.0), ok_b)
        q = [50 * (1 - level), 50 * (1 + level)]
        fin = np.isfinite(boot_a)
        if fin.sum() >= 2:
            lo_a, hi_a = np.percentile(boot_a[fin], q)
            lo_b, hi_b = np.percentile(boot_b[fin], q)
            a_int, b_int = (float(lo_a), float(hi_a)), (float(lo_b), float(hi_b))
        for j, r in enumerate(rows_keep):
            v = ln_b[ok_b[:, j], j]
            if v.size >= 2:
                lo, hi = np.percentile(v, q)
                table.loc[r, ["n_opt_lo", "n_opt_hi"]] = [float(np.exp(lo)), float(np.exp(hi))]
        failed = 1.0 - ok_b.mean(axis=0)
        bad = [f"{np.exp(logc_b[j]):.3g} ({100 * failed[j]:.0f}%)"
               for j in range(keep.size) if failed[j] > 0.05]
        if bad:
            messages.append(
                "in some bootstrap resamples the parabola of budget(s) " + ", ".join(bad)
                + " had fewer than 3 sizes, no minimum, or a minimum beyond the sizes drawn; "
                "those budgets were left out of those resamples' power-law fits")

    _emit(messages)
    return IsoFlop(
        a=float(a[0]), b=float(b[0]), a_interval=a_int, b_interval=b_int,
        k_N=float(np.exp(ia[0])), k_D=float(np.exp(ib[0])), budgets=table, level=level,
        n_boot=n_boot, x=x, window=window, budget_rule=rule, tokens_from=tokens_from,
        flops_factor=ds.flops_factor, boot_a=boot_a, boot_b=boot_b, warnings=tuple(messages))


def _listing(items: list[str], limit: int = 6) -> str:
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")


def _emit(messages: list[str]) -> None:
    for m in messages:
        warnings.warn(m, ScalingLawWarning, stacklevel=3)


def _too_few_budgets(table: pd.DataFrame, rule: str, found: int) -> DataError:
    counts = table["status"].value_counts()
    statuses = ", ".join(f"{n} {s}" for s, n in counts.items())
    return DataError(
        f"an IsoFLOP fit needs at least 2 budgets with a measured parabola minimum, "
        f"found {found}",
        f"{len(table)} budget(s) by rule '{rule}'" + (f" ({statuses})" if statuses else ""),
        "give at least 2 budgets with 3 or more model sizes each around the optimum, or "
        "bin the FLOPs (budgets='log' or a number of bins)")


def _resample_counts(bud: _Budgets, n: int, rng: np.random.Generator) -> Array:
    """(n, G, M) counts: each budget's runs drawn with replacement, as many as it has."""
    G, M = bud.mask.shape
    draws = (rng.random((n, G, M)) * bud.n_runs[None, :, None]).astype(int)
    flat = (np.arange(n)[:, None, None] * G + np.arange(G)[None, :, None]) * M + draws
    flat = flat[np.broadcast_to(bud.mask, flat.shape)]
    return np.bincount(flat, minlength=n * G * M).reshape(n, G, M).astype(float)


# -- Approach 1 ---------------------------------------------------------------------------------
def envelope(data: Dataset | pd.DataFrame, *, n_bins: int | None = None,
             x: str = "params") -> Envelope:
    """The lower envelope of loss against FLOPs (Hoffmann et al. 2022, Approach 1).

    With ``n_bins=None`` the envelope is the running minimum: sorted by FLOPs, a run (or
    checkpoint) is on it when its loss is below that of every run with fewer FLOPs. With
    ``n_bins=k`` it is the run of lowest loss in each of ``k`` equal bins of ``log C``.
    ``N_opt = k_N·C^a`` and ``D_opt = k_D·C^b`` are then fitted to the envelope points by
    least squares in log-log (``D`` from the ``tokens`` column, else ``C/(k·N)``).

    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> n = np.repeat(np.geomspace(1e7, 1e10, 13), 40)
    >>> d = np.tile(np.geomspace(1e8, 1e13, 40), 13)
    >>> frame = pd.DataFrame({"params": n, "tokens": d,
    ...                       "loss": 1.69 + 406.4 / n**0.34 + 410.7 / d**0.28})
    >>> env = sl.plan.envelope(sl.Dataset(frame), n_bins=20)
    >>> 0.35 < env.a < 0.55
    True
    """
    ds = _as_dataset(data)
    if n_bins is not None:
        n_bins = _check_int(n_bins, "n_bins", 1, "use n_bins=None (running minimum) or e.g. 30")
    size = _size_column(ds, x)
    c = _flops_column(ds)
    loss = ds.column("loss")
    tokens = ds.column("tokens") if ds.has("tokens") else c / (ds.flops_factor * size)
    tokens_from = "tokens" if ds.has("tokens") else f"C / ({ds.flops_factor:g}·N)"
    if n_bins is None:
        order = np.lexsort((loss, c))
        running = np.minimum.accumulate(loss[order])
        prev = np.concatenate([[np.inf], running[:-1]])
        on = order[loss[order] < prev]
    else:
        logc = np.log(c)
        lo, hi = logc.min(), logc.max()
        bins = (np.zeros(len(c), dtype=int) if hi == lo else
                np.minimum(((logc - lo) / (hi - lo) * n_bins).astype(int), n_bins - 1))
        on_list = []
        for k in np.unique(bins):
            idx = np.flatnonzero(bins == k)
            on_list.append(idx[np.argmin(loss[idx])])
        on = np.array(on_list, dtype=int)
    on = on[np.argsort(c[on], kind="stable")]
    frame = pd.DataFrame({"flops": c[on], x: size[on], "tokens": tokens[on], "loss": loss[on]})
    if np.unique(c[on]).size < 2:
        raise DataError(
            f"the loss envelope has {np.unique(c[on]).size} distinct FLOP value(s); a power law "
            "needs at least 2",
            f"{len(ds)} rows", "give runs (or checkpoints) at several budgets")
    messages: list[str] = []
    n_sizes = np.unique(size[on]).size
    if n_sizes < 3:
        messages.append(
            f"only {n_sizes} distinct {x} value(s) lie on the envelope: the exponent a rests on "
            "a step function of C; add checkpoints (intermediate losses) or more sizes")
    ok = np.ones((1, len(on)), dtype=bool)
    a, ia = _power_laws(np.log(c[on]), np.log(size[on])[None], ok)
    b, ib = _power_laws(np.log(c[on]), np.log(tokens[on])[None], ok)
    for m in messages:
        warnings.warn(m, ScalingLawWarning, stacklevel=2)
    return Envelope(a=float(a[0]), b=float(b[0]), k_N=float(np.exp(ia[0])),
                    k_D=float(np.exp(ib[0])), frame=frame, n_bins=n_bins, x=x,
                    tokens_from=tokens_from, warnings=tuple(messages))
