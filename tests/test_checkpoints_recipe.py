"""The checkpoint-recipe comparison (``benchmarks/bench_checkpoints.py``): its data cleaning,
the schedule check the docs quote, and the comparison recomputed against the table of the
README and against ``benchmarks/results/bench_checkpoints.json``, from which
``docs/checkpoints.md`` prints its table and figures when the site is built."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CSV = DATA / "misfitting" / "checkpoints.csv"
pytestmark = pytest.mark.skipif(not CSV.is_file(), reason=f"real data absent: {DATA} "
                                "(../shared/data is beside the clone in CI, not packaged)")
CHOSEN = "chosen by inner backtest"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_checkpoints
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return bench_checkpoints


def stated(text: str) -> dict[str, tuple[list[float], str]]:
    """Each row of the first table of the recipes in ``text``: (percentages, rows fitted)."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 6 and cells[0] != "recipe":
            if cells[0] in rows:
                break  # a second table
            rows[cells[0]] = ([float(v.rstrip("%")) for v in cells[1:5]], cells[-1])
    return rows


RESULTS = ROOT / "benchmarks" / "results" / "bench_checkpoints.json"


def sections() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    return {"README.md": readme.split("## Fitting on checkpoints")[1].split("\n## ")[0]}


def recorded() -> dict:
    return json.loads(RESULTS.read_text())


def test_the_page_prints_the_recorded_results():
    """docs/checkpoints.md types none of the measured figures: its table and the sentences
    around it are printed at build time from the benchmark's results."""
    page = (ROOT / "docs" / "checkpoints.md").read_text()
    result = page.split("## Result")[1].split("## In practice")[0]
    assert result.count('```python exec="on"') == 2
    assert 'results("bench_checkpoints")' in result and "table(ev)" in result
    assert "%" not in "".join(line for line in result.splitlines() if line.startswith("| "))


def test_the_curves_are_the_best_runs_with_one_final_point_each(bench):
    c = bench.load(CSV)
    assert c["run"].nunique() == 75 and len(c) == 1441
    assert (c.groupby("run")["final"].sum() == 1).all()
    assert not c.duplicated(["run", "step"]).any()  # the mixed 17M rows are gone
    assert np.allclose(c.loc[c["final"], "g"], 0.0) and c["g"].between(0, 1).all()


def test_checkpoints_sit_on_the_finished_runs_losses_past_ten_percent(bench):
    """docs/checkpoints.md: the median gap is within ±0.3% at every band past 10%."""
    gap = bench.schedule_gap(bench.load(CSV))
    late = gap[[band.left >= 0.1 for band in gap["f"]]]
    assert len(late) == 5 and (late["median"].abs() < 0.003).all()
    assert late["size"].sum() > 1000


def test_the_tables_list_every_candidate_in_order(bench):
    names = [c.name for c in bench.RECIPES] + [CHOSEN]
    for where, text in sections().items():
        assert list(stated(text)) == names, where
    assert list(recorded()["errors"]) == names[:-1]


@pytest.mark.slow
def test_checkpoint_table_is_current(bench):
    """The whole nested comparison (about 10 s), against both tables and the conclusion."""
    ev = bench.evaluate(CSV)
    measured = {c.name: [*ev.errors[c.name], float(np.mean(ev.errors[c.name]))]
                for c in bench.RECIPES}
    measured[CHOSEN] = [*ev.chosen_errors, float(np.mean(ev.chosen_errors))]
    for where, text in sections().items():
        rows = stated(text)
        for name, values in measured.items():
            figures, fitted = rows[name]
            # the tables round to 0.01 percentage points: half of that plus float noise
            assert all(abs(100 * m - v) <= 0.006 for m, v in zip(values, figures,
                                                                strict=True)), (
                where, name, figures, values)
            if name != CHOSEN:
                assert fitted == " / ".join(map(str, ev.rows[name])), (where, name)
    assert ev.held_out == [17, 7, 3]
    # the results the page prints are the ones measured now
    saved = recorded()
    assert saved["chosen"] == ev.chosen and saved["held_out"] == ev.held_out
    assert saved["rows"] == ev.rows and saved["status"] == ev.status
    for name, values in ev.errors.items():
        assert np.allclose(saved["errors"][name], values, rtol=1e-6, atol=1e-9), name
        for got, want in zip(saved["params"][name], ev.params[name], strict=True):
            assert got.keys() == want.keys()
            assert np.allclose(list(got.values()), list(want.values()), rtol=1e-4,
                               atol=1e-9), name
    for split, scores in ev.inner.items():
        assert np.allclose([saved["inner"][split][n] for n in scores], list(scores.values()),
                           rtol=1e-6, atol=1e-9, equal_nan=True), split
    gap = bench.schedule_gap(bench.load(CSV))
    assert np.allclose([b["median"] for b in saved["schedule_gap"]], gap["median"], atol=1e-9)
    # what the docs say was chosen, and the conclusion they draw
    assert ev.chosen == ["final points only", "checkpoints >= 80%", "final points only"]
    base = np.array(ev.errors["final points only"])
    assert np.mean(ev.chosen_errors) > base.mean()
    assert not any((np.array(ev.errors[c.name]) < base).all() for c in bench.RECIPES[1:])
