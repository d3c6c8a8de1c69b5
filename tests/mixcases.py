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


# -- the nested pipeline's synthetic study (Ye et al. 2024, Algorithm 1), shared by
# tests/test_mixing_nested.py and benchmarks/bench_nested.py: a mixing law, a size term and a
# step term, all with known coefficients
NESTED_DOMAINS = ("web", "code", "books")
NESTED_LAW = sl.mixing.MixingLaw(NESTED_DOMAINS, NESTED_DOMAINS, c=np.array([1.4, 0.9, 1.6]),
                                 k=np.array([0.6, 0.8, 0.5]),
                                 t=np.array([[-2.5, 0.3, 0.0], [0.5, -3.0, 0.0],
                                             [0.4, 0.6, 0.0]]))
SIZES = np.geomspace(1e7, 3e8, 6)
STEPS = np.geomspace(1e3, 3e4, 16)
TARGET_PARAMS, TARGET_STEPS = 1e9, 1e5   # 3.3x the largest size, 3.3x the longest run


def nested_truth(r: np.ndarray, params: float, steps: float) -> np.ndarray:
    """Loss per validation domain: the mixing law, a size term and a step term."""
    return NESTED_LAW.predict(r) + 400 * params ** -0.34 + 20 * steps ** -0.5


def nested_runs(seed: int, noise: float, mixtures: int = 20) -> pd.DataFrame:
    """The small runs of one design: ``mixtures`` random mixtures, each trained at every size
    and logged at every step, lognormal ``noise`` on every logged loss."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in rng.dirichlet(np.ones(3), mixtures):
        for n in SIZES:
            for s in STEPS:
                y = nested_truth(r[None], n, s)[0] * np.exp(noise * rng.standard_normal(3))
                rows.append({**dict(zip(NESTED_DOMAINS, r, strict=True)), "params": n,
                             "step": s,
                             **{f"loss_{d}": y[i] for i, d in enumerate(NESTED_DOMAINS)}})
    return pd.DataFrame(rows)
