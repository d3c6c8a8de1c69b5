"""The house: no import cycle anywhere in the package tree, imports inside functions included,
and the layer contracts of ``pyproject.toml`` kept (``lint-imports`` runs them in ``make test``;
here they are checked from the same graph so that a broken layer fails the suite too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # grimp reads every import statement of every module, those inside functions and under
    # TYPE_CHECKING included
    return grimp.build_graph("scalinglaws", cache_dir=None)


def _packages(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if graph.find_children(m))


def _collapsed(graph: grimp.ImportGraph, package: str) -> dict[str, set[str]]:
    """Edges between the direct children of ``package``, each child standing for everything
    inside it."""
    children = sorted(graph.find_children(package))
    owner = {}
    for child in children:
        owner[child] = child
        for inner in graph.find_descendants(child):
            owner[inner] = child
    edges: dict[str, set[str]] = {c: set() for c in children}
    for module, child in owner.items():
        for imported in graph.find_modules_directly_imported_by(module):
            target = owner.get(imported)
            if target is not None and target != child:
                edges[child].add(target)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_between_the_parts_of_any_package(graph):
    cycles = {}
    for package in _packages(graph):
        found = _cycle(_collapsed(graph, package))
        if found:
            cycles[package] = " -> ".join(found)
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_finder_finds_a_cycle():
    # the check above could pass by finding nothing at all: it must see a planted cycle
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_data_and_laws_know_nothing_of_fitting(graph):
    for low in ("scalinglaws.data", "scalinglaws.laws", "scalinglaws.engine"):
        for high in ("scalinglaws.fitting", "scalinglaws.report", "scalinglaws.cli"):
            chain = graph.find_shortest_chain(importer=low, imported=high,
                                              as_packages=True)
            assert chain is None, f"{low} reaches {high}: {chain}"


def test_import_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


SRC = ROOT / "src" / "scalinglaws"
#: the size limits of the house: a module a reader takes in at once, a function of one idea
MAX_MODULE_LINES, MAX_FUNCTION_STATEMENTS = 400, 60


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_modules_stay_small():
    long = {str(p.relative_to(SRC)): n for p in _sources()
            if (n := p.read_text().count("\n")) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_functions_stay_small():
    import ast

    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                count = sum(isinstance(s, ast.stmt) for stmt in node.body for s in ast.walk(stmt))
                if count > MAX_FUNCTION_STATEMENTS:
                    long[f"{path.relative_to(SRC)}::{node.name}"] = count
    assert not long, f"functions over {MAX_FUNCTION_STATEMENTS} statements: {long}"
