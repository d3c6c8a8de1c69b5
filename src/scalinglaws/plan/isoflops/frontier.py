"""Approach 1: :func:`envelope`, the lower envelope of loss against FLOPs, and its result
:class:`Envelope`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...common.checks import integer_at_least
from ...common.jsonvalues import json_value
from ...common.numbers import table_float
from ...common.warning import warn
from ...data.dataset import Dataset, as_dataset
from ...exceptions import DataError
from ..queries import flops_budgets
from .inputs import Array, flops_column, size_column
from .parabola import power_laws


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
        c = flops_budgets(flops)
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
            self.frame.to_string(index=False, float_format=table_float),
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        head = escape(str(self).split("\n")[0])
        return f"<p>{head}<br>a = {self.a:.4f}, b = {self.b:.4f}</p>" + self.frame.to_html(
            index=False, float_format=table_float)


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
    ds = as_dataset(data)
    if n_bins is not None:
        n_bins = integer_at_least(n_bins, "n_bins", 1,
                                  "use n_bins=None (running minimum) or e.g. 30")
    size = size_column(ds, x)
    c = flops_column(ds)
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
    a, ia = power_laws(np.log(c[on]), np.log(size[on])[None], ok)
    b, ib = power_laws(np.log(c[on]), np.log(tokens[on])[None], ok)
    for m in messages:
        warn(m)
    return Envelope(a=float(a[0]), b=float(b[0]), k_N=float(np.exp(ia[0])),
                    k_D=float(np.exp(ib[0])), frame=frame, n_bins=n_bins, x=x,
                    tokens_from=tokens_from, warnings=tuple(messages))
