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


def track_record() -> tuple[list[tuple[str, list[float]]], list[float]]:
    """The README's track record: (label, percentages) of each row of the nested table, and
    the percentages of the Chinchilla backtest's row."""
    lines = README.read_text().split("## Track record")[1].split("\n## ")[0].splitlines()
    body = [line for line, after in zip(lines, [*lines[1:], ""], strict=True)
            if line.startswith("| ") and not after.startswith("|---")]  # not a header
    rows = [(line.split("|")[1].strip(), [float(v) for v in re.findall(r"([\d.]+)%", line)])
            for line in body]
    *nested, (_, chinchilla) = rows
    return nested, chinchilla


@pytest.mark.slow
@pytest.mark.skipif(not MISFIT.is_file(), reason=f"real data absent: {MISFIT} (../shared/data "
                    "is beside the clone in CI, not part of the package)")
def test_track_record_table_is_current():
    """The README's track record is recomputed here, so it is not typed by hand: the nested
    backtest of ``select`` on the open-LM sweep (about 10 s) and the Chinchilla backtest."""
    import math
    import warnings

    import numpy as np
    import pandas as pd

    import scalinglaws as sl
    from scalinglaws.laws import catalog
    from scalinglaws.validate import DEFAULT_CHOICES, backtest, select
    from scalinglaws.validate.candidates import CandidateFits
    from scalinglaws.validate.nested import INNER, OUTER, choose, forecasts, nested, rolling_origin

    stated, stated_chinchilla = track_record()
    assert len(stated) == 8 and all(len(v) == 3 for _, v in stated), stated
    ck = pd.read_csv(MISFIT)
    final = ck[ck["final"].astype(bool)]
    best = final.loc[final.groupby(["model", "planned_tokens"])["loss"].idxmin()]
    sweep = sl.Dataset.from_frame(best[["run", "params", "tokens", "flops", "loss"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLawWarning)
        sel = select(sweep)
        bundled = backtest("chinchilla", sl.datasets.load("chinchilla"), train="flops<1e21",
                           n_boot=0)
        # per outer fold, what the nested backtest inside select computed: each strategy's
        # choice from inner folds, every candidate's forecast of the held-out runs (from the
        # selection's own fits, cached per training rows); auto's choice needs the nested
        # backtest inside the fold's training rows, one level further down
        size = sweep.column("params")
        fits = sel.folds.fits
        assert isinstance(fits, CandidateFits)
        candidates = [(catalog.get(law), c) for law in ("chinchilla", "kaplan")
                      for c in DEFAULT_CHOICES]
        everything = np.ones(len(sweep), dtype=bool)
        outer = rolling_origin(size, everything, OUTER, "outer<")
        errors: dict = {}
        weights = []
        for fold in outer:
            held = forecasts(fits, candidates, DEFAULT_CHOICES, [fold])
            inner = forecasts(fits, candidates, DEFAULT_CHOICES,
                              rolling_origin(size, fold.train, INNER, "inner<"))
            deeper = nested(fits, candidates, DEFAULT_CHOICES, fold.train)
            assert deeper is not None
            err = deeper.strategy_error  # auto: the lower nested error inside the fold
            chosen = {s: choose(inner, s) for s in ("best", "average")}
            chosen["auto"] = chosen["average" if err["average"] < err["best"] else "best"]
            rel = np.abs(held.predicted / held.y - 1.0)
            for s, ensemble in chosen.items():
                got = np.abs(ensemble.combine(held.keys, held.predicted) / held.y - 1.0)
                errors.setdefault(s, []).append(got)
            for key, e in zip(held.keys, rel, strict=True):
                errors.setdefault(key, []).append(e)
            weights.append(held.weight)
    w = np.concatenate(weights)
    measured = {k: [float(np.concatenate(v) @ w / w.sum()), *(float(e.mean()) for e in v)]
                for k, v in errors.items()}
    # the per-fold figures add up to select's own nested backtest
    # (auto too: select decides it inside each outer fold, as here)
    for s in ("best", "average", "auto"):
        assert math.isclose(measured[s][0], sel.nested.strategy_error[s], rel_tol=1e-9)
    assert sel.nested_error == sel.nested.strategy_error["auto"]
    for key, value in sel.nested.fixed_error.items():
        assert math.isclose(measured[key][0], value, rel_tol=1e-9), key
    fixed = sorted(sel.nested.fixed_error, key=lambda k: sel.nested.fixed_error[k])
    rows = ["auto", "best", "average", ("chinchilla", "huber 1e-3"),
            ("chinchilla", "huber 1e-3, overestimate x10"), fixed[0],
            fixed[(len(fixed) - 1) // 2], fixed[-1]]
    for (label, figures), key in zip(stated, rows, strict=True):
        if isinstance(key, tuple):  # the README names the recipe of each fixed row
            assert f"`{key[0]}`, `{key[1]}`" in label, (label, key)
        # the README rounds to 0.01 percentage points
        assert all(abs(100 * m - v) <= 0.006 for m, v in zip(measured[key], figures,
                                                                strict=True)), (
            label, figures, measured[key])
    mean, mx, coverage = stated_chinchilla
    assert abs(100 * bundled.mean_abs_rel_error - mean) <= 0.006
    assert abs(100 * bundled.max_abs_rel_error - mx) <= 0.006
    assert bundled.interval_kinds == ("calibrated",)
    inside = int(bundled.points["inside"].sum())
    assert coverage == round(100 * bundled.coverage)
    assert f"{coverage:g}% ({inside} of {bundled.n_test})" in README.read_text()


def test_every_test_the_sweep_table_names_exists():
    """The 'Your own sweep' table points at tests that exist (a renamed test fails here)."""
    section = README.read_text().split("## Your own sweep")[1].split("\n## ")[0]
    root = README.parent
    named = 0
    for row in re.findall(r"^\|[^|\n]*\| (.*) \|$", section, flags=re.M)[1:]:
        current = None
        for ref in re.findall(r"`([^`]+)`", row):
            path, _, name = ref.partition("::")
            if path.startswith("..."):
                path = current
            elif path.startswith("tests/"):
                current = path
            else:  # a bare test name in a list after its file
                path, name = current, ref
            assert path and (root / path).is_file(), ref
            if name:
                assert f"def {name}(" in (root / path).read_text(), ref
                named += 1
    assert named >= 15
