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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
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
    format_message,
)

# the rules of ``backtest --train`` and ``plot --train`` (RULES_HELP: a comparison names the
# fitted runs) and of ``select --holdout`` (HOLDOUT_HELP: a comparison names the held-out runs)
from ..validate.rules import HOLDOUT_HELP as HOLDOUT_HELP
from ..validate.rules import RULES_HELP as RULES_HELP
from .terms import cli_terms

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
    metavar="DATA", help="CSV/TSV/Parquet/JSON(L) file, possibly compressed (.gz), or a "
    "bundled dataset.")]
ColOpt = Annotated[list[str] | None, typer.Option(
    "--col", help="Give a role (params, tokens, flops, loss, ...) or a law's symbol (N, D, "
    "C) your column: --col params=model_size tokens=n_tokens loss=train_loss.")]
XOpt = Annotated[str | None, typer.Option("--x", help="Input column of a one-input law.")]
YOpt = Annotated[str | None, typer.Option(
    "--y", help="Target column (default: the law's, usually loss).")]
LossOpt = Annotated[str, typer.Option(help="huber | mse_log | mse_log1p | mse | mse_logit")]
FitLossOpt = Annotated[str | None, typer.Option(
    "--loss", help="huber | mse_log | mse_log1p | mse | mse_logit (default: huber on log "
    "residuals for losses; mse for a score in [0, 1] such as accuracy; mse_logit: least "
    "squares on logits, for scores strictly inside (0, 1)).")]
DeltaOpt = Annotated[float, typer.Option(help="Huber threshold on log residuals.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the bootstrap's resampling.")]
ExcludeOpt = Annotated[str | None, typer.Option(
    help="Drop rows where this true/false column is true.")]
OrderOpt = Annotated[str | None, typer.Option(
    "--order", help="Column that orders runs by size (default: params, flops or tokens).")]
LawOpt = Annotated[str, typer.Option("--law", help="Catalog name or expression.")]

# -- row options of every command that reads DATA: applied to the table as read --------------
WhereOpt = Annotated[str | None, typer.Option(
    "--where", metavar="EXPR", help="Keep the rows where EXPR holds (pandas query syntax): "
    "--where \"State == 'finished' and params > 1e8\"; a column name with spaces or / goes "
    "in backticks: --where '`train/loss` < 4'.")]
DropnaOpt = Annotated[bool, typer.Option(
    "--dropna", help="Drop the rows with an empty params, tokens, flops, loss, step or lr, or "
    "an empty cell in a column that --x, --y or --col names (a crashed run's loss).")]
LastByOpt = Annotated[str | None, typer.Option(
    "--last-by", metavar="COLUMN", help="Keep one row per value of COLUMN (a run): the one "
    "with the largest step, or the last row when there is no step column.")]
BestOfOpt = Annotated[str | None, typer.Option(
    "--best-of", metavar="COLUMN", help="Keep per --best-by group the row with the lowest "
    "COLUMN: --best-of loss --best-by params,tokens (the best learning rate of each size and "
    "budget; ties: the first row).")]
BestByOpt = Annotated[str | None, typer.Option(
    "--best-by", metavar="COLS", help="The columns (comma-separated) whose equal values form "
    "a --best-of group.")]
#: how errors name the row options (and --exclude, applied with them)
ROW_OPTIONS = {"where": "option --where", "exclude": "option --exclude",
               "dropna": "option --dropna", "last_by": "option --last-by",
               "best_of": "option --best-of", "by": "option --best-by"}


@dataclass(frozen=True)
class Rows:
    """A command's row options: ``--where``, ``--dropna``, ``--last-by``, ``--best-of`` and
    ``--best-by``, applied in that order (``--exclude`` after ``--where``) to DATA as read."""

    where: str | None = None
    dropna: bool = False
    last_by: str | None = None
    best_of: str | None = None
    best_by: str | None = None

    def without_data(self) -> None:
        """Refuse the options when the command was given no runs (a fit file without
        ``--data``): there are no rows to select."""
        given = [w for w in self.words() if w.startswith("--")]
        if given:
            raise OptionError("the row options select rows of the runs, and no runs are given",
                              f"option {given[0]}", "give the runs with --data DATA")

    def words(self) -> list[str]:
        """The options as command-line words (for a report's provenance)."""
        words = ["--where", self.where] if self.where is not None else []
        words += ["--dropna"] if self.dropna else []
        for flag, value in (("--last-by", self.last_by), ("--best-of", self.best_of),
                            ("--best-by", self.best_by)):
            words += [flag, value] if value is not None else []
        return words


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
        self.printed = False

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
            # the warnings that explain an error come before it
            _print_caught(caught, quiet)
            caught.printed = True
            fail(escape(format_message(cli_terms(exc.what) or exc.what, cli_terms(exc.where),
                                       cli_terms(exc.fix))), code)
        finally:
            if not caught.printed:
                _print_caught(caught, quiet)


def _print_caught(caught: Caught, quiet: bool) -> None:
    if not quiet:
        for message in caught.messages:
            err.print(f"[yellow]warning:[/] {escape(cli_terms(message) or '')}")


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


def check_out(path: Path | None, option: str, suffixes: tuple[str, ...] | None = None,
              what: str = "file") -> None:
    """Check an output path before any work (reading data, fitting): its folder exists and is
    writable, it is not a folder, and its suffix (any case) is one of ``suffixes``, which the
    command writes. A DataError or OptionError names ``option``."""
    if path is None:
        return
    from ..data.files import check_writable

    with naming(option, DataError):
        check_writable(path)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        listing = (", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1
                   else suffixes[0])
        raise OptionError(f"cannot tell the {what} format from '{path.name}'",
                          f"option {option}", f"end it with {listing}")


def escape(text: str) -> str:
    from rich.markup import escape as _escape

    return _escape(text)


# -- input ----------------------------------------------------------------------------------------
def load_data(source: str, columns: dict[str, str] | None = None,
              exclude: str | None = None, *, rows: Rows | None = None,
              reads: Iterable[str | None] = ()) -> Dataset:
    """The runs of DATA (a file, or a bundled dataset's name), less the rows the row options
    and ``--exclude`` drop: :meth:`Dataset.read` with a :class:`~..data.rows.RowSelection`
    whose errors name the options. ``reads`` names the columns the command reads besides the
    roles (``--x``, ``--y``, ``--col``): ``--dropna`` covers them too."""
    from ..data.dataset import Dataset
    from ..data.rows import RowSelection
    from ..fitting import role_of

    roles = {role_of(k) or k: v for k, v in (columns or {}).items()}
    rows = rows or Rows()
    by = None if rows.best_by is None else [c.strip() for c in rows.best_by.split(",")
                                            if c.strip()]
    selection = RowSelection(where=rows.where, exclude=exclude, dropna=rows.dropna,
                             last_by=rows.last_by, best_of=rows.best_of, by=by,
                             needed=tuple(c for c in reads if c), names=ROW_OPTIONS)
    return Dataset.read(source, columns=roles or None, rows=selection)


def load_frame(source: str, *, rows: Rows | None = None, reads: Iterable[str | None] = ()
               ) -> Any:
    """The rows of DATA (a file, or a bundled dataset's name) as a DataFrame, less the rows
    the row options drop, without the checks of the roles' values: for a command that judges
    each group of rows on its own (``each``), a bad value is one group's, not the table's."""
    import os
    from pathlib import Path

    from ..data import registry
    from ..data.io import read_table
    from ..data.rows import RowSelection

    rows = rows or Rows()
    path = Path(os.fspath(source))
    frame = (registry.table(registry.info(source).name)
             if not path.exists() and source in registry.names() else read_table(path, None))
    by = None if rows.best_by is None else [c.strip() for c in rows.best_by.split(",")
                                            if c.strip()]
    selection = RowSelection(where=rows.where, dropna=rows.dropna, last_by=rows.last_by,
                             best_of=rows.best_of, by=by, needed=tuple(c for c in reads if c),
                             names=ROW_OPTIONS)
    return selection.apply(frame)


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


def more_cols(ctx: typer.Context, col: list[str] | None) -> list[str]:
    """The ``--col`` items, with the ``key=value`` arguments that follow one
    (``--col N=model_size D=n_tokens``, as ``--at`` takes them); anything else is refused."""
    extra = list(ctx.args)
    if extra and col and all("=" in a and not a.startswith("-") for a in extra):
        return _comma_pairs([*col, *extra])
    no_extra(ctx)
    return _comma_pairs(list(col or []))


def _comma_pairs(items: list[str]) -> list[str]:
    """``N=a,D=b`` as two pairs (when every comma-separated part is a pair)."""
    out: list[str] = []
    for item in items:
        parts = item.split(",")
        out += parts if len(parts) > 1 and all("=" in p for p in parts) else [item]
    return out


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


def show_fit(result: Any, json_: bool, path: Any = None) -> None:
    """A fit printed as its document (``--json``) or as its text, and where ``--out`` wrote
    it (for the fits that render themselves: the Step Law's, the multi-power law's)."""
    if json_:
        emit_json(result.to_dict())
    else:
        out.print(str(result), markup=False, highlight=False)
    if path:
        written("fit", path)


def with_caught(result: Any, messages: list[str]) -> Any:
    """``result`` (a fit with ``warnings``) carrying first the warnings the command caught on
    the way (reading the data, fitting, resampling), each once."""
    return replace(result, warnings=tuple(dict.fromkeys([*messages, *result.warnings])))
