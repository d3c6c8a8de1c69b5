"""``scalinglaws fit SWEEP --law step_law`` and ``scalinglaws predict`` of its file: the
optimal learning rate and batch size (:class:`~scalinglaws.fitting.HyperparameterFit`).

``fit --json`` prints the fit's one document (``HyperparameterFit.to_dict()``, the warnings
caught on the way folded in first), the document ``--out`` writes. ``predict --json`` prints
``{"lr": ..., "batch_size": ...}`` (and ``batch_size_sequences`` for a sweep counted in
sequences; ``lr_interval`` and ``batch_size_interval`` with ``--interval``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import common as c

if TYPE_CHECKING:
    from ..fitting import FitResult, HyperparameterFit, SharedFit

#: the law name that the fit and predict commands hand to this module
STEP_LAW = "step_law"

SeqLenOpt = Annotated[float | None, typer.Option(
    "--seq-len", metavar="TOKENS", help="For --law step_law: the sweep's batch sizes count "
    "sequences of TOKENS tokens (e.g. 2048); the batch law is then in tokens.")]


def fit_hyper(data: str, columns: dict[str, str], y: str | None, seq_len: float | None,
              n_boot: int | None, seed: int, level: float | None, out: Path | None,
              rows: c.Rows, exclude: str | None, refused: dict[str, Any], *, json_: bool,
              debug: bool, quiet: bool) -> None:
    """Fit the Step Law to the sweep in DATA and print (or write) it."""
    given = [flag for flag, value in refused.items() if value]
    if given:
        c.fail(f"{', '.join(given)} do(es) not go with --law step_law — it takes --col, "
               "--y, --seq-len, --bootstrap, --seed, --level and --out")
    with c.handled(debug, quiet or json_) as caught:
        from ..fitting import fit

        ds = c.load_data(data, exclude=exclude, rows=rows, reads=[y, *columns.values()])
        options: dict[str, Any] = {"seq_len": seq_len, "seed": seed}
        if n_boot is not None:
            options["n_boot"] = n_boot
        if level is not None:
            options["level"] = level
        result = fit(STEP_LAW, ds, columns=columns, y=y, **options)
        result = result.with_warnings(caught.messages)
        if out:
            result.save(out)
    c.show_fit(result, json_, out)


def predict_hyper(result: HyperparameterFit, values: dict[str, Any], level: float | None,
                  json_: bool) -> None:
    """The recommended learning rate and batch size at ``--at params=... tokens=...``."""
    from ..exceptions import OptionError

    unknown = sorted(set(values) - {"params", "tokens"})
    missing = [k for k in ("params", "tokens") if k not in values]
    if unknown or missing:
        raise OptionError(f"a step_law fit predicts from params and tokens"
                          f"{'; unknown: ' + ', '.join(unknown) if unknown else ''}"
                          f"{'; missing: ' + ', '.join(missing) if missing else ''}",
                          "option --at", "e.g. --at params=3e9 tokens=6e10")
    with c.naming("--at", OptionError):
        doc: dict[str, Any] = dict(result.predict(params=values["params"],
                                                  tokens=values["tokens"]))
        if level is not None:
            for key, (lo, hi) in result.predict_interval(
                    level, params=values["params"], tokens=values["tokens"]).items():
                doc[f"{key}_interval"] = [lo, hi]
    doc.update({"at": values, "law": STEP_LAW, "batch_unit": result.batch_unit})
    if level is not None:
        doc["level"] = level
    if json_:
        c.emit_json(doc)
        return
    _print_table(result, doc, level)


def _print_table(result: HyperparameterFit, doc: dict[str, Any], level: float | None) -> None:
    """One row per query point: params, tokens, lr and batch size (with their intervals)."""
    import numpy as np
    from rich.table import Table

    keys = [k for k in ("lr", "batch_size", "batch_size_sequences") if k in doc]
    columns: dict[str, Any] = {"params": doc["at"]["params"], "tokens": doc["at"]["tokens"],
                               **{k: doc[k] for k in keys}}
    if level is not None:
        for k in keys:
            if f"{k}_interval" in doc:
                lo, hi = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                               for v in doc[f"{k}_interval"]))
                columns[f"{k} {level:.0%}"] = np.array(
                    [f"{_text(a)} – {_text(b)}" for a, b in zip(lo.ravel(), hi.ravel(),
                                                                strict=True)],
                    dtype=object).reshape(lo.shape)
    shape = np.broadcast_shapes(*(np.shape(v) for v in columns.values()))
    cells = {k: np.broadcast_to(np.asarray(v, dtype=object), shape).ravel()
             for k, v in columns.items()}
    table = Table(title=f"Step Law: lr = {result.formulas['lr']}, batch size = "
                        f"{result.formulas['batch_size']} ({result.batch_unit})",
                  title_justify="left")
    for name in cells:
        table.add_column(name, justify="right")
    for row in zip(*cells.values(), strict=True):
        table.add_row(*(v if isinstance(v, str) else _text(v) for v in row))
    c.out.print(table)


def law_fit(result: FitResult | SharedFit | HyperparameterFit,
            command: str) -> FitResult | SharedFit:
    """``result`` when it is a law's fit; a step_law fit is refused with what it is for."""
    from ..exceptions import OptionError
    from ..fitting import HyperparameterFit

    if isinstance(result, HyperparameterFit):
        raise OptionError(f"a step_law fit recommends a learning rate and batch size; it has "
                          f"no loss law for {command}", "argument FIT",
                          "use scalinglaws predict FIT --at params=... tokens=...")
    return result


def _text(x: Any) -> str:
    from ..common.numbers import readable

    return readable(x, 4) if x is not None else ""
