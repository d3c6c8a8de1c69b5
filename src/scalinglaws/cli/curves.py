"""``scalinglaws predict FIT --schedule TEXT --steps N [--interval LEVEL]``: the loss curve
a fit forecasts under a learning-rate schedule (a fit of the ``schedule``/``schedule_n`` law,
or of the multi-power law saved by ``MultiPowerFit.save``). A schedule without ``peak``
takes the highest learning rate of the fitted runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import common as c


def parse_steps(text: str | None) -> Any:
    """``--steps``: a count N (steps 1..N thinned to ~200 points, log and evenly spaced) or a
    comma list of steps; None when not given (the schedule's length)."""
    if text is None:
        return None
    numbers = c.parse_numbers(text, "--steps")
    bad = [v for v in numbers if v != round(v) or v < 1]
    if bad:
        c.fail(f"--steps takes whole numbers >= 1, got {c.escape(text)}")
    if len(numbers) == 1 and "," not in text:
        return int(numbers[0])
    return [int(v) for v in numbers]


def curve_command(fit_file: Path, schedule: str, steps: str | None,
                  inputs: dict[str, Any], group: str | None, json_: bool,
                  debug: bool, interval: float | None = None) -> None:
    """Print the forecast curve (a table, or ``{"step", "loss", "lr", ...}`` with --json;
    with ``--interval LEVEL`` also ``lower``, ``upper``, ``level`` and ``interval_kind``, a
    parameter-only bootstrap band)."""
    when = parse_steps(steps)
    with c.handled(debug, json_):
        from ..common.checks import check_level
        from ..data.schedules import parse
        from ..exceptions import LawError, OptionError
        from ..fitting.curves import predict_curve

        if interval is not None:
            interval = c.option_value(check_level, interval, "--interval")

        total = when if isinstance(when, int) else max(when) if when else None
        result = load_any(fit_file, group)
        with c.naming("--schedule", OptionError):
            sched = parse(schedule, total=total, peak=fitted_peak(result))
        with c.naming("--at", LawError):
            curve = predict_curve(result, sched, when, interval=interval, **inputs)
    if json_:
        c.emit_json({**curve.to_dict(), "schedule": curve.schedule, "law": curve.law,
                     "at": inputs})
    else:
        c.out.print(str(curve), markup=False, highlight=False)


def fitted_peak(result: Any) -> float | None:
    """The highest learning rate of the fitted runs (a schedule's default ``peak``): of a
    multi-power fit's curves, or of the ``lr`` column of the data a fit carries; None when
    unknown."""
    curves = getattr(result, "curves", None)
    if curves:
        return max(float(sched.peak) for *_, sched in curves)
    data = getattr(result, "data", None)
    if data is not None and hasattr(data, "has") and data.has("lr"):
        return float(max(data.column("lr")))
    return None


def load_any(path: Path, group: str | None) -> Any:
    """A saved fit: a multi-power fit's document, else what ``fitting.load`` reads."""
    import json

    from ..fitting import load
    from ..fitting.multipower import MultiPowerFit, is_document

    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        doc = None  # load() says what is wrong with the file
    if is_document(doc):
        return MultiPowerFit.from_dict(doc)
    return load(path, group)
