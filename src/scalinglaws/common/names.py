"""Suggesting the name a user meant: one rule for columns, laws and datasets."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_names(name: str, known: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """The known names close to ``name`` (best first): difflib's matches, compared without
    case, then the names equal to it but for case."""
    known = [str(k) for k in known]
    lower: dict[str, str] = {}
    for k in known:
        lower.setdefault(k.lower(), k)
    found = [lower[m] for m in difflib.get_close_matches(str(name).lower(), list(lower), n=n,
                                                         cutoff=cutoff)]
    found += [k for k in known if k.lower() == str(name).lower() and k not in found]
    return found


def did_you_mean(name: str, known: Iterable[str], n: int = 3, cutoff: float = 0.6) -> str:
    """``"did you mean 'a' or 'b'? "`` for the close names, or an empty string."""
    close = close_names(name, known, n=n, cutoff=cutoff)
    return f"did you mean {' or '.join(map(repr, close))}? " if close else ""
