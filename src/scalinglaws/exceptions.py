"""Errors and warnings raised by scalinglaws.

Every error a user can cause is a :class:`ScalingLawError`. Messages follow one shape:
*what is wrong* — *where* (column, row, parameter, option) — *what to do*.
"""

from __future__ import annotations


def format_message(what: str, where: str | None = None, fix: str | None = None) -> str:
    """Compose the one message shape used everywhere: ``what — where. fix``."""
    text = what.rstrip(".")
    if where:
        text += f" — {where}"
    text += "."
    if fix:
        fix = fix.rstrip(".")
        text += f" {fix[:1].upper()}{fix[1:]}."
    return text


class ScalingLawError(Exception):
    """Base class of every error a user of scalinglaws can cause."""

    def __init__(self, what: str, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(format_message(what, where, fix))


class DataError(ScalingLawError, ValueError):
    """The data is missing, malformed or unusable for the requested operation."""


class LawError(ScalingLawError, ValueError):
    """A law is unknown, malformed, or its parameters are inconsistent."""


class FitError(ScalingLawError, RuntimeError):
    """A fit could not be carried out or failed (raised with ``throw=True``)."""

    def __init__(
        self,
        what: str,
        where: str | None = None,
        fix: str | None = None,
        result: object | None = None,
    ) -> None:
        super().__init__(what, where, fix)
        #: the partial or failed result, when there is one
        self.result = result


class OptionError(ScalingLawError, ValueError, TypeError):
    """An argument or option has a value that cannot be used (unknown name, out of range)."""


class QueryError(ScalingLawError, ValueError):
    """A planning or prediction query cannot be answered (e.g. target below the floor)."""


class ResultFileError(ScalingLawError, ValueError):
    """A saved fit file is unreadable, truncated, or from an unknown schema."""


class ScalingLawWarning(UserWarning):
    """A problem that does not stop the work but that a user should know about."""
