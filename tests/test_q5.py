"""Answer 5: the variational bound, its KL gap, and wrong forms that must be rejected."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.check import check_parts
from derive.claims import Claim
from derive.papers.ep2 import q5
from derive.registry import get_paper, select_parts
from derive.rewrites import EXPAND_LOG
from derive.verdict import Method, Verdict

a, b, c, d, s, x, z = q5.a, q5.b, q5.c, q5.d, q5.s, q5.x, q5.z


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["5"]))


@pytest.mark.parametrize("part_id", ["5a", "5b", "5c"])
def test_every_claim_of_part_holds(results, part_id: str) -> None:
    own = [result for result in results if result.part.id == part_id]
    assert own, f"part {part_id} has no claims"
    failing = [result.failure() for result in own if not result.holds]
    assert not failing, "\n\n".join(failing)


def test_every_claim_is_proved(results) -> None:
    weak = [(result.claim.id, result.verdict.method.value) for result in results if result.verdict.method is not Method.PROVED]
    assert weak == []


@pytest.mark.parametrize("part_id", ["5a", "5b"])
def test_part_has_erratum(results, part_id: str) -> None:
    parts = {result.part.id: result.part for result in results}
    assert parts[part_id].errata


def _method(obtained: object, stated: object, **options: object) -> Method:
    return Claim(id="wrong", statement="wrong variant", obtained=obtained, stated=stated, **options).check().method


def _discrete(states: int):
    joints = q5.joint(q5.prior(states), q5.likelihood(states))
    return joints, q5.posterior(joints), q5.evidence(joints)


# --- 5(a) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("states", [2, 3])
def test_other_q1_rejected(states: int) -> None:
    joints, _, total = _discrete(states)
    obtained = q5.bound(joints, q5.normalised("t", states), q5.normalised("r", states))
    assert _method(obtained, sp.log(total), rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_unnormalised_q2_rejected() -> None:
    joints, posteriors, total = _discrete(2)
    unnormalised = q5._positive_symbols("r", 2)
    obtained = q5.bound(joints, posteriors, unnormalised)
    assert _method(obtained, sp.log(total), rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_symbolic_unnormalised_q2_rejected() -> None:
    obtained = q5.symbolic_bound(q5.symbolic_posterior, lambda index: q5.rho_i[index])
    assert _method(obtained, sp.log(q5.symbolic_evidence()), rewrites=q5.SYMBOLIC_REWRITES) is Method.FALSE


@pytest.mark.parametrize(
    ("posterior_mean", "posterior_variance", "evidence_variance"),
    [
        pytest.param(q5.POSTERIOR_MEAN, 1 / (a**2 + s**2), a**2 + s**2, id="posterior-variance-without-s2"),
        pytest.param(-q5.POSTERIOR_MEAN, q5.POSTERIOR_VARIANCE, a**2 + s**2, id="posterior-mean-sign"),
        pytest.param(q5.POSTERIOR_MEAN, q5.POSTERIOR_VARIANCE, s**2, id="evidence-variance-s2"),
    ],
)
def test_wrong_gaussian_bayes_rejected(posterior_mean: sp.Expr, posterior_variance: sp.Expr, evidence_variance: sp.Expr) -> None:
    stated = q5.log_normal(z, posterior_mean, posterior_variance) + q5.log_normal(x, b, evidence_variance)
    assert _method(q5.LOG_JOINT, stated, rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_gaussian_prior_as_q1_rejected() -> None:
    obtained = q5.expectation_under_q(q5.LOG_JOINT - q5.log_normal(z, 0, 1))
    assert _method(obtained, q5.LOG_EVIDENCE, rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_wrong_second_moment_rejected() -> None:
    assert _method(q5.gaussian_moment(2), c**2) is Method.FALSE


def test_cubic_integrand_rejected() -> None:
    with pytest.raises(ValueError, match=r"^the integrand has degree 3 in z; only quadratics are supported$"):
        q5.expectation_under_q(z**3)


# --- 5(b) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("states", [2, 3])
def test_kl_with_wrong_sign_rejected(states: int) -> None:
    joints, posteriors, total = _discrete(states)
    q = q5.normalised("q", states)
    stated = sp.log(total) + q5.kl_divergence(q, posteriors)
    assert _method(q5.bound(joints, q, q), stated, rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_reversed_kl_rejected() -> None:
    joints, posteriors, total = _discrete(2)
    q = q5.normalised("q", 2)
    stated = sp.log(total) - q5.kl_divergence(posteriors, q)
    assert _method(q5.bound(joints, q, q), stated, rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_sum_free_symbols_include_bound_entries() -> None:
    # The SymPy behaviour behind the next test: an Indexed entry with a bound index still counts
    # as a free symbol, so a numeric point must not give it a single value.
    bound_index = sp.Symbol("j", integer=True, positive=True)
    summation = sp.Sum(q5.rho_i[bound_index], (bound_index, 1, q5.K))
    assert q5.rho_i[bound_index] in summation.free_symbols


def test_symbolic_identity_wrong_sign_rejected() -> None:
    stated = sp.log(q5.symbolic_evidence()) + q5.symbolic_kl(q5.symbolic_q, q5.symbolic_posterior)
    obtained = q5.symbolic_bound(q5.symbolic_q, q5.symbolic_q)
    assert _method(obtained, stated, rewrites=q5.SYMBOLIC_REWRITES) is Method.FALSE


def test_gaps_with_wrong_log_sign_rejected() -> None:
    _, posteriors, _ = _discrete(2)
    q = q5.normalised("q", 2)
    stated = sum((weight * (p / weight - 1 + sp.log(p / weight)) for weight, p in zip(q, posteriors)), sp.Integer(0))
    assert _method(q5.kl_divergence(q, posteriors), stated, rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_gaussian_kl_without_half_rejected() -> None:
    variance = q5.POSTERIOR_VARIANCE
    stated = sp.log(sp.sqrt(variance) / d) + (d**2 + (c - q5.POSTERIOR_MEAN) ** 2) / (2 * variance)
    obtained = q5.expectation_under_q(q5.LOG_Q - q5.LOG_POSTERIOR)
    assert _method(obtained, stated, rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_shared_q_without_gap_rejected() -> None:
    # The reference's form: one q = p(z | x_1) for both data points, and no KL term.
    joints_1 = q5.joint(q5.prior(2), q5.likelihood(2, "l"))
    joints_2 = q5.joint(q5.prior(2), q5.likelihood(2, "h"))
    shared = q5.posterior(joints_1)
    obtained = q5.bound(joints_1, shared, shared) + q5.bound(joints_2, shared, shared)
    stated = sp.log(q5.evidence(joints_1)) + sp.log(q5.evidence(joints_2))
    assert _method(obtained, stated, rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_wrong_slope_rejected() -> None:
    u = sp.Symbol("u", positive=True)
    assert _method(sp.diff(q5.log_gap(u), u), 1 + 1 / u) is Method.FALSE


@pytest.mark.parametrize(
    "function",
    [
        pytest.param(lambda u: sp.log(u) - u + 1, id="concave-flipped"),
        pytest.param(lambda u: u - sp.log(u), id="not-zero-at-one"),
        pytest.param(lambda u: u**2 - 2 * sp.log(u), id="not-flat-at-one"),
    ],
)
def test_log_inequality_rejects_wrong_function(function) -> None:
    assert q5.log_inequality_claim(function).check().method is Method.FALSE


def test_combined_claim_takes_weakest() -> None:
    true_claim = Claim(id="t/true", statement="1 = 1", obtained=sp.Integer(1), stated=sp.Integer(1))
    numeric = Claim(id="t/numeric", statement="numeric", decide_with=lambda settings: Verdict(Method.NUMERIC, "numbers"))
    combined = q5.combined_claim("t/combined", "both", [true_claim, numeric], "both hold")
    assert combined.check().method is Method.NUMERIC


def test_combined_claim_fails_with_premise() -> None:
    false_claim = Claim(id="t/false", statement="1 = 2", obtained=sp.Integer(1), stated=sp.Integer(2))
    combined = q5.combined_claim("t/combined", "both", [false_claim], "it holds")
    verdict = combined.check()
    assert verdict.method is Method.FALSE
    assert verdict.detail.startswith("a premise does not hold: t/false: false")


# --- 5(c) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("states", [2, 3])
def test_zero_gradient_rejected(states: int) -> None:
    # The gradient at the posterior is log p(x) - 1 in every coordinate, not 0: the posterior
    # is stationary only on the simplex.
    joints, posteriors, _ = _discrete(states)
    weights = q5._positive_symbols("q", states)
    value = q5.bound(joints, weights, weights)
    gradient = sp.Matrix([sp.diff(value, weight).xreplace(dict(zip(weights, posteriors))) for weight in weights])
    assert _method(gradient, sp.zeros(states, 1), rewrites=(EXPAND_LOG,)) is Method.FALSE


def test_convex_function_not_concave() -> None:
    joints, _, _ = _discrete(2)
    weights = q5._positive_symbols("q", 2)
    verdict = q5.concavity_verdict(-q5.bound(joints, weights, weights), weights)
    assert verdict.method is Method.FALSE


def test_gaussian_prior_not_optimal() -> None:
    gaussian_bound = q5.expectation_under_q(q5.LOG_JOINT - q5.LOG_Q)
    at_prior = sp.diff(gaussian_bound, c).xreplace({c: 0, d: 1})
    assert _method(at_prior, sp.Integer(0), rewrites=(EXPAND_LOG,)) is Method.FALSE


# --- numbers, as a sanity check of the symbols ------------------------------------------------------


def test_kl_positive_at_numbers() -> None:
    joints, posteriors, _ = _discrete(2)
    q = q5.normalised("q", 2)
    values = {symbol: sp.Rational(value) for symbol, value in zip(sorted(set().union(*[e.free_symbols for e in joints]), key=str), (1, 2, 3, 4))}
    values[q[0]] = sp.Rational(1, 5)
    divergence = q5.kl_divergence(q, posteriors).xreplace(values)
    assert sp.N(divergence, 30) > 0
