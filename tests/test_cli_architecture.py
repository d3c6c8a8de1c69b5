"""The command line's house: a thin skin that starts at once. Its modules import only Typer
and Rich when the app starts (the library loads inside each command), ``main`` only registers
commands, and every function and module stays small."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "scalinglaws"
HEAVY = ("numpy", "pandas", "scipy", "sympy", "matplotlib", "plotly")


def loaded_after_package(code: str) -> list[str]:
    """The modules ``code`` imports after ``import scalinglaws`` (in a fresh interpreter)."""
    script = ("import sys, json, scalinglaws\n"
              "before = set(sys.modules)\n"
              f"{code}\n"
              "print(json.dumps(sorted(set(sys.modules) - before)))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


#: the light modules of the library the help text reads: the version, the text of the
#: backtest rules, and what makes the validation package load its names on first use
TEXT_ONLY = ("scalinglaws.common.version", "scalinglaws.validate", "scalinglaws.validate.rules",
             "scalinglaws.common", "scalinglaws.common.lazy")


def _of_project(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in HEAVY
            or (m.startswith("scalinglaws.") and not m.startswith("scalinglaws.cli")
                and m not in TEXT_ONLY)]


def test_the_app_imports_only_the_command_line():
    # every command module is imported to register its command; none of them loads the
    # library, numpy, pandas, SymPy or the plotting libraries at import
    new = loaded_after_package("import scalinglaws.cli.main")
    assert "scalinglaws.cli.fitting" in new
    assert _of_project(new) == []


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["fit", "--help"],
                                  ["plot", "--help"]])
def test_help_and_version_load_no_library(args):
    code = ("from scalinglaws.cli.main import app\n"
            "try:\n"
            f"    app({args!r})\n"
            "except SystemExit:\n"
            "    pass")
    new = loaded_after_package(code)
    assert _of_project(new) == []


def test_train_rules_help_is_the_library_text():
    # the help reads the library's own text, from a module that loads no numerics
    from scalinglaws.cli.common import RULES_HELP
    from scalinglaws.validate import RULES_HELP as library

    assert RULES_HELP is library and "rolling" in RULES_HELP


def test_main_only_registers_commands():
    import ast

    tree = ast.parse((SRC / "cli" / "main.py").read_text())
    functions = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert functions == ["_version", "main_options", "main"]


def test_modules_and_functions_stay_small():
    files = sorted((SRC / "cli").glob("*.py"))
    long = {f.name: n for f in files if (n := len(f.read_text().splitlines())) > 400}
    assert not long, long
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed beside this Python")
    proc = subprocess.run([str(ruff), "check", "--no-cache", "--select", "C901,PLR0915",
                           "--config", "lint.mccabe.max-complexity=15",
                           "--config", "lint.pylint.max-statements=60", str(SRC / "cli")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
