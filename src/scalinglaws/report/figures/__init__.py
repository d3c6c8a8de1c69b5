"""Publication-quality matplotlib figures of fits, residuals, IsoFLOP analyses, backtests,
bootstraps and training curves, and :func:`save_figure` to write them.

Every function returns a :class:`matplotlib.figure.Figure` built directly (never ``pyplot``),
so it needs no display and leaves no global state. Every figure function takes ``title``,
``width``, ``dpi`` and ``style`` (``"paper"``: a column of a paper, 8 pt text; ``"slide"``);
the looks are in :mod:`.look`, built on :mod:`scalinglaws.report.style` (sizes, fonts, the
Okabe–Ito palette).
"""

# One module per figure: fit (and compute, its compute-frontier view), residuals, isoflop,
# backtest, corner, curves, landscape (a learning-rate × batch-size sweep), study (an
# estimation-design heat map), finetune (a fine-tuning selection), mixing (a mixture fit and
# its optimum); save
# (save_figure). Shared: common (argument checks, groups,
# markers, bands), look (styles and the finishing steps), legends (placed by measurement),
# ticks (log axes), text (labels, symbols, titles).

from .backtest import backtest_figure as backtest_figure
from .calibration import calibration_figure as calibration_figure
from .common import COMPUTE_LABEL as COMPUTE_LABEL
from .corner import corner_figure as corner_figure
from .curves import curves_figure as curves_figure
from .finetune import selection_figure as selection_figure
from .fit import fit_figure as fit_figure
from .isoflop import isoflop_figure as isoflop_figure
from .landscape import landscape_figure as landscape_figure
from .look import STYLES as STYLES
from .look import Look as Look
from .mixing import mixture_figure as mixture_figure
from .residuals import residuals_figure as residuals_figure
from .save import FORMATS as FORMATS
from .save import save_figure as save_figure
from .study import estimation_design_figure as estimation_design_figure

__all__ = ["COMPUTE_LABEL", "FORMATS", "STYLES", "Look", "backtest_figure", "calibration_figure",
           "corner_figure", "curves_figure", "estimation_design_figure", "fit_figure",
           "isoflop_figure", "landscape_figure", "mixture_figure", "residuals_figure",
           "save_figure", "selection_figure"]
