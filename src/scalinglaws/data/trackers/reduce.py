"""How a run's logged curve becomes rows of a Dataset: one reduction shared by every importer
(MLflow, TensorBoard, Weights & Biases), stated once and recorded in the dataset's provenance.

A run logs its metric at many steps; a scaling-law fit usually wants one point per run (the
final loss, or the best one), sometimes the whole curve (one row per logged step, with its
``step``). Warm-up rows, where the loss still falls steeply, can be dropped first.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...common.checks import integer_at_least
from ...exceptions import DataError, OptionError

#: the reductions of a curve to rows
REDUCTIONS = ("final", "min", "curve")
#: how far (relative) the logged row nearest ``at_tokens`` may lie from it: a run whose
#: logged tokens never come this close is left out (with a warning naming it)
AT_TOKENS_RTOL = 0.1


class NotReached(Exception):
    """A run whose logged tokens never come within :data:`AT_TOKENS_RTOL` of ``at_tokens``
    (internal: the importer leaves the run out and names it in a warning)."""

    def __init__(self, reach: float) -> None:
        super().__init__(reach)
        #: the logged token count nearest the one asked for
        self.reach = reach


@dataclass(frozen=True)
class Reduction:
    """How each run's curve (its metric at every logged step) becomes rows.

    Parameters
    ----------
    reduce:
        ``"final"``: one row per run, at its last logged step; ``"min"``: one row per run, at
        the step of its lowest value; ``"curve"``: one row per logged step.
    mean_last:
        With ``"final"``: the value is the mean of the last ``mean_last`` logged values (the
        noise of one evaluation averaged away); the row keeps the last step.
    at_tokens:
        With ``"final"``: the row whose per-step ``tokens`` is nearest this count (within 10%)
        rather than the last one; runs that never get that close are left out with a warning.
    drop_warmup:
        A fraction in [0, 1): rows before that fraction of each run's last step are dropped.
    min_step:
        Rows logged before this step are dropped.

    Examples
    --------
    >>> print(Reduction("final", mean_last=5, drop_warmup=0.1).describe())
    the mean of each run's last 5 logged values; rows before 10% of each run's last step dropped
    """

    reduce: str = "final"
    mean_last: int | None = None
    at_tokens: float | None = None
    drop_warmup: float | None = None
    min_step: float | None = None

    def __post_init__(self) -> None:
        if self.reduce not in REDUCTIONS:
            raise OptionError(f"unknown reduction {self.reduce!r}", "argument 'reduce'",
                              f"use one of {', '.join(REDUCTIONS)}")
        if self.mean_last is not None:
            integer_at_least(self.mean_last, "mean_last", 1,
                             "give the number of last logged values to average, e.g. 5")
        if self.at_tokens is not None and not (
                _real(self.at_tokens) and math.isfinite(self.at_tokens) and self.at_tokens > 0):
            raise OptionError(f"at_tokens must be a positive number, got {self.at_tokens!r}",
                              "argument 'at_tokens'", "give a token count, e.g. 1e10")
        if self.reduce != "final" and (self.mean_last is not None
                                       or self.at_tokens is not None):
            given = "mean_last" if self.mean_last is not None else "at_tokens"
            raise OptionError(f"{given} picks the value of reduce='final', not of "
                              f"reduce={self.reduce!r}", f"argument '{given}'",
                              "use reduce='final' with it, or drop it")
        if self.drop_warmup is not None and not (
                _real(self.drop_warmup) and 0 <= self.drop_warmup < 1):
            raise OptionError(f"drop_warmup must be a fraction in [0, 1), got "
                              f"{self.drop_warmup!r}", "argument 'drop_warmup'",
                              "give e.g. 0.1 to drop each run's first 10% of steps")
        if self.min_step is not None and not (
                _real(self.min_step) and math.isfinite(self.min_step)):
            raise OptionError(f"min_step must be a number, got {self.min_step!r}",
                              "argument 'min_step'", "give a step, e.g. 1000")

    @property
    def needs_tokens(self) -> bool:
        """Whether the reduction reads a per-step ``tokens`` column."""
        return self.at_tokens is not None

    def describe(self) -> str:
        """The reduction in words, as the dataset's provenance records it."""
        if self.reduce == "curve":
            text = "every logged step (one row per step)"
        elif self.reduce == "min":
            text = "each run's lowest logged value (the row of that step)"
        elif self.at_tokens is not None:
            text = f"each run's value logged nearest tokens={self.at_tokens:.4g}"
            if self.mean_last is not None:
                text += f" (the mean of the {self.mean_last} logged values ending there)"
        elif self.mean_last is not None:
            text = f"the mean of each run's last {self.mean_last} logged values"
        else:
            text = "each run's last logged value"
        if self.min_step is not None:
            text += f"; rows before step {self.min_step:g} dropped"
        if self.drop_warmup:
            text += f"; rows before {self.drop_warmup:.0%} of each run's last step dropped"
        return text

    def trim(self, curve: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``curve`` (sorted by ``step``) after the warm-up."""
        steps = curve["step"].to_numpy(dtype=float)
        keep = np.ones(len(curve), dtype=bool)
        if self.min_step is not None:
            keep &= steps >= self.min_step
        if self.drop_warmup and len(steps):
            keep &= steps >= self.drop_warmup * np.nanmax(steps)
        return curve[keep] if not keep.all() else curve

    def apply(self, curve: pd.DataFrame, run: str) -> pd.DataFrame:
        """The rows of one run: ``curve`` has ``step`` (ascending), ``value`` and the per-step
        columns. Raises :class:`NotReached` for a run short of ``at_tokens``."""
        curve = self.trim(curve)
        if curve.empty:
            raise DataError(f"run '{run}' has no logged value left after the warm-up is "
                            "dropped", f"run '{run}'",
                            "lower min_step / drop_warmup, or leave the run out")
        if self.reduce == "curve":
            return curve
        values = curve["value"].to_numpy(dtype=float)
        if self.reduce == "min":
            return curve.iloc[[int(np.argmin(values))]]
        end = len(curve) - 1 if self.at_tokens is None else self._nearest(curve)
        row = curve.iloc[[end]]
        if self.mean_last is not None and self.mean_last > 1:
            row = row.copy()
            row["value"] = float(values[max(0, end - self.mean_last + 1): end + 1].mean())
        return row

    def _nearest(self, curve: pd.DataFrame) -> int:
        assert self.at_tokens is not None
        tokens = curve["tokens"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.abs(np.log(tokens / self.at_tokens))
        gap[~np.isfinite(gap)] = np.inf
        best = int(np.argmin(gap))
        if not gap[best] <= math.log1p(AT_TOKENS_RTOL):
            raise NotReached(float(tokens[best]) if np.isfinite(tokens[best]) else math.nan)
        return best


def _real(value: object) -> bool:
    """Whether ``value`` is a real number (numpy's included; not ``True``, not text)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
