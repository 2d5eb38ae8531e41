"""The equality decision: true claims accepted, false ones rejected with a point, gaps reported."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import sympy as sp

from derive.errors import BudgetExceeded, MalformedClaim, ShapeMismatch
from derive.functions import sigmoid
from derive.rewrites import EXPAND_LOG, EXPAND_SUMS, RewriteContext
from derive.verdict import Method
from derive.verify import (
    Abstraction,
    CheckSettings,
    decide,
    degree_bound,
    entries_of,
    evaluate_exact,
    time_budget,
)

x, y, z = sp.symbols("x y z", real=True)
a = sp.Symbol("a", positive=True)


@pytest.mark.parametrize(
    ("obtained", "stated"),
    [
        pytest.param((x + y) ** 2, x**2 + 2 * x * y + y**2, id="binomial"),
        pytest.param(1 / (x - 1) - 1 / (x + 1), 2 / (x**2 - 1), id="partial-fractions"),
        pytest.param(sp.exp(2 * x) * sp.exp(-x), sp.exp(x), id="exp-product"),
        pytest.param(sigmoid(x) * (1 - sigmoid(x)), sp.diff(sigmoid(x), x), id="sigmoid-derivative"),
        pytest.param(sigmoid(-x), 1 - sigmoid(x), id="sigmoid-symmetry"),
        pytest.param(sp.sqrt(a + 1) ** 3, (a + 1) * sp.sqrt(a + 1), id="root-powers"),
    ],
)
def test_true_identity_proved(obtained: sp.Expr, stated: sp.Expr) -> None:
    verdict = decide(obtained, stated, label="test")
    assert verdict.method is Method.PROVED
    assert verdict.points > 0


@pytest.mark.parametrize(
    ("obtained", "stated"),
    [
        pytest.param((x + y) ** 2, x**2 + y**2, id="dropped-cross-term"),
        pytest.param(sigmoid(x) * (1 - sigmoid(x)), sigmoid(x) * (1 + sigmoid(x)), id="sigmoid-plus"),
        pytest.param(sp.exp(2 * x), 2 * sp.exp(x), id="exp-coefficient"),
        pytest.param(x / (x + 1), (x - 1) / x, id="rational"),
    ],
)
def test_false_identity_rejected(obtained: sp.Expr, stated: sp.Expr) -> None:
    verdict = decide(obtained, stated, label="test")
    assert verdict.method is Method.FALSE
    assert verdict.counterexample is not None
    assert verdict.difference is not None


def test_counterexample_values_differ() -> None:
    verdict = decide(x**2, x**2 + 1, label="test")
    counterexample = verdict.counterexample
    assert counterexample is not None
    assert counterexample.exact
    assert Fraction(counterexample.stated) - Fraction(counterexample.obtained) == 1


def test_counterexample_names_matrix_entry() -> None:
    verdict = decide(sp.Matrix([[x, 0], [0, y]]), sp.Matrix([[x, 0], [0, y + 1]]), label="test")
    assert verdict.counterexample is not None
    assert verdict.counterexample.entry == (1, 1)
    assert "entry (2, 2)" in verdict.counterexample.describe()


def test_relation_lost_by_abstraction_is_numeric() -> None:
    # sqrt((x + 1)**2) = |x + 1| is true for real x, but the abstraction treats the root as a free atom.
    verdict = decide(sp.sqrt(x**2 + 2 * x + 1), sp.Abs(x + 1), label="test")
    assert verdict.method is Method.NUMERIC
    assert "did not reach 0" in verdict.detail


def test_log_identity_needs_rewrite() -> None:
    without = decide(sp.log(a**2 * x**2), 2 * sp.log(a) + sp.log(x**2), label="test")
    with_rewrite = decide(sp.log(a**2 * x**2), 2 * sp.log(a) + sp.log(x**2), label="test", rewrites=[EXPAND_LOG])
    assert without.method is Method.NUMERIC
    assert with_rewrite.method is Method.PROVED
    assert with_rewrite.rewrites == ("expand_log",)


def test_undefined_function_identity() -> None:
    f = sp.Function("f")
    verdict = decide(sp.diff(f(x**2), x), 2 * x * sp.Subs(sp.Derivative(f(y), y), y, x**2), label="test")
    assert verdict.method is Method.PROVED


def test_undefined_function_false_claim() -> None:
    f = sp.Function("f")
    verdict = decide(sp.diff(f(x**2), x), x * sp.Subs(sp.Derivative(f(y), y), y, x**2), label="test")
    assert verdict.method is Method.FALSE


def test_budget_exceeded_gives_identity_tested() -> None:
    # A zero difference that needs a large expansion: with a tiny budget, only the points remain.
    left = sp.expand((x + y + z + 1) ** 14)
    right = (x + y + z + 1) ** 14
    verdict = decide(left, right, label="test", settings=CheckSettings(budget_seconds=0.001))
    assert verdict.method is Method.IDENTITY_TESTED
    assert verdict.points == CheckSettings().points
    assert verdict.failure_bound is not None
    assert verdict.failure_bound < Fraction(1, 10**40)


def test_same_label_same_points() -> None:
    first = decide(x**3, x**3 + x, label="repeat")
    second = decide(x**3, x**3 + x, label="repeat")
    assert first.counterexample == second.counterexample


@pytest.mark.parametrize(
    ("obtained", "stated", "error", "pattern"),
    [
        pytest.param(
            sp.Matrix([[x, y]]), sp.Matrix([[x], [y]]), ShapeMismatch, r"^obtained is 1x2 but stated is 2x1$", id="shapes"
        ),
        pytest.param(sp.Matrix([x]), x, ShapeMismatch, r"^one side is a 1x1 matrix and the other a scalar", id="scalar"),
        pytest.param("x + 1", x + 1, MalformedClaim, r"^the obtained side is the string 'x \+ 1'; derive never parses text", id="string"),
        pytest.param(
            sp.MatrixSymbol("W", sp.Symbol("n"), 1), sp.MatrixSymbol("V", sp.Symbol("n"), 1), MalformedClaim,
            r"^the obtained side is a matrix expression of symbolic shape", id="symbolic-shape",
        ),
    ],
)
def test_malformed_sides_rejected(obtained: object, stated: object, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        entries_of(obtained, stated)


def test_abstraction_splits_exponent_terms() -> None:
    abstraction = Abstraction()
    product = abstraction.abstract(sp.exp(2 * x + y))
    assert product == abstraction.abstract(sp.exp(x)) ** 2 * abstraction.abstract(sp.exp(y))


def test_abstraction_shares_equal_atoms() -> None:
    abstraction = Abstraction()
    first = abstraction.abstract(sigmoid(2 * (x + y)))
    second = abstraction.abstract(sigmoid(2 * x + 2 * y))
    assert first == second


def test_exact_evaluation_pole() -> None:
    with pytest.raises(ZeroDivisionError):
        evaluate_exact(1 / (x - 1), {x: Fraction(1)}, {})


@pytest.mark.parametrize(
    ("expr", "bound"),
    [
        pytest.param(x**3 + y, (3, 0), id="polynomial"),
        pytest.param(1 / x + 1 / y, (1, 2), id="sum-of-reciprocals"),
        pytest.param((x + 1) ** -2, (0, 2), id="negative-power"),
    ],
)
def test_degree_bound(expr: sp.Expr, bound: tuple[int, int]) -> None:
    assert degree_bound(expr) == bound


def test_time_budget_interrupts() -> None:
    with pytest.raises(BudgetExceeded, match=r"^time budget of 0.05 s exceeded$"):
        with time_budget(0.05):
            while True:
                pass


def test_index_sum_with_delta() -> None:
    n = sp.Symbol("n", integer=True, positive=True)
    i, k = sp.symbols("i k", integer=True)
    w = sp.IndexedBase("w")
    obtained = sp.diff(sp.Sum(w[k] ** 2, (k, 1, n)), w[i])
    verdict = decide(obtained, 2 * w[i], label="test", rewrites=[EXPAND_SUMS], context=RewriteContext({i: (1, n)}))
    assert verdict.method is Method.PROVED
    assert verdict.rewrites == ("expand_sums",)


def test_index_sum_without_range_not_proved() -> None:
    # Without a declared range for i the delta cannot be summed out, so the claim is not proved.
    n = sp.Symbol("n", integer=True, positive=True)
    i, k = sp.symbols("i k", integer=True)
    w = sp.IndexedBase("w")
    obtained = sp.diff(sp.Sum(w[k] ** 2, (k, 1, n)), w[i])
    verdict = decide(obtained, 2 * w[i], label="test", rewrites=[EXPAND_SUMS])
    assert verdict.method is not Method.PROVED


def test_counterexample_message_format() -> None:
    verdict = decide(x, x + 1, label="test")
    assert verdict.counterexample is not None
    assert re.match(r"^at x = -?\d+/\d+ \(exactly\): obtained = -?\d+/\d+, stated = -?\d+/\d+$", verdict.counterexample.describe())


def test_index_coincidence_found() -> None:
    # delta(i, j) x_i and 0 differ only where i = j; the counterexample search must try i = j.
    n = sp.Symbol("n", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True)
    values = sp.IndexedBase("v")
    context = RewriteContext({i: (1, n), j: (1, n)})
    verdict = decide(sp.KroneckerDelta(i, j) * values[i], sp.Integer(0), label="test", context=context)
    assert verdict.method is Method.FALSE
    assert verdict.counterexample is not None
    point = dict(verdict.counterexample.point)
    assert point["i"] == point["j"]


def test_inner_budget_keeps_outer_budget() -> None:
    # Leaving an inner budget must re-arm the outer one, not cancel it.
    with pytest.raises(BudgetExceeded, match=r"^time budget of 0.2 s exceeded$"):
        with time_budget(0.2):
            with time_budget(5.0):
                pass
            while True:
                pass


def test_outer_budget_cuts_inner_budget() -> None:
    with pytest.raises(BudgetExceeded):
        with time_budget(0.1):
            with time_budget(30.0):
                while True:
                    pass
