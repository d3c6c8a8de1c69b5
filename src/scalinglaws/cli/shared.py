"""Joint fits across groups on the command line: ``fit --shared alpha,beta --groups family``."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..exceptions import OptionError
from .common import with_caught

if TYPE_CHECKING:
    from ..fitting import SharedFit

SharedOpt = Annotated[str | None, typer.Option(
    "--shared", help="Parameters common to all groups (comma-separated), the others fitted per "
    "group of --groups: --shared alpha,beta --groups family.")]
GroupsOpt = Annotated[str | None, typer.Option(
    "--groups", help="Column naming the groups of a joint fit (with --shared).")]


def shared_names(shared: str | None) -> list[str]:
    """The parameter names of ``--shared a,b`` (none without the option)."""
    if shared is None:
        return []
    names = [s.strip() for s in shared.split(",") if s.strip()]
    if not names:
        raise OptionError("--shared lists no parameter", "--shared",
                          "give names, e.g. --shared alpha,beta")
    return names


def check_combination(groups: str | None, shared: str | None, bootstrap: int | None,
                      report: Any) -> None:
    """Refuse the options a joint fit does not take with it."""
    if groups is None and shared is None:
        return
    if groups is None:
        raise OptionError("--shared needs --groups, the column that names the groups",
                          "--groups", "e.g. --shared alpha,beta --groups family")
    if bootstrap is not None or report is not None:
        raise OptionError("--bootstrap and --report take the fit of one data set",
                          "--groups", "drop them, or fit each group on its own")


def with_warnings(fit: SharedFit, messages: list[str]) -> SharedFit:
    """The joint fit carrying the warnings the command caught (reading the data, fitting)."""
    return dataclasses.replace(fit, joint=with_caught(fit.joint, messages))


def shared_doc(fit: SharedFit) -> dict[str, Any]:
    """``fit --groups --json``: the joint fit's one document, ``SharedFit.to_dict()``."""
    return fit.to_dict()
