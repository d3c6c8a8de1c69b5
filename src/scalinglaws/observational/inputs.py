"""The table an observational fit reads: one row per model, its benchmark scores (fractions
in [0, 1], missing cells allowed), its family and training compute, and optionally a target
metric; checked here once, with errors that name the column and the models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, OptionError

#: the eight benchmarks of Ruan et al. (Open LLM Leaderboard v1 tasks, XWinograd, HumanEval)
PAPER_BENCHMARKS = ("MMLU", "ARC-C", "HellaSwag", "Winograd", "TruthfulQA", "GSM8K",
                    "XWinograd", "HumanEval")
#: the 21 model families the paper evaluated (its ``EVAL_BASE_MODEL_FAMILIES``); the bundled
#: table adds later releases and families the reference code loads but leaves out by default
PAPER_FAMILIES = ("Llama-2", "Llama", "Llama-3", "Qwen1.5", "Qwen", "Mistral", "Mixtral", "Yi",
                  "Gemma", "Falcon", "Phi", "Pythia", "BLOOM", "GPT-Neo/J", "OPT", "MPT",
                  "XGLM", "CodeLlama", "StarCoder", "StarCoder2", "DeepSeek-Coder")
#: fewest models a capability space is fitted on
MIN_MODELS = 3


@dataclass(frozen=True, eq=False)
class Table:
    """The checked columns, as arrays aligned with ``models``."""

    models: np.ndarray
    benchmarks: tuple[str, ...]
    scores: np.ndarray
    target_name: str | None
    target: np.ndarray | None
    #: log10 of the training compute in FLOPs (NaN where unknown), or None without a column
    log_compute: np.ndarray | None
    families: np.ndarray | None
    #: why there is no compute or family column, when there is none
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.models)

    def take(self, rows: np.ndarray) -> Table:
        """The table's rows ``rows`` (indices, repeats allowed)."""
        pick = np.asarray(rows, dtype=int)
        return Table(self.models[pick], self.benchmarks, self.scores[pick], self.target_name,
                     None if self.target is None else self.target[pick],
                     None if self.log_compute is None else self.log_compute[pick],
                     None if self.families is None else self.families[pick], self.notes)


def as_frame(scores: Any) -> pd.DataFrame:
    """A DataFrame from a DataFrame, a Dataset, or a file or registry name."""
    if isinstance(scores, pd.DataFrame):
        return scores.reset_index(drop=True)
    if isinstance(scores, str | Path):
        from ..data.dataset import Dataset

        return Dataset.read(str(scores)).to_frame().reset_index(drop=True)
    to_frame = getattr(scores, "to_frame", None)
    if callable(to_frame):
        frame = to_frame()
        if isinstance(frame, pd.DataFrame):
            return frame.reset_index(drop=True)
    raise DataError(f"scores must be a DataFrame, a Dataset, or a file or dataset name, got "
                    f"{type(scores).__name__}", "argument 'scores'",
                    "e.g. sl.datasets.load('observational')")


def read_table(frame: pd.DataFrame, *, benchmarks: Sequence[str] | None, target: str | None,
               compute: str | None, family: str | None, compute_scale: float,
               model: str | None) -> Table:
    """Check ``frame`` and take its columns."""
    labels = (frame[model].astype(str).to_numpy() if model and model in frame.columns
              else np.array([f"row {i}" for i in range(len(frame))], dtype=object))
    names = _benchmarks(frame, benchmarks, target)
    scores = np.column_stack([_fractions(frame, b, labels, "benchmark") for b in names])
    empty = np.isnan(scores).all(axis=1)
    if empty.any():
        raise DataError("these models have no score on any benchmark", _rows(labels, empty),
                        "drop them, or give them a score")
    if len(frame) < MIN_MODELS:
        raise DataError(f"a capability space needs at least {MIN_MODELS} models, got "
                        f"{len(frame)}", "argument 'scores'", "give more models")
    y = None
    if target is not None:
        if target not in frame.columns:
            raise DataError(f"no target column '{target}'", "argument 'target'",
                            f"choose one of: {', '.join(map(str, frame.columns))}")
        y = _fractions(frame, target, labels, "target")
    notes: list[str] = []
    log_c = None
    if compute is not None and compute in frame.columns:
        if not np.isfinite(compute_scale) or compute_scale <= 0:
            raise OptionError(f"compute_scale must be a positive number, got {compute_scale!r}",
                              "argument 'compute_scale'", "e.g. 1e21 for a column in 1E21 FLOPs")
        c = _numbers(frame, compute, "compute")
        bad = np.isfinite(c) & (c <= 0)
        if bad.any():
            raise DataError(f"training compute must be positive (column '{compute}')",
                            _rows(labels, bad), "leave unknown compute empty")
        with np.errstate(invalid="ignore"):
            log_c = np.log10(c * compute_scale)
    else:
        notes.append(f"no compute column ('{compute}'): no family efficiency, no "
                     "compute-only baseline")
    fam = None
    if family is not None and family in frame.columns:
        fam = frame[family].astype(str).where(frame[family].notna(), "").to_numpy(dtype=object)
    else:
        notes.append(f"no family column ('{family}'): no family efficiency")
    return Table(labels.astype(object), names, scores, target, y, log_c, fam, tuple(notes))


def _benchmarks(frame: pd.DataFrame, benchmarks: Sequence[str] | None,
                target: str | None) -> tuple[str, ...]:
    if benchmarks is None:
        names = tuple(b for b in PAPER_BENCHMARKS if b in frame.columns and b != target)
        if len(names) < 2:
            raise OptionError("name the benchmark columns: the table has fewer than two of the "
                              f"paper's ({', '.join(PAPER_BENCHMARKS)})",
                              "argument 'benchmarks'", "e.g. benchmarks=['bbh', 'gpqa', 'musr']")
        return names
    if isinstance(benchmarks, str):
        benchmarks = [b.strip() for b in benchmarks.split(",") if b.strip()]
    names = tuple(dict.fromkeys(str(b) for b in benchmarks))
    unknown = [b for b in names if b not in frame.columns]
    if unknown:
        raise DataError(f"no benchmark column(s) {', '.join(map(repr, unknown))}",
                        "argument 'benchmarks'",
                        f"choose among: {', '.join(map(str, frame.columns))}")
    if target is not None and target in names:
        raise OptionError(f"the target '{target}' is also a benchmark: its value would be an "
                          "input of its own prediction", "argument 'benchmarks'",
                          "leave it out of the benchmarks")
    if len(names) < 2:
        raise OptionError(f"a capability space needs at least two benchmarks, got {len(names)}",
                          "argument 'benchmarks'")
    return names


def _numbers(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    text = frame[column].notna() & values.isna()
    if text.any():
        raise DataError(f"the {what} column '{column}' holds values that are not numbers",
                        f"rows {', '.join(map(str, np.flatnonzero(text.to_numpy())[:5]))}",
                        "leave missing values empty")
    out = values.to_numpy(dtype=float)
    if np.isinf(out).any():
        raise DataError(f"the {what} column '{column}' holds infinite values")
    return out


def _fractions(frame: pd.DataFrame, column: str, labels: np.ndarray, what: str) -> np.ndarray:
    values = _numbers(frame, column, what)
    if np.isnan(values).all():
        raise DataError(f"every value of the {what} column '{column}' is missing",
                        f"column '{column}'", "drop the column or fill it in")
    outside = np.isfinite(values) & ((values < 0) | (values > 1))
    if outside.any():
        noun = "scores" if what == "benchmark" else f"{what} values"
        raise DataError(f"{noun} must be fractions in [0, 1] (column '{column}')",
                        _rows(labels, outside), "divide percentages by 100")
    return values


def _rows(labels: np.ndarray, mask: np.ndarray) -> str:
    hit = [str(x) for x in labels[np.asarray(mask)]]
    more = f" and {len(hit) - 5} more" if len(hit) > 5 else ""
    return "models " + ", ".join(hit[:5]) + more
