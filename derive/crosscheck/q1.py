"""Answer 1 against torch autograd: the residual and highway Jacobians, with the layout made explicit.

``torch.autograd.functional.jacobian`` returns numerator layout,
``J[i, j] = dy_i/dx_j``. The sheet uses denominator layout, the transpose, so
each check compares the sheet's matrix with ``J.T`` and, as a negative control,
with ``J`` itself, which must differ because W is not symmetric.
"""

from __future__ import annotations

import numpy as np

from derive.calculus import matrix, vector
from derive.crosscheck.core import Comparison
from derive.crosscheck.numeric import compare, evaluator
from derive.papers.ep2 import q1

SIZES = (2, 3)
POINTS = 5
TOLERANCE = 1e-12
# The untransposed comparison must differ by more than this, far above rounding error.
LAYOUT_GAP = 1e-3


def _torch_jacobian(layer, inputs: np.ndarray) -> np.ndarray:
    """Return torch's Jacobian of `layer` at `inputs`, numerator layout: entry (i, j) is dy_i/dx_j."""
    import torch

    point = torch.tensor(inputs, dtype=torch.float64)
    return torch.autograd.functional.jacobian(layer, point).numpy()


def _library() -> str:
    import torch

    return f"torch {torch.__version__} autograd"


def residual_layer(rng: np.random.Generator) -> list[Comparison]:
    """Compare the residual Jacobian of 1a, derived and as stated, with autograd of x + sigmoid(W x)."""
    import torch

    derived_pairs, stated_pairs, untransposed_pairs = [], [], []
    for size in SIZES:
        symbols = [*matrix("W", size, size), *vector("x", size)]
        derived = evaluator(q1.residual_jacobian(size), symbols)
        stated = evaluator(q1.residual_stated(size), symbols)
        for _ in range(POINTS):
            weights = rng.standard_normal((size, size))
            inputs = rng.standard_normal(size)
            values = np.concatenate([weights.ravel(), inputs])
            weights_t = torch.tensor(weights, dtype=torch.float64)
            numerator = _torch_jacobian(lambda x: x + torch.sigmoid(weights_t @ x), inputs)
            derived_pairs.append((derived(values), numerator.T))
            stated_pairs.append((stated(values), numerator.T))
            untransposed_pairs.append((derived(values), numerator))
    library = _library()
    sizes = ", ".join(str(size) for size in SIZES)
    return [
        compare("derived", f"residual Jacobian, differentiated, vs J^T (n = {sizes})", library, derived_pairs, TOLERANCE),
        compare("stated", f"residual Jacobian, stated I + W^T diag(phi'(z)), vs J^T (n = {sizes})", library, stated_pairs, TOLERANCE),
        compare(
            "untransposed",
            f"residual Jacobian vs J untransposed, numerator layout (n = {sizes})",
            library,
            untransposed_pairs,
            LAYOUT_GAP,
            expect_agreement=False,
        ),
    ]


def highway_layer(rng: np.random.Generator) -> list[Comparison]:
    """Compare the highway Jacobian of 1c, derived and as stated, with autograd of (1 - g) x + g sigmoid(W x)."""
    import torch

    derived_pairs, stated_pairs, untransposed_pairs = [], [], []
    for size in SIZES:
        symbols = [*matrix("W", size, size), *matrix("W_g", size, size), *vector("x", size)]
        derived = evaluator(q1.highway_jacobian(size), symbols)
        stated = evaluator(q1.highway_stated(size), symbols)
        for _ in range(POINTS):
            weights = rng.standard_normal((size, size))
            gate_weights = rng.standard_normal((size, size))
            inputs = rng.standard_normal(size)
            values = np.concatenate([weights.ravel(), gate_weights.ravel(), inputs])
            weights_t = torch.tensor(weights, dtype=torch.float64)
            gate_weights_t = torch.tensor(gate_weights, dtype=torch.float64)

            def highway(x):
                gate = torch.sigmoid(gate_weights_t @ x)
                return (1 - gate) * x + gate * torch.sigmoid(weights_t @ x)

            numerator = _torch_jacobian(highway, inputs)
            derived_pairs.append((derived(values), numerator.T))
            stated_pairs.append((stated(values), numerator.T))
            untransposed_pairs.append((derived(values), numerator))
    library = _library()
    sizes = ", ".join(str(size) for size in SIZES)
    return [
        compare("derived", f"highway Jacobian, differentiated, vs J^T (n = {sizes})", library, derived_pairs, TOLERANCE),
        compare("stated", f"highway Jacobian, stated three-term form, vs J^T (n = {sizes})", library, stated_pairs, TOLERANCE),
        compare(
            "untransposed",
            f"highway Jacobian vs J untransposed, numerator layout (n = {sizes})",
            library,
            untransposed_pairs,
            LAYOUT_GAP,
            expect_agreement=False,
        ),
    ]
