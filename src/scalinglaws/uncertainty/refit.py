"""Rebuild a fit's objective on its data, to refit it under resampling or constraints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import saved
from ..data.dataset import Dataset, as_dataset
from ..engine.objective import Objective
from ..exceptions import DataError, OptionError

if TYPE_CHECKING:
    from .fitted import FittedLaw


def fit_data(fit: FittedLaw, data: Any = None, where: str = "FitResult") -> Dataset:
    """The dataset a fit was made on: ``data`` if given (checked by fingerprint), else the one
    the fit carries (a fit read from a file carries its data when they were embedded in it
    or could be read again from their file; a DataError says why they could not)."""
    used = [*(str(c) for c in fit.law.inputs.values() if c), fit.target]
    if data is None:
        if fit.data is not None:
            return fit.data
        if fit.data_source:
            return saved.reload(fit.data_source, fit.fingerprint, used)
        raise OptionError(
            "this fit does not carry its data (read from a file saved without them)", where,
            "pass data= the dataset it was fitted on (CLI: --data)")
    return saved.check_same(as_dataset(data), fit.fingerprint, used,
                            "pass the same rows the fit used, or refit on these data")


def fit_objective(fit: FittedLaw, data: Any = None) -> Objective:
    """The objective the fit minimised, on its data (with its case weights)."""
    ds = fit_data(fit, data)
    X = [ds.column(str(c))[None, :] for c in fit.law.inputs.values()]
    y = ds.column(fit.target)
    weights = fit.case_weights
    if weights is not None and np.shape(weights) != y.shape:
        raise DataError(
            f"the fit has {np.size(weights)} case weights for {y.size} rows of data",
            "FitResult.case_weights", "pass the rows the fit was made on, or refit on these")
    return Objective(fit.law, X, y, fit.loss, fit.delta, fit.overestimate_penalty, weights)


def estimate_search(fit: FittedLaw, obj: Objective) -> np.ndarray:
    """The fitted parameters in search coordinates (p,), inside the search bounds."""
    p_hat = np.array([fit.params[n] for n in fit.law.parameter_names], dtype=float)
    floor = np.where(obj.log_mask & (p_hat <= 0), 1e-300, p_hat)
    return np.clip(obj.search(floor[None, :])[0], obj.lower, obj.upper)
