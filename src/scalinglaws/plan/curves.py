"""When a loss curve reaches a loss: :func:`steps_to_reach`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import OptionError, QueryError
from ..fitting.curves import curve_values

if TYPE_CHECKING:
    from ..data.schedules import Schedule

#: points of the first, coarse pass over the run (log and evenly spaced)
COARSE = 2000


def steps_to_reach(fit: Any, *, loss: float, schedule: Schedule,
                   max_steps: int | None = None, decay: float = 0.999,
                   normalize: bool | float = False, **inputs: Any) -> int:
    """The first step at which the loss ``fit`` predicts under ``schedule`` is at or below
    ``loss``: a fit of the ``schedule``/``schedule_n`` law
    (:meth:`~scalinglaws.FitResult.predict_curve`) or a multi-power fit.

    The curve is searched up to ``max_steps`` (default: the schedule's length; a schedule
    without one needs it) on ~2000 steps, then step by step where it first crosses ``loss``
    (a dip narrower than the coarse spacing could be missed). Raises
    :class:`~scalinglaws.QueryError` when the curve never reaches ``loss``, with the lowest
    loss it does reach and where.
    """
    from ..data.schedules import Schedule, curve_steps

    if not isinstance(schedule, Schedule):
        raise OptionError(f"expected a Schedule, got {type(schedule).__name__}",
                          "argument 'schedule'", "build one with scalinglaws.data.schedules")
    if not (isinstance(loss, (int, float)) and np.isfinite(loss)):
        raise OptionError(f"loss must be a finite number, got {loss!r}", "argument 'loss'",
                          "give the target loss")
    horizon = max_steps if max_steps is not None else schedule.total
    if horizon is None:
        raise OptionError(f"the schedule '{schedule}' has no end", "argument 'max_steps'",
                          "give max_steps=N, the longest run to consider")
    grid = curve_steps(int(horizon), COARSE)
    values = curve_values(fit, schedule, grid, decay=decay, normalize=normalize,
                          inputs=inputs)
    hit = np.flatnonzero(values <= loss)
    if hit.size == 0:
        low = int(np.argmin(values))
        raise QueryError(f"the predicted loss never reaches {loss:g} within {int(horizon)} "
                         f"steps", f"schedule '{schedule}'",
                         f"the lowest it reaches is {values[low]:.5g} at step {grid[low]}; "
                         "ask for a higher loss, a longer run (max_steps) or another "
                         "schedule")
    i = int(hit[0])
    if i == 0:
        return int(grid[0])
    dense = np.arange(grid[i - 1] + 1, grid[i] + 1)
    fine = curve_values(fit, schedule, dense, decay=decay, normalize=normalize,
                        inputs=inputs)
    return int(dense[np.flatnonzero(fine <= loss)[0]])
