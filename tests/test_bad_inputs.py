"""The catalogue of bad inputs: every one gets a clear error, from the library and the CLI.

Each case of ``CASES`` gives a bad input, the :class:`~scalinglaws.ScalingLawError` subclass it
must raise, text the message must contain to name what is concerned (column, row, parameter,
option, file) and text of its *fix* part (what to do). Library cases check the exception
object itself; CLI cases run ``scalinglaws`` in-process and check exit code 2 (1 where a fit
or query failed), no traceback, the message on stderr and, through a spy on the CLI's error
exit, the class of the error it reported. Inputs that are not errors (duplicated rows,
unsorted steps, extra keys in a fit file, hostile run names, implausible units, mixed
families) have their own tests below the catalogue. ``docs/bad_inputs.md`` tabulates it all.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.cli import common
from scalinglaws.exceptions import (
    DataError,
    FitError,
    LawError,
    OptionError,
    ResultFileError,
    ScalingLawError,
    ScalingLawWarning,
)

# -- data ------------------------------------------------------------------------------------
#: Hoffmann et al. (2022) values, used to make exact synthetic losses
TRUE = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def runs_frame(flops: bool = False) -> pd.DataFrame:
    """30 runs on a 6 x 5 grid of sizes and tokens, with exact Chinchilla losses (6 points per
    parameter: no 'barely determined' warning in the way of the cases)."""
    N, D = (a.ravel() for a in np.meshgrid(np.geomspace(1e8, 1e10, 6),
                                           np.geomspace(2e9, 2e11, 5)))
    loss = TRUE["E"] + TRUE["A"] / N ** TRUE["alpha"] + TRUE["B"] / D ** TRUE["beta"]
    frame = pd.DataFrame({"params": N, "tokens": D, "loss": loss})
    if flops:
        frame.insert(2, "flops", 6 * N * D)
    return frame


def with_value(role: str, value: Any, row: int = 1, frame: pd.DataFrame | None = None
               ) -> pd.DataFrame:
    """``runs_frame(flops=True)`` with ``value`` put in column ``role`` at ``row``."""
    frame = runs_frame(flops=True) if frame is None else frame.copy()
    frame[role] = frame[role].astype(object)
    frame.loc[row, role] = value
    return frame


def write_csv(folder: Path, frame: pd.DataFrame, name: str = "runs.csv") -> Path:
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def write_text(folder: Path, text: str, name: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@cache
def good_fit() -> sl.FitResult:
    """One converged fit of the synthetic runs (shared; read-only)."""
    return sl.fit("chinchilla", runs_frame())


def fit_record() -> dict[str, Any]:
    return good_fit().to_dict()


def fit_file(folder: Path, record: dict[str, Any] | None = None, name: str = "fit.json"
             ) -> Path:
    return write_text(folder, json.dumps(fit_record() if record is None else record), name)


# -- the catalogue ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One bad input. ``call(tmp)`` (library) must raise; ``args(tmp)`` (CLI) must exit
    ``code``. ``names``: text naming what is concerned; ``fix``: text of what to do."""

    id: str
    where: str
    error: type[ScalingLawError]
    names: tuple[str, ...]
    fix: tuple[str, ...]
    call: Callable[[Path], Any] | None = None
    args: Callable[[Path], list[Any]] | None = None
    code: int = 2
    xfail: str | None = None


def lib(id_: str, error: type[ScalingLawError], names: tuple[str, ...], fix: tuple[str, ...],
        call: Callable[[Path], Any], xfail: str | None = None) -> Case:
    return Case(id_, "library", error, names, fix, call=call, xfail=xfail)


def cli(id_: str, error: type[ScalingLawError], names: tuple[str, ...], fix: tuple[str, ...],
        args: Callable[[Path], list[Any]], code: int = 2, xfail: str | None = None) -> Case:
    return Case(id_, "CLI", error, names, fix, args=args, code=code, xfail=xfail)


def fit_csv(frame: pd.DataFrame, *extra: Any) -> Callable[[Path], list[Any]]:
    """CLI arguments fitting chinchilla to ``frame`` written as CSV."""
    return lambda tmp: ["fit", write_csv(tmp, frame), "--law", "chinchilla", *extra]


_VALUE_FIX = {"nan": ("drop or fill those rows",), "inf": ("drop those rows",),
              "zero": ("drop those rows", "check the column mapping"),
              "negative": ("drop those rows", "check the column mapping")}
_VALUE_WHAT = {"nan": "missing values (NaN)", "inf": "infinite values",
               "zero": "strictly positive (found 0)", "negative": "strictly positive (found -1)"}
_VALUES = {"nan": np.nan, "inf": np.inf, "zero": 0.0, "negative": -1.0}

VALUE_CASES = [
    lib(f"{kind}-{role}", DataError, (f"column '{role}'", "row 1 ", _VALUE_WHAT[kind]),
        _VALUE_FIX[kind], (lambda tmp, r=role, v=value: sl.Dataset.from_frame(with_value(r, v))))
    for role in ("params", "tokens", "flops", "loss") for kind, value in _VALUES.items()
]

# the same through a CSV file and the CLI: one kind of bad value per role
CLI_VALUE_CASES = [
    cli(f"cli-{kind}-{role}", DataError, (f"column '{role}'", "row 3 ", _VALUE_WHAT[kind]),
        _VALUE_FIX[kind], fit_csv(with_value(role, _VALUES[kind], row=3)))
    for role, kind in (("params", "nan"), ("tokens", "inf"), ("flops", "zero"),
                       ("loss", "negative"))
]

UNITS_FIX = ("plain numbers such as 7e9",)

FILE_CASES = [
    lib("empty-file", DataError, ("empty.csv", "is empty"), ("header row",),
        lambda tmp: sl.Dataset.from_csv(write_text(tmp, "", "empty.csv"))),
    cli("cli-empty-file", DataError, ("empty.csv", "is empty"), ("header row",),
        lambda tmp: ["fit", write_text(tmp, "", "empty.csv"), "--law", "chinchilla"]),
    lib("header-only", DataError, ("no rows", "params", "tokens", "loss"),
        ("at least one observation",),
        lambda tmp: sl.Dataset.from_csv(write_text(tmp, "params,tokens,loss\n", "h.csv"))),
    cli("cli-header-only", DataError, ("no rows", "params"), ("at least one observation",),
        lambda tmp: ["fit", write_text(tmp, "params,tokens,loss\n", "h.csv"),
                     "--law", "chinchilla"]),
    lib("one-row", DataError, ("1 data point(s)", "5 parameters", "'chinchilla'"),
        ("add runs",), lambda tmp: sl.fit("chinchilla", runs_frame().iloc[:1])),
    cli("cli-one-row", DataError, ("1 data point(s)", "'chinchilla'"), ("add runs",),
        fit_csv(runs_frame().iloc[:1])),
    lib("fewer-rows-than-parameters", DataError, ("4 data point(s)", "5 parameters"),
        ("add runs", "smaller law"), lambda tmp: sl.fit("chinchilla", runs_frame().iloc[:4])),
    lib("not-a-number", DataError, ("column 'loss'", "row 2 ", "'n/a'"), ("plain numbers",),
        lambda tmp: sl.Dataset.from_frame(with_value("loss", "n/a", row=2))),
    cli("cli-not-a-number", DataError, ("column 'loss'", "row 2 ", "'diverged'"),
        ("plain numbers", "drop those rows"), fit_csv(with_value("loss", "diverged", row=2))),
    # "7B", "1.4T" and thousands separators are refused, and the message says how to write them
    lib("units-7B", DataError, ("column 'params'", "'7B'", "row 0 "), UNITS_FIX,
        lambda tmp: sl.Dataset.from_frame(with_value("params", "7B", row=0))),
    lib("units-1.4T", DataError, ("column 'tokens'", "'1.4T'", "row 4 "), UNITS_FIX,
        lambda tmp: sl.Dataset.from_frame(with_value("tokens", "1.4T", row=4))),
    lib("thousands-separators", DataError, ("column 'params'", "'7,000,000,000'"), UNITS_FIX,
        lambda tmp: sl.Dataset.from_frame(with_value("params", "7,000,000,000", row=0))),
    cli("cli-units-7B", DataError, ("column 'params'", "'7B'"), UNITS_FIX,
        fit_csv(with_value("params", "7B", row=0))),
    lib("boolean-column", DataError, ("column 'loss'", "true/false"), ("numeric values",),
        lambda tmp: sl.Dataset.from_frame(runs_frame().assign(loss=True))),
    lib("unknown-format", DataError, ("runs.xlsx",), (".csv, .parquet or .jsonl",),
        lambda tmp: sl.Dataset.from_path(write_text(tmp, "x", "runs.xlsx"))),
    lib("missing-data-file", DataError, ("nope.csv",), ("check the path",),
        lambda tmp: sl.Dataset.from_csv(tmp / "nope.csv")),
    lib("not-a-frame", DataError, ("argument 'frame'", "dict"), ("from_csv",),
        lambda tmp: sl.Dataset({"params": [1e9]})),
    lib("mapped-column-missing", DataError, ("'n_params'", "available columns"),
        ("fix the column mapping",),
        lambda tmp: sl.Dataset.from_frame(runs_frame(), columns={"params": "n_params"})),
    cli("cli-exclude-not-boolean", DataError, ("column 'loss'", "--exclude"),
        ("write true or false",),
        lambda tmp: ["fit", write_csv(tmp, runs_frame()), "--law", "chinchilla",
                     "--exclude", "loss"]),
    lib("weights-wrong-length", DataError, ("argument 'weights'", "30 rows"),
        ("30 non-negative numbers",),
        lambda tmp: sl.fit("chinchilla", runs_frame(), weights=[1.0, 2.0])),
]

LAW_CASES = [
    lib("unknown-law", LawError, ("unknown law 'chinchila'", "catalog:"),
        ("did you mean 'chinchilla'",), lambda tmp: sl.fit("chinchila", runs_frame())),
    cli("cli-unknown-law", LawError, ("unknown law 'kaplann'",), ("did you mean 'kaplan'",),
        lambda tmp: ["fit", write_csv(tmp, runs_frame()), "--law", "kaplann"]),
    # an expression whose input symbol is no role: the fix must say how to map it from
    # sl.fit (columns=) and from the CLI (--col), not only Law(inputs=...)
    lib("expression-undefined-input", LawError, ("has no input", "'E + A*q**(-alpha)'"),
        ("columns={'q'", "--col q="),
        lambda tmp: sl.fit("E + A*q**(-alpha)", runs_frame())),
    cli("cli-expression-undefined-input", LawError, ("has no input",), ("--col q=",),
        lambda tmp: ["fit", write_csv(tmp, runs_frame()), "--law", "E + A*q**(-alpha)"]),
    lib("mapping-unknown-symbol", LawError, ("'Q'", "C (column flops)"),
        ("map a symbol or role",),
        lambda tmp: sl.fit("E + A*C**(-alpha)", runs_frame(), columns={"Q": "flops"})),
    lib("expression-reads-missing-column", DataError, ("no column 'compute'",),
        ("--col flops=",),
        lambda tmp: sl.fit("E + A*C**(-alpha)", runs_frame(), columns={"C": "compute"})),
    lib("unknown-function", LawError, ("unknown function 'foo'", "column 6"),
        ("use one of",), lambda tmp: sl.fit("E + A*foo(C)**(-alpha)", runs_frame())),
    lib("code-in-expression", LawError, ("'__import__'",), ("plain names",),
        lambda tmp: sl.Law.from_expression("E + __import__*C")),
    lib("bounds-lower-above-upper", LawError, ("lower bound 2", "upper bound 1",
                                               "parameter 'alpha'"), ("swap them",),
        lambda tmp: sl.Law.from_expression(
            "E + A*C**(-alpha)", parameters={"alpha": {"lower": 2, "upper": 1}})),
    lib("catalog-bounds-lower-above-upper", LawError, ("parameter 'beta'",), ("swap them",),
        lambda tmp: sl.laws.catalog.get("chinchilla").with_parameters(
            beta={"lower": 0.9, "upper": 0.1})),
    lib("init-grid-outside-bounds", LawError, ("starting value 2", "[0, 1]",
                                               "parameter 'alpha'"), ("move the starting value",),
        lambda tmp: sl.Law.from_expression(
            "E + A*C**(-alpha)", parameters={"alpha": {"lower": 0, "upper": 1, "init": [2]}})),
    lib("init-outside-bounds", OptionError, ("starting value 20", "parameter 'alpha'",
                                             "init start 0", "argument 'init'"),
        ("move the start inside the bounds",),
        lambda tmp: sl.fit("power_law", runs_frame(), x="flops",
                           init={"E": 1.0, "A": 1.0, "alpha": 20.0})),
    lib("init-missing-parameter", OptionError, ("lacks ['alpha']", "argument 'init'"),
        ("give every parameter",),
        lambda tmp: sl.fit("power_law", runs_frame(), x="flops", init={"E": 1.0, "A": 1.0})),
]

FIT_CASES = [
    # E + A/(N - N0) with N0 fixed at 1e8, the smallest model, divides by zero on its rows
    # for every start (a start at a free pole would be moved off it), so no finite objective;
    # throw=True turns that into a FitError
    lib("division-by-zero-on-rows", FitError, ("'E + A/(N - N0) (N0=1e+08)'", "failed"),
        ("check the law's domain",),
        lambda tmp: sl.fit("E + A/(N - N0)", runs_frame(), throw=True, fix={"N0": 1e8},
                           init={"E": 1.7, "A": 1.0})),
    # exp(k*N) overflows for every start (N ~ 1e8..1e10)
    lib("overflow-in-domain", FitError, ("'E + A*exp(k*N)'", "failed"),
        ("check the law's domain",),
        lambda tmp: sl.fit("E + A*exp(k*N)", runs_frame(), throw=True)),
    lib("unknown-loss", OptionError, ("'l1'", "argument 'loss'"), ("huber",),
        lambda tmp: sl.fit("chinchilla", runs_frame(), loss="l1")),
    lib("log-loss-on-negative-target", DataError, ("column 'delta'", "mse_log"),
        ("loss='mse'",),
        lambda tmp: sl.fit("E + A*C**(-alpha)", runs_frame().assign(delta=-1.0), y="delta",
                           loss="mse_log")),
]

UNCERTAINTY_CASES = [
    lib("interval-level-0", OptionError, ("got 0.0", "argument 'level'"), ("0.95",),
        lambda tmp: good_fit().predict_interval(0.0, params=1e9, tokens=1e10)),
    lib("interval-level-1", OptionError, ("got 1", "argument 'level'"), ("0.95",),
        lambda tmp: good_fit().predict_interval(1, params=1e9, tokens=1e10)),
    cli("cli-interval-level-1", OptionError, ("got 1.0", "level"), ("0.95",),
        fit_csv(runs_frame(), "--bootstrap", "20", "--level", "1")),
    cli("cli-predict-interval-0", OptionError, ("got 0.0", "--interval"), ("0.95",),
        lambda tmp: ["predict", fit_file(tmp), "--at", "params=1e9", "tokens=1e10",
                     "--interval", "0"]),
    lib("bootstrap-1-resample", OptionError, ("at least 2 resamples, got 1", "argument 'n'"),
        ("use e.g. 1000",), lambda tmp: good_fit().bootstrap(1)),
    cli("cli-bootstrap-1-resample", OptionError, ("at least 2 resamples", "--bootstrap"),
        ("use e.g. 1000",), fit_csv(runs_frame(), "--bootstrap", "1")),
    lib("bootstrap-one-cluster", DataError, ("column 'family'", "1 distinct value"),
        ("resample points",),
        lambda tmp: sl.fit("chinchilla", runs_frame().assign(family="a")).bootstrap(
            20, by="family")),
    # two seeds give three distinct resamples: an interval whose end is the estimate itself
    cli("cli-bootstrap-two-seeds", DataError,
        ("column 'seed'", "2 distinct value(s)", "only 3 distinct resample(s)"),
        ("resample points", "collect more seed values"),
        fit_csv(runs_frame().assign(seed=["s0", "s1"] * 15), "--bootstrap", "200", "--by",
                "seed")),
]

JSON_CASES = [
    lib("json-newer-schema", ResultFileError, ("schema version 99", "field 'schema_version'"),
        ("upgrade scalinglaws",),
        lambda tmp: sl.load_fit(fit_file(tmp, {**fit_record(), "schema_version": 99}))),
    cli("cli-json-newer-schema", ResultFileError, ("schema version 99",),
        ("upgrade scalinglaws",),
        lambda tmp: ["predict", fit_file(tmp, {**fit_record(), "schema_version": 99}),
                     "--at", "params=1e9", "tokens=1e10"]),
    lib("json-truncated", ResultFileError, ("cut.json", "not valid JSON"), ("truncated",),
        lambda tmp: sl.load_fit(write_text(tmp, json.dumps(fit_record())[:300], "cut.json"))),
    cli("cli-json-truncated", ResultFileError, ("cut.json", "not valid JSON"), ("truncated",),
        lambda tmp: ["plan", write_text(tmp, json.dumps(fit_record())[:300], "cut.json"),
                     "--flops", "1e22"]),
    lib("json-not-a-fit", ResultFileError, ("field 'schema'",), ("scalinglaws fit --out",),
        lambda tmp: sl.load_fit(write_text(tmp, "[1, 2, 3]", "list.json"))),
    lib("json-missing-field", ResultFileError, ("'params'", "fit record"),
        ("save the fit again",),
        lambda tmp: sl.load_fit(fit_file(tmp, {k: v for k, v in fit_record().items()
                                               if k != "params"}))),
    lib("json-missing-file", ResultFileError, ("nope.json",), ("check the path",),
        lambda tmp: sl.load_fit(tmp / "nope.json")),
]

# queries are checked as data are; a query that cannot be asked is bad input (exit 2)
QUERY_CASES = [
    lib("query-negative-params", OptionError, ("a query's params", "got -1", "input 'params'"),
        ("params > 0",), lambda tmp: good_fit().predict(params=-1, tokens=1e10)),
    lib("query-nan-tokens", OptionError, ("a query's tokens", "got nan"), ("tokens > 0",),
        lambda tmp: good_fit().predict(params=1e9, tokens=float("nan"))),
    lib("plan-infinite-budget", OptionError, ("flops", "got inf", "argument 'flops'"),
        ("5.76e23",), lambda tmp: sl.plan.compute_optimal(good_fit(), flops=float("inf"))),
    cli("cli-predict-zero-params", OptionError, ("a query's params", "got 0", "option --at"),
        ("params > 0",),
        lambda tmp: ["predict", fit_file(tmp), "--at", "params=0", "tokens=1e10"]),
    cli("cli-predict-infinite-tokens", OptionError, ("a query's tokens", "got inf", "--at"),
        ("tokens > 0",),
        lambda tmp: ["predict", fit_file(tmp), "--at", "params=1e9", "tokens=inf"]),
]

PLOT_AND_PATH_CASES = [
    # a Dataset cannot be empty, so an empty table reaches a figure as a DataFrame or a file
    lib("plot-empty-frame", DataError, ("argument",), ("sl.Dataset.from_frame",),
        lambda tmp: sl.report.curves_figure(pd.DataFrame())),
    lib("plot-empty-selection", DataError, ("keeps no rows",), ("loosen the mask",),
        lambda tmp: sl.report.fit_figure(good_fit(), sl.Dataset.from_frame(runs_frame())[
            np.zeros(30, dtype=bool)])),
    cli("cli-plot-header-only", DataError, ("no rows",), ("at least one observation",),
        lambda tmp: ["plot", write_text(tmp, "step,loss,run\n", "curves.csv"), "--kind",
                     "curves", "--out", tmp / "c.png"]),
    cli("cli-plot-unknown-kind", OptionError, ("'scatter'", "--kind"), ("use one of",),
        lambda tmp: ["plot", write_csv(tmp, runs_frame()), "--kind", "scatter", "--out",
                     tmp / "c.png"]),
    cli("cli-plot-bad-suffix", OptionError, ("'c.gif'", "--out"), (".pdf, .png or .svg",),
        lambda tmp: ["plot", write_csv(tmp, runs_frame()), "--law", "chinchilla", "--kind",
                     "fit", "--out", tmp / "c.gif"]),
    lib("save-into-a-folder-path", DataError, ("Is a directory",), ("writable path",),
        lambda tmp: good_fit().save(tmp)),
    lib("save-missing-folder", DataError, ("does not exist", "nope"), ("create it first",),
        lambda tmp: good_fit().save(tmp / "nope" / "fit.json")),
    lib("html-missing-folder", DataError, ("does not exist", "r.html"), ("create it first",),
        lambda tmp: sl.report.html(good_fit(), tmp / "nope" / "r.html")),
    cli("cli-out-is-a-folder", DataError, ("Is a directory",), ("writable path",),
        lambda tmp: ["fit", write_csv(tmp, runs_frame()), "--law", "chinchilla", "--out", tmp]),
    cli("cli-out-missing-folder", DataError, ("does not exist", "fit.json"),
        ("create it first",),
        lambda tmp: ["fit", write_csv(tmp, runs_frame()), "--law", "chinchilla", "--out",
                     tmp / "nope" / "fit.json"]),
    cli("cli-report-missing-folder", DataError, ("does not exist", "r.html"),
        ("create it first",),
        lambda tmp: ["report", fit_file(tmp), "--out", tmp / "nope" / "r.html"]),
    cli("cli-plot-out-missing-folder", DataError, ("does not exist", "c.png"),
        ("create it first",),
        lambda tmp: ["plot", fit_file(tmp), "--kind", "fit", "--out", tmp / "nope" / "c.png"]),
    # output paths are checked before the data are read (a file that does not exist here)
    cli("cli-fit-report-missing-folder", DataError, ("does not exist", "option --report"),
        ("create it first",),
        lambda tmp: ["fit", tmp / "absent.csv", "--law", "chinchilla", "--report",
                     tmp / "nope" / "r.html"]),
    cli("cli-fit-out-not-json", OptionError, ("'fit.txt'", "option --out"), (".json",),
        lambda tmp: ["fit", tmp / "absent.csv", "--law", "chinchilla", "--out",
                     tmp / "fit.txt"]),
    cli("cli-select-out-missing-folder", DataError, ("does not exist", "option --out"),
        ("create it first",),
        lambda tmp: ["select", tmp / "absent.csv", "--out", tmp / "nope" / "fit.json"]),
]

CASES: list[Case] = [*VALUE_CASES, *CLI_VALUE_CASES, *FILE_CASES, *LAW_CASES, *FIT_CASES,
                     *UNCERTAINTY_CASES, *JSON_CASES, *QUERY_CASES, *PLOT_AND_PATH_CASES]


def _params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)]
                         if c.xfail else []) for c in cases]


def test_catalogue_size(capsys):
    ids = [c.id for c in CASES]
    assert len(set(ids)) == len(ids), "case ids must be unique"
    n_cli = sum(c.where == "CLI" for c in CASES)
    assert len(CASES) >= 40
    with capsys.disabled():
        print(f"\nbad-input catalogue: {len(CASES)} error cases ({len(CASES) - n_cli} library, "
              f"{n_cli} CLI; {sum(bool(c.xfail) for c in CASES)} xfail) + {len(OTHER_CASES)} "
              "non-error cases")


@pytest.mark.parametrize("case", _params([c for c in CASES if c.where == "library"]))
def test_library_error(case: Case, tmp_path: Path) -> None:
    assert case.call is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingLawWarning)  # fit health is not under test
        with pytest.raises(ScalingLawError) as info:
            case.call(tmp_path)
    exc = info.value
    assert type(exc) is case.error, (type(exc), str(exc))
    message = str(exc)
    # the one shape: what — where. Fix.
    assert exc.where and exc.fix, message
    assert f" — {exc.where}" in message
    for text in case.names:
        assert text in message, (text, message)
    for text in case.fix:
        assert text.lower() in exc.fix.lower(), (text, exc.fix)


@pytest.mark.parametrize("case", _params([c for c in CASES if c.where == "CLI"]))
def test_cli_error(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert case.args is not None
    reported: list[BaseException | None] = []
    original = common.fail

    def spy(message: str, code: int = common.EXIT_BAD_INPUT) -> Any:
        reported.append(sys.exc_info()[1])  # the ScalingLawError being handled, if any
        return original(message, code)

    monkeypatch.setattr(common, "fail", spy)
    result = run(*case.args(tmp_path), code=case.code)  # also: no traceback anywhere
    assert reported and type(reported[-1]) is case.error, (reported, result.stderr)
    assert result.stdout == "", "an error prints nothing on stdout"
    err = result.stderr
    assert "error:" in err
    for text in case.names:
        assert text in err, (text, err)
    for text in case.fix:
        assert text.lower() in err.lower(), (text, err)


# -- inputs that are not errors: what happens instead ----------------------------------------
OTHER_CASES = ["duplicated-rows", "cli-duplicated-rows", "tokens-in-billions",
               "params-in-billions", "mixed-families", "unsorted-steps", "json-extra-keys",
               "cli-json-extra-keys", "cli-hostile-run-names", "cli-failed-fit-overflow"]


def test_duplicated_rows_warn_and_weigh_double():
    """Duplicated rows are kept (they may be genuine repeats) with a warning naming them."""
    frame = pd.concat([runs_frame(), runs_frame().iloc[[3, 7]]], ignore_index=True)
    with pytest.warns(ScalingLawWarning, match="2 duplicated row") as record:
        ds = sl.Dataset.from_frame(frame)
    message = str(record[0].message)
    assert "rows 30, 31" in message and "drop_duplicates()" in message
    assert len(ds) == 32


def test_cli_duplicated_rows_warn(tmp_path):
    frame = pd.concat([runs_frame(), runs_frame().iloc[[3]]], ignore_index=True)
    result = run("fit", write_csv(tmp_path, frame), "--law", "chinchilla")
    assert "warning:" in result.stderr and "duplicated row" in result.stderr


@pytest.mark.parametrize("role", ["tokens", "params"])
def test_counts_in_billions_warn(role):
    frame = runs_frame()
    frame[role] = frame[role] / 1e9  # e.g. tokens 2 .. 200 (billions), params 0.1 .. 10
    with pytest.warns(ScalingLawWarning, match=f"column '{role}'") as record:
        sl.Dataset.from_frame(frame)
    message = " ".join(str(r.message) for r in record)
    assert "billions" in message and "1e9" in message


def test_plausible_counts_do_not_warn():
    """The guard of the case above: real counts (and the bundled data) give no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScalingLawWarning)
        sl.Dataset.from_frame(runs_frame())
        sl.datasets.load("chinchilla")


def test_mixed_families_without_family_column_warn():
    """Two families (irreducible loss 1.69 and 2.3) on the same sizes and tokens, pooled with
    no family column: rows with equal inputs differ by ~20% in loss, which no law of the inputs
    can fit; the fit must say that families look mixed and how to separate them."""
    other = runs_frame().assign(loss=lambda f: f["loss"] + 0.61)
    mixed = pd.concat([runs_frame(), other], ignore_index=True)
    with pytest.warns(ScalingLawWarning) as record:
        sl.fit("chinchilla", mixed)
    messages = [str(r.message) for r in record]
    assert any("famil" in m and "params, tokens" in m and "by=" in m for m in messages), messages


def test_repeated_seeds_do_not_look_like_mixed_families():
    """The guard of the case above: seeds 1% apart at equal inputs are not flagged."""
    seeds = pd.concat([runs_frame(), runs_frame().assign(loss=lambda f: f["loss"] * 1.01)],
                      ignore_index=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", ScalingLawWarning)
        fit = sl.fit("chinchilla", seeds)
    assert fit.status.ok
    assert not any("famil" in str(r.message) for r in record)


def test_unsorted_steps_fit_the_same():
    """Row order carries no meaning: steps in any order give the same fit (the objective is a
    sum over rows; only its summation order changes, so parameters agree to far below the
    optimiser's tolerance: rel 1e-6)."""
    steps = np.geomspace(100, 1e5, 25)
    frame = pd.DataFrame({"step": steps, "loss": 2.0 + 12.0 * steps**-0.3})
    shuffled = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    assert not shuffled["step"].is_monotonic_increasing
    ordered = sl.fit("E + A*S**(-alpha)", frame)
    scrambled = sl.fit("E + A*S**(-alpha)", shuffled)
    assert scrambled.status.ok and ordered.status.ok
    for name, value in ordered.params.items():
        assert scrambled.params[name] == pytest.approx(value, rel=1e-6)
    assert scrambled.params["alpha"] == pytest.approx(0.3, rel=1e-6)  # exact data


def test_json_with_extra_keys_is_read(tmp_path):
    """Unknown keys (from a newer writer of the same schema version) are ignored."""
    record = {**fit_record(), "comment": "by hand", "future": {"x": [1, 2]}}
    loaded = sl.load_fit(fit_file(tmp_path, record))
    assert dict(loaded.params) == pytest.approx(dict(good_fit().params), rel=1e-12)


def test_cli_json_with_extra_keys_is_read(tmp_path):
    record = {**fit_record(), "comment": "by hand"}
    doc = json.loads(run("predict", fit_file(tmp_path, record), "--at", "params=1e9",
                         "tokens=1e10", "--json").stdout)
    assert doc["prediction"] == pytest.approx(good_fit().predict(params=1e9, tokens=1e10),
                                              rel=1e-12)


def test_cli_report_escapes_hostile_run_names(tmp_path):
    hostile = "<script>alert('run')</script>"
    frame = runs_frame().assign(run=[hostile if i % 2 else f"r{i}" for i in range(30)])
    path = tmp_path / "r.html"
    run("report", fit_file(tmp_path), "--data", write_csv(tmp_path, frame), "--title",
        "<img src=x onerror=alert(1)>", "--out", path)
    page = path.read_text()
    assert hostile not in page and "<img src=x" not in page
    # the names are there as text: entity-escaped for plotly's hover, inside escaped JSON
    assert "\\u0026lt;script\\u0026gt;alert('run')\\u0026lt;/script\\u0026gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the title


def test_cli_failed_fit_exits_1_and_says_why(tmp_path):
    """A law that overflows everywhere is a failed fit, not bad input: exit 1 (DESIGN), the
    status and a message naming the law's domain, no traceback."""
    result = run("fit", write_csv(tmp_path, runs_frame()), "--law", "E + A*exp(k*N)", "--json",
                 code=1)
    doc = json.loads(result.stdout)
    assert doc["status"] == "failed"
    assert any("check the law's domain" in w for w in doc["warnings"])
