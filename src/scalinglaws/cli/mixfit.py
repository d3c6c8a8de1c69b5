"""``scalinglaws fit MIX.csv --law mixture --domains web,code,books``: the mixing law of every
validation domain (``sl.mixing.fit``), printed or written as one document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import common as c

DomainsOpt = Annotated[str | None, typer.Option(
    "--domains", metavar="A,B,...", help="With --law mixture: the proportion columns, one per "
    "training domain; each validation domain's loss is the column loss_<domain>.")]


def fit_mixture(data: str, law: str, domains: str, exclude: str | None, rows: c.Rows,
                out: Path | None, json_: bool, debug: bool, quiet: bool) -> None:
    """Fit the mixing laws of DATA's mixture experiments and print or write them."""
    if law != "mixture":
        c.fail(f"--domains goes with --law mixture, not --law {c.escape(law)} — e.g. "
               "scalinglaws fit mix.csv --law mixture --domains web,code,books")
    with c.handled(debug, quiet or json_):
        from ..mixing import fit

        ds = c.load_data(data, exclude=exclude, rows=rows)
        result = fit(ds, domains)
        if out:
            result.save(out)
    if json_:
        c.emit_json(result.to_dict())
        return
    c.out.print(c.escape(str(result)), highlight=False)
    if out:
        c.written("mixture fit", out)
