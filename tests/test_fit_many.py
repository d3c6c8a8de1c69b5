"""sl.fit_many: many independent fits in local processes or on a Dask cluster, each result
the number an individual sl.fit call gives, in input order, failures in their places."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.fitting import FitFailure, Problem
from scalinglaws.fitting.many import make_chunks

LAW = "E + A*x**(-alpha)"
X = np.logspace(6, 9, 20)


def runs(n: int, seed: int = 0) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        A, alpha = rng.uniform(50, 500), rng.uniform(0.2, 0.5)
        y = (1.7 + A * X ** -alpha) * np.exp(rng.normal(0, 0.01, X.size))
        out.append(pd.DataFrame({"x": X, "loss": y}))
    return out


def problems(n: int = 12) -> list[tuple[Any, ...]]:
    data = runs(n)
    out: list[tuple[Any, ...]] = [(LAW, d, {"x": "x"}) for d in data]
    # one data set shared by several problems (scattered once on a cluster), another law
    out += [(LAW, data[0], {"x": "x", "loss": "mse_log"}),
            ("E + A*x**(-alpha)", data[0], {"x": "x", "delta": 1e-2}),
            ("A*x**(-alpha)", data[1], {"x": "x"})]
    return out


def same(a: Any, b: Any) -> bool:
    if isinstance(a, FitFailure) or isinstance(b, FitFailure):
        return a == b
    return bool(a.params == b.params and a.objective == b.objective
                and a.status == b.status and a.stderr == b.stderr)


def individually(probs: list[tuple[Any, ...]]) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [sl.fit(law, data, **opts) for law, data, opts in probs]


def test_in_process_equals_individual_fits() -> None:
    probs = problems(6)
    out = sl.fit_many(probs, workers=1)
    assert len(out) == len(probs)
    assert all(same(a, b) for a, b in zip(out, individually(probs), strict=True))


def test_bad_problem_is_a_failure_entry_the_rest_succeed() -> None:
    probs = problems(4)
    bad = probs[2][1].copy()
    bad.loc[3, "loss"] = -1.0
    probs[2] = (LAW, bad, {"x": "x"})
    probs.append((LAW, probs[0][1], {"x": "x", "no_such_option": 1}))
    out = sl.fit_many(probs, workers=1)
    assert isinstance(out[2], FitFailure) and out[2].index == 2
    assert out[2].error == "DataError" and "strictly positive" in out[2].message
    assert isinstance(out[-1], FitFailure) and out[-1].error == "OptionError"
    assert not out[2].ok
    assert all(isinstance(r, sl.FitResult) for i, r in enumerate(out[:-1]) if i != 2)


def test_generator_input_problem_objects_and_progress() -> None:
    data = runs(5)
    calls: list[tuple[int, int]] = []
    gen = (Problem(LAW, d, {"x": "x"}) for d in data)
    out = sl.fit_many(gen, workers=1, chunk_size=2,
                      progress=lambda done, total: calls.append((done, total)))
    assert [round(r.params["E"], 6) for r in out] == [
        round(r.params["E"], 6) for r in individually([(LAW, d, {"x": "x"}) for d in data])]
    assert calls[0] == (0, 5) and calls[-1] == (5, 5)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_chunks_group_problems_by_law() -> None:
    items = [(i, law, None, {}) for i, law in enumerate("abab")]
    chunks = make_chunks(items, 2, 1)
    assert [[it[0] for it in c] for c in chunks] == [[0, 2], [1, 3]]


def test_bad_arguments() -> None:
    with pytest.raises(sl.OptionError, match="backend"):
        sl.fit_many([], backend="spark")
    with pytest.raises(sl.OptionError, match="workers"):
        sl.fit_many([], workers=0)
    with pytest.raises(sl.OptionError, match="problem 0"):
        sl.fit_many([LAW])
    assert sl.fit_many([]) == []


def test_dask_missing_is_an_option_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_dask(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("dask"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(sl.OptionError, match="distributed"):
        sl.fit_many(problems(2)[:1], backend="dask")


class Killer:
    """Case weights whose first conversion to an array kills the process (leaving a marker
    file); the retry finds the marker and gets ones."""

    def __init__(self, marker: Path, n: int) -> None:
        self.marker, self.n = marker, n

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if not self.marker.exists():
            self.marker.write_text("killed")
            os._exit(17)
        return np.ones(self.n, dtype=dtype)


def killer_weights(marker: Path, n: int) -> Any:
    """A Killer whose class is local, so that Dask sends it by value (its workers need not
    import this test module)."""

    class LocalKiller(Killer):
        pass

    return LocalKiller(marker, n)


def test_local_pool_equals_in_process_and_survives_a_killed_worker(tmp_path: Path) -> None:
    probs = problems(10)
    ref = sl.fit_many(probs, workers=1)
    probs.append((LAW, probs[0][1], {"x": "x", "weights": Killer(tmp_path / "killed",
                                                                 len(X))}))
    out = sl.fit_many(probs, workers=2, chunk_size=3)
    assert (tmp_path / "killed").exists()
    assert all(same(a, b) for a, b in zip(out, ref, strict=False))
    assert isinstance(out[-1], sl.FitResult)


@pytest.fixture(scope="module")
def cluster_client() -> Any:
    distributed = pytest.importorskip("dask.distributed")
    from scalinglaws.fitting import local_cluster

    cluster = local_cluster(2)
    client = distributed.Client(cluster, timeout=60)
    yield client
    client.close(timeout=30)
    cluster.close(timeout=30)


@pytest.mark.slow
def test_dask_cluster_equals_local_and_reports_progress(cluster_client: Any) -> None:
    probs = problems(12)
    bad = probs[5][1].copy()
    bad.loc[0, "loss"] = -2.0
    probs[5] = (LAW, bad, {"x": "x"})
    ref = sl.fit_many(probs, workers=1)
    calls: list[tuple[int, int]] = []
    out = sl.fit_many(iter(probs), backend="dask", client=cluster_client, chunk_size=4,
                      timeout=120, progress=lambda d, t: calls.append((d, t)))
    assert all(same(a, b) for a, b in zip(out, ref, strict=True))
    assert isinstance(out[5], FitFailure) and out[5].index == 5
    assert calls[0] == (0, len(probs)) and calls[-1] == (len(probs), len(probs))


@pytest.mark.slow
def test_local_cluster_workers_run_single_threaded_without_the_profiler(
        cluster_client: Any) -> None:
    import dask

    info = cluster_client.scheduler_info()["workers"]
    assert len(info) == 2 and all(w["nthreads"] == 1 for w in info.values())
    flags = cluster_client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
    assert set(flags.values()) == {False}
    # the setting is the workers': this process's own configuration is left as it was
    assert dask.config.get("distributed.worker.profile.enabled") is True


@pytest.mark.slow
def test_dask_survives_a_killed_worker(cluster_client: Any, tmp_path: Path) -> None:
    probs = problems(6)
    ref = sl.fit_many(probs, workers=1)
    probs.insert(2, (LAW, probs[0][1], {"x": "x", "weights": killer_weights(
        tmp_path / "killed", len(X))}))
    out = sl.fit_many(probs, backend="dask", client=cluster_client, chunk_size=2,
                      timeout=180)
    assert (tmp_path / "killed").exists()
    assert isinstance(out[2], sl.FitResult)
    assert all(same(a, b) for a, b in zip(out[:2] + out[3:], ref, strict=True))


class Ones:
    """Case weights of ones, of a class defined in this test module."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.ones(self.n, dtype=dtype)


@pytest.mark.slow
def test_dask_sends_objects_of_classes_its_workers_cannot_import(cluster_client: Any) -> None:
    class LocalOnes(Ones):  # a local class: pickle cannot send it by reference
        pass

    probs = [(law, d.copy(), {**o, "weights": LocalOnes(len(d))}) for law, d, o in problems(3)]
    out = sl.fit_many(probs, backend="dask", client=cluster_client, timeout=120)
    ref = sl.fit_many(problems(3), workers=1)
    assert all(same(a, b) for a, b in zip(out, ref, strict=True))


def test_a_scheduler_that_does_not_answer_is_an_option_error() -> None:
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    address = "tcp://127.0.0.1:1"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(sl.OptionError, match=re.escape(f"no Dask scheduler answered at "
                                                          f"'{address}'")):
        sl.fit_many(problems(2), backend="dask", client=address)
    with pytest.raises(sl.OptionError, match="scheduler"):
        sl.fit_many(problems(2), backend="dask", client="not-an-address")


@pytest.mark.slow
def test_dask_starts_and_closes_its_own_cluster() -> None:
    pytest.importorskip("dask.distributed")
    probs = problems(3)
    out = sl.fit_many(probs, backend="dask", workers=1, timeout=120)
    assert all(same(a, b) for a, b in zip(out, sl.fit_many(probs, workers=1), strict=True))
