"""Resampling loss curves: whole runs, or moving blocks of consecutive points within a run
(the residual-block bootstrap of forecast curves' bands, ``fitting/curve_bands.py``)."""

from __future__ import annotations

import numpy as np

from .resample import MIN_CLUSTERS

#: fewest runs that are resampled whole; with fewer, residual blocks within each run
MIN_RUNS = MIN_CLUSTERS


def block_length(n: int) -> int:
    """The block length of a residual-block bootstrap of ``n`` points: ceil(n^(1/3)), the
    usual order for the moving-block bootstrap (Künsch 1989; Hall, Horowitz and Jing 1995)."""
    return max(1, int(np.ceil(n ** (1.0 / 3.0))))


def block_draw(n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices 0..n-1 of a moving-block resample of ``n`` ordered points (n values)."""
    b = min(block_length(n), n)
    starts = rng.integers(0, n - b + 1, size=-(-n // b))
    return (starts[:, None] + np.arange(b)[None, :]).ravel()[:n]


def run_draw(k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` run indices drawn with replacement."""
    return rng.integers(0, k, size=k)
