"""FitOptions: how a law is fitted (objective and search), validated once."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..common.checks import positive_int
from ..exceptions import OptionError
from .objective import check_loss

STARTS = ("auto", "grid")


@dataclass(frozen=True)
class FitOptions:
    """The fitting choices of :func:`scalinglaws.fit`, checked when built.

    ``loss`` is ``"huber"`` (on log residuals, as Hoffmann et al. 2022), ``"mse_log"``,
    ``"mse_log1p"``, ``"mse"`` or ``"mse_logit"`` (least squares on logits of scores in
    (0, 1)); ``delta`` Huber's threshold; ``overestimate_penalty`` the
    weight of residuals where the law over-predicts; ``starts`` ``"auto"`` (variable projection
    over a grid, then a polish of the ``n_polish`` best distinct candidates) or ``"grid"``
    (every start of the parameters' init grids); ``max_iter`` the iterations of each search
    stage per start. A backtest or a joint fit checks its options once and reuses them on
    every fold and group.

    Examples
    --------
    >>> from scalinglaws.engine import FitOptions
    >>> FitOptions(loss="mse_log").delta
    0.001
    >>> FitOptions(starts="many")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalinglaws.exceptions.OptionError: unknown starts strategy 'many' — ... auto, grid.
    """

    loss: str = "huber"
    delta: float = 1e-3
    overestimate_penalty: float = 1.0
    starts: str = "auto"
    n_polish: int = 4
    max_iter: int = 1000

    def __post_init__(self) -> None:
        delta, penalty = check_loss(self.loss, self.delta, self.overestimate_penalty)
        if not isinstance(self.starts, str) or self.starts not in STARTS:
            raise OptionError(f"unknown starts strategy {self.starts!r}", "argument 'starts'",
                              f"use one of {', '.join(STARTS)}")
        n_polish = positive_int(self.n_polish, "n_polish", "use e.g. 4 (the default)")
        max_iter = positive_int(self.max_iter, "max_iter", "use e.g. 1000 (the default)")
        object.__setattr__(self, "delta", delta)
        object.__setattr__(self, "overestimate_penalty", penalty)
        object.__setattr__(self, "n_polish", n_polish)
        object.__setattr__(self, "max_iter", max_iter)

    @classmethod
    def coerce(cls, options: FitOptions | Mapping[str, Any] | None = None,
               **kwargs: Any) -> FitOptions:
        """Options from a FitOptions, a mapping or keyword arguments (``loss=...``), checked;
        an unknown name is an OptionError (a ``TypeError`` too)."""
        given = dict(kwargs)
        if isinstance(options, FitOptions):
            if not given:
                return options
            given = {**options.to_dict(), **given}
        elif options is not None:
            given = {**dict(options), **given}
        unknown = sorted(set(given) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise OptionError(f"unknown fitting option(s) {', '.join(unknown)}",
                              "fitting options", "use loss, delta, overestimate_penalty, "
                              "starts, n_polish or max_iter")
        return cls(**given)

    def replace(self, **changes: Any) -> FitOptions:
        """A copy with some choices changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
