"""Numerical cross-checks of the sheet's verified SymPy expressions against PyTorch and scikit-learn.

Each registered `CrossCheck` evaluates the expressions of one part in float64
at points drawn from a seeded numpy generator and compares them with what the
library computes for the same model. Where the library uses another convention
(layout of a Jacobian, placement of the GRU reset gate, which gate weights the
old state), the check maps it explicitly and adds a negative control that
shows the unmapped convention does not match.

The packages come with the optional extra: ``pip install 'derive[crosscheck]'``.
Importing this package needs none of them; the runners import them.
"""

from __future__ import annotations

from derive.crosscheck.core import (
    DEFAULT_SEED,
    INSTALL_HINT,
    Comparison,
    CrossCheck,
    MissingExtraError,
    Outcome,
    format_table,
    missing_packages,
    require_packages,
    run_check,
    run_checks,
    select,
    summary,
)

_EP2 = "derive.papers.ep2"

CROSSCHECKS: tuple[CrossCheck, ...] = (
    CrossCheck(
        id="1a",
        answer="1",
        title="residual layer Jacobian",
        answer_module=f"{_EP2}.q1",
        packages=("torch",),
        runner="derive.crosscheck.q1:residual_layer",
        notes=(
            "torch.autograd.functional.jacobian returns J[i, j] = dy_i/dx_j (numerator layout); "
            "the sheet's denominator layout is J^T.",
        ),
    ),
    CrossCheck(
        id="1c",
        answer="1",
        title="highway layer Jacobian",
        answer_module=f"{_EP2}.q1",
        packages=("torch",),
        runner="derive.crosscheck.q1:highway_layer",
        notes=("as for 1a, the sheet's Jacobian is the transpose of torch's.",),
    ),
    CrossCheck(
        id="3b",
        answer="3",
        title="GRU cell state update",
        answer_module=f"{_EP2}.q3",
        packages=("torch",),
        runner="derive.crosscheck.q3:gru_cell",
        notes=(
            "torch.nn.GRUCell applies the reset gate after the recurrent product, "
            "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)); the sheet applies it before, U_h (r ⊙ h), "
            "and its candidate activation f is tanh here.",
            "gate names: the sheet's r, u and candidate are torch's r, z and n. In both, the update gate weights "
            "the old state: h' = (1 - z) ⊙ n + z ⊙ h.",
            "weights: W_r, W_u, W_h are the row blocks r, z, n of weight_ih and U_r, U_u, U_h those of weight_hh; "
            "b_r = b_ir + b_hr, b_u = b_iz + b_hz, b_h = b_in, c_h = b_hn.",
        ),
    ),
    CrossCheck(
        id="4b",
        answer="4",
        title="layer-norm Jacobian",
        answer_module=f"{_EP2}.q4",
        packages=("torch",),
        runner="derive.crosscheck.q4:layer_norm",
        notes=(
            "torch.nn.functional.layer_norm divides by sqrt(var + eps) with the population variance and "
            "eps = 1e-5 by default; the sheet's eps is set to that value.",
            "torch's Jacobian is numerator layout, the sheet's the transpose; only the Jacobian with a gain "
            "is asymmetric enough to show it.",
        ),
    ),
    CrossCheck(
        id="7",
        answer="7",
        title="degree-2 polynomial-kernel SVM on XOR",
        answer_module=f"{_EP2}.q7",
        packages=("sklearn",),
        runner="derive.crosscheck.q7:xor_svm",
        notes=(
            "SVC's polynomial kernel is (gamma x^T x' + coef0)^degree with defaults gamma='scale', coef0=0; "
            "the sheet's (1 + x^T x')^2 needs gamma=1, coef0=1 set explicitly.",
            "SVC.dual_coef_ holds t_n a_n for the support vectors only, with t_n = +1 for classes_[1].",
        ),
    ),
    CrossCheck(
        id="8b",
        answer="8",
        title="linear SVM on six points: w, b and margins",
        answer_module=f"{_EP2}.q8",
        packages=("sklearn",),
        runner="derive.crosscheck.q8:linear_svm_solution",
    ),
    CrossCheck(
        id="8c",
        answer="8",
        title="linear SVM on six points: multipliers",
        answer_module=f"{_EP2}.q8",
        packages=("sklearn",),
        runner="derive.crosscheck.q8:linear_svm_multipliers",
        notes=(
            "the optimal multipliers form a family; libsvm returns one member, compared with the nearest member.",
            "SVC.support_ lists only the points with a_n > 0 in that member, so a point on the margin "
            "(a support vector of the sheet) can be missing from it.",
        ),
    ),
    CrossCheck(
        id="9a",
        answer="9",
        title="Gaussian-mixture score vector",
        answer_module=f"{_EP2}.q9",
        packages=("torch",),
        runner="derive.crosscheck.q9:score_vector",
    ),
    CrossCheck(
        id="9b",
        answer="9",
        title="Gaussian-mixture log-likelihood and its gradient in the means",
        answer_module=f"{_EP2}.q9",
        packages=("torch",),
        runner="derive.crosscheck.q9:first_derivatives",
        notes=(
            "torch.distributions.Categorical normalises its probs while the sheet uses c_m as given, "
            "so the weights are drawn to sum to 1; Normal takes the standard deviation, as the sheet does.",
        ),
    ),
    CrossCheck(
        id="9c",
        answer="9",
        title="Gaussian-mixture second derivatives in the means",
        answer_module=f"{_EP2}.q9",
        packages=("torch",),
        runner="derive.crosscheck.q9:second_derivatives",
    ),
)

__all__ = [
    "CROSSCHECKS",
    "DEFAULT_SEED",
    "INSTALL_HINT",
    "Comparison",
    "CrossCheck",
    "MissingExtraError",
    "Outcome",
    "format_table",
    "missing_packages",
    "require_packages",
    "run_check",
    "run_checks",
    "select",
    "summary",
]
