"""Kaplan's learning-curve law: L(N, S_min) = (Nc/N)^alphaN + (Sc/S_min)^alphaS.

Kaplan et al., "Scaling Laws for Neural Language Models", 2020, arXiv:2001.08361, eq. (1.6)
and (5.6), fitted values in their Table 3: alphaN = 0.077, alphaS = 0.76, Nc = 6.5e13,
Sc = 2.1e3 (non-embedding parameters N, loss in nats, WebText2, after the learning-rate warmup).

Inputs:

* ``N`` reads ``params``: non-embedding parameters.
* ``S`` reads ``min_steps``: S_min, the number of optimiser steps the run would have needed at a
  batch much larger than the critical batch. Runs at a fixed batch B convert their step count S
  with eq. (5.4), S_min = S / (1 + B_crit(L)/B), where the critical batch is eq. (1.4)
  B_crit(L) = B*/L^(1/alpha_B), B* ~ 2e8 tokens and alpha_B ~ 0.21. :func:`min_steps` does it;
  :func:`min_tokens` gives the data counterpart E_min = E / (1 + B/B_crit(L)) (eq. 5.5 with
  C = 6 N B S).

Examples
--------
>>> from scalinglaws.laws.published.kaplan_steps import critical_batch, min_steps
>>> round(float(critical_batch(3.0)) / 1e6, 2)      # tokens, at a loss of 3 nats
1.07
>>> round(float(min_steps(1e5, 2**19, 3.0)))         # 1e5 steps at Kaplan's batch of 2^19
32904
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...exceptions import DataError, QueryError
from ..law import Law
from ..parameter import Parameter
from ..registry import register

#: eq. (1.4): B_crit(L) = B_STAR / L**(1/ALPHA_B), tokens, loss in nats
B_STAR = 2e8
ALPHA_B = 0.21


def _positive(name: str, value: Any, fix: str) -> np.ndarray:
    """``value`` as a float array, every entry finite and > 0, else a DataError."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"'{name}' is not numeric (got {value!r})", f"argument '{name}'",
                        fix) from None
    bad = ~np.isfinite(arr) | (arr <= 0)
    if np.any(bad):
        first = np.flatnonzero(bad.ravel())[0]
        raise DataError(f"'{name}' must be finite and positive, got "
                        f"{arr.ravel()[first]!r}", f"argument '{name}', entry {first}", fix)
    return arr


def _constants(b_star: float, alpha_b: float) -> tuple[float, float]:
    for label, v in (("b_star", b_star), ("alpha_b", alpha_b)):
        if not (isinstance(v, (int, float, np.floating)) and np.isfinite(v) and v > 0):
            raise QueryError(f"'{label}' must be a finite positive number, got {v!r}",
                             f"argument '{label}'",
                             "use Kaplan's values b_star=2e8 (tokens), alpha_b=0.21 or your "
                             "own fit of B_crit(L)")
    return float(b_star), float(alpha_b)


def critical_batch(loss: Any, b_star: float = B_STAR, alpha_b: float = ALPHA_B) -> np.ndarray:
    """The critical batch size in tokens at a loss (nats), Kaplan et al. 2020 eq. (1.4):
    B_crit(L) = b_star / L**(1/alpha_b)."""
    b_star, alpha_b = _constants(b_star, alpha_b)
    lo = _positive("loss", loss, "give the loss in nats (> 0) the run reached")
    return b_star / lo ** (1.0 / alpha_b)


def min_steps(steps: Any, batch: Any, loss: Any, b_star: float = B_STAR,
              alpha_b: float = ALPHA_B) -> np.ndarray:
    """Steps at a batch far above the critical one that reach the same loss, Kaplan et al.
    2020 eq. (5.4): S_min = S / (1 + B_crit(L)/B). ``batch`` in tokens; arrays broadcast."""
    s = _positive("steps", steps, "give the optimiser steps taken (> 0)")
    b = _positive("batch", batch, "give the batch size in tokens (> 0)")
    return s / (1.0 + critical_batch(loss, b_star, alpha_b) / b)


def min_tokens(tokens: Any, batch: Any, loss: Any, b_star: float = B_STAR,
               alpha_b: float = ALPHA_B) -> np.ndarray:
    """Tokens at a batch far below the critical one that reach the same loss, Kaplan et al.
    2020 eq. (5.5) (E = B S tokens, as C = 6 N B S): E_min = E / (1 + B/B_crit(L))."""
    e = _positive("tokens", tokens, "give the tokens processed (> 0)")
    b = _positive("batch", batch, "give the batch size in tokens (> 0)")
    return e / (1.0 + b / critical_batch(loss, b_star, alpha_b))


def steps_from_min_steps(min_steps: Any, batch: Any, loss: Any, b_star: float = B_STAR,
                         alpha_b: float = ALPHA_B) -> np.ndarray:
    """Inverse of :func:`min_steps`: the steps S at batch B that reach the loss of a run of
    ``min_steps`` S_min, S = S_min (1 + B_crit(L)/B)."""
    s = _positive("min_steps", min_steps, "give S_min (> 0)")
    b = _positive("batch", batch, "give the batch size in tokens (> 0)")
    return s * (1.0 + critical_batch(loss, b_star, alpha_b) / b)


def _guess(X: Sequence[np.ndarray], y: np.ndarray) -> np.ndarray:
    """Starts from the paper's fit, rescaled so that it passes through the data's median."""
    n, s = X[0][0], X[1][0]
    rows = []
    for a_n, a_s in ((0.077, 0.76), (0.06, 0.5), (0.1, 1.0)):
        base = (6.5e13 / n) ** 0.077 + (2.1e3 / s) ** 0.76
        k = float(np.median(y / base))
        rows.append([6.5e13 * k ** (1 / a_n), 2.1e3 * k ** (1 / a_s), a_n, a_s])
    return np.array(rows)


@register("kaplan_steps")
def kaplan_steps() -> Law:
    return Law(
        "(Nc/N)**alphaN + (Sc/S)**alphaS",
        inputs={"N": "params", "S": "min_steps"},
        parameters=[
            Parameter("Nc", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.geomspace(1e9, 1e17, 5)),
                      typical=(3e13, 1.5e14), description="critical model size"),
            Parameter("Sc", 0.0, np.inf, log=True,
                      init=tuple(float(v) for v in np.geomspace(1e1, 1e5, 5)),
                      typical=(1e3, 5e3), description="critical number of steps (S_min)"),
            Parameter("alphaN", 1e-3, 2.0, init=(0.03, 0.07, 0.15, 0.3),
                      typical=(0.06, 0.1), description="model-size exponent"),
            Parameter("alphaS", 1e-3, 5.0, init=(0.25, 0.5, 0.8, 1.2),
                      typical=(0.6, 0.9), description="step exponent"),
        ],
        name="kaplan_steps",
        description="Learning curves in the infinite-data limit: a model-size term plus a "
        "power law in S_min, the steps at a batch above the critical batch (Kaplan et al. "
        "2020, eq. 1.6/5.6); convert (steps, batch) with kaplan_steps.min_steps.",
        citation="Kaplan et al. 2020, arXiv:2001.08361, eq. (1.6)/(5.6), Table 3",
        domain="loss during training after the warmup, no data repetition, S_min from eq. "
        "(5.4); loss well above the entropy of the text",
        # Table 3 of Kaplan et al.; alphaN also matches eq. (1.1) (0.076), Nc of eq. (1.1)
        # is 8.8e13 and Table 2's 6.4e13: typical spans these; the paper has a single fit of
        # alphaS and Sc, their typical ranges are a +-20% / factor-2 band around it
        reference={"Nc": 6.5e13, "Sc": 2.1e3, "alphaN": 0.077, "alphaS": 0.76},
        # Kaplan's learning-curve fits: models up to 1.5e9 non-embedding parameters, S_min
        # from ~1e3 (end of warmup at B = 2^19 tokens) to ~1e5
        ranges={"N": (1e6, 1.5e9), "S": (1e3, 1e5)},
        guess=_guess,
    )
