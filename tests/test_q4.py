"""Answer 4: batch and layer normalisation, the layer-norm Jacobian, and wrong forms that must be rejected."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.calculus import jacobian, vector
from derive.check import check_parts
from derive.claims import Claim
from derive.papers.ep2 import q4
from derive.registry import get_paper, select_parts
from derive.rewrites import DELTA_RANGE_PIECEWISE, EXPAND_SUMS, POWERS_OF_SQUARE_ROOTS, RewriteContext
from derive.verdict import Method
from derive.verify import decide

n, i, j, l = q4.n, q4.i, q4.j, q4.l
y = q4.y_i
EPS = q4.EPS


@pytest.fixture(scope="module")
def results():
    return check_parts(select_parts(get_paper("ep2"), ["4"]))


@pytest.mark.parametrize("part_id", ["4a", "4b"])
def test_every_claim_of_part_holds(results, part_id: str) -> None:
    own = [result for result in results if result.part.id == part_id]
    assert own, f"part {part_id} has no claims"
    failing = [result.failure() for result in own if not result.holds]
    assert not failing, "\n\n".join(failing)


def test_every_claim_is_proved(results) -> None:
    weak = [(result.claim.id, result.verdict.method.value) for result in results if result.verdict.method is not Method.PROVED]
    assert weak == []


@pytest.mark.parametrize("size", list(q4.EXPLICIT_SIZES))
def test_explicit_sizes_covered(results, size: int) -> None:
    ids = {result.claim.id for result in results}
    assert f"4b/full-n{size}" in ids
    assert f"4b/full-eps-n{size}" in ids
    assert f"4b/fixed-sigma-n{size}" in ids


def test_parts_have_errata(results) -> None:
    parts = {result.part.id: result.part for result in results}
    assert parts["4a"].errata
    assert len(parts["4b"].errata) == 2


# --- wrong forms of the Jacobian --------------------------------------------------------------------


def _check(claim_id: str, obtained: object, stated: object, **options: object) -> Method:
    return Claim(id=claim_id, statement="wrong variant", obtained=obtained, stated=stated, **options).check().method


def _explicit_variant(size: int, eps: sp.Expr, divisor: sp.Expr, variance_sign: int, with_scale: bool) -> sp.Matrix:
    inputs = vector("y", size)
    normalised = q4.normalise(inputs, eps)
    sigma = q4.standard_deviation(inputs, eps) if with_scale else 1
    core = sp.eye(size) - sp.ones(size, size) / divisor - variance_sign * normalised * normalised.T / divisor
    return core / sigma


WRONG_EXPLICIT = [
    pytest.param(3, 0, 3 - 1, 1, True, id="bessel-divisor-n3"),
    pytest.param(4, EPS, 4 - 1, 1, True, id="bessel-divisor-eps-n4"),
    pytest.param(3, 0, 3, 0, True, id="missing-variance-term-n3"),
    pytest.param(5, EPS, 5, 0, True, id="missing-variance-term-eps-n5"),
    pytest.param(3, 0, 3, -1, True, id="flipped-variance-sign-n3"),
    pytest.param(4, 0, 4, 1, False, id="missing-one-over-sigma-n4"),
]


@pytest.mark.parametrize(("size", "eps", "divisor", "variance_sign", "with_scale"), WRONG_EXPLICIT)
def test_wrong_jacobian_rejected(size: int, eps: sp.Expr, divisor: int, variance_sign: int, with_scale: bool) -> None:
    stated = _explicit_variant(size, eps, divisor, variance_sign, with_scale)
    method = _check("wrong/explicit", q4.layer_norm_jacobian(size, eps), stated, rewrites=(q4.POWERS_OF_SQUARE_ROOTS,))
    assert method is Method.FALSE


@pytest.mark.parametrize("size", [2, 3, 6])
def test_reference_matrix_rejected_as_full(size: int) -> None:
    reference = sp.eye(size) - sp.ones(size, size) / size
    assert _check("wrong/reference", q4.layer_norm_jacobian(size), reference) is Method.FALSE


def test_sample_variance_sigma_rejected() -> None:
    # The printed form built with sigma from the 1/(n - 1) variance is not the Jacobian of the
    # normaliser that uses the population variance.
    size = 3
    inputs = vector("y", size)
    sample_sigma = sp.sqrt(q4.population_variance(inputs) * size / (size - 1))
    stated = q4._instantiate(q4.LAYER_NORM_STATED, size, 0, sigma=sample_sigma)
    assert _check("wrong/sample-sigma", q4.layer_norm_jacobian(size), stated) is Method.FALSE


def test_gain_on_wrong_side_rejected() -> None:
    size = 3
    gain = vector("w", size)
    wrong = sp.diag(*gain) * q4.layer_norm_jacobian_stated(size, EPS)
    method = _check("wrong/gain", q4.gained_layer_norm_jacobian(size, EPS), wrong, rewrites=(POWERS_OF_SQUARE_ROOTS,))
    assert method is Method.FALSE


def _index_variant(divisor: sp.Expr, variance_sign: int) -> sp.Expr:
    yhat = q4.index_normalised
    return (sp.KroneckerDelta(i, j) - 1 / divisor - variance_sign * yhat(i) * yhat(j) / divisor) / q4.index_sigma()


@pytest.mark.parametrize(
    ("divisor", "variance_sign"),
    [
        pytest.param(n - 1, 1, id="bessel-divisor"),
        pytest.param(n, 0, id="missing-variance-term"),
        pytest.param(n, -1, id="flipped-variance-sign"),
    ],
)
def test_wrong_index_form_rejected(divisor: sp.Expr, variance_sign: int) -> None:
    method = _check(
        "wrong/index",
        sp.diff(q4.index_normalised(j), y[i]),
        _index_variant(divisor, variance_sign),
        index_ranges=q4.INDEX_RANGES,
        rewrites=(EXPAND_SUMS, POWERS_OF_SQUARE_ROOTS),
    )
    assert method is Method.FALSE


def test_fixed_sigma_rejects_reference() -> None:
    size = 3
    inputs = vector("y", size)
    sigma = sp.Symbol("sigma", positive=True)
    obtained = jacobian((inputs - q4.mean(inputs) * sp.ones(size, 1)) / sigma, inputs, layout="denominator")
    assert _check("wrong/fixed-sigma", obtained, sp.eye(size) - sp.ones(size, size) / size) is Method.FALSE


def test_wrong_derivation_step_rejected() -> None:
    # Dropping the 1/n of dmu/dy_i in step 3 must break the chain of the printed derivation.
    derivation = q4.layer_norm_index_derivation()
    step2, step3 = derivation.steps[1].expr, derivation.steps[2].expr
    wrong = step3.xreplace({sp.KroneckerDelta(i, j): sp.KroneckerDelta(i, j) + 1 / n})
    method = _check("wrong/step3", step2, wrong, index_ranges=q4.INDEX_RANGES, rewrites=q4.INDEX_REWRITES)
    assert method is Method.FALSE


# --- wrong forms in 4(a) ------------------------------------------------------------------------------


def _batch() -> sp.Matrix:
    from derive.calculus import matrix

    return matrix("y", q4.BATCH_SIZE, q4.BATCH_SIZE)


def test_batch_norm_independence_rejected() -> None:
    batch = _batch()
    normed = q4.batch_norm(batch, EPS)
    obtained = jacobian(normed.row(0).T, batch.row(1).T, layout="denominator")
    assert _check("wrong/batch-independent", obtained, sp.zeros(3, 3)) is Method.FALSE


def test_layer_norm_own_sample_not_zero() -> None:
    batch = _batch()
    normed = q4.layer_norm(batch, EPS)
    obtained = jacobian(normed.row(0).T, batch.row(0).T, layout="denominator")
    assert _check("wrong/layer-own", obtained, sp.zeros(3, 3)) is Method.FALSE


def test_unit_variance_with_eps_rejected() -> None:
    inputs = vector("y", 3)
    variance = q4.population_variance(inputs)
    obtained = q4.population_variance(q4.normalise(inputs, EPS)) * (variance + EPS)
    assert _check("wrong/unit-variance", obtained, variance + EPS, rewrites=(POWERS_OF_SQUARE_ROOTS,)) is Method.FALSE


def test_inference_without_eps_rejected() -> None:
    batch = _batch()
    means = vector("m", 3)
    variances = sp.Matrix(3, 1, lambda row, _: sp.Symbol(f"s_{{{row + 1}}}", positive=True))
    inference = q4.batch_norm_inference(batch, means, variances, EPS)
    obtained = jacobian(inference.row(0).T, batch.row(0).T, layout="denominator")
    assert _check("wrong/inference", obtained, sp.diag(*[1 / sp.sqrt(v) for v in variances])) is Method.FALSE


# --- the non-zero claims ---------------------------------------------------------------------------------


def test_nonzero_claim_rejects_zero() -> None:
    batch = _batch()
    normed = q4.layer_norm(batch, EPS)
    zero = sp.diff(normed[0, 0], batch[1, 0])
    claim = q4.nonzero_at_point("t/zero", "a zero derivative", zero, {batch[1, 0]: 1, EPS: 0})
    assert claim.check().method is Method.FALSE


def test_nonzero_claim_needs_full_point() -> None:
    symbol = sp.Symbol("a")
    claim = q4.nonzero_at_point("t/free", "a free symbol", symbol + 1, {})
    verdict = claim.check()
    assert verdict.method is Method.UNDECIDED
    assert verdict.detail.startswith("the point leaves a free")


# --- public functions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "eps", "message"),
    [
        pytest.param(0, 0, r"^size must be a positive integer, got 0$", id="zero"),
        pytest.param(1, 0, r"^size 1 with eps = 0 divides by a zero standard deviation", id="one-without-eps"),
    ],
)
def test_layer_norm_jacobian_rejects_size(size: int, eps: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        q4.layer_norm_jacobian(size, eps)


def test_size_one_with_eps_is_zero() -> None:
    assert q4.layer_norm_jacobian(1, EPS) == sp.zeros(1, 1)


def test_layer_norm_jacobian_numeric_value() -> None:
    # At y = (0, 1, 3), eps = 0: mu = 4/3, sigma^2 = 14/9; entry (1, 2) is (-1/3 - yhat_1 yhat_2/3)/sigma.
    inputs = vector("y", 3)
    value = q4.layer_norm_jacobian(3)[0, 1].xreplace(dict(zip(inputs, (0, 1, 3))))
    sigma = sp.sqrt(sp.Rational(14, 9))
    expected = (-sp.Rational(1, 3) - (-sp.Rational(4, 3) / sigma) * (-sp.Rational(1, 3) / sigma) / 3) / sigma
    assert sp.nsimplify(value - expected) == 0


# --- SymPy pitfalls the answer avoids -------------------------------------------------------------------


def test_simplify_misses_zero_deviation_sum() -> None:
    deviations = sp.Sum(y[l] - q4.index_mean(), (l, 1, n))
    assert sp.simplify(deviations) != 0
    assert EXPAND_SUMS(deviations, RewriteContext(q4.INDEX_RANGES)) == 0


def test_doit_leaves_piecewise_with_nonzero_branch() -> None:
    # Sum(delta(i, l) (y_l - mu)).doit() is Piecewise((..., i <= n), (Sum(...), True)) whose second
    # branch is zero only after expansion, so piecewise_in_range alone cannot drop it.
    context = RewriteContext(q4.INDEX_RANGES)
    expr = sp.Sum(sp.KroneckerDelta(i, l) * (y[l] - q4.index_mean()) - (y[l] - q4.index_mean()) / n, (l, 1, n)).doit()
    assert expr.has(sp.Piecewise)
    assert DELTA_RANGE_PIECEWISE(expr, context).has(sp.Piecewise)
    rewritten = expr
    for rewrite in q4.INDEX_REWRITES:
        rewritten = rewrite(rewritten, context)
    assert not rewritten.has(sp.Piecewise)


def test_root_relation_needs_rewrite() -> None:
    # Atom abstraction treats sqrt(v) as a fresh symbol and v as a polynomial, so without the
    # rewrite the Jacobian is only checked numerically; with it, it is proved.
    size = 3
    obtained, stated = q4.layer_norm_jacobian(size), q4.layer_norm_jacobian_stated(size)
    without = decide(obtained, stated, label="t/roots")
    with_rewrite = decide(obtained, stated, label="t/roots", rewrites=(POWERS_OF_SQUARE_ROOTS,))
    assert without.method is Method.NUMERIC
    assert with_rewrite.method is Method.PROVED
