"""The extrapolation benchmark of Alabdulmohsin, Neyshabur & Zhai (2022).

"Revisiting Neural Scaling Laws in Language and Vision", NeurIPS 2022, arXiv:2209.06640;
data and estimators in google-research/google-research, folder
``revisiting_neural_scaling_laws``. Every learning curve (one ``(Domain, Task, Model)``) is
split by its ``Training`` column into a fitted head and a held-out tail at larger ``x`` (seen
examples); each candidate law is fitted on the head and scored on the tail with
:func:`scalinglaws.validate.compare_laws`.

The paper's score is the root mean square of ``log(predicted) - log(y)`` over the held-out
points (``get_error`` in their notebook); a law *wins* a curve when that score, truncated to
three decimals, is the lowest, and tied winners share the win. Both rules are reproduced here.

The default candidates are the paper's estimators as closed-form laws in one input ``x``:

* ``M1``: ``A*x**(-alpha)`` (their ``beta * x**c``);
* ``M2``: ``E + A*x**(-alpha)`` with ``0 <= E <= min training loss``;
* ``M3``: ``A*(1/x + gamma)**alpha`` (their ``beta * (1/x + gamma)**c``, ``gamma >= 0``);
* ``M4_alpha1``: their M4, ``(y - E) / (E0 - y)**a = beta * x**c``, defines ``y`` only
  implicitly; for general ``a`` it is not an expression in ``x``, so it is **not** included.
  Its ``a = 1`` case (the ablation their code allows with ``update_alpha=False``) solves to
  ``(E + E0*A*x**(-alpha)) / (1 + A*x**(-alpha))`` and is the fourth default law.

Fitting: the paper's M1 and M3 are least squares on ``log y``, which is ``loss="mse_log"``
here and the default. Its M2 and M4 regress ``log(y - E)`` (M4: minus ``a*log(E0 - y)``) on
``log x``, a residual on the excess loss that the engine does not offer; ``mse_log`` on ``log
y`` is used for them too. Pass ``loss=...`` (and any other :func:`scalinglaws.fit` option) to
change it.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..common.jsonvalues import json_value
from ..common.numbers import table_float
from ..data.dataset import Dataset
from ..engine.status import FINISHED_VALUES
from ..exceptions import DataError, OptionError, ScalingLawError, ScalingLawWarning
from ..laws import resolve
from ..laws.law import Law
from ..laws.parameter import Parameter
from .compare import LawComparison, checked_laws, compare_laws

Array = np.ndarray

#: the score the paper ranks laws by, and the decimals it compares it to
METRIC = "rmse_log"
WIN_DECIMALS = 3


@lru_cache(maxsize=1)
def paper_laws() -> tuple[Law, ...]:
    """The default candidates M1, M2, M3 and M4 with its exponent ``a`` fixed at 1.

    Bounds are in the units :func:`benchmark` fits in by default (``normalize=True``): ``x``
    divided by the largest training ``x`` and ``y`` by the smallest training ``y``; so
    ``E <= 1`` means "E at most the smallest training loss" and ``E0 >= 1`` "E0 at least the
    smallest training loss". Built once: their compiled derivatives are reused for every curve.
    """
    floor = Parameter("E", 0.0, 1.0, log=True,
                      description="limit at infinite x; at most the smallest training loss")
    exponent = Parameter("alpha", 0.0, 10.0, description="exponent")
    amplitude = Parameter("A", 0.0, math.inf, log=True, description="amplitude")
    return (
        Law("A*x**(-alpha)", inputs={"x": "x"}, parameters=[amplitude, exponent], name="M1",
            description="power law (Alabdulmohsin et al. 2022, M1)",
            citation="Alabdulmohsin et al. 2022, arXiv:2209.06640, M1"),
        Law("E + A*x**(-alpha)", inputs={"x": "x"}, parameters=[floor, amplitude, exponent],
            name="M2", description="power law plus a limit (Alabdulmohsin et al. 2022, M2)",
            citation="Alabdulmohsin et al. 2022, arXiv:2209.06640, M2"),
        Law("A*(1/x + gamma)**alpha", inputs={"x": "x"},
            parameters=[amplitude, Parameter("gamma", 0.0, math.inf, log=True, init=(1e-3, 1e5),
                                             description="saturation: limit A*gamma**alpha"),
                        exponent],
            name="M3", description="saturating power law (Alabdulmohsin et al. 2022, M3)",
            citation="Alabdulmohsin et al. 2022, arXiv:2209.06640, M3"),
        Law("(E + E0*A*x**(-alpha))/(1 + A*x**(-alpha))", inputs={"x": "x"},
            parameters=[floor, Parameter("E0", 1.0, math.inf, log=True,
                                         description="limit at x -> 0 (random guessing)"),
                        Parameter("A", 0.0, math.inf, log=True, init=(1e-4, 1e4),
                                  description="amplitude"), exponent],
            name="M4_alpha1",
            description="M4 of Alabdulmohsin et al. 2022 with its exponent a fixed at 1",
            citation="Alabdulmohsin et al. 2022, arXiv:2209.06640, M4 (a = 1)"),
    )


@dataclass(frozen=True)
class BenchmarkResult:
    """The outcome of :func:`benchmark`.

    ``table`` has one row per curve and law: the curve's columns (lower case), ``law``,
    ``n_train``, ``n_test``, ``rmse_log`` (the paper's score), ``mean_abs_rel_error``,
    ``max_abs_rel_error``, ``max_extrapolation`` (how far beyond the training range the last
    held-out point lies), ``status`` and ``message`` (why a law failed, else empty).
    """

    table: pd.DataFrame
    curve_columns: tuple[str, ...]
    laws: tuple[str, ...]
    fit_options: Mapping[str, Any]
    normalize: bool
    seconds: float
    comparisons: Mapping[tuple[Any, ...], LawComparison] = field(default_factory=dict,
                                                             repr=False)

    @property
    def n_curves(self) -> int:
        return len(self.table.groupby(list(self.curve_columns), sort=False))

    @property
    def wins(self) -> pd.Series:
        """How many curves each law wins by the paper's rule (ties share the win: the counts
        sum to the number of curves where at least one law gave a finite score)."""
        counts = self.wins_by(None)
        return counts.iloc[0].rename("wins")

    def wins_by(self, column: str | None = "domain", *,
                decimals: int = WIN_DECIMALS) -> pd.DataFrame:
        """Win counts per value of ``column`` (one row each; ``None``: one row in all).

        A curve's winner has the lowest ``rmse_log`` after truncation to ``decimals``
        (as in the paper's notebook); tied winners share the win; a failed or non-finite
        score never wins.
        """
        t = self.table
        scores = t[METRIC].to_numpy(dtype=float)
        ok = np.isfinite(scores) & ~t["status"].str.startswith("error").to_numpy()
        scale = 10.0**decimals
        cut = np.where(ok, np.floor(scores * scale) / scale, np.inf)
        frame = t[[*self.curve_columns, "law"]].assign(_cut=cut)
        if column is not None and column not in frame.columns:
            raise OptionError(f"no column '{column}' to count wins by", "wins_by",
                              f"use one of {', '.join(self.curve_columns)} or None")
        rows: dict[Any, dict[str, float]] = {}
        for _, group in frame.groupby(list(self.curve_columns), sort=False):
            key = "all" if column is None else group[column].iloc[0]
            counts = rows.setdefault(key, dict.fromkeys(self.laws, 0.0))
            best = group["_cut"].min()
            if not np.isfinite(best):
                continue
            winners = group.loc[group["_cut"] == best, "law"]
            for law in winners:
                counts[law] += 1.0 / len(winners)
        out = pd.DataFrame.from_dict(rows, orient="index", columns=list(self.laws))
        out.index.name = column or "curves"
        return out

    def summary(self) -> pd.DataFrame:
        """One row per law: curves, failures (no finite score), fits with a parameter at a
        bound, fits that did not converge (``max_iter`` or an error; their forecasts are still
        scored), median and mean ``rmse_log`` and mean absolute relative error over the
        curves, wins and share of wins."""
        t = self.table
        wins = self.wins
        rows = []
        for law in self.laws:
            part = t[t["law"] == law]
            finite = np.isfinite(part[METRIC].to_numpy(dtype=float))
            rows.append({
                "law": law,
                "curves": len(part),
                "failed": int((~finite | part["status"].str.startswith("error")).sum()),
                "at_bound": int((part["status"] == "at_bound").sum()),
                "not_converged": int((~part["status"].isin(FINISHED_VALUES)).sum()),
                "median_rmse_log": float(part[METRIC].median()),
                "mean_rmse_log": float(part[METRIC].mean()),
                "median_abs_rel_error": float(part["mean_abs_rel_error"].median()),
                "mean_abs_rel_error": float(part["mean_abs_rel_error"].mean()),
                "wins": float(wins[law]),
                "win_share": float(wins[law] / max(wins.sum(), 1e-300)),
            })
        return pd.DataFrame(rows).set_index("law")

    def __str__(self) -> str:
        head = (f"Extrapolation benchmark: {self.n_curves} curves x {len(self.laws)} laws "
                f"({self.seconds:.1f} s); score {METRIC} on the held-out points\n")
        return head + self.summary().to_string(float_format=table_float)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: options, the summary, the win counts and every row of the table."""
        summary = self.summary().reset_index()
        return dict(json_value({
            "metric": METRIC, "win_decimals": WIN_DECIMALS,
            "n_curves": self.n_curves, "laws": list(self.laws),
            "fit_options": self.fit_options, "normalize": self.normalize,
            "seconds": self.seconds, "wins": self.wins.to_dict(),
            "summary": summary.to_dict(orient="records"),
            "table": self.table.to_dict(orient="records"),
        }))


def benchmark(frame: pd.DataFrame, laws: Sequence[Law | str] | None = None, *,
              curve: Sequence[str] = ("Domain", "Task", "Model"), x: str = "Seen Examples",
              y: str = "Loss", split: str = "Training", normalize: bool = True,
              dedupe: bool = True, **fit_options: Any) -> BenchmarkResult:
    """Fit every law on each curve's training rows and score it on its held-out rows.

    Parameters
    ----------
    frame:
        One row per point of a learning curve (the layout of the benchmark's CSV files).
    laws:
        One-input laws: :class:`Law` objects or expressions; their single input reads the
        curve's ``x``. Default: :func:`paper_laws` (M1, M2, M3, M4 with ``a = 1``).
    curve:
        The columns that identify a curve.
    x, y, split:
        The input, the target and the split column (1 or True: fit; 0 or False: hold out).
    normalize:
        Fit each curve in units of its own training range: ``x / max(training x)`` and
        ``y / min(training y)``, so one set of bounds suits every curve (``paper_laws``'
        bounds are read in these units). The four default laws, and any law whose only
        constants are parameters, give the same forecasts either way; the scores (log and
        relative errors) do not depend on the units. ``False`` fits the raw values.
    dedupe:
        Drop repeated rows (same ``x``, ``y`` and split) within a curve before fitting and
        scoring (the language file repeats most language-model points several times; the
        paper's code keeps one training value per ``x``).
    fit_options:
        Options of :func:`scalinglaws.fit`; ``loss`` defaults to ``"mse_log"`` (least
        squares on log y, the paper's objective for M1 and M3).

    Examples
    --------
    >>> import pandas as pd, scalinglaws as sl
    >>> from scalinglaws.validate import benchmark
    >>> x = [1e6, 2e6, 4e6, 8e6, 1.6e7, 3.2e7, 6.4e7]
    >>> frame = pd.DataFrame({"Domain": "toy", "Task": "t", "Model": "m", "Seen Examples": x,
    ...                       "Loss": [0.3 + 50 * v ** -0.4 for v in x],
    ...                       "Training": [1, 1, 1, 1, 1, 0, 0]})
    >>> result = benchmark(frame, ["E + A*x**(-alpha)", "A*x**(-alpha)"])
    >>> len(result.table), result.wins.idxmax()
    (2, 'E + A*x**(-alpha)')
    """
    started = time.perf_counter()
    curve = _checked_frame(frame, curve, x, y, split)
    law_list = _laws(laws)
    names = [law.name for law in law_list]
    if len(set(names)) != len(names):
        raise OptionError("two candidate laws share a name", f"laws: {names}",
                          "give each Law its own name=")
    options = {"loss": "mse_log", **fit_options}
    labels = [c.lower().replace(" ", "_") for c in curve]
    rows: list[dict[str, Any]] = []
    comparisons: dict[tuple[Any, ...], LawComparison] = {}
    for key, part in frame.groupby(curve, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        ident = dict(zip(labels, key, strict=True))
        try:
            ds, train, scales = _curve_data(part, x, y, split, normalize, dedupe)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", ScalingLawWarning)
                # criteria=False: the benchmark scores forecasts only, no AIC/BIC (which
                # would fit every law once more, on all of the curve's points)
                cmp = compare_laws(law_list, ds, train, n_boot=0, y="loss", criteria=False,
                                   **options)
        except (ScalingLawError, np.linalg.LinAlgError, ValueError) as exc:
            rows += _failed_rows(ident, names, part, split, exc)
            continue
        comparisons[key] = cmp
        rows += _scored_rows(ident, names, cmp, train, scales)
    table = pd.DataFrame(rows)
    return BenchmarkResult(table=table, curve_columns=tuple(labels), laws=tuple(names),
                           fit_options=options, normalize=normalize,
                           seconds=time.perf_counter() - started, comparisons=comparisons)


def _checked_frame(frame: Any, curve: Sequence[str] | str, x: str, y: str,
                   split: str) -> list[str]:
    """The curve columns as a list, once the frame is checked to have rows and every column
    named."""
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"benchmark takes a pandas DataFrame, got {type(frame).__name__}",
                        "argument 'frame'", "pd.read_csv('benchmark.lang.csv')")
    if frame.empty:
        raise DataError("the frame has no rows", "argument 'frame'",
                        "give one row per point of each learning curve")
    columns = [curve] if isinstance(curve, str) else list(curve)
    missing = [c for c in [*columns, x, y, split] if c not in frame.columns]
    if missing:
        raise DataError(f"the frame lacks the column(s) {missing}",
                        f"columns: {', '.join(map(str, frame.columns))}",
                        "name them with curve=, x=, y=, split=")
    return columns


def _scored_rows(ident: dict[str, Any], names: list[str], cmp: LawComparison, train: Array,
                 scales: tuple[float, float]) -> list[dict[str, Any]]:
    """One row per law of a curve whose comparison ran: its scores and status."""
    by_law = {str(r["law"]): r for r in cmp.table.to_dict(orient="records")}
    rows = []
    for name in names:
        r = by_law[name]
        bt = cmp.backtests.get(name)
        status = str(r["status"])
        rows.append({
            **ident, "law": name, "n_train": int(train.sum()),
            "n_test": int((~train).sum()), METRIC: float(r["rmse_log"]),
            "mean_abs_rel_error": float(r["mean_abs_rel_error"]),
            "max_abs_rel_error": float(r["max_abs_rel_error"]),
            "max_extrapolation": bt.max_extrapolation if bt is not None else math.nan,
            "status": status,
            "message": status[len("error: "):] if status.startswith("error") else "",
            "x_scale": scales[0], "y_scale": scales[1]})
    return rows


def _failed_rows(ident: dict[str, Any], names: list[str], part: pd.DataFrame, split: str,
                 exc: Exception) -> list[dict[str, Any]]:
    """One row per law of a curve that could not be compared at all, saying why."""
    message = getattr(exc, "what", None) or str(exc)
    try:
        n_train = int(np.sum(_split_mask(part[split])))
    except DataError:
        n_train = 0
    return [{**ident, "law": name, "n_train": n_train,
             "n_test": len(part) - n_train, METRIC: math.nan,
             "mean_abs_rel_error": math.nan, "max_abs_rel_error": math.nan,
             "max_extrapolation": math.nan, "status": f"error: {message}",
             "message": message, "x_scale": math.nan, "y_scale": math.nan}
            for name in names]


def _laws(laws: Sequence[Law | str] | None) -> list[Law]:
    if laws is None:
        return list(paper_laws())
    specs = checked_laws(laws, "benchmark",
                         "e.g. ['A*x**(-alpha)', 'E + A*x**(-alpha)'], or None for M1-M4")
    # bound once here: binding inside compare_laws (x=) would rebuild, and recompile, every
    # law for every curve
    return [resolve(law, x="x") for law in specs]


def _split_mask(values: pd.Series) -> np.ndarray:
    raw = values.to_numpy()
    if raw.dtype == bool:
        return raw
    num = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if not np.isin(num, (0.0, 1.0)).all():
        raise DataError("the split column must hold 1/0 or True/False",
                        f"values {sorted(set(map(str, raw)))[:5]}",
                        "mark fitted rows 1 and held-out rows 0")
    return num == 1.0


def _curve_data(part: pd.DataFrame, x: str, y: str, split: str, normalize: bool,
                dedupe: bool) -> tuple[Dataset, np.ndarray, tuple[float, float]]:
    sub = pd.DataFrame({"x": pd.to_numeric(part[x], errors="coerce"),
                        "loss": pd.to_numeric(part[y], errors="coerce"),
                        "_train": _split_mask(part[split])})
    if dedupe:
        sub = sub.drop_duplicates()
    xs, ys = sub["x"].to_numpy(dtype=float), sub["loss"].to_numpy(dtype=float)
    train = sub["_train"].to_numpy(dtype=bool)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all() and (xs > 0).all()):
        raise DataError("x must be positive and finite, y finite", "curve rows",
                        "drop the rows with missing or non-positive values")
    if not train.any() or train.all():
        raise DataError("the curve needs both fitted and held-out rows",
                        f"{int(train.sum())} fitted, {int((~train).sum())} held out",
                        "mark fitted rows 1 and held-out rows 0")
    sx = float(xs[train].max()) if normalize else 1.0
    sy = float(ys[train].min()) if normalize else 1.0
    if not sy > 0:
        raise DataError("the training losses must be positive to fit in log space",
                        f"smallest training value {sy:g}", "use loss='mse' and normalize=False")
    return Dataset(pd.DataFrame({"x": xs / sx, "loss": ys / sy})), train, (sx, sy)
