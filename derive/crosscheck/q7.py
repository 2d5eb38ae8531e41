"""Answer 7 against scikit-learn: the kernel SVM on XOR.

scikit-learn's polynomial kernel is ``(gamma x^T x' + coef0)^degree``, so the
sheet's ``(1 + x^T x')^2`` is ``degree=2, gamma=1, coef0=1``. For two classes,
``SVC.dual_coef_`` holds ``t_n a_n`` for the support vectors listed in
``support_``, with ``t_n = +1`` for ``classes_[1]``.
"""

from __future__ import annotations

import numpy as np

from derive.crosscheck.core import Comparison
from derive.crosscheck.numeric import as_array, compare, evaluator
from derive.papers.ep2 import q7

# A large C makes the soft-margin SVC solve the hard-margin problem of the sheet,
# because every multiplier of the exact solution (1/8) is far below it.
LARGE_C = 1e6
SOLVER_TOLERANCE = 1e-10
TOLERANCE = 1e-8
POINTS = 200


def signed_multipliers(model, size: int) -> np.ndarray:
    """Return t_n a_n for every training point from a fitted binary SVC, zero where n is no support vector."""
    signed = np.zeros(size)
    signed[model.support_] = model.dual_coef_[0]
    return signed


def xor_svm(rng: np.random.Generator) -> list[Comparison]:
    """Fit SVC(kernel="poly", degree=2, gamma=1, coef0=1) to XOR and compare it with the exact solution."""
    import sklearn
    from sklearn.metrics.pairwise import polynomial_kernel
    from sklearn.svm import SVC

    inputs_exact, labels_exact = q7.xor_data()
    inputs = as_array(inputs_exact)
    labels = as_array(labels_exact).ravel()
    solution = q7.dual_solution()

    model = SVC(kernel="poly", degree=2, gamma=1, coef0=1, C=LARGE_C, tol=SOLVER_TOLERANCE)
    model.fit(inputs, labels)
    if list(model.classes_) != [-1, 1]:
        raise ValueError(f"expected the classes [-1, 1], got {list(model.classes_)}")

    points = rng.uniform(-2.0, 2.0, size=(POINTS, 2))
    derived = evaluator(q7.decision_function(), [q7.X1, q7.X2])
    stated = evaluator(q7.DECISION_STATED, [q7.X1, q7.X2])
    library_values = model.decision_function(points)

    library = f"scikit-learn {sklearn.__version__}"
    signed_exact = solution.multipliers.multiply_elementwise(labels_exact)
    signed_text = ", ".join(str(value) for value in signed_exact)
    return [
        compare(
            "gram",
            "Gram matrix (1 + x^T x')^2 vs polynomial_kernel",
            library,
            [(as_array(q7.gram_matrix()), polynomial_kernel(inputs, degree=2, gamma=1, coef0=1))],
            TOLERANCE,
        ),
        compare(
            "dual",
            f"t_n a_n = ({signed_text}) vs SVC dual_coef_",
            library,
            [(as_array(signed_exact).ravel(), signed_multipliers(model, len(labels)))],
            TOLERANCE,
        ),
        compare(
            "bias",
            f"bias b = {solution.bias} vs SVC intercept_",
            library,
            [(as_array(solution.bias), np.asarray(model.intercept_[0]))],
            TOLERANCE,
        ),
        compare(
            "decision-derived",
            f"decision function, derived, vs SVC ({POINTS} points)",
            library,
            [(np.array([derived(point) for point in points]), library_values)],
            TOLERANCE,
        ),
        compare(
            "decision-stated",
            f"decision function, stated {q7.DECISION_STATED}, vs SVC ({POINTS} points)",
            library,
            [(np.array([stated(point) for point in points]), library_values)],
            TOLERANCE,
        ),
    ]
