"""Answer 8 against scikit-learn: the linear hard-margin SVM on six points.

The optimal multipliers are not unique: they form a one-parameter family a(lambda)
on a closed interval. libsvm returns one member, so its multipliers are compared
with the nearest member of the verified family, not with one fixed vector.
``SVC.dual_coef_`` holds ``t_n a_n`` for the points in ``support_`` only.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive.crosscheck.core import Comparison
from derive.crosscheck.numeric import as_array, compare
from derive.papers.ep2 import q8

# A large C makes the soft-margin SVC solve the hard-margin problem, because the
# exact multipliers are at most 4, far below it.
LARGE_C = 1e6
SOLVER_TOLERANCE = 1e-10
TOLERANCE = 1e-8


def _training_set() -> tuple[np.ndarray, np.ndarray]:
    points, labels = q8.data()
    inputs = np.array([as_array(point).ravel() for point in points])
    return inputs, np.array(labels, dtype=np.float64)


def fit_svc(inputs: np.ndarray, labels: np.ndarray):
    """Fit SVC(kernel="linear") with a large C, and raise `ValueError` unless its classes are [-1, 1] in that order."""
    from sklearn.svm import SVC

    model = SVC(kernel="linear", C=LARGE_C, tol=SOLVER_TOLERANCE).fit(inputs, labels)
    if list(model.classes_) != [-1, 1]:
        raise ValueError(f"expected the classes [-1, 1], got {list(model.classes_)}")
    return model


def library_multipliers(model, labels: np.ndarray) -> np.ndarray:
    """Return a_n for every training point from a fitted binary SVC: t_n (t_n a_n), zero off `support_`."""
    signed = np.zeros(len(labels))
    signed[model.support_] = model.dual_coef_[0]
    return signed * labels


def nearest_member(family: sp.Matrix, parameter: sp.Symbol, interval: tuple, multipliers: np.ndarray) -> tuple[float, np.ndarray]:
    """Return (lambda, a(lambda)) for the member of the affine family closest to `multipliers`.

    The least-squares parameter is clamped to `interval`, so the member returned
    always has non-negative multipliers. Raises `ValueError` if the family is not
    affine in the parameter.
    """
    direction = family.diff(parameter)
    if direction.diff(parameter) != sp.zeros(*family.shape) or direction.free_symbols:
        raise ValueError(f"the multiplier family is not affine in {parameter}: {list(family)}")
    offset = as_array(family.xreplace({parameter: 0})).ravel()
    step = as_array(direction).ravel()
    fitted = float(np.dot(step, multipliers - offset) / np.dot(step, step))
    low, high = (float(bound) for bound in interval)
    clamped = min(max(fitted, low), high)
    return clamped, offset + clamped * step


def linear_svm_solution(rng: np.random.Generator) -> list[Comparison]:
    """Compare w, b and the functional margins of 8b with SVC(kernel="linear")."""
    import sklearn

    inputs, labels = _training_set()
    model = fit_svc(inputs, labels)
    weights, bias = q8.primal_solution()
    margins = as_array(q8.functional_margins(weights, bias)).ravel()

    library = f"scikit-learn {sklearn.__version__}"
    weights_text = ", ".join(str(value) for value in weights)
    return [
        compare("w", f"w = ({weights_text}) vs SVC coef_", library, [(as_array(weights).ravel(), model.coef_[0])], TOLERANCE),
        compare("b", f"b = {bias} vs SVC intercept_", library, [(as_array(bias), np.asarray(model.intercept_[0]))], TOLERANCE),
        compare(
            "margins",
            "functional margins t_n (w^T x_n + b) vs t_n decision_function",
            library,
            [(margins, labels * model.decision_function(inputs))],
            TOLERANCE,
        ),
    ]


def linear_svm_multipliers(rng: np.random.Generator) -> list[Comparison]:
    """Compare SVC's multipliers with the family of 8c, and its dual objective with the sheet's."""
    import sklearn

    inputs, labels = _training_set()
    model = fit_svc(inputs, labels)
    multipliers = library_multipliers(model, labels)
    parameter, family, interval = q8.multiplier_family()
    member_parameter, member = nearest_member(family, parameter, interval, multipliers)

    weights, _ = q8.primal_solution()
    sheet_dual_expr = sp.expand(q8.lagrangian_dual(family))
    sheet_dual = as_array(sheet_dual_expr)
    combination = (multipliers * labels) @ inputs
    library_dual = multipliers.sum() - 0.5 * float(combination @ combination)

    library = f"scikit-learn {sklearn.__version__}"
    low, high = interval
    support = ", ".join(str(index + 1) for index in sorted(model.support_))
    return [
        compare(
            "family",
            f"a_n on SVC support_ {{{support}}} vs the family a({parameter}), {parameter} in [{low}, {high}]: "
            f"nearest {parameter} = {member_parameter:.6g}",
            library,
            [(member, multipliers)],
            TOLERANCE,
        ),
        compare(
            "dual-objective",
            f"dual objective = {sheet_dual_expr} = ||w||^2 / 2 vs SVC's multipliers",
            library,
            [(sheet_dual, np.asarray(library_dual)), (as_array((weights.T * weights)[0, 0] / 2), np.asarray(library_dual))],
            TOLERANCE,
        ),
    ]
