"""Reports: summaries, figures and HTML."""
