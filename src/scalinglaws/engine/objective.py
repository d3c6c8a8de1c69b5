"""Objectives: robust losses on residuals in a link's space (raw, log or logit), evaluated
for many parameter sets at once.

All arrays are batched: K candidate parameter vectors against n data points. Parameters are
handled in *search* coordinates U (log for log-scale parameters) and natural units P.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..common.checks import positive_number
from ..exceptions import OptionError
from ..laws.law import Law
from .links import link_for

LOSSES = ("huber", "mse_log", "mse_log1p", "mse", "mse_logit")

#: rows × points per block of derivative work (a block's temporaries stay in cache)
_BLOCK_ELEMENTS = 16384
#: rows at one parameter point that differ only in weights are computed per point, then summed
_SHARED_POINT = True

Array = np.ndarray


def robust_loss(r: Array, loss: str, delta: float) -> tuple[Array, Array, Array, Array]:
    """rho(r), psi = rho'(r), IRLS weight psi/r, and rho''(r), elementwise."""
    if loss == "huber":
        psi = np.clip(r, -delta, delta)
        rho = psi * (r - 0.5 * psi)  # ½r² inside ±delta, delta·|r| - ½delta² outside
        inside = psi == r
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(inside, 1.0, psi / r)
        return rho, psi, w, inside.astype(float)
    one = np.ones_like(r)
    return 0.5 * r * r, r, one, one


@dataclass
class Objective:
    """Σ_i c_i · rho(r_i) with r = h(f) − h(y), h the loss's link (:mod:`.links`):
    ln(f + s) for the log losses (s = 1 for ``mse_log1p``, else 0), the logit ln f − ln(1 − f)
    for ``mse_logit``, the identity for ``mse``.

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
        self.link = link_for(self.loss)
        self.target = self.link.transform(self.y)
        self.log_mask = np.array([p.log for p in self.law.parameters])
        bounds = np.array([p.search_bounds for p in self.law.parameters], dtype=float)
        self.lower, self.upper = bounds[:, 0], bounds[:, 1]
        #: whether the inputs are one row per candidate (many problems of one law at once)
        self.row_inputs = any(np.ndim(x) == 2 and np.shape(x)[0] > 1 for x in self.X)

    @property
    def n_params(self) -> int:
        return len(self.law.parameters)

    @property
    def batched(self) -> bool:
        """Whether case weights, bounds, observed values or inputs differ per candidate row."""
        return (self.case_weights is not None and np.ndim(self.case_weights) == 2) or (
            np.ndim(self.lower) == 2) or np.ndim(self.target) == 2 or self.row_inputs

    def _clone(self) -> Objective:
        """A shallow copy (cheaper than copy.copy, which goes through pickling hooks)."""
        out = object.__new__(Objective)
        out.__dict__.update(self.__dict__)
        return out

    def rows(self, idx: Array | slice) -> Objective:
        """The objective restricted to candidate rows ``idx`` (an index array or a slice:
        per-row weights and bounds)."""
        if not self.batched:
            return self
        out = self._clone()
        if self.case_weights is not None and np.ndim(self.case_weights) == 2:
            out.case_weights = self.case_weights[idx]
        if np.ndim(self.lower) == 2:
            out.lower, out.upper = self.lower[idx], self.upper[idx]
        if np.ndim(self.target) == 2:
            out.y, out.target = self.y[idx], self.target[idx]
        if self.row_inputs:
            out.X = [x[idx] for x in self.X]
        return out

    def with_row_weights(self, W: Array) -> Objective:
        """A copy whose case weights are one row per candidate: ``W`` (K, n) times its own."""
        out = self._clone()
        base = 1.0 if self.case_weights is None else self.case_weights
        out.case_weights = np.asarray(W, dtype=float) * base
        return out

    def with_row_targets(self, Y: Array) -> Objective:
        """A copy whose observed values are one row per candidate, ``Y`` (K, n): the same
        design refitted on K sets of (simulated) outcomes."""
        out = self._clone()
        out.y = np.asarray(Y, dtype=float)
        out.target = self.link.transform(out.y)
        return out

    def with_row_bounds(self, lower: Array, upper: Array) -> Objective:
        """A copy with search bounds per candidate row, (K, p) each (e.g. a pinned parameter)."""
        out = self._clone()
        out.lower, out.upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        return out

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
            return self.link.transform(f) - self.target

    def point_weights(self, r: Array) -> Array:
        """The weight ``c_i`` of each residual: its case weight, times the
        ``overestimate_penalty`` where the law over-predicts (r > 0)."""
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
            return self.value_from_prediction(self.law.evaluate(self.X, P))

    def value_from_prediction(self, f: Array) -> Array:
        """Objective for precomputed law values f (K, n)."""
        with np.errstate(all="ignore"):
            r = self._residuals(f)
            rho = robust_loss(r, self.loss, self.delta)[0]
            return self._reduce(rho, self.point_weights(r))

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
            if not self.link.identity:
                J = J / self.link.inverse_slope(f)[..., None]
        return r, J, f

    def derivatives(self, U: Array) -> tuple[Array, Array, Array]:
        """Objective (K,), gradient (K, p) and IRLS/Gauss–Newton Hessian (K, p, p).

        The IRLS Hessian Σ c·(psi/r)·JJᵀ majorises the Huber loss, so steps are safe far from
        the optimum; :meth:`derivatives_exact` gives Newton's Hessian for the final polish.
        """
        value, g, _, H_irls = self._derivatives(U, exact=False, irls=True)
        return value, g, H_irls

    def derivatives_exact(self, U: Array) -> tuple[Array, Array, Array]:
        """Objective, gradient and the exact Hessian Σ c·(rho''·JJᵀ + psi·∇²r)."""
        return self._derivatives(U, exact=True, irls=False)[:3]

    def derivatives_hybrid(self, U: Array) -> tuple[Array, Array, Array]:
        """Newton's Hessian where it is positive definite over the parameters free to move;
        elsewhere the IRLS (Gauss–Newton) Hessian, evaluated again for those rows only.

        A parameter pinned (equal bounds: a profile point, a boundary probe) or sitting at a
        bound takes no step, so only the block of the others is tested. Where that block is
        indefinite the polish is usually crossing a curved, nearly flat valley, and
        Gauss–Newton steps follow it. Measured against Newton's Hessian with its eigenvalues
        made positive (the previous rule): on a 180-run sweep of the distillation law the four
        starts converge in 340-691 steps, where they crept for 3,000 steps without converging;
        NIST's Hahn1 default search reaches the certified optimum instead of a wrong basin."""
        value, g, H, _ = self._derivatives(U, exact=True, irls=False)
        held = (U <= self.lower) | (U >= self.upper)
        free_block = np.where(held[:, :, None] | held[:, None, :], 0.0, H)
        diag = np.arange(H.shape[1])
        free_block[:, diag, diag] += held  # the held parameters' rows and columns: identity
        ok = _positive_definite(free_block)
        if not ok.all():
            bad = np.flatnonzero(~ok)
            H[bad] = self.rows(bad)._derivatives(U[bad], exact=False, irls=True)[3]
        return value, g, H

    def _derivatives(self, U: Array, *, exact: bool,
                     irls: bool) -> tuple[Array, Array, Array, Array]:
        """Objective, gradient, exact Hessian (if ``exact``) and IRLS Hessian (if ``irls``),
        from one compiled call of the law's value and derivatives.

        Large batches are processed in blocks of rows whose temporaries stay in the CPU cache
        (measured: ~2x faster per row than one pass over 1,000 rows of 240 points).
        """
        n = int(np.shape(self.y)[-1])
        if (_SHARED_POINT and self.case_weights is not None and self.case_weights.ndim == 2
                and np.ndim(self.lower) == 1 and U.shape[0] > n and (U == U[0]).all()):
            return self._shared_point(U, exact=exact, irls=irls)
        block = max(8, _BLOCK_ELEMENTS // max(1, n))
        if U.shape[0] > block:
            parts = [self.rows(slice(i, i + block))._derivatives(
                U[i : i + block], exact=exact, irls=irls) for i in range(0, U.shape[0], block)]
            return tuple(np.concatenate(x) for x in zip(*parts, strict=True))  # type: ignore
        P = self.natural(U)
        K, p = P.shape
        d1 = np.where(self.log_mask, P, 1.0)  # dP/dU
        H = np.zeros((K, p, p))
        H_irls = np.zeros((K, p, p))
        with np.errstate(all="ignore"):
            f, G, hess = self.law.derivative_columns(self.X, P, order=2 if exact else 1)
            r = self._residuals(f)
            rho, psi, w, d2rho = robust_loss(r, self.loss, self.delta)
            c = self.point_weights(r)
            value = self._reduce(rho, c)
            # Jᵀ = (dr/dU)ᵀ = G · dP/dU (· h'(f) off the identity link), one (K, p, n) array
            JT = np.empty((K, p, f.shape[1]))
            for i in range(p):
                np.multiply(G[i], d1[:, i : i + 1], out=JT[:, i, :])
            J = JT.transpose(0, 2, 1)
            # h'(f); the exact Hessian's weight c·rho''·h'² + c·psi·h'' is written
            # (c·rho''·h' + a·κ)·h' with a = c·psi·h' and κ = h''/h'² (−1 for the log link:
            # x + a·(−1) is x − a exactly, so the log losses' arithmetic is unchanged)
            slope = None if self.link.identity else 1.0 / self.link.inverse_slope(f)
            a = c * psi if slope is None else c * psi * slope
            g = (JT @ a[:, :, None])[:, :, 0]
            if irls:
                m = c * w if slope is None else c * w * slope * slope
                H_irls = (JT * m[:, None, :]) @ J
            if exact:
                m = c * d2rho if slope is None else (
                    c * d2rho * slope + a * self.link.curvature(f)) * slope
                H = (JT * m[:, None, :]) @ J
                entries = iter(hess)
                for i in range(p):
                    for j in range(i, p):
                        e = next(entries)
                        if e is None:
                            continue
                        v = np.einsum("kn,kn->k", a, e) * d1[:, i] * d1[:, j]
                        H[:, i, j] += v
                        if i != j:
                            H[:, j, i] += v
                d2 = np.where(self.log_mask, P, 0.0)  # d²P/dU²
                idx = np.arange(p)
                H[:, idx, idx] += g / d1 * d2
        value, g, H = self._sanitise(value, g, H)
        bad = ~np.isfinite(H_irls).all(axis=(1, 2))
        H_irls[bad] = 0.0
        return value, g, H, H_irls

    def _shared_point(self, U: Array, *, exact: bool,
                      irls: bool) -> tuple[Array, Array, Array, Array]:
        """Every row at the same parameters, rows differing only in case weights (a bootstrap's
        first step from the full-data optimum): everything is linear in the weights, so the
        contribution of each point is computed once and the rows are one matrix product."""
        n = int(np.shape(self.y)[-1])
        points = self._clone()
        points.case_weights = np.eye(n)
        value, g, H, H_irls = points._derivatives(np.repeat(U[:1], n, axis=0), exact=exact,
                                                  irls=irls)
        W = np.asarray(self.case_weights, dtype=float)
        K, p = U.shape
        with np.errstate(all="ignore"):
            out_value = W @ np.where(np.isfinite(value), value, np.nan)
            out_g = W @ g
            zeros = np.zeros((K, p, p))
            out_H = (W @ H.reshape(n, p * p)).reshape(K, p, p) if exact else zeros
            out_irls = (W @ H_irls.reshape(n, p * p)).reshape(K, p, p) if irls else zeros
        out_value, out_g, out_H = self._sanitise(out_value, out_g, out_H)
        return out_value, out_g, out_H, out_irls

    @staticmethod
    def _sanitise(value: Array, g: Array, H: Array) -> tuple[Array, Array, Array]:
        bad = ~np.isfinite(value) | ~np.isfinite(g).all(axis=1) | ~np.isfinite(H).all(axis=(1, 2))
        value = np.where(bad, np.inf, value)
        g[bad] = 0.0
        H[bad] = 0.0
        return value, g, H


def _positive_definite(H: Array) -> Array:
    """Which symmetric matrices of the stack (K, p, p) are positive definite: all pivots of
    the Cholesky elimination positive (batched; 4x cheaper than eigenvalues for p = 5)."""
    ok = np.isfinite(H).all(axis=(1, 2))
    try:  # fast path: one Cholesky of the whole stack succeeds when all are definite
        np.linalg.cholesky(np.where(ok[:, None, None], H, np.eye(H.shape[1])))
        return ok
    except np.linalg.LinAlgError:
        pass
    M = np.where(ok[:, None, None], H, 0.0)
    with np.errstate(all="ignore"):
        for j in range(M.shape[1]):
            pivot = M[:, j, j].copy()
            ok &= pivot > 0
            safe = np.where(pivot > 0, pivot, 1.0)
            col = M[:, j + 1 :, j] / safe[:, None]
            M[:, j + 1 :, j + 1 :] -= col[:, :, None] * M[:, None, j, j + 1 :]
    return ok


def inside_probability(r: Array, loss: str, delta: float) -> float:
    """E[ρ''(ε)]: the probability that a residual falls inside Huber's ±delta (1 for the
    squared losses), estimated from the residuals ``r`` with a Gaussian kernel of Silverman's
    bandwidth. A plain count of |r| < delta is biased upwards when delta is far below the noise
    (the fit pulls about one residual per parameter to exactly 0) and is noisy; the smoothed
    estimate is what the asymptotic (co)variance of an M-estimator needs.
    """
    if loss != "huber":
        return 1.0
    from scipy.stats import norm

    r = r[np.isfinite(r)]
    n = r.size
    if n < 2:
        return 1.0
    sd = float(np.std(r))
    iqr = float(np.subtract(*np.percentile(r, [75, 25]))) / 1.349
    spread = min(sd, iqr) if iqr > 0 else sd
    if spread <= 0:
        return 1.0
    h = 0.9 * spread * n ** -0.2
    mass = norm.cdf((delta - r) / h) - norm.cdf((-delta - r) / h)
    return float(np.clip(np.mean(mass), 1.0 / n, 1.0))


def check_loss(loss: str, delta: float, overestimate_penalty: float) -> tuple[float, float]:
    """Validate the objective's options; ``delta`` and ``overestimate_penalty`` as floats."""
    if not isinstance(loss, str) or loss not in LOSSES:
        raise OptionError(f"unknown loss {loss!r}", "argument 'loss'",
                          f"use one of {', '.join(LOSSES)}")
    d = positive_number(delta, "delta", "use e.g. 1e-3 (Hoffmann et al. 2022)")
    k = positive_number(overestimate_penalty, "overestimate_penalty",
                        "use 1 (symmetric) or e.g. 10")
    return d, k
