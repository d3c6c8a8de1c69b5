"""Row selection (``Dataset.where / dropna / best_of / last_by`` and ``Dataset.read(where=,
dropna=, best_of=, by=, last_by=)``) and the file readers (compressed CSV, TSV, a sniffed
delimiter, Parquet, JSON Lines, JSON arrays and objects of columns)."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalinglaws as sl
from scalinglaws.data.rows import RowSelection, best_rows

MISFITTING = (Path(__file__).resolve().parents[2] / "shared" / "data" / "misfitting"
              / "checkpoints.csv")


def sweep() -> pd.DataFrame:
    """Two sizes x two budgets x three learning rates, with a tie and a crashed run."""
    return pd.DataFrame({
        "params": [1e8] * 6 + [2e8] * 6,
        "tokens": ([2e9] * 3 + [4e9] * 3) * 2,
        "lr": [1e-3, 3e-3, 1e-2] * 4,
        "loss": [3.3, 3.1, 3.2, 3.0, 2.9, 2.9, 3.0, 2.8, None, 2.7, 2.75, 2.6],
        "run": [f"r{i}" for i in range(12)],
    })


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        yield


# -- where ----------------------------------------------------------------------------------------
def test_where_keeps_the_rows_the_query_selects_and_the_dataset_s_identity():
    ds = sl.Dataset(sl.datasets.load("chinchilla").to_frame(), flops_factor=6.0,
                    name="chin", citation="Hoffmann et al. 2022")
    kept = ds.where("params > 1e9 and not epoch_excluded")
    frame = ds.to_frame()
    expected = frame[(frame["params"] > 1e9) & ~frame["epoch_excluded"]]
    assert len(kept) == len(expected) > 0
    np.testing.assert_array_equal(kept.loss, expected["loss"].to_numpy())
    assert (kept.name, kept.citation, kept.flops_factor) == ("chin", "Hoffmann et al. 2022", 6)


def test_where_reads_backtick_quoted_names_with_a_slash(tmp_path):
    path = tmp_path / "runs.csv"
    sweep().rename(columns={"loss": "train/loss"}).to_csv(path, index=False)
    ds = sl.Dataset.read(path, where="`train/loss` < 2.95 and lr > 1e-3")
    assert list(ds.labels("run")) == ["r4", "r5", "r7", "r10", "r11"]


@pytest.mark.parametrize(("expr", "unknown", "close"), [
    ("parms > 1e8", "parms", "'params'"),
    ("`los` < 3", "los", "'loss'"),
    ("Run == 'r1'", "Run", "'run'"),
], ids=["bare", "backticks", "case"])
def test_where_names_an_unknown_column_and_the_close_ones(expr, unknown, close):
    ds = sl.Dataset.from_frame(sweep().dropna())
    with pytest.raises(sl.DataError) as info:
        ds.where(expr)
    text = str(info.value)
    assert f"no column '{unknown}'" in text and f"did you mean {close}" in text.lower()
    assert expr in text and "argument 'where'" in text


@pytest.mark.parametrize(("expr", "what"), [
    ("params >", "cannot read the row filter: invalid syntax"),
    ("params > 1e8 and", "cannot read the row filter"),
    ("run > 3", "cannot evaluate the row filter"),
    ("loss", "true or false for each row, got float64"),
    ("params = 1", "true or false for each row, got a table"),
    ("@limit < params", "Python variable (@limit)"),
    ("  ", "an expression such as"),
], ids=["syntax", "dangling-and", "text-vs-number", "not-boolean", "assignment", "variable",
        "blank"])
def test_where_errors_are_data_errors_naming_the_expression(expr, what):
    ds = sl.Dataset.from_frame(sweep().dropna())
    with pytest.raises(sl.DataError) as info:
        ds.where(expr)
    assert what in str(info.value)
    assert type(info.value) is sl.DataError  # not a pandas error, nor a subclass of one


def test_where_keeping_no_row_is_an_error_that_shows_the_text_values():
    ds = sl.Dataset.from_frame(sweep().dropna())
    with pytest.raises(sl.DataError, match="keeps none of the 11 rows") as info:
        ds.where("run == 'r99'")
    assert "'run' holds 'r0', 'r1'" in str(info.value)


# -- dropna ---------------------------------------------------------------------------------------
def test_a_crashed_run_fails_validation_unless_dropna_drops_it_first(tmp_path):
    path = tmp_path / "runs.csv"
    sweep().to_csv(path, index=False)
    with pytest.raises(sl.DataError, match=r"column 'loss' has missing values") as info:
        sl.Dataset.read(path)
    assert "dropna=True" in str(info.value)  # the fix names the way out
    ds = sl.Dataset.read(path, dropna=True)
    assert len(ds) == 11 and "r8" not in set(ds.labels("run"))


def test_dropna_covers_a_role_mapped_from_another_column_and_blank_text(tmp_path):
    frame = sweep().rename(columns={"loss": "val_loss"}).assign(
        note=["ok"] * 10 + ["  ", None])
    path = tmp_path / "runs.csv"
    frame.to_csv(path, index=False)
    ds = sl.Dataset.read(path, columns={"loss": "val_loss"}, dropna=True)
    assert len(ds) == 11 and ds.has("loss")
    # on a valid dataset the roles are complete; named columns are checked, blank text too
    assert len(ds.dropna()) == 11
    assert list(ds.dropna(["note"]).labels("run")) == [*(f"r{i}" for i in range(8)), "r9"]


def test_dropna_of_an_unknown_column_and_of_every_row_are_errors():
    ds = sl.Dataset.from_frame(sweep().dropna().assign(empty=np.nan))
    with pytest.raises(sl.DataError, match="no column 'nte'"):
        ds.dropna(["nte"])
    with pytest.raises(sl.DataError, match="every row has an empty cell in 'empty'"):
        ds.dropna(["empty"])


# -- best_of --------------------------------------------------------------------------------------
def test_best_of_keeps_the_lowest_per_group_ties_to_the_first(tmp_path):
    path = tmp_path / "runs.csv"
    sweep().to_csv(path, index=False)
    ds = sl.Dataset.read(path, dropna=True, best_of="loss", by=["params", "tokens"])
    # r4 and r5 tie at 2.9: the first wins; r8 (crashed) is dropped before
    assert list(ds.labels("run")) == ["r1", "r4", "r7", "r11"]
    assert list(ds.lr) == [3e-3, 3e-3, 3e-3, 1e-2]
    again = sl.Dataset.read(path, dropna=True).best_of("loss", by=["params", "tokens"])
    assert again.fingerprint == ds.fingerprint


def test_best_of_leaves_out_a_group_without_a_value_and_says_so():
    frame = sweep().assign(loss=[3.0, None, None] + [2.9] * 9)
    with pytest.warns(sl.ScalingLawWarning, match="2 group"):
        kept = best_rows(frame, "loss", ["params", "tokens", "lr"])
    assert list(kept) == [0, *range(3, 12)]  # rows 1 and 2 are groups of their own, empty


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 5)),
                min_size=1, max_size=40))
def test_best_of_is_pandas_groupby_idxmin(rows):
    # integer losses make ties frequent: idxmin gives the first, and so must best_of
    frame = pd.DataFrame(rows, columns=["size", "budget", "loss"]).astype(float)
    expected = sorted(frame.groupby(["size", "budget"])["loss"].idxmin())
    assert list(best_rows(frame, "loss", ["size", "budget"])) == expected


@pytest.mark.skipif(not MISFITTING.is_file(), reason=f"real data absent: {MISFITTING} "
                    "(../shared/data is beside the clone, not part of the package)")
def test_best_learning_rate_table_of_the_misfitting_sweep():
    # the sweep's usual table: the final checkpoint of each run, the best learning rate of
    # each model and token budget: 76 rows (as tests/test_calibration.py builds it by hand)
    ck = pd.read_csv(MISFITTING)
    final = ck[ck["final"].astype(bool)]
    best = final.loc[final.groupby(["model", "planned_tokens"])["loss"].idxmin()].sort_index()
    ds = sl.Dataset.read(MISFITTING, where="final", best_of="loss",
                         by=["model", "planned_tokens"])
    assert len(ds) == len(best) == 76
    assert list(ds.labels("run")) == best["run"].tolist()
    np.testing.assert_array_equal(ds.loss, best["loss"].to_numpy(dtype=float))
    assert ds.fingerprint == sl.Dataset.from_frame(best).fingerprint


# -- last_by --------------------------------------------------------------------------------------
def curves() -> pd.DataFrame:
    """Two runs' checkpoints, out of order, run b with a repeated last step."""
    return pd.DataFrame({"run": ["a", "b", "a", "b", "a", "b", "b"],
                         "step": [200, 100, 300, 300, 100, 200, 300],
                         "loss": [3.0, 3.2, 2.9, 2.8, 3.5, 3.0, 2.75],
                         "params": 1e8, "tokens": 2e9})


def test_last_by_takes_the_largest_step_of_each_run():
    ds = sl.Dataset.from_frame(curves()).last_by("run")
    # a's step 300 is row 2; b's step 300 is rows 3 and 6: the later one
    assert list(ds.labels("run")) == ["a", "b"] and list(ds.loss) == [2.9, 2.75]


def test_last_by_without_a_step_column_takes_the_last_row_and_step_may_be_named():
    frame = curves().rename(columns={"step": "_step"})
    assert list(sl.Dataset.from_frame(frame).last_by("run").loss) == [3.5, 2.75]
    assert list(sl.Dataset.from_frame(frame).last_by("run", step="_step").loss) == [2.9, 2.75]


def test_selection_runs_in_its_order_on_the_table_as_read(tmp_path):
    # where, then dropna, then last_by, then best_of: the crashed run's empty loss never
    # reaches validation, and the best is taken among the runs' last checkpoints
    frame = pd.concat([curves(), pd.DataFrame({
        "run": ["c", "c"], "step": [100, 200], "loss": [3.1, None],
        "params": 1e8, "tokens": 2e9})], ignore_index=True).assign(lr=1e-3)
    path = tmp_path / "curves.csv"
    frame.to_csv(path, index=False)
    ds = sl.Dataset.read(path, where="run != 'a'", dropna=True, last_by="run",
                         best_of="loss", by=["params"])
    assert list(ds.labels("run")) == ["b"] and list(ds.loss) == [2.75]
    # dropna before last_by: c's last checkpoint with a loss is its step 100
    rows = RowSelection(where="run != 'a'", dropna=True, last_by="run")
    assert list(sl.Dataset.read(path, rows=rows).loss) == [2.75, 3.1]
    with pytest.raises(sl.OptionError, match="rows= takes the whole selection"):
        sl.Dataset.read(path, rows=rows, dropna=True)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"best_of": "loss"}, "argument 'best_of'.*argument 'by' too"),
    ({"by": ["params"]}, "argument 'by'.*argument 'best_of' too"),
], ids=["best_of-alone", "by-alone"])
def test_best_of_and_by_go_together(kwargs, message):
    with pytest.raises(sl.OptionError, match=message):
        sl.Dataset.read("chinchilla", **kwargs)


# -- readers --------------------------------------------------------------------------------------
def table() -> pd.DataFrame:
    return pd.DataFrame({"params": [1e8, 2e8, 4e8], "tokens": [2e9, 4e9, 8e9],
                         "loss": [3.1, 2.9, 2.7], "run": ["a", "b", "c"]})


WRITERS = {
    "runs.csv.gz": lambda f, p: f.to_csv(p, index=False),
    "runs.csv.bz2": lambda f, p: f.to_csv(p, index=False),
    "runs.csv.xz": lambda f, p: f.to_csv(p, index=False),
    "runs.csv.zip": lambda f, p: f.to_csv(p, index=False),
    "runs.tsv": lambda f, p: f.to_csv(p, sep="\t", index=False),
    "semicolons.csv": lambda f, p: f.to_csv(p, sep=";", index=False),
    "tabs.csv": lambda f, p: f.to_csv(p, sep="\t", index=False),
    "runs.parquet": lambda f, p: f.to_parquet(p),
    "runs.jsonl": lambda f, p: f.to_json(p, orient="records", lines=True),
    "runs.jsonl.gz": lambda f, p: f.to_json(p, orient="records", lines=True),
    "records.json": lambda f, p: f.to_json(p, orient="records"),
    "columns.json": lambda f, p: p.write_text(json.dumps(f.to_dict(orient="list"))),
    "lines.json": lambda f, p: f.to_json(p, orient="records", lines=True),
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_format_reads_the_same_table(tmp_path, name):
    path = tmp_path / name
    WRITERS[name](table(), path)
    ds = sl.Dataset.read(path)
    assert ds.columns == ["params", "tokens", "loss", "run", "flops"]
    np.testing.assert_array_equal(ds.loss, [3.1, 2.9, 2.7])
    assert list(ds.labels("run")) == ["a", "b", "c"]


def test_a_json_array_is_read_as_one_row_per_record(tmp_path):
    # a JSON array of 120 records was once read as JSON Lines: one row of 120 columns
    records = [{"params": 1e8 * (1 + i), "tokens": 2e9, "loss": 3.0 - i / 100}
               for i in range(120)]
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(records))
    ds = sl.Dataset.read(path)
    assert len(ds) == 120 and ds.columns == ["params", "tokens", "loss", "flops"]


def test_a_comma_file_with_semicolons_in_a_text_column_stays_comma_separated(tmp_path):
    path = tmp_path / "runs.csv"
    table().assign(tags=["a;b", "c;d", "e;f"]).to_csv(path, index=False)
    assert sl.Dataset.read(path).labels("tags").tolist() == ["a;b", "c;d", "e;f"]


@pytest.mark.parametrize(("name", "content", "what"), [
    ("runs.csv.gz", b"not a gzip stream", "cannot read runs.csv.gz as CSV"),
    ("cut.csv.gz", gzip.compress(b"params,tokens,loss\n1e8,2e9,3\n" * 500)[:80],
     "cannot read cut.csv.gz as CSV"),
    ("runs.csv.zip", b"not a zip archive", "cannot read runs.csv.zip as CSV"),
    ("runs.csv", bytes(range(256)) * 4, "cannot read runs.csv as CSV"),
    ("runs.parquet", b"not parquet", "cannot read runs.parquet as PARQUET"),
    ("broken.json", b'[{"params": 1e8},', "cannot read broken.json as JSON"),
    ("numbers.json", b"[1, 2, 3]", "holds a JSON array of non-objects, not a table"),
    ("scalars.json", b'{"params": 1e8, "loss": 3}', "holds a JSON object whose values are "
     "not columns"),
    ("ragged.json", b'{"params": [1e8, 2e8], "loss": [3]}', "have different lengths (1, 2)"),
    ("runs.xlsx", b"x", "cannot tell the format of 'runs.xlsx'"),
], ids=["not-gzip", "truncated-gzip", "not-zip", "binary", "not-parquet", "broken-json",
        "array-of-numbers", "object-of-scalars", "ragged-columns", "unknown-suffix"])
def test_unreadable_files_are_data_errors_naming_the_file(tmp_path, name, content, what):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(sl.DataError) as info:
        sl.Dataset.read(path)
    assert what in str(info.value) and str(path) in str(info.value)
    assert type(info.value) is sl.DataError
