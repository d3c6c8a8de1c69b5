"""The ``finetune`` commands: which base model to fine-tune, from fine-tuning runs on small
subsets (the rectified scaling law of Lin et al. 2024)."""

from __future__ import annotations

from typing import Annotated

import typer

from . import common as c

app = typer.Typer(
    help="Choose the base model to fine-tune from runs on small fine-tuning subsets.\n\n"
    "Examples:\n\n"
    "  scalinglaws finetune select runs.csv --full-size 409600\n\n"
    "  scalinglaws finetune select runs.csv --col candidate=model examples=n --json",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("select", context_settings=c.EXTRA)
def select_command(
    ctx: typer.Context,
    data: Annotated[str, typer.Argument(
        metavar="RUNS", help="Table of fine-tuning runs: candidate, examples (the subset "
        "size), loss; CSV/TSV/Parquet/JSON(L), possibly compressed.")],
    full_size: Annotated[float | None, typer.Option(
        "--full-size", help="Examples of the full fine-tuning set, where the losses are "
        "forecast (default: the largest subset in RUNS).")] = None,
    budget: Annotated[float, typer.Option(
        "--budget", help="Share of fine-tuning every candidate fully that the selection may "
        "spend.")] = 0.5,
    level: Annotated[float, typer.Option("--level", help="Level of the intervals.")] = 0.9,
    n_boot: Annotated[int, typer.Option(
        "--bootstrap", help="Bootstrap resamples per forecast.")] = 100,
    seed: c.SeedOpt = 0,
    col: Annotated[list[str] | None, typer.Option(
        "--col", help="Your columns for the roles candidate, examples and loss: --col "
        "candidate=model examples=n.")] = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Forecast each candidate's loss on the full set with the rectified law fitted to its
    subsets (smallest first), stop the candidates whose interval lies above the leader's, and
    name the one to fine-tune, with the compute spent against fine-tuning every one fully."""
    col = c.more_cols(ctx, col)
    with c.handled(debug, quiet or json_):
        from ..data.io import read_table
        from ..finetune import select

        columns = c.parse_pairs(col or [], "--col")
        frame = read_table(data, None)
        result = select(frame, budget, full_size=full_size, columns=columns or None,
                        level=level, n_boot=n_boot, seed=seed)
    if json_:
        c.emit_json(result.to_dict())
    else:
        c.out.print(c.escape(str(result)))
