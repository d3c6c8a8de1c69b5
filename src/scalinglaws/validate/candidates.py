"""The candidates of a selection: ways of fitting (:class:`Choice`), their default grid, and the
fits of every (law, choice) on a set of training rows, cached and warm-started.

A grid of objectives is cheap to fit because its members share a law and data: per law and
training rows, the first choice of each group (same rows dropped) is fitted from the engine's
full multi-start search, and every other choice of the group starts from that optimum (a
single start, polished by the engine's Newton steps). Fits are cached by (law, choice,
training rows), so folds that share training rows (a rolling origin inside another one) fit
once.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.dataset import Dataset
from ..exceptions import DataError, OptionError, ScalingLawError, ScalingLawWarning
from ..fitting import FitOptions, FitResult, fit_law
from ..laws.law import Law

Array = np.ndarray

#: the over-estimate penalties of the default grid (1: none)
PENALTIES = (1.0, 2.0, 3.0, 5.0, 10.0, 30.0)
#: the weightings a choice may ask for
WEIGHTS = (None, "compute")


@dataclass(frozen=True)
class Choice:
    """One way of fitting: the objective, its delta, the over-estimate penalty, how many of the
    smallest sizes to drop (small runs often sit off the asymptotic law) and the weighting of
    the runs (``"compute"``: each run weighted by the square root of its share of the largest
    run's compute, so the runs nearest the forecasts count most)."""

    name: str
    loss: str = "huber"
    delta: float = 1e-3
    overestimate_penalty: float = 1.0
    drop_smallest: int = 0
    weight: str | None = None

    def __post_init__(self) -> None:
        FitOptions(loss=self.loss, delta=self.delta,
                   overestimate_penalty=self.overestimate_penalty)
        if (not isinstance(self.drop_smallest, int) or isinstance(self.drop_smallest, bool)
                or self.drop_smallest < 0):
            raise OptionError(f"drop_smallest must be a non-negative integer, got "
                              f"{self.drop_smallest!r}", f"choice '{self.name}'", "use 0, 1, 2")
        if self.weight not in WEIGHTS:
            raise OptionError(f"unknown weighting {self.weight!r}", f"choice '{self.name}'",
                              "use None or 'compute'")

    @property
    def fit_options(self) -> dict[str, Any]:
        return {"loss": self.loss, "delta": self.delta,
                "overestimate_penalty": self.overestimate_penalty}

    @property
    def options(self) -> FitOptions:
        """The choice's objective as checked fitting options."""
        return FitOptions(**self.fit_options)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "loss": self.loss, "delta": self.delta,
                "overestimate_penalty": self.overestimate_penalty,
                "drop_smallest": self.drop_smallest, "weight": self.weight}


def grid(penalties: Sequence[float] = PENALTIES, drop: Sequence[int] = (0, 1),
         compute: bool = True) -> tuple[Choice, ...]:
    """A grid of choices: Huber (delta 1e-3) with each over-estimate penalty, Huber with delta
    1e-2, least squares in log space; each with the ``drop`` smallest sizes dropped; and
    Huber weighted by compute. The first is Hoffmann et al.'s objective, the default."""
    base = [Choice("huber 1e-3" if p == 1 else f"huber 1e-3, overestimate x{p:g}",
                   overestimate_penalty=float(p)) for p in penalties]
    base += [Choice("huber 1e-2", delta=1e-2), Choice("mse_log", loss="mse_log")]
    out = [Choice(c.name + ("" if k == 0 else f", drop {k} smallest"), c.loss, c.delta,
                  c.overestimate_penalty, k) for k in drop for c in base]
    if compute:
        out.append(Choice("huber 1e-3, compute-weighted", weight="compute"))
    return tuple(out)


#: the default choices: :func:`grid` with its defaults (17 choices)
DEFAULT_CHOICES: tuple[Choice, ...] = grid()


def compute_of(ds: Dataset) -> Array:
    """Each run's training compute: the ``flops`` column, else 6·params·tokens."""
    if ds.has("flops"):
        return ds.column("flops")
    if ds.has("params") and ds.has("tokens"):
        return 6.0 * ds.column("params") * ds.column("tokens")
    raise DataError("a compute-weighted choice needs the runs' compute",
                    f"columns: {', '.join(ds.columns)}",
                    "add a 'flops' column (or params and tokens), or drop that choice")


class CandidateFits:
    """Fits of (law, choice) on training rows of one dataset, made once each.

    ``smallest`` orders the runs by size (for ``drop_smallest``); ``y`` is the target."""

    def __init__(self, ds: Dataset, y: str, size: Array | None) -> None:
        self.ds, self.y, self.size = ds, y, size
        self._fits: dict[tuple[str, str, bytes], FitResult | ScalingLawError] = {}
        self._compute: Array | None = None

    def rows(self, choice: Choice, train: Array) -> Array:
        """The training rows ``choice`` fits on: ``train`` less its smallest sizes."""
        k = choice.drop_smallest
        if not k:
            return train
        sizes = np.array([]) if self.size is None else np.unique(self.size[train])
        if k >= sizes.size:
            raise OptionError(f"cannot drop the {k} smallest sizes of {sizes.size}",
                              f"choice '{choice.name}'", "drop fewer sizes")
        assert self.size is not None
        return np.asarray(train & (self.size >= sizes[k]))

    def fit(self, law: Law, choices: Sequence[Choice], choice: Choice, train: Array
            ) -> FitResult:
        """The fit of ``law`` with ``choice`` on the ``train`` rows (a boolean mask); raises
        the :class:`ScalingLawError` the fit raised. ``choices`` are all the choices of the
        selection: the first of them with the same dropped rows gives the warm start."""
        key = (law.name, choice.name, np.packbits(train).tobytes())
        if key not in self._fits:
            self._fits[key] = self._fitted(law, choices, choice, train)
        found = self._fits[key]
        if isinstance(found, ScalingLawError):
            raise found
        return found

    def _fitted(self, law: Law, choices: Sequence[Choice], choice: Choice, train: Array
                ) -> FitResult | ScalingLawError:
        try:
            rows = self.rows(choice, train)
            lead = next(c for c in choices if c.drop_smallest == choice.drop_smallest)
            init = None
            if lead.name != choice.name:
                first = self.fit(law, choices, lead, train)
                if first.status.finished:
                    init = dict(first.params)
            weights = self.weights(choice, rows)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScalingLawWarning)
                return fit_law(law, self.ds[rows], y=self.y, options=choice.options,
                               init=init, weights=weights, quiet=True)
        except ScalingLawError as exc:
            return exc

    def weights(self, choice: Choice, rows: Array) -> Array | None:
        """The case weights ``choice`` gives the ``rows`` (None: unweighted)."""
        if choice.weight != "compute":
            return None
        if self._compute is None:
            self._compute = compute_of(self.ds)
        c = self._compute[rows]
        return np.sqrt(c / np.max(c))
