"""Answer 7: a hard-margin SVM with the kernel k(x, x') = (1 + x^T x')^2 on the XOR points.

Everything is solved in exact rational arithmetic. The dual is maximised by
solving its stationarity conditions, with the equality constraint sum_n a_n t_n = 0
attached through a Lagrange multiplier, as one linear system over the rationals;
the multipliers are then checked to be non-negative, so the stationary point is
also the maximiser over a >= 0. Uniqueness follows from the Gram matrix being
positive definite.

The public functions (`xor_data`, `kernel`, `gram_matrix`, `dual_solution`,
`decision_function`, `feature_map`, `primal_weights`) return exact SymPy
values, for comparison with numerical SVM implementations. In scikit-learn's
`SVC(kernel="poly", degree=2, gamma=1, coef0=1)` the same kernel is
(gamma x^T x' + coef0)^degree, `dual_coef_` holds a_n t_n for the support
vectors and `intercept_` holds b; a large C approximates the hard margin.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from derive.claims import Claim
from derive.paper import Equation, Erratum, ItemList, Math, Paragraph, Part, TeX
from derive.verdict import Counterexample, Method, Verdict
from derive.verify import CheckSettings

# A generic input x = (x_1, x_2) and a second input x' for the kernel identity.
X1, X2 = sp.symbols("x_1 x_2", real=True)
XP1, XP2 = sp.symbols("x'_{1} x'_{2}", real=True)
GENERIC_INPUT = sp.Matrix([X1, X2])
SECOND_INPUT = sp.Matrix([XP1, XP2])

# Unknowns of the dual problem: the multipliers a_n and the multiplier of sum_n a_n t_n = 0.
MULTIPLIER_SYMBOLS = sp.symbols("a_1:5", real=True)
EQUALITY_MULTIPLIER = sp.Symbol("lambda", real=True)
EIGENVALUE = sp.Symbol("mu", real=True)


# --- data, kernel and Gram matrix -----------------------------------------------------------


def xor_data() -> tuple[sp.Matrix, sp.Matrix]:
    """Return the XOR training set as (inputs, labels): a 4x2 matrix whose row n is x_n^T, and a 4x1 label vector."""
    inputs = sp.Matrix([[1, 1], [-1, -1], [-1, 1], [1, -1]])
    labels = sp.Matrix([1, 1, -1, -1])
    return inputs, labels


def kernel(x: sp.Matrix, x_prime: sp.Matrix) -> sp.Expr:
    """Return the polynomial kernel (1 + x^T x')^2 of two column vectors."""
    if x.shape != x_prime.shape or x.shape[1] != 1:
        raise ValueError(f"kernel needs two column vectors of the same length, got shapes {x.shape} and {x_prime.shape}")
    return (1 + (x.T * x_prime)[0, 0]) ** 2


def data_points() -> list[sp.Matrix]:
    """Return the XOR inputs as a list of 2x1 column vectors."""
    inputs, _ = xor_data()
    return [inputs[row, :].T for row in range(inputs.shape[0])]


def gram_matrix() -> sp.Matrix:
    """Return the 4x4 Gram matrix K[n, m] = k(x_n, x_m) of the XOR inputs, computed from `kernel`."""
    points = data_points()
    return sp.Matrix(len(points), len(points), lambda n, m: kernel(points[n], points[m]))


def feature_map(x: sp.Matrix) -> sp.Matrix:
    """Return phi(x) = (1, sqrt2 x_1, sqrt2 x_2, x_1^2, sqrt2 x_1 x_2, x_2^2), whose inner products give `kernel`."""
    if x.shape != (2, 1):
        raise ValueError(f"feature_map needs a 2x1 column vector, got shape {x.shape}")
    root2 = sp.sqrt(2)
    first, second = x[0, 0], x[1, 0]
    return sp.Matrix([1, root2 * first, root2 * second, first**2, root2 * first * second, second**2])


# --- the dual problem -----------------------------------------------------------------------


def dual_objective(multipliers: sp.Matrix) -> sp.Expr:
    """Return L(a) = sum_n a_n - 1/2 sum_{n,m} a_n a_m t_n t_m K[n, m], the hard-margin SVM dual."""
    _, labels = xor_data()
    signed = multipliers.multiply_elementwise(labels)
    return sum(multipliers) - sp.Rational(1, 2) * (signed.T * gram_matrix() * signed)[0, 0]


@dataclass(frozen=True)
class DualSolution:
    """The exact maximiser of the dual: multipliers a_n, the bias b, and the multiplier of sum_n a_n t_n = 0."""

    multipliers: sp.ImmutableMatrix
    bias: sp.Rational
    equality_multiplier: sp.Rational


def stationarity_system() -> tuple[sp.Matrix, sp.Matrix, list[sp.Symbol]]:
    """Return (A, r, unknowns) with A unknowns = r the stationarity conditions of the dual's Lagrangian.

    The Lagrangian is L(a) - lambda sum_n a_n t_n. Its gradient in a_1..a_4 and
    lambda is linear in those unknowns, because L is quadratic.
    """
    _, labels = xor_data()
    multipliers = sp.Matrix(MULTIPLIER_SYMBOLS)
    lagrangian = dual_objective(multipliers) - EQUALITY_MULTIPLIER * (multipliers.T * labels)[0, 0]
    unknowns = [*MULTIPLIER_SYMBOLS, EQUALITY_MULTIPLIER]
    gradient = [sp.diff(lagrangian, unknown) for unknown in unknowns]
    matrix, rhs = sp.linear_eq_to_matrix(gradient, unknowns)
    return matrix, rhs, unknowns


@functools.cache
def dual_solution() -> DualSolution:
    """Solve the dual exactly and return its maximiser with the bias.

    Raises ValueError if the stationarity system is singular or a multiplier is
    negative, since then the equality-constrained stationary point is not the
    maximiser over a >= 0 and an active-set search would be needed.
    """
    matrix, rhs, unknowns = stationarity_system()
    if matrix.det() == 0:
        raise ValueError("the stationarity system of the dual is singular, so the dual has no unique stationary point")
    solution = matrix.LUsolve(rhs)
    multipliers = sp.ImmutableMatrix(solution[: len(MULTIPLIER_SYMBOLS), 0])
    negative = [(n + 1, value) for n, value in enumerate(multipliers) if value < 0]
    if negative:
        raise ValueError(
            f"multipliers (index, value) {negative} are negative, so the stationary point is infeasible; "
            "solve the dual with an active-set method instead"
        )
    equality_multiplier = solution[len(MULTIPLIER_SYMBOLS), 0]
    return DualSolution(multipliers, support_vector_bias(multipliers), equality_multiplier)


def support_vector_bias(multipliers: sp.Matrix) -> sp.Rational:
    """Return b averaged over the support vectors S = {n : a_n > 0}: b = mean of t_n - sum_m a_m t_m K[m, n]."""
    _, labels = xor_data()
    gram = gram_matrix()
    support = [n for n, value in enumerate(multipliers) if value > 0]
    if not support:
        raise ValueError("no multiplier is positive, so there is no support vector to fix the bias")
    signed = multipliers.multiply_elementwise(labels)
    offsets = [labels[n] - (signed.T * gram[:, n])[0, 0] for n in support]
    return sp.Rational(sum(offsets), len(offsets))


def decision_function(x: sp.Matrix | None = None) -> sp.Expr:
    """Return y(x) = sum_n a_n t_n k(x_n, x) + b; `x` defaults to the symbolic input (x_1, x_2)."""
    point = GENERIC_INPUT if x is None else x
    solution = dual_solution()
    _, labels = xor_data()
    terms = [
        solution.multipliers[n] * labels[n] * kernel(x_n, point) for n, x_n in enumerate(data_points())
    ]
    return sp.Add(*terms) + solution.bias


def primal_weights() -> sp.Matrix:
    """Return w = sum_n a_n t_n phi(x_n), the weight vector in the six-dimensional feature space."""
    solution = dual_solution()
    _, labels = xor_data()
    weights = sp.zeros(6, 1)
    for n, x_n in enumerate(data_points()):
        weights += solution.multipliers[n] * labels[n] * feature_map(x_n)
    return weights


# --- positive definiteness ------------------------------------------------------------------


def leading_minors(matrix: sp.Matrix) -> list[sp.Expr]:
    """Return the leading principal minors det(M[:k, :k]), k = 1..n."""
    return [matrix[:k, :k].det() for k in range(1, matrix.shape[0] + 1)]


def positive_definite_verdict(matrix: sp.Matrix, name: str) -> Verdict:
    """Decide that an exact symmetric matrix is positive definite by Sylvester's criterion.

    The criterion (every leading principal minor positive) only holds for
    symmetric matrices. A non-symmetric matrix can have positive leading minors
    while x^T M x < 0 for some x, so it is reported false.
    """
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} is {matrix.shape[0]}x{matrix.shape[1]}; positive definiteness needs a square matrix")
    if any(not entry.is_Rational for entry in matrix):
        raise ValueError(f"{name} has non-rational entries; Sylvester's criterion here needs exact rational entries")
    if matrix != matrix.T:
        row, column = next((r, c) for r in range(matrix.shape[0]) for c in range(r) if matrix[r, c] != matrix[c, r])
        return Verdict(
            Method.FALSE,
            f"{name} is not symmetric, so Sylvester's criterion does not apply",
            counterexample=Counterexample(
                point=(("entry", f"({row + 1}, {column + 1})"),),
                obtained=str(matrix[row, column]),
                stated=f"{matrix[column, row]} (the transposed entry)",
            ),
        )
    minors = leading_minors(matrix)
    for k, minor in enumerate(minors, start=1):
        if minor <= 0:
            return Verdict(
                Method.FALSE,
                f"leading minor {k} of {name} is {minor}, not positive",
                counterexample=Counterexample(point=(("k", str(k)),), obtained=str(minor), stated="> 0"),
            )
    return Verdict(
        Method.PROVED,
        "Sylvester's criterion: leading principal minors " + ", ".join(str(m) for m in minors) + " are all positive (exact)",
    )


def nonnegative_verdict(values: sp.Matrix, name: str) -> Verdict:
    """Decide that every entry of an exact rational vector is non-negative."""
    for index, value in enumerate(values, start=1):
        if not value.is_Rational:
            raise ValueError(f"{name}[{index}] = {value} is not an exact rational number")
        if value < 0:
            return Verdict(
                Method.FALSE,
                f"{name}[{index}] is negative",
                counterexample=Counterexample(point=(("n", str(index)),), obtained=str(value), stated=">= 0"),
            )
    return Verdict(Method.PROVED, f"every entry of {name} compared with 0 in exact rational arithmetic")


# --- the part -------------------------------------------------------------------------------


# The printed forms, each checked by a claim below.
GRAM_STATED = 8 * sp.eye(4) + sp.ones(4, 4)
MULTIPLIERS_STATED = sp.Matrix([sp.Rational(1, 8)] * 4)
BIAS_STATED = sp.Integer(0)
OUTPUTS_STATED = sp.Matrix([1, 1, -1, -1])
DECISION_STATED = X1 * X2
WEIGHTS_STATED = sp.Matrix([0, 0, 0, 0, 1 / sp.sqrt(2), 0])
CHARPOLY_STATED = (EIGENVALUE - 8) ** 3 * (EIGENVALUE - 12)

# Matrix-level forms the sheet prints. `explicit` turns them into the stated sides of claims.
GRAM_SYMBOL = sp.MatrixSymbol("K", 4, 4)
LABELS_SYMBOL = sp.MatrixSymbol("t", 4, 1)
OUTPUTS_FORM = sp.Rational(1, 8) * GRAM_SYMBOL * LABELS_SYMBOL
HESSIAN_FORM = -sp.DiagMatrix(LABELS_SYMBOL) * GRAM_SYMBOL * sp.DiagMatrix(LABELS_SYMBOL)


def explicit(form: sp.MatrixExpr) -> sp.Matrix:
    """Return a printed matrix form with K and t replaced by the stated Gram matrix and the labels."""
    _, labels = xor_data()
    values = {GRAM_SYMBOL: sp.ImmutableMatrix(GRAM_STATED), LABELS_SYMBOL: sp.ImmutableMatrix(labels)}
    return sp.Matrix(form.xreplace(values).doit().as_explicit())


def _claims() -> list[Claim]:
    inputs, labels = xor_data()
    gram = gram_matrix()
    solution = dual_solution()
    matrix, rhs, unknowns = stationarity_system()
    multipliers = solution.multipliers
    signed = multipliers.multiply_elementwise(labels)
    outputs = gram * signed + solution.bias * sp.ones(4, 1)
    weights = primal_weights()
    dual_hessian = sp.hessian(dual_objective(sp.Matrix(MULTIPLIER_SYMBOLS)), MULTIPLIER_SYMBOLS)
    return [
        Claim(
            id="7/gram-matrix",
            statement="K[n, m] = (1 + x_n^T x_m)^2 is 9 on the diagonal and 1 elsewhere",
            obtained=gram,
            stated=GRAM_STATED,
        ),
        Claim(
            id="7/feature-map",
            statement="phi(x)^T phi(x') = (1 + x^T x')^2 for the six-dimensional map phi",
            obtained=(feature_map(GENERIC_INPUT).T * feature_map(SECOND_INPUT))[0, 0],
            stated=kernel(GENERIC_INPUT, SECOND_INPUT),
        ),
        Claim(
            id="7/dual-hessian",
            statement="the Hessian of the dual objective is -diag(t) K diag(t)",
            obtained=dual_hessian,
            stated=explicit(HESSIAN_FORM),
        ),
        Claim(
            id="7/gram-positive-definite",
            statement="K is positive definite (so -diag(t) K diag(t) is negative definite and the dual strictly concave)",
            decide_with=lambda settings: positive_definite_verdict(gram, "K"),
        ),
        Claim(
            id="7/gram-characteristic-polynomial",
            statement="det(mu I - K) = (mu - 8)^3 (mu - 12), so the eigenvalues of K are 8, 8, 8 and 12",
            obtained=(EIGENVALUE * sp.eye(4) - gram).det(),
            stated=CHARPOLY_STATED,
        ),
        Claim(
            id="7/stationarity-solution",
            statement="(a, lambda) solves the stationarity system of the dual's Lagrangian",
            obtained=matrix * solution_vector(solution),
            stated=rhs,
        ),
        Claim(
            id="7/dual-multipliers",
            statement="the dual multipliers are a_n = 1/8 for n = 1..4",
            obtained=multipliers,
            stated=MULTIPLIERS_STATED,
        ),
        Claim(
            id="7/multipliers-nonnegative",
            statement="every a_n >= 0, so the stationary point is feasible for the dual",
            decide_with=lambda settings: nonnegative_verdict(multipliers, "a"),
        ),
        Claim(
            id="7/equality-constraint",
            statement="sum_n a_n t_n = 0",
            obtained=(multipliers.T * labels)[0, 0],
            stated=sp.Integer(0),
        ),
        Claim(
            id="7/bias",
            statement="b = 0, averaged over the support vectors",
            obtained=solution.bias,
            stated=BIAS_STATED,
        ),
        Claim(
            id="7/bias-is-equality-multiplier",
            statement="the multiplier of sum_n a_n t_n = 0 equals the bias b",
            obtained=solution.equality_multiplier,
            stated=solution.bias,
        ),
        Claim(
            id="7/outputs-at-data",
            statement="(y(x_1), ..., y(x_4)) = K (a ⊙ t) + b = (1/8) K t = (1, 1, -1, -1)",
            obtained=outputs,
            stated=OUTPUTS_STATED,
        ),
        Claim(
            id="7/outputs-as-kt",
            statement="K (a ⊙ t) + b equals (1/8) K t",
            obtained=outputs,
            stated=explicit(OUTPUTS_FORM),
        ),
        Claim(
            id="7/margins",
            statement="t_n y(x_n) = 1 for every n: all four points lie on the margin and are support vectors",
            obtained=outputs.multiply_elementwise(labels),
            stated=sp.ones(4, 1),
        ),
        Claim(
            id="7/decision-function",
            statement="y(x) = sum_n a_n t_n (1 + x_n^T x)^2 + b = x_1 x_2 for every x",
            obtained=decision_function(),
            stated=DECISION_STATED,
        ),
        Claim(
            id="7/decision-at-data",
            statement="the symbolic y(x) agrees with K (a ⊙ t) + b at the four inputs",
            obtained=sp.Matrix([decision_function(x_n) for x_n in data_points()]),
            stated=outputs,
        ),
        Claim(
            id="7/primal-weights",
            statement="w = sum_n a_n t_n phi(x_n) = (0, 0, 0, 0, 1/sqrt2, 0)",
            obtained=weights,
            stated=WEIGHTS_STATED,
        ),
        Claim(
            id="7/primal-output",
            statement="w^T phi(x) + b = x_1 x_2, the same classifier as the kernel form",
            obtained=(weights.T * feature_map(GENERIC_INPUT))[0, 0] + solution.bias,
            stated=DECISION_STATED,
        ),
        Claim(
            id="7/duality-gap",
            statement="the dual objective at a equals the primal objective |w|^2 / 2 = 1/4: zero duality gap",
            obtained=dual_objective(multipliers),
            stated=sp.Rational(1, 2) * (weights.T * weights)[0, 0],
        ),
    ]


def solution_vector(solution: DualSolution) -> sp.Matrix:
    """Return (a_1, ..., a_4, lambda) as a column, in the order of `stationarity_system`'s unknowns."""
    return sp.Matrix([*solution.multipliers, solution.equality_multiplier])


def _body() -> list:
    inputs, labels = xor_data()
    solution = dual_solution()
    a = sp.MatrixSymbol("a", 4, 1)
    return [
        Paragraph(
            "The four XOR inputs are ",
            Math(inputs.T),
            " (one column per point) with labels ",
            Math(labels.T),
            ". Evaluating the kernel on every pair gives the Gram matrix",
        ),
        Equation(TeX(r"\mathbf{K}"), GRAM_STATED),
        Paragraph(
            "The kernel is an inner product of explicit features: with ",
            TeX(r"\boldsymbol{\phi}(\boldsymbol{x})"),
            " as below, ",
            TeX(r"\boldsymbol{\phi}(\boldsymbol{x})^{\mathsf{T}}\boldsymbol{\phi}(\boldsymbol{x}') = (1 + \boldsymbol{x}^{\mathsf{T}}\boldsymbol{x}')^2"),
            " for all inputs, so the SVM is a linear classifier in six dimensions.",
        ),
        Equation(TeX(r"\boldsymbol{\phi}(\boldsymbol{x})"), feature_map(GENERIC_INPUT)),
        Paragraph(
            "The dual problem maximises ",
            TeX(r"L(\boldsymbol{a}) = \sum_n a_n - \tfrac{1}{2}\sum_{n,m} a_n a_m t_n t_m K_{nm}"),
            " subject to ",
            TeX(r"a_n \ge 0"),
            " and ",
            TeX(r"\sum_n a_n t_n = 0"),
            ". Attaching the equality constraint with a multiplier ",
            Math(EQUALITY_MULTIPLIER),
            " and setting the gradient to zero gives five linear equations in five unknowns. "
            "Solved exactly, they give",
        ),
        Equation(Math(a), MULTIPLIERS_STATED),
        Paragraph(
            "with ",
            Math(sp.Eq(EQUALITY_MULTIPLIER, solution.equality_multiplier)),
            ". Every multiplier is positive, so this stationary point also satisfies ",
            TeX(r"\boldsymbol{a} \ge \boldsymbol{0}"),
            " and is the maximiser of the constrained dual. All four points are support vectors. "
            "Averaging the bias over them gives ",
            Math(sp.Eq(sp.Symbol("b"), BIAS_STATED)),
            ", the same value as the equality multiplier, as it must be: stationarity in each ",
            TeX(r"a_n"),
            " reads ",
            TeX(r"t_n\,(\sum_m a_m t_m K_{nm} + \lambda) = 1"),
            ". The reference writes ",
            TeX(r"k_{n,1}"),
            " for the entry ",
            TeX(r"K_{n1}"),
            " of the Gram matrix.",
        ),
        Paragraph("At the training inputs the classifier outputs"),
        Equation(
            TeX(r"\left(y(\boldsymbol{x}_n)\right)_{n=1}^{4}"),
            [OUTPUTS_FORM, OUTPUTS_STATED],
        ),
        Paragraph(
            "so ",
            TeX(r"t_n y(\boldsymbol{x}_n) = 1"),
            " for every n: each margin constraint holds with equality. For a general input ",
            TeX(r"\boldsymbol{x} = (x_1, x_2)"),
            ", expanding the four kernel terms leaves a single monomial:",
        ),
        Equation(
            TeX(r"y(\boldsymbol{x}) = \sum_{n=1}^{4} a_n t_n (1 + \boldsymbol{x}_n^{\mathsf{T}}\boldsymbol{x})^2 + b"),
            DECISION_STATED,
        ),
        Paragraph(
            "The decision boundary y(x) = 0 is the pair of coordinate axes. "
            "In the feature space the same classifier has weight vector ",
            TeX(r"\boldsymbol{w} = \sum_n a_n t_n \boldsymbol{\phi}(\boldsymbol{x}_n)"),
            ":",
        ),
        Equation(TeX(r"\boldsymbol{w}"), WEIGHTS_STATED),
        Paragraph(
            "and ",
            TeX(r"\boldsymbol{w}^{\mathsf{T}}\boldsymbol{\phi}(\boldsymbol{x}) + b = x_1 x_2"),
            " again. The primal objective ",
            TeX(r"\tfrac{1}{2}\|\boldsymbol{w}\|^2"),
            " and the dual objective are both ",
            Math(dual_objective(solution.multipliers)),
            ". Since any feasible dual point bounds the primal optimum from below, this zero gap proves "
            "that both solutions are optimal, independently of how they were found.",
        ),
        Paragraph("Uniqueness follows from the curvature of the dual:"),
        ItemList(
            (
                Paragraph(
                    "The Hessian of L is ",
                    Math(HESSIAN_FORM),
                    ".",
                ),
                Paragraph(
                    "K is positive definite: its leading principal minors are ",
                    Math(sp.Tuple(*leading_minors(GRAM_STATED))),
                    " and its characteristic polynomial is ",
                    Math(CHARPOLY_STATED),
                    ", so its eigenvalues are 8 (three times) and 12.",
                ),
                Paragraph(
                    "Hence L is strictly concave and its maximiser over the convex feasible set is unique; "
                    "so are the weight vector ",
                    TeX(r"\boldsymbol{w}"),
                    " and the classifier built from it.",
                ),
            )
        ),
    ]


def build() -> list[Part]:
    erratum = Erratum(
        question="7",
        reference_says="uses the multipliers 1/8 for all four points without deriving them, and does not say whether the solution is unique",
        what_holds=(
            "the multipliers 1/8 are the exact solution of the dual's stationarity conditions together with the "
            "equality constraint, all of them are positive, and they are the unique maximiser because K is positive "
            "definite (eigenvalues 8, 8, 8, 12)"
        ),
        why=(
            "the dual's Hessian is -diag(t) K diag(t); without positive definiteness of K several multiplier "
            "vectors could maximise the dual, as happens for the linear SVM of answer 8"
        ),
    )
    return [Part(id="7", title="A kernel SVM on XOR", body=_body(), claims=_claims(), errata=[erratum])]
