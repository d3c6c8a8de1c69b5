"""The mixture figure: each validation domain's measured loss against the mixing law's
prediction (the runs of the fit), and, given a proposal, the optimised mixture beside the
uniform and the current ones."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ...exceptions import DataError, OptionError
from ...mixing import MixingFit, MixtureProposal
from ..style import FULL_WIDTH, GREY, MARKERS, OKABE_ITO
from .look import Look


def mixture_figure(fit: MixingFit, proposal: MixtureProposal | None = None, *,
                   title: str | None = None, width: float | None = None,
                   dpi: float | None = None, style: str = "paper") -> Figure:
    """Measured against predicted loss per validation domain (left) and, with a
    ``proposal`` from :func:`scalinglaws.mixing.optimise`, the proposed mixture's shares
    beside the uniform and current mixtures (right)."""
    if not isinstance(fit, MixingFit):
        raise OptionError(f"expected a MixingFit, got {type(fit).__name__}",
                          "argument 'fit' of mixture_figure", "pass sl.mixing.fit(...)")
    if fit.runs is None:
        raise DataError("this mixture fit carries no runs (read from a file)",
                        "argument 'fit' of mixture_figure",
                        "draw it from the fit sl.mixing.fit returned")
    look = Look.of(style, width, dpi)
    with look.applied():
        fig = look.new_figure(width=FULL_WIDTH if proposal is not None else 3.4)
        axes = fig.subplots(1, 2 if proposal is not None else 1, squeeze=False)[0]
        _measured(axes[0], fit)
        if proposal is not None:
            _shares(axes[1], fit, proposal)
        return look.finish(fig, title=title)


def _measured(ax: Any, fit: MixingFit) -> None:
    predicted = fit.model.predict(fit.runs.proportions)
    measured = fit.runs.losses
    for i, name in enumerate(fit.validation):
        ax.scatter(predicted[:, i], measured[:, i], color=OKABE_ITO[i % len(OKABE_ITO)],
                   marker=MARKERS[i % len(MARKERS)], s=14, label=name)
    low, high = float(min(predicted.min(), measured.min())), float(
        max(predicted.max(), measured.max()))
    ax.plot([low, high], [low, high], color=GREY, linestyle="--", linewidth=0.8)
    ax.set_xlabel(f"predicted loss ({fit.selected.replace('_', '-')})")
    ax.set_ylabel("measured loss")
    ax.legend(loc="upper left")


def _shares(ax: Any, fit: MixingFit, proposal: MixtureProposal) -> None:
    rows = [("proposed", proposal.mixture, proposal.predicted_loss)]
    for name, base in proposal.baselines.items():
        rows.append((name, base["mixture"], base["predicted_loss"]))
    x = np.arange(len(fit.domains))
    step = 0.8 / len(rows)
    for k, (name, mixture, loss) in enumerate(rows):
        ax.bar(x + (k - (len(rows) - 1) / 2) * step, [mixture[d] for d in fit.domains],
               width=step, color=OKABE_ITO[k % len(OKABE_ITO)],
               label=f"{name} (loss {loss:.3f})")
    ax.set_xticks(x, list(fit.domains))
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("share of the training tokens")
    ax.legend(loc="upper right")
