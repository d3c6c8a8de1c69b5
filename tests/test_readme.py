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

    plan = json.loads(outputs[-1])
    assert len(plan["params"]) == 2 and plan["flops"] == [1e21, 5.76e23]


@pytest.mark.parametrize("needle", ["make demo", "make test"])
def test_ci_calls_make_test(needle):
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci
    makefile = (README.parent / "Makefile").read_text()
    assert needle.split()[1] + ":" in makefile
