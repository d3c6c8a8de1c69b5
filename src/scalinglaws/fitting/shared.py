"""Shared-parameter fits: one joint fit across groups (families), some parameters common to
all groups and the others per group.

The joint law is the sum over groups of an indicator times the law with that group's own
parameters, ``sum_g [group == g] * f(x; shared, local_g)``. Its derivatives are exact and a
parameter of one group never meets another group's in the Hessian; amplitudes and offsets
still enter linearly. It is fitted by the ordinary engine, started from the pooled fit (every
parameter shared) and from each group's own fit, all polished together as one batch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..common.jsonvalues import json_value
from ..common.numbers import spelled
from ..data.dataset import Dataset
from ..engine import FitOptions, FitStatus
from ..exceptions import LawError, OptionError, QueryError, ResultFileError, ScalingLawError
from ..laws.law import Law, shaped
from ..laws.parameter import Parameter
from .groups import MAX_GROUPS as MAX_GROUPS
from .groups import group_labels, indicator, runs_from_record, runs_record, with_indicators
from .query import check_inputs
from .result import FitResult
from .single import fit_law

SCHEMA = "scalinglaws.shared_fit"
#: version 2 (the layout of the fit's document): the law's name under ``law``, its definition
#: under ``definition``, each group's parameters under ``groups`` (label -> values), with
#: ``stderr``, ``n_points``, ``status``, ``objective`` and ``warnings``; version 1 is still read
SCHEMA_VERSION = 2


def local_name(param: str, k: int) -> str:
    """The joint law's name for group ``k``'s copy of ``param``."""
    return f"{param}__g{k}"


def joint_law(law: Law, n_groups: int, shared: Sequence[str]) -> Law:
    """The law with every non-shared parameter repeated per group, summed over indicators."""
    import sympy as sp  # the joint law is written out symbolically, on first use

    local = [p for p in law.parameters if p.name not in shared]
    symbols = dict(zip(law.parameter_names, law.parameter_symbols, strict=True))
    terms = []
    for k in range(n_groups):
        renamed = law.expr.subs({symbols[p.name]: sp.Symbol(local_name(p.name, k))
                                 for p in local}, simultaneous=True)
        terms.append(f"{indicator(k)}*({sp.sstr(renamed)})")
    params: list[Parameter] = [p for p in law.parameters if p.name in shared]
    for k in range(n_groups):
        params += [dataclasses.replace(p, name=local_name(p.name, k)) for p in local]
    inputs: dict[str, str | None] = {**law.inputs}
    inputs.update({indicator(k): indicator(k) for k in range(n_groups)})
    return Law(" + ".join(terms), inputs=inputs, parameters=params,
               name=f"{law.name} [shared: {', '.join(shared) or 'none'}]",
               description=law.description, citation=law.citation, domain=law.domain,
               target=law.target)


def check_shared(law: Law, shared: Sequence[str] | None, by: str | None) -> tuple[str, ...]:
    if by is None:
        raise OptionError("shared= needs by=, the column that names the groups",
                          "argument 'by'", "e.g. sl.fit(law, data, shared=['alpha'], "
                          "by='family')")
    if shared is None:
        return ()
    if isinstance(shared, str):
        shared = [shared]
    names = list(shared)
    unknown = [s for s in names if s not in law.parameter_names]
    if unknown:
        raise LawError(f"shared parameter(s) {', '.join(map(repr, unknown))} not in law "
                       f"'{law.name}'", "argument 'shared'",
                       f"choose among {', '.join(law.parameter_names)}")
    if len(set(names)) != len(names):
        raise OptionError("a parameter is listed twice in shared=", "argument 'shared'",
                          "list each parameter once")
    return tuple(p for p in law.parameter_names if p in names)


@dataclasses.dataclass(frozen=True)
class SharedFit:
    """A joint fit across groups: ``shared`` parameters common to all, the rest per group.

    ``params`` maps each group to its parameters (shared ones included); ``predict`` takes
    the group by the ``by`` column's name: ``fit.predict(family="b", params=1e9, tokens=2e10)``.
    ``for_group(label)`` is a plain :class:`FitResult` of the law for one group (with the
    joint covariance's block), for everything that takes a fit (planning, intervals, ...).
    """

    law: Law
    by: str
    groups: tuple[str, ...]
    shared: tuple[str, ...]
    joint: FitResult
    group_sizes: tuple[int, ...]
    group_ranges: tuple[Mapping[str, tuple[float, float]], ...] = ()

    # -- parameters --------------------------------------------------------------------------
    def _names(self, k: int) -> dict[str, str]:
        """Base parameter name -> joint parameter name, for group k."""
        return {p: p if p in self.shared else local_name(p, k) for p in self.law.parameter_names}

    @property
    def params(self) -> dict[str, dict[str, float]]:
        return {g: {p: self.joint.params[j] for p, j in self._names(k).items()}
                for k, g in enumerate(self.groups)}

    @property
    def stderr(self) -> dict[str, dict[str, float]]:
        return {g: {p: self.joint.stderr[j] for p, j in self._names(k).items()}
                for k, g in enumerate(self.groups)}

    @property
    def shared_params(self) -> dict[str, float]:
        return {p: self.joint.params[p] for p in self.shared}

    def table(self) -> pd.DataFrame:
        """One row per group: its parameters and number of points."""
        frame = pd.DataFrame.from_dict(self.params, orient="index")
        frame.index.name = self.by
        frame["n_points"] = list(self.group_sizes)
        return frame

    @property
    def status(self) -> FitStatus:
        return self.joint.status

    @property
    def target(self) -> str:
        """The fitted column (``loss``)."""
        return self.joint.target

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.joint.warnings

    @property
    def converged(self) -> bool:
        return self.joint.converged

    def _index(self, label: Any) -> int:
        text = str(label)
        if text not in self.groups:
            raise QueryError(f"no group '{text}' in the fit", f"column '{self.by}'",
                             f"use one of {', '.join(self.groups)}")
        return self.groups.index(text)

    def for_group(self, label: Any) -> FitResult:
        """The fit of the law for one group, as an ordinary :class:`FitResult`."""
        k = self._index(label)
        names = self._names(k)
        order = [self.joint.law.parameter_names.index(j) for j in names.values()]
        cov = np.asarray(self.joint.cov)[np.ix_(order, order)]
        return dataclasses.replace(
            self.joint, law=self.law,
            params={p: self.joint.params[j] for p, j in names.items()},
            stderr={p: self.joint.stderr[j] for p, j in names.items()}, cov=cov,
            columns={s: str(c) for s, c in self.law.inputs.items()},
            input_ranges=dict(self.group_ranges[k]) if self.group_ranges else {
                c: r for c, r in self.joint.input_ranges.items()
                if c in {str(v) for v in self.law.inputs.values()}},
            n_points=self.group_sizes[k], starts=None, data=None, case_weights=None,
            uncertainty=None)

    # -- prediction --------------------------------------------------------------------------
    def predict(self, *, extrapolation: float | None = 10.0, **inputs: Any) -> Any:
        """The law for the given group(s): ``predict(family="b", params=..., tokens=...)``.

        The group may be one label or an array of labels broadcast with the inputs. Without
        one, every group answers: a DataFrame with a row per group (and query point), the
        group, the inputs and the prediction."""
        if self.by not in inputs:
            return self._every_group(extrapolation, inputs)
        labels = np.asarray(inputs.pop(self.by), dtype=object)
        check_inputs(self.law, inputs)
        flat, in_shape = self.law.flat_inputs(inputs)
        try:
            shape = np.broadcast_shapes(in_shape, labels.shape)
        except ValueError:
            raise QueryError(f"{self.by} of shape {labels.shape} does not broadcast with the "
                             f"inputs' shape {in_shape}", "predict",
                             "give one label, or labels shaped like the inputs") from None
        X = [np.broadcast_to(x.reshape(in_shape), shape).ravel() for x in flat]
        lab = np.array([str(v) for v in np.broadcast_to(labels, shape).ravel()], dtype=object)
        out = np.empty(lab.size)
        for g in dict.fromkeys(lab):
            rows = lab == g
            fit = self.for_group(g)
            query = {s: x[rows] for s, x in zip(self.law.inputs, X, strict=True)}
            out[rows] = np.asarray(fit.predict(extrapolation=extrapolation, **query))
        return shaped(out, shape)

    def _every_group(self, extrapolation: float | None, inputs: dict[str, Any]) -> pd.DataFrame:
        """:meth:`predict` for each group in turn: one row per group and query point."""
        _, shape = self.law.flat_inputs(inputs)
        size = int(np.prod(shape))
        columns = {k: np.broadcast_to(np.asarray(v, dtype=float), shape).ravel()
                   for k, v in inputs.items()}
        frames = []
        for g in self.groups:
            values = self.for_group(g).predict(extrapolation=extrapolation, **inputs)
            frames.append(pd.DataFrame({self.by: [g] * size, **columns,
                                        self.target: np.ravel(values)}))
        return pd.concat(frames, ignore_index=True)

    def per_group(self) -> dict[str, FitResult]:
        """Each group's fit (:meth:`for_group`), by label, in the fit's order."""
        return {g: self.for_group(g) for g in self.groups}

    # -- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The joint fit's one JSON document (``save`` writes it, ``scalinglaws fit --groups
        --json`` prints it, ``from_dict`` and :func:`scalinglaws.load` read it)."""
        return dict(json_value({
            "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
            "law": self.law.name, "formula": self.law.formula, "by": self.by,
            "shared": list(self.shared), "groups": self.params, "stderr": self.stderr,
            "n_points": dict(zip(self.groups, self.group_sizes, strict=True)),
            "status": self.status.value, "objective": self.joint.objective,
            "warnings": list(self.warnings),
            "group_ranges": [{c: list(r) for c, r in g.items()} for g in self.group_ranges],
            "definition": self.law.to_dict(),
            "joint": dataclasses.replace(self.joint, data=None, data_source=None).to_dict(),
            **runs_record(self.joint, self.law, self.by)}))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SharedFit:
        """Read a document of :meth:`to_dict` (schema version 1 or 2)."""
        if not isinstance(d, Mapping) or d.get("schema") != SCHEMA:
            raise ResultFileError("this is not a scalinglaws shared fit record",
                                  "field 'schema'", "give a file written by SharedFit.save")
        version = d.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ResultFileError(f"the shared fit record has schema version {version!r}; "
                                  f"this scalinglaws reads up to {SCHEMA_VERSION}",
                                  "field 'schema_version'", "upgrade scalinglaws")
        try:
            if version >= 2:
                law, labels = Law.from_dict(d["definition"]), list(d["groups"])
                sizes = [d["n_points"][g] for g in labels]
            else:
                law, labels, sizes = Law.from_dict(d["law"]), d["groups"], d["group_sizes"]
            return cls(law=law, by=str(d["by"]), groups=tuple(str(g) for g in labels),
                       shared=tuple(str(s) for s in d["shared"]),
                       joint=FitResult.from_dict(d["joint"]),
                       group_sizes=tuple(int(n) for n in sizes),
                       group_ranges=tuple({str(c): (float(r[0]), float(r[1]))
                                           for c, r in g.items()}
                                          for g in d.get("group_ranges", [])))._with_runs(d)
        except ScalingLawError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ResultFileError(f"the shared fit record is malformed ({exc})",
                                  "shared fit record", "save the fit again") from None

    def _with_runs(self, d: Mapping[str, Any]) -> SharedFit:
        """This fit with the runs its record carries (:func:`.groups.runs_from_record`)."""
        joint = runs_from_record(d, self.joint, self.by, self.groups)
        return self if joint is self.joint else dataclasses.replace(self, joint=joint)

    def save(self, path: Any) -> None:
        """Write the fit as JSON, atomically."""
        from ..data.files import write_json_atomic

        write_json_atomic(path, self.to_dict())

    def __repr__(self) -> str:
        shared = ", ".join(f"{p}={v:.4g}" for p, v in self.shared_params.items())
        return (f"<SharedFit {self.law.name!r} by {self.by!r}: {len(self.groups)} groups; "
                f"shared {shared or 'none'}; {self.status.value}>")

    def __str__(self) -> str:
        return f"{self!r}\n{self.table().to_string()}"

    def _repr_html_(self) -> str:
        """The per-group table in a notebook (every label and name escaped)."""
        from html import escape

        shared = ", ".join(escape(p) for p in self.shared) or "none"
        caption = (f"{escape(self.law.name)}: joint fit by '{escape(self.by)}' "
                   f"(shared: {shared}); {escape(self.status.value)}")
        table = self.table().to_html(float_format=spelled, escape=True)
        return f"<p><b>{caption}</b></p>\n{table}"


def _starts(law: Law, jlaw: Law, pooled: dict[str, float],
            own: list[dict[str, float] | None], shared: Sequence[str]) -> list[dict[str, float]]:
    """Starting points of the joint fit: the pooled fit everywhere; each group's own fit
    with the pooled shared values; and with the median of the groups' shared values."""
    n = len(own)
    rows = [{local_name(p, k) if p not in shared else p: v for k in range(n)
             for p, v in pooled.items()}]
    if any(o is not None for o in own):
        for centre in ("pooled", "median"):
            row: dict[str, float] = {}
            for p in law.parameter_names:
                if p in shared:
                    vals = [o[p] for o in own if o is not None]
                    row[p] = pooled[p] if centre == "pooled" or not vals else float(
                        np.median(vals))
                else:
                    for k in range(n):
                        src = own[k] if own[k] is not None else pooled
                        row[local_name(p, k)] = src[p]  # type: ignore[index]
            rows.append(row)
    lower = {p.name: p.lower for p in jlaw.parameters}
    upper = {p.name: p.upper for p in jlaw.parameters}
    return [{k: float(min(max(v, lower[k]), upper[k])) for k, v in r.items()
             if math.isfinite(v)} for r in rows]


def fit_shared(law: Law, ds: Dataset, *, shared: Sequence[str] | None, by: str | None,
               y: str | None, weights: Any, throw: bool, options: FitOptions
               ) -> SharedFit:
    """The joint fit (``law`` already bound to the data's columns)."""
    import warnings

    names = check_shared(law, shared, by)
    assert by is not None
    groups, labels = group_labels(ds, by)
    n = len(labels)
    w = None if weights is None else np.asarray(weights, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pooled = fit_law(law, ds, y=y, weights=w, options=options).params
        own: list[dict[str, float] | None] = []
        for k in range(n):
            rows = groups == k
            try:
                sub = fit_law(law, ds.subset(rows), y=y,
                              weights=None if w is None else w[rows], options=options)
                own.append(dict(sub.params) if sub.status is not FitStatus.FAILED else None)
            except ScalingLawError:
                own.append(None)  # too few points for a fit of its own: start from the pool
    jlaw = joint_law(law, n, names)
    starts = _starts(law, jlaw, dict(pooled), own, names)
    joint = fit_law(jlaw, with_indicators(ds, groups, n), y=y, weights=w, init=starts,
                    throw=throw, options=options)
    sizes = tuple(int(np.sum(groups == k)) for k in range(n))
    cols = [str(c) for c in law.inputs.values()]
    ranges = tuple({c: (float(ds.column(c)[groups == k].min()),
                        float(ds.column(c)[groups == k].max())) for c in cols}
                   for k in range(n))
    return SharedFit(law=law, by=by, groups=labels, shared=names, joint=joint,
                     group_sizes=sizes, group_ranges=ranges)
