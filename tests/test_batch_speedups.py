"""The pieces that make a batch of many problems cheap: the data sets' checks done on the
stacked arrays at once, the closed-form solves of tiny normal equations, and a batch that lets
a creeping problem go instead of iterating the whole batch for it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scalinglaws as sl
from scalinglaws.data.validation import check_role, rows_valid
from scalinglaws.engine.objective import Objective
from scalinglaws.engine.optimizer import CONVERGED, STALLED, minimize_batched
from scalinglaws.engine.projection import small_solve
from scalinglaws.fitting.batch import QuickFit, fit_batch
from scalinglaws.fitting.columns import bind_data

LAW = "E + A*x**(-alpha)"


@pytest.mark.parametrize("role", ["params", "loss", "step", "lr", "samples", "kl_distance",
                                  "x"])
def test_rows_valid_agrees_with_the_check_of_one_column(role: str) -> None:
    rng = np.random.default_rng(0)
    stack = rng.uniform(-0.5, 3.0, (200, 4))
    stack[5, 2] = np.nan
    stack[6, 1] = np.inf
    stack[7] = 0.0
    expect = []
    for row in stack:
        try:
            check_role(row, role)
            floors = {"samples": 1.0, "kl_distance": 0.0}
            expect.append(not (role in floors and (row < floors[role]).any()))
        except sl.ScalingLawError:
            expect.append(False)
    got = rows_valid(stack, role)
    assert got.tolist() == expect
    assert 0 < got.sum() < len(got)  # both kinds of rows are exercised


@pytest.mark.parametrize("m", [1, 2, 3])
def test_small_solve_equals_lapack(m: int) -> None:
    rng = np.random.default_rng(m)
    B = rng.normal(size=(500, m, m))
    A = B @ B.transpose(0, 2, 1) + 0.1 * np.eye(m)
    z = rng.normal(size=(500, m))
    np.testing.assert_allclose(small_solve(A, z), np.linalg.solve(A, z[..., None])[..., 0],
                               rtol=1e-9, atol=1e-12)


def test_a_creeping_problem_leaves_the_batch_as_stalled() -> None:
    """Huber with a tiny delta is nearly L1: some problems creep along flat valleys. With
    stall_stop they leave the batch after a window without progress, where otherwise every
    one of them runs to the iteration limit; the others end exactly as before."""
    rng = np.random.default_rng(1)
    x = np.logspace(6, 9, 20)
    truth = np.column_stack([rng.uniform(1.5, 2.5, 400), rng.uniform(50, 500, 400),
                             rng.uniform(0.2, 0.5, 400)])
    Y = (truth[:, :1] + truth[:, 1:2] * x ** -truth[:, 2:]) * np.exp(
        rng.normal(0, 0.01, (400, 20)))
    law = bind_data(LAW, pd.DataFrame({"x": x, "loss": Y[0]}), x="x")[0]
    obj = Objective(law, [np.broadcast_to(x, Y.shape)], Y, "huber", 1e-4)
    U0 = obj.clip(obj.search(np.tile([1.0, 100.0, 0.3], (400, 1))))
    kwargs = dict(max_iter=400, exact=False, stall_window=20, stall_rtol=1e-3)
    plain = minimize_batched(obj, U0, **kwargs)
    early = minimize_batched(obj, U0, stall_stop=True, **kwargs)
    stalled = early.status == STALLED
    assert stalled.any()
    assert early.n_iter[stalled].max() < plain.n_iter[stalled].max()
    same = (early.status == CONVERGED) & (plain.status == CONVERGED) & (early.n_iter < 20)
    assert same.any()
    np.testing.assert_array_equal(early.U[same], plain.U[same])


def test_batch_reads_frames_with_other_columns_and_headers() -> None:
    """Frames with a text column, with their columns in another order, and mappings of arrays
    are read alike; a value the data's rules refuse sends that one problem to its single fit."""
    rng = np.random.default_rng(2)
    x = np.logspace(6, 9, 20)
    frames = []
    for _ in range(6):
        y = (2.0 + 300 * x ** -0.3) * np.exp(rng.normal(0, 0.01, x.size))
        frames.append(pd.DataFrame({"x": x, "loss": y}))
    frames[1] = frames[1].assign(run="a")
    frames[2] = frames[2][["loss", "x"]]
    as_dict = {"x": frames[3]["x"].to_numpy(), "loss": frames[3]["loss"].to_numpy()}
    bad = frames[4].copy()
    bad.loc[0, "x"] = np.nan
    out = fit_batch(LAW, [frames[0], frames[1], frames[2], as_dict, bad, frames[5]], x="x")
    assert [type(o).__name__ for o in out] == ["QuickFit"] * 4 + ["FitFailure", "QuickFit"]
    ref = fit_batch(LAW, [frames[1][["x", "loss"]], frames[2][["x", "loss"]]], x="x")
    assert isinstance(out[1], QuickFit) and isinstance(ref[0], QuickFit)
    assert out[1].params == ref[0].params and out[2].params == ref[1].params
    assert "NaN" in out[4].message or "missing" in out[4].message
