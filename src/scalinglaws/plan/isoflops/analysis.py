"""Approach 2: :func:`isoflop`, a parabola per budget and power laws through their minima,
with a bootstrap that resamples the runs within each budget; the checks of its options and
the warnings it gives."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...common.checks import check_level, check_n_boot, integer_at_least
from ...common.warning import warn
from ...data.dataset import Dataset, as_dataset
from ...exceptions import DataError, OptionError
from .akima import akimas
from .bootstrap import Resamples, resample
from .budgets import BudgetRows, budget_rows, group_budgets
from .inputs import Array, flops_column, size_column
from .parabola import Budgets, pack, parabolas, power_laws
from .result import IsoFlop
from .tokens import LogTokens, token_model


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
    estimator: str = "parabola",
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

    Examples
    --------
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
    ds = as_dataset(data)
    opts = _Options.checked(level=level, n_boot=n_boot, seed=seed, min_sizes=min_sizes,
                            window=window, estimator=estimator)
    size = size_column(ds, x)
    c = flops_column(ds)
    loss = ds.column("loss")
    labels, rule, notes = group_budgets(c, budgets)
    found = budget_rows(c, size, loss, labels, opts.min_sizes)
    table, usable = found.table, found.usable
    messages = list(notes)
    if found.few:
        messages.append(_few_sizes_message(found.few, opts.min_sizes, rule))
    if not found.groups:
        _emit(messages)
        raise _too_few_budgets(table, rule, 0)
    bud = pack(found.groups)
    fits = {k: v[0] for k, v in opts.minima(bud, bud.mask[None].astype(float)).items()}
    logn_all = bud.centre + fits["vertex"]
    # D_opt: along each budget's own (N, D) relation when tokens are given, else C/(k·N)
    logc_all = np.log(table.loc[usable, "flops"].to_numpy(dtype=float))
    log_tokens = token_model(ds, size, c, found.members, logc_all)
    logd_all = log_tokens(logn_all, np.arange(len(usable)))
    messages += _record_minima(found, fits, (logn_all, logd_all), size, x, opts.spline)
    keep = np.flatnonzero(fits["ok"])
    if keep.size < 2:
        _emit(messages)
        raise _too_few_budgets(table, rule, int(keep.size))
    logc_b = logc_all[keep]
    ok1 = np.ones((1, keep.size), dtype=bool)
    a, ia = power_laws(logc_b, logn_all[keep][None], ok1)
    b, ib = power_laws(logc_b, logd_all[keep][None], ok1)
    boot = _bootstrap(opts, found, keep, logc_b, log_tokens, messages)
    a_int, b_int = boot.exponents if boot is not None else (_NO_INTERVAL, _NO_INTERVAL)
    _emit(messages)
    return IsoFlop(
        a=float(a[0]), b=float(b[0]), a_interval=a_int, b_interval=b_int,
        k_N=float(np.exp(ia[0])), k_D=float(np.exp(ib[0])), budgets=table, level=opts.level,
        n_boot=opts.n_boot, x=x, window=opts.window, estimator=opts.estimator,
        budget_rule=rule,
        tokens_from="tokens" if ds.has("tokens") else f"C / ({ds.flops_factor:g}·N)",
        flops_factor=ds.flops_factor,
        convention=None if ds.convention is None else ds.convention.describe(),
        boot_a=boot.resamples.a if boot is not None else np.full(0, np.nan),
        boot_b=boot.resamples.b if boot is not None else np.full(0, np.nan),
        warnings=tuple(messages))


@dataclass(frozen=True)
class _Options:
    """The options of :func:`isoflop`, checked."""

    level: float
    n_boot: int
    seed: int | None
    min_sizes: int
    window: int | None
    estimator: str

    @classmethod
    def checked(cls, *, level: Any, n_boot: Any, seed: Any, min_sizes: Any, window: Any,
                estimator: Any) -> _Options:
        level = check_level(level)
        n_boot = check_n_boot(n_boot, "no intervals", "use n_boot=1000, or 0 for no intervals")
        if seed is not None:
            seed = integer_at_least(seed, "seed", 0, "use seed=0, or None for fresh randomness")
        min_sizes = integer_at_least(min_sizes, "min_sizes", 3, "a parabola needs min_sizes >= 3")
        if window is not None:
            window = integer_at_least(window, "window", 3,
                                      "use window=None (all sizes) or e.g. window=5")
        if estimator not in ("parabola", "akima"):
            raise OptionError(f"estimator must be 'parabola' or 'akima', got {estimator!r}",
                              "argument 'estimator'",
                              "use estimator='parabola' (Hoffmann et al.) or 'akima' "
                              "(Porian et al.)")
        if estimator == "akima" and window is not None:
            raise OptionError("window applies to the parabola only; the Akima spline is local "
                              "already", "argument 'window'",
                              "use window=None with estimator='akima'")
        return cls(level, n_boot, seed, min_sizes, window, estimator)

    @property
    def spline(self) -> bool:
        """Whether the minima are the Akima spline's (Porian et al.) rather than parabolas'."""
        return self.estimator == "akima"

    def minima(self, bud: Budgets, counts: Array) -> dict[str, Array]:
        """Every budget's minimum under the case weights ``counts`` (R, G, M)."""
        return akimas(bud, counts) if self.spline else parabolas(bud, counts, self.window)


def _record_minima(found: BudgetRows, fits: dict[str, Array], log_opt: tuple[Array, Array],
                   size: Array, x: str, spline: bool) -> list[str]:
    """Write each usable budget's minimum (or why it has none) into the table; the warnings
    about budgets without a minimum, with one beyond the sizes, or at their edge."""
    table = found.table
    logn_all, logd_all = log_opt
    no_min: list[str] = []
    beyond: list[str] = []
    at_edge: list[str] = []
    for j, r in enumerate(found.usable):
        flops_j = float(table["flops"].to_numpy(dtype=float)[r])
        if not fits["has_min"][j]:
            table.loc[r, "status"] = "no_minimum"
            table.loc[r, "curvature"] = float(fits["curvature"][j])
            no_min.append(f"C={flops_j:.3g} (curvature {fits['curvature'][j]:.3g})")
            continue
        sizes = np.unique(np.log(size[found.members[j]]))
        edge = bool(not fits["ok"][j] if spline
                    else logn_all[j] < sizes[1] or logn_all[j] > sizes[-2])
        table.loc[r, ["n_opt", "d_opt", "loss_opt", "curvature"]] = [
            float(np.exp(logn_all[j])), float(np.exp(logd_all[j])),
            float(fits["loss_opt"][j]), float(fits["curvature"][j])]
        table.loc[r, "at_edge"] = edge
        where = (f"C={flops_j:.3g} ({x} {np.exp(logn_all[j]):.3g} vs sizes "
                 f"{np.exp(sizes[0]):.3g}..{np.exp(sizes[-1]):.3g})")
        if not fits["ok"][j]:
            table.loc[r, "status"] = "minimum_at_end" if spline else "extrapolated"
            beyond.append(where)
        elif edge:
            at_edge.append(where)
    return _minima_messages(no_min, beyond, at_edge, spline)


def _minima_messages(no_min: list[str], beyond: list[str], at_edge: list[str],
                     spline: bool) -> list[str]:
    messages = []
    if no_min:
        messages.append(f"the parabola opens downwards (no minimum) at {len(no_min)} "
                        f"budget(s), which were skipped: {_listing(no_min)}")
    if beyond and spline:
        messages.append(
            f"the spline minimum lies at the first or last sampled size at {len(beyond)} "
            f"budget(s), which were skipped (as Porian et al. do; the optimum lies beyond the "
            f"sweep): {_listing(beyond)}. Extend those sweeps past the optimum")
    elif beyond:
        messages.append(
            f"the parabola minimum lies beyond the sampled sizes at {len(beyond)} budget(s), "
            f"which were skipped (an extrapolation, not a measurement): {_listing(beyond)}. "
            "Extend those sweeps past the optimum")
    if at_edge:
        messages.append(
            f"the parabola minimum lies at the edge of the sampled sizes (fewer than two "
            f"sizes on one side; the parabola extrapolates there) at {len(at_edge)} "
            f"budget(s), kept: {_listing(at_edge)}. Centre those sweeps on the optimum")
    return messages


#: the interval of an exponent without a bootstrap
_NO_INTERVAL = (math.nan, math.nan)


@dataclass(frozen=True)
class _Bootstrapped:
    resamples: Resamples
    exponents: tuple[tuple[float, float], tuple[float, float]]


def _bootstrap(opts: _Options, found: BudgetRows, keep: Array, logc: Array,
               log_tokens: LogTokens, messages: list[str]) -> _Bootstrapped | None:
    """The bootstrap (None without one): the exponents' percentile intervals, each kept
    budget's ``n_opt`` interval written into the table, and a warning about budgets that
    often have no minimum in a resample."""
    if not opts.n_boot:
        return None
    boot = resample(opts.minima, [found.groups[j] for j in keep], logc, keep, log_tokens,
                    opts.n_boot, opts.seed)
    q = [50 * (1 - opts.level), 50 * (1 + opts.level)]
    exponents = boot.exponent_intervals(q) or (_NO_INTERVAL, _NO_INTERVAL)
    for j, r in enumerate(found.usable[k] for k in keep):
        interval = boot.n_opt_interval(j, q)
        if interval is not None:
            found.table.loc[r, ["n_opt_lo", "n_opt_hi"]] = list(interval)
    failed = boot.failed
    bad = [f"{np.exp(logc[j]):.3g} ({100 * failed[j]:.0f}%)"
           for j in range(keep.size) if failed[j] > 0.05]
    if bad:
        messages.append(
            f"in some bootstrap resamples the {'spline' if opts.spline else 'parabola'} of "
            "budget(s) " + ", ".join(bad) + " had fewer than 3 sizes, no minimum, or a "
            + ("minimum at the first or last size drawn; " if opts.spline else
               "minimum beyond the sizes drawn; ")
            + "those budgets were left out of those resamples' power-law fits")
    return _Bootstrapped(boot, exponents)


def _few_sizes_message(few: list[str], min_sizes: int, rule: str) -> str:
    return (f"{len(few)} budget(s) have fewer than min_sizes={min_sizes} distinct sizes and "
            f"were skipped: {_listing(few)}"
            + ("; if the FLOPs are not exact budgets (e.g. read off a figure), bin them with "
               "budgets='log'" if rule.startswith("exact") else ""))


def _listing(items: list[str], limit: int = 6) -> str:
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")


def _emit(messages: list[str]) -> None:
    for m in messages:
        warn(m)


def _too_few_budgets(table: pd.DataFrame, rule: str, found: int) -> DataError:
    counts = table["status"].value_counts()
    statuses = ", ".join(f"{n} {s}" for s, n in counts.items())
    return DataError(
        f"an IsoFLOP fit needs at least 2 budgets with a measured parabola minimum, "
        f"found {found}",
        f"{len(table)} budget(s) by rule '{rule}'" + (f" ({statuses})" if statuses else ""),
        "give at least 2 budgets with 3 or more model sizes each around the optimum, or "
        "bin the FLOPs (budgets='log' or a number of bins)")
