"""One column mapping for every entry point: ``columns={key: column}`` (CLI ``--col
KEY=COLUMN``) renames the data's columns to roles before anything else.

A key is a role (``params``, ``tokens``, ``flops``, ``loss``, ``step``, ``lr``, ``run``,
``seed``, ``family``), or a law's input symbol that reads a role (``N`` -> params, ``D`` ->
tokens, ``C`` -> flops, ``S`` -> step, as in every catalog law and in expressions): either way
the column is renamed to the role, so the fitted law reads roles and every later question
(plan, predict by ``params=``, backtest rules on ``params``, reports) speaks of roles. A key
that is an input symbol with no role (an expression's ``x``, a catalog law's ``P`` for
precision) binds that symbol to the column as it is named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..common.names import close_names
from ..common.warning import warn
from ..data.dataset import Dataset, as_dataset
from ..data.validation import ROLES
from ..exceptions import DataError, LawError
from ..laws import bind_inputs, resolve_law
from ..laws.law import DEFAULT_INPUTS, Law


def role_of(key: str, laws: Sequence[Law] = ()) -> str | None:
    """The role ``key`` names: itself when it is a role, else the role one of ``laws`` reads
    through the input symbol ``key``, else the usual one of that symbol (N, D, C, S)."""
    if key in ROLES:
        return key
    for law in laws:
        col = law.inputs.get(key)
        if col in ROLES:
            return col
    found = DEFAULT_INPUTS.get(key)
    return found if found in ROLES else None


def split_columns(columns: Mapping[str, str] | None, laws: Sequence[Law] = ()
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """``(role -> column, symbol -> column)``: the renames of the data, and the bindings of
    input symbols with no role."""
    renames: dict[str, str] = {}
    rest: dict[str, str] = {}
    for key, col in (columns or {}).items():
        role = role_of(key, laws)
        if role is None:
            rest[key] = col
            continue
        if role in renames and renames[role] != col:
            raise DataError(f"two columns are mapped to the role '{role}': "
                            f"'{renames[role]}' and '{col}'", f"mapping {key}={col}",
                            "map each role once (N and params name the same role)")
        renames[role] = col
    return renames, rest


def with_roles(data: Any, renames: Mapping[str, str]) -> Dataset:
    """``data`` with the columns of ``renames`` (role -> column) renamed to their roles (a
    role already named so is left as it is); every column that is not there is named at
    once, with the close matches."""
    ds = as_dataset(data)
    todo = {role: col for role, col in renames.items() if col != role}
    if not todo:
        return ds
    missing = {role: col for role, col in todo.items() if not ds.has(col)}
    if missing:
        cols = list(missing.values())
        example = " ".join(f"--col {role}=COLUMN" for role in missing)
        raise DataError(f"the data have no column {_names(cols)}",
                        f"available columns: {', '.join(ds.columns)}{_close(cols, ds)}",
                        f"map each role to one of the available columns: {example} (Python: "
                        f"columns={{'{next(iter(missing))}': 'COLUMN'}})")
    return ds.with_columns(todo)


def bind_data(law: Law | str, data: Any, *, x: str | None = None,
              columns: Mapping[str, str] | None = None, y: str | None = None,
              keep_unfinished: bool = False) -> tuple[Law, Dataset]:
    """The law bound to roles and the data renamed to them (see the module's text), less the
    runs whose ``status`` is not finished (named in a warning) unless ``keep_unfinished``;
    every column the fit needs and the data lack is named at once."""
    columns = dict(columns or {})
    role_keys = {k for k in columns if role_of(k) is not None}
    law_obj = resolve_law(law, {k: v for k, v in columns.items() if k not in role_keys}, x)
    renames, rest = split_columns(columns, [law_obj])
    ds, note = finished_only(with_roles(data, renames), keep_unfinished)
    if note:
        warn(note)
    bound = bind_inputs(law_obj, x, rest)
    check_columns(bound, ds, y)
    return bound, ds


def bind_many(specs: Sequence[Law | str], data: Any, *, x: str | None = None,
              columns: Mapping[str, str] | None = None) -> tuple[list[Law], Dataset]:
    """:func:`bind_data` for several laws on one dataset (a comparison, a selection): the data
    renamed once, each law bound to roles (and to the columns of its own symbols)."""
    columns = dict(columns or {})
    other = {k: v for k, v in columns.items() if role_of(k) is None}
    laws = [resolve_law(spec, other, x) for spec in specs]
    renames, rest = split_columns(columns, laws)
    unknown = [k for k in rest if not any(k in law.inputs for law in laws)]
    if unknown:
        raise LawError(f"{_names(unknown)} is neither a role nor an input of the laws",
                       "roles: " + ", ".join(ROLES) + "; inputs: " + ", ".join(
                           dict.fromkeys(s for law in laws for s in law.inputs)),
                       "map a role or an input symbol to a column, e.g. params=model_size")
    ds, note = finished_only(with_roles(data, renames))
    if note:
        warn(note)
    bound = [bind_inputs(law, x if len(law.inputs) == 1 else None,
                         {k: v for k, v in rest.items() if k in law.inputs}) for law in laws]
    return bound, ds


def finished_only(ds: Dataset, keep_unfinished: bool = False) -> tuple[Dataset, str | None]:
    """``ds`` without the runs whose status is not ``finished`` (unless ``keep_unfinished``),
    and the note that names them (None when none are left out)."""
    if keep_unfinished or not ds.has("status"):
        return ds, None
    status = np.asarray(ds.labels("status"), dtype=object)
    left = status != "finished"
    if not left.any():
        return ds, None
    if left.all():
        raise DataError("no run has the status 'finished'", "column 'status'",
                        "fit the runs anyway with keep_unfinished=True (CLI: --keep-unfinished)"
                        ", or check the status column")
    names = (np.asarray(ds.labels("run"), dtype=object)[left] if ds.has("run")
             else np.flatnonzero(left))
    shown = ", ".join(f"{n} ({s})" for n, s in zip(names[:5], status[left][:5], strict=True))
    more = f" and {left.sum() - 5} more" if left.sum() > 5 else ""
    note = (f"left out {int(left.sum())} run(s) that did not finish: {shown}{more}; "
            "fit them too with keep_unfinished=True (CLI: --keep-unfinished)")
    return ds[~left], note


def check_columns(law: Law, ds: Dataset, y: str | None = None) -> None:
    """A DataError naming every input and target column of ``law`` the data lack."""
    need = [str(c) for c in law.inputs.values() if c] + [y or law.target]
    missing = list(dict.fromkeys(c for c in need if not ds.has(c)))
    if not missing:
        return
    example = " ".join(f"--col {c}=COLUMN" for c in missing)
    fix = (f"map them to your columns: {example} (Python: columns={{'{missing[0]}': "
           "'COLUMN', ...}})")
    if set(missing) <= set(_AREAS):  # a schedule law on curves without their areas
        fix = ("compute them from each run's learning rate: sl.data.schedule_areas(frame) "
               "(columns run, step, lr); " + fix)
    raise DataError(
        f"the data have no column {_names(missing)}, which law '{law.name}' needs",
        f"available columns: {', '.join(ds.columns)}"
        f"{_close(missing, ds, _symbols(law))}", fix)


def _symbols(law: Law) -> dict[str, list[str]]:
    """Column -> the law's input symbols read from it (params -> ['N'])."""
    out: dict[str, list[str]] = {}
    for symbol, col in law.inputs.items():
        if col and str(col) != symbol:
            out.setdefault(str(col), []).append(symbol)
    return out


#: the learning-rate areas a schedule law reads (computed by schedule_areas)
_AREAS = ("lr_area", "anneal_area")


def _names(cols: Sequence[str]) -> str:
    quoted = [f"'{c}'" for c in cols]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _close(cols: Sequence[str], ds: Dataset,
           symbols: Mapping[str, Sequence[str]] | None = None) -> str:
    """'; did you mean ...' for the columns with a close match (any case), or named as the
    law's symbol for that column (``symbols``: column -> the law's symbols, 'N' for params)."""
    hits, several = [], []
    for col in cols:
        named = [c for c in ds.columns if str(c) in (symbols or {}).get(col, ())]
        if named:
            hits.append(f"{named[0]} for {col}")
            continue
        # columns that carry the role's name as a part ('loss_c4_en', 'train/loss') before
        # those spelled alike ('loss_ice' is no better a loss than 'loss_pile')
        parts = [c for c in ds.columns if col in str(c).lower().replace("/", "_").split("_")
                 and str(c) != col]
        found = parts or close_names(col, ds.columns, n=1)
        if len(found) > 1:
            several.append(f"{len(found)} columns could be {col} ({', '.join(found[:6])}"
                           f"{', ...' if len(found) > 6 else ''}): pick one")
        elif found:
            hits.append(f"{found[0]} for {col}")
    text = f"; did you mean {', '.join(hits)}" if hits else ""
    return text + "".join(f"; {s}" for s in several)

