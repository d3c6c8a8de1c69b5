"""The multi-power law's evaluation (Luo et al. 2025, arXiv:2503.12811): the :class:`Design`
of a schedule at some steps and :func:`evaluate`, with its Jacobian. The law, its sources and
what could not be verified are described in :mod:`.multipower`; this module imports nothing
else of the package's fitting, so that the fit, its bootstrap and its result can share it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import OptionError

if TYPE_CHECKING:
    from ..data.schedules import Schedule

PARAMETERS = ("L0", "A", "alpha", "B", "C", "beta", "gamma")
#: most blocks the decrements of one run are gathered into
BLOCKS = 2000


@dataclass(frozen=True)
class Design:
    """What the law needs of one schedule at some steps: the forward sums ``s1`` (n,), and
    for each block of decrements its ``drop`` (m,), its rate ``eta`` (m,), the sum of rates
    ``area`` (n, m) from it to each step, and ``mask`` (n, m): the block is at or before the
    step."""

    steps: np.ndarray
    s1: np.ndarray
    drop: np.ndarray
    eta: np.ndarray
    area: np.ndarray
    mask: np.ndarray


def design(schedule: Schedule, steps: Any, blocks: int = BLOCKS) -> Design:
    """The :class:`Design` of ``schedule`` at ``steps`` (whole numbers >= 1)."""
    from ..data.schedules import check_steps

    at = check_steps(steps)
    eta = schedule.every_step(int(at.max()))
    cs = np.cumsum(eta) - eta[0]  # cs[i] = eta_1 + ... + eta_i
    s1 = cs[at]
    if np.any(s1 <= 0):
        raise OptionError("the learning rate is zero up to a step asked for", "argument "
                          "'steps'", "ask for steps after the first nonzero learning rate")
    d = np.zeros_like(eta)
    d[1:] = eta[:-1] - eta[1:]
    d[: int(np.argmax(eta)) + 1] = 0.0
    k = np.flatnonzero(d)
    n = at.size
    if k.size == 0:
        empty = np.zeros((n, 0))
        return Design(at, s1, np.zeros(0), np.zeros(0), empty, empty.astype(bool))
    order = np.sort(np.unique(at))
    segment = np.searchsorted(order, k, "left")  # k in (order[j-1], order[j]] -> j
    chunk = (np.arange(k.size) * blocks) // k.size
    _, group = np.unique(segment * (blocks + 1) + chunk, return_inverse=True)
    w = np.abs(d[k])
    drop = np.bincount(group, d[k])
    centre = np.bincount(group, w * k) / np.bincount(group, w)
    seg = np.bincount(group, segment) / np.bincount(group)
    grid = np.arange(eta.size, dtype=float)
    rate = np.interp(centre, grid, eta)
    before = np.interp(centre - 1, grid, cs)
    area = cs[at][:, None] - before[None, :]
    mask = seg[None, :] <= np.searchsorted(order, at)[:, None]
    return Design(at, s1, drop, rate, np.where(mask, np.maximum(area, 0.0), 0.0), mask)


def evaluate(p: Mapping[str, float], d: Design, jacobian: bool = False) -> Any:
    """The law at the steps of ``d``; with ``jacobian`` also d L / d parameter (n, 7) in the
    order of :data:`PARAMETERS`."""
    L0, A, alpha, B, C, beta, gamma = (float(p[k]) for k in PARAMETERS)
    power = d.s1 ** (-alpha)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.where(d.eta > 0, np.maximum(d.eta, 1e-300) ** (-gamma), 0.0)
        x = d.area * scale[None, :]
        u = C * x + 1.0
        g = np.where(d.mask, 1.0 - u ** (-beta), 0.0)
    ld = g @ d.drop
    out = L0 + A * power - B * ld
    if not jacobian:
        return out
    ub = np.where(d.mask, u ** (-beta - 1.0), 0.0)
    dC = (ub * x) @ d.drop * beta
    dbeta = np.where(d.mask, u ** (-beta) * np.log(u), 0.0) @ d.drop
    logeta = np.log(np.where(d.eta > 0, d.eta, 1.0))
    dgamma = (ub * x * logeta[None, :]) @ d.drop * (-beta * C)
    J = np.stack([np.ones_like(out), power, -A * power * np.log(d.s1), -ld, -B * dC,
                  -B * dbeta, -B * dgamma], axis=1)
    return out, J
