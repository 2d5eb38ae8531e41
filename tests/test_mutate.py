"""The mutation operators: each named change produces the wrong variant it promises."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.claims import Claim
from derive.functions import sigmoid
from derive.mutate import (
    add_one,
    add_quarter,
    double,
    drop_factor,
    drop_term,
    flip_sign,
    kill_rate_line,
    mutate_stated,
    one_minus_to_plus,
    run_mutants,
    shift_size,
    subtract_one,
    swap_indices,
    to_one,
    to_zero,
)
from derive.paper import Answer, Part

x, y = sp.symbols("x y", real=True)
n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)
w = sp.IndexedBase("w")


@pytest.mark.parametrize(
    ("mutation", "expr", "expected"),
    [
        pytest.param(flip_sign, x + y, -x + y, id="flip-sign-sum"),
        pytest.param(flip_sign, x * y, -x * y, id="flip-sign-product"),
        pytest.param(one_minus_to_plus, sigmoid(x) * (1 - sigmoid(x)), sigmoid(x) * (1 + sigmoid(x)), id="one-minus"),
        pytest.param(drop_factor, 2 * x * y, 2 * x, id="drop-factor"),
        pytest.param(double, x, 2 * x, id="double"),
        pytest.param(add_one, x, x + 1, id="add-one"),
        pytest.param(subtract_one, sp.Integer(0), sp.Integer(-1), id="subtract-one"),
        pytest.param(add_quarter, sp.Integer(0), sp.Rational(1, 4), id="add-quarter"),
        pytest.param(to_zero, sp.oo, sp.Integer(0), id="to-zero"),
        pytest.param(to_one, sp.oo, sp.Integer(1), id="to-one"),
        pytest.param(shift_size, 1 / n, 1 / (n - 1), id="shift-size"),
        pytest.param(swap_indices, w[i] * w[j] ** 2, w[j] * w[i] ** 2, id="swap-indices"),
    ],
)
def test_mutation_produces_variant(mutation, expr: sp.Expr, expected: sp.Expr) -> None:
    assert mutation(expr) == expected


def test_drop_term_removes_one_term() -> None:
    dropped = drop_term(x + y + 1)
    assert dropped is not None
    assert len(sp.Add.make_args(dropped)) == 2


@pytest.mark.parametrize(
    ("mutation", "expr"),
    [
        pytest.param(flip_sign, sp.Integer(0), id="flip-zero"),
        pytest.param(double, sp.Integer(0), id="double-zero"),
        pytest.param(subtract_one, x, id="subtract-one-symbolic"),
        pytest.param(subtract_one, sp.oo, id="subtract-one-infinite"),
        pytest.param(to_zero, sp.Integer(0), id="zero-to-zero"),
        pytest.param(shift_size, x, id="no-size"),
        pytest.param(one_minus_to_plus, x + y, id="no-one-minus"),
    ],
)
def test_mutation_not_applicable(mutation, expr: sp.Expr) -> None:
    assert mutation(expr) is None


def test_swap_leaves_bound_indices() -> None:
    bound = sp.Sum(w[k] * w[i], (k, 1, n))
    assert swap_indices(bound) is None


def test_number_mutants_distinct() -> None:
    values = [value for _, value in mutate_stated(sp.Integer(0))]
    assert len(values) == len(set(values))
    assert sp.Integer(0) not in values


def test_matrix_mutants_include_transpose() -> None:
    names = [name for name, _ in mutate_stated(sp.Matrix([[x, y], [0, x]]))]
    assert names[0] == "transpose"
    assert "flip_sign" in names


def test_symmetric_matrix_has_no_transpose_mutant() -> None:
    names = [name for name, _ in mutate_stated(sp.Matrix([[x, y], [y, x]]))]
    assert "transpose" not in names


def test_matrix_expression_mutants() -> None:
    weights = sp.MatrixSymbol("W", n, n)
    names = [name for name, _ in mutate_stated(weights * weights.T + weights)]
    assert names == ["transpose", "flip_sign", "double"]


def test_equivalent_mutant_set_aside() -> None:
    # The stated form is a zero that SymPy keeps as written, so doubling it leaves a true claim.
    zero = sp.sqrt(x**2 + 2 * x + 1) - sp.Abs(x + 1)
    claim = Claim(id="t/zero", statement="a hidden zero", obtained=sp.Integer(0), stated=zero)
    part = Part(id="t", title="t", claims=[claim])
    answer = Answer("1", "t", ("t",), lambda: [part])
    results = {result.mutation: result for result in run_mutants([(answer, part)])}
    assert results["double"].equivalent
    assert results["flip_sign"].killed
    assert results["add_one"].killed
    assert not results["add_one"].equivalent
    assert kill_rate_line(list(results.values())).endswith("equivalent mutants set aside (equal to the stated form)")


def test_kill_rate_line_counts() -> None:
    claim = Claim(id="t/sum", statement="x + y", obtained=x + y, stated=y + x)
    part = Part(id="t", title="t", claims=[claim])
    answer = Answer("1", "t", ("t",), lambda: [part])
    results = run_mutants([(answer, part)])
    killed = sum(1 for result in results if result.killed)
    assert killed == len(results)
    assert kill_rate_line(results) == f"mutation suite: killed {killed} of {killed} mutants (100.0%)"
