"""Command line interface (``scalinglaws``)."""
