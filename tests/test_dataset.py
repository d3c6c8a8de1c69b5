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
