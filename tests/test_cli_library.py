"""The library calls behind the command line: what ``DATA``, ``--exclude`` and a fit file
argument do, as functions of the library (``Dataset.read``, ``Dataset.exclude``,
``sl.load``)."""

from __future__ import annotations

import pandas as pd
import pytest

import scalinglaws as sl


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return sl.datasets.load("chinchilla").to_frame()


def test_read_a_file_or_a_bundled_dataset(frame, tmp_path, monkeypatch):
    bundled = sl.Dataset.read("chinchilla")
    assert len(bundled) == 245 and bundled.name == "chinchilla"
    assert (bundled.citation or "").startswith(sl.datasets.info("chinchilla").citation)
    assert bundled.fingerprint == sl.datasets.load("chinchilla").fingerprint
    path = tmp_path / "runs.csv"
    frame.rename(columns={"params": "n_params"}).to_csv(path, index=False)
    ds = sl.Dataset.read(path, columns={"params": "n_params"})
    assert len(ds) == 245 and ds.name == str(path) and ds.has("params")
    # a bundled dataset takes a column mapping too
    mapped = sl.Dataset.read("chinchilla", columns={"N": "params"})
    assert mapped.has("N") and not mapped.has("params") and mapped.name == "chinchilla"
    # a file of that name wins over the bundled dataset
    monkeypatch.chdir(tmp_path)
    frame.iloc[:10].to_csv(tmp_path / "chinchilla", index=False)
    with pytest.raises(sl.DataError, match="cannot tell the format of 'chinchilla'"):
        sl.Dataset.read("chinchilla")


def test_read_names_a_missing_file():
    with pytest.raises(sl.DataError, match=r"file not found: missing\.csv"):
        sl.Dataset.read("missing.csv")


def test_exclude_drops_the_rows_flagged_true(frame):
    ds = sl.datasets.load("chinchilla")
    kept = ds.exclude("epoch_excluded")
    assert len(kept) == 240 and not kept.to_frame()["epoch_excluded"].any()
    expected = frame.loc[~frame["epoch_excluded"], "loss"].to_numpy()
    for flags in (frame["epoch_excluded"].map({True: " TRUE", False: "false"}),
                  frame["epoch_excluded"].astype(int), frame["epoch_excluded"].astype(float)):
        flagged = sl.Dataset.from_frame(frame.assign(epoch_excluded=flags))
        assert list(flagged.exclude("epoch_excluded").loss) == list(expected)


@pytest.mark.parametrize(("values", "shown"),
                         [(["yes", "no"], "'yes'"), (["true", None], "(blank)"),
                          (["1", "2"], "'2'")], ids=["yes-no", "blank", "two"])
def test_exclude_refuses_values_it_cannot_read(frame, values, shown):
    flags = [values[i % 2] for i in range(len(frame))]
    ds = sl.Dataset.from_frame(frame.assign(skip=flags))
    with pytest.raises(sl.DataError) as info:
        ds.exclude("skip")
    exc = info.value
    assert shown in exc.what and exc.where.startswith("column 'skip', row")
    assert "write true or false" in exc.fix


def test_exclude_names_a_missing_column():
    with pytest.raises(sl.DataError) as info:
        sl.datasets.load("chinchilla").exclude("nosuch")
    assert "'nosuch'" in info.value.what and "epoch_excluded" in info.value.where
    assert "true/false column" in info.value.fix


def test_load_reads_a_fit_file(tmp_path):
    ds = sl.datasets.load("chinchilla").exclude("epoch_excluded")
    single = tmp_path / "fit.json"
    sl.fit("E + A*C**(-alpha)", ds, columns={"C": "flops"}).save(single)
    assert isinstance(sl.load(single), sl.FitResult)
    with pytest.raises(sl.ResultFileError, match="folder"):
        sl.load(tmp_path)
