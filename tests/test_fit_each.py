"""``sl.fit_each``: one law fitted to every group of a long table. Each group gets the numbers
the batch gives its own frame; groups that break a data rule say why in their row; bad
arguments are refused with what, where and how to fix."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.fitting.batch import QuickFit, fit_batch
from scalinglaws.laws.law import Law

LAW = "E + A*x**(-alpha)"
X = np.logspace(6, 9, 20)


def table(k: int, seed: int = 0, sizes: tuple[int, ...] = (20,)) -> pd.DataFrame:
    """``k`` runs of the law, 1% noise, run ``i`` with ``sizes[i % len(sizes)]`` points."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(k):
        x = X[: sizes[i % len(sizes)]]
        e, a, alpha = rng.uniform(1.5, 2.5), rng.uniform(50, 500), rng.uniform(0.2, 0.5)
        y = (e + a * x ** -alpha) * np.exp(rng.normal(0, 0.01, x.size))
        parts.append(pd.DataFrame({"run": f"r{i}", "seed": i % 2, "x": x, "loss": y}))
    return pd.concat(parts, ignore_index=True)


def groups(t: pd.DataFrame) -> list[pd.DataFrame]:
    return [g.reset_index(drop=True) for _, g in t.groupby("run", sort=False)]


@pytest.mark.parametrize("loss", [None, "mse", "mse_log"])
def test_each_group_gets_what_the_batch_gives_its_frame(loss: str | None) -> None:
    t = table(30, seed=1)
    options = {"x": "x"} | ({"loss": loss} if loss else {})
    out = sl.fit_each(LAW, t, by="run", **options)
    batch = fit_batch(LAW, groups(t), **options)
    assert list(out.index) == [f"r{i}" for i in range(30)]
    assert out.index.name == "run"
    for label, ref in zip(out.index, batch, strict=True):
        assert isinstance(ref, QuickFit)
        # the same stacked arrays through the same engine: the same numbers
        assert out.loc[label, ["E", "A", "alpha"]].tolist() == pytest.approx(
            [ref.params[k] for k in ("E", "A", "alpha")], rel=1e-12)
        assert out.loc[label, "objective"] == pytest.approx(ref.objective, rel=1e-12)
        assert out.loc[label, "status"] == ref.status
    assert (out["n_points"] == 20).all() and (out["error"] == "").all()


def test_interleaved_rows_and_groups_of_several_sizes() -> None:
    t = table(12, seed=2, sizes=(20, 14, 9))
    shuffled = t.sample(frac=1.0, random_state=0)
    out = sl.fit_each(LAW, shuffled, by="run", x="x", loss="mse")
    first_seen = list(dict.fromkeys(shuffled["run"]))
    assert list(out.index) == first_seen
    for label, g in t.groupby("run"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sl.fit(LAW, g, x="x", loss="mse")
        assert out.loc[label, "n_points"] == len(g)
        # a group's rows, in their table order, fitted alone: the least-squares minimum
        assert out.loc[label, "objective"] <= ref.objective * (1 + 1e-7)
        assert out.loc[label, "alpha"] == pytest.approx(ref.params["alpha"], rel=1e-4)


@pytest.mark.parametrize("bad", ["r0", "r2"])  # the first group too, on which others bind
def test_a_bad_group_says_why_and_the_others_are_fitted(bad: str) -> None:
    t = table(6, seed=3)
    t.loc[t.index[t["run"] == bad][4], "loss"] = -1.0  # no log of a negative loss
    out = sl.fit_each(LAW, t, by="run", x="x")
    assert out.loc[bad, "status"] == "failed"
    assert np.isnan(out.loc[bad, "alpha"])
    assert "DataError" in out.loc[bad, "error"] and "loss" in out.loc[bad, "error"]
    good = out.drop(index=bad)
    assert (good["status"].isin(["converged", "stalled"])).all()
    assert (good["error"] == "").all()


def test_groups_named_by_two_columns() -> None:
    t = table(8, seed=4)
    out = sl.fit_each(LAW, t, by=["run", "seed"], x="x", loss="mse")
    assert isinstance(out.index, pd.MultiIndex)
    assert list(out.index.names) == ["run", "seed"]
    assert out.index[3] == ("r3", 1)
    assert len(out) == 8


def test_a_dataset_and_a_mapping_of_columns_are_tables_too() -> None:
    t = table(4, seed=5)
    ref = sl.fit_each(LAW, t, by="run", x="x", loss="mse")
    cols = {c: t[c].to_numpy() for c in t.columns}
    assert sl.fit_each(LAW, cols, by="run", x="x", loss="mse")["A"].tolist() == pytest.approx(
        ref["A"].tolist(), rel=1e-12)


def test_refit_false_keeps_the_batch_s_unconverged_end_point() -> None:
    t = table(5, seed=6)
    quick = sl.fit_each(LAW, t, by="run", x="x", loss="mse", max_iter=2, refit=False)
    assert set(quick["status"]) == {"max_iter"}
    assert quick["alpha"].notna().all()
    refitted = sl.fit_each(LAW, t, by="run", x="x", loss="mse", max_iter=2)
    for label, g in t.groupby("run"):  # each fitted alone: sl.fit's numbers and status
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sl.fit(LAW, g, x="x", loss="mse", max_iter=2)
        assert refitted.loc[label, "alpha"] == ref.params["alpha"]
        assert refitted.loc[label, "status"] == ref.status.value


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"by": "runs"}, sl.DataError, ["no column 'runs'", "did you mean 'run'"]),
    ({"by": "run", "y": "losses"}, sl.DataError, ["losses"]),  # every group's: raised once
    ({"by": "run", "weights": "w"}, sl.OptionError, ["fit_each does not take", "weights"]),
])
def test_bad_arguments_are_refused(kwargs: dict[str, object], error: type, words: list[str]
                                   ) -> None:
    with pytest.raises(error) as info:
        sl.fit_each(LAW, table(2), x="x", **kwargs)  # type: ignore[arg-type]
    for w in words:
        assert w.lower() in str(info.value).lower()


def test_bad_tables_are_refused() -> None:
    t = table(3)
    t.loc[5, "run"] = None
    with pytest.raises(sl.DataError, match="1 rows have no value in run"):
        sl.fit_each(LAW, t, by="run", x="x")
    t = table(3)
    t["x"] = t["x"].astype(object)
    t.loc[2, "x"] = "big"
    with pytest.raises(sl.DataError, match="column 'x' holds values that are not numbers"):
        sl.fit_each(LAW, t, by="run", x="x")
    with pytest.raises(sl.DataError, match="no rows"):
        sl.fit_each(LAW, table(2).iloc[:0], by="run", x="x")
    with pytest.raises(sl.DataError, match="takes a table"):
        sl.fit_each(LAW, [1, 2, 3], by="run", x="x")


@pytest.mark.slow
def test_on_a_dask_cluster_the_answer_is_the_local_one() -> None:
    distributed = pytest.importorskip("dask.distributed")
    t = table(40, seed=8, sizes=(20, 15))
    t.loc[t.index[t["run"] == "r7"][2], "loss"] = -1.0  # one bad group, in the second slice
    local = sl.fit_each(LAW, t, by="run", x="x")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster, timeout=60) as client:
        remote = sl.fit_each(LAW, t, by="run", x="x", backend="dask", client=client)
        from scalinglaws.fitting.many_dask import worker_threads

        assert worker_threads(client) == 2  # one slice of each stack per worker thread
        # a scheduler's address: connected to count its threads, and closed after
        by_address = sl.fit_each(LAW, t, by="run", x="x", backend="dask",
                                 client=cluster.scheduler_address)
    pd.testing.assert_frame_equal(remote, local)
    pd.testing.assert_frame_equal(by_address, local)
    assert remote.loc["r7", "status"] == "failed"


@pytest.mark.parametrize("layout", ["runs", "split", "shuffled"])
def test_integer_groups_read_from_runs_or_hashed_give_one_answer(layout: str) -> None:
    t = table(9, seed=11, sizes=(20, 13))
    t["id"] = t["run"].str[1:].astype(int) * 7 - 20  # negative ids too
    if layout == "split":  # run r3's rows in two places: not one run per group
        rows = t.index[t["run"] == "r3"]
        t = pd.concat([t.drop(rows[:5]), t.loc[rows[:5]]], ignore_index=True)
    elif layout == "shuffled":
        t = t.sample(frac=1.0, random_state=3)
    out = sl.fit_each(LAW, t, by="id", x="x", loss="mse")
    by_text = sl.fit_each(LAW, t, by="run", x="x", loss="mse")  # hashed labels
    assert list(out.index) == list(dict.fromkeys(t["id"]))
    assert out.index.name == "id" and out.index.dtype == t["id"].dtype
    for label, row in out.iterrows():
        ref = by_text.loc[f"r{(label + 20) // 7}"]
        assert row[["E", "A", "alpha", "objective"]].tolist() == pytest.approx(
            ref[["E", "A", "alpha", "objective"]].tolist(), rel=1e-12)
        assert row["n_points"] == ref["n_points"]


def test_a_law_by_name_binds_once_per_layout_of_columns() -> None:
    from scalinglaws.fitting import each

    each._PLANS.clear()
    t = table(4, seed=12)
    first = sl.fit_each(LAW, t, by="run", x="x")
    assert len(each._PLANS) == 1
    again = sl.fit_each(LAW, t.assign(loss=t["loss"] * 1.01), by="run", x="x")
    assert len(each._PLANS) == 1  # the same columns and options: the plan kept is used
    assert (again["E"] / first["E"]).to_numpy() == pytest.approx(1.01, rel=1e-6)
    sl.fit_each(LAW, t.rename(columns={"x": "size"}), by="run", x="size")
    sl.fit_each(LAW, t, by="run", x="x", loss="mse")
    assert len(each._PLANS) == 3  # other columns, other options: bound anew
    # a Law object is bound on every call (another object may take its place in memory)
    sl.fit_each(Law.from_expression(LAW, inputs={"x": "x"}), t, by="run")
    assert len(each._PLANS) == 3
    # a bad first group is still that group's error with a plan kept for the layout
    bad = t.copy()
    bad.loc[bad.index[bad["run"] == "r0"][0], "loss"] = -1.0
    out = sl.fit_each(LAW, bad, by="run", x="x")
    assert out.loc["r0", "status"] == "failed" and "loss" in out.loc["r0", "error"]
    assert (out.loc[["r1", "r2", "r3"], "status"] == "converged").all()


def test_worker_threads_of_what_is_not_a_running_client_is_unknown() -> None:
    from scalinglaws.fitting.many_dask import worker_threads

    assert worker_threads(None) is None
    assert worker_threads("tcp://127.0.0.1:1") is None  # an address: not asked here


def test_a_scheduler_that_does_not_answer_is_an_option_error() -> None:
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(sl.OptionError, match="no Dask scheduler answered"):
        sl.fit_each(LAW, table(3), by="run", x="x", backend="dask", client="tcp://127.0.0.1:1")
