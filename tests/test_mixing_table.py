"""Mixture experiments are checked before anything is fitted: proportions, losses, tokens."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalinglaws as sl

DOMAINS = ["web", "code", "books"]


def frame(props: list[list[float]]) -> pd.DataFrame:
    out = pd.DataFrame(props, columns=DOMAINS)
    for d in DOMAINS:
        out[f"loss_{d}"] = 2.5
    return out


def test_a_good_table_reads_its_domains_losses_and_tokens():
    runs = sl.mixing.table(frame([[0.5, 0.3, 0.2], [0.2, 0.2, 0.6]]), DOMAINS,
                           available={"code": 5e10})
    assert runs.domains == tuple(DOMAINS) and runs.validation == tuple(DOMAINS)
    assert runs.proportions.shape == (2, 3) and runs.losses.shape == (2, 3)
    assert runs.available == {"code": 5e10}
    # domains as comma-separated text, as the command line passes them
    assert sl.mixing.table(frame([[0.5, 0.3, 0.2]]), "web,code,books").domains == \
        tuple(DOMAINS)


def test_rows_not_summing_to_one_are_named():
    with pytest.raises(sl.DataError, match=r"2 row\(s\) do not sum to 1 \(row 1: 0.9, "
                                           r"row 3: 1.1\)"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2], [0.5, 0.3, 0.1], [0.2, 0.2, 0.6],
                               [0.5, 0.5, 0.1]]), DOMAINS)
    # within the tolerance (percentages rounded to one decimal) a row passes
    sl.mixing.table(frame([[0.3334, 0.3333, 0.3334]]), DOMAINS)


def test_negative_proportions_and_missing_columns_are_refused():
    with pytest.raises(sl.DataError, match=r"non-negative.*rows \[1\]"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2], [1.2, -0.2, 0.0]]), DOMAINS)
    with pytest.raises(sl.DataError, match="no proportion column for domain 'math'"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2]]), [*DOMAINS, "math"])
    bad = frame([[0.5, 0.3, 0.2]])
    bad.loc[0, "loss_web"] = np.nan
    with pytest.raises(sl.DataError, match="column 'loss_web', rows \\[0\\]"):
        sl.mixing.table(bad, DOMAINS)
    with pytest.raises(sl.DataError, match="no loss column 'loss_math'"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2]]), DOMAINS, validation=["math"])


def test_domain_names_and_available_tokens_are_checked():
    with pytest.raises(sl.OptionError, match="at least two domains"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2]]), ["web"])
    with pytest.raises(sl.OptionError, match="named twice"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2]]), ["web", "web"])
    with pytest.raises(sl.OptionError, match="unknown domain 'math'"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2]]), DOMAINS, available={"math": 1e9})
    with pytest.raises(sl.OptionError, match="positive number"):
        sl.mixing.table(frame([[0.5, 0.3, 0.2]]), DOMAINS, available={"web": -1})


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 10.0), min_size=3, max_size=3).filter(lambda v: sum(v) > 0),
       st.floats(-0.5, 0.5))
def test_a_row_passes_exactly_when_its_shares_sum_to_one(shares, shift):
    row = np.array(shares) / sum(shares)
    row[0] += shift
    ok = row.min() >= 0 and abs(row.sum() - 1) <= 1e-3
    if ok:
        sl.mixing.table(frame([row.tolist()]), DOMAINS)
    else:
        with pytest.raises(sl.DataError):
            sl.mixing.table(frame([row.tolist()]), DOMAINS)
