"""HyperparameterFit: the frozen outcome of ``sl.fit("step_law", sweep)``, with predictions of
the optimal learning rate and batch size, a summary (text, HTML) and its JSON document."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..common.checks import check_level
from ..common.display import frame_cells, html_notes, html_table, text_table
from ..common.jsonvalues import json_value
from ..common.numbers import level_label, readable
from ..common.warning import warn
from ..engine.diagnostics import extrapolation
from ..exceptions import OptionError, ResultFileError

SCHEMA = "scalinglaws.hyperparameter_fit"
#: the newest version of the document this code writes and reads
SCHEMA_VERSION = 1
LAW = "step_law"
#: what each ``resample=`` draws, in words
RESAMPLED = {"runs": "the runs within each cell", "cells": "the cells",
             "both": "the cells and the runs within each"}
#: the per-cell table's columns, in order
CELL_COLUMNS = ("params", "tokens", "n_runs", "n_used", "method", "reason", "lr_opt",
                "batch_size_opt", "loss_opt", "lr_argmin", "batch_size_argmin", "loss_min")
#: the columns of the runs a fit carries
RUN_COLUMNS = ("params", "tokens", "lr", "batch_size", "loss")


def param_names(bs_inputs: Sequence[str]) -> tuple[str, ...]:
    """The parameters' names: ``lr = lr_coef · N^lr_exp_params · D^lr_exp_tokens`` and
    ``batch_size = bs_coef · [N^bs_exp_params ·] D^bs_exp_tokens``."""
    return ("lr_coef", "lr_exp_params", "lr_exp_tokens", "bs_coef",
            *(f"bs_exp_{i}" for i in bs_inputs))


@dataclass(frozen=True)
class HyperparameterFit:
    """Optimal learning rate and batch size as power laws of model size N and tokens D
    (Step Law, Li et al. 2025): ``lr = lr_coef · N^lr_exp_params · D^lr_exp_tokens`` and
    ``batch_size = bs_coef · D^bs_exp_tokens`` (times ``N^bs_exp_params`` when the batch law
    reads params).

    ``params`` holds the estimates; ``intervals`` their bootstrap percentile intervals at
    ``level`` (``samples``: one row per resample, NaN where a resample could not be refitted);
    ``cells`` the per-(params, tokens) table of stage 1: each cell's optimum and how it was
    found (``method``: quadratic, a 1-D quadratic, argmin or skipped, with the ``reason``);
    ``runs`` the runs fitted (params, tokens, lr, batch_size, loss), saved with the fit.
    The batch size is in tokens when the fit was given ``seq_len`` (recorded), else in the
    unit of the sweep's column.
    """

    params: Mapping[str, float]
    bs_inputs: tuple[str, ...]
    intervals: Mapping[str, tuple[float, float]]
    level: float
    samples: np.ndarray = field(repr=False, compare=False)
    n_boot: int
    seed: int | None
    resample: str
    cells: pd.DataFrame = field(repr=False, compare=False)
    target: str
    columns: Mapping[str, str]
    seq_len: float | None
    window: int
    n_runs: int
    input_ranges: Mapping[str, tuple[float, float]]
    dataset: str | None = None
    residual_scale: Mapping[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    runs: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    # -- use --------------------------------------------------------------------------------
    @property
    def law(self) -> str:
        return LAW

    @property
    def batch_unit(self) -> str:
        return "tokens" if self.seq_len is not None else "as in the sweep's batch-size column"

    @property
    def formulas(self) -> dict[str, str]:
        """The two laws in words, with the fitted numbers."""
        p = self.params
        bs = f"{readable(p['bs_coef'], 4)}"
        if "params" in self.bs_inputs:
            bs += f" · N^{p['bs_exp_params']:.4f}"
        bs += f" · D^{p['bs_exp_tokens']:.4f}"
        return {"lr": f"{readable(p['lr_coef'], 4)} · N^{p['lr_exp_params']:.4f} · "
                      f"D^{p['lr_exp_tokens']:.4f}", "batch_size": bs}

    def predict(self, *, params: Any, tokens: Any, extrapolation_factor: float | None = 10.0
                ) -> dict[str, Any]:
        """The recommended ``lr`` and ``batch_size`` at model size ``params`` and ``tokens``
        (scalars or arrays, broadcast): ``fit.predict(params=3e9, tokens=6e10)``. With a
        ``seq_len``, ``batch_size`` is in tokens and ``batch_size_sequences`` is added.
        One warning per call names a query more than ``extrapolation_factor`` times beyond
        the fitted range (None: no check)."""
        n, d = _positive(params, "params"), _positive(tokens, "tokens")
        return self._at(self.params, n, d, extrapolation_factor)

    def predict_interval(self, level: float = 0.9, *, params: Any, tokens: Any
                         ) -> dict[str, tuple[Any, Any]]:
        """Bootstrap percentile intervals of the recommended ``lr`` and ``batch_size`` (and
        ``batch_size_sequences``), each ``(lower, upper)``."""
        level = check_level(level)
        n, d = _positive(params, "params"), _positive(tokens, "tokens")
        ok = self.samples[np.all(np.isfinite(self.samples), axis=1)]
        if ok.shape[0] < 2:
            raise OptionError("this fit carries no bootstrap", "fit.samples",
                              "refit with n_boot=1000 (CLI: --bootstrap 1000)")
        names = param_names(self.bs_inputs)
        drawn = [self._at(dict(zip(names, row, strict=True)), n, d, None) for row in ok]
        tail = 100 * (1 - level) / 2
        out = {}
        for key in drawn[0]:
            lo, hi = np.percentile(np.array([x[key] for x in drawn]), [tail, 100 - tail],
                                   axis=0)
            out[key] = (_plain(lo), _plain(hi))
        return out

    def _at(self, p: Mapping[str, float], n: np.ndarray, d: np.ndarray,
            factor: float | None) -> dict[str, Any]:
        if factor is not None and factor != math.inf:
            found = extrapolation(self.input_ranges, {"params": n, "tokens": d}, float(factor))
            if found:
                warn("; ".join(found))
        lr = p["lr_coef"] * n ** p["lr_exp_params"] * d ** p["lr_exp_tokens"]
        bs = p["bs_coef"] * d ** p["bs_exp_tokens"]
        if "params" in self.bs_inputs:
            bs = bs * n ** p["bs_exp_params"]
        out: dict[str, Any] = {"lr": _plain(lr), "batch_size": _plain(bs)}
        if self.seq_len is not None:
            out["batch_size_sequences"] = _plain(bs / self.seq_len)
        return out

    # -- display ----------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """The parameters with their intervals, one row each."""
        rows = [{"parameter": k, "estimate": v,
                 "lower": self.intervals.get(k, (math.nan, math.nan))[0],
                 "upper": self.intervals.get(k, (math.nan, math.nan))[1]}
                for k, v in self.params.items()]
        return pd.DataFrame(rows)

    def _lines(self) -> list[tuple[str, str]]:
        counts = self.cells["method"].value_counts()
        methods = ", ".join(f"{n} {m}" for m, n in counts.items())
        boot = (f"{self.n_boot} resamples of {RESAMPLED.get(self.resample, self.resample)} "
                f"(seed {self.seed}), "
                f"{level_label(self.level)} percentile intervals" if self.n_boot
                else "none (n_boot=0)")
        seq = (f"; batch sizes in sequences × {self.seq_len:g} tokens"
               if self.seq_len is not None else "")
        return [("lr", self.formulas["lr"]), ("batch_size", self.formulas["batch_size"]),
                ("data", f"{self.n_runs} runs in {len(self.cells)} (params, tokens) cells of "
                         f"{self.dataset or 'the sweep'}; loss column '{self.target}'{seq}"),
                ("cells", methods), ("bootstrap", boot)]

    def __str__(self) -> str:
        head = "\n".join(f"{k}: {v}" for k, v in self._lines())
        header, rows = frame_cells(self.table())
        text = f"Step Law fit\n{head}\n\n{text_table(header, rows)}"
        if self.warnings:
            text += "\n" + "\n".join(f"warning: {w}" for w in self.warnings)
        return text

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in self._lines())
        header, rows = frame_cells(self.table())
        return (f"<p><b>Step Law fit</b></p><ul>{head}</ul>"
                f"{html_table(header, rows)}{html_notes(self.warnings)}")

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fit's JSON document (``save`` writes it, ``sl.load`` and ``from_dict`` read
        it back); schema-versioned."""
        doc = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "law": LAW,
               "formulas": self.formulas, "params": dict(self.params),
               "bs_inputs": list(self.bs_inputs),
               "intervals": {k: list(v) for k, v in self.intervals.items()},
               "level": self.level, "n_boot": self.n_boot, "seed": self.seed,
               "resample": self.resample, "samples": np.asarray(self.samples),
               "target": self.target, "columns": dict(self.columns),
               "seq_len": self.seq_len, "batch_unit": self.batch_unit,
               "window": self.window, "n_runs": self.n_runs,
               "input_ranges": {k: list(v) for k, v in self.input_ranges.items()},
               "dataset": self.dataset, "residual_scale": dict(self.residual_scale),
               "warnings": list(self.warnings),
               "cells": self.cells[list(CELL_COLUMNS)].to_dict(orient="records")}
        if self.runs is not None:
            doc["runs"] = {c: self.runs[c].to_numpy() for c in RUN_COLUMNS}
        return dict(json_value(doc))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HyperparameterFit:
        """Read a document of :meth:`to_dict`."""
        if not isinstance(d, Mapping) or d.get("schema") != SCHEMA:
            raise ResultFileError("this is not a scalinglaws hyper-parameter fit",
                                  "field 'schema'", "give a file written by "
                                  "HyperparameterFit.save / scalinglaws fit --law step_law")
        version = d.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ResultFileError(f"the hyper-parameter fit has schema version {version!r}; "
                                  f"this scalinglaws reads versions up to {SCHEMA_VERSION}",
                                  "field 'schema_version'", "upgrade scalinglaws to read it")
        try:
            bs_inputs = tuple(str(i) for i in d["bs_inputs"])
            names = param_names(bs_inputs)
            samples = np.array([[_number(v) for v in row] for row in d["samples"]],
                               dtype=float).reshape(-1, len(names))
            cells = pd.DataFrame(list(d["cells"]), columns=list(CELL_COLUMNS))
            for col in ("lr_opt", "batch_size_opt", "loss_opt"):
                cells[col] = cells[col].astype(float)
            return cls(
                params={n: _number(d["params"][n]) for n in names}, bs_inputs=bs_inputs,
                intervals={str(k): (_number(v[0]), _number(v[1]))
                           for k, v in d.get("intervals", {}).items()},
                level=float(d["level"]), samples=samples, n_boot=int(d["n_boot"]),
                seed=None if d.get("seed") is None else int(d["seed"]),
                resample=str(d["resample"]), cells=cells, target=str(d["target"]),
                columns={str(k): str(v) for k, v in d.get("columns", {}).items()},
                seq_len=None if d.get("seq_len") is None else float(d["seq_len"]),
                window=int(d["window"]), n_runs=int(d["n_runs"]),
                input_ranges={str(k): (float(v[0]), float(v[1]))
                              for k, v in d["input_ranges"].items()},
                dataset=d.get("dataset"),
                residual_scale={str(k): _number(v)
                                for k, v in d.get("residual_scale", {}).items()},
                warnings=tuple(str(w) for w in d.get("warnings", [])),
                runs=(pd.DataFrame({c: np.asarray(d["runs"][c], dtype=float)
                                    for c in RUN_COLUMNS})
                      if isinstance(d.get("runs"), Mapping) else None))
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultFileError(
                f"the hyper-parameter fit is incomplete or malformed ({type(exc).__name__}: "
                f"{exc})", "hyper-parameter fit record", "save the fit again") from None

    def save(self, path: Any) -> None:
        """Write the fit as JSON, atomically."""
        from ..data.files import write_json_atomic

        write_json_atomic(path, self.to_dict())

    def with_warnings(self, messages: Sequence[str]) -> HyperparameterFit:
        """This fit with ``messages`` added before its own warnings (duplicates once)."""
        merged = tuple(dict.fromkeys([*messages, *self.warnings]))
        return dataclasses.replace(self, warnings=merged)


def _positive(value: Any, name: str) -> np.ndarray:
    try:
        x = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        x = np.array(np.nan)
    if x.size == 0 or not np.all(np.isfinite(x) & (x > 0)):
        raise OptionError(f"{name} must be positive, finite numbers, got {value!r}",
                          f"argument '{name}'", f"e.g. {name}=3e9")
    return x


def _plain(x: Any) -> Any:
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)
