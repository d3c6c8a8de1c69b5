"""``scalinglaws predict FIT --schedule TEXT --steps N``: the loss curve a fit forecasts
under a learning-rate schedule (a fit of the ``schedule``/``schedule_n`` law, or of the
multi-power law saved by ``MultiPowerFit.save``)."""

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
                  debug: bool) -> None:
    """Print the forecast curve (a table, or ``{"step", "loss", "lr", ...}`` with --json)."""
    when = parse_steps(steps)
    with c.handled(debug, json_):
        from ..data.schedules import parse
        from ..exceptions import LawError, OptionError
        from ..fitting.curves import predict_curve

        total = when if isinstance(when, int) else max(when) if when else None
        with c.naming("--schedule", OptionError):
            sched = parse(schedule, total=total)
        result = load_any(fit_file, group)
        with c.naming("--at", LawError):
            curve = predict_curve(result, sched, when, **inputs)
    if json_:
        c.emit_json({**curve.to_dict(), "schedule": curve.schedule, "law": curve.law,
                     "at": inputs})
    else:
        c.out.print(str(curve), markup=False, highlight=False)


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
