"""Fixing and tying parameters: the law with some parameters set to numbers or to other
parameters, for what the data cannot determine (see :attr:`scalinglaws.FitResult.undetermined`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from ..exceptions import LawError
from .law import Law


def fix(law: Law, values: Mapping[str, float]) -> Law:
    """The law with the parameters of ``values`` replaced by those numbers in its expression:
    a law of the remaining parameters (their specs kept), named after the original and the
    values fixed.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> law = sl.laws.fix(sl.laws.get("chinchilla"), {"alpha": 0.34})
    >>> law.parameter_names, law.name
    (('A', 'B', 'E', 'beta'), 'chinchilla (alpha=0.34)')
    """
    if not values:
        return law
    checked: dict[str, float] = {}
    for name, value in values.items():
        p = law.parameter(name)  # an unknown name is a LawError naming the parameters
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise LawError(f"the value to fix '{name}' at must be a number, got {value!r}",
                           f"parameter '{name}'", "e.g. fix={'alpha': 0.34}") from None
        if not (math.isfinite(number) and p.lower <= number <= p.upper):
            raise LawError(f"cannot fix '{name}' at {number:g}: outside its bounds "
                           f"[{p.lower:g}, {p.upper:g}]", f"parameter '{name}'",
                           "give a value inside the bounds")
        checked[name] = number
    if len(checked) == len(law.parameters):
        raise LawError("fixing every parameter leaves nothing to fit", f"law '{law.name}'",
                       "leave at least one parameter free")
    return _rewritten(law, {n: f"({v!r})" for n, v in checked.items()},
                      ", ".join(f"{n}={v:g}" for n, v in checked.items()))


def tie(law: Law, pairs: Mapping[str, str]) -> Law:
    """The law with each parameter of ``pairs`` replaced by the parameter it is tied to
    (``{"beta": "alpha"}``: one exponent for both terms): a law of the remaining parameters,
    named after the original and the ties.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> law = sl.laws.tie(sl.laws.get("chinchilla"), {"beta": "alpha"})
    >>> law.parameter_names, law.name
    (('A', 'B', 'E', 'alpha'), 'chinchilla (beta=alpha)')
    """
    if not pairs:
        return law
    names = law.parameter_names
    for name, target in pairs.items():
        law.parameter(name)  # an unknown name is a LawError naming the parameters
        if not isinstance(target, str) or target not in names:
            raise LawError(f"cannot tie '{name}' to {target!r}: not a parameter of the law",
                           f"law '{law.name}' parameters: {', '.join(names)}",
                           "tie it to another parameter, e.g. tie={'beta': 'alpha'}")
        if target == name or target in pairs:
            raise LawError(f"cannot tie '{name}' to '{target}'", "argument 'tie'",
                           "tie each parameter to one that stays free")
    return _rewritten(law, dict(pairs), ", ".join(f"{n}={t}" for n, t in pairs.items()))


def _rewritten(law: Law, replacements: Mapping[str, str], label: str) -> Law:
    """The law with each named parameter replaced by its text in the expression: a law of the
    other parameters (their specs kept), named ``"<name> (<label>)"``."""
    text = law.expression
    for name, replacement in replacements.items():
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", replacement, text)
    reference = {k: v for k, v in law.reference.items() if k not in replacements}
    return Law(text, inputs=law.inputs, name=f"{law.name} ({label})",
               parameters=[p for p in law.parameters if p.name not in replacements],
               description=law.description, citation=law.citation, domain=law.domain,
               target=law.target, reference=reference or None, ranges=law.ranges)
