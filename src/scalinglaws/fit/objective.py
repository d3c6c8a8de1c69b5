"""Objectives: robust losses on (log) residuals, evaluated for many parameter sets at once.

All arrays are batched: K candidate parameter vectors against n data points. Parameters are
handled in *search* coordinates U (log for log-scale parameters) and natural units P.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..exceptions import OptionError
from ..laws.law import Law

LOSSES = ("huber", "mse_log", "mse")

Array = np.ndarray


def robust_loss(r: Array, loss: str, delta: float) -> tuple[Array, Array, Array, Array]:
    """rho(r), psi = rho'(r), IRLS weight psi/r, and rho''(r), elementwise."""
    if loss == "huber":
        a = np.abs(r)
        inside = a <= delta
        rho = np.where(inside, 0.5 * r * r, delta * (a - 0.5 * delta))
        psi = np.clip(r, -delta, delta)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(inside, 1.0, delta / a)
        return rho, psi, w, inside.astype(float)
    one = np.ones_like(r)
    return 0.5 * r * r, r, one, one


@dataclass
class Objective:
    """Σ_i c_i · rho(r_i) with r = log f - log y (log losses) or f - y (``mse``).

    ``c_i`` = case weight × ``overestimate_penalty`` where the law over-predicts (r > 0).
    ``case_weights`` may be (n,) or (K, n) (one row per candidate, e.g. bootstrap resamples).
    """

    law: Law
    X: Sequence[Array]
    y: Array
    loss: str = "huber"
    delta: float = 1e-3
    overestimate_penalty: float = 1.0
    case_weights: Array | None = None

    def __post_init__(self) -> None:
        self.log_space = self.loss in ("huber", "mse_log")
        self.target = np.log(self.y) if self.log_space else self.y
        self.log_mask = np.array([p.log for p in self.law.parameters])
        bounds = np.array([p.search_bounds for p in self.law.parameters], dtype=float)
        self.lower, self.upper = bounds[:, 0], bounds[:, 1]

    @property
    def n_params(self) -> int:
        return len(self.law.parameters)

    # -- transforms -------------------------------------------------------------------------
    def natural(self, U: Array) -> Array:
        P = np.array(U, dtype=float, copy=True)
        with np.errstate(over="ignore"):
            P[:, self.log_mask] = np.exp(U[:, self.log_mask])
        return P

    def search(self, P: Array) -> Array:
        U = np.array(P, dtype=float, copy=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            U[:, self.log_mask] = np.log(P[:, self.log_mask])
        return U

    def clip(self, U: Array) -> Array:
        return np.clip(U, self.lower, self.upper)

    # -- pieces -----------------------------------------------------------------------------
    def _residuals(self, f: Array) -> Array:
        with np.errstate(all="ignore"):
            if self.log_space:
                r = np.log(np.where(f > 0, f, np.nan)) - self.target
            else:
                r = f - self.target
        return r

    def _weights(self, r: Array) -> Array:
        c = np.ones_like(r) if self.case_weights is None else np.broadcast_to(
            self.case_weights, r.shape)
        if self.overestimate_penalty != 1.0:
            c = c * np.where(r > 0, self.overestimate_penalty, 1.0)
        return c

    def _reduce(self, rho: Array, c: Array) -> Array:
        total = (c * rho).sum(axis=1)
        return np.where(np.isfinite(total), total, np.inf)

    def value_natural(self, P: Array) -> Array:
        """Objective for each row of natural parameters P, shape (K,); inf where undefined."""
        with np.errstate(all="ignore"):
            f = self.law.evaluate(self.X, P)
            r = self._residuals(f)
            rho = robust_loss(r, self.loss, self.delta)[0]
            return self._reduce(rho, self._weights(r))

    def value_from_prediction(self, f: Array) -> Array:
        """Objective for precomputed law values f (K, n)."""
        with np.errstate(all="ignore"):
            r = self._residuals(f)
            rho = robust_loss(r, self.loss, self.delta)[0]
            return self._reduce(rho, self._weights(r))

    def value(self, U: Array) -> Array:
        return self.value_natural(self.natural(U))

    def residual_jacobian(self, U: Array) -> tuple[Array, Array, Array]:
        """Residuals (K, n), their Jacobian in search coordinates (K, n, p), law values."""
        P = self.natural(U)
        with np.errstate(all="ignore"):
            f = self.law.evaluate(self.X, P)
            r = self._residuals(f)
            J = self.law.jacobian(self.X, P)
            if self.log_mask.any():
                J = J * np.where(self.log_mask, P, 1.0)[:, None, :]
            if self.log_space:
                J = J / f[..., None]
        return r, J, f

    def derivatives(self, U: Array) -> tuple[Array, Array, Array]:
        """Objective (K,), gradient (K, p) and IRLS/Gauss–Newton Hessian (K, p, p).

        The IRLS Hessian Σ c·(psi/r)·JJᵀ majorises the Huber loss, so steps are safe far from
        the optimum; :meth:`derivatives_exact` gives Newton's Hessian for the final polish.
        """
        r, J, _ = self.residual_jacobian(U)
        with np.errstate(all="ignore"):
            rho, psi, w, _ = robust_loss(r, self.loss, self.delta)
            c = self._weights(r)
            value = self._reduce(rho, c)
            g = (J.transpose(0, 2, 1) @ (c * psi)[..., None])[..., 0]
            H = (J * (c * w)[..., None]).transpose(0, 2, 1) @ J
        return self._sanitise(value, g, H)

    def derivatives_exact(self, U: Array) -> tuple[Array, Array, Array]:
        """Objective, gradient and the exact Hessian Σ c·(rho''·JJᵀ + psi·∇²r)."""
        P = self.natural(U)
        d1 = np.where(self.log_mask, P, 1.0)  # dP/dU
        d2 = np.where(self.log_mask, P, 0.0)  # d²P/dU²
        with np.errstate(all="ignore"):
            f = self.law.evaluate(self.X, P)
            r = self._residuals(f)
            rho, psi, _, d2rho = robust_loss(r, self.loss, self.delta)
            c = self._weights(r)
            value = self._reduce(rho, c)
            a = c * psi
            Jp = self.law.jacobian(self.X, P)
            J = Jp * d1[:, None, :]
            if self.log_space:
                a = a / f
                curv = (J * (c * d2rho / (f * f) - a / f)[..., None]).transpose(0, 2, 1) @ J
            else:
                curv = (J * (c * d2rho)[..., None]).transpose(0, 2, 1) @ J
            g = (J.transpose(0, 2, 1) @ a[..., None])[..., 0]
            H = curv + self.law.hessian_contract(self.X, P, a) * (d1[:, :, None] * d1[:, None, :])
            idx = np.arange(P.shape[1])
            H[:, idx, idx] += g / d1 * d2
        return self._sanitise(value, g, H)

    def derivatives_hybrid(self, U: Array) -> tuple[Array, Array, Array]:
        """Newton's Hessian where it is positive definite, else the IRLS one."""
        value, g, H = self.derivatives_exact(U)
        ok = np.linalg.eigvalsh(H)[:, 0] > 0
        if not ok.all():
            H[~ok] = self.derivatives(U[~ok])[2]
        return value, g, H

    @staticmethod
    def _sanitise(value: Array, g: Array, H: Array) -> tuple[Array, Array, Array]:
        bad = ~np.isfinite(value) | ~np.isfinite(g).all(axis=1) | ~np.isfinite(H).all(axis=(1, 2))
        value = np.where(bad, np.inf, value)
        g[bad] = 0.0
        H[bad] = 0.0
        return value, g, H


def check_loss(loss: str, delta: float, overestimate_penalty: float) -> None:
    """Validate the objective's options."""
    if loss not in LOSSES:
        raise OptionError(f"unknown loss '{loss}'", "argument 'loss'",
                       f"use one of {', '.join(LOSSES)}")
    if not (np.isfinite(delta) and delta > 0):
        raise OptionError(f"delta must be a positive number, got {delta!r}", "argument 'delta'",
                       "use e.g. 1e-3 (Hoffmann et al. 2022)")
    if not (np.isfinite(overestimate_penalty) and overestimate_penalty > 0):
        raise OptionError(f"overestimate_penalty must be positive, got {overestimate_penalty!r}",
                       "argument 'overestimate_penalty'", "use 1 (symmetric) or e.g. 10")
