"""Answer 1: residual and highway Jacobians, saturation, and wrong forms that must be rejected."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.calculus import instantiate, matrix, vector
from derive.check import check_parts
from derive.claims import Claim
from derive.errors import ClaimFailed
from derive.functions import sigmoid
from derive.papers.ep2 import q1
from derive.registry import get_paper, select_parts
from derive.verdict import Method


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["1"]))


@pytest.mark.parametrize("part_id", ["1a", "1b", "1c"])
def test_every_claim_of_part_holds(results, part_id: str) -> None:
    own = [result for result in results if result.part.id == part_id]
    assert own, f"part {part_id} has no claims"
    failing = [result.failure() for result in own if not result.holds]
    assert not failing, "\n\n".join(failing)


def test_no_claim_rests_on_numbers_alone(results) -> None:
    weak = [result.claim.id for result in results if result.verdict.method is not Method.PROVED]
    assert weak == []


@pytest.mark.parametrize("size", list(q1.EXPLICIT_SIZES))
def test_explicit_sizes_covered(results, size: int) -> None:
    ids = {result.claim.id for result in results}
    assert f"1a/explicit-n{size}" in ids
    assert f"1c/explicit-n{size}" in ids


def test_symbolic_size_claims_present(results) -> None:
    ids = {result.claim.id for result in results}
    assert "1a/index/stated" in ids
    assert "1c/index" in ids


def test_index_derivation_uses_sum_rewrite(results) -> None:
    verdict = next(result.verdict for result in results if result.claim.id == "1a/index/step4")
    assert "expand_sums" in verdict.rewrites


def _stated_at(form: sp.MatrixExpr, size: int) -> sp.Matrix:
    weights, inputs = matrix("W", size, size), vector("x", size)
    return instantiate(form, q1.n, size, {"W": weights, "z": weights * inputs})


WRONG_RESIDUAL_FORMS = {
    # phi(1 + phi) in place of phi(1 - phi), the error the sheet must not let through.
    "sigmoid-plus": sp.Identity(q1.n)
    + q1.W.T * sp.DiagMatrix(sp.HadamardProduct(q1.phi_of(q1.z), sp.OneMatrix(q1.n, 1) + q1.phi_of(q1.z))),
    # W in place of W^T: numerator layout leaking into a denominator-layout sheet.
    "untransposed": sp.Identity(q1.n) + q1.W * sp.DiagMatrix(q1.sigmoid_derivative_vector(q1.z)),
    "no-identity": q1.W.T * sp.DiagMatrix(q1.sigmoid_derivative_vector(q1.z)),
    "diag-on-left": sp.Identity(q1.n) + sp.DiagMatrix(q1.sigmoid_derivative_vector(q1.z)) * q1.W.T,
}


@pytest.mark.parametrize("name", sorted(WRONG_RESIDUAL_FORMS))
def test_wrong_residual_form_rejected(name: str) -> None:
    claim = Claim(
        id=f"1a/wrong-{name}",
        statement=f"wrong residual Jacobian ({name})",
        obtained=q1.residual_jacobian(3),
        stated=_stated_at(WRONG_RESIDUAL_FORMS[name], 3),
    )
    assert claim.check().method is Method.FALSE


def test_wrong_form_message_shows_point() -> None:
    claim = Claim(
        id="1a/wrong-sigmoid-plus",
        statement="dy/dx = I + W^T diag(phi(1 + phi))",
        obtained=q1.residual_jacobian(3),
        stated=_stated_at(WRONG_RESIDUAL_FORMS["sigmoid-plus"], 3),
    )
    with pytest.raises(ClaimFailed) as raised:
        claim.require()
    message = str(raised.value)
    assert message.startswith("claim 1a/wrong-sigmoid-plus: false: dy/dx = I + W^T diag(phi(1 + phi))")
    assert "obtained[1,1]:" in message
    assert "stated[1,1]:" in message
    assert "difference:" in message
    assert "they differ at W_{1,1} = " in message


def test_untransposed_index_form_rejected() -> None:
    derivation = q1.residual_index_derivation()
    wrong = derivation.stated.xreplace({q1.W_i[q1.j, q1.i]: q1.W_i[q1.i, q1.j]})
    claim = Claim(
        id="1a/wrong-index",
        statement="dy_j/dx_i = delta_ij + W_ij phi'(z_j)",
        obtained=derivation.steps[0].expr.doit(),
        stated=wrong,
        index_ranges=q1.INDEX_RANGES,
        rewrites=derivation.rewrites,
    )
    assert claim.check().method is Method.FALSE


@pytest.mark.parametrize(
    ("name", "term"),
    [
        pytest.param("no-gate-path", 2, id="no-gate-path"),
        pytest.param("no-carry", 0, id="no-carry"),
    ],
)
def test_incomplete_highway_form_rejected(name: str, term: int) -> None:
    size = 3
    weights, gate_weights, inputs = matrix("W", size, size), matrix("W_g", size, size), vector("x", size)
    gate = sp.Matrix(size, 1, lambda row, _: sigmoid((gate_weights * inputs)[row]))
    dropped = sp.MatAdd(*[t for index, t in enumerate(q1.HIGHWAY_TERMS) if index != term])
    stated = instantiate(
        dropped, q1.n, size, {"W": weights, "W_g": gate_weights, "x": inputs, "a": weights * inputs, "g": gate}
    )
    claim = Claim(id=f"1c/wrong-{name}", statement=name, obtained=q1.highway_jacobian(size), stated=stated)
    assert claim.check().method is Method.FALSE


def test_reference_saturation_is_limit_not_zero() -> None:
    s = sp.Symbol("s", real=True)
    claim = Claim(
        id="1b/slope-is-zero",
        statement="phi'(s) = 0 (the reference's wording)",
        obtained=sp.diff(sigmoid(s), s),
        stated=sp.Integer(0),
    )
    assert claim.check().method is Method.FALSE


def test_errata_recorded() -> None:
    parts = {part.id: part for part in get_paper("ep2").answer("1").parts}
    assert [entry.question for entry in parts["1b"].errata] == ["1b"]
    assert [entry.question for entry in parts["1c"].errata] == ["1c"]
