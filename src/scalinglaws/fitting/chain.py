"""Two-stage chains: compute or (N, D) → an intermediate quantity (a task's loss) →
a downstream metric (accuracy, top-1 error), each stage a fitted law, predicted as one.

Gadre et al. 2024 (loss → top-1 error) and Bhagia et al. 2024 (task loss → accuracy) predict a
large run's metric this way: the first stage forecasts the intermediate value at the run's
size, the second maps the forecast (not the measured value) to the metric. Uncertainty goes
through both stages by pairing the stages' bootstrap resamples: resample k of the chain is
``second_k(first_k(x))``. When both stages are bootstrapped over the same runs with the same
seed and cluster column, resample k draws the same runs in both (a joint bootstrap); over
different runs the draws are independent, which propagates each stage's own uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..common.checks import check_level
from ..common.jsonvalues import json_value
from ..exceptions import LawError, OptionError
from .result import FitResult


@dataclass(frozen=True)
class Chain:
    """Two fits, the second reading the first's output through its input ``link`` (a column
    name). Build with :func:`chain`."""

    first: FitResult
    second: FitResult
    link: str

    def predict(self, **inputs: Any) -> Any:
        """The metric at the first stage's inputs: the second stage at the first's forecast
        (both stages' extrapolation warnings apply)."""
        middle = self.first.predict(**inputs)
        return self.second.predict(**{self.link: middle})

    def intermediate(self, **inputs: Any) -> Any:
        """The first stage's forecast (e.g. the task loss) at ``inputs``."""
        return self.first.predict(**inputs)

    def predict_interval(self, level: float = 0.9, **inputs: Any) -> tuple[Any, Any]:
        """The percentile interval of the metric over the paired bootstrap resamples of the
        two stages (both must carry a bootstrap: :func:`chain` with ``n_boot``)."""
        level = check_level(level)
        if self.first.uncertainty is None or self.second.uncertainty is None:
            raise OptionError("an interval of a chain needs a bootstrap of both stages",
                              "Chain.predict_interval", "build it with chain(..., n_boot=200)")
        values = self.samples(**inputs)
        tail = 100 * (1 - level) / 2
        with np.errstate(all="ignore"):
            lo, hi = np.nanpercentile(values, [tail, 100 - tail], axis=0)
        return _scalar(lo), _scalar(hi)

    def samples(self, **inputs: Any) -> np.ndarray:
        """The metric under each pair of resamples, (resamples, points)."""
        a = np.asarray(self.first.uncertainty.samples)  # type: ignore[union-attr]
        b = np.asarray(self.second.uncertainty.samples)  # type: ignore[union-attr]
        n = min(len(a), len(b))
        first_law, second_law = self.first.law, self.second.law
        out = []
        with np.errstate(all="ignore"):
            for k in range(n):
                pa = dict(zip(first_law.parameter_names, a[k], strict=True))
                pb = dict(zip(second_law.parameter_names, b[k], strict=True))
                middle = np.atleast_1d(first_law(pa, **inputs))
                out.append(np.atleast_1d(second_law(pb, **{self.link: middle})))
        return np.asarray(out, dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return dict(json_value({"schema": "scalinglaws.chain", "link": self.link,
                                "first": self.first.to_dict(),
                                "second": self.second.to_dict()}))

    def __str__(self) -> str:
        first, second = self.first, self.second
        inputs = ", ".join(str(c) for c in first.law.inputs.values())
        return (f"chain: {inputs} -> {first.target} ({first.law.name}, {first.n_points} "
                f"points) -> {second.target} ({second.law.name}, {second.n_points} points)\n"
                f"  first:  {first.law.formula}\n  second: {second.law.formula}")


def chain(first: FitResult, second: FitResult, *, link: str | None = None, n_boot: int = 0,
          seed: int | None = 0, by: str | None = None) -> Chain:
    """Chain two fits: ``second`` reads ``first``'s output through its input ``link`` (by
    default the second law's one input). ``n_boot`` > 0 bootstraps both stages with the same
    ``seed`` (and cluster column ``by``) so that :meth:`Chain.predict_interval` pairs them.

    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> n = np.geomspace(1e8, 1e10, 8); loss = 1.8 + 400 * n ** -0.34
    >>> size = sl.fit("E + A*N**(-a)", pd.DataFrame({"params": n, "loss": loss}),
    ...               columns={"N": "params"})
    >>> acc = sl.fit("loss_to_error", pd.DataFrame({"loss": loss,
    ...                "top1_error": 0.9 - 2.0 * np.exp(-0.7 * loss)}))
    >>> round(float(sl.fitting.chain(size, acc).predict(params=1e11)), 3)
    0.361
    """
    for name, fit in (("first", first), ("second", second)):
        if not isinstance(fit, FitResult):
            raise OptionError(f"the {name} stage must be a FitResult, got "
                              f"{type(fit).__name__}", f"argument '{name}'",
                              "pass the results of sl.fit(...)")
    columns = [str(c) for c in second.law.inputs.values()]
    if link is None:
        if len(columns) != 1:
            raise LawError(f"the second law reads {', '.join(columns)}: name the one the "
                           "first stage feeds", "argument 'link'", f"e.g. link='{columns[0]}'")
        link = columns[0]
    if link not in columns:
        raise LawError(f"the second law does not read '{link}'", "argument 'link'",
                       f"use one of {', '.join(columns)}")
    if n_boot:
        first = first.with_bootstrap(first.bootstrap(n_boot, seed=seed, by=by))
        second = second.with_bootstrap(second.bootstrap(n_boot, seed=seed, by=by))
    return Chain(first, second, link)


def _scalar(value: Any) -> Any:
    arr = np.asarray(value, dtype=float)
    return float(arr.reshape(-1)[0]) if arr.size == 1 else arr

