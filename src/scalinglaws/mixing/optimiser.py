"""The mixture that minimises the predicted target loss on the simplex, under per-domain
bounds and epoch caps, beside the uniform mixture and the user's current one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize as so

from ..exceptions import OptionError
from .constraints import Box, box
from .models import MixingLaw
from .result import MixingFit


@dataclass(frozen=True)
class MixtureProposal:
    """The optimised ``mixture`` with its ``predicted_loss`` and ``interval`` (None for a
    bare law), and the same for the ``uniform`` and ``current`` mixtures."""

    mixture: Mapping[str, float]
    predicted_loss: float
    interval: tuple[float, float] | None
    target: Mapping[str, float]
    baselines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    binding: tuple[str, ...] = ()
    level: float = 0.9

    def to_dict(self) -> dict[str, Any]:
        return {"mixture": dict(self.mixture), "predicted_loss": self.predicted_loss,
                "interval": None if self.interval is None else list(self.interval),
                "level": self.level, "target": dict(self.target),
                "baselines": {k: dict(v) for k, v in self.baselines.items()},
                "binding": list(self.binding)}

    def __str__(self) -> str:
        mix = ", ".join(f"{d} {p:.3f}" for d, p in self.mixture.items())
        out = [f"optimised mixture: {mix}", f"predicted loss {self.predicted_loss:.4f}"
               + ("" if self.interval is None else
                  f" ({self.level:.0%} interval {self.interval[0]:.4f} to "
                  f"{self.interval[1]:.4f})")]
        for name, base in self.baselines.items():
            out.append(f"{name}: predicted loss {base['predicted_loss']:.4f}")
        return "\n".join(out)


def optimise(fit: MixingFit | MixingLaw, target: Mapping[str, float] | None = None, *,
             bounds: Mapping[str, Any] | None = None,
             available: Mapping[str, float] | None = None, tokens: float | None = None,
             max_epochs: float | None = None, current: Mapping[str, float] | None = None,
             level: float = 0.9, starts: int = 3) -> MixtureProposal:
    """The mixture minimising the predicted ``target``-weighted loss (default: equal weights
    over the validation domains) on the simplex, with ``bounds`` per domain and, for
    domains with ``available`` tokens (default: the fit's), at most ``max_epochs`` over a
    run of ``tokens`` training tokens. Infeasible constraints raise
    :class:`~scalinglaws.OptionError` naming the one that fails.

    >>> import numpy as np, scalinglaws as sl
    >>> law = sl.mixing.MixingLaw(("web", "code"), ("web", "code"), c=np.array([2.0, 1.0]),
    ...     k=np.array([1.0, 1.0]), t=np.array([[-2.0, 0.0], [1.0, 0.0]]))
    >>> sorted(sl.mixing.optimise(law).mixture)
    ['code', 'web']
    """
    model = fit.model if isinstance(fit, MixingFit) else fit
    domains = model.domains
    w = model.weights(target)
    given = dict(fit.available) if isinstance(fit, MixingFit) else {}
    given.update(available or {})
    feasible = box(domains, bounds, given, tokens, max_epochs)
    best = _minimise(model, w, feasible, starts)
    mixture = dict(zip(domains, best.tolist(), strict=True))
    weights = dict(zip(model.validation, w.tolist(), strict=True))
    baselines = {"uniform": _point(fit, model, np.full(len(domains), 1 / len(domains)),
                                   weights, level)}
    if current is not None:
        r = (fit.proportions(current)[0] if isinstance(fit, MixingFit)
             else _current(current, domains))
        baselines["current"] = _point(fit, model, r, weights, level)
    interval = fit.interval(mixture, weights, level) if isinstance(fit, MixingFit) else None
    binding = tuple(s for j, s in enumerate(feasible.sources)
                    if s != "1" and best[j] >= feasible.upper[j] - 1e-6)
    return MixtureProposal(mixture, float(model.target(best, w)[0]), interval, weights,
                           baselines, binding, level)


def _minimise(model: MixingLaw, w: np.ndarray, feasible: Box, starts: int) -> np.ndarray:
    """SLSQP with the analytic gradient from a few feasible starts (the objective is convex
    for both regressors: a positive sum of exponentials of linear functions)."""
    m = len(model.domains)
    lo, hi = feasible.lower, feasible.upper
    candidates = [_inside(np.full(m, 1 / m), lo, hi)]
    rng = np.random.default_rng(0)
    for _ in range(max(starts - 1, 0)):
        candidates.append(_inside(rng.dirichlet(np.ones(m)), lo, hi))
    best, value = candidates[0], np.inf
    for x0 in candidates:
        res = so.minimize(lambda r: float(model.target(r, w)[0]), x0,
                          jac=lambda r: model.target_gradient(r, w), method="SLSQP",
                          bounds=list(zip(lo, hi, strict=True)),
                          constraints=[{"type": "eq", "fun": lambda r: r.sum() - 1.0,
                                        "jac": lambda r: np.ones_like(r)}],
                          options={"maxiter": 500, "ftol": 1e-12})
        r = np.clip(res.x, lo, hi)
        r = r / r.sum()
        f = float(model.target(r, w)[0])
        if feasible.contains(r) and f < value:
            best, value = r, f
    return best


def _inside(r: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A point of the box on the simplex near ``r`` (clipped, then the excess or deficit
    spread over the domains with room)."""
    x = np.clip(r, lo, hi)
    for _ in range(100):
        gap = 1.0 - x.sum()
        if abs(gap) < 1e-12:
            break
        room = (hi - x) if gap > 0 else (x - lo)
        if room.sum() <= 0:
            break
        x = np.clip(x + gap * room / room.sum(), lo, hi)
    return x


def _current(current: Mapping[str, float], domains: tuple[str, ...]) -> np.ndarray:
    unknown = [d for d in current if d not in domains]
    if unknown:
        raise OptionError(f"current mixture names unknown domain {unknown[0]!r}",
                         "argument 'current'", f"use {', '.join(domains)}")
    r = np.array([float(current.get(d, 0.0)) for d in domains])
    return r / r.sum()


def _point(fit: MixingFit | MixingLaw, model: MixingLaw, r: np.ndarray,
           weights: Mapping[str, float], level: float) -> dict[str, Any]:
    w = np.array(list(weights.values()))
    mixture = dict(zip(model.domains, r.tolist(), strict=True))
    out: dict[str, Any] = {"mixture": mixture,
                           "predicted_loss": float(model.target(r, w)[0])}
    if isinstance(fit, MixingFit):
        out["interval"] = list(fit.interval(mixture, weights, level))
    return out
