"""The fit's one JSON document: written by ``FitResult.to_dict`` / ``save`` and printed by
``scalinglaws fit --json``; read back by ``FitResult.from_dict`` and :func:`scalinglaws.load`.

Version 3 puts the law's name under ``law`` (its full definition under ``definition``), the
parameters at a bound under ``at_bound`` and, for a fit that carries a bootstrap, its
``intervals`` (and, for a calibrated fit, its ``calibration``: the backtest errors its
extrapolation intervals rest on); non-finite numbers are ``null``. Versions 1 and 2 (the
law's definition under ``law``; non-finite numbers as the strings ``"nan"``, ``"inf"``) are
still read.

A fit carries its data: small data embedded under ``data`` (the columns it reads, see
:mod:`scalinglaws.data.saved`), larger data read from a file by where they came from,
``data_source``, read again when the record is. Both keys are optional (records saved without
them are read as before, without data) and a reader of version 3 that does not know them
skips them, so the version stays 3. So is ``data_convention``, how the data counted params,
tokens and flops (:class:`~scalinglaws.data.Convention`, in words).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..common.jsonvalues import json_value
from ..data import saved
from ..data.dataset import Dataset
from ..engine.diagnostics import Diagnostics
from ..engine.status import FitStatus
from ..exceptions import DataError, ResultFileError
from ..laws.law import Law
from ..uncertainty.fitted import FittedLaw
from .calibration import Calibration

if TYPE_CHECKING:
    from ..uncertainty.bootstrap import Bootstrap

SCHEMA = "scalinglaws.fit"
#: the newest record version this code writes and reads (version 2 added ``case_weights``;
#: version 3 the name of the law under ``law``, ``at_bound`` and bootstrap ``intervals``)
SCHEMA_VERSION = 3


class Recorded(FittedLaw, Protocol):
    """What a fit's document is made of (:class:`~scalinglaws.FitResult` has it all)."""

    @property
    def objective(self) -> float: ...
    @property
    def n_points(self) -> int: ...
    @property
    def status(self) -> FitStatus: ...
    @property
    def warnings(self) -> tuple[str, ...]: ...
    @property
    def columns(self) -> Mapping[str, str]: ...
    @property
    def input_ranges(self) -> Mapping[str, tuple[float, float]]: ...
    @property
    def dataset(self) -> str | None: ...
    @property
    def n_starts(self) -> int: ...
    @property
    def diagnostics(self) -> Diagnostics | None: ...
    @property
    def uncertainty(self) -> Bootstrap | None: ...
    @property
    def calibration(self) -> Calibration | None: ...
    @property
    def at_bound(self) -> tuple[str, ...]: ...
    @property
    def undetermined(self) -> dict[str, str]: ...
    @property
    def data_source(self) -> str | None: ...
    @property
    def data_convention(self) -> str | None: ...


def fit_record(fit: Recorded) -> dict[str, Any]:
    """The JSON document of ``fit`` (JSON-ready: numpy values as Python ones, non-finite
    numbers as ``None``)."""
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "law": fit.law.name,
        "formula": fit.law.formula,
        "params": dict(fit.params),
        "stderr": dict(fit.stderr),
        "at_bound": list(fit.at_bound),
        "undetermined": dict(fit.undetermined),
        "status": fit.status.value,
        "n_points": fit.n_points,
        "objective": fit.objective,
        "loss": fit.loss,
        "delta": fit.delta,
        "overestimate_penalty": fit.overestimate_penalty,
        "warnings": list(fit.warnings),
        "target": fit.target,
        "columns": dict(fit.columns),
        "input_ranges": {k: list(v) for k, v in fit.input_ranges.items()},
        "dataset": fit.dataset,
        "fingerprint": fit.fingerprint,
        "n_starts": fit.n_starts,
        "residual_scale": fit.residual_scale,
        "cov": np.asarray(fit.cov, dtype=float),
        "definition": fit.law.to_dict(),
    }
    if fit.data_convention is not None:
        doc["data_convention"] = fit.data_convention
    if fit.case_weights is not None:
        doc["case_weights"] = np.asarray(fit.case_weights, dtype=float)
    if fit.diagnostics is not None:
        doc["diagnostics"] = fit.diagnostics.to_dict()
    if fit.calibration is not None:
        doc["calibration"] = fit.calibration.to_dict()
    if fit.uncertainty is not None:
        boot = fit.uncertainty
        doc["intervals"] = boot.intervals(boot.level, boot.method)
        doc["bootstrap"] = boot.to_dict()
    doc.update(data_fields(fit))
    return dict(json_value(doc))


def used_columns(law: Law, target: str) -> list[str]:
    """The columns a fit of ``law`` to ``target`` reads."""
    return [*(str(c) for c in law.inputs.values() if c), target]


def data_fields(fit: Recorded, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The record's ``data`` (embedded) or ``data_source`` (where to read them again), or
    nothing for a fit that carries no data of its own."""
    used = used_columns(fit.law, fit.target)
    ds = fit.data
    if isinstance(ds, Dataset) and saved.same_data(ds, fit.fingerprint, used):
        return saved.data_record(ds, used, extra)
    return {"data_source": fit.data_source} if fit.data_source else {}


def read_data(d: Mapping[str, Any], law: Law, target: str, fingerprint: str,
              name: str | None) -> tuple[Dataset | None, str | None]:
    """The fit's data from its record (embedded, or read again from ``data_source``) and that
    source; data that cannot be read again, or no longer match, are None here and a
    DataError saying why when they are needed (:func:`scalinglaws.data.saved.reload`)."""
    used = used_columns(law, target)
    if isinstance(d.get("data"), Mapping):
        ds = saved.rebuild(d["data"], name)
        if not saved.same_data(ds, fingerprint, used):
            raise ResultFileError(
                "the data embedded in the fit record are not the data it was fitted on "
                f"(fingerprint {saved.data_fingerprint(ds, used)}, the fit's {fingerprint})",
                "field 'data'", "save the fit again, or delete the field 'data' and pass "
                "the runs with data= (CLI: --data)")
        return ds, None
    source = d.get("data_source")
    if not isinstance(source, str) or not source:
        return None, None
    try:
        return saved.reload(source, fingerprint, used, name), source
    except DataError:
        return None, source


def read_fit_record(d: Mapping[str, Any]) -> tuple[dict[str, Any], Bootstrap | None]:
    """The fields of the :class:`~scalinglaws.FitResult` a document of :func:`fit_record` (any
    version up to :data:`SCHEMA_VERSION`) describes, and the bootstrap it carries."""
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
        law = Law.from_dict(d["definition"] if version >= 3 else d["law"])
        if version >= 3 and d["law"] != law.name:
            raise ResultFileError(
                f"the record names the law {d['law']!r} but defines {law.name!r}",
                "fields 'law' and 'definition'", "save the fit again")
        names = law.parameter_names
        fields: dict[str, Any] = dict(
            law=law,
            params={n: _number(d["params"][n]) for n in names},
            stderr={n: _number(d["stderr"][n]) for n in names},
            cov=np.array([[_number(v) for v in row] for row in d["cov"]],
                         dtype=float).reshape(len(names), len(names)),
            objective=_number(d["objective"]),
            loss=str(d["loss"]),
            delta=float(d["delta"]),
            overestimate_penalty=float(d.get("overestimate_penalty", 1.0)),
            n_points=int(d["n_points"]),
            status=FitStatus(d["status"]),
            warnings=tuple(str(w) for w in d.get("warnings", [])),
            target=str(d.get("target", "loss")),
            columns={str(k): str(v) for k, v in d.get("columns", {}).items()},
            input_ranges={str(k): (_number(v[0]), _number(v[1]))
                          for k, v in d.get("input_ranges", {}).items()},
            fingerprint=str(d.get("fingerprint", "")),
            dataset=d.get("dataset"),
            data_convention=_text(d.get("data_convention")),
            n_starts=int(d.get("n_starts", 0)),
            residual_scale=_number(d.get("residual_scale", "nan")),
            diagnostics=(Diagnostics.from_dict(d["diagnostics"])
                         if isinstance(d.get("diagnostics"), Mapping) else None),
            case_weights=_case_weights(d.get("case_weights"), int(d["n_points"])),
            calibration=(Calibration.from_dict(d["calibration"])
                         if isinstance(d.get("calibration"), Mapping) else None),
        )
    except ResultFileError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ResultFileError(
            f"the fit record is incomplete or malformed ({type(exc).__name__}: {exc})",
            "fit record", "save the fit again") from None
    fields["data"], fields["data_source"] = read_data(
        d, law, fields["target"], fields["fingerprint"], fields["dataset"])
    if not isinstance(d.get("bootstrap"), Mapping):
        return fields, None
    from ..uncertainty.bootstrap import Bootstrap

    estimate = np.array([fields["params"][n] for n in names])
    return fields, Bootstrap.from_dict(d["bootstrap"], law, estimate)


def _text(value: Any) -> str | None:
    """An optional text field (absent from records saved before it existed)."""
    return None if value is None else str(value)


def _number(value: Any) -> float:
    """A saved number: ``null`` (version 3) and the strings ``"nan"``, ``"inf"`` (versions 1
    and 2) are the non-finite values."""
    return math.nan if value is None else float(value)


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
