"""The HTML report as a team reads it: uncertainty bands, joint fits by group with honest
provenance, the residual panel under the main one, typeset formulas, one number format per
table, a default title, print styles, and a sweep of 100,000 checkpoints in a small file.
(The same report in Chromium: tests/test_browser.py.)"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from cli_runner import run
from conftest import SWEEP_CHECKPOINTS, SWEEP_RUNS
from plotly.offline import get_plotlyjs

import scalinglaws as sl
from scalinglaws.fitting import KIND_LABELS
from scalinglaws.report.assets import plotly_packed
from scalinglaws.report.bands import BAND_LEVEL
from scalinglaws.report.mathsvg import formula_svg
from scalinglaws.report.thinning import MAX_MARKERS, thin

# small synthetic fits warn that they are barely determined; that is not under test here
pytestmark = pytest.mark.filterwarnings("ignore::scalinglaws.ScalingLawWarning")

#: a number as the report writes it in a table: written out, or a power of ten (4.19×10⁷)
NUMBER = r"-?\d+(?:\.\d+)?(?:×10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?"
#: a table cell: a number, an interval, an estimate ± its error, a factor (2.5×), a count
CELL = re.compile(rf"^(?:{NUMBER}(?:–{NUMBER})?(?: ± {NUMBER})?×?|inside|—|inf|-inf|"
                  rf"{NUMBER} \(no spread\)|\d{{1,3}}(?:,\d{{3}})+)$")


class Page(HTMLParser):
    """The figure specs, the table cells (by table class) and the page's text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.specs: dict[str, dict] = {}
        self.cells: dict[str, list[str]] = {}
        self.notes: list[str] = []
        self._script: str | None = None
        self._table: list[str] = []
        self._cell: list[str] | None = None
        self._note: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("type") == "application/json":
            self._script = a["data-plot"]
        elif tag == "table":
            self._table.append(a.get("class") or "")
        elif tag == "td" and "num" in (a.get("class") or "") and self._table:
            self._cell = []
        elif tag == "p" and a.get("class") == "note":
            self._note = []

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None
        elif tag == "table":
            self._table.pop()
        elif tag == "td" and self._cell is not None:
            self.cells.setdefault(self._table[-1], []).append("".join(self._cell).strip())
            self._cell = None
        elif tag == "p" and self._note is not None:
            self.notes.append("".join(self._note))
            self._note = None

    def handle_data(self, data):
        if self._script is not None:
            self.specs[self._script] = json.loads(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._note is not None:
            self._note.append(data)


def _traces(spec: dict, role: str) -> list[dict]:
    return [t for t in spec["data"] if t.get("meta", {}).get("role") == role]


@pytest.fixture(scope="module")
def one_input() -> sl.FitResult:
    rng = np.random.default_rng(2)
    x = np.geomspace(1e7, 1e10, 30)
    loss = (1.7 + 300.0 * x ** -0.3) * np.exp(0.005 * rng.standard_normal(x.size))
    ds = sl.Dataset.from_frame(pd.DataFrame({"params": x, "loss": loss}), name="sizes")
    return sl.fit("E + A*x**(-alpha)", ds, x="params")


# -- uncertainty bands ------------------------------------------------------------------------
def test_bootstrap_band_is_the_percentile_band_of_the_frontier(chinchilla_fit, tmp_path):
    fit = chinchilla_fit.with_bootstrap(chinchilla_fit.bootstrap(40, seed=0))
    page = Page(sl.report.html(fit, tmp_path / "r.html").read_text())
    spec = page.specs["plot-1"]
    (band,) = _traces(spec, "band")
    (edge,) = _traces(spec, "band-edge")
    assert band["meta"]["kind"] == "bootstrap" and band["meta"]["level"] == BAND_LEVEL
    assert band["meta"]["interval"] == KIND_LABELS["mean"]
    assert band["name"] == "chinchilla: 90% band, bootstrap, parameter-only"
    assert band["fill"] == "tonexty" and spec["data"].index(edge) == spec["data"].index(band) - 1
    grid = np.asarray(band["x"])
    expected = sl.plan.compute_optimal(fit, grid, level=BAND_LEVEL).loss_interval
    np.testing.assert_allclose(edge["y"], expected[:, 0], rtol=1e-12)
    np.testing.assert_allclose(band["y"], expected[:, 1], rtol=1e-12)
    (law,) = _traces(spec, "law")
    inside = (grid > 1e18) & (grid < 1e22)  # where the runs are, the band holds the fit
    assert np.all(np.asarray(edge["y"])[inside] <= np.asarray(law["y"])[inside])
    assert np.all(np.asarray(law["y"])[inside] <= np.asarray(band["y"])[inside])
    assert any(KIND_LABELS["mean"] in n and "40 resamples" in n for n in page.notes)
    (hover,) = _traces(spec, "law-hover")
    assert all("90% band, bootstrap, parameter-only: " in t for t in hover["text"])


def test_calibrated_and_bootstrap_bands_of_a_one_input_law(one_input, tmp_path):
    fit = sl.calibrate(one_input)
    fit = fit.with_bootstrap(fit.bootstrap(30, seed=0))
    page = Page(sl.report.html(fit, tmp_path / "r.html").read_text())
    spec = page.specs["plot-1"]
    bands = {t["meta"]["kind"]: t for t in _traces(spec, "band")}
    edges = {t["meta"]["kind"]: t for t in _traces(spec, "band-edge")}
    assert list(bands) == ["calibrated", "bootstrap"]  # the wider one is drawn first, under
    grid = np.asarray(bands["calibrated"]["x"])
    for kind, interval in (("calibrated", "calibrated"), ("bootstrap", "mean")):
        lo, hi = fit.predict_interval(BAND_LEVEL, kind=interval, params=grid)
        np.testing.assert_allclose(edges[kind]["y"], lo, rtol=1e-12)
        np.testing.assert_allclose(bands[kind]["y"], hi, rtol=1e-12)
        assert bands[kind]["meta"]["interval"] == KIND_LABELS[interval]
    assert bands["calibrated"]["name"].endswith("90% band, calibrated on backtests")
    # the calibrated band of a new run is wider than the parameter-only band of the law
    assert np.all(np.asarray(bands["calibrated"]["y"]) > np.asarray(bands["bootstrap"]["y"]))
    assert any(KIND_LABELS["calibrated"] in n for n in page.notes)


def test_no_band_without_a_bootstrap_or_a_calibration(one_input, tmp_path):
    spec = Page(sl.report.html(one_input, tmp_path / "r.html").read_text()).specs["plot-1"]
    assert _traces(spec, "band") == [] and _traces(spec, "band-edge") == []
    assert len(_traces(spec, "law")) == 1


# -- joint fits -------------------------------------------------------------------------------
def test_joint_fit_is_drawn_per_group_in_its_colour(families, tmp_path):
    ds, joint = families
    page = Page(sl.report.html(joint, tmp_path / "r.html", data=ds).read_text())
    spec = page.specs["plot-1"]
    laws, data = _traces(spec, "law"), _traces(spec, "data")
    assert [t["name"] for t in laws] == [f"chinchilla · family={g}" for g in "abc"]
    assert [t["name"] for t in data] == [f"data · family={g}" for g in "abc"]
    colours = [t["line"]["color"] for t in laws]
    assert len(set(colours)) == 3
    assert [t["marker"]["color"] for t in data] == colours
    assert [t["marker"]["color"] for t in _traces(spec, "residuals")] == colours
    assert [len(t["x"]) for t in data] == list(joint.group_sizes)
    # the group's data, line and residuals toggle together from the legend
    assert [t["legendgroup"] for t in data] == [t["legendgroup"] for t in laws]


def test_joint_fit_notes_no_false_provenance(families, tmp_path):
    ds, joint = families
    for data in (None, ds):  # the runs it carries, and the same runs given again
        text = sl.report.html(joint, tmp_path / "r.html", data=data).read_text()
        assert "not the data this law was fitted to" not in text
    # read back from its file and given the same runs as a CSV: the report's first complaint
    joint.save(tmp_path / "joint.json")
    ds.to_frame().to_csv(tmp_path / "families.csv", index=False)
    out = tmp_path / "cli.html"
    run("report", tmp_path / "joint.json", "--data", tmp_path / "families.csv", "--out", out)
    assert "not the data this law was fitted to" not in out.read_text()


def test_joint_fit_given_other_runs_is_noted(families, tmp_path):
    ds, joint = families
    frame = ds.to_frame()
    frame.loc[0, "loss"] *= 1.1
    other = sl.Dataset.from_frame(frame, name="families.csv")
    text = sl.report.html(joint, tmp_path / "r.html", data=other).read_text()
    assert "not the data this law was fitted to" in text


# -- layout -----------------------------------------------------------------------------------
def test_residual_panel_shares_the_x_axis_and_the_legend_sits_above(chinchilla_fit, tmp_path):
    spec = Page(sl.report.html(chinchilla_fit, tmp_path / "r.html").read_text()
                ).specs["plot-1"]
    layout = spec["layout"]
    assert layout["xaxis"]["matches"] == "x2" and layout["xaxis"]["showticklabels"] is False
    assert layout["xaxis2"]["title"]["text"] == "training compute C (FLOPs)"
    assert layout["yaxis"]["domain"][0] > layout["yaxis2"]["domain"][1]  # stacked, apart
    for t in spec["data"]:
        panel = ("x2", "y2") if t["meta"]["role"] == "residuals" else ("x", "y")
        assert (t["xaxis"], t["yaxis"]) == panel, t["meta"]
    # above the plot area, anchored at its bottom: clear of every axis title
    assert layout["legend"]["y"] >= 1 and layout["legend"]["yanchor"] == "bottom"
    assert "title" not in layout  # the figure's title is its HTML caption


# -- formulas ---------------------------------------------------------------------------------
def test_formula_is_typeset_math(chinchilla_fit, one_input, tmp_path):
    text = sl.report.html([chinchilla_fit, one_input], tmp_path / "r.html").read_text()
    formulas = re.findall(r'<th scope="row">Formula</th><td colspan="3">(.*?)</td>', text,
                          flags=re.S)
    assert len(formulas) == 2
    for cell, fit in zip(formulas, (chinchilla_fit, one_input), strict=True):
        assert cell.startswith('<svg class="formula" role="img" '
                               f'aria-label="{html.escape(fit.law.formula)}"')
        assert "**" not in cell.split(">", 1)[1]  # the label says it in text; the math is drawn
        assert "<path" in cell and "<style" not in cell and "<!--" not in cell
        assert "<metadata" not in cell and "url(" not in cell
    ids = re.findall(r'\bid="([^"]+)"', "".join(formulas))
    assert ids and len(ids) == len(set(ids))  # two formulas never share an id
    hrefs = re.findall(r'href="#([^"]+)"', "".join(formulas))
    assert hrefs and set(hrefs) <= set(ids)


def test_formula_falls_back_to_text_where_mathtext_cannot_read_it():
    assert formula_svg(r"\begin{cases} x & y \end{cases}", "x") is None
    assert formula_svg(r"\frac{A}{N^{\alpha}}", "A/N**alpha").startswith("<svg")


# -- numbers ----------------------------------------------------------------------------------
def test_one_number_format_per_table(chinchilla_fit, families, tmp_path):
    fit = chinchilla_fit.with_bootstrap(chinchilla_fit.bootstrap(30, seed=0))
    bt = sl.validate.backtest("chinchilla", chinchilla_fit.data, train="flops<1e21", n_boot=0)
    _, joint = families
    page = Page(sl.report.html([fit, joint, bt], tmp_path / "r.html").read_text())
    kinds = {"scalinglaws-plan", "scalinglaws-bootstrap", "scalinglaws-shared",
             "scalinglaws-folds", "scalinglaws-summary"}
    assert kinds <= set(page.cells)
    for kind in kinds:
        cells = page.cells[kind]
        assert cells, kind
        for cell in cells:
            assert CELL.match(cell), (kind, cell)
    # e.g. 111 beside 1.41e+03 was the complaint: the plan writes both out
    plan = page.cells["scalinglaws-plan"]
    assert not [c for c in plan if "e+" in c or "e-" in c]
    assert any("×10" in c for c in plan)


# -- title and styles -------------------------------------------------------------------------
def test_default_title_names_the_laws_and_the_data(chinchilla_fit, families, tmp_path):
    kaplan = sl.fit("kaplan", chinchilla_fit.data)
    text = sl.report.html([chinchilla_fit, kaplan], tmp_path / "r.html").read_text()
    assert "<title>chinchilla and kaplan on chinchilla</title>" in text
    _, joint = families
    text = sl.report.html(joint, tmp_path / "j.html").read_text()
    assert "<h1>chinchilla (joint fit across family) on families.csv</h1>" in text
    text = sl.report.html(chinchilla_fit, tmp_path / "t.html", title="Sweep 12").read_text()
    assert "<title>Sweep 12</title>" in text and "scalinglaws report" not in text


def test_cli_title_default_and_option(fit_json, tmp_path):
    run("report", fit_json, "--out", tmp_path / "a.html")
    text = (tmp_path / "a.html").read_text()
    assert "<title>chinchilla on chinchilla</title>" in text
    assert "--title" not in text
    run("report", fit_json, "--title", "Team <sweep>", "--out", tmp_path / "b.html")
    text = (tmp_path / "b.html").read_text()
    assert "<h1>Team &lt;sweep&gt;</h1>" in text
    assert "--title &#x27;Team &lt;sweep&gt;&#x27;" in text  # the command, under provenance


def test_light_and_print_stylesheets(chinchilla_fit, tmp_path):
    text = sl.report.html(chinchilla_fit, tmp_path / "r.html").read_text()
    style = text[text.index("<style>"):text.index("</style>")]
    assert '<meta name="color-scheme" content="light">' in text
    assert "color-scheme: light" in style
    printed = style[style.index("@media print"):]
    for rule in ("@page", "break-inside: avoid", ".modebar-container", "print-color-adjust"):
        assert rule in printed, rule
    assert "beforeprint" in text and "afterprint" in text  # figures redrawn to the page width
    # plotly.js inlined packed, at less than half its size (docs/report.md says so)
    assert plotly_packed() in text and len(plotly_packed()) < len(get_plotlyjs()) / 2


# -- a sweep of 100,000 checkpoints -----------------------------------------------------------
def test_a_sweep_of_100000_checkpoints_stays_small(checkpoint_sweep, tmp_path):
    ds, fit = checkpoint_sweep
    out = sl.report.html(fit, tmp_path / "r.html", data=ds)
    assert len(ds) == 100_000 and out.stat().st_size < 5_000_000
    page = Page(out.read_text())
    spec = page.specs["plot-1"]
    (data,) = _traces(spec, "data")
    (resid,) = _traces(spec, "residuals")
    drawn = len(data["x"])
    assert drawn <= MAX_MARKERS and len(resid["x"]) == drawn
    # every run keeps its final checkpoint: the largest compute of each run is drawn
    finals = ds.to_frame().groupby("run")["flops"].max().to_numpy()
    assert np.isin(finals, np.asarray(data["x"])).all()
    k = -(-len(ds) // (MAX_MARKERS - SWEEP_RUNS))  # the smallest step within the limit
    assert any(f"Drawn: {drawn:,} of 100,000 rows (each run's last row and every {k}th "
               "before it in step order)" in n for n in page.notes)
    # the fitted curve is exact, never thinned
    (law,) = _traces(spec, "law")
    np.testing.assert_allclose(law["y"], sl.plan.compute_optimal(fit, law["x"]).loss,
                               rtol=1e-12)
    assert len(_traces(spec, "band")) == 1  # the fit carries a bootstrap
    assert SWEEP_RUNS * SWEEP_CHECKPOINTS == len(ds)


def test_thinning_keeps_each_runs_last_row_and_every_kth():
    frame = pd.DataFrame({"run": np.repeat(["a", "b", "c"], 100),
                          "step": np.tile(np.arange(100)[::-1], 3),  # rows in reverse order
                          "params": 1e8, "tokens": np.arange(1, 301) * 1e8, "loss": 3.0})
    ds = sl.Dataset.from_frame(frame)
    kept = thin(ds, ds.column("flops"), limit=60)
    assert kept.total == 300 and kept.thinned and len(kept.rows) <= 60
    steps = frame["step"].to_numpy()[kept.rows]
    runs = frame["run"].to_numpy()[kept.rows]
    # k = ceil(300 / (60 - 3)) = 6: each run's last step and every 6th before it
    for r in "abc":
        assert sorted(steps[runs == r]) == list(range(3, 100, 6))
    assert "every 6th" in kept.rule
    # no run column: every k-th in order of x, and the largest x
    plain = sl.Dataset.from_frame(frame.drop(columns=["run", "step"]))
    x = plain.column("flops")
    kept = thin(plain, x, limit=60)
    assert len(kept.rows) <= 61 and int(np.argmax(x)) in kept.rows
    # more runs than the limit: the last row of every j-th run
    many = sl.Dataset.from_frame(frame.assign(run=[f"r{i // 2:03d}" for i in range(300)]))
    kept = thin(many, many.column("flops"), limit=60)
    assert len(kept.rows) == 50 and kept.rule == "the last row of every 3rd run in step order"
    last = many.to_frame().groupby("run")["step"].idxmax().to_numpy()
    assert set(kept.rows) <= set(last)
    assert not thin(ds, ds.column("flops"), limit=300).thinned
