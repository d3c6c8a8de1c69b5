"""The Dask backend of :func:`scalinglaws.fit_many`: chunks of problems as tasks on a
``dask.distributed`` cluster.

Data objects shared by several problems are scattered to the cluster once and the tasks
refer to them; every chunk is a task with ``retries=2`` (a task whose worker dies is
rescheduled by the scheduler besides); results are gathered as they complete and placed back
in input order by the caller. A chunk that refers to no scattered data crosses as one pickled
blob (Dask's serialisation frames every array and index of every problem on its own, which
costs the client a tenth of a core on a busy cluster). Dask is imported here only, on first
use.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..exceptions import OptionError

#: a chunk: (index, law, data, options) per problem; what its task returns: (index, result)
Chunk = list[tuple[int, Any, Any, Any]]
Outcomes = list[tuple[int, Any]]

#: task retries of a chunk whose task raised (a lost worker is rescheduled besides)
RETRIES = 2
#: the worker settings of :func:`local_cluster`: Dask's statistical profiler samples the
#: task's thread every 10 ms, holding the interpreter's lock while it walks the stack, which
#: costs a worker running pure-Python fits several percent of its time
THROUGHPUT_CONFIG = {"distributed.worker.profile.enabled": False}


def _distributed() -> Any:
    try:
        import dask.distributed as dd
    except ImportError:
        raise OptionError("backend='dask' needs dask.distributed, which is not installed",
                          "argument 'backend'", "pip install 'scalinglaws[distributed]' "
                          "(or dask[distributed]), or use backend='local'") from None
    return dd


def run_dask(chunks: list[Chunk], task: Callable[[Chunk], Outcomes], *, client: Any,
             workers: int, progress: Callable[[int, int], None] | None, total: int,
             timeout: float | None = None) -> Outcomes:
    """Run ``task`` on every chunk on ``client`` (a Client, an address, or None for a
    LocalCluster of ``workers`` single-threaded processes, closed after)."""
    dd = _distributed()
    owned: list[Any] = []
    try:
        if client is None:
            cluster = local_cluster(workers)
            owned.append(cluster)
            client = dd.Client(cluster)
            owned.append(client)
        elif isinstance(client, str):
            client = connect(client)
            owned.append(client)
        elif not isinstance(client, dd.Client):
            raise OptionError(f"client is a {type(client).__name__}", "argument 'client'",
                              "give a dask.distributed.Client, a scheduler address, or None")
        return _submit_and_gather(dd, client, task, _scattered(client, chunks), progress,
                                  total, timeout)
    finally:
        for obj in reversed(owned):
            obj.close()


def connect(address: str) -> Any:
    """A client of the scheduler at ``address``; one that cannot be reached (within Dask's
    connect timeout, ``distributed.comm.timeouts.connect``) is an OptionError that names it."""
    dd = _distributed()
    try:
        return dd.Client(address)
    except (OSError, TimeoutError, ValueError) as exc:
        raise OptionError(f"no Dask scheduler answered at {address!r} ({exc})",
                          "argument 'client' (--scheduler on the command line)",
                          "check the address (tcp://HOST:8786) and that the scheduler is "
                          "running, or leave it out to start a local cluster") from None


def local_cluster(workers: int = 2, **kwargs: Any) -> Any:
    """A ``dask.distributed.LocalCluster`` set up for many fits: ``workers`` processes of one
    thread each (a fit holds the interpreter's lock: threads in one process would take turns),
    without Dask's statistical profiler (:data:`THROUGHPUT_CONFIG`), its dashboard on a free
    port. ``kwargs`` go to ``LocalCluster``. It is what ``backend="dask"`` starts when given no
    client; start one yourself to keep it warm across calls.

    Examples
    --------
    >>> from dask.distributed import Client  # doctest: +SKIP
    >>> from scalinglaws.fitting import local_cluster  # doctest: +SKIP
    >>> with local_cluster(2) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     results = sl.fit_many(problems, backend="dask", client=client)
    """
    dd = _distributed()
    import dask

    options = {"n_workers": workers, "threads_per_worker": 1, "processes": True,
               "dashboard_address": ":0", **kwargs}
    with dask.config.set(THROUGHPUT_CONFIG):  # read by the workers as they start
        return dd.LocalCluster(**options)


def worker_threads(client: Any) -> int | None:
    """The threads of a running cluster's workers, all together (None when ``client`` is not a
    connected Client)."""
    try:
        return sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()) or None
    except Exception:  # an address, None, or a client that cannot answer
        return None


def _scattered(client: Any, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks with every data object used by more than one problem replaced by a
    future of its one copy on the cluster."""
    uses = Counter(id(item[2]) for chunk in chunks for item in chunk)
    shared = {}
    for chunk in chunks:
        for item in chunk:
            if uses[id(item[2])] > 1 and id(item[2]) not in shared:
                shared[id(item[2])] = item[2]
    if not shared:
        return chunks
    keys = list(shared)
    futures = dict(zip(keys, client.scatter([shared[k] for k in keys], hash=False),
                       strict=True))
    return [[(i, law, futures.get(id(data), data), opts) for i, law, data, opts in chunk]
            for chunk in chunks]


def _unpickled(task: Callable[[Chunk], Outcomes], blob: bytes) -> bytes:
    """Run ``task`` on a chunk sent pickled; its outcomes go back pickled too."""
    from distributed.protocol.pickle import dumps

    return bytes(dumps(task(pickle.loads(blob)), protocol=5))


def _submit_and_gather(dd: Any, client: Any, task: Callable[[Chunk], Outcomes],
                       chunks: list[Chunk], progress: Callable[[int, int], None] | None,
                       total: int, timeout: float | None) -> Outcomes:
    from distributed.protocol.pickle import dumps  # pickle, or cloudpickle for what it lacks

    # a chunk goes to the cluster as one pickled blob unless it refers to scattered data (the
    # scheduler must see those futures to send their data to the task's worker); objects of
    # classes a worker cannot import (a local class, a lambda) go by value, as Dask sends them
    futures = [client.submit(task, chunk, retries=RETRIES, pure=False)
               if any(isinstance(item[2], dd.Future) for item in chunk) else
               client.submit(_unpickled, task, dumps(chunk, protocol=5), retries=RETRIES,
                             pure=False) for chunk in chunks]
    outcomes: Outcomes = []
    try:
        for future in dd.as_completed(futures, timeout=timeout):
            done = future.result()
            outcomes += pickle.loads(done) if isinstance(done, bytes) else done
            if progress is not None:
                progress(len(outcomes), total)
    except TimeoutError:
        raise TimeoutError(f"the cluster returned {len(outcomes)} of {total} results in "
                           f"{timeout:g} s; give more time, or check its workers") from None
    finally:
        client.cancel([f for f in futures if not f.done()])
    return outcomes
