"""The two mixture regressors, as coefficients: Ye et al.'s exponential law per validation
domain and a log-linear regression (log loss linear in the proportions). Both predict every
validation domain's loss at any proportions and the gradient of a weighted sum of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import OptionError

#: the regressors a mixture fit compares on held-out mixtures
REGRESSORS = ("mixture", "log_linear")


@dataclass(frozen=True)
class MixingLaw:
    """Coefficients of the mixing law of every validation domain (Ye et al. 2024, eq. 5):
    ``L_i(r) = c_i + k_i exp(sum_j t_ij r_j)``, ``t[:, -1] = 0`` (the last domain the
    reference); ``kind="log_linear"``: ``log L_i(r) = c_i + sum_j t_ij r_j`` (k unused).

    >>> import numpy as np, scalinglaws as sl
    >>> law = sl.mixing.MixingLaw(("web", "code"), ("web",), c=np.array([2.0]),
    ...                           k=np.array([1.0]), t=np.array([[-1.0, 0.0]]))
    >>> round(float(law.predict([[1.0, 0.0]])[0, 0]), 4)
    2.3679
    """

    domains: tuple[str, ...]
    validation: tuple[str, ...]
    c: np.ndarray
    k: np.ndarray
    t: np.ndarray
    kind: str = "mixture"

    def __post_init__(self) -> None:
        v, m = len(self.validation), len(self.domains)
        for name, arr, shape in (("c", self.c, (v,)), ("k", self.k, (v,)),
                                 ("t", self.t, (v, m))):
            if np.shape(arr) != shape:
                raise OptionError(f"coefficients '{name}' have shape {np.shape(arr)}, "
                                 f"expected {shape}", "MixingLaw",
                                 "one row per validation domain, one column per domain")
        if self.kind not in REGRESSORS:
            raise OptionError(f"unknown regressor kind {self.kind!r}", "MixingLaw",
                             f"use one of {', '.join(REGRESSORS)}")

    def predict(self, proportions: Any) -> np.ndarray:
        """Losses (runs x validation domains) at proportions (runs x domains)."""
        r = np.atleast_2d(np.asarray(proportions, dtype=float))
        z = r @ self.t.T
        if self.kind == "log_linear":
            return np.exp(self.c[None, :] + z)
        return self.c[None, :] + self.k[None, :] * np.exp(z)

    def target(self, proportions: Any, weights: np.ndarray) -> np.ndarray:
        """The weighted loss sum_i w_i L_i at each row of proportions."""
        return self.predict(proportions) @ weights

    def target_gradient(self, r: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """d/dr of sum_i w_i L_i(r) at one mixture r."""
        z = self.t @ r
        scale = np.exp(self.c + z) if self.kind == "log_linear" else self.k * np.exp(z)
        return (weights * scale) @ self.t

    def weights(self, target: Mapping[str, float] | None) -> np.ndarray:
        """Target weights over the validation domains, checked, normalised to sum 1."""
        return target_weights(target, self.validation)


def target_weights(target: Mapping[str, float] | None,
                   validation: Sequence[str]) -> np.ndarray:
    """Weights per validation domain from ``{"web": 0.5, ...}`` (default: equal)."""
    if target is None:
        return np.full(len(validation), 1.0 / len(validation))
    unknown = [d for d in target if d not in validation]
    if unknown:
        raise OptionError(f"target domain {unknown[0]!r} has no validation loss in the data",
                         f"validation domains: {', '.join(validation)}",
                         "weight only domains whose loss was measured")
    w = np.array([float(target.get(d, 0.0)) for d in validation])
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise OptionError("target weights must be non-negative numbers, not all zero",
                         "argument 'target'", "e.g. {'web': 0.5, 'code': 0.5}")
    return w / w.sum()


def log_linear(proportions: np.ndarray, losses: np.ndarray, domains: Sequence[str],
               validation: Sequence[str]) -> tuple[MixingLaw, np.ndarray]:
    """Least squares of log loss on the proportions (the last domain the reference), per
    validation domain; returns the law and each domain's coefficient covariance
    (validation x m x m, intercept first)."""
    x = np.column_stack([np.ones(len(proportions)), proportions[:, :-1]])
    y = np.log(losses)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    dof = max(len(x) - x.shape[1], 1)
    xtx_inv = np.linalg.pinv(x.T @ x)
    cov = np.stack([xtx_inv * float(resid[:, i] @ resid[:, i]) / dof
                    for i in range(y.shape[1])])
    t = np.column_stack([coef[1:].T, np.zeros(len(validation))])
    return MixingLaw(tuple(domains), tuple(validation), coef[0].copy(),
                     np.ones(len(validation)), t, kind="log_linear"), cov
