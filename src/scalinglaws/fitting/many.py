"""``scalinglaws.fit_many``: thousands of independent fits, in local processes or on a Dask
cluster.

Every problem is one call of :func:`scalinglaws.fit` (a law, a data set and that call's
keyword options), so each result is the very number an individual call gives: the engine is
deterministic, and so is the order of the results (the input order), whichever backend ran
them and whichever worker finished first. A problem that fails (bad data, a law that does not
fit its columns) comes back as a :class:`FitFailure` in its place; the others are unaffected.

Problems are sorted by law (stable) before they are cut into chunks, so a worker process
meets one law in a row of chunks and compiles it once (the compiled callables are cached per
process); a chunk is the unit of work sent to a worker. The Dask backend lives in
:mod:`.many_dask` (Dask is imported only there, and only when asked for).
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import OptionError
from ..laws.law import Law
from .failure import FitFailure, fit_one

#: chunks per worker by default: enough to balance uneven problems, few enough that the cost
#: of sending a chunk (pickling its data and results) stays small beside its fits
CHUNKS_PER_WORKER = 4
#: the most problems in one chunk by default
MAX_CHUNK = 256
#: the most problems in one batched chunk (one engine call's arrays: problems × rows)
MAX_BATCH = 20_000
#: fresh pools for the chunks lost when a local worker process died
LOCAL_RETRIES = 2

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """One fit: ``sl.fit(law, data, **options)``."""

    law: Law | str
    data: Any
    options: Mapping[str, Any] = field(default_factory=dict)


#: one unit of work: (index in the input, law, data, options)
Item = tuple[int, Any, Any, Mapping[str, Any]]
Outcome = tuple[int, Any]  # a FitResult, a batch's QuickFit or a FitFailure


def fit_many(problems: Iterable[Problem | tuple[Any, ...]], *, backend: str = "local",
             workers: int | None = None, client: Any = None, chunk_size: int | None = None,
             progress: Progress | None = None, timeout: float | None = None,
             batched: bool = False) -> list[Any]:
    """Fit many independent problems; returns one entry per problem, in input order: a
    :class:`FitResult`, or a :class:`FitFailure` where that problem's fit raised.

    Parameters
    ----------
    problems:
        A list or generator of :class:`Problem` or ``(law, data)`` / ``(law, data,
        options)`` tuples; ``options`` are :func:`scalinglaws.fit`'s keyword arguments
        (``{"x": "flops", "loss": "mse_log"}``).
    backend:
        ``"local"``: a pool of processes on this machine (in this process with
        ``workers=1``); ``"dask"``: tasks on a Dask cluster (``pip install
        'scalinglaws[distributed]'``).
    workers:
        Local processes (default: the cores this process may use); with ``backend="dask"``
        and no ``client``, the workers of the ``LocalCluster`` started (default 2).
    client:
        ``backend="dask"`` only: a ``dask.distributed.Client``, a scheduler's address, or
        ``None`` to start a ``LocalCluster`` for the call and close it after.
    chunk_size:
        Problems per task (default: about four chunks per worker, at most 256).
    progress:
        ``progress(done, total)``, called after every finished chunk (and once at 0).
    timeout:
        Seconds to wait for all results (Dask backend); ``None`` waits for ever.
    batched:
        Fit the problems that share a law and their options in one engine call per chunk
        (:func:`.batch.fit_batch`): each comes back as a light
        :class:`~.batch.QuickFit` (parameters, objective, status), many times faster than
        one ``sl.fit`` per problem; a problem the batch cannot take or leaves unconverged is
        fitted alone and comes back as its :class:`FitResult` (or :class:`FitFailure`).
        Locally the batches run in this process, ``workers`` threads sharing the compiled
        kernels' problems (:mod:`scalinglaws.engine.jit`); problems in one long table fit
        faster still with :func:`scalinglaws.fit_each`.

    Notes
    -----
    Warnings of the individual fits are not issued; each result keeps its own
    (``result.warnings``).

    Examples
    --------
    >>> import numpy as np, pandas as pd, scalinglaws as sl
    >>> x = np.logspace(6, 9, 12)
    >>> runs = [pd.DataFrame({"x": x, "loss": 1.7 + a * x ** -0.3}) for a in (100, 200)]
    >>> out = sl.fit_many([("E + A*x**(-alpha)", d, {"x": "x"}) for d in runs], workers=1)
    >>> [round(r.params["A"]) for r in out]
    [100, 200]
    """
    items = [_item(i, p) for i, p in enumerate(problems)]
    if backend not in ("local", "dask"):
        raise OptionError(f"unknown backend '{backend}'", "argument 'backend'",
                          "use backend='local' or backend='dask'")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise OptionError(f"workers must be a positive integer, not {workers!r}",
                          "argument 'workers'", "give the number of processes, e.g. 4")
    if client is not None and backend != "dask":
        raise OptionError("client= is taken by backend='dask' only", "argument 'client'",
                          "pass backend='dask', or drop client=")
    total = len(items)
    if progress is not None:
        progress(0, total)
    if total == 0:
        return []
    runner = run_batched_chunk if batched else run_chunk
    if backend == "dask":
        from .many_dask import run_dask

        if batched:  # a task is one unit of the cluster's parallelism: one thread each
            from .batch import compact

            items = [(i, law, compact(data), options) for i, law, data, options in items]
            runner = functools.partial(run_batched_chunk, threads=1)
        n_workers = workers or 2
        chunks = make_chunks(items, chunk_size, n_workers, batched)
        outcomes = run_dask(chunks, runner, client=client, workers=n_workers, progress=progress,
                            total=total, timeout=timeout)
    elif batched:  # in this process: the compiled kernels share the problems among threads
        n_workers = min(workers or available_cores(), total)
        chunks = make_chunks(items, chunk_size, 1, batched)
        outcomes = _run_local(chunks, 1, progress, total,
                              functools.partial(run_batched_chunk, threads=n_workers))
    else:
        n_workers = min(workers or available_cores(), total)
        chunks = make_chunks(items, chunk_size, n_workers, batched)
        outcomes = _run_local(chunks, n_workers, progress, total, runner)
    return in_order(outcomes, total)


def _item(index: int, problem: Problem | tuple[Any, ...]) -> Item:
    """A problem as (index, law, data, options), its shape checked."""
    if isinstance(problem, Problem):
        law, data, options = problem.law, problem.data, problem.options
    elif isinstance(problem, tuple) and len(problem) in (2, 3):
        law, data = problem[0], problem[1]
        options = problem[2] if len(problem) == 3 and problem[2] is not None else {}
    else:
        raise OptionError(f"problem {index} is a {type(problem).__name__}",
                          f"problems[{index}]", "give (law, data) or (law, data, options) "
                          "tuples, or scalinglaws.fitting.Problem objects")
    if not isinstance(options, Mapping):
        raise OptionError(f"the options of problem {index} are a {type(options).__name__}",
                          f"problems[{index}]", "give sl.fit's keyword arguments as a dict")
    return index, law, data, dict(options)


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def law_key(law: Any) -> str:
    """Problems with equal keys share a law (and its compiled callables)."""
    return law if isinstance(law, str) else f"{type(law).__name__}:{id(law)}"


def make_chunks(items: Sequence[Item], chunk_size: int | None,
                n_workers: int, batched: bool = False) -> list[list[Item]]:
    """The items grouped by law (in the order each law first appears, stable within a law)
    and cut into chunks of ``chunk_size`` (default: about CHUNKS_PER_WORKER per worker, or
    one per worker for batches). Batched chunks hold one law and one set of options each."""
    if chunk_size is None:
        per = n_workers if batched else n_workers * CHUNKS_PER_WORKER
        most = MAX_BATCH if batched else MAX_CHUNK
        chunk_size = min(most, max(1, math.ceil(len(items) / per)))
    elif not isinstance(chunk_size, int) or chunk_size < 1:
        raise OptionError(f"chunk_size must be a positive integer, not {chunk_size!r}",
                          "argument 'chunk_size'", "give the problems per task, e.g. 64")
    first: dict[str, int] = {}
    for item in items:
        first.setdefault(law_key(item[1]), len(first))
    if not batched:
        ordered = sorted(items, key=lambda it: (first[law_key(it[1])], it[0]))
        return [ordered[i:i + chunk_size] for i in range(0, len(ordered), chunk_size)]
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        groups.setdefault((law_key(item[1]), repr(sorted(item[3].items()))), []).append(item)
    return [group[i:i + chunk_size] for group in groups.values()
            for i in range(0, len(group), chunk_size)]


def run_chunk(chunk: Sequence[Item]) -> list[Outcome]:
    """Fit every problem of a chunk (in a worker, or here); a problem that raises becomes a
    :class:`FitFailure`, so one bad problem never loses the chunk's other results."""
    out: list[Outcome] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, law, data, options in chunk:
            out.append((index, fit_one(index, law, data, options)))
    return out


def run_batched_chunk(chunk: Sequence[Item], threads: int | None = None) -> list[Outcome]:
    """Fit a chunk of problems that share a law and options in one batch (or one by one
    when their options are not a batch's); ``threads`` for the compiled kernels."""
    from .batch import batchable, fit_batch

    _, law, _, options = chunk[0]
    if not batchable(options):
        return run_chunk(chunk)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = fit_batch(law, [item[2] for item in chunk], threads=threads, **options)
    out: list[Outcome] = []
    for item, result in zip(chunk, results, strict=True):
        if isinstance(result, FitFailure):  # placed at its problem's index in the input
            result = FitFailure(item[0], result.error, result.message)
        out.append((item[0], result))
    return out


def _run_local(chunks: list[list[Item]], n_workers: int, progress: Progress | None,
               total: int, runner: Callable[[Sequence[Item]], list[Outcome]] = run_chunk
               ) -> list[Outcome]:
    """The chunks in this process (one worker) or in a process pool."""
    outcomes: list[Outcome] = []
    if n_workers <= 1 or len(chunks) == 1:
        for chunk in chunks:
            outcomes += runner(chunk)
            if progress is not None:
                progress(len(outcomes), total)
        return outcomes
    pending = list(range(len(chunks)))
    for attempt in range(LOCAL_RETRIES + 1):
        pending = _pool_pass(chunks, pending, n_workers, outcomes, progress, total,
                             last=attempt == LOCAL_RETRIES, runner=runner)
        if not pending:
            break
    return outcomes


def _pool_pass(chunks: list[list[Item]], pending: list[int], n_workers: int,
               outcomes: list[Outcome], progress: Progress | None, total: int,
               last: bool, runner: Callable[[Sequence[Item]], list[Outcome]] = run_chunk
               ) -> list[int]:
    """One pool over the pending chunks; returns those lost with a worker that died (the
    pool is then broken), to be run again in a fresh pool unless this was the ``last``."""
    lost: list[int] = []
    with ProcessPoolExecutor(max_workers=min(n_workers, len(pending))) as pool:
        futures = {pool.submit(runner, chunks[k]): k for k in pending}
        for future in as_completed(futures):
            try:
                outcomes += future.result()
            except BrokenProcessPool:
                if last:
                    raise
                lost.append(futures[future])
                continue
            if progress is not None:
                progress(len(outcomes), total)
    return sorted(lost)


def in_order(outcomes: Iterable[Outcome], total: int) -> list[Any]:
    """The outcomes placed at their problems' indices."""
    out: list[Any] = [None] * total
    for index, result in outcomes:
        out[index] = result
    missing = [i for i, r in enumerate(out) if r is None]
    if missing:  # pragma: no cover - a backend that lost results is a bug
        raise RuntimeError(f"no result came back for problems {missing[:5]}")
    return [r for r in out if r is not None]
