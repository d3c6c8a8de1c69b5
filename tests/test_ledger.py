"""The forecast ledger on SQLite (always) and on a real PostgreSQL server (required in CI:
``.ci/run`` starts one on localhost; skipped locally with the reason when none answers)."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from cli_runner import run

import scalinglaws as sl
from scalinglaws.exceptions import DataError, OptionError, ResultFileError
from scalinglaws.ledger.schema import HEAD, metadata

#: the server the PostgreSQL tests use (CI starts it; see .ci/run)
POSTGRES = os.environ.get("SCALINGLAWS_TEST_POSTGRESQL",
                          "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres")
AT = {"params": 7e10, "tokens": 1.4e12}


def _admin() -> sa.Engine:
    engine = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as exc:  # no server: required in CI, skipped here with the reason
        if os.environ.get("CI") == "true":
            pytest.fail(f"the PostgreSQL server of the tests is not reachable at {POSTGRES}: "
                        f"{str(exc).splitlines()[0]}")
        pytest.skip(f"no PostgreSQL server at {POSTGRES} (set SCALINGLAWS_TEST_POSTGRESQL); "
                    "CI starts one")
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty ledger database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    admin = _admin()
    name = f"sl_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def fit() -> sl.FitResult:
    return sl.fit("chinchilla", sl.datasets.load("chinchilla").exclude("epoch_excluded"))


def test_record_observe_and_score(url: str, fit: sl.FitResult) -> None:
    book = sl.ledger.Ledger(url)
    made = book.record(fit, AT, run="big-70b", level=0.9, tags=["chinchilla", "a"],
                       note="before launch")
    point, lo, hi = float(fit.predict(**AT)), *fit.predict_interval(0.9, kind="observation",
                                                                    **AT)
    assert made.point == pytest.approx(point) and made.lower == pytest.approx(float(lo))
    assert made.upper == pytest.approx(float(hi)) and made.kind == "observation"
    assert made.version == sl.__version__ and made.fingerprint == fit.fingerprint
    assert made.extrapolation == pytest.approx(float(fit.extrapolation_factor(**AT)))
    observed = book.observe(1.95, run="big-70b")
    assert observed.matched == [made.id] and not observed.unmatched
    card = book.scorecard()
    row = card.table.iloc[0]
    assert row["law"] == "chinchilla" and row["observed"] == 1
    assert row["mean_are"] == pytest.approx(abs(1.95 - point) / 1.95)
    assert row["bias"] == pytest.approx(math.log(point / 1.95))
    assert row["coverage"] == float(lo <= 1.95 <= hi)
    assert row["sharpness"] == pytest.approx((hi - lo) / point)
    by_tag = book.scorecard("tag").table
    assert list(by_tag["tag"]) == ["a", "chinchilla"] and list(by_tag["observed"]) == [1, 1]
    # the fit comes back whole from the ledger
    assert book.fit_of(made.id).params == pytest.approx(dict(fit.params))


def test_append_only_corrections_supersede(url: str, fit: sl.FitResult) -> None:
    book = sl.ledger.Ledger(url)
    first = book.record(fit, AT, run="big", tags=["v1"])
    second = book.record(fit, AT, level=0.5, supersedes=first.id)
    assert second.run == "big" and second.tags == ["v1"]  # a correction keeps run and labels
    assert list(book.forecasts()["id"]) == [second.id]
    both = book.forecasts(superseded=True)
    assert list(both["superseded_by"].astype(object)) == [second.id, pd.NA]
    assert book.observe(2.0, run="big").matched == [second.id]
    assert book.count() == 2  # nothing was updated in place
    with pytest.raises(OptionError, match="no forecast with id 999"):
        book.record(fit, AT, supersedes=999)


def test_observations_by_inputs_and_unmatched_ones_are_kept(url: str,
                                                           fit: sl.FitResult) -> None:
    book = sl.ledger.Ledger(url)
    made = book.record(fit, AT)
    near = {"params": 7.03e10, "tokens": 1.4e12}  # 0.4% off: within rtol=0.01
    assert book.observe(1.96, at=near).matched == [made.id]
    with pytest.warns(sl.ScalingLawWarning, match="match no forecast"):
        report = book.observe(2.5, at={"params": 1e9, "tokens": 2e10})
    assert report.unmatched == [{"value": 2.5, "run": None,
                                 "at": {"params": 1e9, "tokens": 2e10}}]
    kept = book.observations()
    assert len(kept) == 2 and kept["forecast_id"].isna().sum() == 1


def test_observe_from_a_dataset(url: str, fit: sl.FitResult) -> None:
    book = sl.ledger.Ledger(url)
    sizes = [(7e10, 1.4e12), (2.8e11, 3e11)]
    made = [book.record(fit, {"params": n, "tokens": d}, run=f"r{i}")
            for i, (n, d) in enumerate(sizes)]
    outcome = pd.DataFrame({"run": ["r0", "r1", "r9"], "loss": [1.95, 2.01, 3.0]})
    with pytest.warns(sl.ScalingLawWarning, match="1 observation"):
        report = book.observe_from(outcome)
    assert report.matched == [m.id for m in made] and report.unmatched[0]["run"] == "r9"
    by_inputs = pd.DataFrame({"params": [7e10], "tokens": [1.4e12], "loss": [1.97]})
    assert book.observe_from(by_inputs, run=None).matched == [made[0].id]
    assert book.scorecard().overall["observed"] == 2


def test_schema_is_migrated_to_head_and_matches_the_definitions(url: str) -> None:
    sl.ledger.Ledger(url)
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.c.keys())
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


def test_a_ledger_from_a_newer_version_is_refused(url: str) -> None:
    sl.ledger.Ledger(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(ResultFileError, match="newer scalinglaws"):
        sl.ledger.Ledger(url)


def test_bad_inputs(tmp_path: Path, fit: sl.FitResult) -> None:
    book = sl.ledger.Ledger(tmp_path / "l.db")
    with pytest.raises(OptionError, match="without an interval"):
        book.record(fit, AT, level=None)
    point_only = book.record(fit, AT, level=None, interval=False)
    assert point_only.lower is None and point_only.level is None
    with pytest.raises(OptionError, match="positive number"):
        book.record(fit, {"params": -1, "tokens": 1e12})
    with pytest.raises(OptionError, match="needs the run"):
        book.observe(2.0)
    with pytest.raises(DataError, match="finite number"):
        book.observe(float("nan"), run="x")
    with pytest.raises(OptionError, match="cannot reach"):
        sl.ledger.Ledger("postgresql://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(OptionError, match="folder does not exist"):
        sl.ledger.Ledger(tmp_path / "missing" / "l.db")
    with pytest.raises(OptionError, match="group a scorecard"):
        book.scorecard("colour")


def test_default_ledger_is_the_environment_or_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(sl.ledger.LEDGER_ENV, raising=False)
    assert sl.ledger.Ledger().url == f"sqlite:///{tmp_path / 'scalinglaws.db'}"
    monkeypatch.setenv(sl.ledger.LEDGER_ENV, str(tmp_path / "team.db"))
    assert sl.ledger.Ledger().url.endswith("team.db")


def _record_many(url: str, fit_path: str, worker: int, n: int) -> int:
    book = sl.ledger.Ledger(url)
    fit = sl.load_fit(fit_path)
    for i in range(n):
        book.record(fit, {"params": 1e9 * (1 + i / 100), "tokens": 1e11}, run=f"w{worker}-{i}")
    return n


@pytest.mark.slow
def test_four_processes_recording_at_once_lose_nothing(url: str, fit: sl.FitResult,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "fit.json"
    fit.save(path)
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        done = pool.starmap(_record_many, [(url, str(path), w, 250) for w in range(4)])
    assert done == [250] * 4
    book = sl.ledger.Ledger(url)
    table = book.forecasts()
    assert len(table) == 1000 and table["uid"].is_unique and table["run"].is_unique
    assert table["fit_id"].nunique() == 1  # the fit is stored once


def test_cli_record_observe_list_score(tmp_path: Path, fit: sl.FitResult) -> None:
    path, db = tmp_path / "fit.json", str(tmp_path / "l.db")
    fit.save(path)
    made = json.loads(run("forecast", "record", path, "--at", "params=7e10", "tokens=1.4e12",
                          "--run", "big", "--tag", "t1", "--note", "before", "--db", db,
                          "--json").stdout)
    assert made["run"] == "big" and made["level"] == 0.9 and made["lower"] < made["point"]
    observed = json.loads(run("forecast", "observe", "--run", "big", "--value", "1.95",
                              "--db", db, "--json").stdout)
    assert observed["matched"] == [made["id"]]
    listed = json.loads(run("forecast", "list", "--db", db, "--json").stdout)
    assert [f["id"] for f in listed["forecasts"]] == [made["id"]]
    figure, page = tmp_path / "calibration.png", tmp_path / "ledger.html"
    card = json.loads(run("forecast", "score", "--by", "law,tag", "--db", db, "--json",
                          "--figure", figure, "--html", page).stdout)
    assert "Forecast ledger" in page.read_text() and "ledger-calibration" in page.read_text()
    assert card["groups"][0]["tag"] == "t1" and card["overall"]["observed"] == 1
    assert figure.stat().st_size > 1000
    assert "chinchilla" in run("forecast", "list", "--db", db).stdout
    missing = run("forecast", "record", path, "--db", db, code=2)
    assert "needs the inputs" in missing.stderr
    down = run("forecast", "list", "--db", "postgresql://u:secret@127.0.0.1:1/x", code=2)
    assert "cannot reach" in down.stderr and "secret" not in down.stderr


def test_calibration_curve_and_figure(tmp_path: Path, fit: sl.FitResult) -> None:
    from scalinglaws.report.figures import calibration_figure

    book = sl.ledger.Ledger(tmp_path / "l.db")
    rng = np.random.default_rng(0)
    for i in range(40):  # outcomes drawn from each forecast's own interval: calibrated
        at = {"params": 1e9 * (1 + i / 4), "tokens": 1e11}
        made = book.record(fit, at, run=f"r{i}", kind="observation")
        sigma = math.log(made.upper / made.lower) / (2 * 1.6448536)
        book.observe(made.point * math.exp(sigma * rng.standard_normal()), run=f"r{i}")
    curve = book.scorecard().calibration([0.5, 0.9])
    assert curve["n"].iloc[0] == 40
    # 40 draws: the binomial standard error at 0.9 is 0.047, at 0.5 0.079; 2.5 of them
    assert abs(curve["empirical"].iloc[1] - 0.9) < 0.12
    assert abs(curve["empirical"].iloc[0] - 0.5) < 0.2
    figure = calibration_figure(book.scorecard())
    assert figure.axes[0].get_xlabel() == "nominal coverage"


def test_report_holds_the_scorecard(tmp_path: Path, fit: sl.FitResult) -> None:
    book = sl.ledger.Ledger(tmp_path / "l.db")
    book.record(fit, AT, run="big")
    book.observe(1.95, run="big")
    page = sl.report.html([], tmp_path / "ledger.html", scorecard=book.scorecard())
    text = page.read_text()
    assert "Forecast ledger" in text and "Observed forecasts" in text and "big" in text
    both = sl.report.html(fit, tmp_path / "both.html", scorecard=book.scorecard()).read_text()
    assert "Forecast ledger" in both and "chinchilla" in both
    with pytest.raises(DataError, match="Scorecard"):
        sl.report.html(fit, tmp_path / "bad.html", scorecard="not one")


@pytest.mark.slow
def test_olmo_replay_is_the_readme_table(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import replay_ledger
    finally:
        sys.path.pop(0)
    book = replay_ledger.replay(f"sqlite:///{tmp_path / 'olmo.db'}")
    by_law, by_run = replay_ledger.tables(book)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert replay_ledger.markdown(by_law, ["law"]) in readme
    assert replay_ledger.markdown(by_run, ["law", "run"]) in readme
    # 2 laws x 11 losses x 3 target runs, every one observed
    assert book.count() == 66 and book.scorecard().overall["observed"] == 66


def test_a_joint_fit_forecasts_for_one_group(tmp_path: Path) -> None:
    frame = sl.datasets.load("chinchilla").exclude("epoch_excluded").to_frame()
    frame["family"] = np.where(np.arange(len(frame)) % 2, "a", "b")
    joint = sl.fit("chinchilla", frame, by="family", shared=["alpha", "beta"])
    book = sl.ledger.Ledger(tmp_path / "l.db")
    made = book.record(joint, {**AT, "family": "a"})
    assert made.tags == ["family=a"]
    assert made.point == pytest.approx(float(joint.for_group("a").predict(**AT)))
    assert book.record(joint, AT, group="b").tags == ["family=b"]
    with pytest.raises(OptionError, match="one group"):
        book.record(joint, AT)
