"""Which mixtures to run next: a small design that best identifies the mixing law, chosen
greedily for D-optimality (the log-determinant of the law's information) from random
mixtures within the bounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import integer_at_least
from .constraints import box
from .models import MixingLaw
from .result import MixingFit
from .tables import check_domains


def design(domains: Sequence[str] | MixingFit | MixingLaw, n: int = 10, *,
           bounds: Mapping[str, Any] | None = None, existing: Any = None,
           candidates: int = 2000, spacing: float = 0.1, seed: int = 0) -> pd.DataFrame:
    """``n`` mixtures (one row each, a column per domain) that best identify the mixing law.

    With a fit (or a :class:`MixingLaw`), the information is that of its laws at their
    fitted coefficients (the Jacobian of every validation domain's law, one information
    matrix per domain); with domain names alone, that of :func:`prior` (every domain's loss
    lowered by its own share), which spreads the design over the simplex.
    ``existing`` proportions (runs x domains) count as already run. No two mixtures of the
    design lie within ``spacing`` of each other (half the L1 distance: the share of the
    tokens that differs), so that it hedges against a law that is not quite right.

    >>> import scalinglaws as sl
    >>> sl.mixing.design(["web", "code", "books"], n=6).shape
    (6, 3)
    """
    model = domains.model if isinstance(domains, MixingFit) else (
        domains if isinstance(domains, MixingLaw) else None)
    names = model.domains if model is not None else check_domains(domains)
    n = integer_at_least(n, "n", 1, "e.g. n=10 mixtures")
    m = len(names)
    feasible = box(names, bounds)
    if model is None:
        model = prior(names)
    rng = np.random.default_rng(seed)
    pool = rng.dirichlet(np.full(m, 0.7), candidates)
    vertices = np.eye(m)
    pool = np.vstack([pool, vertices, np.full((1, m), 1 / m)])
    pool = pool[np.all((pool >= feasible.lower - 1e-12) & (pool <= feasible.upper + 1e-12),
                       axis=1)]
    feats = _features(model, pool)                            # (n, V, p)
    done = np.zeros((0, m)) if existing is None else np.atleast_2d(
        np.asarray(existing, dtype=float))
    v, p = feats.shape[1], feats.shape[2]
    # each validation domain's law has its own parameters: one information matrix each
    info = np.broadcast_to(1e-6 * np.eye(p), (v, p, p)).copy()
    if len(done):
        old = _features(model, done)
        info += np.einsum("nvp,nvq->vpq", old, old)
    chosen: list[int] = []
    blocked = np.zeros(len(pool), dtype=bool)
    for _ in range(min(n, len(pool))):
        if blocked.all():
            break
        inv = np.linalg.inv(info)
        # the gain of a mixture: sum over domains of log(1 + f inv f^T) (rank-one updates)
        gains = np.log1p(np.einsum("nvp,vpq,nvq->nv", feats, inv, feats)).sum(axis=1)
        gains[blocked] = -np.inf
        best = int(np.argmax(gains))
        chosen.append(best)
        blocked |= 0.5 * np.abs(pool - pool[best]).sum(axis=1) < spacing
        info += np.einsum("vp,vq->vpq", feats[best], feats[best])
    return pd.DataFrame(pool[chosen], columns=list(names))


def _features(model: MixingLaw | None, r: np.ndarray) -> np.ndarray:
    """Per mixture, the rows of the information it adds (validation domains x parameters):
    the law's Jacobian in (c, log k, t_1..t_(M-1)), or [1, r_1..r_(M-1)] without a law."""
    if len(r) == 0:
        return np.zeros((0, 1, 1))
    if model is None or model.kind == "log_linear":
        x = np.column_stack([np.ones(len(r)), r[:, :-1]])
        return x[:, None, :]
    e = model.k[None, :] * np.exp(r @ model.t.T)               # (n, V)
    ones = np.ones_like(e)
    grads = [ones, e] + [e * r[:, [j]] for j in range(r.shape[1] - 1)]
    return np.stack(grads, axis=2)                             # (n, V, p)


def prior(domains: Sequence[str]) -> MixingLaw:
    """The mixing law assumed before any run: each domain's validation loss falls with its
    own share, ``L_i = 1 + exp(-2 r_i)`` (Ye et al.'s fits have t_ii of -1 to -4)."""
    m = len(domains)
    t = -2.0 * np.eye(m)
    return MixingLaw(tuple(domains), tuple(domains), np.ones(m), np.exp(t[:, -1]),
                     t - t[:, [-1]])
