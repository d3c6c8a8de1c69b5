"""MixingFit: the mixing laws of every validation domain, the log-linear regressor beside
them, which of the two held-out mixtures chose, predictions with intervals, and its file."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from .. import fitting
from ..common.checks import check_level
from ..common.jsonvalues import json_value
from ..exceptions import OptionError, ResultFileError
from ..laws.published.mixtures import proportion_column
from .models import MixingLaw, target_weights

SCHEMA = 1


@dataclass(frozen=True)
class Selection:
    """Each regressor's mean absolute relative error on held-out mixtures, and the best."""

    errors: Mapping[str, float]
    best: str
    folds: int


@dataclass(frozen=True)
class MixingFit:
    """Fitted mixing laws (one per validation domain) and the log-linear regressor.

    ``fits`` are the per-domain :class:`~scalinglaws.FitResult` objects; ``law`` and
    ``linear`` their coefficients as :class:`MixingLaw`; ``selected`` the regressor used by
    :meth:`predict` and by :func:`scalinglaws.mixing.optimise`.
    """

    domains: tuple[str, ...]
    validation: tuple[str, ...]
    fits: Mapping[str, Any]
    law: MixingLaw
    linear: MixingLaw
    linear_cov: np.ndarray = field(repr=False)
    selected: str
    selection: Selection | None = None
    available: Mapping[str, float] = field(default_factory=dict)
    runs: Any = field(default=None, repr=False, compare=False)

    @property
    def model(self) -> MixingLaw:
        """The selected regressor's coefficients."""
        return self.law if self.selected == "mixture" else self.linear

    def proportions(self, mixture: Mapping[str, float] | Any) -> np.ndarray:
        """Proportions (rows x domains) from ``{"web": 0.6, ...}`` or an array; checked."""
        if isinstance(mixture, Mapping):
            unknown = [d for d in mixture if d not in self.domains]
            if unknown:
                raise OptionError(f"domain {unknown[0]!r} is not a training domain of this "
                                 "fit", f"domains: {', '.join(self.domains)}",
                                 "give proportions of the fitted domains")
            r = np.array([[float(mixture.get(d, 0.0)) for d in self.domains]])
        else:
            r = np.atleast_2d(np.asarray(mixture, dtype=float))
        if r.shape[1] != len(self.domains) or not np.all(np.isfinite(r)) or np.any(r < 0):
            raise OptionError("a mixture needs one non-negative proportion per domain",
                             f"domains: {', '.join(self.domains)}", "e.g. {'web': 0.5, ...}")
        sums = r.sum(axis=1)
        if np.any(np.abs(sums - 1.0) > 1e-3):
            raise OptionError(f"mixture proportions sum to {sums[0]:.4g}, not 1",
                             "argument 'mixture'", "give shares that sum to 1")
        return r / sums[:, None]

    def predict(self, mixture: Mapping[str, float] | Any,
                target: Mapping[str, float] | None = None) -> Any:
        """Predicted losses per validation domain (a dict of arrays), or with ``target``
        weights the weighted loss (a float for one mixture)."""
        r = self.proportions(mixture)
        losses = self.model.predict(r)
        if target is None:
            return {v: losses[:, i] for i, v in enumerate(self.validation)}
        out = losses @ target_weights(target, self.validation)
        return float(out[0]) if out.size == 1 else out

    def interval(self, mixture: Mapping[str, float] | Any,
                 target: Mapping[str, float] | None = None,
                 level: float = 0.9) -> tuple[float, float]:
        """Interval of the weighted loss of one mixture (delta method per validation domain,
        the domains' fits independent)."""
        level = check_level(level)
        r = self.proportions(mixture)[0]
        w = target_weights(target, self.validation)
        z = float(stats.norm.ppf(0.5 + level / 2))
        sd = np.zeros(len(self.validation))
        if self.selected == "mixture":
            inputs = {proportion_column(j + 1): float(r[j]) for j in range(len(r) - 1)}
            for i, v in enumerate(self.validation):
                if w[i] == 0:
                    continue
                lo, hi = self.fits[v].predict_interval(level, kind="mean", **inputs)
                sd[i] = (float(hi) - float(lo)) / (2 * z)
        else:
            x = np.concatenate([[1.0], r[:-1]])
            pred = self.linear.predict(r)[0]
            sd = pred * np.sqrt(np.einsum("j,ijk,k->i", x, self.linear_cov, x))
        centre = float(self.model.predict(r)[0] @ w)
        half = z * math.sqrt(float(np.sum((w * sd) ** 2)))
        return centre - half, centre + half

    # -- files --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fit's JSON document (schema 1): each domain's fit document under ``fits``."""
        return json_value({
            "schema": SCHEMA, "law": "mixture", "domains": list(self.domains),
            "validation": list(self.validation), "selected": self.selected,
            "selection": None if self.selection is None else {
                "errors": dict(self.selection.errors), "best": self.selection.best,
                "folds": self.selection.folds},
            "available": dict(self.available),
            "coefficients": {"c": self.law.c.tolist(), "k": self.law.k.tolist(),
                             "t": self.law.t.tolist()},
            "log_linear": {"c": self.linear.c.tolist(), "t": self.linear.t.tolist(),
                           "cov": self.linear_cov.tolist()},
            "fits": {v: self.fits[v].to_dict() for v in self.validation},
        })

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> MixingFit:
        """Read :meth:`to_dict`'s document back."""
        if not isinstance(doc, Mapping) or doc.get("law") != "mixture" or "fits" not in doc:
            raise ResultFileError("not a mixture fit document", "'law' and 'fits' keys",
                                  "write it with scalinglaws fit DATA --law mixture "
                                  "--domains ... --output FIT.json")
        if doc.get("schema") != SCHEMA:
            raise ResultFileError(f"mixture fit schema {doc.get('schema')!r} is not known",
                                  "key 'schema'", "upgrade scalinglaws")
        domains, validation = tuple(doc["domains"]), tuple(doc["validation"])
        fits = {v: fitting.FitResult.from_dict(doc["fits"][v]) for v in validation}
        coef, lin = doc["coefficients"], doc["log_linear"]
        law = MixingLaw(domains, validation, np.array(coef["c"], float),
                        np.array(coef["k"], float), np.array(coef["t"], float))
        linear = MixingLaw(domains, validation, np.array(lin["c"], float),
                           np.ones(len(validation)), np.array(lin["t"], float),
                           kind="log_linear")
        sel = doc.get("selection")
        selection = None if sel is None else Selection(dict(sel["errors"]), sel["best"],
                                                       int(sel["folds"]))
        return cls(domains, validation, fits, law, linear, np.array(lin["cov"], float),
                   str(doc["selected"]), selection, dict(doc.get("available") or {}))

    def save(self, path: Any) -> None:
        """Write the JSON document to ``path``."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Any) -> MixingFit:
        """Read a saved mixture fit."""
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ResultFileError(f"cannot read a mixture fit from {str(path)!r}: {err}",
                                  "file", "give the file written by --output") from None
        return cls.from_dict(doc)

    def __str__(self) -> str:
        lines = [f"Mixture fit: {len(self.domains)} domains ({', '.join(self.domains)}), "
                 f"selected regressor: {self.selected}"]
        if self.selection is not None:
            lines.append("held-out error: " + ", ".join(
                f"{k} {v:.3%}" for k, v in self.selection.errors.items()))
        for i, v in enumerate(self.validation):
            t = ", ".join(f"{d} {x:+.3g}" for d, x in zip(self.domains, self.law.t[i],
                                                           strict=True))
            lines.append(f"  loss_{v} = {self.law.c[i]:.4g} + {self.law.k[i]:.4g}"
                         f"·exp({t})")
        return "\n".join(lines)
