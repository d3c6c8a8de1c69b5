"""The documentation site: ``mkdocs build --strict`` from the repository (the gallery's examples
run as it builds), the numbers each gallery page sets beside the published ones, the generated
references, and the built site opened in Chromium with every gallery figure drawn.

One build serves the module (it runs every example: a few minutes). The browser test is
skipped where /usr/bin/chromium or Playwright is missing, except under CI (``CI=true``).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_browser import CHROMIUM, _browser_or_skip

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py")
                  if not p.name.startswith("_"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1",
           "MPLBACKEND": "Agg"}
    env.pop("SCALINGLAWS_GALLERY", None)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return out, log


@pytest.fixture(scope="module")
def results(site) -> dict:
    return json.loads((site[0] / "gallery" / "results.json").read_text())


def test_the_build_is_strict_and_silent(site):
    out, log = site
    # --strict already fails on a warning; the log must not even carry one that strict
    # mode lets through (a plugin's own print)
    assert "WARNING" not in log, log[-4000:]
    assert (out / "index.html").exists()


def test_the_gallery_has_a_page_per_example_and_enough_reproductions(site, results):
    out, _ = site
    assert sorted(results) == EXAMPLES
    assert len(EXAMPLES) >= 12
    for name in EXAMPLES:
        page = (out / "gallery" / name / "index.html").read_text()
        assert "Our numbers beside the paper" in page
        assert "What differs, and why" in page


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_reproduction_agrees_where_it_claims_to(results, name):
    """Each example states, per number, how close to the published value it must land (its
    ``tol``, justified in a comment beside it); at least one number per example is checked."""
    numbers = results[name]["numbers"]
    checked = [n for n in numbers if n["tol"] is not None and n["published"] is not None]
    assert checked, f"{name}: no number is checked against a published value"
    for n in checked:
        ours, published, tol = n["ours"], n["published"], n["tol"]
        if n["claim"] == "below":
            assert ours <= published * (1 + tol), (name, n)
        elif n["claim"] == "above":
            assert ours >= published * (1 - tol), (name, n)
        else:
            assert n["claim"] == "near", (name, n)
            assert abs(ours - published) <= tol * abs(published), (name, n)


def test_the_cli_reference_lists_every_command(site):
    from scalinglaws.cli.main import app

    page = (site[0] / "reference" / "cli" / "index.html").read_text()
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    names += [g.name for g in app.registered_groups]
    assert names
    for name in names:
        assert f"scalinglaws {name}" in page, name


def test_the_api_reference_documents_the_public_functions(site):
    out = site[0]
    fit = (out / "reference" / "api" / "scalinglaws.fitting" / "index.html").read_text()
    assert "overestimate_penalty" in fit  # sl.fit's parameters, from its docstring
    assert ":class:" not in fit and ":func:" not in fit  # Sphinx roles read as code
    plan = (out / "reference" / "api" / "scalinglaws.plan" / "index.html").read_text()
    assert "compute_optimal" in plan
    # modules the packages expose as modules (sl.data.curves.late, sl.data.schedules.wsd)
    curves = (out / "reference" / "api" / "scalinglaws.data.curves" / "index.html").read_text()
    assert "run_weights" in curves and "late" in curves


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def test_every_gallery_figure_shows_in_chromium(site, results):
    sync_playwright = _browser_or_skip()
    out, _ = site
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    outside: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context()

            def local_only(route):  # the site must not reach outside itself
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", local_only)
            page = context.new_page()
            drawn = """() => Array.from(document.querySelectorAll('article img')).map(
                i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])"""
            page.goto(f"{base}/gallery/")
            shown = page.evaluate(drawn)
            assert len(shown) == len(results), shown
            assert all(ok for _, ok in shown), shown
            for name, entry in results.items():
                page.goto(f"{base}/gallery/{name}/")
                shown = page.evaluate(drawn)
                assert len(shown) == len(entry["figures"]), (name, shown)
                assert all(ok for _, ok in shown), (name, shown)
            browser.close()
    finally:
        server.shutdown()
    assert not outside, outside


def test_an_example_runs_as_a_script(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "chinchilla_approach3.py"),
                           str(tmp_path)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| quantity | ours | published |" in done.stdout
    assert (tmp_path / "chinchilla-fit.png").stat().st_size > 10_000


@pytest.mark.parametrize("page", ["index.md", "ledger.md"])
def test_the_python_of_the_getting_started_pages_runs(page, tmp_path, monkeypatch):
    """The code a new reader copies first runs as written (in a fresh folder)."""
    import re
    import warnings

    text = (ROOT / "docs" / page).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, page
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the data's own warnings are the pages' business
        for code in blocks:
            exec(compile(code, page, "exec"), {"__name__": "__docs__"})
