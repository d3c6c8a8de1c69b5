"""``scalinglaws fit`` and ``scalinglaws predict``.

``fit --json`` prints the fit's one document, ``FitResult.to_dict()``: the document ``--out``
writes, with the warnings the command caught (reading the data, fitting, resampling) folded
into the fit (the table leaves them to stderr). A joint fit (``--groups``) prints
``SharedFit.to_dict()`` likewise, with the keys it lacks (:func:`.shared.shared_doc`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import common as c
from . import hyper, mixfit, multipower
from . import shared as sh

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from ..fitting import FitResult

#: interval level of ``fit --bootstrap`` when ``--level`` is not given
BOOTSTRAP_LEVEL = 0.95

StartsOpt = Annotated[str, typer.Option(help="auto | grid")]
MaxIterOpt = Annotated[int, typer.Option(
    "--max-iter", metavar="N", help="Iterations of each stage of the search per start "
    "(raise it when a fit stops at its iteration limit).")]
BootstrapOpt = Annotated[int | None, typer.Option(
    "--bootstrap", metavar="N",
    help="Refit on N resamples and give percentile intervals, e.g. 200.")]
ByOpt = Annotated[str | None, typer.Option(
    "--by", help="Resample whole clusters of this column (run, seed, family...), not points; "
    "needs at least 5 distinct values (fewer than 10 warn).")]
LevelOpt = Annotated[float | None, typer.Option(
    help="Level of the --bootstrap intervals (default 0.95).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the fit as JSON.")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write an HTML report.")]
FixOpt = Annotated[list[str] | None, typer.Option(
    "--fix", metavar="NAME=VALUE", help="Hold a parameter at a value (one the data cannot "
    "determine): --fix k=1.0; repeat for several.")]
CalibrateOpt = Annotated[bool, typer.Option(
    "--calibrate/--no-calibrate", help="Calibrate the fit's extrapolation intervals on "
    "rolling-origin backtests of the data (saved with --out; predict and plan use them).")]
TieOpt = Annotated[list[str] | None, typer.Option(
    "--tie", metavar="NAME=OTHER", help="Replace a parameter by another: --tie beta=alpha "
    "(one exponent for both terms); repeat for several.")]


@dataclass(frozen=True)
class FitRequest:
    """What ``fit`` was asked, parsed: the data, the law and how to fit it."""

    data: str
    law: str
    exclude: str | None
    options: dict[str, Any]
    calibrate: bool = True
    rows: c.Rows = field(default_factory=c.Rows)

    def load(self) -> Dataset:
        """The runs, less the rows the row options and ``--exclude`` drop."""
        reads = [self.options.get("x"), self.options.get("y"),
                 *(self.options.get("columns") or {}).values()]
        return c.load_data(self.data, exclude=self.exclude, rows=self.rows, reads=reads)


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
        if n is None:
            if by is not None or level is not None:
                c.fail("--by and --level go with --bootstrap N — e.g. --bootstrap 200 "
                       "--level 0.95")
            return None
        from ..common.checks import check_level, check_resamples

        return cls(c.option_value(check_resamples, n, "--bootstrap"), by, seed,
                   c.option_value(check_level, BOOTSTRAP_LEVEL if level is None else level,
                                  "--level"))

    def check_data(self, ds: Dataset) -> None:
        """Raise the library's error now, before the fit, when ``--by`` cannot cluster ``ds``."""
        from ..uncertainty.resample import clusters

        clusters(ds, self.by)


def fit_command(
    ctx: typer.Context,
    data: c.DataArg,
    law: c.LawOpt,
    col: c.ColOpt = None,
    x: c.XOpt = None,
    y: c.YOpt = None,
    loss: c.FitLossOpt = None,
    delta: c.DeltaOpt = 1e-3,
    starts: StartsOpt = "auto",
    max_iter: MaxIterOpt = 1000,
    exclude: c.ExcludeOpt = None,
    where: c.WhereOpt = None,
    dropna: c.DropnaOpt = False,
    last_by: c.LastByOpt = None,
    best_of: c.BestOfOpt = None,
    best_by: c.BestByOpt = None,
    bootstrap: BootstrapOpt = None,
    by: ByOpt = None,
    seed: c.SeedOpt = 0,
    level: LevelOpt = None,
    calibrate: CalibrateOpt = True,
    out: OutOpt = None,
    report: ReportOpt = None,
    shared: sh.SharedOpt = None,
    groups: sh.GroupsOpt = None,
    fix: FixOpt = None,
    tie: TieOpt = None,
    keep_unfinished: Annotated[bool, typer.Option(
        "--keep-unfinished", help="Fit the runs whose status column says they did not finish "
        "(diverged, unfinished, failed); they are left out by default.")] = False,
    seq_len: hyper.SeqLenOpt = None,
    domains: mixfit.DomainsOpt = None,
    metric: Annotated[str | None, typer.Option("--metric", help="The score column to fit "
        "(accuracy, top1_error...): least squares on the score, in [0, 1].")] = None,
    chance: Annotated[float | None, typer.Option(
        "--chance", help="With --law sigmoid_compute: the benchmark's chance level, the "
        "fixed floor (0.25 for four choices).")] = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Fit a law to the runs in DATA.

    Examples: scalinglaws fit runs.csv --law chinchilla --out fit.json;
    scalinglaws fit runs.csv --law "E + A*C**(-alpha)" --col C=flops;
    scalinglaws fit runs.csv --law chinchilla --bootstrap 200 --by run --out fit.json;
    scalinglaws fit runs.csv --law chinchilla --shared alpha,beta --groups family;
    scalinglaws fit mix.csv --law mixture --domains web,code,books --out mix.json;
    scalinglaws fit scores.csv --law sigmoid_compute --metric accuracy --chance 0.25
    """
    col = c.more_cols(ctx, col)
    law, y = _metric_options(law, y, metric, chance)
    with c.handled(debug, quiet or json_):  # before reading the data or fitting
        c.check_out(out, "--out", (".json",), "fit file")
        c.check_out(report, "--report", (".html", ".htm"), "report")
    if law.strip() == multipower.NAME:
        return multipower.fit_curves(data, col, y, by, fixed_values(fix or []), out, json_, debug,
                                     quiet, {"--x": x, "--loss": loss, "--bootstrap": bootstrap,
                                             "--report": report, "--shared": shared, "--groups":
                                             groups, "--tie": tie, "--domains": domains, "--where":
                                             where, "--exclude": exclude, "--dropna": dropna,
                                             "--last-by": last_by, "--best-of": best_of,
                                             "--best-by": best_by})
    if domains is not None:
        return mixfit.fit_mixture(data, law, domains, exclude, c.Rows(
            where, dropna, last_by, best_of, best_by), out, json_, debug, quiet)
    if law == hyper.STEP_LAW:
        hyper.fit_hyper(data, c.parse_pairs(col or [], "--col"), y, seq_len, bootstrap, seed,
                        level, out, c.Rows(where, dropna, last_by, best_of, best_by), exclude,
                        {"--x": x, "--by": by, "--report": report, "--shared": shared,
                         "--groups": groups, "--fix": fix, "--tie": tie},
                        json_=json_, debug=debug, quiet=quiet)
        return
    if seq_len is not None:
        c.fail("--seq-len goes with --law step_law (batch sizes counted in sequences)")
    options = {"x": x, "y": y, "columns": c.parse_pairs(col or [], "--col"), "loss": loss,
               "delta": delta, "starts": starts, "max_iter": max_iter,
               "fix": fixed_values(fix or []), "tie": c.parse_pairs(tie or [], "--tie"),
               "keep_unfinished": keep_unfinished}
    request = FitRequest(data, law, exclude, options, calibrate,
                         c.Rows(where, dropna, last_by, best_of, best_by))
    if groups is not None or shared is not None:
        fit_groups(request, groups, shared, bootstrap, report, out, json_, debug, quiet)
        return
    with c.handled(debug, quiet or json_) as caught:
        boot = BootstrapOptions.checked(bootstrap, by, seed, level)
        result, ds = fit_data(request, boot, caught, progress=not (quiet or json_))
        if out:
            result.save(out)
        if report:
            from ..report import html

            html([result], report, data=[ds], command=command_line())
    failed = result.status.value in ("failed", "max_iter")
    from .fit_tables import reward_peak_of

    top = None if failed else reward_peak_of(result)
    if json_:
        c.emit_json({**result.to_dict(), **({"peak": top.to_dict()} if top else {})})
    else:
        from .fit_tables import fit_table

        c.out.print(fit_table(result))
        if top is not None:
            c.out.print(c.escape(str(top)), highlight=False)
        if boot and failed:
            c.err.print("[yellow]warning:[/] no bootstrap: the fit itself failed")
    if out:
        c.written("fit", out)
    if failed:
        raise typer.Exit(c.EXIT_FAILED)


def _metric_options(law: str, y: str | None, metric: str | None,
                    chance: float | None) -> tuple[str, str | None]:
    """``--metric`` names the target (unless ``--y``); ``--chance`` the law's ``chance``."""
    if metric is not None and y is not None and metric != y:
        c.fail(f"--metric {c.escape(metric)} and --y {c.escape(y)} name two targets — give one")
    if chance is not None:
        if law.strip() != "sigmoid_compute":
            c.fail("--chance goes with --law sigmoid_compute (its fixed floor)")
        law = f"sigmoid_compute(chance={chance!r})"
    return law, y if y is not None else metric


def fixed_values(items: list[str]) -> dict[str, float]:
    """``--fix NAME=VALUE`` items as numbers."""
    out = {}
    for name, text in c.parse_pairs(items, "--fix").items():
        numbers = c.parse_numbers(text, f"--fix {name}")
        if len(numbers) != 1:
            c.fail(f"--fix {c.escape(name)} takes one number, got {c.escape(text)}")
        out[name] = numbers[0]
    return out


def fit_data(request: FitRequest, boot: BootstrapOptions | None, caught: c.Caught, *,
             progress: bool) -> tuple[FitResult, Dataset]:
    """Read the data, fit the law, calibrate it and bootstrap it when asked (not a fit that
    failed), and fold the warnings caught on the way into the fit."""
    from ..fitting import fit

    ds = request.load()
    if boot:
        boot.check_data(ds)
    result = fit(request.law, ds, **request.options)
    if request.calibrate and result.status.finished:
        result = calibrated(result)
    if boot and result.status.value not in ("failed", "max_iter"):
        from .progress import progress_bar

        with progress_bar("bootstrap", boot.n, progress) as update:
            bs = result.bootstrap(boot.n, by=boot.by, seed=boot.seed, progress=update,
                                  level=boot.level)
        result = result.with_bootstrap(bs)
    return c.with_caught(result, caught.messages), ds


def calibrated(result: FitResult) -> FitResult:
    """The fit calibrated on its data's backtests; when the data are too few for that, the
    fit as it is, with a warning saying why."""
    from ..common.warning import warn
    from ..exceptions import DataError
    from ..fitting import calibrate

    try:
        return calibrate(result)
    except DataError as exc:
        warn(f"intervals not calibrated ({exc.what}): predict and plan will give "
             "parameter-only intervals")
        return result


def fit_groups(request: FitRequest, groups: str | None, shared: str | None,
               bootstrap: int | None, report: Path | None, out: Path | None, json_: bool,
               debug: bool, quiet: bool) -> None:
    """``fit --shared ... --groups COLUMN``: one joint fit across the groups."""
    from ..fitting import fit

    with c.handled(debug, quiet or json_) as caught:
        sh.check_combination(groups, shared, bootstrap, report)
        assert groups is not None
        ds = request.load()
        joint = fit(request.law, ds, by=groups, shared=sh.shared_names(shared),
                    **request.options)
        joint = sh.with_warnings(joint, caught.messages)
        if out:
            joint.save(out)
    if json_:
        c.emit_json(sh.shared_doc(joint))
    else:
        from .fit_tables import shared_table

        c.out.print(shared_table(joint))
    if out:
        c.written("fit", out)
    if not joint.status.ok:
        raise typer.Exit(c.EXIT_FAILED)


def predict_command(
    ctx: typer.Context,
    fit_file: c.FitArg,
    at: Annotated[list[str] | None, typer.Option(
        "--at", help="Inputs: --at params=7e10 tokens=1.4e12 (comma lists allowed).")] = None,
    interval: Annotated[float | None, typer.Option(
        "--interval", metavar="LEVEL", help="Add a LEVEL interval for a new run, e.g. 0.9: "
        "calibrated on the data's backtests when the fit carries a calibration (fit does by "
        "default), else parameter-only; with --schedule a bootstrap band.")] = None,
    kind: Annotated[str, typer.Option(
        "--kind", help="auto | calibrated | observation | mean: the interval's kind; "
        "observation and mean are parameter-only (a new run; the law's mean).")] = "auto",
    observation: Annotated[bool, typer.Option(
        "--observation", help="Same as --kind observation; implies --interval 0.9 when not "
        "given.")] = False,
    group: Annotated[str | None, typer.Option(
        "--group", help="For a joint fit across groups: the group to predict for (default: "
        "every group, a row each).")] = None,
    schedule: Annotated[str | None, typer.Option(
        "--schedule", metavar="KIND:NAME=VALUE,...", help="Forecast the loss curve under a "
        "learning-rate schedule (a fit of the schedule or schedule_n law, or a multi-power "
        "fit): e.g. wsd:peak=3e-4,decay=0.2 (total defaults to --steps).")] = None,
    steps: Annotated[str | None, typer.Option(
        "--steps", metavar="N|S1,S2,...", help="With --schedule: N (steps 1..N, ~200 "
        "points) or a comma list of steps.")] = None,
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
) -> None:
    """Predict the target from a saved fit, optionally with an interval; or with --schedule
    the loss curve under a learning-rate schedule.

    Examples: scalinglaws predict fit.json --at params=7e10 tokens=1.4e12;
    scalinglaws predict fit.json --at params=7e10 tokens=1.4e12 --interval 0.9 --observation;
    scalinglaws predict fit.json --schedule wsd:decay=0.2,peak=3e-4 --steps 20000 --json
    """
    items = list(at or []) + extra_pairs(ctx)
    pairs = c.parse_pairs(items, "--at")
    inputs = {k: c.parse_numbers(v, f"--at {k}") for k, v in pairs.items()}
    values: dict[str, Any] = {k: (v[0] if len(v) == 1 else v) for k, v in inputs.items()}
    if schedule is not None or steps is not None:
        from .curves import curve_command

        if schedule is None:
            c.fail("--steps goes with --schedule — e.g. --schedule wsd:peak=3e-4 --steps "
                   "20000")
        if observation:
            c.fail("--observation does not apply to --schedule curves (--interval does)")
        return curve_command(fit_file, schedule, steps, values, group, json_, debug, interval)
    if not items:
        c.fail("predict needs inputs — e.g. --at params=7e10 tokens=1.4e12")
    level = 0.9 if observation and interval is None else interval
    kind = "observation" if observation else kind
    if kind not in ("auto", "calibrated", "observation", "mean"):
        c.fail(f"--kind must be auto, calibrated, observation or mean, got {c.escape(kind)}")
    with c.handled(debug, json_):
        from ..common.checks import check_level
        from ..exceptions import LawError, OptionError
        from ..fitting import HyperparameterFit, load, predict

        if level is not None:
            level = c.option_value(check_level, level, "--interval")
        result = load(fit_file, group)  # a joint fit without --group: every group
        if isinstance(result, HyperparameterFit):
            hyper.predict_hyper(result, values, level, json_)
            return
        if kind == "calibrated" and getattr(result, "calibration", None) is None:
            raise OptionError("this fit carries no calibration for --kind calibrated",
                              "option --kind", "refit with scalinglaws fit ... --out FILE "
                              "(it calibrates unless --no-calibrate), or use --kind "
                              "observation (parameter-only)")
        with c.naming("--at", LawError, OptionError):
            pred = predict(result, values, level=level, kind=kind)
    if json_:
        c.emit_json({**pred.to_dict(), "at": values, "law": result.law.name,
                     "target": result.target})  # a joint fit: by, group beside prediction
    else:
        from .fit_tables import predict_table

        c.out.print(predict_table(result, values, pred))


def extra_pairs(ctx: typer.Context) -> list[str]:
    """Extra ``key=value`` arguments (``--at a=1 b=2``); anything else is refused."""
    bad = [a for a in ctx.args if "=" not in a]
    if bad:
        c.fail(f"unexpected argument(s) {' '.join(map(c.escape, bad))} — "
               "inputs are written key=value")
    return list(ctx.args)


def command_line() -> str:
    """The command as run, for a report's provenance."""
    import shlex
    import sys

    return "scalinglaws " + " ".join(shlex.quote(a) for a in sys.argv[1:])
