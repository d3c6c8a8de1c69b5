"""What every importer shares: the runs a tracker holds (:class:`TrackedRun`), read the same
way whatever the tracker, and their assembly into a :class:`~scalinglaws.Dataset`.

An importer lists its runs, each with its state (the tracker's word), its run-level values
(parameters, config, hyper-parameters, summary) and a loader of its per-step series (metric
histories, scalar tags). :func:`assemble` maps the states to ``status``, leaves out the runs
that did not finish (naming them), checks that every kept run has the metric and each named
value (naming those that lack one), aligns per-step values with the metric's steps, reduces
each curve with the shared :class:`~.reduce.Reduction` and records all of it in the
dataset's provenance (its ``citation``, shown when the dataset is printed).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...common.warning import warn
from ...exceptions import DataError, OptionError
from ..dataset import Dataset
from .options import Request, missing, number
from .reduce import AT_TOKENS_RTOL, NotReached
from .status import OWN_STATES, left_out_text, map_status, names_text

#: a progress callback: ``progress(runs_done, runs_total)``
Progress = Callable[[int, int], None]
#: the columns an import writes itself
OWN_COLUMNS = ("run", "status", "step")


@dataclass
class TrackedRun:
    """One run as a tracker holds it.

    ``values``: run-level values by name (a parameter, a config entry, a hyper-parameter);
    ``series``: the names of its per-step series; ``load(name)``: one series as a frame of
    ``step`` and ``value``, sorted by step with one row per step; ``summary``: the final
    value of a series whose steps are not at hand (a W&B runs table without its history);
    ``key``: an identifier that tells apart runs of the same name (MLflow's run id).

    A name is looked up in that order: a run-level value, a series, a summary value."""

    name: str
    state: str | None
    values: Mapping[str, Any]
    series: Collection[str]
    load: Callable[[str], pd.DataFrame]
    key: str | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)


def kind_of(run: TrackedRun, values: Mapping[str, Any], name: str) -> str | None:
    """Where ``run`` holds ``name``: ``"value"``, ``"series"``, ``"summary"`` or None."""
    if name in values and not missing(values[name]):
        return "value"
    if name in run.series:
        return "series"
    if name in run.summary and not missing(run.summary[name]):
        return "summary"
    return None


@dataclass(frozen=True)
class Imported:
    """An import's dataset and what became of each run."""

    dataset: Dataset
    provenance: str
    runs: int
    left_out: dict[str, str] = field(default_factory=dict)
    not_reached: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The ``--json`` summary of ``scalinglaws import`` (``status``: runs per status)."""
        frame = self.dataset.to_frame().drop_duplicates("run")
        statuses = frame["status"].value_counts().to_dict()
        return {"rows": len(self.dataset), "runs": self.runs, "columns": self.dataset.columns,
                "status": {str(k): int(v) for k, v in statuses.items()},
                "left_out": self.left_out, "not_reached": self.not_reached,
                "provenance": self.provenance}


def _unique(runs: Sequence[TrackedRun]) -> list[TrackedRun]:
    """The runs, those sharing a name told apart by their key (or their position)."""
    seen: dict[str, int] = {}
    for run in runs:
        seen[run.name] = seen.get(run.name, 0) + 1
    out = []
    for i, run in enumerate(runs):
        if seen[run.name] > 1:
            tag = run.key[:8] if run.key else str(i)
            run = dataclasses.replace(run, name=f"{run.name} ({tag})")
        out.append(run)
    return out


def _metric_curve(run: TrackedRun, values: Mapping[str, Any], metric: str
                  ) -> pd.DataFrame | None:
    """The run's metric at each logged step; a run-level value alone (a summary's final
    value) as one row; None when the run has neither."""
    if metric in run.series:
        curve = run.load(metric)
        if len(curve):
            return curve
    for held in (run.summary, values):
        if metric in held and not missing(held[metric]):
            step = number(held.get("_step", run.summary.get("_step", math.nan)))
            value = number(held[metric])
            if isinstance(value, str) or not isinstance(value, numbers.Real):
                raise DataError(f"the value of '{metric}' is not a number: {value!r}",
                                f"run '{run.name}'", "correct it in the source")
            return pd.DataFrame({"step": [float(step) if isinstance(step, numbers.Real)
                                          else math.nan], "value": [float(value)]})
    return None


def _status(run: TrackedRun, values: Mapping[str, Any], req: Request) -> str:
    if "status" in req.run_values.get(run.name, {}):
        return map_status(values["status"], OWN_STATES, "given", run.name)
    if run.state is None:
        return "finished"
    return map_status(run.state, req.states, req.tracker, run.name)


def assemble(runs: Sequence[TrackedRun], req: Request,
             progress: Progress | None = None) -> Imported:
    """The dataset of ``runs`` as ``req`` asks (see the module's docstring)."""
    runs = _unique(runs)
    _check_run_values(req, runs)
    left: dict[str, str] = {}
    empty: dict[str, str] = {}
    kept: list[tuple[TrackedRun, dict[str, Any], str, pd.DataFrame]] = []
    lacking: list[TrackedRun] = []
    for i, run in enumerate(runs):
        values = {**run.values, **req.run_values.get(run.name, {})}
        status = _status(run, values, req)
        curve = _metric_curve(run, values, req.metric)
        finite = None if curve is None else np.isfinite(curve["value"].to_numpy(dtype=float))
        if curve is not None and finite is not None and not finite.all():
            status = status if status == "failed" else "diverged"
            curve = curve[finite]  # a kept run keeps its finite values
        if status != "finished" and not req.include_unfinished:
            left[run.name] = status
        elif curve is None:
            lacking.append(run)
        elif curve.empty:
            empty[run.name] = status
        else:
            kept.append((run, values, status, curve))
        if progress is not None:
            progress(i + 1, len(runs))
    if lacking:
        _no_metric(req, lacking, len(lacking) + len(kept))
    parts: list[pd.DataFrame] = []
    not_reached: dict[str, float] = {}
    _check_sources(req, [(run, values) for run, values, _, _ in kept])
    for run, values, status, curve in kept:
        try:
            parts.append(_rows(run, values, status, curve, req))
        except NotReached as exc:
            not_reached[run.name] = exc.reach
    if empty:
        warn(f"{len(empty)} runs log no finite value of the {req.series_word} "
             f"'{req.metric}' and are left out: {left_out_text(empty)}")
    return _finish(parts, req, len(runs), left, not_reached, empty)


def _check_run_values(req: Request, runs: Sequence[TrackedRun]) -> None:
    names = {run.name for run in runs}
    unknown = [name for name in req.run_values if name not in names]
    if unknown:
        raise DataError(f"run_values names runs the {req.tracker} source does not hold: "
                        f"{names_text(unknown)}", req.source,
                        f"name runs as the tracker does: {names_text(sorted(names))}")


def _no_metric(req: Request, lacking: list[TrackedRun], total: int) -> None:
    names = [run.name for run in lacking]
    have = sorted({s for run in lacking for s in (*run.series, *run.summary)}
                  or {s for run in lacking for s in run.values})
    listing = ", ".join(have[:30]) or "none"
    if len(lacking) == total:
        raise DataError(f"no run logs the {req.series_word} '{req.metric}'", req.source,
                        f"name one of the {req.series_word}s the runs log: {listing}")
    raise DataError(f"{len(lacking)} of {total} runs do not log the {req.series_word} "
                    f"'{req.metric}': {names_text(names)}", req.source,
                    f"those runs log {listing}; leave them out of the source or fix "
                    "their logging (no run is dropped silently)")


def _check_sources(req: Request, kept: list[tuple[TrackedRun, dict[str, Any]]]) -> None:
    """Every named value is found in every kept run, or a DataError naming the runs."""
    for column, source in req.columns.items():
        lacking = [run for run, values in kept if kind_of(run, values, source) is None]
        if not lacking:
            continue
        run, values = next((r, v) for r, v in kept if r is lacking[0])
        names = sorted({*values, *run.series, *run.summary})
        where = (f"{len(lacking)} of {len(kept)} runs: {names_text([r.name for r in lacking])}"
                 if len(lacking) < len(kept) else f"every run of {req.source}")
        raise DataError(f"no value '{source}' for the column '{column}'", where,
                        f"name one the runs have ({', '.join(names[:30])}), or give it per "
                        "run in run_values")
    if req.reduction.needs_tokens and "tokens" not in req.columns:
        raise OptionError("at_tokens reads the tokens logged at each step, and no column "
                          "'tokens' is named", "argument 'at_tokens'",
                          "map it: params={'tokens': 'NAME_OF_THE_LOGGED_TOKEN_COUNT'}")


def _rows(run: TrackedRun, values: Mapping[str, Any], status: str, curve: pd.DataFrame,
          req: Request) -> pd.DataFrame:
    """One run's rows: its curve with the per-step values aligned by step, reduced, with the
    run-level values, the run's name and its status."""
    constant: dict[str, Any] = {}
    curve = curve.reset_index(drop=True)
    for column, source in req.columns.items():
        kind = kind_of(run, values, source)
        if kind == "series":
            curve[column] = _aligned(curve["step"], run.load(source))
        else:
            constant[column] = number((values if kind == "value" else run.summary)[source])
    if req.reduction.needs_tokens and "tokens" in constant:
        raise OptionError(f"at_tokens reads the tokens logged at each step, and "
                          f"'{req.columns['tokens']}' is a run-level value",
                          f"run '{run.name}'", "map tokens to a per-step series")
    rows = req.reduction.apply(curve, run.name).copy()
    for column, value in constant.items():
        rows[column] = value
    rows.insert(0, "status", status)
    rows.insert(0, "run", run.name)
    for name, value in req.run_values.get(run.name, {}).items():
        if name not in req.columns.values() and name not in rows.columns and name != "status":
            rows[name] = number(value)
    return rows


def _aligned(steps: pd.Series, series: pd.DataFrame) -> np.ndarray:
    """A per-step series' values at ``steps``: the last one logged at or before each step (the
    first one for the steps before it)."""
    values = series["value"].to_numpy(dtype=float)
    logged = series["step"].to_numpy(dtype=float)
    if len(values) == 0:
        return np.full(len(steps), np.nan)
    at = np.searchsorted(logged, steps.to_numpy(dtype=float), side="right") - 1
    return np.asarray(values[np.clip(at, 0, None)])


def _finish(parts: list[pd.DataFrame], req: Request, total: int, left: dict[str, str],
            not_reached: dict[str, float], empty: dict[str, str]) -> Imported:
    if left:
        warn(f"{len(left)} of {total} runs did not finish and are left out: "
             f"{left_out_text(left)}; pass include_unfinished=True to keep them (the status "
             "column then says how each ended)")
    if not_reached:
        reach = {k: f"reaches {v:.3g}" for k, v in not_reached.items()}
        warn(f"{len(not_reached)} runs never log tokens within {AT_TOKENS_RTOL:.0%} of "
             f"at_tokens={req.reduction.at_tokens:.4g} and are left out: "
             f"{left_out_text(reach)}")
    if not parts:
        raise DataError(f"no run is left to import from {req.source}",
                        f"{total} runs: {left_out_text(left)}" if left else f"{total} runs",
                        "pass include_unfinished=True to keep runs that did not finish, or "
                        "choose another at_tokens")
    frame = pd.concat(parts, ignore_index=True).rename(columns={"value": req.target})
    if frame["step"].isna().all():
        frame = frame.drop(columns="step")
    order = [c for c in (*OWN_COLUMNS, req.target, *req.columns) if c in frame.columns]
    frame = frame[order + [c for c in frame.columns if c not in order]]
    provenance = _provenance(req, len(parts), left, not_reached)
    if empty:
        provenance += f"; left out (no finite value): {left_out_text(empty)}"
    dataset = Dataset(frame, name=req.name, citation=provenance)
    return Imported(dataset, provenance, total, {**left, **empty}, not_reached)


def _provenance(req: Request, kept: int, left: dict[str, str],
                not_reached: dict[str, float]) -> str:
    text = (f"{req.source}; {req.target} = {req.series_word} '{req.metric}': "
            f"{req.reduction.describe()}; {kept} runs")
    if left:
        text += f"; left out (did not finish): {left_out_text(left)}"
    elif req.include_unfinished:
        text += "; runs that did not finish kept (see the status column)"
    if not_reached:
        text += f"; left out (short of at_tokens): {names_text(list(not_reached))}"
    mapped = [f"{c} = '{s}'" for c, s in req.columns.items() if c != s]
    if mapped:
        text += "; " + ", ".join(mapped)
    return text
