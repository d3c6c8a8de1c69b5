"""Units and conventions made explicit: ``sl.data.standardize`` computes params, tokens and
flops in one declared convention, the dataset records it, and it shows wherever the data or a
fit on them is shown."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.data import Convention, standardize

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
BENCHMARK = SHARED / "observational" / "base_llm_benchmark_eval.csv"

L, BATCH = 2048, 512
#: four runs: model sizes (with and without embeddings) and their training steps
STEPS = np.array([1_000, 5_000, 20_000, 80_000])
NON_EMBEDDING = np.array([8.5e7, 3.0e8, 1.1e9, 6.4e9])
EMBEDDING = np.array([1.6e7, 3.3e7, 6.6e7, 2.6e8])
LOSS = np.array([3.9, 3.3, 2.9, 2.5])


def runs() -> pd.DataFrame:
    """The same runs, their data counted three ways: tokens, samples and steps."""
    return pd.DataFrame({
        "n_params": NON_EMBEDDING, "emb_params": EMBEDDING,
        "total_params": NON_EMBEDDING + EMBEDDING,
        "train_tokens": STEPS * BATCH * L, "samples_seen": STEPS * BATCH, "step": STEPS,
        "val_loss": LOSS})


def three_ways() -> list[sl.Dataset]:
    frame = runs()
    common = {"params": "n_params", "params_count": "non-embedding", "loss": "val_loss"}
    return [standardize(frame, tokens="train_tokens", **common),
            standardize(frame, samples="samples_seen", seq_len=L, **common),
            standardize(frame, steps="step", batch_size=BATCH, seq_len=L, **common)]


def test_tokens_samples_and_steps_give_the_same_tokens_and_flops():
    by_tokens, by_samples, by_steps = three_ways()
    expected = STEPS * BATCH * L
    for ds in (by_tokens, by_samples, by_steps):
        np.testing.assert_array_equal(ds.tokens, expected)
        np.testing.assert_array_equal(ds.flops, 6.0 * NON_EMBEDDING * expected)
        np.testing.assert_array_equal(ds.loss, LOSS)
    # ... and each says how it got there
    assert by_tokens.convention.tokens == "tokens"
    assert by_samples.convention.tokens == "samples × L"
    assert by_steps.convention.tokens == "steps × batch × L"
    assert by_steps.convention.describe() == (
        "params: non-embedding (column n_params); tokens: steps (column step) × 512 "
        "sequences × 2,048 tokens; flops: 6·N·D")


def test_a_batch_counted_in_tokens_needs_no_sequence_length():
    ds = standardize(runs(), params="n_params", steps="step", batch_size=BATCH * L,
                     batch_unit="tokens")
    np.testing.assert_array_equal(ds.tokens, STEPS * BATCH * L)
    assert ds.convention.tokens == "steps × batch tokens"
    assert "steps (column step) × 1,048,576 tokens" in ds.convention.describe()


def test_batch_and_sequence_length_may_be_columns():
    frame = runs().assign(bs=BATCH, ctx=[L, L, 4096, 4096])
    ds = standardize(frame, params="n_params", steps="step", batch_size="bs", seq_len="ctx")
    np.testing.assert_array_equal(ds.tokens, STEPS * BATCH * frame["ctx"].to_numpy())
    assert "× (column bs) sequences × (column ctx) tokens" in ds.convention.describe()


def test_embeddings_are_subtracted_or_added_as_asked():
    frame = runs()
    without = standardize(frame, params="total_params", embedding="emb_params",
                          params_count="non-embedding", tokens="train_tokens")
    np.testing.assert_allclose(without.params, NON_EMBEDDING, rtol=1e-12)
    with_emb = standardize(frame, params="n_params", embedding="emb_params",
                           params_count="with embeddings", tokens="train_tokens")
    np.testing.assert_allclose(with_emb.params, NON_EMBEDDING + EMBEDDING, rtol=1e-12)
    # the two counts differ, and so do the flops derived from them
    assert (with_emb.flops > without.flops).all()
    np.testing.assert_allclose(with_emb.flops / without.flops,
                               (NON_EMBEDDING + EMBEDDING) / NON_EMBEDDING, rtol=1e-12)
    assert without.convention.describe().startswith(
        "params: non-embedding (column total_params − column emb_params)")
    assert with_emb.convention.describe().startswith(
        "params: with embeddings (column n_params + column emb_params)")


def test_a_count_in_billions_and_another_flops_factor():
    frame = pd.DataFrame({"Model Size (B)": [0.125, 1.3, 7.0], "D (T)": [0.3, 1.0, 2.0],
                          "loss": [3.2, 2.6, 2.2]})
    ds = standardize(frame, params="Model Size (B)", params_scale=1e9, tokens="D (T)",
                     tokens_scale=1e12, flops_factor=8)
    np.testing.assert_allclose(ds.params, [1.25e8, 1.3e9, 7e9])
    np.testing.assert_allclose(ds.tokens, [3e11, 1e12, 2e12])
    np.testing.assert_allclose(ds.flops, 8 * ds.params * ds.tokens)
    assert ds.flops_factor == 8
    assert ds.convention.describe() == (
        "params: as given (column Model Size (B) × 1e9); tokens: tokens (column D (T) × 1e12)"
        "; flops: 8·N·D")


@pytest.mark.skipif(not BENCHMARK.is_file(), reason=f"real data absent: {BENCHMARK} "
                    "(../shared/data is beside the clone, not part of the package)")
def test_a_real_table_in_billions_trillions_and_1e21_flops_agrees_with_6nd():
    table = pd.read_csv(BENCHMARK)
    sized = table.dropna(subset=["Model Size (B)", "Pretraining Data Size (T)",
                                 "FLOPs (1E21)"])
    assert len(sized) >= 100
    given = standardize(sized, params="Model Size (B)", params_scale=1e9,
                        tokens="Pretraining Data Size (T)", tokens_scale=1e12,
                        flops="FLOPs (1E21)", flops_scale=1e21, loss="MMLU")
    derived = standardize(sized, params="Model Size (B)", params_scale=1e9,
                          tokens="Pretraining Data Size (T)", tokens_scale=1e12, loss="MMLU")
    # the table's FLOPs are 6·N·D: within 1% for at least 95% of its models
    ratio = given.flops / derived.flops
    assert np.mean(np.abs(ratio - 1) < 0.01) >= 0.95, np.sort(ratio)
    assert 1e20 < np.median(given.flops) < 1e25  # plain FLOPs, not units of 1e21
    assert given.convention.flops == "column" and derived.convention.flops == "k·N·D"
    assert "flops: column FLOPs (1E21) × 1e21" in given.convention.describe()
    assert "params: as given (column Model Size (B) × 1e9)" in str(given)
    # flops read from a column are not said to be derived as 6·N·D
    assert "flops factor" not in str(given) and "flops factor: C = 6·N·D" in str(derived)


def test_the_original_columns_are_kept_and_clashing_roles_renamed():
    frame = runs().assign(params=1.0, tokens=NON_EMBEDDING)  # role names holding other things
    ds = standardize(frame, params="n_params", tokens="train_tokens")
    kept = ds.to_frame()
    # the columns read stay as they were
    np.testing.assert_array_equal(kept["n_params"], NON_EMBEDDING)
    np.testing.assert_array_equal(kept["train_tokens"], STEPS * BATCH * L)
    # the columns that clashed with a role are renamed out of the way, their values kept
    np.testing.assert_array_equal(kept["params_original"], 1.0)
    np.testing.assert_array_equal(kept["tokens_original"], NON_EMBEDDING)
    np.testing.assert_array_equal(ds.params, NON_EMBEDDING)
    lean = standardize(frame, params="n_params", tokens="train_tokens", keep_columns=False)
    assert not {"n_params", "train_tokens", "params_original"} & set(lean.columns)
    assert {"params", "tokens", "flops", "step"} <= set(lean.columns)


def test_a_role_column_rescaled_in_place_keeps_its_original():
    frame = pd.DataFrame({"params": [0.1, 1.0], "tokens": [2e9, 2e10], "loss": [3.0, 2.5]})
    ds = standardize(frame, params_scale=1e9)
    np.testing.assert_array_equal(ds.params, [1e8, 1e9])
    np.testing.assert_array_equal(ds.to_frame()["params_original"], [0.1, 1.0])
    assert ds.convention.describe().startswith("params: as given (column params × 1e9)")


def test_a_dataset_is_standardised_keeping_its_name():
    ds = standardize(sl.datasets.load("chinchilla"), params_count="non-embedding")
    assert ds.name == "chinchilla" and ds.citation
    assert ds.source is None  # reading the file again would not give this table
    assert ds.convention.describe() == ("params: non-embedding (column params); tokens: "
                                        "tokens (column tokens); flops: 6·N·D")
    # the table's own flops (Epoch's, rounded) are kept beside the 6·N·D now computed
    np.testing.assert_allclose(ds.to_frame()["flops_original"], ds.flops, rtol=1e-9)
    # a role replaced by the very same values leaves no copy behind
    again = standardize(ds, params_count="non-embedding")
    assert again.convention == ds.convention
    assert [c for c in again.columns if "original" in c] == ["flops_original"]


# -- errors --------------------------------------------------------------------------------
def test_a_missing_column_names_the_columns_there_are():
    with pytest.raises(sl.DataError, match="no column 'n_parmas'") as info:
        standardize(runs(), params="n_parmas", tokens="train_tokens")
    assert "available columns: n_params, emb_params" in str(info.value)
    assert "params=" in str(info.value)
    with pytest.raises(sl.DataError, match="no column 'embeddings'"):
        standardize(runs(), params="n_params", embedding="embeddings",
                    params_count="non-embedding")


@pytest.mark.parametrize("options", [{"samples": "samples_seen"},
                                     {"steps": "step", "batch_size": BATCH}])
def test_a_count_of_sequences_without_a_sequence_length_says_what_to_give(options):
    with pytest.raises(sl.OptionError, match="Give seq_len=") as info:
        standardize(runs(), params="n_params", **options)
    assert "sequence length" in str(info.value)


@pytest.mark.parametrize(("options", "pattern"), [
    ({"tokens": "train_tokens", "steps": "step"}, "give only one of them"),
    ({"samples": "samples_seen", "steps": "step", "seq_len": L}, "give only one of them"),
    ({"steps": "step", "seq_len": L}, "batch size"),
    ({"tokens": "train_tokens", "batch_size": BATCH}, "no steps= column"),
    ({"tokens": "train_tokens", "seq_len": L}, "only with samples= or steps="),
    ({"steps": "step", "batch_size": BATCH * L, "batch_unit": "tokens", "seq_len": L},
     "already counts tokens"),
    ({"steps": "step", "batch_size": BATCH, "seq_len": L, "batch_unit": "batches"},
     "not a unit of batches"),
    ({"embedding": "emb_params"}, "params_count='non-embedding'"),
    ({"params_count": "total"}, "is not a way of counting"),
    ({"flops": "val_loss", "flops_factor": 6}, "give only one of them"),
    ({"flops_scale": 1e21}, "name the column with flops="),
    ({"params_scale": 0}, "positive number"),
    ({"tokens": "train_tokens", "tokens_scale": -1e9}, "positive number"),
    ({"samples": "samples_seen", "seq_len": "2048"}, "no column '2048'"),
    ({"columns": {"params": "n_params"}}, "name the column with params="),
    ({"flops_factor": 6}, "needs both params and tokens"),
])
def test_contradicting_or_incomplete_options_are_refused(options, pattern):
    kind = sl.DataError if "no column" in pattern else sl.OptionError
    options = {"params": "n_params", **options}
    with pytest.raises(kind, match=f"(?i){pattern}"):
        standardize(runs(), **options)


def test_results_that_are_not_positive_name_the_rows():
    frame = runs()
    frame.loc[2, "total_params"] = frame.loc[2, "emb_params"] * 0.5  # smaller than its embeddings
    with pytest.raises(sl.DataError, match="not all positive") as info:
        standardize(frame, params="total_params", embedding="emb_params",
                    params_count="non-embedding")
    assert "row 2 " in str(info.value) and "column total_params − column emb_params" in str(
        info.value)
    frame = runs()
    frame.loc[[0, 3], "step"] = 0  # checkpoints at step 0 have seen no tokens
    with pytest.raises(sl.DataError, match=r"rows 0, 3 \(counting from 0"):
        standardize(frame, params="n_params", steps="step", batch_size=BATCH, seq_len=L)


def test_data_that_is_not_a_table_is_refused():
    with pytest.raises(sl.DataError, match="Dataset or a DataFrame"):
        standardize({"params": [1e9]}, params="params")


def test_an_unknown_convention_is_refused():
    with pytest.raises(sl.OptionError, match="unknown tokens convention"):
        Convention(tokens="bytes")


# -- where the convention shows --------------------------------------------------------------
def test_the_convention_shows_in_print_and_in_the_notebook_and_survives_subsets():
    ds = three_ways()[2]
    line = ds.convention.describe()
    assert f"convention: {line}" in str(ds)
    assert "convention" in ds._repr_html_() and "512 sequences × 2,048 tokens" in (
        ds._repr_html_())
    for part in (ds.subset(np.array([True, False, True, True])), ds[1:], ds.where("step > 1000"),
                 ds.dropna(), ds.best_of("loss", by=["params"]),
                 ds.with_columns({"planned_params": "n_params"})):
        assert part.convention == ds.convention
        assert line in str(part)
    plain = sl.Dataset.from_frame(runs(), columns={"params": "n_params",
                                                   "tokens": "train_tokens"})
    assert plain.convention is None and "convention" not in str(plain)


def test_a_fit_on_standardised_data_names_the_convention_and_keeps_it_when_saved(tmp_path):
    ds = standardize(sl.datasets.load("chinchilla"), params_count="non-embedding")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit("chinchilla", ds)
    line = ds.convention.describe()
    assert fit.data_convention == line
    summary = fit.summary()
    # a long value wraps under itself in the text summary: compare the words
    assert f"Data convention: {line}" in " ".join(str(summary).split())
    assert "Data convention" in summary.html() and summary.to_dict()["data_convention"] == line
    path = tmp_path / "fit.json"
    fit.save(path)
    back = sl.load(path)
    assert back.data_convention == line
    assert f"Data convention: {line}" in " ".join(str(back.summary()).split())
    # a fit saved before conventions were recorded still loads, without one
    doc = json.loads(path.read_text())
    del doc["data_convention"]
    old = sl.fitting.FitResult.from_dict(doc)
    assert old.data_convention is None and "Data convention" not in str(old.summary())
    assert old.params == pytest.approx(fit.params)


def test_the_html_report_names_the_data_convention():
    from scalinglaws.report.sections import summary_table

    ds = three_ways()[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit("power_law", ds, x="params")
    html = summary_table(fit.summary(), "formula")
    assert "Data convention" in html and "samples (column samples_seen) × 2,048 tokens" in html


def test_a_fit_on_data_without_a_convention_shows_no_line_and_saves_no_key(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        fit = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    assert fit.data_convention is None and "Data convention" not in str(fit.summary())
    assert "data_convention" not in fit.to_dict()
