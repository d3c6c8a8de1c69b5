"""The examples in the package's docstrings run, so they cannot rot.

Every module of ``scalinglaws`` (found by ``pkgutil.walk_packages``) whose docstrings hold
examples is one case. Its examples run with ``ELLIPSIS`` and ``NORMALIZE_WHITESPACE``, in a
fresh temporary working directory (some write files); an example marked
``# doctest: +SKIP`` stays skipped. Each docstring runs in a copy of its module's namespace,
as ``python -m doctest`` would run it.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import scalinglaws

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

#: modules that are never imported here, and why
NOT_IMPORTED = {
    "scalinglaws.__main__": "importing it runs the command line",
}

#: docstrings whose examples are left out of the run: "module.qualified_name" -> why.
#: An entry is a known fault to fix in the docstring, after which it is removed from here
#: (``test_excluded_examples_still_fail`` reports XPASS once the docstring is fixed).
EXCLUDED: dict[str, str] = {
}

#: modules whose examples take more than about 2 s (none at present)
SLOW: set[str] = set()


def _reraise(name: str) -> None:
    raise  # a package that fails to import is an error here, not a module without examples


def _module_names() -> list[str]:
    found = pkgutil.walk_packages(scalinglaws.__path__, prefix="scalinglaws.", onerror=_reraise)
    names = ["scalinglaws", *(info.name for info in found)]
    return sorted(name for name in names if name not in NOT_IMPORTED)


def _doctests(module_name: str) -> list[doctest.DocTest]:
    """The docstrings of the module (not the names it imports) that hold examples."""
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module) if test.examples]


def _cases() -> list:
    cases = []
    for name in _module_names():
        tests = _doctests(name)
        if not any(test.name not in EXCLUDED for test in tests):
            continue
        marks = [pytest.mark.slow] if name in SLOW else []
        cases.append(pytest.param(name, id=name.removeprefix("scalinglaws."), marks=marks))
    return cases


def _run(tests: list[doctest.DocTest]) -> tuple[int, str]:
    """The number of failed examples, and the report of the failures."""
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failed = 0
    for test in tests:
        try:
            failed += runner.run(test, out=report.write).failed
        finally:
            test.globs.clear()
    return failed, report.getvalue()


@pytest.mark.parametrize("module_name", _cases())
def test_docstring_examples_run(module_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    failed, report = _run([t for t in _doctests(module_name) if t.name not in EXCLUDED])
    assert failed == 0, report


@pytest.mark.parametrize("name", [pytest.param(name, id=name.removeprefix("scalinglaws."),
                                               marks=pytest.mark.xfail(strict=False, reason=why))
                                  for name, why in EXCLUDED.items()])
def test_excluded_examples_still_fail(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module_name = max((m for m in _module_names() if name.startswith(m + ".")), key=len)
    failed, report = _run([t for t in _doctests(module_name) if t.name == name])
    assert failed == 0, report


def test_every_exclusion_names_a_docstring_with_examples():
    """An exclusion outlives its fault only by mistake: each must still name an example."""
    known = {test.name for name in _module_names() for test in _doctests(name)}
    assert set(EXCLUDED) <= known, sorted(set(EXCLUDED) - known)
    assert set(SLOW) <= set(_module_names()), sorted(set(SLOW) - set(_module_names()))
