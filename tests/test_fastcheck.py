"""The forward-mode Jacobian check: cross-checked against SymPy's Jacobian, and rejecting wrong forms."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from derive.calculus import jacobian, vector
from derive.errors import ShapeMismatch
from derive.fastcheck import (
    DEGREE,
    DegreeBound,
    ForwardEvaluator,
    MatrixForm,
    Point,
    UnsupportedExpression,
    check_jacobian,
    jacobian_at_point,
    jacobian_claim,
)
from derive.papers.ep2 import q4
from derive.verdict import Method
from derive.verify import CheckSettings

n = q4.n
EPS_CASES = [0, q4.EPS]


def layer_form(expr: sp.MatrixExpr, size: int, eps: sp.Expr) -> MatrixForm:
    """The printed form `expr` at an explicit size, with sigma, mu, yhat and 1 those of the layer."""
    inputs = vector("y", size)
    return MatrixForm(
        expr,
        n,
        size,
        scalars={q4.SIGMA: q4.standard_deviation(inputs, eps), q4.MU: q4.mean(inputs)},
        matrices={
            "y": inputs,
            "yhat": q4.normalise(inputs, eps),
            "1": sp.ones(size, 1),
            "w": vector("w", size),
        },
    )


def _variant(scale: sp.Expr, sign: int) -> sp.MatrixExpr:
    outer = sp.MatAdd(q4.ONES * q4.ONES.T, sp.MatMul(sign, q4.Y_HAT * q4.Y_HAT.T))
    return sp.MatMul(1 / q4.SIGMA, sp.MatAdd(sp.Identity(n), sp.MatMul(-scale, outer)))


WRONG_FORMS = {
    "1/(n-1) in place of 1/n": _variant(1 / (n - 1), 1),
    "variance term missing": q4.FIXED_SIGMA_STATED,
    "sign of the variance term flipped": _variant(1 / n, -1),
}


@pytest.mark.parametrize("eps", EPS_CASES)
@pytest.mark.parametrize("size", [2, 3, 5, 8, 64])
def test_layer_norm_form_accepted(size, eps):
    inputs = vector("y", size)
    verdict = check_jacobian(
        q4.normalise(inputs, eps), inputs, layer_form(q4.LAYER_NORM_STATED, size, eps), label=f"ln-{size}"
    )
    assert verdict.method is Method.IDENTITY_TESTED
    assert verdict.points == CheckSettings().points
    assert verdict.failure_bound is not None
    assert verdict.failure_bound < Fraction(1, 10**40)


@pytest.mark.parametrize("description", sorted(WRONG_FORMS))
@pytest.mark.parametrize("size", [2, 4, 64])
def test_wrong_layer_norm_forms_rejected(size, description):
    inputs = vector("y", size)
    verdict = check_jacobian(
        q4.normalise(inputs, q4.EPS), inputs, layer_form(WRONG_FORMS[description], size, q4.EPS), label="wrong"
    )
    assert verdict.method is Method.FALSE
    assert verdict.counterexample is not None
    assert verdict.counterexample.entry is not None
    assert not verdict.holds


@pytest.mark.parametrize("size", [2, 3, 4])
def test_explicit_stated_matrix_accepted(size):
    inputs = vector("y", size)
    verdict = check_jacobian(q4.normalise(inputs), inputs, q4.layer_norm_jacobian_stated(size), label="explicit")
    assert verdict.method is Method.IDENTITY_TESTED


@pytest.mark.parametrize("size", [2, 3])
def test_symbolic_jacobian_accepted_as_stated(size):
    # SymPy's own n x n Jacobian, written with powers of the variance, is the same function.
    inputs = vector("y", size)
    verdict = check_jacobian(q4.normalise(inputs, q4.EPS), inputs, q4.layer_norm_jacobian(size, q4.EPS), label="sym")
    assert verdict.method is Method.IDENTITY_TESTED


@pytest.mark.parametrize("size", [2, 3, 4])
def test_full_jacobian_matches_sympy(size):
    inputs = vector("y", size)
    outputs = q4.normalise(inputs, q4.EPS)
    symbolic = q4.layer_norm_jacobian(size, q4.EPS)
    values = {symbol: sp.Rational(3 * position - 4, 7) for position, symbol in enumerate(inputs)}
    values[q4.EPS] = sp.Rational(1, 5)
    with mpmath.workdps(50):
        fast = jacobian_at_point(
            outputs, list(inputs), {symbol: mpmath.mpf(value.p) / value.q for symbol, value in values.items()}, exact=False
        )
        for row in range(size):
            for column in range(size):
                expected = sp.N(symbolic[row, column].xreplace(values), 50)
                assert abs(fast[row][column] - mpmath.mpf(str(expected))) < mpmath.mpf(10) ** -40, (row, column)


def test_exact_jacobian_of_polynomial_matches_sympy():
    y1, y2 = sp.symbols("y1 y2", real=True)
    outputs = [y1**2 * y2 - 3 * y2, y1 / (1 + y2**2)]
    values = {y1: Fraction(2, 3), y2: Fraction(-5, 7)}
    fast = jacobian_at_point(outputs, [y1, y2], values)
    symbolic = jacobian(sp.Matrix(outputs), sp.Matrix([y1, y2]), layout="denominator")
    point = {symbol: sp.Rational(value.numerator, value.denominator) for symbol, value in values.items()}
    for row in range(2):
        for column in range(2):
            expected = symbolic[row, column].xreplace(point)
            assert fast[row][column] == Fraction(int(expected.p), int(expected.q))


def test_wrong_explicit_entry_rejected_with_its_position():
    y1, y2 = sp.symbols("y1 y2", real=True)
    outputs = [y1**2 * y2, y1 + y2]
    # Denominator layout: row i is d/dy_i, so entry (2, 1) is d(y1**2 y2)/dy2 = y1**2, written wrongly.
    stated = sp.Matrix([[2 * y1 * y2, 1], [2 * y1, 1]])
    verdict = check_jacobian(outputs, [y1, y2], stated, label="entry")
    assert verdict.method is Method.FALSE
    assert verdict.counterexample.entry == (1, 0)


def test_numerator_layout_rejected():
    y1, y2 = sp.symbols("y1 y2", real=True)
    outputs = [y1 * y2**2, y1]
    numerator_layout = jacobian(sp.Matrix(outputs), sp.Matrix([y1, y2]), layout="numerator")
    verdict = check_jacobian(outputs, [y1, y2], numerator_layout, label="layout")
    assert verdict.method is Method.FALSE


def test_form_needing_square_of_root_is_undecided():
    # d sqrt(u)/dy = (y1 + y2)/sqrt(u), written as (y1 + y2) sqrt(u)/u with u expanded, holds only
    # through sqrt(u)**2 = u, a relation the independent root value forgets: never a pass, never false.
    y1, y2 = sp.symbols("y1 y2", real=True)
    root = sp.sqrt((y1 + y2) ** 2 + 1)
    expanded = y1**2 + 2 * y1 * y2 + y2**2 + 1
    entry = (y1 + y2) * root / expanded
    verdict = check_jacobian([root], [y1, y2], sp.Matrix([[entry], [entry]]), label="relation")
    assert verdict.method is Method.UNDECIDED
    assert not verdict.holds


def test_gained_layer_norm_accepted():
    size = 6
    inputs, gain, bias = vector("y", size), vector("w", size), vector("b", size)
    outputs = gain.multiply_elementwise(q4.normalise(inputs, q4.EPS)) + bias
    verdict = check_jacobian(outputs, inputs, layer_form(q4.GAINED_STATED, size, q4.EPS), label="gain")
    assert verdict.method is Method.IDENTITY_TESTED


def test_same_label_gives_same_verdict():
    inputs = vector("y", 5)
    form = layer_form(q4.LAYER_NORM_STATED, 5, 0)
    first = check_jacobian(q4.normalise(inputs), inputs, form, label="seeded")
    second = check_jacobian(q4.normalise(inputs), inputs, form, label="seeded")
    assert (first.method, first.points, first.failure_bound) == (second.method, second.points, second.failure_bound)


def test_unsupported_function_raises():
    y1 = sp.Symbol("y1", real=True)
    with pytest.raises(UnsupportedExpression):
        check_jacobian([sp.sin(y1)], [y1], sp.Matrix([[sp.cos(y1)]]), label="sin")


def test_stated_shape_mismatch_raises():
    inputs = vector("y", 3)
    with pytest.raises(ShapeMismatch):
        check_jacobian(q4.normalise(inputs), inputs, sp.zeros(3, 2), label="shape")


def test_degree_bound_of_polynomial():
    y1, y2 = sp.symbols("y1 y2", real=True)
    point = Point(
        values={y1: DegreeBound.VARIABLE, y2: DegreeBound.VARIABLE},
        direction={y1: DegreeBound.VARIABLE, y2: DegreeBound.VARIABLE},
        mode=DEGREE,
        rng=None,
    )
    value, tangent = ForwardEvaluator(point).dual(y1**3 * y2 + 1)
    assert (value.numerator, value.denominator) == (4, 0)
    # The derivative along v is 3 y1**2 y2 v1 + y1**3 v2, of degree 4 in (y, v).
    assert (tangent.numerator, tangent.denominator) == (4, 0)


def test_jacobian_claim_holds_and_restates():
    size = 16
    inputs = vector("y", size)
    claim = jacobian_claim(
        "ln-16", "layer-norm Jacobian at n = 16", q4.normalise(inputs), inputs, layer_form(q4.LAYER_NORM_STATED, size, 0)
    )
    verdict = claim.require()
    assert verdict.method is Method.IDENTITY_TESTED
    wrong = claim.restate(layer_form(q4.FIXED_SIGMA_STATED, size, 0))
    assert wrong.check().method is Method.FALSE


def _instantiate_cases():
    from derive.calculus import matrix
    from derive.functions import sigmoid
    from derive.calculus import elementwise
    from derive.papers.ep2 import q1

    cases = []
    for size in (2, 3):
        weights, gate_weights, inputs = matrix("W", size, size), matrix("W_g", size, size), vector("x", size)
        gate = elementwise(sigmoid, gate_weights * inputs)
        cases.append(
            (
                f"highway-n{size}",
                q1.HIGHWAY_STATED,
                q1.n,
                size,
                {"W": weights, "W_g": gate_weights, "x": inputs, "a": weights * inputs, "g": gate},
            )
        )
        cases.append((f"residual-n{size}", q1.RESIDUAL_STATED, q1.n, size, {"W": weights, "z": weights * inputs}))
        ys = vector("y", size)
        layer = {"y": ys, "yhat": q4.normalise(ys), "1": sp.ones(size, 1), "w": vector("w", size), "b": vector("b", size)}
        for name in ("LAYER_NORM_STATED", "GAINED_STATED", "REFERENCE_PRINTED"):
            form = getattr(q4, name).xreplace({q4.SIGMA: q4.standard_deviation(ys), q4.MU: q4.mean(ys)})
            cases.append((f"{name}-n{size}", form, n, size, layer))
    return cases


@pytest.mark.parametrize("case", _instantiate_cases(), ids=lambda case: case[0])
def test_explicit_matrix_equals_instantiate(case):
    from derive.calculus import instantiate
    from derive.fastcheck import explicit_matrix

    _, form, size_symbol, size, replacements = case
    expected = instantiate(form, size_symbol, size, replacements)
    fast = explicit_matrix(form, size_symbol, size, replacements)
    assert fast.shape == expected.shape
    for row in range(expected.rows):
        for column in range(expected.cols):
            assert sp.expand(fast[row, column] - expected[row, column]) == 0, (row, column)


def test_explicit_matrix_missing_symbol_raises():
    from derive.errors import MalformedClaim
    from derive.fastcheck import explicit_matrix

    with pytest.raises(MalformedClaim):
        explicit_matrix(q4.REFERENCE_PRINTED, n, 3, {})
