"""Sizes from model shapes: a table whose rows describe transformers (layers, width, heads,
vocabulary...) gets ``params`` and ``flops`` counted from each shape (:mod:`scalinglaws.arch`),
in a declared convention recorded on the dataset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..arch import Transformer
from ..exceptions import DataError, OptionError, ScalingLawError
from .conventions import Convention
from .dataset import Dataset

#: what ``params`` counts, by the name ``from_shapes`` takes
COUNTS = {"non-embedding": "non_embedding", "with embeddings": "total", "active": "active"}
_FIELDS = ("n_layers", "d_model", "n_heads", "vocab", "n_kv_heads", "d_ff", "gated", "tied",
           "n_experts", "experts_active", "n_ctx", "bias", "norm", "positional")


def from_shapes(data: Dataset | pd.DataFrame, shape: Mapping[str, Any], *,
                count: str = "non-embedding", flops: str = "6ND", tokens: str = "tokens",
                **dataset_kwargs: Any) -> Dataset:
    """A Dataset whose ``params`` (and ``flops``) are counted from each row's transformer
    shape. ``shape`` maps the fields of :class:`~scalinglaws.arch.Transformer` to a column
    of the table or to one value for every row: ``{"n_layers": "layers", "d_model":
    "width", "n_heads": "heads", "vocab": 50257, "tied": True}``. ``count``: what
    ``params`` counts (``"non-embedding"``, ``"with embeddings"`` or ``"active"``);
    ``flops``: ``"6ND"`` (6·N·D with that N) or ``"exact"`` (every matrix product and the
    attention context, times 3 for training, times the row's ``tokens``). A column named
    ``params`` or ``flops`` already in the table is kept as ``params_original`` /
    ``flops_original``. The convention is recorded on the dataset.

    >>> import pandas as pd, scalinglaws as sl
    >>> runs = pd.DataFrame({"layers": [12, 24], "width": [768, 1024], "heads": [12, 16],
    ...                      "tokens": [3e9, 2e10], "loss": [3.3, 2.9]})
    >>> ds = sl.data.from_shapes(runs, {"n_layers": "layers", "d_model": "width",
    ...                                 "n_heads": "heads", "vocab": 50257})
    >>> int(ds.params[0])
    84973056
    """
    if count not in COUNTS:
        raise OptionError(f"unknown count '{count}'", "argument 'count'",
                          f"use one of {', '.join(map(repr, COUNTS))}")
    if flops not in ("6ND", "exact"):
        raise OptionError(f"unknown flops convention '{flops}'", "argument 'flops'",
                          "use '6ND' or 'exact'")
    frame = data.to_frame() if isinstance(data, Dataset) else pd.DataFrame(data).copy()
    unknown = sorted(set(shape) - set(_FIELDS))
    if unknown:
        raise OptionError(f"unknown shape field(s): {', '.join(unknown)}", "argument 'shape'",
                          f"use fields of sl.arch.Transformer: {', '.join(_FIELDS)}")
    columns = [v if isinstance(v, str) and v in frame.columns else f"{k}={v}"
               for k, v in shape.items()]
    missing = [k for k in ("n_layers", "d_model", "n_heads", "vocab") if k not in shape]
    if missing:
        raise OptionError(f"the shape needs {', '.join(missing)}", "argument 'shape'",
                          "map each to a column or give one value")
    if tokens not in frame.columns:
        raise DataError(f"the data have no column '{tokens}'",
                        f"columns: {', '.join(map(str, frame.columns))}",
                        "name the tokens column with tokens=")
    counts, per_token = _counted(frame, shape, COUNTS[count])
    for name in ("params", "flops"):
        if name in frame.columns:
            frame = frame.rename(columns={name: f"{name}_original"})
    frame["params"] = counts
    d = pd.to_numeric(frame[tokens], errors="coerce").to_numpy(dtype=float)
    frame["flops"] = 6.0 * counts * d if flops == "6ND" else per_token * d
    if tokens != "tokens":
        frame = frame.rename(columns={tokens: "tokens"})
    convention = Convention(params=count, shape_columns=tuple(dict.fromkeys(columns)),
                            tokens="tokens", tokens_column=tokens,
                            flops="k·N·D" if flops == "6ND" else "exact",
                            flops_factor=6.0 if flops == "6ND" else None)
    return Dataset(frame, convention=convention, **dataset_kwargs)


def _counted(frame: pd.DataFrame, shape: Mapping[str, Any],
             attribute: str) -> tuple[np.ndarray, np.ndarray]:
    """Each row's parameter count and exact training FLOPs per token."""
    params = np.empty(len(frame))
    per_token = np.empty(len(frame))
    cache: dict[tuple[Any, ...], tuple[int, float]] = {}
    for i in range(len(frame)):
        fields = {k: _value(frame, v, i) for k, v in shape.items()}
        key = tuple(sorted(fields.items()))
        if key not in cache:
            try:
                model = Transformer(**fields)
            except ScalingLawError as exc:
                raise DataError(f"row {i} is not a valid transformer shape: {exc.what}",
                                f"row {i} (counting from 0), {exc.where}",
                                exc.fix or "fix the shape columns") from None
            counts = model.params()
            cache[key] = (int(getattr(counts, attribute)), model.flops_per_token())
        params[i], per_token[i] = cache[key]
    return params, per_token


def _value(frame: pd.DataFrame, source: Any, row: int) -> Any:
    if isinstance(source, str) and source in frame.columns:
        value = frame[source].iloc[row]
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return int(value)
        return value.item() if isinstance(value, np.generic) else value
    return source
