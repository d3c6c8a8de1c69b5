"""Checks of the arguments of :func:`scalinglaws.report.html`: the items, the data to plot
(given, or carried by each fit) and the plans; each bad argument is a DataError that names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..common.warning import warn
from ..data.dataset import Dataset
from ..exceptions import DataError
from ..fitting import FitResult, SharedFit
from ..validate.backtesting import Backtest
from .sections import PLAN_KEYS

Item = FitResult | SharedFit | Backtest
_KINDS = "a FitResult, SharedFit or Backtest"


def expand_chains(items: Any, data: Any) -> tuple[Any, Any]:
    """A chain of two fits (``sl.fitting.chain``) reported as its two stages, each with its
    own plot and table; a list of data aligned with the items gets the chain's entry twice."""
    from ..fitting import Chain

    single = isinstance(items, Chain)
    listed = [items] if single else items
    if not isinstance(listed, Sequence) or isinstance(listed, str | bytes) or not any(
            isinstance(i, Chain) for i in listed):
        return items, data
    aligned = isinstance(data, Sequence) and not isinstance(data, str | bytes)
    out_items: list[Any] = []
    out_data: list[Any] = []
    for k, item in enumerate(listed):
        stages = [item.first, item.second] if isinstance(item, Chain) else [item]
        out_items += stages
        if aligned and k < len(data):
            out_data += [data[k]] * len(stages)
    return out_items, (out_data if aligned else data)


def check_items(items: Any) -> list[Item]:
    """The items as a list, each a FitResult, SharedFit or Backtest."""
    objs = [items] if isinstance(items, FitResult | SharedFit | Backtest) else items
    if not isinstance(objs, Sequence) or isinstance(objs, str | bytes):
        raise DataError(f"a report needs a FitResult or a list of them ({_KINDS} each), got "
                        f"{type(items).__name__}", "argument 'items' of report.html",
                        "pass sl.fit(...) results")
    if len(objs) == 0:
        raise DataError("there is no fit to report", "argument 'items' of report.html",
                        f"pass at least one item: {_KINDS}")
    for i, item in enumerate(objs):
        if not isinstance(item, FitResult | SharedFit | Backtest):
            raise DataError(f"item {i} is a {type(item).__name__}, not a FitResult",
                            f"items[{i}] of report.html",
                            "pass results of sl.fit(...) or sl.load_fit(...), a SharedFit "
                            "or a Backtest")
    return list(objs)


def _own_data(obj: Item) -> Dataset | None:
    fit = obj.joint if isinstance(obj, SharedFit) else obj
    own = getattr(fit, "data", None)
    source = getattr(fit, "data_source", None)
    if own is None and source:
        law = fit.law if isinstance(fit.law, str) else fit.law.name
        warn(f"the runs of the fit of '{law}' could not be read again from {source} (the "
             "file changed or is gone): the report draws the law without them. Pass them "
             "with data= (CLI: --data)")
    return own if isinstance(own, Dataset) else None


def check_data(data: Any, objs: list[Item]) -> list[Dataset | None]:
    """Per item, the runs to plot: those given, else those its fit carries (None for a
    backtest, and where there are none)."""
    n = len(objs)
    if data is None:
        given: list[Any] = [None] * n
    elif isinstance(data, Dataset):
        given = [data] * n
    elif not isinstance(data, Sequence) or isinstance(data, str | bytes) or len(data) != n:
        got = f"{len(data)} entries" if isinstance(data, Sequence) else type(data).__name__
        raise DataError(f"data must be a Dataset or a list with one entry per fit in items "
                        f"({n}), got {got}", "argument 'data' of report.html",
                        "align data with items, using None where there is none")
    else:
        given = list(data)
    for i, ds in enumerate(given):
        if ds is not None and not isinstance(ds, Dataset):
            raise DataError(f"data[{i}] is a {type(ds).__name__}, not a Dataset",
                            f"data[{i}] of report.html", "pass a Dataset or None")
    return [None if isinstance(obj, Backtest) else ds if ds is not None else _own_data(obj)
            for obj, ds in zip(objs, given, strict=True)]


def check_plans(plans: Any, n: int) -> tuple[list[list[Mapping[str, Any]] | None],
                                              list[Mapping[str, Any]]]:
    """Per-item plans (None: compute them) and report-wide plans."""
    none: list[list[Mapping[str, Any]] | None] = [None] * n
    if plans is None:
        return none, []
    fix = "give dicts with keys flops, params, tokens, loss (e.g. Allocation.records())"
    if not isinstance(plans, Sequence) or isinstance(plans, str | bytes):
        raise DataError(f"plans must be a list, got {type(plans).__name__}",
                        "argument 'plans' of report.html", fix)
    if all(isinstance(p, Mapping) for p in plans):
        rows = [check_plan_row(p, f"plans[{i}]") for i, p in enumerate(plans)]
        return [[] for _ in range(n)], rows
    if len(plans) != n:
        raise DataError(f"plans has {len(plans)} entries but there are {n} items",
                        "argument 'plans' of report.html",
                        "give one list of dicts, or one list (or None) per item")
    out: list[list[Mapping[str, Any]] | None] = []
    for i, group in enumerate(plans):
        if group is None:
            out.append([])
        elif isinstance(group, Sequence) and not isinstance(group, str | bytes):
            out.append([check_plan_row(p, f"plans[{i}][{j}]") for j, p in enumerate(group)])
        else:
            raise DataError(f"plans[{i}] is a {type(group).__name__}",
                            f"plans[{i}] of report.html", fix)
    return out, []


def check_plan_row(row: Any, where: str) -> Mapping[str, Any]:
    fix = "give dicts with keys flops, params, tokens, loss (e.g. Allocation.records())"
    if not isinstance(row, Mapping):
        raise DataError(f"a plan row must be a dict, got {type(row).__name__}", where, fix)
    missing = [k for k in PLAN_KEYS if k not in row]
    if missing:
        raise DataError(f"a plan row lacks {', '.join(missing)}", where, fix)
    for k in PLAN_KEYS:
        try:
            float(row[k])
        except (TypeError, ValueError):
            raise DataError(f"plan value {k}={row[k]!r} is not a number", where, fix) from None
    return row


def check_text(title: Any, command: Any) -> None:
    """The title (or None: made from the laws and data) and the command are text."""
    if (title is not None and not isinstance(title, str)) or (
            command is not None and not isinstance(command, str)):
        raise DataError("title and command must be strings", "arguments 'title', 'command'",
                        "pass text, e.g. title='my report'")
