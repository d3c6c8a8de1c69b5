"""The multi-power law of loss curves across learning-rate schedules and its fitted result.

Luo, Wen, Hu, Sun, Liu, Sun, Lyu and Chen, "A Multi-Power Law for Loss Curve Prediction
Across Learning Rate Schedules", 2025, arXiv:2503.12811, the law of Section 4 (eq. (5) of
the paper as its authors' repository README states it)::

    L(t) = L0 + A·(S1(t) + S_W)^(−alpha) − LD(t)
    LD(t) = B · Σ_{k=1..t} (η_{k−1} − η_k) · G(η_k^(−gamma) · S_k(t))
    G(x) = 1 − (C·x + 1)^(−beta),   S_k(t) = Σ_{τ=k..t} η_τ

with η_k the learning rate at step k, S1(t) the sum of the rates after the warmup and S_W
the sum over the warmup. Here S1(t) + S_W is the sum Σ_{τ=1..t} η_τ of every rate from the
first update (the warmup included), and the decrements η_{k−1} − η_k count from the step
where the rate peaks on (a warmup's increases are not decay), as for the ``schedule`` law's
annealing area. Rates are in their own units (the paper's raw learning rates).

Evaluation
    LD needs the whole schedule up to t, not a few scalars: every step k where the rate falls
    contributes. Steps whose decrement is zero contribute nothing and are skipped; the rest
    are gathered into at most ``BLOCKS`` consecutive blocks (never straddling an evaluated
    step), each block's decrement placed at its decrement-weighted mean step (the midpoint
    rule; exact for a single step, as a step decay's). With 2000 blocks the relative error of
    LD on a cosine of 10^5 steps is below 1e-4 (tests/test_curves.py).

What could not be verified here
    The paper's PDF could not be read; the form above is the one its authors' README and
    reference implementation (``MPL`` in ``src/models.py``) state. That implementation fits
    a Huber loss (delta 1e-3) on log losses with AdamW; this package uses a bounded
    least-squares fit of the log losses (:func:`~.multipower_fit.fit_multi_power`). Whether the
    paper counts the warmup's increases in LD could not be read; they are left out here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..common.display import text_table
from ..exceptions import OptionError, ResultFileError
from .multipower_law import BLOCKS as BLOCKS  # the law's evaluation, re-exported
from .multipower_law import PARAMETERS as PARAMETERS
from .multipower_law import Design as Design
from .multipower_law import design as design
from .multipower_law import evaluate as evaluate

if TYPE_CHECKING:
    from ..data.schedules import Schedule
    from .curves import LossCurve

NAME = "multi_power"
CITATION = "Luo et al. 2025, arXiv:2503.12811, Section 4 (the multi-power law)"


@dataclass(frozen=True)
class MultiPowerFit:
    """A fit of the multi-power law (:func:`~.multipower_fit.fit_multi_power`): ``params``
    (L0, A, alpha, B, C, beta, gamma; rates in the units of the data), ``status``
    (``converged`` or ``not_converged``), ``rmse`` of the log losses, the ``runs`` it was
    fitted on and ``n_points``; ``fixed`` the parameters held as given, ``profiled`` those
    held where the fit reached because the curves did not separate them; ``curves`` the
    fitted curves (run, steps, losses, schedule), which :meth:`bootstrap` resamples.
    :meth:`predict_curve` forecasts the loss under any schedule."""

    params: Mapping[str, float]
    status: str
    rmse: float
    n_points: int
    runs: tuple[str, ...] = ()
    n_starts: int = 0
    max_step: int = 0
    warnings: tuple[str, ...] = field(default=())
    fixed: tuple[str, ...] = ()
    profiled: tuple[str, ...] = ()
    curves: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    law_name = NAME
    citation = CITATION

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    def predict(self, schedule: Schedule, steps: Any) -> np.ndarray:
        """The loss at ``steps`` (whole numbers >= 1) under ``schedule``."""
        return np.asarray(evaluate(self.params, design(schedule, steps)), dtype=float)

    def predict_curve(self, schedule: Schedule, steps: Any, *, interval: float | None = None,
                      n_boot: int = 200, seed: int | None = 0) -> LossCurve:
        """The loss curve under ``schedule`` at ``steps`` (a count n: steps 1..n thinned to
        about 200; or the steps themselves): a :class:`~scalinglaws.fitting.curves.LossCurve`;
        with ``interval`` (a level) also its ``lower`` and ``upper`` bounds from ``n_boot``
        refits (:meth:`bootstrap`)."""
        from .curves import predict_curve

        return predict_curve(self, schedule, steps, interval=interval, n_boot=n_boot,
                             seed=seed)

    def bootstrap(self, n: int = 200, *, seed: int | None = 0) -> np.ndarray:
        """Parameters (n, 7) refitted on ``n`` resamples of the fitted curves (whole runs,
        or residual blocks within each run: :mod:`.curve_bands`); NaN rows for failures."""
        from .multipower_boot import bootstrap_multi_power

        return bootstrap_multi_power(self, n, seed=seed)

    def to_dict(self) -> dict[str, Any]:
        return {"law": NAME, "citation": CITATION,
                "params": {k: float(v) for k, v in self.params.items()},
                "status": self.status, "rmse": self.rmse, "n_points": self.n_points,
                "objective": 0.5 * self.n_points * self.rmse ** 2,  # ½ Σ (log residual)²
                "runs": list(self.runs), "n_starts": self.n_starts,
                "max_step": self.max_step, "warnings": list(self.warnings),
                "fixed": list(self.fixed), "profiled": list(self.profiled),
                "curves": [{"run": run, "step": [int(v) for v in at],
                            "loss": [float(v) for v in y], "schedule": sched.to_dict()}
                           for run, at, y, sched in self.curves]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MultiPowerFit:
        try:
            if d.get("law") != NAME:
                raise KeyError("law")
            from ..data.schedules import from_dict

            params = {k: float(d["params"][k]) for k in PARAMETERS}
            curves = tuple((str(c["run"]), np.asarray(c["step"], dtype=int),
                            np.asarray(c["loss"], dtype=float), from_dict(c["schedule"]))
                           for c in d.get("curves", ()))
            return cls(params, str(d["status"]), float(d["rmse"]), int(d["n_points"]),
                       tuple(d.get("runs", ())), int(d.get("n_starts", 0)),
                       int(d.get("max_step", 0)), tuple(d.get("warnings", ())),
                       tuple(d.get("fixed", ())), tuple(d.get("profiled", ())), curves)
        except (KeyError, TypeError, ValueError, OptionError) as exc:
            raise ResultFileError(f"not a multi-power fit document (missing or bad {exc})",
                                  "fit document", "save it with MultiPowerFit.save") from None

    def save(self, path: Any) -> None:
        from ..data.files import write_json_atomic

        write_json_atomic(path, self.to_dict())

    def __str__(self) -> str:
        rows = [[k, f"{self.params[k]:.5g}" + (" (held)" if k in self.fixed else
                                               " (profiled)" if k in self.profiled else "")]
                for k in PARAMETERS]
        head = (f"multi-power law ({CITATION}): {self.status}, {self.n_points} points, "
                f"{len(self.runs)} run(s), rmse of log loss {self.rmse:.3g}")
        return f"{head}\n{text_table(['parameter', 'value'], rows, left=1)}"


def is_document(d: Any) -> bool:
    """Whether a JSON document is a multi-power fit's."""
    return isinstance(d, Mapping) and d.get("law") == NAME and "params" in d
