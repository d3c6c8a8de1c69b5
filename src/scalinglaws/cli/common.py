"""Shared pieces of the command line: the options several commands declare, error handling,
parsing and output.

The app imports this module at start-up, so it imports only the standard library, Typer and
Rich; what reads data or numbers imports the library inside the function.
"""

from __future__ import annotations

import json
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console, ConsoleDimensions

from ..exceptions import (
    DataError,
    FitError,
    OptionError,
    QueryError,
    ScalingLawError,
    ScalingLawWarning,
)

# the rules of ``backtest --train`` and ``plot --train`` (RULES_HELP: a comparison names the
# fitted runs) and of ``select --holdout`` (HOLDOUT_HELP: a comparison names the held-out runs)
from ..validate.rules import HOLDOUT_HELP as HOLDOUT_HELP
from ..validate.rules import RULES_HELP as RULES_HELP

if TYPE_CHECKING:
    from ..data.dataset import Dataset

#: the width of output written to a file or a pipe: wide enough for any table's widest line,
#: so that no number or word is cut, shortened ("…") or wrapped
PIPE_WIDTH = 10_000


class PipeWideConsole(Console):
    """A console as wide as its terminal, and :data:`PIPE_WIDTH` wide when it writes to a file
    or a pipe (``scalinglaws select ... > file``), whatever ``COLUMNS`` says: a table there
    keeps every digit and every word on its row's line."""

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        if not self.is_terminal and not self.is_jupyter:
            return ConsoleDimensions(PIPE_WIDTH, size.height)
        return size  # type: ignore[no-any-return]

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


out = PipeWideConsole(highlight=False, soft_wrap=True)
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
LawOpt = Annotated[str, typer.Option("--law", help="Catalog name or expression.")]

# -- options of every command ------------------------------------------------------------------
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of errors.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")]
FitArg = Annotated[Path, typer.Argument(metavar="FIT", help="A fit JSON file.")]
GroupOpt = Annotated[str | None, typer.Option(
    "--group", help="For a joint fit across groups: the group to use.")]
#: commands that read ``--at a=1 b=2`` style lists take extra arguments
EXTRA = {"allow_extra_args": True, "ignore_unknown_options": False}

# -- errors -------------------------------------------------------------------------------------
def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


class Caught:
    """The library's warnings caught so far by :func:`handled` (a live view)."""

    def __init__(self, records: list[warnings.WarningMessage]) -> None:
        self._records = records

    @property
    def messages(self) -> list[str]:
        return [str(r.message) for r in self._records
                if issubclass(r.category, ScalingLawWarning)]


@contextmanager
def handled(debug: bool, quiet: bool = False) -> Iterator[Caught]:
    """Turn ScalingLawError into a one-paragraph message and an exit code; collect the
    library's warnings (printed on stderr at the end unless ``quiet``)."""
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always", ScalingLawWarning)
        caught = Caught(records)
        try:
            yield caught
        except ScalingLawError as exc:
            if debug:
                traceback.print_exc()
            code = EXIT_FAILED if isinstance(exc, FitError | QueryError) else EXIT_BAD_INPUT
            fail(escape(str(exc)), code)
        finally:
            if not quiet:
                for message in caught.messages:
                    err.print(f"[yellow]warning:[/] {escape(message)}")


def print_warnings(messages: tuple[str, ...] | list[str], quiet: bool,
                   label: str = "warning") -> None:
    """Warnings a result carries (rather than issues), on stderr unless ``quiet``."""
    if quiet:
        return
    for w in messages:
        err.print(f"[yellow]{label}:[/] {escape(w)}")


@contextmanager
def naming(option: str, *errors: type[ScalingLawError]) -> Iterator[None]:
    """Errors of the given kinds raised inside name the command-line ``option`` they came
    from (``option --exclude, column 'skip', rows ...``)."""
    try:
        yield
    except errors as exc:
        where = f"option {option}" + (f", {exc.where}" if exc.where else "")
        raise type(exc)(exc.what, where, exc.fix) from None


def option_value(check: Callable[[Any], Any], value: Any, option: str) -> Any:
    """``check(value)``, its OptionError naming the command-line ``option`` rather than the
    library's argument (``--bootstrap``, not ``argument 'n'``)."""
    try:
        return check(value)
    except OptionError as exc:
        raise OptionError(exc.what, f"option {option}", exc.fix) from None


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)


# -- input ----------------------------------------------------------------------------------------
def load_data(source: str, columns: dict[str, str] | None = None,
              exclude: str | None = None) -> Dataset:
    """The runs of DATA (a file, or a bundled dataset's name), less the rows ``--exclude``
    flags: :meth:`Dataset.read` and :meth:`Dataset.exclude`."""
    from ..data.dataset import Dataset

    ds = Dataset.read(source, columns=columns or None)
    if exclude:
        with naming("--exclude", DataError):
            ds = ds.exclude(exclude)
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


def no_extra(ctx: typer.Context) -> None:
    """Refuse arguments a command does not take (exit code 2)."""
    if ctx.args:
        fail(f"unexpected argument(s): {' '.join(map(escape, ctx.args))} — "
             f"see scalinglaws {ctx.info_name} --help")


# -- output ---------------------------------------------------------------------------------------
def emit_json(document: Any) -> None:
    """Print ``document`` as strict JSON: numpy values as Python ones, NaN and infinities as
    ``null`` (``allow_nan=False`` turns any that slipped through into an error, not ``NaN``)."""
    from ..common.jsonvalues import json_value

    sys.stdout.write(json.dumps(json_value(document), indent=2, allow_nan=False) + "\n")


def written(what: str, path: Any) -> None:
    """Say on stderr where a file went."""
    err.print(f"{what} written to {escape(str(path))}")
