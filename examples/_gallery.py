"""What a gallery example returns, and how it prints when run as a script.

Each ``examples/NAME.py`` (names starting with ``_`` excepted) is one reproduction: its module
docstring's first line is the title and the rest the question; ``reproduce(out)`` runs it,
writes its figures under ``out`` and returns a :class:`Reproduction`. The documentation build
(``docs/gen_pages.py``) runs every example and writes its page from what comes back, so every
number on a gallery page is computed at build time. ``python examples/NAME.py`` prints the
same numbers.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: the reference datasets beside the repository (their provenance: ``MANIFEST.md`` there)
SHARED = Path(os.environ.get("SCALINGLAWS_SHARED_DATA",
                             Path(__file__).resolve().parents[1].parent / "shared" / "data"))


@dataclass(frozen=True)
class Number:
    """One quantity: our value beside the published one (``None`` where none is published)."""

    quantity: str
    ours: float
    published: float | None = None
    fmt: str = ".3g"
    #: where the published value is printed (a table, a figure, a repository file)
    source: str = ""
    #: the largest relative gap to the published value this reproduction claims (the tests
    #: hold it to it); None where the number is shown but not claimed to agree
    tol: float | None = None
    #: what ``tol`` claims: ``"near"`` (|gap| <= tol), ``"below"`` (ours <= published
    #: (1 + tol): an error no larger than the paper's) or ``"above"`` (ours >= published
    #: (1 - tol))
    claim: str = "near"

    def holds(self) -> bool | None:
        """Whether the claim holds (None where nothing is claimed)."""
        if self.tol is None or self.published is None:
            return None
        if self.claim == "below":
            return self.ours <= self.published * (1 + self.tol)
        if self.claim == "above":
            return self.ours >= self.published * (1 - self.tol)
        return abs(self.ours - self.published) <= self.tol * abs(self.published)

    @property
    def claimed(self) -> str:
        if self.tol is None or self.published is None:
            return "–"
        bound = {"near": "±", "below": "at most +", "above": "at least −"}[self.claim]
        return f"{bound}{100 * self.tol:g}% {'✓' if self.holds() else '✗'}"

    def cell(self, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        return format(value, self.fmt)

    @property
    def gap(self) -> str:
        """The relative gap to the published value, as a percentage."""
        if self.published is None or self.published == 0:
            return "–"
        return f"{100 * (self.ours - self.published) / abs(self.published):+.1f}%"


@dataclass(frozen=True)
class Reproduction:
    """What one example found: its numbers, its figures and what differs from the paper."""

    #: the paper (authors, year, title, arXiv) whose result is reproduced
    paper: str
    #: the data: where they come from (real data) or which law generated them
    data: str
    numbers: list[Number]
    #: the figures written under the example's output folder (file names)
    figures: list[str]
    #: what differs from the published result and why (Markdown, built from the numbers)
    differs: str
    #: any further results to record with the page (JSON-serialisable)
    extra: dict[str, object] = field(default_factory=dict)

    def table(self) -> str:
        """The numbers as a Markdown table: quantity, ours, published, gap, claim, source."""
        lines = ["| quantity | ours | published | gap | agrees within | published in |",
                 "|---|---|---|---|---|---|"]
        for n in self.numbers:
            lines.append(f"| {n.quantity} | {n.cell(n.ours)} | {n.cell(n.published)} | "
                         f"{n.gap} | {n.claimed} | {n.source or '–'} |")
        return "\n".join(lines)


def shared(*parts: str) -> Path:
    """A file of the reference datasets, or a clear error naming what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the gallery reads the reference datasets from {SHARED} "
            "(set SCALINGLAWS_SHARED_DATA to their folder)")
    return path


def main(reproduce: Callable[[Path], Reproduction], doc: str | None) -> None:
    """Run an example as a script: figures into ``./gallery-out`` and the table on stdout."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("gallery-out")
    out.mkdir(parents=True, exist_ok=True)
    result = reproduce(out)
    print((doc or "").strip().splitlines()[0])
    print(result.table())
    print()
    print(result.differs)
    print(f"\nfigures in {out}: {', '.join(result.figures)}")
