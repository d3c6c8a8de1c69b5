"""FitResult: the frozen outcome of a fit, with predictions, summary and JSON round trip."""

from __future__ import annotations

import enum
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.jsonvalues import float_text
from ..exceptions import ResultFileError, ScalingLawWarning
from ..laws.law import Law
from .diagnostics import Diagnostics
from .diagnostics import extrapolation as _extrapolation

SCHEMA = "scalinglaws.fit"
#: the newest record version this code writes and reads; version 2 adds ``case_weights``
#: and is written only by weighted fits, so that a reader of version 1 refuses a weighted
#: record ("upgrade") rather than silently dropping its weights
SCHEMA_VERSION = 2


class FitStatus(enum.Enum):
    """Health of a fit; each member carries what it means and what to do."""

    CONVERGED = "converged"
    AT_BOUND = "at_bound"
    MAX_ITER = "max_iter"
    FAILED = "failed"

    @property
    def message(self) -> str:
        return {
            "converged": "the optimiser converged to a minimum inside the bounds",
            "at_bound": "the best parameters sit at a bound: the optimum may lie beyond it; "
            "widen the bound or question the law",
            "max_iter": "the optimiser stopped at its iteration limit before converging; "
            "raise max_iter (--max-iter on the command line) or give better starts",
            "failed": "no start gave a finite objective; check the law's domain and the data",
        }[self.value]

    @property
    def ok(self) -> bool:
        return self is FitStatus.CONVERGED


@dataclass(frozen=True)
class StartsTable:
    """Every start of a fit: where it began and ended, its objective and status."""

    names: tuple[str, ...]
    initial: np.ndarray
    final: np.ndarray
    objective: np.ndarray
    status: tuple[str, ...]
    n_iter: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.final, columns=list(self.names))
        frame.insert(0, "objective", self.objective)
        frame.insert(1, "status", list(self.status))
        frame.insert(2, "n_iter", self.n_iter)
        for i, n in enumerate(self.names):
            frame[f"init_{n}"] = self.initial[:, i]
        return frame.sort_values("objective", kind="stable").reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.status)


@dataclass(frozen=True)
class FitResult:
    """The outcome of :func:`scalinglaws.fit`.

    ``params`` and ``stderr`` map parameter names to values; ``cov`` is in natural units, in
    the order of ``law.parameter_names`` (see ``docs/decisions.md`` for how it is estimated).
    ``diagnostics`` holds what the engine checked beyond ``status`` (bounds, conditioning,
    residual trends, the data's shape, points per parameter; None for records saved before
    diagnostics existed); its problems are also among ``warnings``.
    """

    law: Law
    params: Mapping[str, float]
    stderr: Mapping[str, float]
    cov: np.ndarray
    objective: float
    loss: str
    delta: float
    overestimate_penalty: float
    n_points: int
    status: FitStatus
    warnings: tuple[str, ...]
    target: str
    columns: Mapping[str, str]
    input_ranges: Mapping[str, tuple[float, float]]
    fingerprint: str
    dataset: str | None = None
    n_starts: int = 0
    residual_scale: float = float("nan")
    diagnostics: Diagnostics | None = None
    starts: StartsTable | None = field(default=None, repr=False, compare=False)
    data: Any = field(default=None, repr=False, compare=False)
    case_weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    uncertainty: Any = field(default=None, repr=False, compare=False)

    # -- use --------------------------------------------------------------------------------
    def predict(self, *, extrapolation: float | None = 10.0, **inputs: Any) -> Any:
        """The law at the fitted parameters: ``fit.predict(params=7e10, tokens=1.4e12)``.

        Inputs are named by column (``params``) or by the law's symbol (``N``); arrays
        broadcast. Returns a float for scalar inputs, else an array.

        ``extrapolation`` (keyword only, so no input may be called that) is how many times
        beyond the fitted range of an input a query may lie before one
        :class:`~scalinglaws.ScalingLawWarning` per call says so (default 10, one order of
        magnitude); ``None`` or ``math.inf`` turns the check off. When the fit's diagnostics
        found the data U-shaped or rising in an input the query uses, each call also warns
        with that finding.
        """
        out = self.law(self.params, **inputs)
        self._warn_about_query(inputs, extrapolation)
        return float(out) if np.ndim(out) == 0 else out

    def _warn_about_query(self, inputs: Mapping[str, Any], factor: float | None) -> None:
        """The warnings of :meth:`predict`: extrapolation, then the data's shape."""
        shapes = self.diagnostics.shapes if self.diagnostics is not None else ()
        if (factor is None or factor == math.inf) and not shapes:
            return
        query: dict[str, Any] = {}  # column -> value, whether given by column or by symbol
        for sym, col in self.law.inputs.items():
            key = sym if sym in inputs else col
            if key is not None and key in inputs:
                query[str(col or sym)] = inputs[key]
        if factor is not None and factor != math.inf:
            found = _extrapolation(self.input_ranges, query, float(factor))
            if found:
                warnings.warn("; ".join(found), ScalingLawWarning, stacklevel=3)
        used = [s.message for s in shapes if s.column in query]
        if used:
            warnings.warn("; ".join(used), ScalingLawWarning, stacklevel=3)

    def bootstrap(self, n: int = 1000, *, by: str | None = None, seed: int | None = None,
                  data: Any = None, progress: Any = None) -> Any:
        """Refit on ``n`` resamples of the data; returns a :class:`~scalinglaws.Bootstrap`.

        ``by=None`` resamples points; ``by="run"`` (or ``"seed"``, ``"family"``, any column)
        resamples whole clusters. All resamples are fitted together as one batch, each warm
        started from this fit's optimum and from the other local optima its starts found.
        A fit read from a file needs ``data=`` (checked against its fingerprint).
        """
        from ..uncertainty.bootstrap import run_bootstrap

        return run_bootstrap(self, n, by=by, seed=seed, data=data, progress=progress)

    def with_bootstrap(self, bootstrap: Any) -> FitResult:
        """This fit carrying a bootstrap (saved with it; used by ``predict_interval``)."""
        import dataclasses

        return dataclasses.replace(self, uncertainty=bootstrap)

    def profile(self, name: str, *, level: float = 0.95, data: Any = None,
                points: int = 41) -> Any:
        """Profile-likelihood interval of one parameter (see :class:`~scalinglaws.Profile`)."""
        from ..uncertainty.profile import run_profile

        return run_profile(self, name, level=level, data=data, points=points)

    def predict_interval(self, level: float = 0.9, *, kind: str = "mean",
                         **inputs: Any) -> tuple[Any, Any]:
        """Interval for the law's mean (``kind="mean"``) or a new observation
        (``kind="observation"``) at the inputs.

        Uses the attached bootstrap (:meth:`with_bootstrap`) when there is one, else the
        delta method on ``cov`` (normal approximation in log space for log losses).
        """
        from ..uncertainty.delta import delta_interval

        if kind not in ("mean", "observation"):
            from ..exceptions import OptionError

            raise OptionError(f"unknown interval kind '{kind}'", "argument 'kind'",
                              "use 'mean' (the law) or 'observation' (a new run)")
        if self.uncertainty is not None:
            if kind == "mean":
                return tuple(self.uncertainty.predict_interval(level, **inputs))  # type: ignore
            return tuple(self.uncertainty.prediction_interval(level, **inputs))  # type: ignore
        return delta_interval(self, level, kind, inputs)

    @property
    def converged(self) -> bool:
        return self.status.ok

    def summary(self) -> Any:
        """A :class:`~scalinglaws.report.Summary`, rendered as text, HTML or a dict."""
        from ..report.summary import Summary

        return Summary.from_fit(self)

    def __str__(self) -> str:
        return str(self.summary())

    def _repr_html_(self) -> str:
        return str(self.summary().html())

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a schema version (``from_dict`` reads it back)."""
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION if self.case_weights is not None else 1,
            "law": self.law.to_dict(),
            "params": {k: float_text(v) for k, v in self.params.items()},
            "stderr": {k: float_text(v) for k, v in self.stderr.items()},
            "cov": [[float_text(v) for v in row] for row in np.asarray(self.cov)],
            "objective": float_text(self.objective),
            "loss": self.loss,
            "delta": self.delta,
            "overestimate_penalty": self.overestimate_penalty,
            "n_points": self.n_points,
            "status": self.status.value,
            "warnings": list(self.warnings),
            "target": self.target,
            "columns": dict(self.columns),
            "input_ranges": {k: list(v) for k, v in self.input_ranges.items()},
            "fingerprint": self.fingerprint,
            "dataset": self.dataset,
            "n_starts": self.n_starts,
            "residual_scale": float_text(self.residual_scale),
            **({"case_weights": [float(w) for w in np.asarray(self.case_weights, dtype=float)]}
               if self.case_weights is not None else {}),
            **({"diagnostics": self.diagnostics.to_dict()} if self.diagnostics is not None
               else {}),
            **({"bootstrap": self.uncertainty.to_dict()} if self.uncertainty is not None
               else {}),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FitResult:
        if not isinstance(d, Mapping) or d.get("schema") != SCHEMA:
            raise ResultFileError("this is not a scalinglaws fit record", "field 'schema'",
                                  "give a file written by FitResult.save / scalinglaws fit --out")
        version = d.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ResultFileError(
                f"the fit record has schema version {version!r}; this scalinglaws reads "
                f"versions up to {SCHEMA_VERSION}",
                "field 'schema_version'",
                "upgrade scalinglaws to read it",
            )
        try:
            law = Law.from_dict(d["law"])
            names = law.parameter_names
            result = cls(
                law=law,
                params={n: float(d["params"][n]) for n in names},
                stderr={n: float(d["stderr"][n]) for n in names},
                cov=np.array(d["cov"], dtype=float).reshape(len(names), len(names)),
                objective=float(d["objective"]),
                loss=str(d["loss"]),
                delta=float(d["delta"]),
                overestimate_penalty=float(d.get("overestimate_penalty", 1.0)),
                n_points=int(d["n_points"]),
                status=FitStatus(d["status"]),
                warnings=tuple(str(w) for w in d.get("warnings", [])),
                target=str(d.get("target", "loss")),
                columns={str(k): str(v) for k, v in d.get("columns", {}).items()},
                input_ranges={str(k): (float(v[0]), float(v[1]))
                              for k, v in d.get("input_ranges", {}).items()},
                fingerprint=str(d.get("fingerprint", "")),
                dataset=d.get("dataset"),
                n_starts=int(d.get("n_starts", 0)),
                residual_scale=float(d.get("residual_scale", "nan")),
                diagnostics=(Diagnostics.from_dict(d["diagnostics"])
                             if isinstance(d.get("diagnostics"), Mapping) else None),
                case_weights=_case_weights(d.get("case_weights"), int(d["n_points"])),
            )
        except ResultFileError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultFileError(
                f"the fit record is incomplete or malformed ({type(exc).__name__}: {exc})",
                "fit record", "save the fit again") from None
        if isinstance(d.get("bootstrap"), Mapping):
            from ..uncertainty.bootstrap import Bootstrap

            estimate = np.array([result.params[n] for n in result.law.parameter_names])
            boot = Bootstrap.from_dict(d["bootstrap"], result.law, estimate)
            result = result.with_bootstrap(boot)
        return result

    def save(self, path: Any) -> None:
        """Write the fit as JSON, atomically (temporary file, then rename)."""
        from ..data.files import write_json_atomic

        write_json_atomic(path, self.to_dict())


def _case_weights(value: Any, n_points: int) -> np.ndarray | None:
    """The saved case weights (None for an unweighted fit or a record saved before they
    were): finite, non-negative, one per point."""
    if value is None:
        return None
    try:
        w = np.array(value, dtype=float)
    except (TypeError, ValueError):
        w = np.array([np.nan])
    if w.shape != (n_points,) or not np.isfinite(w).all() or (w < 0).any():
        raise ResultFileError(
            f"the case weights must be a list of {n_points} finite, non-negative numbers "
            f"(one per point), got {type(value).__name__} {_brief(value)}",
            "field 'case_weights'", "save the fit again")
    return w


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
