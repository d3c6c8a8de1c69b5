"""The ``time`` commands: fit a step-time cost model on measured training steps, and plan the
compute-optimal model for a budget in hours."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import common as c

app = typer.Typer(
    help="Wall-clock budgets: a step-time cost model fitted on measured steps, and the "
    "compute-optimal model for a budget in hours.\n\n"
    "Examples:\n\n"
    "  scalinglaws time fit steps.csv --out tp.json\n\n"
    "  scalinglaws time plan fit.json --throughput tp.json --hours 72 --json",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def fit_command(
    steps: Annotated[Path, typer.Argument(
        metavar="STEPS", help="CSV of measured steps: n_layers, d_model, n_heads, vocab "
        "(and optionally the other shape fields), batch_size, seq_len, step_time (seconds).")],
    peak_flops: Annotated[float, typer.Option(
        "--peak-flops", help="The hardware's peak FLOP/s (default: H100, bf16 dense).")
    ] = 989e12,
    bandwidth: Annotated[float, typer.Option(
        "--bandwidth", help="The memory bandwidth in bytes/s (default: H100).")] = 3.35e12,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the cost model to this JSON file (for time plan).")] = None,
    json_: c.JsonOpt = False, debug: c.DebugOpt = False,
) -> None:
    """Fit t = a·FLOPs/peak + b·bytes/bandwidth + c (a, b, c >= 0) on measured step times.

    Example: scalinglaws time fit steps.csv --out tp.json
    """
    with c.handled(debug, json_):
        c.check_out(out, "--out", (".json",))
        from ..time import fit_throughput

        throughput = fit_throughput(steps, peak_flops=peak_flops, bandwidth=bandwidth)
        if out is not None:
            throughput.save(out)
    if json_:
        c.emit_json(throughput.to_dict())
    else:
        c.out.print(c.escape(str(throughput)), highlight=False)
    if out is not None:
        c.written("cost model", out)


def plan_command(
    fit_file: c.FitArg,
    throughput: Annotated[Path, typer.Option(
        "--throughput", metavar="TP", help="The cost model's JSON (scalinglaws time fit "
        "--out).")],
    hours: Annotated[float, typer.Option("--hours", help="The wall-clock budget in hours.")],
    batch_size: Annotated[int, typer.Option(
        "--batch-size", help="Sequences per step.")] = 256,
    seq_len: Annotated[int, typer.Option("--seq-len", help="Tokens per sequence.")] = 2048,
    aspect: Annotated[float, typer.Option(
        "--aspect", help="Width/depth ratio d_model/n_layers of the shapes considered.")
    ] = 128.0,
    head_dim: Annotated[int, typer.Option("--head-dim", help="Size of a head.")] = 128,
    vocab: Annotated[int, typer.Option("--vocab", help="Vocabulary size.")] = 32000,
    group: c.GroupOpt = None,
    json_: c.JsonOpt = False, debug: c.DebugOpt = False, quiet: c.QuietOpt = False,
) -> None:
    """The model size and tokens that minimise a fitted loss law in --hours of training,
    beside the FLOP-optimal plans priced in hours.

    Example: scalinglaws time plan fit.json --throughput tp.json --hours 72 --json
    """
    with c.handled(debug, quiet or json_):
        from ..common.checks import positive_number
        from ..fitting import load_fit
        from ..time import ShapeFamily, Throughput, plan

        budget = c.option_value(lambda h: positive_number(
            h, "hours", "give the budget in hours, e.g. --hours 72"), hours, "--hours")
        with c.naming("--throughput", c.DataError, c.OptionError):
            cost = Throughput.load(throughput)
        family = c.option_value(lambda a: ShapeFamily(aspect=a, head_dim=head_dim,
                                                      vocab=vocab), aspect, "--aspect")
        answer = plan(load_fit(fit_file, group), cost, hours=budget, batch_size=batch_size,
                      seq_len=seq_len, family=family)
    if json_:
        c.emit_json(answer.to_dict())
        return
    c.out.print(c.escape(str(answer)), highlight=False)


app.command("fit")(fit_command)
app.command("plan")(plan_command)
