"""Answer 1 of the example paper: the gradient of L = 1/2 ||W x - t||^2 with respect to x.

Denominator layout, so dL/dx is a column vector with the shape of x, and
d(Wx)/dx = W^T. Explicit sizes use the symbols W_{i,j}, x_{i}, t_{i}; the
symbolic size n uses IndexedBase objects W[j, k], x[k], t[j].
"""

from __future__ import annotations

import sympy as sp

from derive.calculus import instantiate, jacobian, matrix, vector
from derive.claims import Claim, Derivation, Step
from derive.paper import Equation, Erratum, Paragraph, Part, ShowDerivation, TeX
from derive.rewrites import EVALUATE, EXPAND_SUMS

EXPLICIT_SIZES = (1, 2, 3)

# Symbolic size and index symbols, each index ranging over 1..n.
n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
INDEX_RANGES = {i: (sp.Integer(1), n), j: (sp.Integer(1), n), k: (sp.Integer(1), n)}
W_i, x_i, t_i = sp.IndexedBase("W"), sp.IndexedBase("x"), sp.IndexedBase("t")

# The printed form W^T (W x - t), a matrix expression turned into the checked value by `instantiate`.
W = sp.MatrixSymbol("W", n, n)
x = sp.MatrixSymbol("x", n, 1)
t = sp.MatrixSymbol("t", n, 1)
GRADIENT_STATED = W.T * (W * x - t)


# --- the model, at an explicit size -------------------------------------------------------------


def loss(size: int) -> sp.Expr:
    """Return L = 1/2 ||W x - t||^2 for explicit `size` x `size` weights."""
    weights, inputs, targets = matrix("W", size, size), vector("x", size), vector("t", size)
    residual = weights * inputs - targets
    return (residual.T * residual)[0, 0] / 2


def gradient(size: int) -> sp.Matrix:
    """Return dL/dx by differentiation: a `size` x 1 column in denominator layout."""
    return jacobian(sp.Matrix([loss(size)]), vector("x", size), layout="denominator")


def gradient_stated(size: int) -> sp.Matrix:
    """Return the printed form W^T (W x - t) at an explicit size."""
    replacements = {"W": matrix("W", size, size), "x": vector("x", size), "t": vector("t", size)}
    return instantiate(GRADIENT_STATED, n, size, replacements)


# --- the model, at a symbolic size in index form ------------------------------------------------


def _z(row: sp.Symbol) -> sp.Sum:
    """Return z_row = sum_k W[row, k] x[k]."""
    return sp.Sum(W_i[row, k] * x_i[k], (k, 1, n))


def loss_index() -> sp.Sum:
    """Return L = 1/2 sum_j (z_j - t_j)^2 for a symbolic size n."""
    return sp.Sum((_z(j) - t_i[j]) ** 2, (j, 1, n)) / 2


def gradient_index_stated() -> sp.Sum:
    """Return the stated index form dL/dx_i = sum_j W_ji (z_j - t_j)."""
    return sp.Sum(W_i[j, i] * (_z(j) - t_i[j]), (j, 1, n))


def gradient_index_derivation() -> Derivation:
    """Derive dL/dx_i = sum_j W_ji (z_j - t_j) step by step for a symbolic size n."""
    steps = [
        Step(sp.Derivative(loss_index(), x_i[i], evaluate=False), "definition of L"),
        Step(
            sp.Sum((_z(j) - t_i[j]) * sp.Derivative(_z(j), x_i[i], evaluate=False), (j, 1, n)),
            "chain rule through z_j",
        ),
        Step(gradient_index_stated(), "the linear term dz_j/dx_i = W_ji"),
    ]
    return Derivation(
        id="1b/index",
        title="the gradient in index form",
        lhs=sp.Derivative(sp.Symbol("L"), x_i[i], evaluate=False),
        steps=steps,
        stated=gradient_index_stated(),
        index_ranges=INDEX_RANGES,
        rewrites=(EVALUATE, EXPAND_SUMS),
    )


# --- the parts ----------------------------------------------------------------------------------


def part_a() -> Part:
    claims = [
        Claim(
            id=f"1a/explicit-n{size}",
            statement=f"dL/dx = W^T (W x - t) for n = {size}",
            obtained=gradient(size),
            stated=gradient_stated(size),
        )
        for size in EXPLICIT_SIZES
    ]
    body = [
        Paragraph(
            "The layer computes ",
            TeX(r"\boldsymbol{z} = \mathbf{W}\boldsymbol{x}"),
            " and the loss is half the squared distance to the target. In denominator layout the gradient "
            "has the shape of x:",
        ),
        Equation(TeX(r"\frac{\partial L}{\partial \boldsymbol{x}}"), GRADIENT_STATED),
    ]
    erratum = Erratum(
        question="1a",
        reference_says="the gradient is W (W x - t)",
        what_holds="the gradient is W^T (W x - t)",
        why="d(Wx)/dx = W^T in denominator layout; the two differ whenever W is not symmetric",
    )
    return Part(id="1a", title="Gradient at explicit sizes", body=body, claims=claims, errata=[erratum])


def part_b() -> Part:
    derivation = gradient_index_derivation()
    index_claim = Claim(
        id="1b/index",
        statement="dL/dx_i = sum_j W_ji (z_j - t_j) for symbolic n, by direct differentiation",
        obtained=sp.diff(loss_index(), x_i[i]),
        stated=gradient_index_stated(),
        index_ranges=INDEX_RANGES,
        rewrites=(EXPAND_SUMS,),
    )
    body = [
        Paragraph("For any width n, in index notation:"),
        ShowDerivation(derivation),
    ]
    return Part(
        id="1b", title="Gradient for a symbolic size", body=body, claims=[index_claim], derivations=[derivation]
    )


def build() -> list[Part]:
    return [part_a(), part_b()]
