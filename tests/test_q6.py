"""Answer 6: separability certificates, separating feature maps, feature counts, and wrong forms that must be rejected."""

from __future__ import annotations

import functools
import re

import pytest
import sympy as sp
from sympy.solvers.simplex import InfeasibleLPError, lpmin

from derive.check import check_parts
from derive.claims import Claim
from derive.papers.ep2 import q6
from derive.registry import get_paper, select_parts
from derive.verdict import Method


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["6"]))


@functools.cache
def _claims_by_id() -> dict[str, Claim]:
    (part,) = q6.build()
    return {claim.id: claim for claim in part.claims}


def _with_stated(claim_id: str, stated: object) -> Claim:
    original = _claims_by_id()[claim_id]
    return Claim(
        id=f"{claim_id}/wrong",
        statement="wrong variant",
        obtained=original.obtained,
        stated=stated,
        rewrites=original.rewrites,
        index_ranges=original.index_ranges,
    )


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
        "6/xor-not-separable",
        "6/xor-separable-after-map",
        "6/indicator-output-any-N",
        "6/conflicting-labels-any-map",
        "6/feature-count-table",
        "6/pascal-rule",
    ],
)
def test_claim_present(results, claim_id: str) -> None:
    assert claim_id in {result.claim.id for result in results}


def test_part_has_erratum() -> None:
    (part,) = q6.build()
    assert len(part.errata) == 1
    assert re.search(r"if and only if no input occurs with both labels", part.errata[0].what_holds)


# --- Farkas certificates --------------------------------------------------------------------


def test_xor_certificate_found() -> None:
    certificate = q6.infeasibility_certificate(q6.xor_set())
    assert certificate == (sp.Rational(1, 4),) * 4


def test_separable_set_has_no_certificate() -> None:
    data = q6.labelled([(0, 0), (1, 0), (3, 0), (4, 1)], [1, 1, -1, -1])
    assert q6.infeasibility_certificate(data) is None


def test_certificate_search_rejects_symbols() -> None:
    with pytest.raises(ValueError, match=r"^points \[1, 2\] have non-rational features; "):
        q6.infeasibility_certificate(q6.conflicting_features())


def test_mapped_xor_has_no_certificate() -> None:
    assert q6.infeasibility_certificate(q6.xor_set().mapped(q6.xor_feature_map)) is None


@pytest.mark.parametrize(
    ("multipliers", "detail"),
    [
        pytest.param((1, 1, 1, 0), r"^sum_n y_n t_n z_n is not the zero vector$", id="unbalanced"),
        pytest.param((0, 0, 0, 0), r"^the multipliers sum to 0, so they certify nothing$", id="all-zero"),
        pytest.param((1, -1, 1, -1), r"^multiplier 2 is negative$", id="negative"),
        pytest.param((1, 1, 0, 0), r"^sum_n y_n t_n is not 0$", id="same-label-pair"),
    ],
)
def test_wrong_certificate_rejected(multipliers: tuple[int, ...], detail: str) -> None:
    verdict = q6.certificate_verdict(q6.xor_set(), multipliers)
    assert verdict.method is Method.FALSE
    assert re.match(detail, verdict.detail)


def test_label_sum_checked() -> None:
    # The points 1 and -1 share a label, so y = (1, 1) cancels the weighted points but leaves a label sum of 2.
    data = q6.labelled([(1,), (-1,)], [1, 1])
    verdict = q6.certificate_verdict(data, (1, 1))
    assert verdict.method is Method.FALSE
    assert verdict.detail == "sum_n y_n t_n is not 0"


def test_certificate_rejected_on_separable_set() -> None:
    # The XOR certificate applied to the mapped points: the third coordinate does not cancel.
    verdict = q6.certificate_verdict(q6.xor_set().mapped(q6.xor_feature_map), (1, 1, 1, 1))
    assert verdict.method is Method.FALSE


def test_certificate_rejects_float_multiplier() -> None:
    with pytest.raises(ValueError, match=r"^multiplier 1 is 0\.25\d*, not an exact rational number$"):
        q6.certificate_verdict(q6.xor_set(), (0.25, 0.25, 0.25, 0.25))


def test_certificate_rejects_wrong_count() -> None:
    with pytest.raises(ValueError, match=r"^3 multipliers for 4 points; give one per point$"):
        q6.certificate_verdict(q6.xor_set(), (1, 1, 1))


def test_symbolic_certificate_needs_equal_features() -> None:
    # Two different symbolic feature values: the pair certificate must fail.
    a, b = sp.symbols("a b", real=True)
    data = q6.LabelledSet((sp.Matrix([a]), sp.Matrix([b])), (1, -1))
    assert q6.certificate_verdict(data, (1, 1)).method is Method.FALSE


# --- separating planes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "bias"),
    [
        pytest.param((1, 0, 0), 0, id="first-input"),
        pytest.param((0, 0, 1), 1, id="shifted"),
        pytest.param((0, 0, sp.Rational(1, 2)), 0, id="half-margin"),
        pytest.param((0, 0, -1), 0, id="flipped"),
    ],
)
def test_wrong_xor_plane_rejected(weights: tuple, bias: int) -> None:
    mapped = q6.xor_set().mapped(q6.xor_feature_map)
    verdict = q6.margin_verdict(mapped, sp.Matrix(weights), sp.Rational(bias))
    assert verdict.method is Method.FALSE


def test_xor_plane_margins_exactly_one() -> None:
    mapped = q6.xor_set().mapped(q6.xor_feature_map)
    verdict = q6.margin_verdict(mapped, q6.XOR_PLANE_WEIGHTS, q6.XOR_PLANE_BIAS)
    assert verdict.method is Method.PROVED
    assert verdict.detail.endswith("(1, 1, 1, 1)")


def test_wrong_plane_in_input_space_rejected() -> None:
    assert _with_stated("6/xor-plane-in-input-space", q6.X1 + q6.X2).check().method is Method.FALSE


def test_margin_rejects_symbolic_features() -> None:
    data = q6.LabelledSet((sp.Matrix([sp.Symbol("a")]),), (1,))
    with pytest.raises(ValueError, match=r"^the margin of point 1 is a, not an exact rational; "):
        q6.margin_verdict(data, sp.Matrix([1]), sp.Integer(0))


# --- maps for any consistently labelled set -------------------------------------------------


def test_indicator_features_are_unit_vectors() -> None:
    mapped, weights, bias = q6.indicator_separation(q6.ring_set())
    assert [list(vector) for vector in mapped.features] == [list(row) for row in sp.eye(6).tolist()]
    assert list(weights) == list(q6.ring_set().labels)
    assert bias == 0


def test_indicator_merges_same_label_repeat() -> None:
    mapped, weights, _ = q6.indicator_separation(q6.repeated_same_label_set())
    assert weights.shape == (4, 1)
    assert mapped.features[4] == mapped.features[0]


def test_indicator_rejects_conflicting_labels() -> None:
    with pytest.raises(ValueError, match=r"^the input \(1, 1\) has both labels, so no feature map can separate this set$"):
        q6.indicator_separation(q6.conflicting_set())


def test_conflicting_pair_found() -> None:
    assert q6._pair(q6.conflicting_set()) == [1, 0, 0, 0, 1]


def test_wrong_indicator_weights_rejected() -> None:
    mapped, weights, bias = q6.indicator_separation(q6.ring_set())
    flipped = weights.copy()
    flipped[0] = -flipped[0]
    assert q6.margin_verdict(mapped, flipped, bias).method is Method.FALSE


def _indicator_variant(stated: sp.Expr) -> Claim:
    claim = _claims_by_id()["6/indicator-output-any-N"]
    return Claim(
        id="indicator/wrong",
        statement="wrong indicator output",
        obtained=claim.obtained,
        stated=stated,
        index_ranges=claim.index_ranges,
        rewrites=claim.rewrites,
    )


def test_wrong_indicator_output_rejected() -> None:
    # Dropping the delta sums t_n over all N features: N t_n instead of t_n.
    labels = sp.IndexedBase("t")
    n = sp.Symbol("n", integer=True, positive=True)
    size = sp.Symbol("N", integer=True, positive=True)
    assert _indicator_variant(size * labels[n]).check().method is Method.FALSE


def test_false_index_claim_without_size() -> None:
    # The sum rewrite removes N from both sides, but N still bounds the index n: the search for a
    # counterexample must still give N a value.
    labels = sp.IndexedBase("t")
    n = sp.Symbol("n", integer=True, positive=True)
    assert _indicator_variant(labels[n + 1]).check().method is Method.FALSE


def test_ring_not_separable_by_a_line() -> None:
    certificate = q6.infeasibility_certificate(q6.ring_set())
    assert certificate is not None
    assert q6.certificate_verdict(q6.ring_set(), certificate).method is Method.PROVED


def test_interpolation_hits_labels() -> None:
    ring = q6.ring_set()
    direction = q6.distinct_projection(ring)
    polynomial = q6.interpolating_polynomial(ring, direction)
    values = [polynomial.eval((direction.T * vector)[0, 0]) for vector in ring.features]
    assert values == list(ring.labels)
    assert polynomial.degree() <= len(ring.labels) - 1


def test_distinct_projection_skips_collisions() -> None:
    # With c = 1, (1, 0) and (0, 1) both project to 1, so c must grow.
    data = q6.labelled([(1, 0), (0, 1)], [1, -1])
    assert list(q6.distinct_projection(data)) == [1, 2]


def test_distinct_projection_rejects_repeats() -> None:
    with pytest.raises(ValueError, match=r"^the inputs repeat a point; distinct projections need distinct points$"):
        q6.distinct_projection(q6.repeated_same_label_set())


@pytest.mark.parametrize(
    ("features", "labels", "pattern"),
    [
        pytest.param((sp.Matrix([1]),), (1, -1), r"^1 feature vectors but 2 labels; give one label per point$", id="count"),
        pytest.param((sp.Matrix([1]),), (0,), r"^labels must be -1 or \+1, got \[0\]$", id="label-zero"),
        pytest.param((), (), r"^the labelled set is empty; give at least one point$", id="empty"),
        pytest.param((sp.Matrix([1]), sp.Matrix([1, 2])), (1, -1), r"^feature vectors must be columns of one length", id="ragged"),
    ],
)
def test_labelled_set_rejects_invalid(features: tuple, labels: tuple, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        q6.LabelledSet(features, labels)


# --- counting polynomial features -----------------------------------------------------------


@pytest.mark.parametrize(
    ("dimension", "degree", "count"),
    [
        pytest.param(2, 2, 6, id="D2-d2"),
        pytest.param(3, 2, 10, id="D3-d2"),
        pytest.param(2, 3, 10, id="D2-d3"),
        pytest.param(10, 2, 66, id="D10-d2"),
        pytest.param(0, 4, 1, id="D0"),
        pytest.param(4, 0, 1, id="d0"),
    ],
)
def test_monomial_count(dimension: int, degree: int, count: int) -> None:
    assert len(q6.monomials(dimension, degree)) == count


def test_quadratic_monomials_listed() -> None:
    x1, x2 = sp.symbols("x_1 x_2", real=True)
    assert q6.monomials(2, 2) == {sp.Integer(1), x1, x2, x1**2, x1 * x2, x2**2}


D, d = q6.DIMENSION, q6.DEGREE
WRONG_COUNT_FORMS = {
    "exact-degree-only": lambda D_, d_: sp.binomial(D_ + d_ - 1, d_),
    "power": lambda D_, d_: sp.Integer(D_) ** d_,
    "no-constant": lambda D_, d_: sp.binomial(D_ + d_, d_) - 1,
}


@pytest.mark.parametrize("name", sorted(WRONG_COUNT_FORMS))
def test_wrong_count_table_rejected(name: str) -> None:
    form = WRONG_COUNT_FORMS[name]
    stated = sp.Matrix(
        len(q6.TABLE_DIMENSIONS),
        len(q6.TABLE_DEGREES),
        lambda row, column: form(q6.TABLE_DIMENSIONS[row], q6.TABLE_DEGREES[column]),
    )
    assert _with_stated("6/feature-count-table", stated).check().method is Method.FALSE


@pytest.mark.parametrize(
    "stated",
    [
        pytest.param(sp.binomial(D - 1 + d, d) + sp.binomial(D + d - 1, d + 1), id="wrong-lower"),
        pytest.param(sp.binomial(D + d - 1, d) * 2, id="doubled"),
        pytest.param(sp.binomial(D + d, d - 1) + sp.binomial(D + d - 1, d - 1), id="wrong-upper"),
    ],
)
def test_wrong_pascal_rule_rejected(stated: sp.Expr) -> None:
    assert _with_stated("6/pascal-rule", stated).check().method is Method.FALSE


def test_split_verdict_on_grid() -> None:
    assert q6.split_verdict(range(1, 4), range(1, 4)).method is Method.PROVED


# --- SymPy pitfalls the answer avoids --------------------------------------------------------


def test_sympy_simplex_accepts_infeasible_xor() -> None:
    # SymPy 1.14's lpmin returns a "solution" of the infeasible XOR margin constraints. The
    # answer never trusts a solver's point: the exact margin check rejects whatever it returns.
    w1, w2, b = sp.symbols("w1 w2 b")
    xor = q6.xor_set()
    constraints = [
        label * (w1 * vector[0] + w2 * vector[1] + b) >= 1 for vector, label in zip(xor.features, xor.labels)
    ]
    try:
        _, point = lpmin(w1, constraints)
    except InfeasibleLPError:
        return  # a later SymPy that reports infeasibility correctly
    weights = sp.Matrix([point.get(w1, 0), point.get(w2, 0)])
    verdict = q6.margin_verdict(xor, weights, point.get(b, 0))
    assert verdict.method is Method.FALSE


def test_certificate_search_does_not_use_simplex() -> None:
    source = open(q6.__file__, encoding="utf-8").read()
    assert "import lpmin" not in source
    assert "solvers.simplex import" not in source


def test_binomial_needs_gamma_rewrite() -> None:
    # expand_func leaves binomial(D + d, d) as it is, so without the rewrite the binomials stay
    # independent atoms and Pascal's rule cannot be proved symbolically.
    assert sp.expand_func(sp.binomial(D + d, d)) == sp.binomial(D + d, d)
    claim = _claims_by_id()["6/pascal-rule"]
    bare = Claim(id="pascal/bare", statement="no rewrite", obtained=claim.obtained, stated=claim.stated)
    assert bare.check().method is not Method.PROVED
    assert claim.check().method is Method.PROVED
