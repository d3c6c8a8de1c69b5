"""The mixture figure: measured against predicted losses, and the proposed mixture."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from mixcases import experiments, true_law

import scalinglaws as sl
from scalinglaws.report.figures import mixture_figure


@pytest.fixture(scope="module")
def fit():
    truth = true_law(3, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sl.mixing.fit(experiments(truth, 24, 0.01, 0), truth.domains)


def test_figure_shows_every_run_and_the_proposal(fit, tmp_path):
    proposal = sl.mixing.optimise(fit, current={"d0": 0.5, "d1": 0.25, "d2": 0.25})
    fig = mixture_figure(fit, proposal)
    left, right = fig.axes
    # one scatter per validation domain, each with every run
    offsets = [c.get_offsets() for c in left.collections]
    assert len(offsets) == 3 and all(len(o) == 24 for o in offsets)
    # measured losses on the y axis
    np.testing.assert_allclose(np.sort(offsets[0][:, 1]), np.sort(fit.runs.losses[:, 0]))
    # proposed, uniform and current shares: three bars per domain
    heights = [p.get_height() for p in right.patches]
    assert len(heights) == 9
    np.testing.assert_allclose(heights[:3], [proposal.mixture[d] for d in fit.domains])
    assert "proposed" in right.get_legend().get_texts()[0].get_text()
    sl.report.save_figure(fig, tmp_path / "mix.png")
    assert (tmp_path / "mix.png").stat().st_size > 0


def test_figure_refuses_what_it_cannot_draw(fit, tmp_path):
    with pytest.raises(sl.OptionError, match="MixingFit"):
        mixture_figure("not a fit")
    fit.save(tmp_path / "m.json")
    with pytest.raises(sl.DataError, match="carries no runs"):
        mixture_figure(sl.mixing.MixingFit.load(tmp_path / "m.json"))
