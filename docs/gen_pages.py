"""Pages the documentation build writes (run by mkdocs-gen-files at every ``make docs``).

* ``SUMMARY.md``: the site's navigation (mkdocs-literate-nav reads it).
* ``reference/api/*.md``: the API reference, one page per public module, from docstrings.
* ``reference/cli.md``: every command of the ``scalinglaws`` CLI, from the Typer app itself.
* ``gallery/*.md``: one page per ``examples/*.py``, written from what running it returns, so
  every number on a gallery page is computed at build time; ``gallery/results.json`` keeps
  those numbers for the tests.

``SCALINGLAWS_GALLERY=name,name`` builds only those examples (a quick look while writing
one); the full gallery is the default.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
import time
import warnings
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import matplotlib
import mkdocs_gen_files
import typer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

#: the pages written by hand, in the order of the navigation: (section, [(title, file)])
PAGES: list[tuple[str, list[tuple[str, str]]]] = [
    ("Start", [("Getting started", "index.md"), ("Concepts", "concepts.md")]),
    ("Fitting", [("The law catalog", "catalog.md"), ("Uncertainty", "uncertainty.md"),
                 ("Validation on real data", "validation.md"), ("Bad inputs", "bad_inputs.md"),
                 ("NIST certified problems", "nist.md"), ("The forecast ledger", "ledger.md")]),
    ("Data", [("Data in", "data_in.md"), ("Loss curves and schedules", "curves.md"),
              ("Fitting on checkpoints", "checkpoints.md")]),
    ("Planning", [("Compute-optimal and IsoFLOP", "planning.md"),
                  ("Wall-clock budgets", "walltime.md"), ("Model shapes", "arch.md"),
                  ("Hyper-parameters", "hyperparameters.md")]),
    ("Beyond the loss", [("Downstream metrics", "downstream.md"),
                         ("Observational scaling", "observational.md"),
                         ("Data mixtures", "mixing.md"),
                         ("Inference-time compute", "inference_time.md"),
                         ("Beyond pretraining", "posttraining.md")]),
    ("At scale", [("Many fits", "many.md"), ("Studies of estimation", "study.md")]),
    ("Output", [("Figures", "figures.md"), ("Figure gallery", "gallery.md"),
                ("The HTML report", "report.md")]),
]

#: the API reference: one page per public module (``sl.datasets`` is ``scalinglaws.data.bundled``)
API = ["scalinglaws", "scalinglaws.fitting", "scalinglaws.laws", "scalinglaws.data",
       "scalinglaws.data.curves", "scalinglaws.data.schedules", "scalinglaws.data.bundled",
       "scalinglaws.uncertainty", "scalinglaws.validate", "scalinglaws.plan",
       "scalinglaws.study", "scalinglaws.mixing", "scalinglaws.observational",
       "scalinglaws.report", "scalinglaws.ledger", "scalinglaws.arch", "scalinglaws.time",
       "scalinglaws.inference", "scalinglaws.finetune", "scalinglaws.exceptions"]


def law_pages() -> list[tuple[str, str]]:
    """The catalog's law pages (docs/laws/*.md), titled by their first heading."""
    pages = []
    for path in sorted((ROOT / "docs" / "laws").glob("*.md")):
        title = path.read_text().splitlines()[0].lstrip("# ").strip()
        pages.append((title.replace("`", ""), f"laws/{path.name}"))
    return pages


# -- the CLI reference --------------------------------------------------------------------------


def _option_row(param: Any) -> str:
    if param.param_type_name == "argument":
        names = f"`{param.name.upper()}`"
        text = "argument" + (" (required)" if param.required else "")
    else:
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        text = (param.help or "").replace("\n", " ").replace("|", "\\|")
        if param.default not in (None, False, (), "") and not param.is_flag:
            text += f" (default: `{param.default}`)"
    return f"| {names} | {text} |"


def _command_lines(cmd: Any, path: str, parent: Any) -> list[str]:
    """The section of one command, and of each of its subcommands after it."""
    ctx = cmd.context_class(cmd, info_name=path.rsplit(" ", 1)[-1], parent=parent)
    usage = " ".join(cmd.collect_usage_pieces(ctx))
    level = "#" * min(2 + path.count(" "), 4)
    lines = [f"{level} `{path}`", "", f"```\nscalinglaws {path} {usage}\n```", "",
             inspect.cleandoc(cmd.help or ""), ""]
    params = [p for p in cmd.params if not getattr(p, "hidden", False)]
    if params:
        lines += ["| argument or option | what it does |", "|---|---|"]
        lines += [_option_row(p) for p in params]
        lines.append("")
    if hasattr(cmd, "list_commands"):
        for name in cmd.list_commands(ctx):
            lines += _command_lines(cmd.get_command(ctx, name), f"{path} {name}", ctx)
    return lines


def cli_page() -> str:
    from scalinglaws.cli.main import app

    # Typer carries its own copy of Click: the app's objects are used as they come
    group: Any = typer.main.get_command(app)
    lines = ["# Command-line reference", "",
             "Every command of `scalinglaws`, read from the command-line app at build time "
             "(`scalinglaws COMMAND --help` prints the same). Errors in your input exit with "
             "status 2 and a message that names what to fix.", ""]
    ctx = group.context_class(group, info_name="scalinglaws")
    for name in group.list_commands(ctx):
        lines += _command_lines(group.get_command(ctx, name), name, ctx)
    return "\n".join(lines)


# -- the gallery --------------------------------------------------------------------------------


def examples() -> tuple[list[Path], list[Path]]:
    """The examples to run, and those a partial build (``SCALINGLAWS_GALLERY``) leaves out."""
    chosen = os.environ.get("SCALINGLAWS_GALLERY")
    paths = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))
    if not chosen:
        return paths, []
    names = set(chosen.split(","))
    return [p for p in paths if p.stem in names], [p for p in paths if p.stem not in names]


def run_example(path: Path, out: Path) -> tuple[Any, str, list[str], float]:
    """Import and run one example; returns (Reproduction, docstring, warnings, seconds)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"gallery_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = module.reproduce(out)
    said = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    return result, module.__doc__ or "", said, time.perf_counter() - start


def example_page(path: Path, result: Any, doc: str, said: list[str], seconds: float) -> str:
    title, _, question = doc.strip().partition("\n")
    source = path.read_text()
    code = source.split('"""', 2)[2].strip() if source.lstrip().startswith('"""') else source
    lines = [f"# {title.strip()}", "", question.strip(), "",
             f"**Paper.** {result.paper}", "", f"**Data.** {result.data}", "",
             "## Our numbers beside the paper's", "", result.table(), ""]
    for fig in result.figures:
        lines += [f"![{title.strip()}](img/{path.stem}/{fig})", ""]
    lines += ["## What differs, and why", "", result.differs, ""]
    if said:
        lines += ["Warnings the run raised:", ""] + [f"- {w}" for w in said] + [""]
    lines += ["## The code", "",
              f"`examples/{path.name}` (run it with `python examples/{path.name}`; it took "
              f"{seconds:.1f} s when this page was built):", "",
              "```python", code, "```", ""]
    return "\n".join(lines)


def gallery() -> list[tuple[str, str]]:
    """Run every example and write its page; returns the navigation entries."""
    matplotlib.use("Agg")
    entries: list[tuple[str, str]] = []
    index = ["# Reproductions gallery", "",
             "Published results reproduced end to end, each by one script in `examples/` run "
             "when this site was built: the question, the code, the figure, our numbers beside "
             "the paper's, and what differs and why. Real data where they are published (from "
             "the reference datasets and their provenance), otherwise data drawn from the "
             "paper's own law.", ""]
    results: dict[str, Any] = {}
    run, skipped = examples()
    for path in skipped:  # a partial build: the page exists, so links to it hold
        with mkdocs_gen_files.open(f"gallery/{path.stem}.md", "w") as f:
            f.write(f"# {path.stem}\n\nNot built: this build ran only "
                    f"{', '.join(p.stem for p in run)}.\n")
        entries.append((path.stem, f"gallery/{path.stem}.md"))
    for path in run:
        with TemporaryDirectory() as tmp:
            out = Path(tmp)
            result, doc, said, seconds = run_example(path, out)
            for fig in result.figures:
                with mkdocs_gen_files.open(f"gallery/img/{path.stem}/{fig}", "wb") as f:
                    f.write((out / fig).read_bytes())
        title = doc.strip().splitlines()[0].strip()
        with mkdocs_gen_files.open(f"gallery/{path.stem}.md", "w") as f:
            f.write(example_page(path, result, doc, said, seconds))
        mkdocs_gen_files.set_edit_path(f"gallery/{path.stem}.md", f"../examples/{path.name}")
        entries.append((title, f"gallery/{path.stem}.md"))
        index += [f"## [{title}]({path.stem}.md)", "",
                  f"[![{title}](img/{path.stem}/{result.figures[0]})"
                  f"{{ width=\"480\" }}]({path.stem}.md)",
                  ""]
        results[path.stem] = {
            "title": title, "seconds": seconds, "figures": result.figures,
            "warnings": said, "extra": result.extra,
            "numbers": [{"quantity": n.quantity, "ours": n.ours, "published": n.published,
                         "tol": n.tol, "claim": n.claim, "holds": n.holds()}
                        for n in result.numbers]}
    with mkdocs_gen_files.open("gallery/index.md", "w") as f:
        f.write("\n".join(index))
    with mkdocs_gen_files.open("gallery/results.json", "w") as f:
        json.dump(results, f, indent=1, default=float)
    return entries


# -- the navigation -----------------------------------------------------------------------------


def write_reference() -> list[tuple[str, str]]:
    entries = []
    for module in API:
        page = f"reference/api/{module}.md"
        with mkdocs_gen_files.open(page, "w") as f:
            f.write(f"# `{module}`\n\n::: {module}\n")
        entries.append((module, page))
    with mkdocs_gen_files.open("reference/cli.md", "w") as f:
        f.write(cli_page())
    return entries


def summary(gallery_entries: list[tuple[str, str]], api: list[tuple[str, str]]) -> str:
    lines = []
    for section, pages in PAGES:
        lines.append(f"* {section}")
        lines += [f"    * [{title}]({file})" for title, file in pages]
        if section == "Fitting":
            lines.append("    * Laws")
            lines += [f"        * [{title}]({file})" for title, file in law_pages()]
    lines.append("* [Gallery](gallery/index.md)")
    lines += [f"    * [{title}]({file})" for title, file in gallery_entries]
    lines.append("* Reference")
    lines.append("    * [Command line](reference/cli.md)")
    lines.append("    * API")
    lines += [f"        * [{title}]({file})" for title, file in api]
    lines.append("    * [Design decisions](decisions.md)")
    return "\n".join(lines) + "\n"


def build() -> None:
    api = write_reference()
    entries = gallery()
    with mkdocs_gen_files.open("SUMMARY.md", "w") as f:
        f.write(summary(entries, api))


build()
