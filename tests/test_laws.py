"""Laws: conformance of every catalog law (analytic derivatives vs finite differences, the
objective's gradient and Hessian), and user laws built with ``Law.from_expression``."""

from __future__ import annotations

import json

import lawcases as lc
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scalinglaws as sl
from scalinglaws.engine.objective import Objective, robust_loss

CATALOG = sl.laws.names()

# Finite differences: a central difference with relative step h has truncation error
# ~h² · f''' ~ 1e-12 (times ln(x)² <= 3e3 for exponents) and round-off ~eps · |f| / h ~ 2e-10 |f|.
# So rtol 1e-5 with an absolute floor of 1e-8 |f| (on derivatives scaled by the parameter,
# i.e. per relative change) leaves a margin of 50x or more on both sides.
STEP = 1e-6
RTOL = 1e-5
ATOL_REL = 1e-8



def test_every_catalog_law_documents_reference_values_and_ranges():
    # a law added to the catalog must say where its parameters and inputs lie, so that the
    # conformance suite can test it without a table of its own
    for name in CATALOG:
        law = sl.laws.get(name)
        assert set(law.reference) == set(law.parameter_names), name
        assert set(lc.ranges(lc.bound(name))) == set(law.inputs), name
        for p in law.parameters:
            lo, hi = lc.parameter_range(p)
            assert p.lower <= lo < hi <= p.upper, (name, p.name)


def point(name: str, seed: int, n: int = 40, k: int = 6, published: bool = False):
    """Inputs (random, log-uniform, drawn from ``seed``) and parameters: K random sets, or
    the published set."""
    law = lc.bound(name)
    rng = np.random.default_rng(seed)
    X = lc.sample_inputs(law, rng, n)
    if published:
        P = lc.truth(law)[None, :]
    else:
        P = lc.sample_parameters(law, rng, k)
    f = law.evaluate(X, P)
    # the sampler must stay inside the law's domain, else the comparisons below are vacuous
    assert np.isfinite(f).all() and (f > 0).all()
    return law, X, P, f


def test_catalog_is_not_empty_and_has_the_published_laws():
    assert {"chinchilla", "kaplan", "power_law"} <= set(CATALOG)


# -- analytic derivatives vs finite differences ------------------------------------------------
@pytest.mark.parametrize("name", CATALOG)
@pytest.mark.parametrize("seed", [None, 0, 1])
def test_jacobian_matches_finite_differences(name, seed):
    law, X, P, f = point(name, seed)
    J = law.jacobian(X, P)
    assert J.shape == (*f.shape, P.shape[1])
    fd = np.empty_like(J)
    for j in range(P.shape[1]):
        h = STEP * np.abs(P[:, j])
        up, down = P.copy(), P.copy()
        up[:, j] += h
        down[:, j] -= h
        fd[..., j] = (law.evaluate(X, up) - law.evaluate(X, down)) / (2 * h[:, None])
    # compare sensitivities per relative change of each parameter: J_j * p_j
    scaled, scaled_fd = J * P[:, None, :], fd * P[:, None, :]
    atol = ATOL_REL * np.abs(f)[..., None]
    assert np.all(np.abs(scaled - scaled_fd) <= atol + RTOL * np.abs(scaled_fd)), (
        np.max(np.abs(scaled - scaled_fd) / (atol + np.abs(scaled_fd))))


@pytest.mark.parametrize("name", CATALOG)
@pytest.mark.parametrize("seed", [None, 0, 1])
def test_hessian_matches_finite_differences_of_jacobian(name, seed):
    law, X, P, f = point(name, seed)
    H = law.hessian(X, P)
    p = P.shape[1]
    assert H.shape == (*f.shape, p, p)
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))
    fd = np.empty_like(H)
    for j in range(p):
        h = STEP * np.abs(P[:, j])
        up, down = P.copy(), P.copy()
        up[:, j] += h
        down[:, j] -= h
        fd[..., :, j] = (law.jacobian(X, up) - law.jacobian(X, down)) / (2 * h[:, None, None])
    scale = P[:, None, :, None] * P[:, None, None, :]
    scaled, scaled_fd = H * scale, fd * scale
    # round-off of the Jacobian terms: bounded by the largest sensitivity at that point
    J = np.abs(law.jacobian(X, P) * P[:, None, :]).max(axis=-1)
    atol = ATOL_REL * np.maximum(np.abs(f), J)[..., None, None]
    assert np.all(np.abs(scaled - scaled_fd) <= atol + RTOL * np.abs(scaled_fd)), (
        np.max(np.abs(scaled - scaled_fd) / (atol + np.abs(scaled_fd))))


@pytest.mark.parametrize("name", CATALOG)
def test_hessian_contract_equals_einsum_of_hessian(name):
    law, X, P, _ = point(name, 3)
    w = np.random.default_rng(4).standard_normal((P.shape[0], X[0].shape[-1]))
    expected = np.einsum("kn,knij->kij", w, law.hessian(X, P))
    # same terms summed in another order: a few ulps of the largest term
    scale = np.einsum("kn,knij->kij", np.abs(w), np.abs(law.hessian(X, P)))
    got = law.hessian_contract(X, P, w)
    assert got.shape == expected.shape
    assert np.all(np.abs(got - expected) <= 1e-12 * scale + 1e-300)


@pytest.mark.parametrize("name", CATALOG)
def test_variable_projection_basis_reproduces_the_law(name):
    # value = g0 + F @ linear parameters, for the parameters the law reports as linear
    law, X, P, f = point(name, 5)
    if not law.linear_names:
        # Law.basis is only called by the projection when there are linear parameters
        pytest.skip(f"{name} has no parameter that enters linearly")
    names = law.parameter_names
    lin = [names.index(n) for n in law.linear_names]
    nonlin = [i for i in range(len(names)) if i not in lin]
    g0, F = law.basis(X, P[:, nonlin])
    assert F.shape == (*f.shape, len(lin))
    rebuilt = g0 + (F @ P[:, lin][..., None])[..., 0]
    np.testing.assert_allclose(rebuilt, f, rtol=1e-12)  # exact algebra, round-off only


# -- the objective's derivatives (search coordinates) -----------------------------------------
def objective_case(name: str, loss: str, penalty: float):
    """An Objective whose residuals at U are chosen: |r| in [0.01, 0.04] or [0.06, 0.11]
    with random signs, so nothing is near r = 0 (the penalty's kink) or |r| = 0.05 (Huber's
    kink at delta = 0.05): finite differences with step 1e-6 never cross a kink."""
    law, X, P, f = point(name, 7, n=30, published=True)
    rng = np.random.default_rng(8)
    size = np.where(rng.random(f.shape[1]) < 0.5, rng.uniform(0.01, 0.04, f.shape[1]),
                    rng.uniform(0.06, 0.11, f.shape[1]))
    r = size * rng.choice([-1.0, 1.0], f.shape[1])
    if loss == "mse":
        y = f[0] - r  # r = f - y
    elif loss == "mse_log1p":
        y = (f[0] + 1) * np.exp(-r) - 1  # r = log(1 + f) - log(1 + y)
    else:
        y = f[0] * np.exp(-r)  # r = log f - log y
    obj = Objective(law, X, y, loss, 0.05, penalty)
    U = obj.search(P)
    assert np.all(np.abs(obj._residuals(law.evaluate(X, P)) - r) < 1e-9)
    return obj, U


def fd_gradient(fun, U: np.ndarray) -> np.ndarray:
    out = []
    for j in range(U.shape[1]):
        h = STEP  # log parameters: a relative step; exponents are O(1)
        up, down = U.copy(), U.copy()
        up[0, j] += h
        down[0, j] -= h
        out.append((fun(up) - fun(down)) / (2 * h))
    return np.stack(out, axis=-1)


@pytest.mark.parametrize("name", CATALOG)
@pytest.mark.parametrize("loss", ["huber", "mse_log", "mse_log1p", "mse"])
@pytest.mark.parametrize("penalty", [1.0, 10.0])
def test_objective_gradient_and_hessian_match_finite_differences(name, loss, penalty):
    obj, U = objective_case(name, loss, penalty)
    value, g, _ = obj.derivatives(U)
    assert np.isfinite(value).all() and value[0] > 0
    np.testing.assert_allclose(value, obj.value(U), rtol=1e-13)
    g_fd = fd_gradient(obj.value, U)[0]
    # Round-off: each residual is computed to ~eps * s (s = |f| for raw residuals, 1 for log
    # ones), so each term c * rho moves by ~eps * s * c * |psi|; over the step 2h that is an
    # error of ~eps / h * sum(c * |psi| * s) in the finite difference (x50 margin). This floor
    # only matters for gradient components far below the largest (terms that barely move).
    r = obj._residuals(obj.law.evaluate(obj.X, obj.natural(U)))
    s = np.abs(obj.law.evaluate(obj.X, obj.natural(U))) if loss == "mse" else 1.0
    psi = np.abs(robust_loss(r, loss, obj.delta)[1])
    floor = 50 * np.finfo(float).eps / STEP * float(np.sum(obj.point_weights(r) * psi * s))
    np.testing.assert_allclose(g[0], g_fd, rtol=RTOL, atol=floor)
    v_exact, g_exact, H = obj.derivatives_exact(U)
    np.testing.assert_allclose(v_exact, value, rtol=1e-13)
    np.testing.assert_allclose(g_exact, g, rtol=1e-10, atol=1e-14 * np.abs(g).max())
    H_fd = fd_gradient(lambda V: obj.derivatives_exact(V)[1], U)[0]
    np.testing.assert_allclose(H[0], H[0].T, rtol=1e-12, atol=1e-14 * np.abs(H).max())
    # the Hessian is a derivative of the gradient: same round-off argument, with the
    # gradient's own magnitude as the floor; rtol 1e-4 as finite differences of an
    # analytic gradient lose about a digit more than those of the value
    np.testing.assert_allclose(H[0], H_fd, rtol=1e-4, atol=1e-8 * np.abs(H_fd).max())


@pytest.mark.parametrize("name", CATALOG)
def test_objective_is_batched_row_by_row(name):
    obj, U = objective_case(name, "huber", 10.0)
    rng = np.random.default_rng(9)
    many = U + 0.01 * rng.standard_normal((4, U.shape[1]))
    together = obj.derivatives_exact(many)
    for k in range(4):
        alone = obj.derivatives_exact(many[k : k + 1])
        for a, b in zip(together, alone, strict=True):
            np.testing.assert_allclose(a[k], b[0], rtol=1e-12, atol=1e-300)


def test_search_coordinates_are_log_for_log_parameters():
    law = sl.laws.get("chinchilla")
    obj = Objective(law, [np.array([[1e9]]), np.array([[1e10]])], np.array([2.5]))
    P = np.array([[400.0, 410.0, 1.7, 0.34, 0.28]])
    U = obj.search(P)
    np.testing.assert_allclose(U[0, :3], np.log(P[0, :3]))
    np.testing.assert_array_equal(U[0, 3:], P[0, 3:])
    np.testing.assert_allclose(obj.natural(U), P, rtol=1e-15)


# -- Law.from_expression ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "order", "linear", "exponents"),
    [
        ("E + A/N**alpha + B/D**beta", ("E", "A", "alpha", "B", "beta"), {"E", "A", "B"},
         {"alpha", "beta"}),
        ("((Nc/N)**(a/b) + Dc/D)**b", ("Nc", "a", "b", "Dc"), set(), {"a", "b"}),
        ("a*exp(-b*C) + c", ("a", "b", "c"), {"a", "c"}, {"b"}),
    ],
)
def test_from_expression_detects_linear_parameters_and_order(expression, order, linear,
                                                             exponents):
    law = sl.Law.from_expression(expression)
    assert law.parameter_names == order  # order of first appearance in the text
    assert set(law.linear_names) == linear
    assert set(law.exponent_names) == exponents
    for p in law.parameters:
        if p.name in linear:
            assert (p.lower, p.upper, p.log) == (0.0, np.inf, True)
        elif p.name in exponents:
            assert (p.lower, p.upper, p.log) == (0.0, 10.0, False)


def test_from_expression_default_inputs():
    law = sl.Law.from_expression("E + A/N**alpha + B/D**beta + K*C**(-g)")
    assert law.inputs == {"N": "params", "D": "tokens", "C": "flops"}
    assert "N" not in law.parameter_names


@pytest.mark.parametrize(
    "expression",
    ["__import__('os')", "E + A.real", "lambda: 1", "E + 'a'", "N.__class__ + A",
     "E + A/N**alpha; import os", "N[0] + E", "E + A*N @ B", "N == E", "E if N else A",
     "E + A/N**alpha +", "", "   ", "exec('print(1)') + A*N", "E + A/N**alpha # comment"],
)
def test_from_expression_rejects_unsafe_or_malformed(expression):
    with pytest.raises(sl.LawError):
        sl.Law.from_expression(expression)


@pytest.mark.parametrize(
    ("expression", "match"),
    [("exp(N, A)", r"'exp' takes 1 argument\(s\), got 2"),
     ("log(N, A, E)", r"'log' takes 1 or 2 argument\(s\), got 3"),
     ("sqrt(N, A)", r"'sqrt' takes 1"),
     ("exp + N*A", r"the function 'exp' is not called"),
     ("(N)(A)", r"only the whitelisted functions can be called"),
     ("N*A + 1e5j", r"not a real number"),
     ("True + N*A", r"not a real number"),
     ("N*A + (E, 1)", r"cannot parse"),
     ("N*A or E", r"not an arithmetic expression"),
     ("not N*A", r"not an arithmetic expression"),
     ("E if N else A", r"not an arithmetic expression"),
     ("N*A, E", r"not an arithmetic expression"),
     ("N*A +* E", r"cannot parse .*SyntaxError: invalid syntax at column 5"),
     ("  N*A +* E", r"SyntaxError: invalid syntax at column 7")],
)
def test_malformed_expressions_are_refused_with_their_reason(expression, match):
    # checked when the law is built, before (and without) SymPy; with every parameter
    # specified the law would need no analysis, so the check cannot rest on it
    with pytest.raises(sl.LawError, match=match):
        sl.Law(expression, parameters=[sl.Parameter("A")])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ENDAab_.()*/+-'\"[]:;=@ 0123456789e")),
               max_size=20))
def test_from_expression_either_builds_or_raises_law_error(text):
    # property: no input text leaks another exception type (nor runs code)
    try:
        law = sl.Law.from_expression(text)
    except sl.LawError:
        return
    assert law.input_names and law.parameter_names


@pytest.mark.parametrize(("expression", "what"), [("E + A", "no input"),
                                                   ("N + 2*D", "no parameter"),
                                                   ("2*N", "no parameter")])
def test_from_expression_needs_inputs_and_parameters(expression, what):
    with pytest.raises(sl.LawError, match=what):
        sl.Law.from_expression(expression)


def test_an_undefined_function_is_named():
    with pytest.raises(sl.LawError, match=r"unknown function 'foo'.*column 6"):
        sl.Law.from_expression("E + A*foo(N)")


def test_a_role_the_data_lack_is_named():
    import pandas as pd

    runs = pd.DataFrame({"params": [1e7, 1e8, 1e9, 1e10], "loss": [3.0, 2.8, 2.6, 2.5]})
    with pytest.raises(sl.DataError, match="no column 'tokens'"):
        sl.fit("chinchilla", runs)
    with pytest.raises(sl.DataError, match="no column 'experts'"):
        sl.fit("moe", runs)


def test_unknown_law_name_lists_close_matches():
    import pandas as pd

    with pytest.raises(sl.LawError, match=r"(?i)did you mean 'chinchilla'"):
        sl.laws.get("chinchila")
    with pytest.raises(sl.LawError, match=r"(?i)did you mean 'bnsl'"):
        sl.fit("bsnl", pd.DataFrame({"x": [1.0, 2.0], "loss": [1.0, 0.9]}), x="x")


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"alpha": {"lower": 2.0, "upper": 1.0}}, "not below"),
        ({"alpha": {"lower": 1.0, "upper": 1.0}}, "not below"),
        ({"alpha": {"lower": 0.0, "upper": 1.0, "init": (2.0,)}}, "outside the bounds"),
        ({"A": {"lower": -1.0, "log": True}}, "log-scale"),
        ({"A": {"log": True, "lower": 0.0, "init": (0.0, 1.0)}}, "outside the bounds"),
        ({"alpha": {"lower": float("nan")}}, "NaN"),
        ({"alpha": {"init": ()}}, "empty"),
        ({"zeta": {"lower": 0.0}}, "does not appear"),
        ({"alpha": {"upper": 1.0, "bogus": 3}}, "unknown parameter option"),
    ],
)
def test_bad_parameter_specs_raise_law_error(spec, match):
    with pytest.raises(sl.LawError, match=match):
        sl.Law.from_expression("E + A/N**alpha", parameters=spec)


def test_with_parameters_replaces_one_spec_only():
    law = sl.laws.get("chinchilla").with_parameters(alpha={"lower": 0.0, "upper": 0.2})
    assert law.parameter("alpha").upper == 0.2
    assert law.parameter("beta") == sl.laws.get("chinchilla").parameter("beta")
    assert law.parameter_names == sl.laws.get("chinchilla").parameter_names
    with pytest.raises(sl.LawError):
        law.with_parameters(gamma={"lower": 0.0})


def test_law_call_evaluates_and_broadcasts():
    law = sl.Law.from_expression("E + A/N**alpha + B/D**beta")
    v = {"E": 1.7, "A": 400.0, "alpha": 0.34, "B": 410.0, "beta": 0.28}

    def by_hand(n, d):
        return 1.7 + 400.0 / n**0.34 + 410.0 / d**0.28

    assert law(v, params=7e10, tokens=1.4e12) == pytest.approx(by_hand(7e10, 1.4e12), 1e-14)
    assert law(v, N=7e10, D=1.4e12) == pytest.approx(by_hand(7e10, 1.4e12), 1e-14)
    n = np.array([1e8, 1e9])[:, None]
    d = np.array([1e9, 1e10, 1e11])
    out = law(v, params=n, tokens=d)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, by_hand(n, d), rtol=1e-14)
    with pytest.raises(sl.LawError, match="missing input"):
        law(v, params=1e9)
    with pytest.raises(sl.LawError, match="unknown input"):
        law(v, params=1e9, tokens=1e10, flops=1e20)


@pytest.mark.parametrize("name", CATALOG)
def test_json_round_trip_gives_same_law(name):
    law = lc.bound(name)
    again = sl.Law.from_dict(json.loads(json.dumps(law.to_dict())))
    assert again.parameters == law.parameters
    assert again.inputs == law.inputs
    assert again.parameter_names == law.parameter_names
    _, X, P, f = point(name, 11)
    np.testing.assert_array_equal(again.evaluate(X, P), f)


def test_json_round_trip_of_user_law_keeps_values():
    law = sl.Law.from_expression("a*exp(-b*C) + c", parameters={"b": {"upper": 1e-19}})
    again = sl.Law.from_dict(json.loads(json.dumps(law.to_dict())))
    assert again.parameters == law.parameters
    v = {"a": 2.0, "b": 3e-22, "c": 1.5}
    np.testing.assert_array_equal(again(v, flops=[1e20, 1e21]), law(v, flops=[1e20, 1e21]))


def test_unknown_catalog_law_names_the_catalog():
    with pytest.raises(sl.LawError) as info:
        sl.laws.get("nope")
    message = str(info.value)
    assert "nope" in message
    for name in CATALOG:
        assert name in message
