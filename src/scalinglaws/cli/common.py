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

import typer
from rich.console import Console

from ..data import bundled
from ..data.dataset import Dataset
from ..exceptions import FitError, QueryError, ScalingLawError, ScalingLawWarning

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
YOpt = Annotated[str, typer.Option("--y", help="Target column.")]
LossOpt = Annotated[str, typer.Option(help="huber | mse_log | mse")]
DeltaOpt = Annotated[float, typer.Option(help="Huber threshold on log residuals.")]
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
        flags = ds.to_frame()[exclude]
        try:
            mask = flags.astype(str).str.lower().map(
                {"true": True, "false": False, "1": True, "0": False, "1.0": True,
                 "0.0": False}).to_numpy(dtype=bool)
        except (ValueError, TypeError):
            fail(f"--exclude: column '{exclude}' must hold true/false values.")
        ds = ds[~mask]
    return ds


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
    sys.stdout.write(json.dumps(document, indent=2, default=_default) + "\n")


def _default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:.3e}"



Command = Callable[..., Any]
