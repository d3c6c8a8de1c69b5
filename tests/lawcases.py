"""Test cases built from what each catalog law documents: its reference parameters, the
typical range of each parameter and the input ranges it is meant for."""

from __future__ import annotations

import numpy as np
import pandas as pd

import scalinglaws as sl
from scalinglaws.laws.metadata import DEFAULT_RANGES
from scalinglaws.laws.parameter import Parameter

#: the column an unbound input (power_law's x) reads in the tests
FREE_INPUT = "flops"


def bound(name: str) -> sl.Law:
    """The catalog law with every unbound input reading ``flops``."""
    law = sl.laws.get(name)
    if law.unbound_inputs:
        law = law.bind(**dict.fromkeys(law.unbound_inputs, FREE_INPUT))
    return law


def fit_kwargs(name: str) -> dict[str, str]:
    """``x=`` for the catalog law's unbound input, as the tests bind it."""
    return dict.fromkeys(sl.laws.get(name).unbound_inputs, FREE_INPUT)


def ranges(law: sl.Law) -> dict[str, tuple[float, float]]:
    """Range of every input symbol (the law's own, else the default for its column)."""
    out = {}
    for sym, col in law.inputs.items():
        out[sym] = law.input_ranges.get(sym) or DEFAULT_RANGES[str(col)]
    return out


def columns(law: sl.Law) -> list[str]:
    return [str(c) for c in law.inputs.values()]


def spread(rng: np.random.Generator, lo: float, hi: float, size: int) -> np.ndarray:
    """Log-uniform for positive ranges, uniform otherwise."""
    if lo > 0:
        return np.exp(rng.uniform(np.log(lo), np.log(hi), size))
    return rng.uniform(lo, hi, size)


def sample_inputs(law: sl.Law, rng: np.random.Generator, n: int) -> list[np.ndarray]:
    return [spread(rng, lo, hi, n)[None, :] for lo, hi in ranges(law).values()]


def parameter_range(p: Parameter) -> tuple[float, float]:
    """Where to draw a parameter: its documented typical range, else its init grid's
    positive part, else a generic positive range inside the bounds."""
    if p.typical is not None:
        return p.typical
    if p.init is not None and len([v for v in p.init if v > 0]) > 1:
        vals = [v for v in p.init if v > 0]
        lo, hi = min(vals), max(vals)
    elif p.log:
        lo, hi = 0.1, 1e4
    else:
        lo, hi = 0.05, 1.0
    return max(lo, p.lower), min(hi, p.upper)


def sample_parameters(law: sl.Law, rng: np.random.Generator, k: int) -> np.ndarray:
    cols = []
    for p in law.parameters:
        lo, hi = parameter_range(p)
        cols.append(spread(rng, lo, hi, k) if p.log else rng.uniform(lo, hi, k))
    return np.stack(cols, axis=1)


def truth(law: sl.Law) -> np.ndarray:
    return np.array([law.reference[p] for p in law.parameter_names])


def design(law: sl.Law, seed: int = 0, upper: float = 1.0) -> dict[str, np.ndarray]:
    """Inputs of a synthetic sweep: 40 points on a log grid for one input, a 6 x 6 grid for
    two, random points for more (80, or 20 per parameter for larger laws, so that every law
    gets as many runs per parameter). ``upper < 1`` keeps the lower fraction of each range
    (in log units), leaving room to extrapolate."""
    rs = ranges(law)
    cut = {s: (lo, lo * (hi / lo) ** upper if lo > 0 else lo + (hi - lo) * upper)
           for s, (lo, hi) in rs.items()}
    cols = columns(law)
    axes = [np.geomspace(lo, hi, 40 if len(cut) == 1 else 6) if lo > 0 else
            np.linspace(lo, hi, 40 if len(cut) == 1 else 6) for lo, hi in cut.values()]
    if len(cut) <= 2:
        grid = np.meshgrid(*axes)
        return {c: g.ravel() for c, g in zip(cols, grid, strict=True)}
    rng = np.random.default_rng(seed + 1000)
    n = max(80, 20 * len(law.parameters))
    return {c: spread(rng, lo, hi, n) for c, (lo, hi) in zip(cols, cut.values(),
                                                               strict=True)}


def synthetic(law: sl.Law, true: np.ndarray, noise: float, seed: int = 0,
              upper: float = 1.0) -> tuple[sl.Dataset, list[np.ndarray], np.ndarray]:
    """Dataset with lognormal noise, the design X and the clean values."""
    frame = design(law, seed, upper)
    X = [frame[c][None, :] for c in columns(law)]
    clean = law.evaluate(X, true[None, :])[0]
    rng = np.random.default_rng(seed)
    y = clean * np.exp(noise * rng.standard_normal(clean.size))
    return sl.Dataset.from_frame(pd.DataFrame({**frame, law.target: y})), X, clean
