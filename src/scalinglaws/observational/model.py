"""One observational fit from a table's rows: the capability space, the sigmoid link of the
target, the compute-only baseline and each family's lines in log-compute. The public fit, its
bootstrap and its backtest all build through :func:`build`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .capability import CapabilitySpace, fit_space
from .inputs import Table
from .links import FamilyLine, SigmoidLink, fit_family, fit_sigmoid

#: the name of log-compute as an input of the baseline's sigmoid
LOG_COMPUTE = "log10(C)"


@dataclass(frozen=True)
class Options:
    """The choices of a fit, kept so that a bootstrap or a backtest refits alike."""

    k: int | None = None
    variance: float = 0.95
    standardize: bool = False
    impute_rank: int = 1
    floor: float | None = None
    ceiling: float = 1.0
    compute: str | None = "FLOPs (1E21)"
    family: str | None = "Model Family"
    compute_scale: float = 1e21


@dataclass(frozen=True, eq=False)
class Parts:
    space: CapabilitySpace
    capabilities: np.ndarray
    link: SigmoidLink | None
    baseline: SigmoidLink | None
    lines: dict[str, FamilyLine]


@dataclass(frozen=True, eq=False)
class Fitted:
    """The data, choices and parts of a fit (what its forecasts and backtest read)."""

    table: Table
    options: Options
    parts: Parts

    @property
    def space(self) -> CapabilitySpace:
        return self.parts.space

    @property
    def benchmarks(self) -> tuple[str, ...]:
        return self.table.benchmarks

    @property
    def target(self) -> str | None:
        return self.table.target_name

    @property
    def n_components(self) -> int:
        """k, the number of components kept (given, or chosen by explained variance)."""
        return self.space.k

    @property
    def lines(self) -> dict[str, FamilyLine]:
        return dict(self.parts.lines)


def build(table: Table, options: Options, *, k: int | None = None,
          families: bool = True) -> Parts:
    """Fit every part on ``table``; ``k`` overrides the options' (a refit keeps the fit's)."""
    space = fit_space(table.scores, table.benchmarks, k=k if k is not None else options.k,
                      variance=options.variance, standardize=options.standardize,
                      impute_rank=options.impute_rank)
    caps = space.transform(table.scores)
    link = baseline = None
    if table.target is not None:
        seen = np.isfinite(table.target)
        link = fit_sigmoid(caps[seen], table.target[seen], tuple(space.names),
                           floor=options.floor, ceiling=options.ceiling)
        if table.log_compute is not None:
            known = seen & np.isfinite(table.log_compute)
            if known.sum() >= 4:
                baseline = fit_sigmoid(scaled_log(table.log_compute[known], options),
                                       table.target[known], (LOG_COMPUTE,),
                                       floor=options.floor, ceiling=options.ceiling)
    lines: dict[str, FamilyLine] = {}
    if families and table.families is not None and table.log_compute is not None:
        for name in dict.fromkeys(table.families):
            rows = table.families == name
            lines[str(name)] = fit_family(str(name), scaled_log(table.log_compute[rows],
                                                                options), caps[rows])
    return Parts(space, caps, link, baseline, lines)


def scaled_log(log_compute: np.ndarray, options: Options) -> np.ndarray:
    """log10 of compute in units of ``compute_scale`` (log10(C) - log10(scale)): the lines'
    intercepts are the capabilities at C = compute_scale."""
    return np.asarray(log_compute - np.log10(options.compute_scale))
