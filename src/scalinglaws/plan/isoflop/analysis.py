"""Approach 2: :func:`isoflop`, a parabola per budget and power laws through their minima,
with a bootstrap that resamples the runs within each budget."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ...data.dataset import Dataset
from ...exceptions import DataError, OptionError, ScalingLawWarning
from ...uncertainty.resample import check_level
from ._common import Array, _as_dataset, _check_int, _check_seed, _flops_column, _size_column
from .akima import _akimas
from .budgets import _group_budgets
from .parabola import _Budgets, _flops_per_token, _interp, _pack, _parabolas, _power_laws
from .result import IsoFlop


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
    if estimator not in ("parabola", "akima"):
        raise OptionError(f"estimator must be 'parabola' or 'akima', got {estimator!r}",
                          "argument 'estimator'",
                          "use estimator='parabola' (Hoffmann et al.) or 'akima' (Porian et al.)")
    if estimator == "akima" and window is not None:
        raise OptionError("window applies to the parabola only; the Akima spline is local "
                          "already", "argument 'window'",
                          "use window=None with estimator='akima'")
    spline = estimator == "akima"

    def minima(b: _Budgets, counts: Array) -> dict[str, Array]:
        return _akimas(b, counts) if spline else _parabolas(b, counts, window)
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
    fits = {k: v[0] for k, v in minima(bud, bud.mask[None].astype(float)).items()}
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
        bf = minima(sub, _resample_counts(sub, n_boot, rng))
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
                f"in some bootstrap resamples the {'spline' if spline else 'parabola'} of "
                "budget(s) " + ", ".join(bad) + " had fewer than 3 sizes, no minimum, or a "
                + ("minimum at the first or last size drawn; " if spline else
                   "minimum beyond the sizes drawn; ")
                + "those budgets were left out of those resamples' power-law fits")

    _emit(messages)
    return IsoFlop(
        a=float(a[0]), b=float(b[0]), a_interval=a_int, b_interval=b_int,
        k_N=float(np.exp(ia[0])), k_D=float(np.exp(ib[0])), budgets=table, level=level,
        n_boot=n_boot, x=x, window=window, estimator=estimator, budget_rule=rule,
        tokens_from=tokens_from,
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
