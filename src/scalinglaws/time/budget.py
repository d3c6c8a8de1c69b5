"""The compute-optimal model for a budget in hours (Inbar & Sernau 2024, "Time Matters:
Scaling Laws for Any Budget", arXiv:2406.18922): the model size N and tokens D that minimise
a fitted loss law when training may take ``hours`` of wall-clock time, with each step priced
by a step-time cost model (:func:`scalinglaws.time.fit_throughput`).

For every shape of a :class:`~scalinglaws.time.sizing.ShapeFamily`: steps = hours·3600 /
step_time(shape, batch), D = steps·batch·seq_len, N its non-embedding parameters, loss
L(N, D); the best shape wins. Beside it, two FLOP-optimal plans among the same shapes, priced
in hours: the shape that minimises the loss at the same training FLOPs (k·N·D, tokens
C/(k·N)), and the FLOP-optimal plan of the largest budget whose run fits in the same hours
(what planning in FLOPs would choose for the time). By construction no plan of the family
that fits in the hours has a lower loss than the hours-optimal one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..arch import Transformer
from ..common.checks import integer_at_least, positive_number
from ..common.jsonvalues import json_value
from ..exceptions import OptionError, QueryError
from ..fitting import FitResult
from ..plan.queries import RowsPlan, params_tokens_symbols
from .sizing import ShapeFamily
from .throughput import Throughput

ROWS = ("hours-optimal", "FLOP-optimal, same FLOPs", "FLOP-optimal, same hours")


@dataclass(frozen=True, repr=False)
class HoursPlan(RowsPlan):
    """The loss-minimising model for ``hours`` of training, beside FLOP-based plans: one row
    per plan (:data:`ROWS`) of params, tokens, flops, hours, loss, shape and step time."""

    hours: float
    batch_size: int
    seq_len: int
    flops_factor: float
    shape: Transformer
    rows: pd.DataFrame
    throughput: Throughput
    warnings: tuple[str, ...] = field(default=())

    @property
    def flops(self) -> float:
        return float(self.rows["flops"].iloc[0])

    @property
    def step_time(self) -> float:
        return float(self.rows["step_time"].iloc[0])

    _label_columns = 1

    def _columns(self) -> dict[str, Any]:
        return {str(c): self.rows[c].to_numpy() for c in self.rows.columns}

    def _title(self) -> str:
        return (f"compute-optimal model for {self.hours:g} hours (batch {self.batch_size} x "
                f"{self.seq_len} tokens; FLOPs = {self.flops_factor:g}·N·D), beside the "
                "FLOP-optimal plans priced in hours")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the hours-optimal plan's numbers at the top, every plan under
        ``plans``."""
        plans = {name: {k: json_value(v) for k, v in row.items() if k != "plan"}
                 for name, row in zip(ROWS, self.rows.to_dict("records"), strict=True)}
        return {"hours": self.hours, "params": self.params, "tokens": self.tokens,
                "flops": self.flops, "loss": self.loss, "step_time": self.step_time,
                "batch_size": self.batch_size, "seq_len": self.seq_len,
                "flops_factor": self.flops_factor, "shape": self.shape.to_dict(),
                "plans": plans, "throughput": self.throughput.to_dict(),
                "warnings": list(self.warnings)}


def plan(loss_fit: FitResult, throughput: Throughput, *, hours: float,
         batch_size: int = 256, seq_len: int = 2048, family: ShapeFamily | None = None,
         flops_factor: float = 6.0) -> HoursPlan:
    """The shape (hence N) and tokens that minimise ``loss_fit``'s law in ``hours`` of
    training at ``batch_size`` sequences of ``seq_len`` tokens per step.

    ``loss_fit``: a fit of a law of params and tokens (e.g. 'chinchilla'). ``throughput``:
    the step-time cost model. ``family``: the shapes considered (default: aspect ratio 128,
    head size 128, vocabulary 32000).
    """
    if not isinstance(throughput, Throughput):
        raise OptionError(f"throughput must be a step-time cost model, got "
                          f"{type(throughput).__name__}", "argument 'throughput'",
                          "fit one with sl.time.fit_throughput(steps) or load one with "
                          "sl.time.Throughput.load(path)")
    budget = positive_number(hours, "hours", "give the wall-clock budget in hours, e.g. "
                             "hours=24")
    batch = integer_at_least(batch_size, "batch_size", 1, "give sequences per step, e.g. 256")
    seq = integer_at_least(seq_len, "seq_len", 1, "give tokens per sequence, e.g. 2048")
    positive_number(flops_factor, "flops_factor", "use 6 (C = 6·N·D)")
    params_tokens_symbols(loss_fit)
    family = family if family is not None else ShapeFamily()
    shapes = family.shapes(seq)
    n = np.array([float(s.params().non_embedding) for s in shapes])
    step = np.asarray(throughput.step_time(shapes, batch, seq), dtype=float)
    steps = budget * 3600.0 / step
    if steps[0] < 1:
        raise QueryError(f"{budget:g} hours are too few for one step of the smallest model "
                         f"({step[0]:.3g} s per step)", f"hours={budget:g}", "give more hours")
    tokens = steps * batch * seq
    loss = np.where(steps >= 1, _loss(loss_fit, n, tokens), np.inf)
    best = int(np.argmin(loss))
    if not np.isfinite(loss[best]):
        raise QueryError("the law gives no finite loss for any model in this budget",
                         f"law '{loss_fit.law.name}', hours={budget:g}", "check the fit")
    if best == len(shapes) - 1:
        raise QueryError(f"the best model for {budget:g} hours is the widest shape "
                         "considered: no optimum inside the family",
                         f"hours={budget:g}, batch_size={batch}", "give fewer hours, or "
                         "widen the family (ShapeFamily(max_width=...))")
    if best == 0:
        raise QueryError(f"{budget:g} hours are too few for the family: its smallest shape "
                         "is best, so no optimum lies inside it", f"hours={budget:g}",
                         "give more hours, or a family with smaller shapes "
                         "(ShapeFamily(head_dim=64, aspect=64))")
    rows = [_row(ROWS[0], shapes[best], n[best], tokens[best], loss[best], step[best],
                 flops_factor, batch, seq)]
    flop_plan = _FlopPlans(loss_fit, n, step, flops_factor, batch * seq)
    for name, (j, d) in zip(ROWS[1:], (flop_plan.at(flops_factor * n[best] * tokens[best]),
                                       flop_plan.within(budget)), strict=True):
        rows.append(_row(name, shapes[j], n[j], d, float(_loss(loss_fit, n[j], d)), step[j],
                         flops_factor, batch, seq))
    return HoursPlan(budget, batch, seq, flops_factor, shapes[best], pd.DataFrame(rows),
                     throughput)


def _loss(fit: FitResult, n: Any, d: Any) -> np.ndarray:
    with np.errstate(all="ignore"):
        out = np.asarray(fit.law(fit.params, params=n, tokens=d), dtype=float)
    return np.where(np.isfinite(out), out, np.inf)


def _row(name: str, shape: Transformer, n: float, d: float, loss: float, step: float,
         k: float, batch: int, seq: int) -> dict[str, Any]:
    steps = d / (batch * seq)
    return {"plan": name, "params": float(n), "tokens": float(d), "flops": k * n * d,
            "hours": steps * step / 3600.0, "loss": float(loss), "n_layers": shape.n_layers,
            "d_model": shape.d_model, "step_time": float(step)}


class _FlopPlans:
    """FLOP-optimal choices among the family: the shape minimising the loss at a budget of
    FLOPs (tokens C/(k·N)), and the largest such budget whose run fits in some hours."""

    #: the budgets searched, 1e12 to 1e32 FLOPs (neighbours 0.8% apart)
    GRID = np.geomspace(1e12, 1e32, 6000)

    def __init__(self, fit: FitResult, n: np.ndarray, step: np.ndarray, k: float,
                 tokens_per_step: int) -> None:
        self.fit, self.n, self.step, self.k = fit, n, step, k
        self.tokens_per_step = tokens_per_step

    def at(self, flops: float) -> tuple[int, float]:
        """The loss-minimising shape at ``flops`` and its tokens."""
        d = flops / (self.k * self.n)
        j = int(np.argmin(_loss(self.fit, self.n, d)))
        return j, float(d[j])

    def within(self, hours: float) -> tuple[int, float]:
        """The FLOP-optimal plan of the largest budget whose run takes at most ``hours``."""
        d = self.GRID[:, None] / (self.k * self.n[None, :])
        j = np.argmin(_loss(self.fit, self.n[None, :], d), axis=1)
        took = self.GRID / (self.k * self.n[j]) / self.tokens_per_step * self.step[j] / 3600
        fits = np.flatnonzero(took <= hours)
        if fits.size == 0:
            raise QueryError(f"no FLOP-optimal run of the family fits in {hours:g} hours",
                             f"hours={hours:g}", "give more hours")
        g = int(fits[-1])
        jg = int(j[g])
        # the chosen shape trained for the whole budget, up to the next budget searched
        limit = hours * 3600 / self.step[jg] * self.tokens_per_step * self.k * self.n[jg]
        flops = min(limit, float(self.GRID[min(g + 1, self.GRID.size - 1)]))
        return jg, flops / (self.k * self.n[jg])
