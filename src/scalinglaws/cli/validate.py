"""Bodies of the uncertainty and validation commands: ``fit --bootstrap``,
``predict --interval``, ``backtest`` and ``select``.

The Typer signatures live in :mod:`.main`; here the library is called and its results are
turned into JSON documents and Rich tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from ..common.jsonvalues import json_value
from ..exceptions import LawError, OptionError, ScalingLawError
from . import common as c

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from ..fitting.result import FitResult
    from ..uncertainty.bootstrap import Bootstrap
    from ..validate import Backtest, Selection

#: interval level of ``fit --bootstrap`` when ``--level`` is not given
BOOTSTRAP_LEVEL = 0.95
#: interval method of ``fit --bootstrap``
BOOTSTRAP_METHOD = "percentile"


# -- fit --bootstrap ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BootstrapOptions:
    """What ``fit --bootstrap N [--by COL] [--seed S] [--level L]`` asks for, checked."""

    n: int
    by: str | None
    seed: int | None
    level: float

    @classmethod
    def checked(cls, n: int | None, by: str | None, seed: int | None,
                level: float | None) -> BootstrapOptions | None:
        """The options, or ``None`` without ``--bootstrap``; bad values raise the library's
        :class:`~scalinglaws.exceptions.OptionError` before any fitting is done."""
        from ..uncertainty.resample import check_level, check_resamples

        if n is None:
            if by is not None or level is not None:
                c.fail("--by and --level go with --bootstrap N — e.g. --bootstrap 200 "
                       "--level 0.95")
            return None
        return cls(option_value(check_resamples, n, "--bootstrap"), by, seed,
                   option_value(check_level, BOOTSTRAP_LEVEL if level is None else level,
                                "--level"))

    def check_data(self, ds: Dataset) -> None:
        """Raise the library's error now, before the fit, when ``--by`` cannot cluster ``ds``."""
        from ..uncertainty.resample import clusters

        clusters(ds, self.by)


@contextmanager
def progress_bar(label: str, total: int,
                 enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr, fed by the library's ``progress(done, total)`` callback
    (``None`` when disabled: under ``--quiet`` or ``--json``). It appears at the first
    report, so work that fails while checking its input draws no bar."""
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=c.err)
    task = bar.add_task(label, total=total)
    started = False

    def update(done: int, of: int) -> None:
        nonlocal started
        if not started:
            bar.start()
            started = True
        bar.update(task, completed=done, total=of)

    try:
        yield update
    finally:
        if started:
            bar.stop()


def run_bootstrap(result: FitResult, opts: BootstrapOptions, *, show_progress: bool) -> Bootstrap:
    """Bootstrap the fit (with a progress bar on stderr when ``show_progress``)."""
    with progress_bar("bootstrap", opts.n, show_progress) as update:
        return result.bootstrap(opts.n, by=opts.by, seed=opts.seed, progress=update)


def bootstrap_doc(bs: Bootstrap, level: float) -> dict[str, Any]:
    """The ``intervals`` and the ``bootstrap`` summary of ``fit --json`` (no samples)."""
    return dict(json_value({
        "intervals": bs.intervals(level, BOOTSTRAP_METHOD),
        "bootstrap": {"n": bs.n, "by": bs.by, "seed": bs.seed, "n_failed": bs.n_failed,
                      "n_moved": bs.n_moved, "level": level, "method": BOOTSTRAP_METHOD,
                      "stderr": bs.stderr},
    }))


def fit_table(result: FitResult, bs: Bootstrap | None = None,
              level: float = BOOTSTRAP_LEVEL) -> Table:
    """The fit's summary table, with the bootstrap's interval columns when there is one."""
    table = result.summary().rich()
    if bs is None:
        return table
    intervals = bs.intervals(level, BOOTSTRAP_METHOD)
    unit = f"clusters of '{bs.by}'" if bs.by else "points"
    caption = Text.assemble(table.caption or "",
                            f"\nbootstrap: {bs.n} resamples of {bs.n_clusters} {unit}; "
                            f"{bs.n_failed} failed, {bs.n_moved} in another basin")
    grown = Table(title=table.title, caption=caption)
    for col in table.columns:
        grown.add_column(col.header, justify=col.justify)
    grown.add_column(f"{level_label(level)} lower", justify="right")
    grown.add_column(f"{level_label(level)} upper", justify="right")
    rows = zip(*(list(col.cells) for col in table.columns), strict=True)
    for name, cells in zip(bs.names, rows, strict=True):
        lo, hi = intervals[name]
        grown.add_row(*cells, Text(f"{lo:.6g}"), Text(f"{hi:.6g}"))
    return grown


def option_value(check: Callable[[Any], Any], value: Any, option: str) -> Any:
    """``check(value)``, its OptionError naming the command-line ``option`` rather than the
    library's argument (``--bootstrap``, not ``argument 'n'``)."""
    try:
        return check(value)
    except OptionError as exc:
        raise OptionError(exc.what, f"option {option}", exc.fix) from None


# -- predict --interval ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Prediction:
    """Predictions at the ``--at`` inputs, and their interval when one was asked for."""

    values: Any
    lower: Any = None
    upper: Any = None
    level: float | None = None
    kind: str = "mean"
    method: str | None = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"prediction": self.values}
        if self.level is not None:
            doc.update(lower=self.lower, upper=self.upper, level=self.level, kind=self.kind,
                       interval_method=self.method)
        return dict(json_value(doc))


def predict(result: FitResult, inputs: Mapping[str, Any], level: float | None,
            observation: bool) -> Prediction:
    """The fit's prediction, with a ``level`` interval for the mean or a new observation:
    from the bootstrap the fit file carries, else by the delta method."""
    kind = "observation" if observation else "mean"
    if level is not None:
        from ..uncertainty.resample import check_level

        level = option_value(check_level, level, "--interval")
    try:
        values = _floats(result.predict(**inputs))
        if level is None:
            return Prediction(values)
        lo, hi = result.predict_interval(level, kind=kind, **inputs)
    except ValueError as exc:  # shapes that do not broadcast
        if isinstance(exc, ScalingLawError):
            raise
        raise LawError(f"the --at lists do not line up ({exc})", "--at",
                       "give lists of equal length, or single values") from None
    method = "bootstrap" if result.uncertainty is not None else "delta"
    return Prediction(values, _floats(lo), _floats(hi), level, kind, method)


def predict_table(result: FitResult, inputs: Mapping[str, Any], pred: Prediction) -> Table:
    title = f"{result.law.name}: predicted {result.target}"
    if pred.level is not None:
        title += f" ({level_label(pred.level)} {pred.kind} interval, {pred.method})"
    table = Table(title=title)
    for k in inputs:
        table.add_column(k, justify="right")
    table.add_column(result.target, justify="right")
    if pred.level is not None:
        table.add_column("lower", justify="right")
        table.add_column("upper", justify="right")
    preds = _listed(pred.values)
    lows, highs = _listed(pred.lower), _listed(pred.upper)
    for i in range(len(preds)):
        row = [c.fmt(v if isinstance(v, float) else v[i if len(v) > 1 else 0])
               for v in inputs.values()]
        row.append(f"{preds[i]:.5g}")
        if pred.level is not None:
            row += [f"{lows[i]:.5g}", f"{highs[i]:.5g}"]
        table.add_row(*row)
    return table


def _floats(value: Any) -> Any:
    import numpy as np

    if np.ndim(value) == 0:
        return float(value)
    return [float(v) for v in np.asarray(value, dtype=float).ravel()]


def _listed(value: Any) -> list[float]:
    if value is None:
        return []
    return [value] if isinstance(value, float) else list(value)


# -- backtest -------------------------------------------------------------------------------------
def run_backtest(data: str, law: str, train: str, *, columns: Mapping[str, str],
                 exclude: str | None, x: str | None, y: str, level: float, n_boot: int,
                 seed: int | None, order: str | None, loss: str, delta: float,
                 show_progress: bool = False) -> Backtest:
    """Load the data as ``fit`` does and backtest the law on the train rule (with a progress
    bar over the folds on stderr when ``show_progress``)."""
    from ..validate import backtest

    if n_boot < 0 or n_boot == 1:
        c.fail(f"--n-boot must be 0 (the delta method) or at least 2, got {n_boot} — "
               "e.g. --n-boot 200")
    ds = c.load_data(data, exclude=exclude)
    with progress_bar("backtest", 1, show_progress) as update:
        return backtest(law, ds, train, level=level, n_boot=n_boot, seed=seed, order=order,
                        x=x, y=y, columns=columns or None, loss=loss, delta=delta,
                        progress=update)


def backtest_table(bt: Backtest) -> Table:
    table = Table(title=Text(f"backtest of {bt.law} (train: {bt.rule})"),
                  caption=Text(f"{len(bt.folds)} fold(s) · status {bt.status}"))
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [("fitted rows", str(bt.n_train)), ("scored rows", str(bt.n_test)),
            ("mean |rel. error|", _pct(bt.mean_abs_rel_error)),
            ("max |rel. error|", _pct(bt.max_abs_rel_error)),
            ("median |rel. error|", _pct(bt.median_abs_rel_error)),
            ("RMSE (log)", f"{bt.rmse_log:.4f}"),
            (f"{level_label(bt.level)} interval coverage", _pct(bt.coverage)),
            ("max extrapolation", f"{bt.max_extrapolation:.2f}x")]
    for k, v in rows:
        table.add_row(k, v)
    return table


def points_table(bt: Backtest) -> Table:
    """One row per scored test point: the forecast, its interval and its error."""
    table = Table(title=Text(f"backtest of {bt.law}: test points"))
    cols = ["fold", "y", "predicted", "lower", "upper", "abs_rel_error", "extrapolation"]
    heads = ["fold", "y", "predicted", "lower", "upper", "|rel. err|", "extrap."]
    for col, head in zip(cols, heads, strict=True):
        table.add_column(head, justify="left" if col == "fold" else "right",
                         no_wrap=col == "fold")
    for record in bt.points[cols].to_dict(orient="records"):
        table.add_row(Text(str(record["fold"])),
                      *(f"{float(record[k]):.5g}" for k in cols[1:]))
    return table


def _pct(x: float) -> str:
    return f"{x:.2%}"


def level_label(level: float) -> str:
    """``95%`` for 0.95, ``99.5%`` for 0.995."""
    return f"{level * 100:.4g}%"


# -- select ---------------------------------------------------------------------------------------
def split_laws(items: list[str]) -> list[str]:
    """Law names from ``--laws a,b --laws c``; commas inside parentheses stay (expressions)."""
    names: list[str] = []
    for item in items:
        depth, start = 0, 0
        for i, ch in enumerate(item + ","):
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch == "," and depth <= 0:
                if part := item[start:i].strip():
                    names.append(part)
                start = i + 1
    return names


def run_select(data: str, laws: list[str], holdout: str, *, columns: Mapping[str, str],
               exclude: str | None, x: str | None, y: str, level: float,
               order: str | None, show_progress: bool = False) -> Selection:
    """Load the data as ``fit`` does and select the law and fitting choice (with a progress
    bar over the candidates on stderr when ``show_progress``)."""
    from ..validate import select

    ds = c.load_data(data, exclude=exclude)
    names = split_laws(laws) or None
    with progress_bar("select", 1, show_progress) as update:
        return select(ds, laws=names, holdout=holdout, level=level, order=order, x=x, y=y,
                      columns=columns or None, progress=update)


def select_table(sel: Selection) -> Table:
    table = Table(title=Text(f"law and fitting choice by held-out error ({sel.holdout})"),
                  caption=Text(f"selected: {sel.law} with {sel.choice.name} ({sel.reason})"))
    cols = ["rank", "law", "choice", "mean_abs_rel_error", "max_abs_rel_error", "n_test",
            "status"]
    heads = ["rank", "law", "choice", "mean |err|", "max |err|", "tests", "status"]
    for col, head in zip(cols, heads, strict=True):
        table.add_column(head, justify="right" if col in ("rank", "n_test") or "error" in col
                         else "left", no_wrap=col in ("law", "choice"))
    for record in sel.table[cols].to_dict(orient="records"):
        table.add_row(*(Text(_pct(record[k]) if "error" in k else str(record[k]))
                        for k in cols))
    return table
