"""Which Hessian the final polish steps with: Newton's where it is positive definite over the
parameters free to move, the IRLS (Gauss-Newton) one elsewhere."""

from __future__ import annotations

import lawcases as lc
import numpy as np
import pytest

import scalinglaws as sl
from scalinglaws.engine import objective, optimizer


@pytest.fixture(scope="module")
def profiled():
    # a profile of Chinchilla's alpha on a synthetic sweep (seed 3, 1% noise): alpha pinned
    # at 41 values around its estimate, the others re-optimised by the IRLS stage
    law = lc.bound("chinchilla")
    ds, X, _ = lc.synthetic(law, lc.truth(law), 0.01, seed=3)
    fit = sl.fit("chinchilla", ds)
    obj = objective.Objective(fit.law, X, np.asarray(ds.loss), "huber", 1e-3)
    u_hat = obj.search(np.array([[fit.params[p] for p in fit.law.parameter_names]]))[0]
    j = fit.law.parameter_names.index("alpha")
    grid = u_hat[j] + np.linspace(-0.03, 0.03, 41)
    U = np.tile(u_hat, (41, 1))
    U[:, j] = grid
    lower, upper = np.tile(obj.lower, (41, 1)), np.tile(obj.upper, (41, 1))
    lower[:, j] = upper[:, j] = grid
    pinned = obj.with_row_bounds(lower, upper)
    U = optimizer.minimize_batched(pinned, U, max_iter=300, ftol=1e-6).U
    return pinned, U, j


def test_a_pinned_parameter_does_not_count_against_newtons_hessian(profiled):
    pinned, U, j = profiled
    _, _, exact = pinned.derivatives_exact(U)
    full_ok = objective._positive_definite(exact)
    free = np.delete(np.delete(exact, j, axis=1), j, axis=2)
    free_ok = objective._positive_definite(free)
    # the design of this test: some rows are indefinite only along the pinned alpha
    assert (~full_ok & free_ok).sum() >= 3
    _, _, used = pinned.derivatives_hybrid(U)
    np.testing.assert_array_equal(used[free_ok], exact[free_ok])


def test_an_indefinite_free_block_takes_the_irls_hessian():
    # Chinchilla at a point far from its optimum (every exponent 3, amplitudes 1): Newton's
    # Hessian is indefinite there, and the step uses the IRLS Hessian of the same point
    law = lc.bound("chinchilla")
    ds, X, _ = lc.synthetic(law, lc.truth(law), 0.01, seed=3)
    obj = objective.Objective(law, X, np.asarray(ds.loss), "huber", 1e-3)
    names = law.parameter_names
    P = np.array([[{"alpha": 3.0, "beta": 3.0}.get(n, 1.0) for n in names]])
    U = obj.search(P)
    _, _, exact = obj.derivatives_exact(U)
    assert not objective._positive_definite(exact)[0]
    _, _, irls = obj.derivatives(U)
    _, _, used = obj.derivatives_hybrid(U)
    np.testing.assert_allclose(used, irls, rtol=1e-12)
