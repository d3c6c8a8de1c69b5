"""Every command that writes a file checks where, before any work: the folder exists and is
writable, the path is not a folder, and the suffix is one the command writes. So a long run
never ends in an error about its output."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_runner import run

#: each command with an output option: its arguments (DATA or FIT files that do not exist,
#: so that an error about them would mean they were read first), the option and a good name
COMMANDS = {
    "fit --out": (["fit", "{t}/nope.csv", "--law", "chinchilla"], "--out", "fit.json"),
    "fit --report": (["fit", "{t}/nope.csv", "--law", "chinchilla"], "--report", "r.html"),
    "select --out": (["select", "{t}/nope.csv"], "--out", "fit.json"),
    "plot --out": (["plot", "{t}/nope.json", "--kind", "fit"], "--out", "fig.png"),
    "report --out": (["report", "{t}/nope.json"], "--out", "r.html"),
}


def _args(case: str, tmp: Path, out: Path) -> list[str]:
    words, option, _ = COMMANDS[case]
    return [w.format(t=tmp) for w in words] + [option, str(out)]


@pytest.mark.parametrize("case", COMMANDS)
def test_a_missing_folder_is_refused_before_the_inputs_are_read(case, tmp_path):
    _, option, name = COMMANDS[case]
    result = run(*_args(case, tmp_path, tmp_path / "missing" / name), code=2)
    assert f"option {option}" in result.stderr and "does not exist" in result.stderr
    assert "nope" not in result.stderr  # DATA / FIT (which do not exist) were not read


@pytest.mark.parametrize("case", COMMANDS)
def test_a_folder_as_the_output_is_refused(case, tmp_path):
    _, option, _ = COMMANDS[case]
    result = run(*_args(case, tmp_path, tmp_path), code=2)
    assert f"option {option}" in result.stderr and "Is a directory" in result.stderr


@pytest.mark.parametrize("case, name, formats", [
    ("fit --out", "fit.txt", ".json"),
    ("fit --report", "r.pdf", ".html or .htm"),
    ("select --out", "sel.csv", ".json"),
    ("plot --out", "fig.jpg", ".pdf, .png or .svg"),
    ("report --out", "r.json", ".html or .htm"),
])
def test_a_suffix_the_command_does_not_write_is_refused(case, name, formats, tmp_path):
    _, option, _ = COMMANDS[case]
    result = run(*_args(case, tmp_path, tmp_path / name), code=2)
    assert f"'{name}'" in result.stderr and f"option {option}" in result.stderr
    assert f"End it with {formats}." in result.stderr
    assert "nope" not in result.stderr


def test_a_long_bootstrap_into_a_missing_folder_stops_at_once(tmp_path):
    """Fitting, calibrating and drawing 20,000 resamples of the bundled data take about 11 s
    on one core (the resamples alone about 10 s; 1,000 about 1 s), so an exit within 3 s
    means the work never started."""
    out = tmp_path / "nonexistent" / "dir" / "fit.json"
    start = time.perf_counter()
    result = run("fit", "chinchilla", "--law", "chinchilla", "--bootstrap", "20000", "--out",
                 out, code=2)
    assert time.perf_counter() - start < 3.0
    assert result.stderr.startswith("error: the folder") and "does not exist" in result.stderr
    assert result.stderr.count("\n") == 1  # the error alone: no progress, no warnings
    assert not out.parent.exists()


def test_an_upper_case_suffix_is_accepted(tmp_path):
    out = tmp_path / "FIT.JSON"
    run("fit", "chinchilla", "--law", "chinchilla", "--no-calibrate", "--out", out)
    assert out.stat().st_size > 1_000
