"""Tests of scalinglaws.report: Summary renderings, figures and the self-contained HTML report."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from plotly.offline import get_plotlyjs
from rich.console import Console

import scalinglaws as sl
from scalinglaws.common.numbers import size
from scalinglaws.exceptions import DataError, ScalingLawError
from scalinglaws.report import Summary, fit_figure, html
from scalinglaws.report.assets import plotly_packed, unpacked
from scalinglaws.report.figures import COMPUTE_LABEL
from scalinglaws.report.page import num

HOSTILE_LAW = "<script>alert(1)</script>"
HOSTILE_DATA = "<img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def chinchilla() -> tuple[sl.FitResult, sl.Dataset]:
    ds = sl.datasets.load("chinchilla")
    ds = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    return sl.fit("chinchilla", ds), ds


def _synthetic(column: str = "flops", name: str = HOSTILE_DATA) -> sl.Dataset:
    rng = np.random.default_rng(0)
    x = np.geomspace(1e18, 1e22, 24) if column == "flops" else np.geomspace(1e7, 1e10, 24)
    y = (1.7 + 300.0 * x ** -0.13) * np.exp(0.002 * rng.standard_normal(x.size))
    return sl.Dataset.from_frame(pd.DataFrame({column: x, "loss": y}), name=name)


@pytest.fixture(scope="module")
def hostile() -> tuple[sl.FitResult, sl.Dataset]:
    ds = _synthetic()
    law = sl.Law.from_expression("E + A*x**(-alpha)", inputs={"x": "flops"}, name=HOSTILE_LAW)
    return sl.fit(law, ds), ds


# -- Summary ----------------------------------------------------------------------------------
def test_summary_text_lists_parameters_values_and_status(chinchilla):
    fit, _ = chinchilla
    summary = fit.summary()
    assert isinstance(summary, Summary)
    text = summary.text()
    assert str(summary) == text == str(fit)
    for name, value in fit.params.items():
        line = next(ln for ln in text.splitlines() if ln.split()[:1] == [name])
        assert f"{value:.6g}" in line  # 6 significant digits, as documented
        assert f"{fit.stderr[name]:.6g}" in line
    assert f"Status: {fit.status.value}" in text
    assert "Hoffmann" in text  # the citation
    assert str(fit.n_points) in text


def test_summary_rows_follow_the_law(chinchilla):
    fit, _ = chinchilla
    summary = Summary.from_fit(fit)
    assert [r.name for r in summary.rows] == list(fit.law.parameter_names)
    alpha = next(r for r in summary.rows if r.name == "alpha")
    assert (alpha.lower, alpha.upper) == (0.0, 10.0)
    assert alpha.bounds == "[0, 10]"
    assert not any(r.at_bound for r in summary.rows)
    assert summary.status == "converged"


def test_summary_flags_a_parameter_at_its_bound():
    ds = _synthetic(name="synthetic")
    law = sl.Law.from_expression("E + A*x**(-alpha)", inputs={"x": "flops"},
                                 parameters={"alpha": {"lower": 0.0, "upper": 0.05}})
    with pytest.warns(sl.ScalingLawWarning, match="upper bound"):
        fit = sl.fit(law, ds)  # the true exponent 0.13 lies beyond the upper bound 0.05
    summary = fit.summary()
    flagged = [r.name for r in summary.rows if r.at_bound]
    assert flagged == ["alpha"]
    assert summary.to_dict()["at_bound"] == ["alpha"]
    assert "alpha *" in summary.text()
    assert "* the parameter sits at a bound" in summary.html()
    assert summary.warnings and "Warnings:" in summary.text()


def test_summary_html_escapes_hostile_names(hostile):
    fit, _ = hostile
    fragment = fit.summary().html()
    assert fragment.lstrip().startswith("<table") and fragment.rstrip().endswith("</table>")
    assert "<script" not in fragment
    assert "&lt;script&gt;" in fragment
    assert "<img" not in fragment  # the dataset name
    assert "&lt;img src=x" in fragment
    assert fit._repr_html_() == fragment


def test_summary_to_dict_is_json_ready(chinchilla):
    fit, _ = chinchilla
    d = fit.summary().to_dict()
    back = json.loads(json.dumps(d, allow_nan=False))
    assert back["law"] == "chinchilla"
    assert back["params"] == pytest.approx(dict(fit.params), rel=1e-12)
    assert set(back["stderr"]) == set(fit.params)
    assert back["status"] == "converged"
    assert back["n_points"] == fit.n_points == 240
    assert back["objective"] == pytest.approx(fit.objective)
    assert back["warnings"] == []


def test_summary_to_dict_turns_non_finite_numbers_into_null(chinchilla):
    fit, _ = chinchilla
    summary = fit.summary()
    rows = tuple(
        type(r)(r.name, r.value, float("nan"), r.lower, r.upper, r.at_bound) for r in summary.rows)
    broken = type(summary)(**{**summary.__dict__, "rows": rows})
    d = broken.to_dict()
    assert set(d["stderr"].values()) == {None}
    json.dumps(d, allow_nan=False)
    assert " nan " in broken.text() + " "


def test_summary_rich_table(chinchilla, hostile):
    fit, _ = chinchilla
    table = fit.summary().rich()
    assert str(table.title) == "chinchilla"
    assert [str(c.header) for c in table.columns] == ["parameter", "value", "std. error",
                                                      "bounds"]
    assert table.row_count == len(fit.params)
    # user text is shown literally, never read as Rich markup
    law = sl.Law.from_expression("E + A*x**(-alpha)", inputs={"x": "flops"},
                                 name="[bold]odd[/] name")
    odd = sl.fit(law, hostile[1])
    buf = StringIO()
    Console(file=buf, width=120).print(odd.summary().rich())
    assert "[bold]odd[/] name" in buf.getvalue()


# -- figures ----------------------------------------------------------------------------------
def test_fit_figure_chinchilla(chinchilla):
    fit, ds = chinchilla
    fig = fit_figure(fit, ds)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert ax.get_xlabel() == COMPUTE_LABEL == "training compute $C$ (FLOPs)"
    assert ax.get_ylabel() == "loss $L$"
    assert ax.get_title() == "Chinchilla (Hoffmann et al. 2022)"
    offsets = np.asarray(ax.collections[0].get_offsets())
    assert len(offsets) >= len(ds)
    np.testing.assert_allclose(offsets[:, 0], ds.flops)
    np.testing.assert_allclose(offsets[:, 1], ds.loss)
    assert fig.axes[1].get_ylabel() == "parameters $N$"  # the colorbar
    labels = [line.get_label() for line in ax.get_lines()]
    assert "compute-optimal frontier" in labels
    assert sum(lb.startswith("law at $N$ = ") for lb in labels) == 5


def test_fit_figure_frontier_matches_compute_optimal(chinchilla):
    fit, ds = chinchilla
    ax = fit_figure(fit, ds).axes[0]
    frontier = next(ln for ln in ax.get_lines() if ln.get_label() == "compute-optimal frontier")
    c, loss = (np.asarray(a, dtype=float) for a in frontier.get_data())
    exact = sl.plan.compute_optimal(fit, c).loss
    # grid of 100 points per decade of N: the loss is flat at its minimum, so the grid's
    # error is second order in the step (~1e-6 relative); 1e-4 leaves a wide margin
    np.testing.assert_allclose(loss, exact, rtol=1e-4)
    # no run can beat the frontier at its own budget (interpolation on a convex curve only
    # raises it, hence the small slack)
    at_runs = np.interp(np.log(ds.flops), np.log(c), loss)
    assert np.all(at_runs <= fit.predict(params=ds.params, tokens=ds.tokens) + 1e-3)


def test_fit_figure_without_data_draws_the_law_over_the_fitted_range(chinchilla):
    fit, _ = chinchilla
    fig = fit_figure(fit)
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    # no points (the only collection is the frontier's interval band)
    assert not [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(ax.get_lines()) == 6  # five model sizes and the frontier
    n_lo, n_hi = fit.input_ranges["params"]
    sizes = [ln.get_label() for ln in ax.get_lines()][:5]
    assert sizes[0] == f"law at $N$ = {size(n_lo)}" and sizes[-1] == f"law at $N$ = {size(n_hi)}"


def test_fit_figure_one_input_law():
    ds = _synthetic(column="params", name="sizes")
    fit = sl.fit("E + A*x**(-alpha)", ds, x="params")
    fig = fit_figure(fit, ds)
    ax = fig.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert ax.get_xlabel() == "parameters $N$" and ax.get_ylabel() == "loss $L$"
    assert len(ax.collections[0].get_offsets()) == len(ds)
    x, y = (np.asarray(a, dtype=float) for a in ax.get_lines()[0].get_data())
    np.testing.assert_allclose(y, fit.predict(params=x))


def test_fit_figure_draws_into_given_axes_and_escapes_mathtext(hostile):
    fit, ds = hostile
    fig = Figure()
    ax = fig.add_subplot()
    assert fit_figure(fit, ds, ax=ax) is fig
    assert ax.get_xlabel() == COMPUTE_LABEL
    law = sl.Law.from_expression("E + A*x**(-alpha)", inputs={"x": "flops"}, name="cost $x")
    fig2 = fit_figure(sl.fit(law, ds), ds)
    fig2.savefig(StringIO(), format="svg")  # a lone '$' must not break mathtext
    assert fig2.axes[0].get_title() == r"cost \$x"


def test_fit_figure_rejects_non_dataset(chinchilla):
    fit, ds = chinchilla
    with pytest.raises(DataError, match="Dataset"):
        fit_figure(fit, ds.to_frame())  # type: ignore[arg-type]


# -- HTML report ------------------------------------------------------------------------------
RESOURCE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def test_html_report_is_self_contained(chinchilla, tmp_path):
    fit, ds = chinchilla
    out = html([fit], tmp_path / "report.html", data=[ds], command="scalinglaws fit x.csv")
    assert out == tmp_path / "report.html"
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>")
    # plotly's JavaScript is inlined, packed (unpacked, it holds URL strings in its code)
    assert plotly_packed() in text and unpacked(plotly_packed()) == get_plotlyjs()
    rest = text.replace(plotly_packed(), "")
    assert not RESOURCE.search(rest)
    assert "<link" not in rest
    assert out.stat().st_size < 5_000_000
    assert '<table class="scalinglaws-summary">' in text
    for name, value in fit.params.items():
        assert f'<td>{name}</td><td class="num">{num(value)}</td>' in text
    assert fit.fingerprint in text and sl.__version__ in text
    assert "scalinglaws fit x.csv" in text
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", text)  # UTC time
    assert "not the data this law was fitted to" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temp file left


def test_html_report_escapes_every_user_string(hostile, tmp_path):
    fit, ds = hostile
    out = html(fit, str(tmp_path / "r.html"), data=ds, title="<b>title</b>",
               command="run <script>x</script>")
    text = out.read_text().replace(plotly_packed(), "")
    assert "<script>x" not in text and "<script>alert" not in text
    assert "<b>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;title&lt;/b&gt;" in text
    assert "run &lt;script&gt;x&lt;/script&gt;" in text


def test_html_report_plans(chinchilla, tmp_path):
    fit, ds = chinchilla
    plan = sl.plan.compute_optimal(fit, [1e21, 1e23]).records()
    per_fit = html([fit], tmp_path / "a.html", data=[ds], plans=[plan]).read_text()
    flat = html([fit], tmp_path / "b.html", plans=plan).read_text()
    for text in (per_fit, flat):
        assert "Compute-optimal allocation" in text
        for row in plan:
            assert f"<td class=\"num\">{num(row['params'])}</td>" in text
            assert f"<td class=\"num\">{num(row['tokens'] / row['params'])}</td>" in text
    assert "Compute-optimal allocation" not in html([fit], tmp_path / "c.html",
                                                    plans=[]).read_text()
    with pytest.raises(DataError, match="lacks tokens"):
        html([fit], tmp_path / "d.html", plans=[{"flops": 1e21, "params": 1e9, "loss": 2.0}])


def test_html_report_of_several_fits_notes_mismatched_data(chinchilla, hostile, tmp_path):
    (fit, ds), (other, other_ds) = chinchilla, hostile
    text = html([fit, other], tmp_path / "r.html", data=[ds, ds]).read_text()
    assert text.count('<table class="scalinglaws-summary">') == 2
    assert "not the data this law was fitted to" in text  # ds is not other's data
    assert other_ds.fingerprint in text


def test_html_report_into_missing_folder_raises(chinchilla, tmp_path):
    fit, _ = chinchilla
    with pytest.raises(ScalingLawError, match="does not exist"):
        html([fit], tmp_path / "missing" / "report.html")


@pytest.mark.parametrize(
    ("items", "message"),
    [([], "there is no fit to report"), ("fit", "a FitResult or a list")],
)
def test_html_report_rejects_bad_items(items, message, tmp_path):
    with pytest.raises(DataError, match=message) as info:
        html(items, tmp_path / "r.html")
    assert " — " in str(info.value)  # the what — where. fix shape
    assert not (tmp_path / "r.html").exists()


def test_html_report_rejects_a_non_fit_item(chinchilla, tmp_path):
    fit, _ = chinchilla
    with pytest.raises(DataError, match=r"item 1 is a dict, not a FitResult — items\[1\]"):
        html([fit, fit.to_dict()], tmp_path / "r.html")


def test_html_report_rejects_misaligned_data(chinchilla, tmp_path):
    fit, ds = chinchilla
    with pytest.raises(DataError, match="one entry per fit"):
        html([fit], tmp_path / "r.html", data=[ds, ds])
    with pytest.raises(DataError, match="not a Dataset"):
        html([fit], tmp_path / "r.html", data=[ds.to_frame()])
    assert not Path(tmp_path / "r.html").exists()
