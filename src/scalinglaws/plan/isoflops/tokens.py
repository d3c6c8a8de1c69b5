"""``D_opt`` of an IsoFLOP analysis: the token count of a budget's optimal model size, read off
the budget's own runs when the data have tokens, else ``C/(k·N_opt)``."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...data.dataset import Dataset
from .inputs import Array

#: ``log_tokens(ln_n_opt, which)``: ln D_opt of the budgets ``which`` (the last axis of
#: ``ln_n_opt``) at their ln N_opt
LogTokens = Callable[[Array, Array], Array]


def token_model(ds: Dataset, size: Array, c: Array, members: list[Array],
                logc: Array) -> LogTokens:
    """How ``ln D_opt`` follows from ``ln N_opt`` for the budgets whose runs are ``members``
    (at ``ln C`` = ``logc``): along each budget's own (N, D) relation when the data have
    ``tokens``, else ``ln C - ln k - ln N`` with the dataset's ``flops_factor`` k."""
    if ds.has("tokens"):
        logd = np.log(ds.column("tokens"))
        per_token = [flops_per_token(np.log(size[i]), logd[i], np.log(c[i])) for i in members]

        def log_tokens(ln: Array, which: Array) -> Array:
            # ln D_opt = ln C_budget - ln f(N_opt), f interpolated between the budget's sizes
            cols = [logc[g] - interp(ln[..., j], *per_token[g])
                    for j, g in enumerate(np.atleast_1d(which))]
            return np.stack(cols, axis=-1)
        return log_tokens
    k = ds.flops_factor

    def log_tokens_from_flops(ln: Array, which: Array) -> Array:
        return logc[which] - np.log(k) - ln
    return log_tokens_from_flops


def flops_per_token(lx: Array, logd: Array, logc: Array) -> tuple[Array, Array]:
    """The budget's FLOPs per token against size: sorted distinct ``ln x`` and the mean
    ``ln(C/D)`` of the runs at each (``C = D·f(N)`` for any FLOP count; ``f = k·N`` for
    ``C = k·N·D``, where ``ln f`` is a straight line in ``ln N``)."""
    sizes, inverse = np.unique(lx, return_inverse=True)
    h = np.bincount(inverse, weights=logc - logd) / np.bincount(inverse)
    return sizes, h


def interp(x: Array, xp: Array, fp: Array) -> Array:
    """Piecewise-linear interpolation, extended linearly beyond the ends."""
    y = np.interp(x, xp, fp)
    lo, hi = (fp[1] - fp[0]) / (xp[1] - xp[0]), (fp[-1] - fp[-2]) / (xp[-1] - xp[-2])
    y = np.where(x < xp[0], fp[0] + lo * (x - xp[0]), y)
    return np.where(x > xp[-1], fp[-1] + hi * (x - xp[-1]), y)
