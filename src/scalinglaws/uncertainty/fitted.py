"""What the uncertainty methods read from a fit: a Protocol, so that this layer depends on the
engine and not on the result types built above it (:class:`~scalinglaws.FitResult` satisfies
it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from ..engine.status import StartsTable
from ..laws.law import Law


class FittedLaw(Protocol):
    """A fitted law with the data and objective it was fitted with."""

    @property
    def law(self) -> Law: ...
    @property
    def params(self) -> Mapping[str, float]: ...
    @property
    def stderr(self) -> Mapping[str, float]: ...
    @property
    def cov(self) -> np.ndarray: ...
    @property
    def loss(self) -> str: ...
    @property
    def delta(self) -> float: ...
    @property
    def overestimate_penalty(self) -> float: ...
    @property
    def target(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def residual_scale(self) -> float: ...
    @property
    def data(self) -> Any: ...
    @property
    def case_weights(self) -> np.ndarray | None: ...
    @property
    def starts(self) -> StartsTable | None: ...
