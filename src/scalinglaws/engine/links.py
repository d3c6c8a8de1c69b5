"""Links: the space an objective's residuals live in, r = h(f) − h(y).

Three links cover the losses: the identity (``mse``: raw residuals), the log with a shift s
(``huber``, ``mse_log``: s = 0; ``mse_log1p``: s = 1), h = ln(f + s), and the logit
(``mse_logit``: scores strictly inside (0, 1)), h = ln f − ln(1 − f). The objective, its
derivatives, the linear projection's weights, the covariance, the bootstrap's residual draws,
the simulated outcomes and the calibrated intervals all go through the link's methods.

>>> link = link_for("mse_logit")
>>> float(link.transform(0.5)), float(link.slope(0.5)), float(link.second_derivative(0.5))
(0.0, 4.0, 0.0)
>>> float(link_for("mse_log1p").untransform(0.0))
0.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

Array = np.ndarray

#: the link of each loss (and a log link's shift)
_LINKS = {"huber": ("log", 0.0), "mse_log": ("log", 0.0), "mse_log1p": ("log", 1.0),
          "mse": ("identity", 0.0), "mse_logit": ("logit", 0.0)}


@dataclass(frozen=True)
class Link:
    """h and its derivatives: ``kind`` is ``"identity"``, ``"log"`` (h = ln(f + shift)) or
    ``"logit"`` (h = ln f − ln(1 − f)).

    Values where h is undefined (a log link's f <= −shift, a logit's f outside (0, 1))
    transform to NaN, so a residual there is not finite and the objective is infinite.
    """

    kind: str = "identity"
    shift: float = 0.0

    @property
    def identity(self) -> bool:
        """Whether residuals are raw (f − y, in the target's units)."""
        return self.kind == "identity"

    def inside(self, v: Any) -> Array:
        """Where h(v) is defined."""
        v = np.asarray(v, dtype=float)
        if self.kind == "log":
            return np.asarray(v + self.shift > 0)
        if self.kind == "logit":
            return np.asarray((v > 0) & (v < 1))
        return np.ones(v.shape, dtype=bool)

    def transform(self, v: Any) -> Array:
        """h(v); NaN outside h's domain."""
        v = np.asarray(v, dtype=float)
        with np.errstate(all="ignore"):
            if self.kind == "log":
                g = v + self.shift
                return np.log(np.where(g > 0, g, np.nan))
            if self.kind == "logit":
                inside = np.where((v > 0) & (v < 1), v, np.nan)
                return np.log(inside) - np.log1p(-inside)
        return v

    def untransform(self, u: Any) -> Array:
        """h⁻¹(u)."""
        u = np.asarray(u, dtype=float)
        with np.errstate(all="ignore"):
            if self.kind == "log":
                return np.exp(u) - self.shift
            if self.kind == "logit":
                return np.asarray(expit(u))
        return u

    def inverse_slope(self, f: Any) -> Array:
        """1/h'(f): f + shift (log), f (1 − f) (logit), 1 (identity)."""
        f = np.asarray(f, dtype=float)
        if self.kind == "log":
            return f + self.shift
        if self.kind == "logit":
            return f * (1.0 - f)
        return np.ones_like(f)

    def slope(self, f: Any) -> Array:
        """h'(f)."""
        with np.errstate(all="ignore"):
            return 1.0 / self.inverse_slope(f)

    def curvature(self, f: Any) -> Array | float:
        """h''(f) / h'(f)²: −1 (log), 2f − 1 (logit), 0 (identity)."""
        if self.kind == "log":
            return -1.0
        if self.kind == "logit":
            return 2.0 * np.asarray(f, dtype=float) - 1.0
        return 0.0

    def second_derivative(self, f: Any) -> Array:
        """h''(f) = curvature × h'(f)²."""
        s = self.slope(f)
        return np.asarray(self.curvature(f) * s * s, dtype=float)

    def shifted(self, v: Any, r: Any) -> Array:
        """h⁻¹(h(v) + r): the value whose residual against ``v`` is ``r`` (a residual drawn
        onto a prediction, an interval's end)."""
        v, r = np.asarray(v, dtype=float), np.asarray(r, dtype=float)
        with np.errstate(all="ignore"):
            if self.kind == "log":
                return (v + self.shift) * np.exp(r) - self.shift
            if self.kind == "logit":
                return np.asarray(expit(self.transform(v) + r))
        return v + r


def link_for(loss: str) -> Link:
    """The link of ``loss`` (the identity for an unknown name: the loss is checked
    elsewhere)."""
    kind, shift = _LINKS.get(loss, ("identity", 0.0))
    return Link(kind, shift)
