"""SymPy behaviours that would mislead a derivation, and the engine paths that avoid them.

Each test first pins the SymPy behaviour (observed with SymPy 1.14, the
version range pyproject.toml allows), then shows that the engine's own route
gives the right answer. When a SymPy release fixes a pitfall, the first
assertion fails and says which workaround may be retired.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

import pytest

from derive.calculus import jacobian, matrix, vector
from derive.errors import MalformedClaim
from derive.functions import sigmoid
from derive.rewrites import DELTA_RANGE_PIECEWISE, EXPAND_SUMS, RewriteContext
from derive.verdict import Method
from derive.verify import decide

n = sp.Symbol("n", integer=True, positive=True)
i, j, k, l = sp.symbols("i j k l", integer=True)


def test_residual_layer_matrix_derivative_raises() -> None:
    weights = sp.MatrixSymbol("W", n, n)
    inputs = sp.MatrixSymbol("x", n, 1)
    t = sp.Dummy("t")
    layer = inputs + ElementwiseApplyFunction(sp.Lambda(t, sigmoid(t)), weights * inputs)
    with pytest.raises(ValueError, match="summing arrays of different ranks"):
        layer.diff(inputs)

    # The engine refuses matrix expressions and differentiates explicit matrices instead.
    with pytest.raises(MalformedClaim, match=r"^y is the matrix expression .*; jacobian works on explicit matrices"):
        jacobian(layer, inputs, layout="denominator")
    explicit_weights, explicit_inputs = matrix("W", 2, 2), vector("x", 2)
    result = jacobian(explicit_inputs + (explicit_weights * explicit_inputs).applyfunc(sigmoid), explicit_inputs, "denominator")
    z_2 = (explicit_weights * explicit_inputs)[1]
    assert decide(result[0, 1], explicit_weights[1, 0] * sigmoid(z_2) * (1 - sigmoid(z_2)), label="pitfall").method is Method.PROVED


def test_matrix_element_derivative_silently_zero() -> None:
    inputs = sp.MatrixSymbol("x", n, 1)
    # Wrong: the derivative is 2 x_i in row i, but SymPy returns a zero matrix.
    assert isinstance(sp.diff(inputs[i, 0] ** 2, inputs), sp.ZeroMatrix)

    square = sp.MatrixSymbol("A", 2, 2)
    # Wrong: the derivative has 2 in entry (0, 0).
    assert isinstance(sp.diff(2 * sp.Matrix(square)[0, 0], square), sp.ZeroMatrix)

    # With explicit symbols the derivative is right.
    explicit = vector("x", 3)
    squares = explicit.applyfunc(lambda entry: entry**2)
    assert jacobian(squares, explicit, "denominator") == sp.diag(*[2 * entry for entry in explicit])


def test_delta_sum_leaves_piecewise() -> None:
    weights, inputs = sp.IndexedBase("W"), sp.IndexedBase("x")
    derivative = sp.diff(sp.Sum(weights[j, k] * inputs[k], (k, 1, n)), inputs[i])
    evaluated = derivative.doit()
    assert isinstance(evaluated, sp.Piecewise)

    context = RewriteContext({i: (sp.Integer(1), n), j: (sp.Integer(1), n)})
    assert EXPAND_SUMS(derivative, context) == weights[j, i]
    assert DELTA_RANGE_PIECEWISE(evaluated, context) == weights[j, i]


def test_piecewise_kept_without_declared_range() -> None:
    weights, inputs = sp.IndexedBase("W"), sp.IndexedBase("x")
    evaluated = sp.diff(sp.Sum(weights[j, k] * inputs[k], (k, 1, n)), inputs[i]).doit()
    assert DELTA_RANGE_PIECEWISE(evaluated, RewriteContext()) == evaluated


def test_centred_sum_not_simplified() -> None:
    values = sp.IndexedBase("y")
    mean = sp.Sum(values[l], (l, 1, n)) / n
    centred = sp.Sum(values[l] - mean, (l, 1, n))
    assert sp.simplify(centred) != 0

    verdict = decide(centred, sp.Integer(0), label="pitfall", rewrites=[EXPAND_SUMS])
    assert verdict.method is Method.PROVED


def test_false_zero_of_simplify_rejected() -> None:
    # SymPy's simplify has returned 0 for this non-zero value under some hash seeds (an evalf
    # precision bug); the engine never asks simplify, and refutes the claim at 100 digits.
    value = 180 * sp.acos(sp.Rational(7823207, 7823209)) / sp.pi
    verdict = decide(value, sp.Integer(0), label="pitfall")
    assert verdict.method is Method.FALSE


def test_tiny_nonzero_not_mistaken_for_zero() -> None:
    verdict = decide(sp.exp(-100), sp.Integer(0), label="pitfall")
    assert verdict.method is Method.FALSE


def test_low_precision_acos_reads_zero() -> None:
    value = sp.acos(sp.Rational(7823207, 7823209))
    assert value.evalf(2) == 0  # wrong: the value is about 7.15e-4
    assert abs(value.evalf(30) - sp.Float("0.000715051856492")) < sp.Float("1e-15")
