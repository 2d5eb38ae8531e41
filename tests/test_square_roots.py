"""The powers_of_square_roots rewrite and its SquareRoot function."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.rewrites import POWERS_OF_SQUARE_ROOTS, REGISTRY, SquareRoot
from derive.verdict import Method
from derive.verify import decide

a, b, c = sp.symbols("a b c", real=True)
base = a**2 + b + 1


def test_registered() -> None:
    assert REGISTRY["powers_of_square_roots"] is POWERS_OF_SQUARE_ROOTS


def test_square_root_of_number_evaluates() -> None:
    assert SquareRoot(sp.Integer(9)) == 3
    assert SquareRoot(sp.Integer(2)) == sp.sqrt(2)


def test_square_root_of_symbol_stays() -> None:
    assert SquareRoot(base) ** 2 != base
    assert isinstance(SquareRoot(base), SquareRoot)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        pytest.param(base ** sp.Rational(3, 2), SquareRoot(base) ** 3, id="three-halves"),
        pytest.param(c / sp.sqrt(base), c / SquareRoot(base), id="inverse-root"),
        pytest.param(c * sp.sqrt(base) / base, c / SquareRoot(base), id="bare-base-in-denominator"),
        pytest.param(c * sp.sqrt(base) * (a**2 + b + 1), c * SquareRoot(base) ** 3, id="bare-base-factor"),
    ],
)
def test_rewrite_form(expr: sp.Expr, expected: sp.Expr) -> None:
    assert POWERS_OF_SQUARE_ROOTS(expr) == expected


def test_expanded_base_matched() -> None:
    # (a + 1)^2 + b is the expanded base a^2 + 2a + 1 + b written differently.
    expr = sp.sqrt(a**2 + 2 * a + 1 + b) * c / ((a + 1) ** 2 + b)
    assert POWERS_OF_SQUARE_ROOTS(expr) == c / SquareRoot(a**2 + 2 * a + 1 + b)


def test_without_roots_unchanged() -> None:
    expr = c / base
    assert POWERS_OF_SQUARE_ROOTS(expr) is expr


def test_rewrite_keeps_value() -> None:
    expr = c * sp.sqrt(base) / base + base ** sp.Rational(-3, 2)
    point = {a: sp.Rational(1, 3), b: 2, c: -5}
    difference = (POWERS_OF_SQUARE_ROOTS(expr) - expr).xreplace(point).doit()
    assert sp.nsimplify(difference) == 0


def test_proves_root_identity() -> None:
    # The bare base inside 1 - a/base is what the rewrite turns into a power of the root.
    obtained = c * (1 - a / base) / sp.sqrt(base)
    stated = c / sp.sqrt(base) - c * a / base ** sp.Rational(3, 2)
    assert decide(obtained, stated, label="t/root").method is Method.NUMERIC
    assert decide(obtained, stated, label="t/root", rewrites=(POWERS_OF_SQUARE_ROOTS,)).method is Method.PROVED


def test_relation_across_sides_not_seen() -> None:
    # The rewrite works on each side alone: here only r**2 = a**2 + b + 1 across the two sides
    # makes them equal, and neither side contains the bare base, so the claim stays numeric.
    obtained = c / sp.sqrt(base) - c * a**2 / base ** sp.Rational(3, 2)
    stated = c * (b + 1) / base ** sp.Rational(3, 2)
    verdict = decide(obtained, stated, label="t/across", rewrites=(POWERS_OF_SQUARE_ROOTS,))
    assert verdict.method is Method.NUMERIC


def test_rejects_wrong_root_identity() -> None:
    obtained = c / sp.sqrt(base)
    stated = c * sp.sqrt(base) / base**2
    assert decide(obtained, stated, label="t/wrong", rewrites=(POWERS_OF_SQUARE_ROOTS,)).method is Method.FALSE
