"""Reports: a fit's summary (text, HTML, dict, Rich), matplotlib figures, an HTML report."""

from .figures import fit_figure as fit_figure
from .html import html as html
from .summary import Summary as Summary

__all__ = ["Summary", "fit_figure", "html"]
