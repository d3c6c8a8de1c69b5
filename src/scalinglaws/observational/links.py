"""The two maps of an observational scaling law: a sigmoid from capabilities (or, for the
compute-only baseline, log-compute) to a metric, and per family a line from log-compute to
each capability.

The sigmoid is ``y = floor + (ceiling - floor) * sigmoid(w . x + b)``, fitted by least
squares (scipy ``least_squares``, several starts). As in Ruan et al.'s reference code the
ceiling is 1 and the floor, unless given (a benchmark's chance level), is fitted within
[0, 0.2].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exceptions import DataError, OptionError

#: the largest floor the fit may choose when none is given (the reference code's bound)
MAX_FLOOR = 0.2


@dataclass(frozen=True, eq=False)
class SigmoidLink:
    """``y = floor + (ceiling - floor) * sigmoid(weights . x + bias)``."""

    inputs: tuple[str, ...]
    weights: np.ndarray
    bias: float
    floor: float
    ceiling: float
    floor_fitted: bool
    n: int
    rmse: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = np.atleast_2d(np.asarray(x, dtype=float)) @ self.weights + self.bias
        return np.asarray(self.floor + (self.ceiling - self.floor) * _sigmoid(z))

    def formula(self) -> str:
        terms = " ".join(f"{'+' if w >= 0 else '-'} {abs(w):.4g}·{name}"
                         for w, name in zip(self.weights, self.inputs, strict=True))
        return (f"{self.floor:.4g} + {self.ceiling - self.floor:.4g}·sigmoid("
                f"{terms.removeprefix('+ ')} {'+' if self.bias >= 0 else '-'} "
                f"{abs(self.bias):.4g})")

    def to_dict(self) -> dict[str, object]:
        return {"inputs": list(self.inputs), "weights": self.weights.tolist(),
                "bias": self.bias, "floor": self.floor, "ceiling": self.ceiling,
                "floor_fitted": self.floor_fitted, "n": self.n, "rmse": self.rmse}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)))


def check_bounds(floor: float | None, ceiling: float) -> None:
    """``floor`` and ``ceiling`` are numbers with ``0 <= floor < ceiling <= 1``."""
    if not 0 < ceiling <= 1:
        raise OptionError(f"ceiling must be in (0, 1], got {ceiling!r}", "argument 'ceiling'")
    if floor is not None and not 0 <= floor < ceiling:
        raise OptionError(f"floor must be at least 0 and below the ceiling {ceiling:g}, got "
                          f"{floor!r}", "argument 'floor'",
                          "give the benchmark's chance level (0.25 for four choices)")


def fit_sigmoid(x: np.ndarray, y: np.ndarray, inputs: tuple[str, ...], *,
                floor: float | None = None, ceiling: float = 1.0) -> SigmoidLink:
    """Least-squares sigmoid of ``x`` (rows) for ``y``; ``floor=None`` fits the floor."""
    from scipy.optimize import least_squares

    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    y = np.asarray(y, dtype=float)
    d = x.shape[1]
    free = floor is None
    n_params = d + 1 + int(free)
    if len(y) < n_params + 1:
        raise DataError(f"the sigmoid link has {n_params} parameters and only {len(y)} "
                        f"models with the target to fit them", fix="give more models, or "
                        "fewer components (k)")
    top = min(MAX_FLOOR, ceiling / 2)
    fixed = 0.0 if floor is None else float(floor)

    def model(p: np.ndarray) -> np.ndarray:
        f = p[-1] if free else fixed
        return np.asarray(f + (ceiling - f) * _sigmoid(x @ p[:d] + p[d]))

    lo = np.r_[np.full(d + 1, -np.inf), [0.0] if free else []]
    hi = np.r_[np.full(d + 1, np.inf), [top] if free else []]
    best = None
    for start in _starts(x, y, fixed if not free else min(y.min(), top) * 0.5, ceiling):
        p0 = np.r_[start, [min(max(y.min() * 0.5, 0.0), top)] if free else []]
        p0 = np.clip(p0, lo + 1e-9, hi - 1e-9)
        try:
            res = least_squares(lambda p: model(p) - y, p0, bounds=(lo, hi), x_scale="jac",
                                max_nfev=2000)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(res.cost) and (best is None or res.cost < best.cost):
            best = res
    if best is None:
        raise DataError("the sigmoid link could not be fitted to the target",
                        fix="check that the target varies with the benchmarks")
    p = best.x
    fitted_floor = float(p[-1]) if free else fixed
    rmse = float(np.sqrt(np.mean(best.fun ** 2)))
    return SigmoidLink(inputs, np.array(p[:d]), float(p[d]), fitted_floor, float(ceiling),
                       free, len(y), rmse)


def _starts(x: np.ndarray, y: np.ndarray, floor: float, ceiling: float) -> list[np.ndarray]:
    """Starting points: the least-squares line through the logit of the rescaled target,
    that line halved and doubled, and a flat sigmoid at the target's mean."""
    share = np.clip((y - floor) / (ceiling - floor), 0.02, 0.98)
    design = np.c_[x, np.ones(len(y))]
    line, *_ = np.linalg.lstsq(design, np.log(share / (1 - share)), rcond=None)
    flat = np.r_[np.zeros(x.shape[1]), np.log(share.mean() / (1 - share.mean()))]
    return [line, line * 0.5, line * 2.0, flat]


@dataclass(frozen=True, eq=False)
class FamilyLine:
    """One family's capabilities as lines in log-compute: ``slope * log10(C / scale) +
    intercept`` per component, or why there is none (``reason``)."""

    family: str
    n_models: int
    slope: np.ndarray | None = None
    intercept: np.ndarray | None = None
    r2: np.ndarray | None = None
    log_compute: tuple[float, float] | None = None
    reason: str | None = None

    @property
    def fitted(self) -> bool:
        return self.reason is None

    def at(self, log_compute: float) -> np.ndarray:
        if self.slope is None or self.intercept is None:
            raise DataError(f"family '{self.family}' has no fitted efficiency: {self.reason}")
        return np.asarray(self.slope * log_compute + self.intercept)


def fit_family(family: str, log_compute: np.ndarray, capabilities: np.ndarray) -> FamilyLine:
    """Least-squares lines of each capability in log-compute within one family; a family
    with fewer than two models of known, distinct compute gets its reason instead."""
    known = np.isfinite(log_compute)
    n = len(log_compute)
    if n < 2:
        return FamilyLine(family, n, reason="a single model: its efficiency cannot be fitted")
    if known.sum() < 2:
        return FamilyLine(family, n, reason=f"compute known for {int(known.sum())} of its {n} "
                          "models: its efficiency cannot be fitted")
    lc, caps = log_compute[known], capabilities[known]
    if np.ptp(lc) == 0:
        return FamilyLine(family, n, reason="its models share one compute: its efficiency "
                          "cannot be fitted")
    design = np.c_[lc, np.ones(len(lc))]
    coef, *_ = np.linalg.lstsq(design, caps, rcond=None)
    resid = caps - design @ coef
    total = ((caps - caps.mean(axis=0)) ** 2).sum(axis=0)
    r2 = np.where(total > 0, 1 - (resid ** 2).sum(axis=0) / np.where(total > 0, total, 1), 1.0)
    return FamilyLine(family, int(known.sum()), coef[0], coef[1], r2,
                      (float(lc.min()), float(lc.max())))
