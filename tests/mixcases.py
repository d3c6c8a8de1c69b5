"""Synthetic mixture experiments drawn from the mixing law with known coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd

import scalinglaws as sl


def true_law(m: int, seed: int) -> sl.mixing.MixingLaw:
    """A mixing law of ``m`` domains: each domain's loss falls with its own share (t_ii of
    -2 to -4, as in Ye et al.'s fits), the other shares help or hurt a little."""
    rng = np.random.default_rng(seed)
    names = tuple(f"d{j}" for j in range(m))
    t = rng.uniform(-0.8, 0.6, (m, m))
    t[np.arange(m), np.arange(m)] = rng.uniform(-4.0, -2.0, m)
    return sl.mixing.MixingLaw(names, names, rng.uniform(1.5, 3.0, m),
                               rng.uniform(0.3, 1.0, m) * np.exp(t[:, -1]), t - t[:, [-1]])


def experiments(law: sl.mixing.MixingLaw, runs: int, noise: float, seed: int
                ) -> pd.DataFrame:
    """``runs`` mixtures drawn from a flat Dirichlet, losses with lognormal noise."""
    rng = np.random.default_rng(seed + 100)
    r = rng.dirichlet(np.ones(len(law.domains)), runs)
    y = law.predict(r) * np.exp(noise * rng.standard_normal((runs, len(law.validation))))
    frame = pd.DataFrame(r, columns=list(law.domains))
    for i, v in enumerate(law.validation):
        frame[f"loss_{v}"] = y[:, i]
    return frame
