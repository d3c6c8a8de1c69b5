"""From a target size (or a compute budget and a fit) to concrete transformer shapes: layers,
width, heads and MLP size that hit the target parameter count within a tolerance, under
hardware-friendly divisibility, ranked by aspect ratio, predicted loss or FLOPs per token."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..arch import Transformer
from ..common.display import html_table, text_table
from ..common.jsonvalues import json_value
from ..exceptions import OptionError, QueryError

#: what a configuration's target counts: the shape's non-embedding, total or active parameters
COUNTS = ("non_embedding", "total", "active")
RANKS = ("aspect", "loss", "flops")
#: the default band of d_model / n_layers: GPT-2 124M is 64, LLaMA-2 7B 128, LLaMA-2 70B and
#: Chinchilla 70B 102, GPT-3 175B 128; Kaplan et al. (2020, Fig. 5) find the loss within a few
#: percent over aspect ratios 20-200 at fixed N
ASPECT_BAND = (32.0, 256.0)
#: without a shape law the configurations nearest this aspect ratio come first (the middle of
#: the published band, in log)
ASPECT_TARGET = 100.0
_MAX_LAYERS = 256


@dataclass(frozen=True)
class Constraints:
    """What a configuration must respect: the vocabulary, head sizes, the multiple of
    ``d_model`` (hardware tiles), grouped-query attention (``kv_heads``: key-value heads per
    model, or None for multi-head), a gated MLP (SwiGLU; ``d_ff`` from the LLaMA rule), tied
    embeddings, the context, experts, and the band of aspect ratios ``d_model / n_layers``."""

    vocab: int = 32000
    head_dims: tuple[int, ...] = (64, 128)
    multiple: int = 128
    kv_heads: int | None = None
    gated: bool = True
    tied: bool = False
    n_ctx: int = 2048
    n_experts: int = 1
    experts_active: int = 1
    aspect: tuple[float, float] = ASPECT_BAND
    norm: str = "rmsnorm"

    def checked(self) -> Constraints:
        for name in ("vocab", "multiple", "n_ctx", "n_experts", "experts_active"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise OptionError(f"constraint {name} must be a positive integer, got "
                                  f"{value!r}", f"constraints.{name}", "e.g. 128")
        if not self.head_dims or any(int(h) < 1 for h in self.head_dims):
            raise OptionError("head_dims must list positive head sizes",
                              "constraints.head_dims", "e.g. (64, 128)")
        lo, hi = self.aspect
        if not 0 < lo <= hi:
            raise OptionError(f"the aspect band must be 0 < low <= high, got {self.aspect}",
                              "constraints.aspect", "e.g. (32, 256)")
        return self


@dataclass(frozen=True)
class Configuration:
    """One shape: the :class:`~scalinglaws.arch.Transformer`, its counted parameters
    (``params``, under the target's ``count``), the relative ``error`` to the target, its
    aspect ratio, training FLOPs per token (exact, with attention) and, when ranked by a
    shape law, its predicted loss."""

    model: Transformer
    params: int
    error: float
    aspect: float
    flops_per_token: float
    predicted_loss: float | None = None

    def to_dict(self) -> dict[str, Any]:
        counts = self.model.params()
        return dict(json_value({
            "n_layers": self.model.n_layers, "d_model": self.model.d_model,
            "n_heads": self.model.n_heads, "n_kv_heads": self.model.kv_heads,
            "head_dim": self.model.head_dim, "d_ff": self.model.ff_dim,
            "vocab": self.model.vocab, "gated": self.model.gated, "tied": self.model.tied,
            "n_experts": self.model.n_experts, "experts_active": self.model.experts_active,
            "params": self.params, "params_total": counts.total,
            "params_non_embedding": counts.non_embedding, "params_active": counts.active,
            "error": self.error, "aspect": self.aspect,
            "flops_per_token": self.flops_per_token, "predicted_loss": self.predicted_loss}))


@dataclass(frozen=True)
class Configurations:
    """The configurations that hit ``target`` (parameters, counted as ``count``) within
    ``tolerance``, best first by ``rank``; ``best`` is the first. ``tokens`` and ``flops``
    carry the plan the target came from, when it came from a budget."""

    target: float
    count: str
    tolerance: float
    rank: str
    options: tuple[Configuration, ...]
    considered: int
    tokens: float | None = None
    flops: float | None = None
    seconds: float = field(default=0.0, compare=False)

    @property
    def best(self) -> Configuration:
        return self.options[0]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([o.to_dict() for o in self.options])

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({
            "target_params": self.target, "count": self.count, "tolerance": self.tolerance,
            "rank": self.rank, "tokens": self.tokens, "flops": self.flops,
            "considered": self.considered, "config": self.best.to_dict(),
            "options": [o.to_dict() for o in self.options]}))

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        head = ["layers", "d_model", "heads", "kv", "d_ff", "params", "error", "aspect",
                "FLOPs/token"] + (["loss"] if self.rank == "loss" else [])
        rows = []
        for o in self.options:
            m = o.model
            row = [str(m.n_layers), str(m.d_model), str(m.n_heads), str(m.kv_heads),
                   str(m.ff_dim), f"{o.params:.4g}", f"{o.error:+.2%}", f"{o.aspect:.0f}",
                   f"{o.flops_per_token:.3g}"]
            if self.rank == "loss":
                row.append("-" if o.predicted_loss is None else f"{o.predicted_loss:.4f}")
            rows.append(row)
        return head, rows

    def _caption(self) -> str:
        return (f"configurations for {self.target:.4g} {self.count.replace('_', '-')} "
                f"parameters (within {self.tolerance:.1%}; by {self.rank}; "
                f"{self.considered} shapes considered)")

    def __str__(self) -> str:
        return self._caption() + "\n" + text_table(*self._rows())

    def _repr_html_(self) -> str:
        return html_table(*self._rows(), caption=self._caption())


def configure(params: float | None = None, *, flops: float | None = None,
              fit: Any = None, count: str = "non_embedding",
              constraints: Constraints | None = None, tolerance: float = 0.01,
              rank: str = "aspect", shape_law: Any = None, top: int = 5,
              flops_factor: float = 6.0) -> Configurations:
    """Concrete transformer shapes for a target size: ``params`` directly, or the
    compute-optimal size of ``fit`` at ``flops`` (its plan's tokens are kept beside).

    Every (layers, head size) pair is tried with the widths, multiples of
    ``constraints.multiple``, nearest the target; shapes outside the aspect band or off the
    target by more than ``tolerance`` are left out. ``rank``: ``"aspect"`` (nearest an
    aspect ratio of 100, the middle of published models'), ``"flops"`` (fewest training
    FLOPs per token at ``n_ctx``: wide and shallow), or ``"loss"`` (lowest loss predicted by
    ``shape_law``, a fit whose law reads ``width`` and ``depth`` and possibly ``params``).
    A target no shape reaches is a :class:`~scalinglaws.QueryError` naming the nearest one.

    >>> import scalinglaws as sl
    >>> best = sl.plan.configure(6.5e9).best
    >>> best.model.d_model % 128, abs(best.error) <= 0.01, 32 <= best.aspect <= 256
    (0, True, True)
    """
    started = time.perf_counter()
    rules = (constraints or Constraints()).checked()
    tokens = None
    if count not in COUNTS:
        raise OptionError(f"unknown count '{count}'", "argument 'count'",
                          f"use one of {', '.join(COUNTS)}")
    if rank not in RANKS:
        raise OptionError(f"unknown rank '{rank}'", "argument 'rank'",
                          f"use one of {', '.join(RANKS)}")
    if rank == "loss" and shape_law is None:
        raise OptionError("rank='loss' needs a shape law to predict the loss of each shape",
                          "argument 'shape_law'", "pass a fit of a width/depth law, or "
                          "rank by 'aspect' or 'flops'")
    if not 0 < tolerance < 1:
        raise OptionError(f"tolerance must lie in (0, 1), got {tolerance!r}",
                          "argument 'tolerance'", "e.g. 0.01 for 1%")
    target, tokens = _target(params, flops, fit, flops_factor)
    shapes = _candidates(target, count, rules)
    if not shapes:
        raise QueryError(f"no transformer shape under these constraints has about "
                         f"{target:.4g} parameters", "configure",
                         "loosen the aspect band or the multiple of d_model")
    errors = np.array([s.params / target - 1.0 for s in shapes])
    keep = [s for s, e in zip(shapes, errors, strict=True) if abs(e) <= tolerance]
    if not keep:
        near = shapes[int(np.argmin(np.abs(errors)))]
        raise QueryError(
            f"no shape within {100 * tolerance:.3g}% of {target:.4g} parameters under these "
            f"constraints; the nearest is {near.model.n_layers} layers x d_model "
            f"{near.model.d_model} ({near.params:.4g}, {near.error:+.2%})", "configure",
            "raise the tolerance, loosen the aspect band, or lower the multiple of d_model")
    ranked = _ranked(keep, rank, shape_law)
    return Configurations(target, count, tolerance, rank, tuple(ranked[:max(1, top)]),
                          len(shapes), tokens, flops, time.perf_counter() - started)


def _target(params: float | None, flops: float | None, fit: Any,
            flops_factor: float) -> tuple[float, float | None]:
    if (params is None) == (flops is None):
        raise OptionError("configure needs one target: params=... or flops=... with a fit",
                          "arguments 'params' / 'flops'", "e.g. configure(7e9) or "
                          "configure(flops=1e23, fit=fit)")
    if params is not None:
        value = float(params)
        if not math.isfinite(value) or value < 1e5:
            raise OptionError(f"params must be a size of at least 1e5, got {params!r}",
                              "argument 'params'", "e.g. 7e9")
        return value, None
    if fit is None:
        raise OptionError("a budget needs a fit to turn it into a model size",
                          "argument 'fit'", "configure(flops=1e23, fit=sl.fit(...))")
    from .optimal import compute_optimal

    plan = compute_optimal(fit, float(flops or 0.0), flops_factor=flops_factor)
    return float(plan.params[0]), float(plan.tokens[0])


def _candidates(target: float, count: str, rules: Constraints) -> list[Configuration]:
    """Shapes near the target: for each depth and head size, the two widths (multiples of
    the rule's multiple and of the head size) around the width that gives the target."""
    out: list[Configuration] = []
    lo, hi = rules.aspect
    for head in sorted({int(h) for h in rules.head_dims}):
        step = math.lcm(rules.multiple, head)
        for layers in range(1, _MAX_LAYERS + 1):
            width = _width_for(target, layers, rules)
            base = max(step, int(width // step) * step)
            for d_model in (base, base + step):
                if not lo <= d_model / layers <= hi:
                    continue
                shape = _shape(layers, d_model, head, rules)
                if shape is None:
                    continue
                counted = _counted(shape, count)
                out.append(Configuration(shape, counted, counted / target - 1.0,
                                         d_model / layers, shape.flops_per_token()))
    return out


def _width_for(target: float, layers: int, rules: Constraints) -> float:
    """The width whose per-layer ~12 d² (attention 4 d², MLP 8 d²; experts multiply the MLP)
    gives the target over ``layers`` layers."""
    per = 4.0 + 8.0 * rules.n_experts
    return math.sqrt(max(target, 1.0) / (per * layers))


def _shape(layers: int, d_model: int, head: int, rules: Constraints) -> Transformer | None:
    heads = d_model // head
    kv = rules.kv_heads
    if kv is not None and (kv > heads or heads % kv):
        return None
    return Transformer(n_layers=layers, d_model=d_model, n_heads=heads, vocab=rules.vocab,
                       n_kv_heads=kv, gated=rules.gated, tied=rules.tied,
                       n_experts=rules.n_experts, experts_active=rules.experts_active,
                       n_ctx=rules.n_ctx, norm=rules.norm)


def _counted(shape: Transformer, count: str) -> int:
    counts = shape.params()
    return int({"non_embedding": counts.non_embedding, "total": counts.total,
                "active": counts.active}[count])


def _ranked(options: Sequence[Configuration], rank: str,
            shape_law: Any) -> list[Configuration]:
    if rank == "flops":
        return sorted(options, key=lambda o: (o.flops_per_token, abs(o.error)))
    if rank == "aspect":
        return sorted(options, key=lambda o: (abs(math.log(o.aspect / ASPECT_TARGET)),
                                              abs(o.error)))
    scored = [replace(o, predicted_loss=_loss(shape_law, o)) for o in options]
    return sorted(scored, key=lambda o: (o.predicted_loss, abs(o.error)))


def _loss(shape_law: Any, option: Configuration) -> float:
    inputs = {str(c) for c in shape_law.columns.values()}
    known = {"width": option.model.d_model, "depth": option.model.n_layers,
             "params": option.params, "d_model": option.model.d_model,
             "n_layers": option.model.n_layers}
    missing = sorted(inputs - set(known))
    if missing:
        raise OptionError(f"the shape law reads {', '.join(missing)}, which a shape does not "
                          "give", "argument 'shape_law'",
                          "fit a law of width and depth (and params)")
    return float(shape_law.predict(**{c: known[c] for c in inputs}))
