"""The demo: fit the bundled Chinchilla data as Epoch AI did, plan, and write a report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..exceptions import DataError
from . import common as c

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from ..fitting import FitResult
    from ..plan import Allocation

BUDGETS = (1e21, 5.76e23, 1e25)


def demo_command(
    out: Annotated[Path, typer.Option(help="Folder for fit.json and report.html.")] = Path(
        "scalinglaws-demo"),
    json_: c.JsonOpt = False,
    debug: c.DebugOpt = False,
    quiet: c.QuietOpt = False,
) -> None:
    """Fit the bundled Chinchilla data, print the fit and a compute-optimal plan, write a report.

    Example: scalinglaws demo --out ./scalinglaws-demo
    """
    with c.handled(debug, quiet or json_):
        result = run_demo(out)
    if json_:
        c.emit_json(result.to_dict())
    else:
        print_demo(result)


@dataclass(frozen=True)
class DemoResult:
    data: Dataset
    n_excluded: int
    fit: FitResult
    allocation: Allocation
    fit_path: Path
    report_path: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.data.name, "citation": self.data.citation,
            "n_points": self.fit.n_points, "n_excluded": self.n_excluded,
            "law": self.fit.law.name, "params": self.fit.params, "stderr": self.fit.stderr,
            "status": self.fit.status.value, "objective": self.fit.objective,
            "plan": self.allocation.records(),
            "fit_json": str(self.fit_path), "report_html": str(self.report_path),
        }


def run_demo(out: Path) -> DemoResult:
    """Load, fit (Epoch's exclusions), plan three budgets, write fit.json and report.html."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the output folder {out}: {exc.strerror}",
                        f"--out {out}", "choose a writable folder") from None
    from ..data.bundled import load
    from ..fitting import fit
    from ..plan import compute_optimal
    from ..report import html

    full = load("chinchilla")
    data = full.exclude("epoch_excluded")
    result = fit("chinchilla", data)
    allocation = compute_optimal(result, list(BUDGETS))
    fit_path = out / "fit.json"
    result.save(fit_path)
    report_path = html([result], out / "report.html", data=[data],
                       title="scalinglaws demo: Chinchilla (Hoffmann et al. 2022)",
                       command="scalinglaws demo", plans=[allocation.records()])
    return DemoResult(data, len(full) - len(data), result, allocation, fit_path,
                      Path(report_path))


def print_demo(r: DemoResult) -> None:
    from rich.table import Table

    from ..common.numbers import fixed, readable

    c.out.print(f"[bold]Data:[/] {c.escape(r.data.citation or '')}")
    c.out.print(
        f"Fitting {r.fit.n_points} of {r.fit.n_points + r.n_excluded} points: the "
        f"{r.n_excluded} highest-loss points are excluded, as in Epoch AI's replication "
        "(arXiv:2404.10102). Objective: Huber (delta = 1e-3) on log residuals.")
    c.out.print(r.fit.summary().rich())
    table = Table(title="compute-optimal allocation (C = 6·N·D)")
    for col in ("FLOPs", "params N", "tokens D", "tokens/param", "predicted loss"):
        table.add_column(col, justify="right")
    for row in r.allocation.records():
        table.add_row(readable(row["flops"]), readable(row["params"]), readable(row["tokens"]),
                      readable(row["tokens"] / row["params"]), fixed(row["loss"]))
    c.out.print(table)
    a = r.allocation
    if a.exponent_params is not None:
        c.out.print(f"N_opt ∝ C^{a.exponent_params:.3f}, D_opt ∝ C^{a.exponent_tokens:.3f} "
                    "(Hoffmann et al. Approach 3 reported 0.46 / 0.54; Approaches 1-2: "
                    "~0.50 / ~0.50)")
    c.print_warnings(a.warnings, False, label="note")
    c.out.print(f"Wrote {r.fit_path} and {r.report_path}")
