"""Run states as data: a status column, runs that did not finish left out and named, and
runs far above the law reported when no status says why."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_runner import run

import scalinglaws as sl


def runs(status: list[str] | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = np.repeat(np.geomspace(2e7, 2e9, 6), 4)
    d = n * np.tile([5.0, 10.0, 20.0, 40.0], 6)
    loss = (1.69 + 406.4 / n**0.34 + 410.7 / d**0.28) * np.exp(rng.normal(0, 0.003, n.size))
    frame = pd.DataFrame({"run": [f"r{i}" for i in range(n.size)], "params": n, "tokens": d,
                          "loss": loss, "planned_tokens": d * 1.05})
    if status is not None:
        frame["status"] = status
    return frame


def test_tracker_words_are_read_as_the_four_states():
    words = ["FINISHED", "crashed", "Running", "killed", "diverged", "completed"] * 4
    ds = sl.Dataset(runs(words))
    assert list(ds.labels("status")[:6]) == ["finished", "failed", "unfinished", "failed",
                                              "diverged", "finished"]
    with pytest.raises(sl.DataError, match="'paused'") as info:
        sl.Dataset(runs(["finished"] * 23 + ["paused"]))
    assert "finished, diverged, unfinished, failed" in str(info.value)


def test_a_fit_leaves_out_the_runs_that_did_not_finish_and_names_them():
    status = ["finished"] * 24
    status[3], status[10] = "diverged", "running"
    frame = runs(status)
    frame.loc[3, "loss"] *= 3.0  # a diverged run: far above the law
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sl.fit("chinchilla", frame)
    notes = [str(w.message) for w in caught if "left out" in str(w.message)]
    assert notes and "left out 2 run(s)" in notes[0]
    assert "r3 (diverged), r10 (unfinished)" in notes[0]
    assert fit.n_points == 22 and fit.params["alpha"] == pytest.approx(0.34, rel=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        kept = sl.fit("chinchilla", frame, keep_unfinished=True)
    assert kept.n_points == 24
    with pytest.raises(sl.DataError, match="no run has the status 'finished'"):
        sl.fit("chinchilla", runs(["failed"] * 24))


def test_a_run_far_above_the_law_is_reported_when_no_status_says_why():
    frame = runs()
    frame.loc[5, "loss"] *= 2.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sl.fit("chinchilla", frame)
    found = [str(w.message) for w in caught if "far above the fitted law" in str(w.message)]
    assert found and "runs r5" in found[0] and "status column" in found[0]
    assert any("far above" in w for w in fit.warnings)
    # a clean sweep raises no such warning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        clean = sl.fit("chinchilla", runs())
    assert not any("far above" in w for w in clean.warnings)


def test_the_command_line_leaves_out_unfinished_runs_unless_asked(tmp_path):
    status = ["finished"] * 24
    status[7] = "crashed"
    path = tmp_path / "runs.csv"
    runs(status).to_csv(path, index=False)
    result = run("fit", path, "--law", "chinchilla", "--json")
    assert json.loads(result.stdout)["n_points"] == 23
    assert "left out 1 run(s)" in " ".join(result.stderr.split()) or any(
        "left out 1 run" in w for w in json.loads(result.stdout)["warnings"])
    kept = json.loads(run("fit", path, "--law", "chinchilla", "--keep-unfinished",
                          "--json").stdout)
    assert kept["n_points"] == 24
