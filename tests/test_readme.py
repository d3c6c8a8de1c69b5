"""The README's examples are executed, so they cannot rot."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def fenced() -> list[tuple[str, str]]:
    """(language, body) of every fenced block, in order."""
    return re.findall(r"^```(\w*)\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def blocks(lang: str) -> list[str]:
    return [body for kind, body in fenced() if kind == lang]


def test_readme_starts_with_the_two_commands():
    first_block = fenced()[0][1]
    lines = [ln.split("#")[0].strip() for ln in first_block.strip().splitlines()]
    assert lines == ["make demo", "make test"]


def test_python_example_runs(tmp_path, monkeypatch, capsys):
    (code,) = blocks("python")
    assert len(code.strip().splitlines()) <= 12
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    fit = namespace["fit"]
    # the README's fit is the Epoch replication: alpha 0.3473 (MANIFEST), 1% tolerance
    assert abs(fit.params["alpha"] - 0.34731) / 0.34731 < 0.01
    assert namespace["user"].status.value == "converged"
    assert "alpha" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_example_runs(tmp_path):
    cli_block = next(b for b in blocks("") if b.startswith("scalinglaws"))
    outputs = []
    for line in cli_block.strip().splitlines():
        args = shlex.split(line)
        assert args[0] == "scalinglaws"
        proc = subprocess.run([sys.executable, "-m", "scalinglaws", *args[1:]], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (line, proc.stderr)
        outputs.append(proc.stdout)
    assert (tmp_path / "fit.json").exists()
    assert "chinchilla" in outputs[0]
    import json

    plan = json.loads(outputs[-1])  # several budgets: one object per budget
    assert len(plan) == 2 and [b["flops"] for b in plan] == [1e21, 5.76e23]


@pytest.mark.parametrize("needle", ["make demo", "make test"])
def test_ci_calls_make_test(needle):
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci
    makefile = (README.parent / "Makefile").read_text()
    assert needle.split()[1] + ":" in makefile


MISFIT = Path(__file__).resolve().parents[2] / "shared" / "data" / "misfitting" / "checkpoints.csv"


@pytest.mark.slow
@pytest.mark.skipif(not MISFIT.is_file(), reason=f"real data absent: {MISFIT} (../shared/data "
                    "is beside the clone in CI, not part of the package)")
def test_track_record_table_is_current():
    """The README's backtest figures are recomputed here, so they are not typed by hand."""
    import warnings

    import pandas as pd

    import scalinglaws as sl
    from scalinglaws.validate import backtest, select

    rows = re.findall(r"^\|([^|\n]*)\|([^|\n]*)\|[^|\n]*\|[^|\n]*\| ([\d.]+)% \| ([\d.]+)% \|$",
                      README.read_text(), flags=re.M)
    stated = [(float(mean), float(mx)) for *_, mean, mx in rows]
    assert len(stated) == 4, rows
    ck = pd.read_csv(MISFIT)
    final = ck[ck["final"].astype(bool)]
    best = final.loc[final.groupby(["model", "planned_tokens"])["loss"].idxmin()]
    sweep = sl.Dataset.from_frame(best[["run", "params", "tokens", "flops", "loss"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        bundled = backtest("chinchilla", sl.datasets.load("chinchilla"), train="flops<1e21",
                           n_boot=0)
        ladder = backtest("chinchilla", sweep, train="largest=3", n_boot=0)
        sel = select(sweep)
    default = sel.backtests[("chinchilla", "huber 1e-3")]
    measured = [(b.mean_abs_rel_error, b.max_abs_rel_error)
                for b in (bundled, ladder, sel.backtest, default)]
    assert (sel.law, sel.choice.name) == ("kaplan", "huber 1e-3, drop smallest")
    for (mean, mx), (m_mean, m_max) in zip(stated, measured, strict=True):
        # the README rounds to 0.01 percentage points
        assert abs(100 * m_mean - mean) <= 0.006 and abs(100 * m_max - mx) <= 0.006, (
            stated, measured)
