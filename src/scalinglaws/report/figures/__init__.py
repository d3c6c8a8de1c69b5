"""Publication-quality matplotlib figures of fits, residuals, IsoFLOP analyses, backtests,
bootstraps and training curves, and :func:`save_figure` to write them.

Every function returns a :class:`matplotlib.figure.Figure` built directly (never ``pyplot``),
so it needs no display and leaves no global state; the look (sizes for a paper's column,
fonts, the Okabe–Ito palette) is in :mod:`scalinglaws.report.style`.
"""

# One module per figure: fit (the fit figure and its compute-frontier view), residuals,
# isoflop, backtest, corner, curves; save (save_figure); common holds their helpers.

from .backtest import backtest_figure as backtest_figure
from .common import COMPUTE_LABEL as COMPUTE_LABEL
from .corner import corner_figure as corner_figure
from .curves import curves_figure as curves_figure
from .fit import fit_figure as fit_figure
from .isoflop import isoflop_figure as isoflop_figure
from .residuals import residuals_figure as residuals_figure
from .save import FORMATS as FORMATS
from .save import save_figure as save_figure

__all__ = ["COMPUTE_LABEL", "FORMATS", "backtest_figure", "corner_figure", "curves_figure",
           "fit_figure", "isoflop_figure", "residuals_figure", "save_figure"]
