"""``standardize``: the ``params``, ``tokens`` and ``flops`` of a table computed in one declared
convention (model size with or without embeddings and in what unit, data as tokens, samples or
steps × batch, compute as k·N·D or from a column), recorded on the dataset as a
:class:`~scalinglaws.data.conventions.Convention`."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, OptionError
from . import validation as v
from .conventions import PARAMS_COUNTS, Convention, scaled
from .dataset import Dataset

#: the roles standardize computes (each may be missing from the result)
COMPUTED = ("params", "tokens", "flops", "loss")
#: what a batch counts
BATCH_UNITS = ("sequences", "tokens")
#: a role's original column, when replaced, is kept under this name
ORIGINAL = "{}_original"


@dataclass
class _Work:
    """The table being standardised: its columns, the roles computed so far and the columns
    they were read from."""

    frame: pd.DataFrame
    roles: dict[str, np.ndarray] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)
    conv: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str, option: str) -> np.ndarray:
        """The numbers of column ``name`` (named by ``option``), or a DataError naming the
        columns there are."""
        if not isinstance(name, str) or name not in self.frame.columns:
            raise DataError(f"the data have no column {name!r}",
                            f"available columns: {', '.join(map(str, self.frame.columns))}",
                            f"name one of them with {option}=")
        values = v.to_numeric_column(self.frame[name], name)
        v.check_finite(values, name)
        if name not in self.read:
            self.read.append(name)
        return values

    def number(self, value: float | str, option: str) -> np.ndarray | float:
        """A number given as such or as the column that holds one per row."""
        return self.column(value, option) if isinstance(value, str) else float(value)

    def set(self, role: str, values: Any, how: str) -> None:
        """Role ``role`` computed as ``how``: finite and positive, or a DataError naming the
        rows."""
        values = np.broadcast_to(np.asarray(values, dtype=float), (len(self.frame),))
        bad = np.flatnonzero(~np.isfinite(values) | (values <= 0))
        if bad.size:
            raise DataError(
                f"{role} computed as {how} are not all positive and finite (found "
                f"{values[bad[0]]:g})", f"{v.rows_text(bad)}",
                "drop those rows first (e.g. step 0, or a model smaller than its embeddings), "
                "or check the columns and the convention")
        self.roles[role] = np.array(values)


def standardize(data: Dataset | pd.DataFrame, *, params: str | None = None,
                params_scale: float = 1.0, embedding: str | None = None,
                params_count: str | None = None, tokens: str | None = None,
                samples: str | None = None, steps: str | None = None,
                batch_size: float | str | None = None, batch_unit: str = "sequences",
                seq_len: float | str | None = None, tokens_scale: float = 1.0,
                flops: str | None = None, flops_scale: float = 1.0,
                flops_factor: float | None = None, loss: str | None = None,
                keep_columns: bool = True, **dataset_kwargs: Any) -> Dataset:
    """A :class:`~scalinglaws.Dataset` whose ``params``, ``tokens`` and ``flops`` are computed
    in one declared convention, recorded as its :attr:`~scalinglaws.Dataset.convention`
    (shown by ``print(ds)``, in a notebook and in the summary of every fit made on it).

    Model size (``params``): column ``params`` (default: the column ``params``, if any) times
    ``params_scale`` (``1e9`` for a column in billions). ``params_count`` says what the result
    counts: ``"non-embedding"``, ``"with embeddings"`` or ``"as given"`` (the default: what
    the column holds, unstated). With ``embedding`` (a column of embedding parameters, in
    the units of ``params``) the count is converted: subtracted for ``"non-embedding"``
    (``params`` then counts with embeddings), added for ``"with embeddings"``.

    Data (``tokens``), from at most one of: ``tokens`` (a column of tokens), ``samples`` (a
    column of sequences, times ``seq_len``), ``steps`` (a column of steps, times
    ``batch_size`` sequences of ``seq_len`` tokens, or ``batch_size`` tokens with
    ``batch_unit="tokens"``); the column counted is multiplied by ``tokens_scale`` first
    (``1e12`` for trillions). ``batch_size`` and ``seq_len`` are numbers or the columns that
    hold them per row. Without any of them, the column ``tokens`` is taken as it is, if any.

    Compute (``flops``): column ``flops`` times ``flops_scale`` (``1e21`` for a column in
    units of 1e21 FLOPs); else ``flops_factor``·N·D (6 by default) when params and tokens are
    known; else the column ``flops`` as it is, if any. ``loss`` names the target's column.

    Every other column is kept. A column already named ``params``, ``tokens``, ``flops`` or
    ``loss`` that the result replaces with other values is kept as ``params_original`` (and
    so on); ``keep_columns=False`` drops it and the columns the roles were read from. Other
    keywords (``name``, ``citation``, ``columns`` for other roles such as ``run``) go to
    :class:`~scalinglaws.Dataset`; a Dataset given keeps its name and citation, and its
    convention is replaced by the one declared here (nothing is inherited: say it again).

    Raises :class:`~scalinglaws.OptionError` for options that contradict each other or lack
    a number (``samples`` without ``seq_len``, both ``tokens`` and ``steps``) and
    :class:`~scalinglaws.DataError` for a missing column (naming the columns there are) or
    results that are not positive (naming the rows).

    >>> import pandas as pd, scalinglaws as sl
    >>> runs = pd.DataFrame({"n_params": [1.2e8, 4.1e8], "emb": [2e7, 5e7],
    ...                      "step": [20_000, 40_000], "val_loss": [3.4, 3.0]})
    >>> ds = sl.data.standardize(runs, params="n_params", embedding="emb",
    ...                          params_count="non-embedding", steps="step", batch_size=512,
    ...                          seq_len=2048, loss="val_loss")
    >>> ds.params.tolist(), ds.tokens.tolist()
    ([100000000.0, 360000000.0], [20971520000.0, 41943040000.0])
    >>> print(ds.convention)  # doctest: +NORMALIZE_WHITESPACE
    params: non-embedding (column n_params − column emb); tokens: steps (column step)
    × 512 sequences × 2,048 tokens; flops: 6·N·D
    """
    frame, kwargs = _table(data, dataset_kwargs)
    work = _Work(frame)
    _params(work, params, params_scale, embedding, params_count)
    _tokens(work, tokens=tokens, samples=samples, steps=steps, batch_size=batch_size,
            batch_unit=batch_unit, seq_len=seq_len, scale=tokens_scale)
    _flops(work, flops, flops_scale, flops_factor)
    if loss is not None or "loss" in frame.columns:
        work.roles["loss"] = work.column(loss or "loss", "loss")
    if work.conv.get("flops") == "k·N·D":
        kwargs["flops_factor"] = work.conv["flops_factor"]
    return Dataset(_assemble(work, keep_columns), convention=Convention(**work.conv),
                   **kwargs)


def _table(data: Any, kwargs: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table to standardise and the keywords of the Dataset to build."""
    for key in ("convention", "flops_factor", "source"):
        if key in kwargs:
            raise OptionError(f"standardize sets {key} itself", f"standardize({key}=...)",
                              "leave it out" + (" (give flops_factor= for k·N·D)"
                                                if key == "flops_factor" else ""))
    taken = [role for role in (kwargs.get("columns") or {}) if role in COMPUTED]
    if taken:
        raise OptionError(f"columns= maps {', '.join(taken)}, which standardize computes",
                          "standardize(columns=...)",
                          f"name the column with {taken[0]}= instead")
    if isinstance(data, Dataset):
        kwargs = {"name": data.name, "citation": data.citation, **kwargs}
        return data.to_frame(), kwargs
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        frame.columns = [str(c) for c in frame.columns]
        return frame, dict(kwargs)
    raise DataError(f"data must be a Dataset or a DataFrame, got {type(data).__name__}",
                    "argument 'data' of standardize", "use pd.read_csv(...) or a Dataset")


def _positive(value: Any, option: str, *, column_allowed: bool = False) -> None:
    """A scale or factor: a positive finite number (or a column's name where allowed)."""
    if column_allowed and isinstance(value, str):
        return
    ok = (isinstance(value, numbers.Real) and not isinstance(value, bool)
          and math.isfinite(value) and float(value) > 0)
    if not ok:
        what = "a positive number" + (" or a column's name" if column_allowed else "")
        raise OptionError(f"{option} must be {what}, got {value!r}",
                          f"standardize({option}=...)", f"give {option} as {what}")


def _params(work: _Work, column: str | None, scale: float, embedding: str | None,
            count: str | None) -> None:
    _positive(scale, "params_scale")
    if count is not None and count not in PARAMS_COUNTS:
        raise OptionError(f"params_count={count!r} is not a way of counting parameters",
                          "standardize(params_count=...)",
                          "use " + ", ".join(map(repr, PARAMS_COUNTS)))
    if embedding is not None and count in (None, "as given"):
        raise OptionError("embedding= converts the count, but params_count does not say to "
                          "what", "standardize(embedding=..., params_count=...)",
                          "give params_count='non-embedding' (the embeddings subtracted) or "
                          "'with embeddings' (added)")
    given = column is not None or embedding is not None or count is not None or scale != 1
    if not given and "params" not in work.frame.columns:
        return
    column = column or "params"
    values = work.column(column, "params") * scale
    source = f"column {column}"
    if embedding is not None:
        sign = -1.0 if count == "non-embedding" else 1.0
        values = values + sign * work.column(embedding, "embedding") * scale
        source = f"({source} {'−' if sign < 0 else '+'} column {embedding})"
    work.set("params", values, scaled(source, scale))
    work.conv.update(params=count or "as given", params_column=column, params_scale=scale,
                     embedding_column=embedding)


def _tokens_options(*, tokens: str | None, samples: str | None, steps: str | None,
                    batch_size: Any, batch_unit: str, seq_len: Any) -> str | None:
    """Which of tokens, samples and steps the data are counted in (None: none given), the
    options checked against each other."""
    given = {k: c for k, c in (("tokens", tokens), ("samples", samples), ("steps", steps))
             if c is not None}
    if len(given) > 1:
        names = " and ".join(f"{k}={c!r}" for k, c in given.items())
        raise OptionError(f"{names} both say how many tokens each run saw",
                          "standardize(tokens=, samples=, steps=)", "give only one of them")
    how = next(iter(given), None)
    if batch_unit not in BATCH_UNITS:
        raise OptionError(f"batch_unit={batch_unit!r} is not a unit of batches",
                          "standardize(batch_unit=...)", "use 'sequences' or 'tokens'")
    if batch_size is not None and how != "steps":
        raise OptionError("batch_size= counts the tokens of a step, but no steps= column is "
                          "given", "standardize(batch_size=...)",
                          "name the column of steps with steps=, or leave batch_size out")
    if how == "steps" and batch_size is None:
        raise OptionError("steps= needs the batch size to count tokens",
                          "standardize(steps=...)",
                          "give batch_size= (sequences per step, with seq_len=; or tokens "
                          "per step with batch_unit='tokens')")
    wants_len = how == "samples" or (how == "steps" and batch_unit == "sequences")
    if wants_len and seq_len is None:
        raise OptionError(f"{how}= counts sequences, so the tokens need the sequence length",
                          f"standardize({how}=...)",
                          "give seq_len= (tokens per sequence, e.g. seq_len=2048)")
    if seq_len is not None and not wants_len:
        where = ("batch_unit='tokens' already counts tokens per step" if how == "steps"
                 else "seq_len= is used only with samples= or steps=")
        raise OptionError(f"seq_len={seq_len!r} would not be used: {where}",
                          "standardize(seq_len=...)", "leave seq_len out")
    return how


def _tokens(work: _Work, *, tokens: str | None, samples: str | None, steps: str | None,
            batch_size: Any, batch_unit: str, seq_len: Any, scale: float) -> None:
    how = _tokens_options(tokens=tokens, samples=samples, steps=steps, batch_size=batch_size,
                          batch_unit=batch_unit, seq_len=seq_len)
    _positive(scale, "tokens_scale")
    for option, value in (("batch_size", batch_size), ("seq_len", seq_len)):
        if value is not None:
            _positive(value, option, column_allowed=True)
    if how is None and scale == 1 and "tokens" not in work.frame.columns:
        return
    column = {"tokens": tokens, "samples": samples, "steps": steps}.get(how or "") or "tokens"
    values = work.column(column, how or "tokens") * scale
    if how == "samples":
        kind = "samples × L"
        values = values * work.number(seq_len, "seq_len")
    elif how == "steps":
        values = values * work.number(batch_size, "batch_size")
        kind = "steps × batch tokens" if batch_unit == "tokens" else "steps × batch × L"
        if batch_unit == "sequences":
            values = values * work.number(seq_len, "seq_len")
    else:
        kind = "tokens"
    work.conv.update(tokens=kind, tokens_column=column, tokens_scale=scale, seq_len=seq_len,
                     batch_size=batch_size)
    work.set("tokens", values, Convention(**work.conv)._tokens_text().removeprefix("tokens: "))


def _flops(work: _Work, column: str | None, scale: float, factor: float | None) -> None:
    _positive(scale, "flops_scale")
    if factor is not None:
        _positive(factor, "flops_factor")
    if column is not None and factor is not None:
        raise OptionError(f"flops={column!r} reads compute from a column, and flops_factor= "
                          "would compute it as k·N·D", "standardize(flops=, flops_factor=)",
                          "give only one of them")
    if column is None and scale != 1:
        raise OptionError("flops_scale= scales a column of compute, but no flops= column is "
                          "given", "standardize(flops_scale=...)",
                          "name the column with flops= (e.g. flops='FLOPs (1E21)', "
                          "flops_scale=1e21)")
    derive = column is None and {"params", "tokens"} <= set(work.roles)
    if factor is not None and not derive:
        raise OptionError("flops_factor= needs both params and tokens to compute k·N·D",
                          "standardize(flops_factor=...)",
                          "say how params and tokens are counted, or leave flops_factor out")
    if derive:
        k = 6.0 if factor is None else float(factor)
        with np.errstate(over="ignore"):
            values = k * work.roles["params"] * work.roles["tokens"]
        work.set("flops", values, f"{k:g}·N·D")
        work.conv.update(flops="k·N·D", flops_factor=k)
    elif column is not None or "flops" in work.frame.columns:
        column = column or "flops"
        work.set("flops", work.column(column, "flops") * scale,
                 scaled(f"column {column}", scale))
        work.conv.update(flops="column", flops_column=column, flops_scale=scale)


def _assemble(work: _Work, keep_columns: bool) -> pd.DataFrame:
    """The original columns with the roles computed, a replaced role's original column
    renamed out of the way (or dropped, when it held the same values or ``keep_columns`` is
    False)."""
    frame = work.frame.copy()
    for role, values in work.roles.items():
        if role not in frame.columns:
            continue
        same = _equal(frame[role], values)
        if not same and keep_columns:
            kept = _free(ORIGINAL.format(role), frame.columns)
            frame = frame.rename(columns={role: kept})
            if role in work.read:
                work.read[work.read.index(role)] = kept
        else:
            frame = frame.drop(columns=role)
    if not keep_columns:
        frame = frame.drop(columns=[c for c in work.read if c in frame.columns])
    for role, values in work.roles.items():
        frame[role] = values
    return frame


def _equal(series: pd.Series, values: np.ndarray) -> bool:
    got = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    return bool(np.array_equal(got, values))


def _free(name: str, taken: Iterable[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... if taken."""
    taken = set(taken)
    out, k = name, 1
    while out in taken:
        k += 1
        out = f"{name}_{k}"
    return out
