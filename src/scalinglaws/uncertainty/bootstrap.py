"""The bootstrap of a fit: resamples as a batch dimension of one batched refit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..common import latex
from ..common.checks import check_level, check_resamples
from ..common.display import frame_cells, html_table, text_table
from ..common.jsonvalues import json_value
from ..common.numbers import level_label
from ..engine.links import Link
from ..exceptions import OptionError, ResultFileError
from ..laws.law import Law, shaped
from . import intervals as iv
from .batchfit import refit_weighted
from .refit import estimate_search, fit_data, fit_objective
from .resample import bootstrap_weights, clusters, jackknife_weights, warn_few_clusters

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from .fitted import FittedLaw

Array = np.ndarray
METHODS = ("percentile", "bca")


class Bootstrap:
    """Parameters refitted on ``n`` resamples of the data (points or clusters).

    Built by :meth:`FitResult.bootstrap`. ``params`` is a DataFrame with one row per
    resample; ``interval(name, level)`` a confidence interval (percentile or BCa);
    ``predict_interval`` an interval for the law's mean at new inputs and
    ``prediction_interval`` one for a new observation (adds the fit's residual noise).

    Examples
    --------
    >>> import scalinglaws as sl
    >>> f = sl.fit("chinchilla", sl.datasets.load("chinchilla"))
    >>> bs = f.bootstrap(200, seed=0)
    >>> lo, hi = bs.interval("alpha", 0.95)
    >>> lo < f.params["alpha"] < hi
    True
    """

    def __init__(self, *, law: Law, estimate: Array, samples: Array, by: str | None,
                 n_clusters: int, seed: int | None, n_moved: int, residuals: Array,
                 log_space: bool, jackknife: Array | None = None,
                 fit: FittedLaw | None = None, data: Dataset | None = None,
                 shift: float = 0.0, level: float = 0.95,
                 method: str = "percentile", link: Link | None = None) -> None:
        self.law = law
        self.names = law.parameter_names
        self.estimate = np.asarray(estimate, dtype=float)
        self.samples = np.asarray(samples, dtype=float)
        self.by = by
        self.n_clusters = n_clusters
        self.seed = seed
        self.n_moved = n_moved
        self.residuals = np.asarray(residuals, dtype=float)
        self.log_space = log_space  # residuals off the target's scale (log or logit)
        self.shift = float(shift)  # log residuals are ln(f + shift) − ln(y + shift)
        #: the space of the residuals: r = h(f) − h(y)
        self.link = link if link is not None else Link("log" if log_space else "identity",
                                                       self.shift)
        self._jackknife = jackknife
        self._fit = fit
        self._data = data if data is not None or fit is None else fit.data
        #: the level and method of the intervals a saved fit reports (``intervals`` in its
        #: record); any other level can be asked of :meth:`interval`
        self.level = check_level(level)
        self.method = _check_method(method)

    # -- what it holds ----------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of resamples."""
        return int(self.samples.shape[0])

    @property
    def ok(self) -> Array:
        """Which resamples gave a finite fit."""
        return np.isfinite(self.samples).all(axis=1)

    @property
    def n_failed(self) -> int:
        return int((~self.ok).sum())

    @property
    def params(self) -> pd.DataFrame:
        """One row per successful resample, one column per parameter."""
        return pd.DataFrame(self.samples[self.ok], columns=list(self.names))

    @property
    def cov(self) -> Array:
        """Covariance of the parameters over the resamples (natural units)."""
        good = self.samples[self.ok]
        if len(good) < 2:
            return np.full((len(self.names), len(self.names)), np.nan)
        return np.atleast_2d(np.cov(good, rowvar=False))

    @property
    def stderr(self) -> dict[str, float]:
        """Bootstrap standard deviation of each parameter."""
        return {n: float(np.sqrt(v)) for n, v in zip(self.names, np.diag(self.cov), strict=True)}

    # -- intervals --------------------------------------------------------------------------
    def interval(self, name: str, level: float = 0.95,
                 method: str = "percentile") -> tuple[float, float]:
        """Confidence interval of one parameter: ``method`` ``"percentile"`` or ``"bca"``."""
        level = check_level(level)
        j = self._index(name)
        if method == "percentile":
            return iv.percentile(self.samples[:, j], level)
        if method == "bca":
            return iv.bca(self.samples[:, j], float(self.estimate[j]), self.jackknife()[:, j],
                          level)
        raise OptionError(f"unknown interval method '{method}'", "argument 'method'",
                          f"use one of {', '.join(METHODS)}")

    def intervals(self, level: float = 0.95,
                  method: str = "percentile") -> dict[str, tuple[float, float]]:
        """``interval`` for every parameter."""
        return {n: self.interval(n, level, method) for n in self.names}

    def predict_interval(self, level: float = 0.9, **inputs: Any) -> tuple[Any, Any]:
        """Interval for the law's mean at the inputs (percentiles over the resamples)."""
        level = check_level(level)
        values, shape = self._values(inputs)
        lo, hi = _quantiles(values, level)
        return shaped(lo, shape), shaped(hi, shape)

    def prediction_interval(self, level: float = 0.9, *, seed: int | None = 0,
                            **inputs: Any) -> tuple[Any, Any]:
        """Interval for a new observation: the law's uncertainty plus the fit's residual noise
        (each resample's prediction combined with a residual drawn from the fit's)."""
        level = check_level(level)
        values, shape = self._values(inputs)
        r = self.residuals[np.isfinite(self.residuals)]
        if r.size == 0:
            r = np.zeros(1)
        rng = np.random.default_rng(seed)
        draw = rng.choice(r, size=values.shape)
        noisy = self.link.shifted(values, -draw)
        lo, hi = _quantiles(noisy, level)
        return shaped(lo, shape), shaped(hi, shape)

    def _values(self, inputs: Mapping[str, Any]) -> tuple[Array, tuple[int, ...]]:
        flat, shape = self.law.flat_inputs(inputs)
        good = self.samples[self.ok]
        if len(good) == 0:
            return np.full((1, int(np.prod(shape))), np.nan), shape
        with np.errstate(all="ignore"):
            return self.law.evaluate(flat, good), shape

    def _index(self, name: str) -> int:
        if name not in self.names:
            raise OptionError(f"unknown parameter '{name}'", f"law '{self.law.name}'",
                              f"use one of {', '.join(self.names)}")
        return self.names.index(name)

    def jackknife(self) -> Array:
        """Leave-one-unit-out estimates (units: points or clusters), for BCa; computed once."""
        if self._jackknife is None:
            if self._fit is None or self._data is None:
                raise OptionError("BCa intervals need the fit's data, which this bootstrap "
                                  "does not carry (it was read from a file)",
                                  "method='bca'", "use method='percentile' or rerun the "
                                  "bootstrap on the data")
            obj = fit_objective(self._fit, self._data)
            cl = clusters(self._data, self.by)
            refits = refit_weighted(obj, estimate_search(self._fit, obj), jackknife_weights(cl))
            self._jackknife = refits.params
        return self._jackknife

    # -- presentation and files -------------------------------------------------------------
    def summary_frame(self, level: float = 0.95, method: str = "percentile") -> pd.DataFrame:
        """Estimate, bootstrap standard deviation and interval of every parameter."""
        rows = []
        sd = self.stderr
        for j, n in enumerate(self.names):
            lo, hi = self.interval(n, level, method)
            rows.append({"parameter": n, "estimate": float(self.estimate[j]), "sd": sd[n],
                         "lower": lo, "upper": hi})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return f"<{self._headline()}>"

    def _headline(self) -> str:
        unit = f"clusters of '{self.by}'" if self.by else "points"
        return (f"Bootstrap of '{self.law.name}': {self.n} resamples of {self.n_clusters} "
                f"{unit}; {self.n_failed} failed, {self.n_moved} in another basin")

    def _shown(self) -> tuple[pd.DataFrame, str]:
        """Estimate, sd and interval of each parameter under display headers, and the
        intervals' kind: the bootstrap's own level and method (percentile when BCa cannot be
        had: it needs the data, which a bootstrap read from a file lacks)."""
        method = self.method
        try:
            frame = self.summary_frame(self.level, method)
        except OptionError:
            method = "percentile"
            frame = self.summary_frame(self.level, method)
        pct = level_label(self.level)
        header = ["parameter", "estimate", "sd", f"{pct} lower", f"{pct} upper"]
        return frame.set_axis(header, axis=1), f"{pct} {method} intervals"

    def __str__(self) -> str:
        frame, kind = self._shown()
        return "\n".join([self._headline(), text_table(*frame_cells(frame)), kind])

    def _repr_html_(self) -> str:
        frame, kind = self._shown()
        return html_table(*frame_cells(frame), caption=f"{self._headline()} ({kind})")

    def to_latex(self) -> str:
        """The estimates, standard deviations and intervals as a booktabs ``tabular``."""
        return latex.frame_tabular(self._shown()[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n, "by": self.by, "seed": self.seed, "n_clusters": self.n_clusters,
            "n_moved": self.n_moved, "n_failed": self.n_failed, "log_space": self.log_space,
            **({"shift": self.shift} if self.shift else {}),
            **({"link": self.link.kind} if self.link.kind == "logit" else {}),
            "level": self.level, "method": self.method, "stderr": json_value(self.stderr),
            "samples": [[json_value(v) for v in row] for row in self.samples],
            "residuals": [json_value(v) for v in self.residuals],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], law: Law, estimate: Array) -> Bootstrap:
        p = len(law.parameters)
        try:
            samples = np.array(d["samples"], dtype=float)
            n = None if d.get("n") is None else int(d["n"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultFileError(f"the bootstrap record is malformed ({exc})",
                                  "field 'bootstrap'", "rerun the bootstrap") from None
        if samples.ndim != 2 or samples.shape[1] != p or (n is not None and len(samples) != n):
            count = "" if n is None else f" ({n} of them, as its field 'n' says)"
            raise ResultFileError(
                f"the bootstrap samples must be a list of resamples{count}, each a list of "
                f"the {p} parameter values; got an array of shape {samples.shape}",
                "field 'bootstrap.samples'", "rerun the bootstrap and save the fit again")
        try:
            return cls(law=law, estimate=estimate, samples=samples, by=d.get("by"),
                       n_clusters=int(d["n_clusters"]), seed=d.get("seed"),
                       n_moved=int(d.get("n_moved", 0)),
                       residuals=np.array(d.get("residuals", []), dtype=float),
                       log_space=bool(d.get("log_space", True)),
                       shift=float(d.get("shift", 0.0)), level=float(d.get("level", 0.95)),
                       method=str(d.get("method", "percentile")),
                       link=Link("logit") if d.get("link") == "logit" else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise ResultFileError(f"the bootstrap record is malformed ({exc})",
                                  "field 'bootstrap'", "rerun the bootstrap") from None


def run_bootstrap(fit: FittedLaw, n: int = 1000, *, by: str | None = None,
                  seed: int | None = None, data: Dataset | None = None,
                  progress: Callable[[int, int], None] | None = None, level: float = 0.95,
                  method: str = "percentile") -> Bootstrap:
    """Refit ``fit`` on ``n`` resamples (see :meth:`FitResult.bootstrap`)."""
    n = check_resamples(n)
    level, method = check_level(level), _check_method(method)
    ds = fit_data(fit, data)
    cl = clusters(ds, by)
    warn_few_clusters(cl)
    obj = fit_objective(fit, ds)
    warm = estimate_search(fit, obj)
    rng = np.random.default_rng(seed)
    W = bootstrap_weights(cl, n, rng)
    refits = refit_weighted(obj, warm, W, others=_other_basins(fit, obj, warm),
                            progress=progress)
    residuals = obj.residual_jacobian(warm[None, :])[0][0]
    estimate = obj.natural(warm[None, :])[0]
    return Bootstrap(law=fit.law, estimate=estimate, samples=refits.params, by=by,
                     n_clusters=cl.count, seed=seed, n_moved=int(refits.moved.sum()),
                     residuals=residuals, log_space=not obj.link.identity, fit=fit,
                     data=ds, shift=obj.link.shift, level=level, method=method, link=obj.link)


def _other_basins(fit: FittedLaw, obj: Any, warm: Array, limit: int = 3) -> Array | None:
    """Distinct local optima the full fit's starts reached (search coordinates)."""
    if fit.starts is None:
        return None
    table = fit.starts
    usable = ("converged", "max_iter", "stalled")
    good = np.array([s in usable for s in table.status]) & np.isfinite(table.objective)
    finals = table.final[good]
    finals = finals[np.argsort(table.objective[good])]
    kept: list[Array] = []
    ref = [obj.natural(warm[None, :])[0]]
    for row in finals:
        if not np.isfinite(row).all():
            continue
        if all(np.max(np.abs(row - r) / (np.abs(r) + 1e-12)) > 1e-2 for r in ref):
            kept.append(row)
            ref.append(row)
            if len(kept) == limit:
                break
    if not kept:
        return None
    P = np.array(kept)
    P = np.where(obj.log_mask & (P <= 0), 1e-300, P)
    return np.asarray(obj.clip(obj.search(P)))


def _quantiles(values: Array, level: float) -> tuple[Array, Array]:
    """The central ``level`` interval of each column (m) of ``values`` (K, m), ignoring NaN;
    NaN, without numpy's warning, where a column has no value (no resample succeeded)."""
    a = (1.0 - level) / 2.0
    lo = np.full(values.shape[1], np.nan)
    hi = np.full(values.shape[1], np.nan)
    some = (~np.isnan(values)).any(axis=0)
    if some.any():
        lo[some], hi[some] = np.nanquantile(values[:, some], [a, 1.0 - a], axis=0)
    return lo, hi


def _check_method(method: object) -> str:
    if not isinstance(method, str) or method not in METHODS:
        raise OptionError(f"unknown interval method {method!r}", "argument 'method'",
                          f"use one of {', '.join(METHODS)}")
    return method
