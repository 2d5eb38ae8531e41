"""Answer 2: powers of the recurrence matrix, the dominant-eigenvalue limit, and wrong forms it must reject."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.check import check_parts
from derive.claims import Claim
from derive.papers.ep2 import q2
from derive.registry import get_paper, select_parts
from derive.sheet import render_block
from derive.paper import Equation
from derive.verdict import Method

t = q2.t


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["2"]))


def test_every_claim_holds(results) -> None:
    failing = [result.failure() for result in results if not result.holds]
    assert results
    assert not failing, "\n\n".join(failing)


def test_every_claim_proved(results) -> None:
    weak = [result.claim.id for result in results if result.verdict.method is not Method.PROVED]
    assert weak == []


@pytest.mark.parametrize(
    "claim_id",
    [
        "2/induction-base-n3",
        "2/induction-step-symbolic-n",
        "2/induction-step-n3/stated",
        "2/closed-form-negative",
        "2/dominant-limit-negative",
        "2/modulus-explodes",
        "2/tied-gap",
        "2/jordan-power-step",
        "2/orthogonal-constant",
    ],
)
def test_claim_present(results, claim_id: str) -> None:
    assert claim_id in {result.claim.id for result in results}


# --- wrong forms ----------------------------------------------------------------------------------


def _power_form(size: int, exponent: sp.Expr, transpose: bool = False) -> sp.Matrix:
    right = sp.Transpose(q2.Q) if transpose else sp.Inverse(q2.Q)
    return q2.at_size(q2._unevaluated(q2.Q, sp.MatPow(q2.LAMBDA, exponent), right), size)


@pytest.mark.parametrize(
    ("name", "exponent", "transpose"),
    [("transpose-for-inverse", t, True), ("power-off-by-one", t + 1, False)],
)
def test_wrong_induction_step_rejected(name: str, exponent: sp.Expr, transpose: bool) -> None:
    step = q2._unevaluated(q2.Q, q2.LAMBDA, sp.Inverse(q2.Q), q2.Q, sp.MatPow(q2.LAMBDA, t - 1), sp.Inverse(q2.Q))
    claim = Claim(
        id=f"2/wrong-{name}",
        statement=name,
        obtained=q2.at_size(step, 2),
        stated=_power_form(2, exponent, transpose),
        rewrites=(q2.INTEGER_POWERS_AS_EXP,),
    )
    assert claim.check().method is Method.FALSE


def test_symbolic_step_rejects_transpose() -> None:
    claim = q2.symbolic_size_step_claim(q2.Q * sp.MatPow(q2.LAMBDA, t) * sp.Transpose(q2.Q))
    assert claim.check().method is Method.FALSE


def test_closed_form_rejects_swapped_eigenvalues() -> None:
    example = q2.NEGATIVE
    swapped = sp.diag(*[value**t for value in reversed(example.eigenvalues)])
    claim = q2._parity_claim(
        "2/wrong-swapped", "swapped", example.power(), example.eigenvectors * swapped * example.left_eigenvectors
    )
    assert claim.check().method is Method.FALSE


def test_closed_form_rejects_modulus_powers() -> None:
    # |λ|^t in place of λ^t: right for even t only, so the odd case must refute it.
    example = q2.NEGATIVE
    moduli = sp.diag(*[abs(value) ** t for value in example.eigenvalues])
    claim = q2._parity_claim(
        "2/wrong-modulus", "modulus", example.power(), example.eigenvectors * moduli * example.left_eigenvectors
    )
    verdict = claim.check()
    assert verdict.method is Method.FALSE
    assert verdict.detail.startswith("for t = 2*m + 1")


def test_dominant_limit_rejects_second_term() -> None:
    example = q2.NEGATIVE
    claim = q2.ratio_limit_claim("2/wrong-limit", "second term", example, example.term(1))
    assert claim.check().method is Method.FALSE


def test_dominant_limit_rejects_zero_when_start_generic() -> None:
    claim = q2.ratio_limit_claim("2/wrong-zero", "zero", q2.GROWING, sp.zeros(2, 1))
    assert claim.check().method is Method.FALSE


def test_tied_moduli_give_no_limit() -> None:
    example = q2.TIED
    claim = q2.ratio_limit_claim("2/tied-limit", "tied", example, example.term(0))
    verdict = claim.check()
    assert verdict.method is Method.UNDECIDED
    assert verdict.detail.startswith("eigenvalues 2 and -2 have the same modulus")


def test_tied_gap_rejects_zero() -> None:
    ratio = q2.TIED.power() * q2.TIED.start / sp.Integer(2) ** t
    claim = Claim(
        id="2/wrong-gap",
        statement="no gap",
        obtained=ratio.subs(t, 2 * q2.m + 2) - ratio.subs(t, 2 * q2.m + 1),
        stated=sp.zeros(2, 1),
        rewrites=(q2.INTEGER_POWERS_AS_EXP,),
    )
    assert claim.check().method is Method.FALSE


@pytest.mark.parametrize(
    ("base", "stated"),
    [
        # The reference's rule on λ itself: λ = -2 < 1 would "vanish", λ = -1/2 would not explode.
        (sp.Integer(-2), sp.Integer(0)),
        (-sp.Rational(1, 2), sp.oo),
        (sp.Integer(-1), sp.Integer(0)),
    ],
    ids=["minus-two-vanishes", "minus-half-explodes", "minus-one-vanishes"],
)
def test_modulus_rule_rejects_signed_reading(base: sp.Rational, stated: sp.Expr) -> None:
    claim = q2.modulus_power_claim("2/wrong-modulus-rule", "wrong", base, stated)
    assert claim.check().method is Method.FALSE


def test_jordan_ratio_rejects_constant() -> None:
    jordan_power = q2.lam**t * sp.eye(2) + t * q2.lam ** (t - 1) * sp.Matrix([[0, 1], [0, 0]])
    claim = Claim(
        id="2/wrong-jordan",
        statement="the Jordan ratio stays at h_0",
        obtained=jordan_power * q2.H2 / q2.lam**t,
        stated=q2.H2,
        rewrites=(q2.INTEGER_POWERS_AS_EXP,),
    )
    assert claim.check().method is Method.FALSE


def test_orthogonal_limit_rejects_start() -> None:
    claim = q2.ratio_limit_claim("2/wrong-orthogonal", "start", q2.ORTHOGONAL, q2.ORTHOGONAL.start)
    assert claim.check().method is Method.FALSE


# --- the power rewrite ---------------------------------------------------------------------------


def test_power_rewrite_skips_real_exponent() -> None:
    s = sp.Symbol("s", real=True)
    expr = sp.Rational(-1, 2) ** s
    assert q2.INTEGER_POWERS_AS_EXP(expr) == expr


@pytest.mark.parametrize("value", [1, 2, 5, 8])
def test_power_rewrite_keeps_value(value: int) -> None:
    expr = sp.Rational(-1, 6) ** t * sp.Integer(-2) ** (-t) * 3 ** (t + 1)
    rewritten = q2.INTEGER_POWERS_AS_EXP(expr)
    assert sp.N(rewritten.subs(t, value) - expr.subs(t, value), 30) == 0


def test_power_rewrite_drops_even_sign() -> None:
    m = q2.m
    assert q2.INTEGER_POWERS_AS_EXP(sp.Integer(-2) ** (2 * m)) == sp.exp(2 * m * sp.log(2))


# --- SymPy pitfall: limits of negative bases ---------------------------------------------------------


def test_sympy_limit_fails_on_negative_base() -> None:
    # SymPy 1.14 raises on 1 + (-1/2)^t, whose limit is 1; the answer never asks it.
    with pytest.raises(NotImplementedError):
        sp.limit(1 + sp.Rational(-1, 2) ** t, t, sp.oo)


def test_sympy_limit_misreports_alternating_power() -> None:
    # (-2)^t alternates in sign with growing modulus; SymPy 1.14 returns complex infinity.
    assert sp.limit(sp.Integer(-2) ** t, t, sp.oo) == sp.zoo


def test_negative_dominant_limit_avoids_sympy_limit() -> None:
    verdict = q2.ratio_limit_claim(
        "2/negative-again", "negative", q2.NEGATIVE, q2.NEGATIVE.term(0)
    ).check()
    assert verdict.method is Method.PROVED


# --- the sheet ---------------------------------------------------------------------------------------


def test_errata_cover_modulus_and_typos() -> None:
    (part,) = q2.build()
    quoted = [erratum.reference_says for erratum in part.errata]
    assert any("λ > 1" in text for text in quoted)
    assert any("Γ" in text for text in quoted)
    assert any(" w" in text for text in quoted)


def test_power_chain_prints_lambda() -> None:
    (part,) = q2.build()
    chain = next(block for block in part.body if isinstance(block, Equation) and block.lhs == q2.h_t)
    assert r"\mathbf{\Lambda}^{t}" in render_block(chain)


def test_restated_limit_claim_rejected() -> None:
    claim = q2.ratio_limit_claim("2/restate", "restate", q2.GROWING, q2.GROWING.term(0))
    restated = claim.restate(q2.GROWING.term(1))
    assert restated is not None
    assert restated.check().method is Method.FALSE


@pytest.fixture(scope="module")
def claims_by_id():
    (part,) = q2.build()
    return {claim.id: claim for claim in part.all_claims()}


def _jordan_power(exponent: sp.Expr) -> sp.Matrix:
    return q2.lam**exponent * sp.eye(2) + exponent * q2.lam ** (exponent - 1) * sp.Matrix([[0, 1], [0, 0]])


WRONG_STATED = {
    # t λ^t N in place of t λ^(t-1) N.
    "2/jordan-power-step": lambda: q2.lam**t * sp.eye(2) + t * q2.lam**t * sp.Matrix([[0, 1], [0, 0]]),
    "2/jordan-power-base": lambda: _jordan_power(sp.Integer(1)) + sp.Matrix([[0, 1], [0, 0]]),
    "2/jordan-not-diagonalisable": lambda: sp.Matrix([[0, 1], [0, 0]]),
    "2/tied-odd": lambda: q2.TIED.term(0) + q2.TIED.term(1),
    "2/tied-even": lambda: q2.TIED.term(0) - q2.TIED.term(1),
    "2/orthogonal-start": lambda: sp.Matrix([[1]]),
    "2/orthogonal-constant": lambda: sp.zeros(3, 1),
    "2/induction-base-n2": lambda: q2.at_size(sp.Transpose(q2.Q) * q2.LAMBDA * q2.Q, 2),
    "2/closed-form-growing": lambda: q2.GROWING.eigenvectors * sp.diag(2**t, 2**-t) * q2.GROWING.eigenvectors.T,
    "2/dominant-limit-unit": lambda: -q2.UNIT.term(0),
}


@pytest.mark.parametrize("claim_id", sorted(WRONG_STATED))
def test_restated_wrong_form_rejected(claims_by_id, claim_id: str) -> None:
    restated = claims_by_id[claim_id].restate(WRONG_STATED[claim_id]())
    assert restated is not None
    assert restated.check().method is Method.FALSE
