"""``scalinglaws passk``: the unbiased pass@k from n samples of which c passed."""

from __future__ import annotations

from typing import Annotated

import typer

from . import common as c


def passk_command(
    ctx: typer.Context,
    n: Annotated[int, typer.Option("--n", help="Samples drawn per problem.")],
    passed: Annotated[int, typer.Option("--c", help="Samples that passed.")],
    k: Annotated[list[str], typer.Option(
        "--k", help="The k of pass@k: --k 1 10 100 (or 1,10,100).")],
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
) -> None:
    """The unbiased pass@k for each k, exact for tens of thousands of samples. The estimator
    is that of Chen et al. (2021).

    Example: scalinglaws passk --n 200 --c 13 --k 1 10 100 --json
    """
    words = [*k, *ctx.args]
    bad = [w for w in ctx.args if w.startswith("-")]
    if bad:
        c.fail(f"unexpected argument(s) {' '.join(map(c.escape, bad))} — see scalinglaws "
               "passk --help")
    ks = [int(v) for w in words for v in c.parse_numbers(w, "--k")]
    with c.handled(debug, json_):
        from ..inference import pass_at_k

        try:
            values = [float(pass_at_k(n, passed, kk)) for kk in ks]
        except c.OptionError as exc:  # the library's n is this command's --n
            if exc.where != "argument 'n'":
                raise
            raise c.OptionError(exc.what, "option --n", exc.fix) from None
    if json_:
        c.emit_json({"n": n, "c": passed, "k": ks, "pass_at_k": values})
        return
    for kk, value in zip(ks, values, strict=True):
        c.out.print(f"pass@{kk} = {value:.6g}", highlight=False)
