"""The ``mix`` commands: the mixture minimising a fitted mixing law's target loss, and the
mixtures to run next."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from . import common as c

app = typer.Typer(
    help="Data mixtures: optimise a fitted mixing law, design the next runs.\n\n"
    "Examples:\n\n"
    "  scalinglaws fit mix.csv --law mixture --domains web,code,books --out mix.json\n\n"
    "  scalinglaws mix optimise mix.json --target web=0.5,code=0.5 --json\n\n"
    "  scalinglaws mix optimise mix.json --bounds code=0.05:0.4 --available code=5e10 "
    "--tokens 1e12 --max-epochs 4\n\n"
    "  scalinglaws mix design web,code,books --n 10",
    no_args_is_help=True,
    rich_markup_mode=None,
)

TargetOpt = Annotated[str | None, typer.Option(
    "--target", metavar="D=W,...", help="Weights of the validation domains in the target "
    "loss (default: equal).")]


@app.command("optimise")
def optimise_command(
    fit_file: Annotated[Path, typer.Argument(metavar="FIT", help="A mixture fit (fit --law "
                                             "mixture --out).")],
    target: TargetOpt = None,
    bounds: Annotated[str | None, typer.Option(
        "--bounds", metavar="D=LO:HI,...", help="Bounds on domains' proportions.")] = None,
    available: Annotated[str | None, typer.Option(
        "--available", metavar="D=TOKENS,...", help="Unique tokens of scarce domains.")] = None,
    tokens: Annotated[float | None, typer.Option(
        "--tokens", help="Training tokens of the run (for --max-epochs).")] = None,
    max_epochs: Annotated[float | None, typer.Option(
        "--max-epochs", help="At most this many epochs of each domain with --available.")
    ] = None,
    current: Annotated[str | None, typer.Option(
        "--current", metavar="D=P,...", help="Your current mixture, to compare.")] = None,
    level: Annotated[float, typer.Option(help="Level of the interval.")] = 0.9,
    json_: c.JsonOpt = False, debug: c.DebugOpt = False,
) -> None:
    """The mixture minimising the predicted target loss, with its interval, beside the uniform
    mixture (and --current)."""
    with c.handled(debug, json_):
        from ..mixing import MixingFit, optimise

        fit = MixingFit.load(fit_file)
        proposal = optimise(
            fit, _numbers(target, "--target"), bounds=_bounds(bounds),
            available=_numbers(available, "--available"), tokens=tokens,
            max_epochs=max_epochs, current=_numbers(current, "--current"), level=level)
    if json_:
        c.emit_json(proposal.to_dict())
    else:
        c.out.print(c.escape(str(proposal)), highlight=False)


@app.command("design")
def design_command(
    domains: Annotated[str, typer.Argument(metavar="DOMAINS|FIT", help="Domain names "
                                           "(web,code,books) or a mixture fit.")],
    n: Annotated[int, typer.Option("--n", help="Mixtures to propose.")] = 10,
    bounds: Annotated[str | None, typer.Option(
        "--bounds", metavar="D=LO:HI,...", help="Bounds on domains' proportions.")] = None,
    seed: c.SeedOpt = 0, json_: c.JsonOpt = False, debug: c.DebugOpt = False,
) -> None:
    """The mixtures to run next: a D-optimal design for the mixing law (at a fit's
    coefficients when FIT is given)."""
    with c.handled(debug, json_):
        from ..mixing import MixingFit, design

        source: Any = MixingFit.load(domains) if domains.endswith(".json") else domains
        table = design(source, n, bounds=_bounds(bounds), seed=seed)
    if json_:
        c.emit_json({"mixtures": table.to_dict(orient="records")})
    else:
        c.out.print(table.round(4).to_string(index=False), highlight=False)


def _numbers(text: str | None, option: str) -> dict[str, float] | None:
    if text is None:
        return None
    pairs = c.parse_pairs([p for p in text.split(",") if p.strip()], option)
    return {k: c.parse_numbers(v, option)[0] for k, v in pairs.items()}


def _bounds(text: str | None) -> dict[str, tuple[float, float]] | None:
    if text is None:
        return None
    out = {}
    for key, value in c.parse_pairs([p for p in text.split(",") if p.strip()],
                                    "--bounds").items():
        lo, sep, hi = value.partition(":")
        if not sep:
            c.fail(f"--bounds expects domain=low:high, got '{c.escape(key)}={c.escape(value)}'"
                   " — e.g. --bounds code=0.05:0.4")
        out[key] = (c.parse_numbers(lo, "--bounds")[0], c.parse_numbers(hi, "--bounds")[0])
    return out
