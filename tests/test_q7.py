"""Answer 7: the kernel SVM on XOR, its exact dual solution, and wrong forms that must be rejected."""

from __future__ import annotations

import functools
import re

import pytest
import sympy as sp

from derive.check import check_parts
from derive.claims import Claim
from derive.errors import ClaimFailed
from derive.papers.ep2 import q7
from derive.registry import get_paper, select_parts
from derive.verdict import Method


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["7"]))


@functools.cache
def _claims_by_id() -> dict[str, Claim]:
    (part,) = q7.build()
    return {claim.id: claim for claim in part.claims}


def _claim(claim_id: str) -> Claim:
    return _claims_by_id()[claim_id]


def _with_stated(claim_id: str, stated: object) -> Claim:
    original = _claim(claim_id)
    return Claim(id=f"{claim_id}/wrong", statement="wrong variant", obtained=original.obtained, stated=stated)


# --- the claims of the part -----------------------------------------------------------------


def test_every_claim_holds(results) -> None:
    failing = [result.failure() for result in results if not result.holds]
    assert not failing, "\n\n".join(failing)


def test_every_claim_proved(results) -> None:
    weak = [result.claim.id for result in results if result.verdict.method is not Method.PROVED]
    assert weak == []


@pytest.mark.parametrize(
    "claim_id",
    [
        "7/gram-matrix",
        "7/feature-map",
        "7/gram-positive-definite",
        "7/dual-multipliers",
        "7/multipliers-nonnegative",
        "7/bias",
        "7/margins",
        "7/decision-function",
        "7/primal-weights",
        "7/duality-gap",
    ],
)
def test_claim_present(results, claim_id: str) -> None:
    assert claim_id in {result.claim.id for result in results}


def test_part_has_erratum() -> None:
    (part,) = q7.build()
    assert len(part.errata) == 1
    assert re.search(r"positive definite", part.errata[0].what_holds)


# --- public functions -----------------------------------------------------------------------


def test_xor_data_values() -> None:
    inputs, labels = q7.xor_data()
    assert inputs.tolist() == [[1, 1], [-1, -1], [-1, 1], [1, -1]]
    assert labels.tolist() == [[1], [1], [-1], [-1]]


def test_gram_matrix_entries() -> None:
    gram = q7.gram_matrix()
    assert gram.shape == (4, 4)
    assert all(gram[n, n] == 9 for n in range(4))
    assert all(gram[n, m] == 1 for n in range(4) for m in range(4) if n != m)


def test_dual_solution_exact_rationals() -> None:
    solution = q7.dual_solution()
    assert all(isinstance(value, sp.Rational) for value in solution.multipliers)
    assert list(solution.multipliers) == [sp.Rational(1, 8)] * 4
    assert solution.bias == 0
    assert solution.equality_multiplier == 0


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        pytest.param((1, 1), 1, id="x1"),
        pytest.param((-1, 1), -1, id="x3"),
        pytest.param((3, -2), -6, id="off-data"),
        pytest.param((sp.Rational(1, 2), sp.Rational(2, 3)), sp.Rational(1, 3), id="rational"),
    ],
)
def test_decision_function_at_point(point: tuple, expected: sp.Rational) -> None:
    assert q7.decision_function(sp.Matrix(point)) == expected


def test_kernel_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"^kernel needs two column vectors of the same length, got shapes \(2, 1\) and \(3, 1\)$"):
        q7.kernel(sp.Matrix([1, 2]), sp.Matrix([1, 2, 3]))


def test_feature_map_rejects_row_vector() -> None:
    with pytest.raises(ValueError, match=r"^feature_map needs a 2x1 column vector, got shape \(1, 2\)$"):
        q7.feature_map(sp.Matrix([[1, 2]]))


# --- wrong variants are rejected ------------------------------------------------------------


WRONG_GRAMS = {
    "diagonal-8": 7 * sp.eye(4) + sp.ones(4, 4),
    "transposed-roles": sp.eye(4) * -8 + 9 * sp.ones(4, 4),
    "linear-kernel": sp.Matrix(4, 4, lambda n, m: 1 + (q7.data_points()[n].T * q7.data_points()[m])[0, 0]),
}


@pytest.mark.parametrize("name", sorted(WRONG_GRAMS))
def test_wrong_gram_rejected(name: str) -> None:
    assert _with_stated("7/gram-matrix", WRONG_GRAMS[name]).check().method is Method.FALSE


@pytest.mark.parametrize(
    ("name", "stated"),
    [
        pytest.param("quarter", sp.Matrix([sp.Rational(1, 4)] * 4), id="quarter"),
        pytest.param("ninth", sp.Matrix([sp.Rational(1, 9)] * 4), id="ninth"),
        pytest.param("one-off", sp.Matrix([sp.Rational(1, 8)] * 3 + [sp.Rational(1, 4)]), id="one-off"),
    ],
)
def test_wrong_multipliers_rejected(name: str, stated: sp.Matrix) -> None:
    assert _with_stated("7/dual-multipliers", stated).check().method is Method.FALSE


@pytest.mark.parametrize("bias", [1, -1, sp.Rational(1, 8)], ids=["one", "minus-one", "eighth"])
def test_wrong_bias_rejected(bias: sp.Expr) -> None:
    assert _with_stated("7/bias", sp.Rational(bias)).check().method is Method.FALSE


@pytest.mark.parametrize(
    "stated",
    [
        pytest.param(-q7.X1 * q7.X2, id="negated"),
        pytest.param(q7.X1 * q7.X2 + 1, id="offset"),
        pytest.param(q7.X1**2 * q7.X2**2, id="squared"),
        pytest.param(2 * q7.X1 * q7.X2, id="doubled"),
    ],
)
def test_wrong_decision_function_rejected(stated: sp.Expr) -> None:
    assert _with_stated("7/decision-function", stated).check().method is Method.FALSE


def test_wrong_margins_rejected() -> None:
    assert _with_stated("7/margins", sp.Matrix([1, 1, 1, 2])).check().method is Method.FALSE


@pytest.mark.parametrize(
    "stated",
    [
        pytest.param(sp.Matrix([0, 0, 0, 0, 1, 0]), id="no-root"),
        pytest.param(sp.Matrix([0, 0, 0, 0, sp.sqrt(2), 0]), id="root-two"),
        pytest.param(sp.Matrix([0, 0, 0, 1 / sp.sqrt(2), 0, 0]), id="wrong-slot"),
    ],
)
def test_wrong_primal_weights_rejected(stated: sp.Matrix) -> None:
    assert _with_stated("7/primal-weights", stated).check().method is Method.FALSE


def test_feature_map_without_roots_rejected() -> None:
    def plain(x: sp.Matrix) -> sp.Matrix:
        return sp.Matrix([1, x[0], x[1], x[0] ** 2, x[0] * x[1], x[1] ** 2])

    claim = Claim(
        id="7/feature-map/wrong",
        statement="the map without sqrt(2) factors",
        obtained=(plain(q7.GENERIC_INPUT).T * plain(q7.SECOND_INPUT))[0, 0],
        stated=q7.kernel(q7.GENERIC_INPUT, q7.SECOND_INPUT),
    )
    assert claim.check().method is Method.FALSE


def test_wrong_characteristic_polynomial_rejected() -> None:
    stated = (q7.EIGENVALUE - 8) ** 2 * (q7.EIGENVALUE - 12) ** 2
    assert _with_stated("7/gram-characteristic-polynomial", stated).check().method is Method.FALSE


def test_wrong_duality_gap_rejected() -> None:
    original = _claim("7/duality-gap")
    claim = Claim(id="gap/wrong", statement="dual = |w|^2", obtained=original.obtained, stated=2 * original.stated)
    assert claim.check().method is Method.FALSE


def test_false_claim_require_raises() -> None:
    with pytest.raises(ClaimFailed, match=r"^claim 7/bias/wrong: false: wrong variant"):
        _with_stated("7/bias", sp.Integer(1)).require()


# --- positive definiteness and sign checks --------------------------------------------------


@pytest.mark.parametrize(
    ("matrix", "detail"),
    [
        pytest.param(sp.ones(4, 4) * 9 - 8 * sp.eye(4), r"^leading minor 2 of M is -80, not positive$", id="swapped-gram"),
        pytest.param(sp.Matrix([[1, 4], [0, 1]]), r"^M is not symmetric", id="non-symmetric"),
        pytest.param(sp.Matrix([[1, 1], [1, 1]]), r"^leading minor 2 of M is 0, not positive$", id="singular"),
        pytest.param(-sp.eye(3), r"^leading minor 1 of M is -1, not positive$", id="negative"),
    ],
)
def test_not_positive_definite_rejected(matrix: sp.Matrix, detail: str) -> None:
    verdict = q7.positive_definite_verdict(matrix, "M")
    assert verdict.method is Method.FALSE
    assert re.match(detail, verdict.detail)


def test_non_symmetric_with_positive_minors_is_indefinite() -> None:
    # Leading minors 1 and 1 are positive, yet x = (1, -1) gives x^T M x = -2: why symmetry is required.
    matrix = sp.Matrix([[1, 4], [0, 1]])
    probe = sp.Matrix([1, -1])
    assert q7.leading_minors(matrix) == [1, 1]
    assert (probe.T * matrix * probe)[0, 0] == -2
    assert q7.positive_definite_verdict(matrix, "M").method is Method.FALSE


def test_positive_definite_rejects_symbolic_entries() -> None:
    with pytest.raises(ValueError, match=r"^M has non-rational entries; "):
        q7.positive_definite_verdict(sp.Matrix([[sp.Symbol("a"), 0], [0, 1]]), "M")


def test_positive_definite_rejects_non_square() -> None:
    with pytest.raises(ValueError, match=r"^M is 2x3; positive definiteness needs a square matrix$"):
        q7.positive_definite_verdict(sp.ones(2, 3), "M")


def test_negative_multiplier_rejected() -> None:
    verdict = q7.nonnegative_verdict(sp.Matrix([sp.Rational(1, 8), sp.Rational(-1, 8)]), "a")
    assert verdict.method is Method.FALSE
    assert verdict.detail == "a[2] is negative"


def test_hessian_negative_definite() -> None:
    hessian = _claim("7/dual-hessian").obtained
    assert q7.positive_definite_verdict(-hessian, "-H").method is Method.PROVED
