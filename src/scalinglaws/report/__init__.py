"""Reports: matplotlib figures and the self-contained HTML report (the fit's Summary renders
text, HTML and Rich tables from :mod:`scalinglaws.fitting`). Figures load matplotlib, and the
HTML report plotly (and matplotlib's mathtext, for its formulas), on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.lazy import lazy_names
from ..fitting import Summary as Summary

if TYPE_CHECKING:
    from .document import html as html
    from .figures import backtest_figure as backtest_figure
    from .figures import corner_figure as corner_figure
    from .figures import curves_figure as curves_figure
    from .figures import fit_figure as fit_figure
    from .figures import isoflop_figure as isoflop_figure
    from .figures import landscape_figure as landscape_figure
    from .figures import residuals_figure as residuals_figure
    from .figures import save_figure as save_figure
    from .figures import selection_figure as selection_figure

_LAZY = {name: ".figures" for name in (
    "backtest_figure", "corner_figure", "curves_figure", "fit_figure", "isoflop_figure",
    "landscape_figure", "residuals_figure", "save_figure", "selection_figure")} | {
    "html": ".document"}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = ["Summary", "backtest_figure", "corner_figure", "curves_figure", "fit_figure",
           "html", "isoflop_figure", "landscape_figure", "residuals_figure", "save_figure",
           "selection_figure"]
