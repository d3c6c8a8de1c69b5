"""Shared pieces of the command line: error handling, parsing, output."""

from __future__ import annotations

import json
import math
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from ..common.jsonvalues import json_value
from ..data import bundled
from ..data.dataset import Dataset
from ..exceptions import DataError, FitError, QueryError, ScalingLawError, ScalingLawWarning

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

#: exit codes: 0 ok, 1 the fit or query failed, 2 bad usage or bad input
EXIT_FAILED, EXIT_BAD_INPUT = 1, 2

# -- options shared by the commands that fit data (fit, backtest, select) ----------------------
DataArg = Annotated[str, typer.Argument(
    metavar="DATA", help="CSV/Parquet/JSONL file, or a bundled dataset.")]
ColOpt = Annotated[list[str] | None, typer.Option(
    "--col", help="Map a symbol or role to a column: --col N=n_params.")]
XOpt = Annotated[str | None, typer.Option("--x", help="Input column of a one-input law.")]
YOpt = Annotated[str | None, typer.Option(
    "--y", help="Target column (default: the law's, usually loss).")]
LossOpt = Annotated[str, typer.Option(help="huber | mse_log | mse_log1p | mse")]
DeltaOpt = Annotated[float, typer.Option(help="Huber threshold on log residuals.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the bootstrap's resampling.")]
ExcludeOpt = Annotated[str | None, typer.Option(
    help="Drop rows where this true/false column is true.")]
OrderOpt = Annotated[str | None, typer.Option(
    "--order", help="Column that orders runs by size (default: params, flops or tokens).")]


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


@contextmanager
def handled(debug: bool, quiet: bool = False) -> Iterator[list[str]]:
    """Turn ScalingLawError into a one-paragraph message and an exit code; collect warnings."""
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always", ScalingLawWarning)
        try:
            yield caught
        except ScalingLawError as exc:
            if debug:
                traceback.print_exc()
            code = EXIT_FAILED if isinstance(exc, FitError | QueryError) else EXIT_BAD_INPUT
            fail(escape(str(exc)), code)
        finally:
            for r in records:
                if issubclass(r.category, ScalingLawWarning):
                    caught.append(str(r.message))
                    if not quiet:
                        err.print(f"[yellow]warning:[/] {escape(str(r.message))}")


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)


def load_data(source: str, columns: dict[str, str] | None = None,
              exclude: str | None = None) -> Dataset:
    """A Dataset from a file path, or from a bundled dataset's name."""
    path = Path(source)
    if not path.exists() and source in bundled.names():
        ds = bundled.load(source)
        if columns:
            ds = Dataset.from_frame(ds.to_frame(), columns=columns, name=ds.name,
                                    citation=ds.citation)
    else:
        ds = Dataset.from_path(path, columns=columns or None)
    if exclude:
        if not ds.has(exclude):
            fail(f"--exclude: the data has no column '{exclude}' — columns: "
                 f"{', '.join(ds.columns)}. Name a true/false column.")
        ds = ds[~exclude_mask(ds.to_frame()[exclude], exclude)]
    return ds


#: the values ``--exclude`` reads (case-insensitive), and what they mean
FLAG_VALUES = {"true": True, "false": False, "1": True, "0": False, "1.0": True,
               "0.0": False}


def exclude_mask(flags: pd.Series, column: str) -> np.ndarray:
    """Which rows ``--exclude COLUMN`` drops; a DataError names the values it cannot read
    (a blank or a "yes" is not silently taken for true or false)."""
    mapped = flags.astype(str).str.strip().str.lower().map(FLAG_VALUES)
    bad = mapped.isna().to_numpy()
    if bad.any():
        shown = sorted({"(blank)" if pd.isna(v) or not str(v).strip() else repr(str(v))
                        for v in flags[bad]})
        rows = np.flatnonzero(bad)
        raise DataError(
            f"--exclude reads true/false (or 1/0) values, but {int(bad.sum())} row(s) hold "
            f"{', '.join(shown[:5])}{' ...' if len(shown) > 5 else ''}",
            f"column '{column}', rows {rows[:5].tolist()}{' ...' if rows.size > 5 else ''} "
            "(counting from 0, header excluded)",
            "write true or false in every row of the column")
    return mapped.to_numpy(dtype=bool)


def parse_pairs(items: list[str], option: str) -> dict[str, str]:
    """Parse ``key=value`` items."""
    pairs: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            fail(f"{option} expects key=value, got '{escape(item)}' — "
                 f"e.g. {option} params=7e10")
        pairs[key.strip()] = value.strip()
    return pairs


def parse_numbers(text: str, option: str) -> list[float]:
    """Parse '1e21' or '1e21,5e23' into floats."""
    values: list[float] = []
    for part in text.split(","):
        try:
            values.append(float(part))
        except ValueError:
            fail(f"{option}: '{escape(part)}' is not a number — write e.g. 5.76e23")
    return values


def emit_json(document: Any) -> None:
    """Print ``document`` as strict JSON: numpy values as Python ones, NaN and infinities as
    ``null`` (``allow_nan=False`` turns any that slipped through into an error, not ``NaN``)."""
    sys.stdout.write(json.dumps(json_value(document), indent=2, allow_nan=False) + "\n")


def fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:.3e}"



Command = Callable[..., Any]


JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of errors.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")]
FitArg = Annotated[Path, typer.Argument(metavar="FIT", help="A fit JSON file.")]
#: commands that read ``--at a=1 b=2`` style lists take extra arguments
EXTRA = {"allow_extra_args": True, "ignore_unknown_options": False}


def no_extra(ctx: typer.Context) -> None:
    """Refuse arguments a command does not take (exit code 2)."""
    if ctx.args:
        fail(f"unexpected argument(s): {' '.join(map(escape, ctx.args))} — "
             f"see scalinglaws {ctx.info_name} --help")
