"""``sl.fit_each``: one law fitted to every group of a long table, in one batch.

Thousands of small fits usually arrive as one tidy table (a run, a seed or a task per group).
Here the table is read once: its columns as one float block, the groups found by one
factorisation, and the rows of every group gathered into (K, n) arrays by index (groups of
equal size together), so the cost of reading hardly grows with the number of groups. The
batch's engine (:mod:`.batch`) fits them; a group that breaks a data rule, or that the batch
leaves unconverged (unless ``refit=False``), is fitted alone by :func:`scalinglaws.fit`, and
its row says what happened. The answer is a DataFrame with one row per group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..common.names import close_names
from ..data.dataset import Dataset
from ..engine.optimizer import STATUS_NAMES
from ..exceptions import DataError, OptionError
from ..laws.law import Law
from .batch import BATCH_OPTIONS, BatchPlan, batchable
from .failure import FitFailure, fit_one
from .result import FitResult

Array = np.ndarray
#: groups tried in turn for one whose rows bind the law to the table's columns
BIND_TRIES = 16
#: plans kept for laws given by name, by the table's columns and the options (the oldest
#: dropped first): a table read again binds in microseconds, not milliseconds
PLANS_KEPT = 32
_PLANS: dict[tuple[Any, ...], BatchPlan] = {}
#: the engine's status names by code
_NAMES = np.array([STATUS_NAMES.get(c, "failed") for c in range(max(STATUS_NAMES) + 1)],
                  dtype=object)


def fit_each(law: Law | str, data: Any, by: str | Sequence[str], *, refit: bool = True,
             threads: int | None = None, backend: str = "local", client: Any = None,
             workers: int | None = None, **options: Any) -> pd.DataFrame:
    """Fit ``law`` to every group of rows of ``data`` that share the values of ``by``.

    Parameters
    ----------
    law:
        A catalog name, an expression or a :class:`~scalinglaws.laws.Law`.
    data:
        A DataFrame, a :class:`~scalinglaws.data.Dataset` or a mapping of columns.
    by:
        The column (or columns) whose values name the groups.
    refit:
        Fit a group the batch leaves unconverged alone with :func:`scalinglaws.fit` (the
        default); ``False`` keeps the batch's end point and its status (``max_iter``).
    threads:
        Threads for the compiled kernels (default: the cores this process may use; one per
        task on a Dask cluster).
    backend, client, workers:
        ``backend="dask"``: the table is read and the law bound here, and the groups'
        numbers are cut into one slice per worker (``workers``, default: the cluster's
        threads), each fitted as a task on a ``dask.distributed`` cluster (``client``: a
        Client, a scheduler's address, or None for a ``LocalCluster`` of ``workers``
        processes, default 2, closed after); a group the batch cannot take is fitted here.
        The answer is the local one's, row for row.
    **options:
        :func:`scalinglaws.fit`'s ``x``, ``y``, ``loss``, ``delta``,
        ``overestimate_penalty`` and ``max_iter``.

    Returns
    -------
    pandas.DataFrame
        One row per group, indexed by ``by`` in order of first appearance: the law's
        parameters, ``objective``, ``status`` (``converged``, ``stalled``, ``max_iter``,
        ``failed``), ``n_points`` and ``error`` (why a group could not be fitted, else empty).

    Examples
    --------
    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> x = np.logspace(6, 9, 12)
    >>> runs = pd.DataFrame({"run": np.repeat(["a", "b"], 12), "x": np.tile(x, 2),
    ...                      "loss": np.r_[1.7 + 100 * x ** -0.3, 1.7 + 200 * x ** -0.3]})
    >>> sl.fit_each("E + A*x**(-alpha)", runs, by="run", x="x")["A"].round().tolist()
    [100.0, 200.0]
    """
    if not batchable(options):
        extra = sorted(set(options) - BATCH_OPTIONS)[0]
        raise OptionError(f"fit_each does not take the option '{extra}'", f"argument '{extra}'",
                          f"it takes {', '.join(sorted(BATCH_OPTIONS))}; fit such groups with "
                          "sl.fit_many")
    if backend not in ("local", "dask"):
        raise OptionError(f"unknown backend '{backend}'", "argument 'backend'",
                          "use backend='local' or backend='dask'")
    frame = _frame(data)
    keys = [by] if isinstance(by, str) else list(by)
    codes, labels = _groups(frame, keys)
    G = len(labels)
    plan = _plan(law, frame, codes, G, options)
    block = _numbers(frame, plan.columns)
    names = plan.law.parameter_names
    params = np.full((G, len(names)), np.nan)
    objective = np.full(G, np.nan)
    status = np.full(G, "failed", dtype=object)
    n_points = np.bincount(codes, minlength=G)
    error = np.full(G, "", dtype=object)
    # rows already in runs of their groups (the usual table): the order is the table's own
    ordered = bool((codes[1:] >= codes[:-1]).all())
    order = np.arange(codes.size) if ordered else np.argsort(codes, kind="stable")
    first = np.concatenate([[0], np.cumsum(n_points)[:-1]])

    def alone(g: int) -> None:
        rows = np.sort(order[first[g]:first[g] + n_points[g]])
        result = fit_one(g, law, frame.iloc[rows], options)
        if isinstance(result, FitFailure):
            error[g] = f"{result.error}: {result.message}"
            return
        assert isinstance(result, FitResult)
        params[g] = [result.params[k] for k in names]
        objective[g], status[g] = result.objective, result.status.value

    # the groups of each size as one (K, size, columns) stack
    stacks: list[tuple[Array, Array]] = []
    for size in np.unique(n_points):
        members = np.flatnonzero(n_points == size)
        if ordered and members.size == G:  # one size, in order: a view of the block
            stacks.append((members, block.reshape(G, size, block.shape[1])))
        else:
            stacks.append((members, block[order[first[members][:, None] + np.arange(size)]]))
    if backend == "dask":
        solved = _solve_on_dask(plan, [stack for _, stack in stacks], client, workers)
    else:
        solved = [_solve(plan, stack, threads) for _, stack in stacks]
    for (members, _), (valid, found, value, code, converged) in zip(stacks, solved, strict=True):
        for g in members[~valid]:
            alone(int(g))
        taken = members[valid]
        ok = converged | (not refit)
        params[taken[ok]] = found[ok]
        objective[taken[ok]] = value[ok]
        status[taken[ok]] = _NAMES[code[ok]]
        for g in taken[~ok]:
            alone(int(g))
    columns: dict[str, Any] = {nm: params[:, i] for i, nm in enumerate(names)}
    columns.update(objective=objective, status=status, n_points=n_points, error=error)
    return pd.DataFrame(columns, index=labels)


def _plan(law: Law | str, frame: pd.DataFrame, codes: Array, G: int,
          options: dict[str, Any]) -> BatchPlan:
    """The law bound to the table's columns on the rows of its first group that bind: a
    group's bad value (a negative loss) is that group's error, said in its row; a law or a
    column the table lacks is every group's, raised here."""
    key = None
    if isinstance(law, str):  # a law given by name binds alike to tables of the same columns
        key = (law, tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)),
               repr(sorted(options.items())))
        if key in _PLANS:
            return _PLANS[key]
    error: DataError | None = None
    for g in range(min(G, BIND_TRIES)):
        try:
            plan = BatchPlan.of(law, frame.iloc[np.flatnonzero(codes == g)], options)
        except DataError as exc:
            error = error or exc
            continue
        if key is not None:
            if len(_PLANS) >= PLANS_KEPT:
                _PLANS.pop(next(iter(_PLANS)))
            _PLANS[key] = plan
        return plan
    assert error is not None
    raise error


#: a stack's answer: which of its problems the batch took, and for those the parameters, the
#: objective, the status code and whether it converged
Solved = tuple[Array, Array, Array, Array, Array]


def _solve(plan: BatchPlan, stacked: Array, threads: int | None) -> Solved:
    """The batch's search of a (K, n, columns) stack, as plain arrays."""
    valid, found = plan.solve(stacked, threads)
    if found is None:
        p = len(plan.law.parameter_names)
        return valid, np.empty((0, p)), np.empty(0), np.empty(0, dtype=int), np.empty(0, bool)
    return valid, found.params, found.value, found.status, found.converged


def _solve_on_dask(plan: BatchPlan, stacks: list[Array], client: Any,
                   workers: int | None) -> list[Solved]:
    """:func:`_solve` on a Dask cluster: each stack cut into one slice of its problems per
    worker (a task each, one thread), the slices' answers joined in order. Only the bound law
    and the numbers cross to the workers; the table stays here."""
    from .many_dask import connect, run_dask, worker_threads

    if isinstance(client, str):  # connected here, to count the cluster's threads
        with connect(client) as connected:
            return _solve_on_dask(plan, stacks, connected, workers)
    n = workers or worker_threads(client) or 2
    chunks: list[list[tuple[int, Any, Any, Any]]] = []
    owner: list[int] = []
    for s, stack in enumerate(stacks):
        for part in np.array_split(np.arange(stack.shape[0]), min(n, stack.shape[0])):
            piece = np.ascontiguousarray(stack[part[0]:part[-1] + 1])
            chunks.append([(len(chunks), plan, piece, None)])
            owner.append(s)
    outcomes = run_dask(chunks, _solve_task, client=client, workers=workers or 2,
                        progress=None, total=len(chunks))
    pieces: list[list[Solved]] = [[] for _ in stacks]
    for k, answer in sorted(outcomes, key=lambda o: o[0]):  # in the order of the slices
        pieces[owner[k]].append(answer)
    joined: list[Solved] = []
    for parts in pieces:
        valid, found, value, code, converged = (np.concatenate(a) for a in zip(*parts,
                                                                               strict=True))
        joined.append((valid, found, value, code, converged))
    return joined


def _solve_task(chunk: list[tuple[int, Any, Any, Any]]) -> list[tuple[int, Any]]:
    """Slices of stacks solved in a worker (a task of :func:`_solve_on_dask`)."""
    return [(key, _solve(plan, piece, 1)) for key, plan, piece, _ in chunk]


def _frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Dataset):
        return data.to_frame()
    if isinstance(data, Mapping):
        try:
            return pd.DataFrame({k: np.asarray(v) for k, v in data.items()})
        except ValueError as exc:
            raise DataError(f"the columns of the data have different lengths ({exc})",
                            "argument 'data'", "give columns of one length each") from None
    raise DataError(f"fit_each takes a table, not a {type(data).__name__}", "argument 'data'",
                    "give a DataFrame, a Dataset or a mapping of columns")


def _groups(frame: pd.DataFrame, keys: list[str]) -> tuple[Array, pd.Index]:
    """Each row's group code (groups in order of first appearance) and the groups' labels."""
    for key in keys:
        if key not in frame.columns:
            hint = close_names(key, frame.columns)
            raise DataError(f"no column '{key}' to group by", "argument 'by'",
                            f"did you mean {' or '.join(map(repr, hint))}" if hint else
                            f"the columns are {', '.join(map(str, frame.columns))}")
    if len(frame) == 0:
        raise DataError("the table has no rows", "argument 'data'", "give at least one group")
    if len(keys) == 1:
        runs = _runs(frame[keys[0]])
        if runs is not None:  # each group's rows together (the usual table): no hashing
            return runs
        found, uniques = pd.factorize(frame[keys[0]], sort=False)  # -1 where missing
        labels: pd.Index = pd.Index(uniques, name=keys[0])
        missing = np.asarray(found) < 0
    else:
        missing = frame[keys].isna().any(axis=1).to_numpy()
        found, uniques = pd.factorize(pd.MultiIndex.from_frame(frame[keys]), sort=False)
        labels = pd.MultiIndex.from_tuples(list(uniques), names=keys)
    if missing.any():
        raise DataError(f"{int(missing.sum())} rows have no value in {', '.join(keys)} "
                        f"(first: row {int(np.flatnonzero(missing)[0])})", "argument 'by'",
                        "drop those rows or give them a group")
    return np.asarray(found), labels


def _runs(column: pd.Series) -> tuple[Array, pd.Index] | None:
    """The codes and labels of a numeric group column whose groups each come as one run of
    rows, found from where the value changes (a tenth of hashing every row); None for any
    other column (text, missing values, a group in two runs)."""
    if not isinstance(column.dtype, np.dtype) or column.dtype.kind not in "iub":
        return None
    values = column.to_numpy()
    if values.size == 0:
        return None
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    heads = values[starts]
    if pd.unique(heads).size != heads.size:
        return None
    lengths = np.diff(np.r_[starts, values.size])
    return np.repeat(np.arange(heads.size), lengths), pd.Index(heads, name=column.name)


def _numbers(frame: pd.DataFrame, columns: list[str]) -> Array:
    """The columns as one float block (rows, columns); a column of text is named."""
    try:
        return frame[columns].to_numpy(dtype=float)
    except (TypeError, ValueError):
        for c in columns:
            try:
                frame[c].to_numpy(dtype=float)
            except (TypeError, ValueError):
                raise DataError(f"column '{c}' holds values that are not numbers",
                                f"column '{c}'", "convert it to numbers or drop those rows"
                                ) from None
        raise
