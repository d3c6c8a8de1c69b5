"""A saved fit carries its data: small data embedded in the file, larger data read again
from the file they came from (checked by fingerprint), so that the bootstrap, the profile,
the calibration, the residuals figure and the report work on a fit read from a file alone."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl
from scalinglaws.data.saved import MAX_EMBEDDED_CELLS, data_record, fitted_columns

#: Hoffmann et al. (2022) values, for exact synthetic losses
TRUE = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def _runs(n_sizes: int = 6, n_tokens: int = 5) -> pd.DataFrame:
    """Runs on a grid of sizes and tokens with Chinchilla losses and 2% noise, labelled by run
    and family, with an unused column."""
    N, D = (a.ravel() for a in np.meshgrid(np.geomspace(1e8, 1e10, n_sizes),
                                           np.geomspace(2e9, 2e11, n_tokens)))
    rng = np.random.default_rng(0)
    loss = (TRUE["E"] + TRUE["A"] / N ** TRUE["alpha"] + TRUE["B"] / D ** TRUE["beta"]
            ) * np.exp(rng.normal(0, 0.02, N.size))
    return pd.DataFrame({"params": N, "tokens": D, "loss": loss,
                         "run": [f"r{i % 10}" for i in range(N.size)],
                         "family": ["a" if i % 2 else "b" for i in range(N.size)],
                         "note": ["unused"] * N.size})


def _quiet_fit(law: str, data, **kwargs) -> sl.FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)  # fit health is not under test
        return sl.fit(law, data, **kwargs)


def _bare(fit: sl.FitResult) -> sl.FitResult:
    """The fit as read from a record saved without its data (an older file)."""
    return sl.FitResult.from_dict({k: v for k, v in fit.to_dict().items() if k != "data"})


# -- embedded -----------------------------------------------------------------------------------
def test_a_saved_fit_embeds_the_columns_it_reads(chinchilla_fit, tmp_path):
    path = tmp_path / "fit.json"
    chinchilla_fit.save(path)
    record = json.loads(path.read_text())
    # the law's inputs, the target and the role columns; not the 'epoch_excluded' flags
    assert list(record["data"]["columns"]) == ["params", "tokens", "flops", "loss"]
    assert record["data"]["rows"] == 240 and "data_source" not in record
    back = sl.load_fit(path)
    assert isinstance(back.data, sl.Dataset) and len(back.data) == back.n_points == 240
    assert back.data.fingerprint == back.fingerprint == chinchilla_fit.fingerprint
    original = chinchilla_fit.data.to_frame()[back.data.columns]
    pd.testing.assert_frame_equal(back.data.to_frame(), original)  # bit for bit
    assert back.data.name == chinchilla_fit.dataset == "chinchilla"


def test_the_fingerprint_covers_only_the_columns_the_fit_reads():
    frame = _runs()
    fit = _quiet_fit("chinchilla", frame)
    more = _quiet_fit("chinchilla", frame.assign(extra=np.arange(len(frame))))
    assert more.fingerprint == fit.fingerprint  # a column the fit does not read
    changed = frame.copy()
    changed.loc[3, "loss"] *= 1.001
    assert _quiet_fit("chinchilla", changed).fingerprint != fit.fingerprint
    relabelled = frame.assign(run="same")  # a label the bootstrap may cluster by
    assert _quiet_fit("chinchilla", relabelled).fingerprint != fit.fingerprint
    # the same runs with another column pass as the fit's data
    bare = _bare(fit)
    assert bare.bootstrap(5, seed=0, data=frame.assign(extra=1.0)).n == 5


def test_a_loaded_fit_bootstraps_profiles_and_calibrates_on_its_own_data(chinchilla_fit,
                                                                         tmp_path):
    path = tmp_path / "fit.json"
    chinchilla_fit.save(path)
    back = sl.load_fit(path)
    # the same rows in the same order: the same resamples and refits as the fit in memory
    np.testing.assert_allclose(back.bootstrap(20, seed=1).samples,
                               chinchilla_fit.bootstrap(20, seed=1).samples, rtol=1e-9)
    assert back.profile("alpha").interval() == pytest.approx(
        chinchilla_fit.profile("alpha").interval(), rel=1e-9)
    assert sl.calibrate(back).calibration.tau == pytest.approx(
        sl.calibrate(chinchilla_fit).calibration.tau, rel=1e-9)


def test_label_columns_travel_for_a_cluster_bootstrap(tmp_path):
    frame = _runs()
    fit = _quiet_fit("chinchilla", frame)
    fit.save(tmp_path / "fit.json")
    back = sl.load_fit(tmp_path / "fit.json")
    assert back.data.columns == ["params", "tokens", "loss", "run", "family", "flops"]
    assert not back.data.has("note")
    boot = back.bootstrap(10, by="run", seed=0)
    assert boot.by == "run" and boot.n_clusters == 10


def test_column_types_survive_the_round_trip(tmp_path):
    """Integer, text and categorical columns come back with their types, so the rebuilt
    table hashes to the fit's fingerprint."""
    frame = _runs().assign(epochs=lambda f: (np.arange(len(f)) % 3 + 1).astype("int64"),
                           seed=lambda f: np.arange(len(f)) % 4,
                           family=lambda f: f["family"].astype("category"))
    law = sl.Law.from_expression("E + A*N**(-alpha) + B*D**(-beta) + k*q",
                                 inputs={"N": "params", "D": "tokens", "q": "epochs"})
    fit = _quiet_fit(law, frame)
    fit.save(tmp_path / "fit.json")
    record = json.loads((tmp_path / "fit.json").read_text())
    assert record["data"]["dtypes"]["epochs"] == "int64"
    assert record["data"]["dtypes"]["family"] == "category"
    back = sl.load_fit(tmp_path / "fit.json")
    assert back.data.fingerprint == fit.fingerprint
    assert back.data.to_frame()["epochs"].dtype == np.int64


def test_a_missing_value_in_a_label_column_round_trips(tmp_path):
    frame = _runs()
    frame.loc[4, "run"] = np.nan  # read from a CSV with a blank run name
    fit = _quiet_fit("chinchilla", frame)
    fit.save(tmp_path / "fit.json")
    back = sl.load_fit(tmp_path / "fit.json")
    assert back.data.fingerprint == fit.fingerprint
    assert pd.isna(back.data.labels("run")[4])


def test_embedded_data_that_were_edited_are_refused(chinchilla_fit):
    record = chinchilla_fit.to_dict()
    record["data"]["columns"]["loss"][0] *= 1.5
    with pytest.raises(sl.ResultFileError, match="not the data it was fitted on") as err:
        sl.FitResult.from_dict(record)
    assert err.value.where == "field 'data'" and "data=" in err.value.fix
    record = chinchilla_fit.to_dict()
    record["data"]["columns"]["loss"] = "many"
    with pytest.raises(sl.ResultFileError, match="malformed"):
        sl.FitResult.from_dict(record)
    record = chinchilla_fit.to_dict()
    record["data"]["rows"] = 7
    with pytest.raises(sl.ResultFileError, match="7"):
        sl.FitResult.from_dict(record)


def test_a_record_without_data_is_still_read(chinchilla_fit, chinchilla_kept):
    bare = _bare(chinchilla_fit)
    assert bare.data is None and bare.data_source is None
    assert bare.params == chinchilla_fit.params
    with pytest.raises(sl.OptionError, match="does not carry its data") as err:
        bare.bootstrap(5)
    assert "data=" in err.value.fix
    assert bare.bootstrap(5, seed=0, data=chinchilla_kept).n == 5


def test_a_record_fingerprinting_the_whole_table_still_checks_data(chinchilla_fit,
                                                                   chinchilla_kept):
    """Records saved before fits fingerprinted their columns carry the whole table's."""
    old = chinchilla_fit.to_dict()
    del old["data"]
    old["fingerprint"] = chinchilla_kept.fingerprint
    fit = sl.FitResult.from_dict(old)
    assert fit.bootstrap(5, seed=0, data=chinchilla_kept).n == 5
    with pytest.raises(sl.DataError, match="not the data the fit was made on"):
        fit.bootstrap(5, data=chinchilla_kept[:200])


# -- the threshold --------------------------------------------------------------------------------
def test_data_are_embedded_up_to_the_threshold():
    rows = MAX_EMBEDDED_CELLS // 2  # two columns: flops and loss
    flops = np.geomspace(1e18, 1e22, rows + 1)
    frame = pd.DataFrame({"flops": flops, "loss": 2 + 50 * flops ** -0.05})
    at = sl.Dataset.from_frame(frame.iloc[:rows])
    over = sl.Dataset.from_frame(frame)
    assert fitted_columns(at, ["flops", "loss"]) == ["flops", "loss"]
    assert "data" in data_record(at, ["flops", "loss"])
    assert data_record(over, ["flops", "loss"]) == {}  # built in memory: nowhere to read it


# -- read again from their file -------------------------------------------------------------------
@pytest.fixture
def large(tmp_path) -> tuple[Path, pd.DataFrame, sl.FitResult]:
    """A fit of runs too many to embed, read from a CSV file, saved."""
    frame = _runs(n_sizes=100, n_tokens=40)  # 4,000 rows x 6 role columns > the threshold
    assert len(frame) * 6 > MAX_EMBEDDED_CELLS
    csv = tmp_path / "runs.csv"
    frame.to_csv(csv, index=False)
    fit = _quiet_fit("chinchilla", sl.Dataset.from_csv(csv))
    fit.save(tmp_path / "fit.json")
    return csv, frame, fit


def test_large_data_are_recorded_by_their_file(large, tmp_path):
    csv, _, fit = large
    record = json.loads((tmp_path / "fit.json").read_text())
    assert "data" not in record and record["data_source"] == str(csv.resolve())
    back = sl.load_fit(tmp_path / "fit.json")
    assert back.data is not None and back.data_source == str(csv.resolve())
    assert len(back.data) == fit.n_points
    assert back.bootstrap(5, seed=0).n == 5
    # saved again, it still points at the file
    back.save(tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text())["data_source"] == str(
        csv.resolve())


def test_a_changed_or_missing_data_file_says_to_pass_the_data(large, tmp_path):
    csv, frame, fit = large
    frame.assign(loss=frame["loss"] * 1.01).to_csv(csv, index=False)
    changed = sl.load_fit(tmp_path / "fit.json")  # predictions need no data: it loads
    assert changed.data is None
    assert changed.predict(params=1e9, tokens=2e10) == pytest.approx(
        fit.predict(params=1e9, tokens=2e10))
    with pytest.raises(sl.DataError, match="not those the fit was made on") as err:
        changed.bootstrap(5)
    assert str(csv.resolve()) in str(err.value) and "--data" in err.value.fix
    assert changed.bootstrap(5, seed=0, data=frame).n == 5  # the original rows
    csv.unlink()
    with pytest.raises(sl.DataError, match="cannot be read again") as err:
        sl.calibrate(sl.load_fit(tmp_path / "fit.json"))
    assert "--data" in err.value.fix


def test_a_subset_keeps_its_source_and_fails_the_check(large, tmp_path):
    csv, _, _ = large
    ds = sl.Dataset.from_csv(csv)
    assert ds.source == str(csv.resolve()) and ds[:3500].source == ds.source
    _quiet_fit("chinchilla", ds[:3500]).save(tmp_path / "part.json")
    part = sl.load_fit(tmp_path / "part.json")
    assert part.data is None
    with pytest.raises(sl.DataError, match="subset"):
        part.profile("alpha")


def test_sources_of_datasets(tmp_path):
    assert sl.datasets.load("chinchilla").source == "chinchilla"
    assert sl.Dataset.read("chinchilla").source == "chinchilla"
    assert sl.Dataset.from_frame(_runs()).source is None
    path = tmp_path / "runs.csv"
    _runs().rename(columns={"params": "n"}).to_csv(path, index=False)
    assert sl.Dataset.from_csv(path).source == str(path.resolve())
    # reading the file again would not give these tables: no source to read them from
    assert sl.Dataset.from_csv(path, columns={"params": "n"}).source is None
    assert sl.Dataset.read("chinchilla", flops_factor=8.0).source is None


# -- joint fits -----------------------------------------------------------------------------------
def test_a_joint_fit_carries_its_runs(tmp_path):
    frame = _runs()
    joint = _quiet_fit("chinchilla", frame, by="family", shared=["alpha", "beta"])
    joint.save(tmp_path / "joint.json")
    record = json.loads((tmp_path / "joint.json").read_text())
    assert "data" not in record["joint"]  # once, without the group indicators
    assert list(record["data"]["columns"]) == ["params", "tokens", "loss", "run", "family",
                                               "flops"]
    back = sl.load_shared_fit(tmp_path / "joint.json")
    assert back.joint.data.fingerprint_of(["in_group__0", "in_group__1"]) == (
        joint.joint.data.fingerprint_of(["in_group__0", "in_group__1"]))
    figure = sl.report.residuals_figure(back)  # from the file alone
    assert sum(len(c.get_offsets()) for c in figure.axes[0].collections) == len(frame)
    for group in ([], ["--group", "a"]):  # the command line draws its runs too
        out = tmp_path / f"joint{len(group)}.png"
        run("plot", tmp_path / "joint.json", "--kind", "fit", *group, "--out", out)
        assert out.stat().st_size > 5_000
    record["data"]["columns"]["family"] = ["c"] * len(frame)
    with pytest.raises(sl.ResultFileError, match="do not match"):
        sl.SharedFit.from_dict(record)


# -- the command line -----------------------------------------------------------------------------
def test_cli_plot_and_report_from_the_fit_file_alone(fit_json, tmp_path):
    out = tmp_path / "residuals.png"
    run("plot", fit_json, "--kind", "residuals", "--out", out)
    assert out.stat().st_size > 5_000
    bare = tmp_path / "bare.json"  # the same fit saved without its runs
    bare.write_text(json.dumps({k: v for k, v in json.loads(fit_json.read_text()).items()
                                if k != "data"}))
    marks = {}
    for name, path in (("with", fit_json), ("without", bare)):
        run("plot", path, "--kind", "fit", "--out", tmp_path / f"{name}.svg")
        marks[name] = (tmp_path / f"{name}.svg").read_text().count("<use ")
    assert marks["with"] >= marks["without"] + 240  # a marker per run
    report = tmp_path / "r.html"
    run("report", fit_json, "--out", report)
    text = report.read_text()
    # the runs are drawn: the figure has its residual panel
    assert '<div class="plot with-residuals" id="plot-1"' in text
    assert '"role":"residuals"' in text and "not the data this law" not in text


def test_cli_says_to_pass_data_when_the_file_changed(large, tmp_path):
    csv, frame, _ = large
    frame.iloc[:100].to_csv(csv, index=False)
    result = run("plot", tmp_path / "fit.json", "--kind", "residuals", "--out",
                 tmp_path / "r.png", code=2)
    assert "not those the fit was made on" in result.stderr and "--data" in result.stderr
    result = run("report", tmp_path / "fit.json", "--out", tmp_path / "r.html")
    assert "could not be read again" in result.stderr
