"""Tests of the interactive HTML report (sl.report.html) and the ``report`` command."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

import scalinglaws as sl
from scalinglaws.cli.report import report_command
from scalinglaws.exceptions import DataError, ScalingLawError
from scalinglaws.report import html
from scalinglaws.report.assets import plotly_packed, unpacked
from scalinglaws.report.page import json_for_script, num

# small synthetic fits warn that they are barely determined; that is not under test here
pytestmark = pytest.mark.filterwarnings("ignore::scalinglaws.ScalingLawWarning")

HOSTILE_RUN = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(2)>"
HOSTILE_COLUMN = "<b>size</b>"


class Page(HTMLParser):
    """The tags, attributes and script bodies of a page, as a browser's tokenizer sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def specs(self) -> dict[str, dict]:
        return {a["data-plot"]: json.loads(body) for a, body in self.scripts
                if a.get("type") == "application/json"}


@pytest.fixture(scope="module")
def chinchilla() -> tuple[sl.FitResult, sl.Dataset]:
    ds = sl.datasets.load("chinchilla")
    ds = ds[~ds.to_frame()["epoch_excluded"].to_numpy(dtype=bool)]
    return sl.fit("chinchilla", ds), ds


def _runs(names: list[str], column: str = "params", family: list[str] | None = None
          ) -> sl.Dataset:
    rng = np.random.default_rng(0)
    x = np.geomspace(1e7, 1e10, len(names))
    y = (1.7 + 300.0 * x ** -0.3) * np.exp(0.002 * rng.standard_normal(x.size))
    frame = pd.DataFrame({"run": names, column: x, "loss": y})
    if family is not None:
        frame["family"] = family
        frame.loc[frame["family"] == "b", "loss"] *= 1.05
    return sl.Dataset.from_frame(frame, name=HOSTILE_IMG)


def _data_trace(spec: dict) -> dict:
    (trace,) = [t for t in spec["data"] if t.get("meta", {}).get("role") == "data"]
    return trace


# -- structure --------------------------------------------------------------------------------
def test_one_self_contained_file_with_every_section(chinchilla, tmp_path):
    fit, ds = chinchilla
    out = html([fit], tmp_path / "report.html", command="scalinglaws report fit.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temp file left
    text = out.read_text()
    assert out.stat().st_size < 5_000_000
    # plotly.js inlined (packed), so the page works offline
    assert plotly_packed() in text and unpacked(plotly_packed()) == get_plotlyjs()
    page = Page(text)
    # nothing is fetched: no src/href to the network (or anywhere), no stylesheet links
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe"), tag
        for name in ("src", "href"):
            assert name not in attrs, (tag, attrs)
    assert not re.search(r"@import|url\(", text)
    for heading in ("Data and fitted laws", "1. chinchilla", "Provenance"):
        assert f">{heading}</h2>" in text
    assert '<table class="scalinglaws-summary">' in text
    assert '<table class="scalinglaws-plan">' in text
    assert fit.fingerprint in text and sl.__version__ in text
    assert f"<code>{fit.law.expression}</code>" in text
    assert "scalinglaws report fit.json" in text
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", text)
    specs = page.specs()
    assert set(specs) == {"plot-1"}  # the residuals are the figure's lower panel
    data = _data_trace(specs["plot-1"])
    np.testing.assert_allclose(data["x"], ds.flops)
    np.testing.assert_allclose(data["y"], ds.loss)
    assert data["text"][0].startswith("<b>row 0</b><br>N: ")  # no run column: the row number
    assert "residual (chinchilla): " in data["text"][0]
    (law,) = [t for t in specs["plot-1"]["data"] if t["meta"]["role"] == "law"]
    np.testing.assert_allclose(law["y"], sl.plan.compute_optimal(fit, law["x"]).loss)
    assert specs["plot-1"]["layout"]["xaxis"]["type"] == "log"
    assert specs["plot-1"]["layout"]["yaxis"]["type"] == "log"
    (resid,) = [t for t in specs["plot-1"]["data"] if t["meta"]["role"] == "residuals"]
    assert (resid["xaxis"], resid["yaxis"]) == ("x2", "y2")
    expected = np.log(ds.loss) - np.log(fit.predict(params=ds.params, tokens=ds.tokens))
    np.testing.assert_allclose(resid["y"], expected, rtol=1e-9, atol=1e-12)


def test_automatic_plan_budgets_surround_the_runs(chinchilla, tmp_path):
    fit, ds = chinchilla
    text = html(fit, tmp_path / "r.html").read_text()  # the fit carries its runs
    assert float(ds.flops.max()) == pytest.approx(1.2956e22, rel=1e-3)
    for budget in sl.plan.compute_optimal(fit, [1e21, 1e22, 1e23, 1e24]).records():
        assert f'<td class="num">{num(budget["flops"])}</td>' in text
        assert f'<td class="num">{num(budget["params"])}</td>' in text
    assert "Compute-optimal allocation" not in html(fit, tmp_path / "n.html",
                                                    plans=[]).read_text()


def test_bootstrap_intervals_are_tabulated(chinchilla, tmp_path):
    fit, _ = chinchilla
    boot = fit.bootstrap(40, seed=0)
    text = html(fit.with_bootstrap(boot), tmp_path / "r.html").read_text()
    assert '<table class="scalinglaws-bootstrap">' in text
    lo, hi = boot.interval("alpha", 0.95)
    assert f'<td class="num">{num(lo)}</td><td class="num">{num(hi)}</td>' in text
    assert "N 90% interval" in text  # the plan carries the bootstrap's intervals


def test_fit_read_from_a_file_without_runs_draws_the_law_alone(chinchilla, tmp_path):
    fit, _ = chinchilla
    record = {k: v for k, v in fit.to_dict().items() if k != "data"}  # saved without runs
    text = html(sl.FitResult.from_dict(record), tmp_path / "r.html").read_text()
    specs = Page(text).specs()
    assert set(specs) == {"plot-1"}  # no runs: no residuals
    # the law, and the invisible points that show its values on hover
    assert [t["meta"]["role"] for t in specs["plot-1"]["data"]] == ["law", "law-hover"]


# -- escaping ---------------------------------------------------------------------------------
def test_hostile_strings_are_text_everywhere(tmp_path):
    ds = _runs([HOSTILE_RUN, HOSTILE_IMG, "</script><script>alert(3)</script>", "<!--", "ok"],
               column=HOSTILE_COLUMN)
    law = sl.Law.from_expression("E + A*x**(-alpha)", inputs={"x": HOSTILE_COLUMN},
                                 name="<i>law</i>")
    fit = sl.fit(law, ds)
    out = html(fit, tmp_path / "r.html", title="<b>title</b>", command="run <script>x</script>")
    text = out.read_text()
    rest = text.replace(plotly_packed(), "")
    for raw in ("<script>alert", "<img src=x", "<b>title", "<i>law", "<b>size", "<!--",
                "<script>x"):
        assert raw not in rest, raw
    assert "&lt;b&gt;title&lt;/b&gt;" in rest and "&lt;i&gt;law&lt;/i&gt;" in rest
    assert "run &lt;script&gt;x&lt;/script&gt;" in rest
    page = Page(text)
    # the tokenizer sees exactly our scripts: the spec, the packed bundle, the renderer
    kinds = [a.get("type") for a, _ in page.scripts]
    assert kinds == ["application/json", "application/octet-stream", "text/javascript"]
    spec = page.specs()["plot-1"]
    hover = _data_trace(spec)["text"]
    # plotly reads a few tags and decodes entities: names reach it entity-escaped
    assert hover[0].startswith("<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>")
    assert hover[1].startswith("<b>&lt;img src=x onerror=alert(2)&gt;</b>")
    assert spec["layout"]["xaxis2"]["title"]["text"] == "&lt;b&gt;size&lt;/b&gt;"
    assert "&lt;i&gt;law&lt;/i&gt;" in [t["name"] for t in spec["data"]]


def test_json_in_scripts_cannot_close_the_element():
    doc = {"name": "</script><!--<script>&\u2028"}
    raw = json_for_script(doc)
    assert not set("<>&\u2028") & set(raw)
    assert json.loads(raw) == doc
    assert json_for_script({"x": float("nan")}) == '{"x":null}'


# -- several items ----------------------------------------------------------------------------
def test_several_fits_are_overlaid(chinchilla, tmp_path):
    fit, ds = chinchilla
    kaplan = sl.fit("kaplan", ds)
    text = html([fit, kaplan], tmp_path / "r.html", data=ds).read_text()
    specs = Page(text).specs()
    main = specs["plot-1"]
    laws = [t for t in main["data"] if t["meta"]["role"] == "law"]
    assert [t["name"] for t in laws] == ["chinchilla", "kaplan"]
    assert laws[0]["line"]["color"] != laws[1]["line"]["color"]
    data = _data_trace(main)  # one dataset: one data trace, both residuals in its hover
    assert len(data["x"]) == len(ds)
    assert "residual (chinchilla)" in data["text"][0] and "residual (kaplan)" in data["text"][0]
    resid = [t for t in main["data"] if t["meta"]["role"] == "residuals"]
    assert [t["name"] for t in resid] == ["chinchilla", "kaplan"]
    assert [t["marker"]["color"] for t in resid] == [t["line"]["color"] for t in laws]
    assert text.count('<table class="scalinglaws-summary">') == 2
    assert ">2. kaplan</h2>" in text


def test_mismatched_data_is_noted(chinchilla, tmp_path):
    fit, _ = chinchilla
    other = sl.datasets.load("chinchilla")
    text = html(fit, tmp_path / "r.html", data=other).read_text()
    assert "not the data this law was fitted to" in text
    assert len(_data_trace(Page(text).specs()["plot-1"])["x"]) == len(other)


def test_backtest_item_gets_its_table(chinchilla, tmp_path):
    fit, ds = chinchilla
    bt = sl.validate.backtest("chinchilla", ds, train="flops<1e21", n_boot=0)
    text = html([fit, bt], tmp_path / "r.html", data=[ds, None]).read_text()
    assert ">2. Backtest of chinchilla</h2>" in text
    assert bt._repr_html_() in text
    assert f"{bt.mean_abs_rel_error:.2%}" in text
    assert '<table class="scalinglaws-folds">' in text
    assert f"<td class=\"num\">{bt.n_test}</td>" in text
    assert "training data of the first fold" in text
    # and its plot: every held-out run, observed and forecast with its interval
    spec = Page(text).specs()["backtest-2"]
    observed, forecast = spec["data"]
    assert observed["meta"]["role"] == "observed" and forecast["meta"]["role"] == "forecast"
    assert len(observed["y"]) == len(forecast["y"]) == bt.n_test
    np.testing.assert_allclose(forecast["y"], bt.points["predicted"].to_numpy())
    np.testing.assert_allclose(observed["x"], bt.points["params"].to_numpy())
    upper = np.asarray(forecast["error_y"]["array"], dtype=float)
    np.testing.assert_allclose(upper, bt.points["upper"] - bt.points["predicted"], rtol=1e-9)
    assert spec["layout"]["xaxis"]["type"] == "log"


def test_shared_fit_item_draws_one_curve_per_group(tmp_path):
    names = [f"r{i}" for i in range(16)]
    ds = _runs(names, family=["a", "b"] * 8)
    joint = sl.fit("E + A*x**(-alpha)", ds, x="params", by="family", shared=["alpha"])
    text = html(joint, tmp_path / "r.html", title="groups").read_text()
    assert '<table class="scalinglaws-shared">' in text
    assert "alpha (shared)" in text and "joint fit across family" in text
    main = Page(text).specs()["plot-1"]
    laws = [t["name"] for t in main["data"] if t["meta"]["role"] == "law"]
    assert laws == ["E + A*x**(-alpha) · family=a", "E + A*x**(-alpha) · family=b"]
    data = [t for t in main["data"] if t["meta"]["role"] == "data"]
    assert sorted(len(t["x"]) for t in data) == [8, 8]
    for group, trace in zip("ab", (t for t in main["data"] if t["meta"]["role"] == "law"),
                            strict=True):
        fit = joint.for_group(group)
        np.testing.assert_allclose(trace["y"], fit.law(fit.params, params=np.array(trace["x"])))


# -- errors and atomic writes -----------------------------------------------------------------
def test_rejects_bad_items_and_leaves_the_old_report(chinchilla, tmp_path):
    fit, _ = chinchilla
    target = tmp_path / "r.html"
    target.write_text("old report")
    with pytest.raises(DataError, match=r"item 1 is a str, not a FitResult — items\[1\]"):
        html([fit, "fit.json"], target)
    with pytest.raises(DataError, match="no column 'family'"):
        joint_like = sl.fit("E + A*x**(-alpha)", _runs([f"r{i}" for i in range(8)],
                                                       family=["a", "b"] * 4),
                            x="params", by="family")
        html(joint_like, target, data=_runs([f"r{i}" for i in range(8)]))
    assert target.read_text() == "old report"


def test_failed_write_leaves_no_partial_file(chinchilla, tmp_path):
    fit, _ = chinchilla
    target = tmp_path / "report.html"
    target.mkdir()  # the rename onto a folder fails after the temporary file is written
    with pytest.raises(ScalingLawError, match="cannot write"):
        html(fit, target)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert list(target.iterdir()) == []
    with pytest.raises(ScalingLawError, match="does not exist"):
        html(fit, tmp_path / "missing" / "r.html")


# -- the command ------------------------------------------------------------------------------
cli = typer.Typer()
cli.callback()(lambda: None)  # keep "report" a subcommand, as in the real app
cli.command("report")(report_command)


def _cli(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, (args, result.output, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output + result.stderr
    return result


@pytest.fixture(scope="module")
def saved(chinchilla, tmp_path_factory) -> tuple[Path, Path, Path]:
    fit, ds = chinchilla
    folder = tmp_path_factory.mktemp("saved")
    fit.save(folder / "fit.json")
    sl.fit("kaplan", ds).save(folder / "kaplan.json")
    ds.to_frame().to_csv(folder / "runs.csv", index=False)
    return folder / "fit.json", folder / "kaplan.json", folder / "runs.csv"


def test_cli_report_of_two_saved_fits(saved, tmp_path):
    fit_json, kaplan_json, runs = saved
    out = tmp_path / "cmp.html"
    result = _cli("report", fit_json, kaplan_json, "--data", runs, "--out", out,
                  "--title", "<b>two</b>", "--json")
    doc = json.loads(result.stdout)
    assert doc["out"] == str(out) and doc["items"] == 2 and doc["bytes"] == out.stat().st_size
    text = out.read_text()
    assert "&lt;b&gt;two&lt;/b&gt;" in text
    assert f"--data {runs}" in text  # the command, under provenance
    assert "not the data this law was fitted to" not in text  # same runs, same fingerprint
    main = Page(text).specs()["plot-1"]
    assert len(_data_trace(main)["x"]) == 240


def test_cli_bundled_data_with_exclusions(saved, tmp_path):
    fit_json, _, _ = saved
    _cli("report", fit_json, "--data", "chinchilla", "--exclude", "epoch_excluded",
         "--out", tmp_path / "r.html", "--quiet")
    assert "not the data this law" not in (tmp_path / "r.html").read_text()


@pytest.mark.parametrize("case", ["missing fit", "not a fit", "missing data", "missing folder",
                                  "folder as out", "no fit"])
def test_cli_bad_input_exits_2(saved, tmp_path, case):
    fit_json, _, _ = saved
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something else"}')
    args = {
        "missing fit": [tmp_path / "nope.json", "--out", tmp_path / "r.html"],
        "not a fit": [bad, "--out", tmp_path / "r.html"],
        "missing data": [fit_json, "--data", tmp_path / "nope.csv", "--out", tmp_path / "r.html"],
        "missing folder": [fit_json, "--out", tmp_path / "no" / "r.html"],
        "folder as out": [fit_json, "--out", tmp_path],
        "no fit": ["--out", tmp_path / "r.html"],
    }[case]
    result = _cli("report", *args, code=2)
    if case != "no fit":
        assert "error:" in result.stderr
    assert not (tmp_path / "r.html").exists()
