"""The ledger's calibration figure: empirical against nominal coverage of the recorded
intervals, with the diagonal a calibrated ledger lies on."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ...exceptions import DataError, OptionError
from ...ledger.score import Scorecard
from ..style import GREY, OKABE_ITO
from .look import Look


def calibration_figure(card: Scorecard, *, title: str | None = None,
                       width: float | None = None, dpi: float | None = None,
                       style: str = "paper") -> Figure:
    """Nominal against empirical coverage of the scorecard's observed forecasts
    (:meth:`Scorecard.calibration`): points below the diagonal mean intervals too narrow;
    the recorded levels are marked with their observed coverage.

    >>> import scalinglaws as sl, tempfile, pathlib
    >>> from scalinglaws.report.figures import calibration_figure
    >>> fit = sl.fit("chinchilla", sl.datasets.load("chinchilla").exclude("epoch_excluded"))
    >>> book = sl.ledger.Ledger(pathlib.Path(tempfile.mkdtemp()) / "l.db")
    >>> _ = book.record(fit, at={"params": 7e10, "tokens": 1.4e12}, run="big")
    >>> _ = book.observe(1.94, run="big")
    >>> calibration_figure(book.scorecard()).axes[0].get_xlabel()
    'nominal coverage'
    """
    if not isinstance(card, Scorecard):
        raise OptionError(f"expected a Scorecard, got {type(card).__name__}",
                          "argument 'card' of calibration_figure",
                          "pass ledger.scorecard()")
    curve = card.calibration()
    if not int(curve["n"].max()):
        raise DataError("no observed forecast has an interval: there is nothing to plot",
                        "argument 'card' of calibration_figure",
                        "observe the outcomes of forecasts recorded with an interval")
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = look.new_figure()
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", label="calibrated")
        ax.plot(curve["nominal"], curve["empirical"], color=OKABE_ITO[1], marker="o",
                label=f"forecasts (n = {int(curve['n'].max())})")
        pts = card.points.dropna(subset=["covered"])
        for level, group in pts.groupby("level"):
            ax.scatter([float(str(level))], [group["covered"].astype(float).mean()],
                       color=OKABE_ITO[0], zorder=5, marker="s",
                       label="recorded level" if level == pts["level"].min() else None)
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(0.0, 1.0)
        ax.set_xticks(np.linspace(0, 1, 6))
        ax.set_xlabel("nominal coverage")
        ax.set_ylabel("observed coverage")
        ax.set_title("Calibration of the ledger's intervals")
        ax.legend(loc="upper left")
        return look.finish(fig, title=title)
