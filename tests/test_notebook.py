"""What a user holding a result sees: warnings at their own line, ``print`` and the notebook's
HTML of every result, LaTeX tables, and joint fits answered per group."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl

HERE = __file__


# -- warnings name the caller's line -------------------------------------------------------------
def caught(call):
    """The ScalingLawWarnings ``call()`` issues, with the file and line each names."""
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        call()
    return [r for r in records if issubclass(r.category, sl.ScalingLawWarning)]


def assert_at_this_file(records):
    assert records, "expected a ScalingLawWarning"
    for r in records:
        # the test's own line, not a line of scalinglaws/fitting/api.py or of the engine
        assert r.filename == HERE, (r.filename, r.lineno, str(r.message))


def test_a_fit_warns_at_the_line_that_called_it(chinchilla_kept):
    frame = chinchilla_kept.to_frame()
    doubled = pd.concat([frame, frame.iloc[:2]], ignore_index=True)
    records = caught(lambda: sl.fit("chinchilla", doubled))
    assert any("duplicated" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_predict_warns_at_the_line_that_called_it(chinchilla_fit):
    records = caught(lambda: chinchilla_fit.predict(params=1e15, tokens=1e15))
    assert any("beyond the fitted data" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_a_cluster_bootstrap_warns_at_the_line_that_called_it(chinchilla_kept):
    frame = chinchilla_kept.to_frame()
    frame["seed"] = np.arange(len(frame)) % 6
    fit = sl.fit("chinchilla", frame)
    records = caught(lambda: fit.bootstrap(10, by="seed", seed=0))
    assert any("only 6 clusters" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_select_and_isoflop_warn_at_the_line_that_called_them():
    ds = sl.datasets.load("chinchilla")
    records = caught(lambda: sl.validate.select(ds, laws=["chinchilla"],
                                                holdout="flops<1e19"))
    assert any("backcast" in str(r.message) for r in records)
    assert_at_this_file(records)
    records = caught(lambda: sl.plan.isoflop(ds, n_boot=0, budgets="log"))
    assert any("fewer than min_sizes" in str(r.message) for r in records)
    assert_at_this_file(records)


def test_the_warning_helper_skips_every_frame_of_the_package():
    from scalinglaws.common.warning import warn

    def user_code():
        warn("look here")

    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        user_code()
    assert records[0].filename == HERE and records[0].category is sl.ScalingLawWarning
    assert records[0].lineno == user_code.__code__.co_firstlineno + 1


# -- print and the notebook's HTML of every result -----------------------------------------------
@pytest.fixture(scope="module")
def boot(chinchilla_fit):
    return chinchilla_fit.bootstrap(40, seed=0)


def test_bootstrap_prints_its_intervals_and_renders_a_table(chinchilla_fit, boot):
    text = str(boot)
    lo, hi = boot.interval("alpha", 0.95)
    assert "95% lower" in text and "95% percentile intervals" in text
    row = next(line for line in text.splitlines() if line.startswith("alpha"))
    assert f"{lo:.4g}" in row and f"{hi:.4g}" in row
    html = boot._repr_html_()
    assert html.count("<tr>") == 1 + len(chinchilla_fit.params) and "&#x27;chinchilla&#x27;" in html
    assert repr(boot).startswith("<Bootstrap of 'chinchilla'")


def test_print_of_a_plan_shows_readable_numbers_not_arrays(chinchilla_fit):
    plan = sl.plan.compute_optimal(chinchilla_fit, [5.76e23, 1e25])
    text = str(plan)
    assert "array(" not in text and "e+" not in text.split("warning")[0]
    assert "5.76×10²³" in text and "1×10²⁵" in text and "tokens/param" in text
    assert "warning: extrapolation" in text and "× the largest fitted value" in text
    assert repr(plan) == text
    html = plan._repr_html_()
    assert html.startswith('<table class="scalinglaws">') and html.count("<tr>") == 3
    for answer in (sl.plan.tokens_to_reach(chinchilla_fit, 2.1, params=7e9),
                   sl.plan.flops_to_reach(chinchilla_fit, 2.0),
                   sl.plan.inference_optimal(chinchilla_fit, inference_tokens=1e13,
                                             flops=1e23)):
        assert "array(" not in str(answer) and "<table" in answer._repr_html_()
        assert "\\toprule" in answer.to_latex()


def test_a_plan_with_a_bootstrap_shows_its_intervals(chinchilla_fit, boot):
    plan = sl.plan.compute_optimal(chinchilla_fit.with_bootstrap(boot), 1e23, level=0.8)
    text = str(plan)
    assert "params 80%" in text and "loss 80%" in text and "parameter-only" in text
    lo, hi = plan.params_interval[0]
    header, row = text.splitlines()[1], text.splitlines()[3]
    from scalinglaws.common.numbers import span

    assert span(lo, hi) in row and header.index("params 80%") > 0
    latex = plan.to_latex()
    assert "params 80\\% lower" in latex and "params 80\\% upper" in latex
    assert f"{lo / 10**np.floor(np.log10(lo)):.4g}" in latex


def test_print_of_a_profile_shows_the_estimate_and_the_interval_at_its_level(chinchilla_fit):
    prof = chinchilla_fit.profile("alpha", level=0.9, points=21)
    lo, hi = prof.interval()
    text = str(prof)
    lines = dict(line.split(":", 1) for line in text.splitlines()[1:])
    assert lines["estimate"].strip() == f"{chinchilla_fit.params['alpha']:.4g}"
    assert lines["90% interval"].strip() == f"[{lo:.4g}, {hi:.4g}]"
    # the bounds are said as bounds, not where the interval goes
    assert lines["bounds"].strip() == "[0, 10]" and "[0, 10]" not in lines["90% interval"]
    assert "90% interval [" in repr(prof) and "<table" in prof._repr_html_()


def test_print_of_a_dataset_names_its_columns_roles_and_first_rows():
    frame = pd.DataFrame({"params": [1e8, 2e8, 4e8, 8e8], "tokens": [2e9, 4e9, 8e9, 1.6e10],
                          "loss": [3.1, 2.9, 2.7, 2.6], "<b>seed</b>": [0, 1, 0, 1]})
    ds = sl.Dataset(frame, name="runs & more")
    text = str(ds)
    assert text.startswith("Dataset runs & more: 4 rows")
    assert "params" in text and "role: model size N" in text and "extra input or metric" in text
    assert "flops" in text and "1.2×10¹⁸" in text  # the derived column, in the head
    assert "first 4 of 4 rows" in text
    html = ds._repr_html_()
    assert "&lt;b&gt;seed&lt;/b&gt;" in html and "<b>seed</b>" not in html
    assert "runs &amp; more" in html


def test_print_of_a_law_gives_formula_inputs_and_bounds():
    law = sl.Law.from_expression("E + A/N**alpha", name="<i>mine</i>",
                                 parameters={"alpha": {"lower": 0.1, "upper": 2}})
    text = str(law)
    assert "formula: loss = A/N**alpha + E" in text and "inputs:  N=params" in text
    alpha = next(line for line in text.splitlines() if line.startswith("alpha"))
    assert "[0.1, 2]" in alpha and "linear" in alpha
    assert "&lt;i&gt;mine&lt;/i&gt;" in law._repr_html_()
    catalog = str(sl.laws.get("chinchilla"))
    assert "arXiv:2203.15556" in catalog and "irreducible loss" in catalog


@pytest.fixture(scope="module")
def selection():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        return sl.validate.select(sl.datasets.load("chinchilla"), laws=["chinchilla"])


def test_selection_prints_its_tables_whole(selection):
    text = str(selection)
    assert selection.summary_line() in text
    for choice in selection.table["choice"]:  # every candidate's name, whole
        assert choice in text
    best = selection.table.iloc[0]
    assert f"{best['error']:.2%}" in text
    html = selection._repr_html_()
    assert html.count("<table") == 2 and "held-out error" in html
    assert repr(selection).startswith("<Selection: selected (")
    latex = selection.to_latex()
    assert latex.count("\\\\") == len(selection.table) + 1 and "mse\\_log" in latex


def test_law_comparison_prints_and_renders_its_recommendation():
    ds = sl.datasets.load("chinchilla")
    cmp = sl.validate.compare_laws(["chinchilla", "kaplan"], ds, train="flops<1e21",
                                   criteria=False)
    text = str(cmp)
    assert f"recommended: {cmp.recommendation}" in text and "mean |rel. error|" in text
    assert f"{cmp.table['mean_abs_rel_error'].iloc[0]:.2%}" in text
    assert "recommended:" in cmp._repr_html_()
    latex = cmp.to_latex()
    assert "\\textbar{}" in latex and "\\%" in latex and "\\bottomrule" in latex
    bt = cmp.backtests[cmp.recommendation]
    assert "\\toprule" in bt.to_latex() and "mean \\textbar{}rel. error\\textbar{}" in bt.to_latex()


def test_setup_comparison_prints_its_sensitivity_table():
    ds = sl.datasets.load("chinchilla")
    cmp = sl.plan.compare_data(ds, ds, "chinchilla", n_boot=0)
    text = str(cmp)
    assert text.startswith(cmp.statement()) and "sensitivity to the fitting choice" in text
    for choice in cmp.sensitivity["choice"]:
        assert choice in text
    assert "array(" not in repr(cmp) and repr(cmp).startswith("<SetupComparison: ")
    assert "<table" in cmp._repr_html_()


def test_isoflop_prints_readable_budgets_with_their_intervals():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        iso = sl.plan.isoflop(sl.datasets.load("chinchilla"), n_boot=50, budgets="log")
    text = str(iso)
    assert "95% interval" in text and "×10" in text and "used (edge)" in text
    used = iso.used.iloc[0]
    assert f"{used['n_opt_lo'] / 10**np.floor(np.log10(used['n_opt_lo'])):.3g}" in text
    assert repr(iso).startswith("<IsoFlop: a = ")
    assert "<table" in iso._repr_html_()


# -- LaTeX ----------------------------------------------------------------------------------------
def test_latex_escapes_the_characters_latex_reads():
    from scalinglaws.common import latex

    assert latex.escape("a_b 5% & #1") == "a\\_b 5\\% \\& \\#1"
    table = latex.tabular(["name", "value"], [["x_1", 1.5e20], ["y%", float("nan")]])
    assert "x\\_1 & $1.5 \\times 10^{20}$ \\\\" in table and "y\\% & -- \\\\" in table
    assert table.splitlines()[:2] == ["\\begin{tabular}{lr}", "\\toprule"]


def test_summary_to_latex_gives_estimates_errors_and_bootstrap_intervals(chinchilla_fit, boot):
    plain = chinchilla_fit.summary().to_latex()
    se = chinchilla_fit.stderr["alpha"]
    assert f"alpha & ${chinchilla_fit.params['alpha']:.4g} \\pm {se:.4g}$" in plain
    assert "interval" not in plain and plain.count("\\\\") == 1 + 5
    with_boot = chinchilla_fit.with_bootstrap(boot).summary().to_latex()
    lo, hi = boot.interval("alpha", boot.level)
    assert "95\\% interval" in with_boot and f"[{lo:.4g}, {hi:.4g}]" in with_boot
    law = sl.Law.from_expression("E + A_1/N**alpha_n", name="my_law")
    frame = sl.datasets.load("chinchilla").to_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        odd = sl.fit(law, frame).summary().to_latex()
    assert "A\\_1 &" in odd and "alpha\\_n" in odd and "A_1" not in odd


def test_a_calibration_and_a_vocabulary_choice_print_in_words(fit_json):
    cal = sl.load_fit(fit_json).calibration
    assert str(cal) == cal.summary() and "calibrated interval from" in str(cal)
    assert "array(" not in repr(cal) and "<p>" in cal._repr_html_()
    choice = sl.plan.VocabularyChoice(vocab_size=43008.0, vocab_params=1.376e8, tokens=1.2e11,
                                      unigram_gain=2.5, params=2.87e9, embed_dim=3200.0,
                                      budget="flops 2.3e21")
    text = str(choice)
    assert "vocabulary size:" in text and "4.301×10⁴" in text and "-2.5" in text
    assert "<table" in choice._repr_html_()


def test_a_joint_fit_predicts_for_every_group_without_a_label():
    from test_shared import families

    joint = sl.fit("chinchilla", families(), shared=["alpha", "beta"], by="family")
    frame = joint.predict(params=[1e9, 2e9], tokens=1e11)
    assert list(frame.columns) == ["family", "params", "tokens", "loss"]
    assert list(frame["family"]) == ["a", "a", "b", "b", "c", "c"]
    for row in frame.itertuples(index=False):
        assert row.loss == pytest.approx(joint.predict(family=row.family, params=row.params,
                                                       tokens=row.tokens), rel=1e-12)
    pred = sl.fitting.predict(joint, {"params": 1e9, "tokens": 1e11})
    assert pred.groups == ["a", "b", "c"] and pred.to_dict()["group"] == ["a", "b", "c"]
    assert list(joint.per_group()) == ["a", "b", "c"]
