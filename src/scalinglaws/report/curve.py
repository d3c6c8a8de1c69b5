"""What the report's interactive figures draw: one :class:`Curve` per fitted law (per group of
a joint fit), the x axis it is drawn on, and the law's values and residuals on its runs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.dataset import Dataset
from ..exceptions import DataError
from ..fitting import FitResult
from .page import plotly_text

Array = np.ndarray
#: Okabe & Ito's colour-blind-safe palette, black last
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: marker symbols, one per round of the palette (groups beyond 7 differ by shape too)
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "cross", "x")
COMPUTE = "flops"
PARITY = "(predicted)"


@dataclass(frozen=True)
class Curve:
    """One fitted law to draw: its legend label, the fit, its runs (or None), its colour and
    marker, the report item it comes from and, for a group of a joint fit, the group
    (``family=a``), whose runs are drawn in the curve's colour and named by it."""

    label: str
    fit: FitResult
    data: Dataset | None
    colour: str
    item: int = 0
    group: str | None = None
    symbol: str = "circle"

    @property
    def key(self) -> str:
        """The legend group of the curve: its line, its residuals (and a group's runs)."""
        return f"curve:{self.label}"


def styled(k: int) -> tuple[str, str]:
    """Colour and marker of the k-th curve."""
    return PALETTE[k % len(PALETTE)], SYMBOLS[(k // len(PALETTE)) % len(SYMBOLS)]


def x_axis(fit: FitResult) -> str:
    """Which x axis a fit is drawn on: ``flops``, its one input's column, or ``(predicted)``."""
    cols = [str(c) for c in fit.columns.values()]
    if set(cols) == {"params", "tokens"}:
        return COMPUTE
    return cols[0] if len(cols) == 1 else PARITY


def x_label(axis: str, target: str) -> str:
    if axis == COMPUTE:
        return "training compute C (FLOPs)"
    return f"predicted {plotly_text(target)}" if axis == PARITY else plotly_text(axis)


def run_names(ds: Dataset) -> list[str]:
    """A name per run: the ``run`` or ``name`` column when there is one, else the row number."""
    for col in ("run", "name"):
        if ds.has(col):
            return [str(v) for v in ds.labels(col)]
    return [f"row {i}" for i in range(len(ds))]


def predicted(fit: FitResult, ds: Dataset) -> Array:
    """The law at the fitted parameters on every run (no query warnings: these are the runs)."""
    missing = [str(c) for c in fit.columns.values() if not ds.has(str(c))]
    if missing or not ds.has(fit.target):
        lacks = ", ".join(missing + ([] if ds.has(fit.target) else [fit.target]))
        raise DataError(f"the data to plot lack the column(s) {lacks} of the fit "
                        f"'{fit.law.name}'", f"dataset {ds.name or '(unnamed)'}",
                        "pass the runs the law was fitted to (data=..., CLI: --data)")
    inputs = {str(c): ds.column(str(c)) for c in fit.columns.values()}
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(fit.law(fit.params, **inputs), dtype=float),
                               (len(ds),)).copy()


def residuals(observed: Array, pred: Array) -> tuple[Array, str]:
    """ln(observed / predicted) when both are positive throughout, else observed - predicted."""
    with np.errstate(all="ignore"):
        if np.all(observed > 0) and np.all(pred[np.isfinite(pred)] > 0):
            return np.log(observed) - np.log(pred), "ln(observed / predicted)"
        return observed - pred, "observed − predicted"


def x_values(axis: str, ds: Dataset, pred: Array) -> Array:
    """The runs' positions on the x axis."""
    return pred if axis == PARITY else ds.column(axis)


def rgba(colour: str, alpha: float) -> str:
    """``#RRGGBB`` with an opacity, as CSS ``rgba(...)``."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:g})"
