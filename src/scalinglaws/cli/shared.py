"""The command line's joint fits across groups: ``fit --shared alpha,beta --groups family``."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ..data.dataset import Dataset
from ..exceptions import OptionError
from ..fitting.shared import SharedFit

SharedOpt = Annotated[str | None, typer.Option(
    "--shared", help="Parameters common to all groups (comma-separated), the others fitted per "
    "group of --groups: --shared alpha,beta --groups family.")]
GroupsOpt = Annotated[str | None, typer.Option(
    "--groups", help="Column naming the groups of a joint fit (with --shared).")]
GroupOpt = Annotated[str | None, typer.Option(
    "--group", help="For a joint fit across groups: the group to use.")]


def shared_names(shared: str | None) -> list[str] | None:
    if shared is None:
        return None
    names = [s.strip() for s in shared.split(",") if s.strip()]
    if not names:
        raise OptionError("--shared lists no parameter", "--shared",
                          "give names, e.g. --shared alpha,beta")
    return names


def check_combination(groups: str | None, shared: str | None, bootstrap: int | None,
                      report: Any) -> None:
    if groups is None and shared is None:
        return
    if groups is None:
        raise OptionError("--shared needs --groups, the column that names the groups",
                          "--groups", "e.g. --shared alpha,beta --groups family")
    if bootstrap is not None or report is not None:
        raise OptionError("--bootstrap and --report take the fit of one data set",
                          "--groups", "drop them, or fit each group on its own")


def run_shared(law: str, ds: Dataset, *, groups: str, shared: str | None,
               **options: Any) -> SharedFit:
    from ..fitting.api import fit

    return fit(law, ds, by=groups, shared=shared_names(shared) or [], **options)


def shared_table(fit: SharedFit) -> Table:
    table = Table(title=f"{fit.law.name}: joint fit by '{fit.by}' "
                        f"(shared: {', '.join(fit.shared) or 'none'})",
                  caption=f"status {fit.status.value}; {sum(fit.group_sizes)} points")
    table.add_column(fit.by)
    for name in fit.law.parameter_names:
        table.add_column(name + (" (shared)" if name in fit.shared else ""), justify="right")
    table.add_column("points", justify="right")
    for (group, params), size in zip(fit.params.items(), fit.group_sizes, strict=True):
        table.add_row(group, *(f"{params[n]:.6g}" for n in fit.law.parameter_names), str(size))
    return table


def shared_doc(fit: SharedFit, warned: list[str]) -> dict[str, Any]:
    return {"law": fit.law.name, "formula": fit.law.formula, "by": fit.by,
            "shared": list(fit.shared), "groups": fit.params, "stderr": fit.stderr,
            "n_points": dict(zip(fit.groups, fit.group_sizes, strict=True)),
            "status": fit.status.value, "objective": fit.joint.objective,
            "warnings": list(fit.warnings) or warned}
