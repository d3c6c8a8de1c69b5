import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl


def test_bundled_chinchilla_has_245_points_and_citation():
    ds = sl.datasets.load("chinchilla")
    assert len(ds) == 245
    assert int(ds.to_frame()["epoch_excluded"].sum()) == 5
    assert "2203.15556" in (ds.citation or "")
    # tokens were derived by Epoch as flops / (6 N): the identity must hold to rounding
    np.testing.assert_allclose(ds.flops, 6 * ds.params * ds.tokens, rtol=1e-9)


def test_flops_derived_with_settable_factor():
    frame = pd.DataFrame({"n": [1e8, 1e9], "tokens": [2e9, 2e10], "loss": [3.1, 2.6]})
    ds = sl.Dataset.from_frame(frame, columns={"params": "n"}, flops_factor=8)
    np.testing.assert_allclose(ds.flops, 8 * np.array([1e8 * 2e9, 1e9 * 2e10]))


@pytest.mark.parametrize(
    ("value", "pattern"),
    [(np.nan, "missing values"), (np.inf, "infinite"), (0.0, "strictly positive"),
     (-1.0, "strictly positive"), ("abc", "not numbers")],
)
def test_bad_values_name_column_and_row(value, pattern):
    frame = pd.DataFrame({"params": [1e8, 1e9, 1e10], "tokens": [1e9, 1e10, 1e11],
                          "loss": [3.0, value, 2.5]})
    with pytest.raises(sl.DataError, match=pattern) as info:
        sl.Dataset.from_frame(frame)
    assert "column 'loss'" in str(info.value)
    assert "row 1" in str(info.value)


def frame3(**overrides):
    data = {"params": [1e8, 1e9, 1e10], "tokens": [1e9, 1e10, 1e11], "loss": [3.0, 2.7, 2.5]}
    data.update(overrides)
    return pd.DataFrame(data)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_file_formats_round_trip(tmp_path, fmt):
    frame = frame3(run=["a", "b", "c"])
    path = tmp_path / f"runs.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
        ds = sl.Dataset.from_csv(path)
    elif fmt == "parquet":
        frame.to_parquet(path)
        ds = sl.Dataset.from_parquet(path)
    else:
        frame.to_json(path, orient="records", lines=True)
        ds = sl.Dataset.from_jsonl(path)
    np.testing.assert_array_equal(ds.params, frame["params"].to_numpy())
    assert list(ds.labels("run")) == ["a", "b", "c"]
    assert sl.Dataset.from_path(path).fingerprint == ds.fingerprint


def test_missing_column_names_available_and_fix():
    ds = sl.Dataset.from_frame(frame3())
    with pytest.raises(sl.DataError, match="no column 'step'") as info:
        _ = ds.step
    assert "params, tokens" in str(info.value) and "columns=" in str(info.value)


def test_mapping_to_missing_source_column():
    with pytest.raises(sl.DataError, match=r"'n_params'.*not in the data"):
        sl.Dataset.from_frame(frame3(), columns={"params": "n_params"})


def test_mapping_onto_existing_role_is_refused():
    with pytest.raises(sl.DataError, match="already has a column 'params'"):
        sl.Dataset.from_frame(frame3(n=[1, 2, 3]), columns={"params": "n"})


def test_empty_frame_and_empty_file(tmp_path):
    with pytest.raises(sl.DataError, match="no rows"):
        sl.Dataset.from_frame(frame3().iloc[:0])
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(sl.DataError, match="empty"):
        sl.Dataset.from_csv(empty)
    header = tmp_path / "header.csv"
    header.write_text("params,tokens,loss\n")
    with pytest.raises(sl.DataError, match="no rows"):
        sl.Dataset.from_csv(header)


def test_unknown_suffix_and_garbage_file(tmp_path):
    odd = tmp_path / "runs.txt"
    odd.write_text("x")
    with pytest.raises(sl.DataError, match="suffix"):
        sl.Dataset.from_path(odd)
    bad = tmp_path / "runs.parquet"
    bad.write_text("not parquet at all")
    with pytest.raises(sl.DataError, match="cannot read"):
        sl.Dataset.from_parquet(bad)


def test_thousands_separators_are_reported_not_misread():
    with pytest.raises(sl.DataError, match="7e9") as info:
        sl.Dataset.from_frame(frame3(params=["100,000,000", "1e9", "1e10"]))
    assert "row 0" in str(info.value)


def test_boolean_column_in_numeric_role():
    with pytest.raises(sl.DataError, match="true/false"):
        sl.Dataset.from_frame(frame3(loss=[True, False, True]))


def test_negative_step_rejected():
    with pytest.raises(sl.DataError, match="negative steps"):
        sl.Dataset.from_frame(frame3(step=[0, -1, 2]))


def test_duplicated_rows_warn_not_fail():
    frame = pd.concat([frame3(), frame3().iloc[[0]]], ignore_index=True)
    with pytest.warns(sl.ScalingLawWarning, match="duplicated row.*row 3"):
        ds = sl.Dataset.from_frame(frame)
    assert len(ds) == 4


def test_fewer_points_than_parameters():
    ds = sl.Dataset.from_frame(frame3())
    with pytest.raises(sl.DataError, match=r"3 data point.*5 parameters"):
        sl.fit("chinchilla", ds)


def test_dataset_is_immutable_copy():
    frame = frame3()
    ds = sl.Dataset.from_frame(frame)
    frame.loc[0, "loss"] = 99.0
    assert ds.loss[0] == 3.0
    with pytest.raises(ValueError):
        ds.loss[0] = 1.0  # read-only view
    out = ds.to_frame()
    out.loc[0, "loss"] = 42.0
    assert ds.loss[0] == 3.0


def test_subset_by_mask_and_bad_mask():
    ds = sl.Dataset.from_frame(frame3())
    small = ds[ds.flops < 1e20]
    assert len(small) == 2
    with pytest.raises(sl.DataError, match="one entry per row"):
        ds[np.array([True, False])]
    with pytest.raises(sl.DataError, match="keeps no rows"):
        ds[ds.flops < 0]


def test_not_a_frame():
    with pytest.raises(sl.DataError, match="DataFrame"):
        sl.Dataset([1, 2, 3])  # type: ignore[arg-type]


def test_fingerprint_changes_with_content():
    a = sl.Dataset.from_frame(frame3())
    b = sl.Dataset.from_frame(frame3(loss=[3.0, 2.7, 2.4]))
    assert a.fingerprint != b.fingerprint and len(a.fingerprint) == 16


def test_derived_flops_that_overflow_are_refused_at_once():
    frame = pd.DataFrame({"params": [1e200, 2e200], "tokens": [1e200, 1e200],
                          "loss": [2.0, 1.9]})
    with pytest.raises(sl.DataError, match="overflows") as info:
        sl.Dataset.from_frame(frame)
    assert "rows [0, 1]" in str(info.value) and "units" in info.value.fix


def test_one_column_mapped_to_two_roles_is_refused():
    frame = pd.DataFrame({"n": [1e9, 2e9], "loss": [2.0, 1.9]})
    with pytest.raises(sl.DataError, match="mapped to both 'params' and 'tokens'"):
        sl.Dataset.from_frame(frame, columns={"params": "n", "tokens": "n"})
