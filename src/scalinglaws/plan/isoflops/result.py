""":class:`IsoFlop`: the result of :func:`~scalinglaws.plan.isoflop`, its per-budget table,
text and HTML views and JSON form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...common.display import cell, html_table, text_table
from ...common.jsonvalues import json_value
from ...common.numbers import span
from ..queries import flops_budgets
from .inputs import Array


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
    enter the power laws. With ``estimator="akima"`` the minimum is the Akima spline's
    (``loss_opt`` and ``curvature`` too), ``at_edge`` marks a minimum at the first or last
    sampled size and such a budget has status ``"minimum_at_end"`` (skipped, as by Porian et
    al.). ``boot_a``/``boot_b`` hold the bootstrap exponents (NaN where a
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
    estimator: str = "parabola"
    #: how the data counted params, tokens and flops (``Dataset.convention``), when it said:
    #: the exponents depend on it (Porian et al. 2024)
    convention: str | None = None

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
        c = flops_budgets(flops)
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
            "estimator": self.estimator,
            "budget_rule": self.budget_rule, "tokens_from": self.tokens_from,
            "flops_factor": self.flops_factor, "convention": self.convention,
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
            f"{len(self.budgets)} budgets, "
            + (f"Akima spline of ln loss in ln {self.x} (Porian et al. 2024)"
               if self.estimator == "akima" else f"parabola in ln {self.x}")
            + (f" over the {self.window} sizes nearest the lowest loss" if self.window else ""),
            f"  N_opt = {self.k_N:.4g} * C^a   a = {self.a:.4f}  {pct} {ci(self.a_interval)}",
            f"  D_opt = {self.k_D:.4g} * C^b   b = {self.b:.4f}  {pct} {ci(self.b_interval)}",
            f"  D_opt from: {self.tokens_from}; budgets: {self.budget_rule}; "
            f"bootstrap: {self.n_boot} resamples of the runs within each budget",
            *([f"  data convention: {self.convention}"] if self.convention else []),
        ]

    def _table(self) -> tuple[list[str], list[list[str]]]:
        """The per-budget table with readable numbers and the interval of ``n_opt`` as one
        ``lo–hi`` cell (``—`` without a bootstrap)."""
        pct = f"{100 * self.level:g}%"
        header = ["flops", "runs", "sizes", f"{self.x} opt", f"{pct} interval", "tokens opt",
                  "loss opt", "curvature", "status"]
        rows = []
        for r in self.budgets.to_dict(orient="records"):
            lo, hi = float(r["n_opt_lo"]), float(r["n_opt_hi"])
            rows.append([cell(r["flops"]), str(r["n_runs"]), str(r["n_sizes"]),
                         cell(r["n_opt"]), span(lo, hi) if math.isfinite(lo) else "—",
                         cell(r["d_opt"]), cell(r["loss_opt"]), cell(r["curvature"], 3),
                         str(r["status"]) + (" (edge)" if r["at_edge"] else "")])
        return header, rows

    def __str__(self) -> str:
        lines = self._header()
        lines.append(text_table(*self._table(), align="rrrrrrrrl"))
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<IsoFlop: a = {self.a:.4f}, b = {self.b:.4f}; {len(self.used)} budgets used>"

    def _repr_html_(self) -> str:
        from html import escape

        head = "<br>".join(escape(line) for line in self._header())
        table = html_table(*self._table(), align="rrrrrrrrl")
        warn = "".join(f"<li>{escape(w)}</li>" for w in self.warnings)
        return f"<p>{head}</p>{table}" + (f"<ul>{warn}</ul>" if warn else "")
