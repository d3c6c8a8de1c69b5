"""Reading a law's inputs from keyword arguments: by symbol or column, broadcast, checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

from ..exceptions import LawError

Array = np.ndarray


class Law(Protocol):
    """What reading inputs needs of a law: its name and its inputs (symbol -> column)."""

    @property
    def name(self) -> str: ...

    @property
    def inputs(self) -> Mapping[str, str | None]: ...


def flat_inputs(law: Law, inputs: Mapping[str, Any]) -> tuple[list[Array], tuple[int, ...]]:
    """The inputs broadcast together and flattened: one (1, m) array per input symbol,
    and the broadcast shape (``shaped`` turns m values back into it)."""
    X = input_arrays(law, inputs)
    try:
        shape = np.broadcast_shapes(*(x.shape for x in X))
    except ValueError:
        given = [sym if sym in inputs else str(col) for sym, col in law.inputs.items()]
        parts = [f"{g} {x.shape}" for g, x in zip(given, X, strict=True)]
        listed = ", ".join(parts[:-1]) + f" and {parts[-1]}"
        raise LawError(f"inputs {listed} do not broadcast", f"law '{law.name}'",
                       "give arrays of one length, scalars, or shapes that broadcast "
                       "(e.g. (3, 1) with (2,) for a 3×2 grid)") from None
    return [np.broadcast_to(x, shape).reshape(1, -1) for x in X], shape

def input_arrays(law: Law, inputs: Mapping[str, Any]) -> list[Array]:
    """Arrays for each input symbol, looked up by symbol or by bound column name."""
    out = []
    for sym, col in law.inputs.items():
        if sym in inputs:
            value = inputs[sym]
        elif col is not None and col in inputs:
            value = inputs[col]
        else:
            names = sym if col is None or col == sym else f"{col} (or {sym})"
            raise LawError(
                f"missing input {names}",
                f"law '{law.name}'",
                f"give it, e.g. predict({col or sym}=1e9)",
            )
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise LawError(f"input {sym} must be numeric, got {value!r}",
                           f"law '{law.name}'", "pass numbers or arrays") from None
        out.append(arr)
    unknown = set(inputs) - set(law.inputs) - {c for c in law.inputs.values() if c}
    if unknown:
        raise LawError(
            f"unknown input(s) {sorted(unknown)}",
            f"law '{law.name}' takes {', '.join(_input_labels(law))}",
            "use the law's input names",
        )
    return out

def _input_labels(law: Law) -> list[str]:
    return [c if c else s for s, c in law.inputs.items()]
