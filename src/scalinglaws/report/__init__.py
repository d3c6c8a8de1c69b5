"""Reports: a fit's summary (text, HTML, dict, Rich), matplotlib figures, an HTML report."""

from .figures import backtest_figure as backtest_figure
from .figures import corner_figure as corner_figure
from .figures import curves_figure as curves_figure
from .figures import fit_figure as fit_figure
from .figures import isoflop_figure as isoflop_figure
from .figures import residuals_figure as residuals_figure
from .figures import save_figure as save_figure
from .html import html as html
from .summary import Summary as Summary

__all__ = ["Summary", "backtest_figure", "corner_figure", "curves_figure", "fit_figure",
           "html", "isoflop_figure", "residuals_figure", "save_figure"]
