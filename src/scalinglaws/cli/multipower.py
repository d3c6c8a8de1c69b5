"""``scalinglaws fit CURVES --law multi_power``: the multi-power law (Luo et al. 2025) fitted
to loss curves by :func:`scalinglaws.fitting.fit_multi_power`.

CURVES is a table (a file, or a bundled dataset's name) with a step, a learning-rate and a
loss column and one curve per value of the run column (``--by``, default ``run``; a table
without it is one curve). ``--col step=iteration lr=learning_rate loss=train_loss`` maps
them (``--y`` names the loss column too). ``--json`` prints the fit's document (the one
``--out`` writes, atomically) with its ``objective``; ``scalinglaws predict FILE --schedule
...`` reads it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from . import common as c

NAME = "multi_power"
#: the columns the fit reads, by role
ROLES = ("step", "lr", "loss", "run")


def fit_curves(data: str, col: list[str] | None, y: str | None, by: str | None,
               fix: dict[str, float], out: Path | None, json_: bool, debug: bool,
               quiet: bool, others: dict[str, Any]) -> None:
    """Fit, print (a table, or the document with --json) and save with --out."""
    given = [k for k, v in others.items() if v not in (None, False, [], ())]
    if given:
        c.fail(f"{', '.join(given)}: not an option of --law {NAME} — it takes --col, --y, "
               f"--by, --fix, --out and --json")
    columns = c.parse_pairs(col or [], "--col")
    bad = [k for k in columns if k not in ROLES]
    if bad:
        c.fail(f"--col {c.escape(bad[0])}=... is not a column of --law {NAME} — map "
               f"{', '.join(ROLES)}")
    if y is not None:
        columns["loss"] = y
    run = by or columns.get("run", "run")
    with c.handled(debug, quiet or json_) as caught:
        from ..fitting import fit_multi_power

        frame = read_curves(data)
        result = fit_multi_power(frame, step=columns.get("step", "step"),
                                 lr=columns.get("lr", "lr"),
                                 loss=columns.get("loss", "loss"), by=run, fix=fix or None)
        result = c.with_caught(result, caught.messages)
        if out:
            result.save(out)
    c.show_fit(result, json_, out)
    if not result.converged:
        raise typer.Exit(c.EXIT_FAILED)


def read_curves(source: str) -> Any:
    """The table of CURVES as a DataFrame: a file (CSV, Parquet, JSON Lines...), else the
    bundled dataset of that name (learning rates of zero are allowed here: a schedule's end)."""
    from ..data.dataset import Dataset
    from ..data.io import format_of, read_table

    path = Path(source)
    if path.exists():
        return read_table(path, format_of(path))
    return Dataset.read(source).to_frame()  # a bundled name, or the error for a missing file
