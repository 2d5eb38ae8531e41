"""Answer 4 against torch autograd: the Jacobian of layer normalisation.

``torch.nn.functional.layer_norm`` divides by sqrt(var + eps) with the population
variance (1/n) sum (y - mu)^2 and eps = 1e-5 by default; the sheet's model does the
same with eps kept as a symbol, set here to torch's value. torch's Jacobian is in
numerator layout and the sheet's in denominator layout, so the sheet's matrix is
compared with the transpose. Without a gain the Jacobian is symmetric and the
layout cannot show; with a gain w it is J diag(w), which is not symmetric, so the
untransposed comparison serves as the layout's negative control.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive.calculus import instantiate, vector
from derive.crosscheck.core import Comparison
from derive.crosscheck.numeric import compare, evaluator
from derive.papers.ep2 import q4

SIZES = (2, 3, 4)
POINTS = 5
# torch.nn.functional.layer_norm's default eps.
TORCH_EPS = 1e-5
TOLERANCE = 1e-12
# A wrong layout, the mean-only form I - 1 1^T / n and the model without eps must miss torch by more than these.
FORM_GAP = 1e-3
# eps = 1e-5 against eps = 0 changes 1/sigma by about eps / (2 var^{3/2}), roughly 5e-6 for unit-variance inputs.
EPS_GAP = 1e-8


def _fixed_sigma_stated(size: int) -> sp.Matrix:
    """Return (1/sigma)(I - 1 1^T / n) at an explicit size, with the model's sigma (eps included)."""
    inputs = vector("y", size)
    form = q4.FIXED_SIGMA_STATED.xreplace({q4.SIGMA: q4.standard_deviation(inputs, q4.EPS)})
    return instantiate(form, q4.n, size, {"1": sp.ones(size, 1)})


def _reference_printed(size: int) -> sp.Matrix:
    """Return I - 1 1^T / n, the matrix the reference solutions print, at an explicit size."""
    return instantiate(q4.REFERENCE_PRINTED, q4.n, size, {"1": sp.ones(size, 1)})


def layer_norm(rng: np.random.Generator) -> list[Comparison]:
    """Compare the layer-norm output and Jacobians of 4b with torch.nn.functional.layer_norm."""
    import torch
    import torch.nn.functional as F

    keys = ("output", "derived", "stated", "gained", "gained-untransposed", "no-eps", "fixed-sigma", "reference")
    pairs: dict[str, list] = {key: [] for key in keys}
    for size in SIZES:
        inputs, gain, bias = vector("y", size), vector("w", size), vector("b", size)
        symbols = [*inputs, *gain, *bias, q4.EPS]
        models = {
            "output": evaluator(q4.normalise(inputs, q4.EPS), symbols),
            "derived": evaluator(q4.layer_norm_jacobian(size, q4.EPS), symbols),
            "stated": evaluator(q4.layer_norm_jacobian_stated(size, q4.EPS), symbols),
            "gained": evaluator(q4.gained_layer_norm_jacobian(size, q4.EPS), symbols),
            "no-eps": evaluator(q4.layer_norm_jacobian(size), symbols),
            "fixed-sigma": evaluator(_fixed_sigma_stated(size), symbols),
            "reference": evaluator(_reference_printed(size), symbols),
        }
        for _ in range(POINTS):
            y_value, w_value, b_value = (rng.standard_normal(size) for _ in range(3))
            values = np.concatenate([y_value, w_value, b_value, [TORCH_EPS]])
            point = torch.from_numpy(y_value)
            weight, shift = torch.from_numpy(w_value), torch.from_numpy(b_value)

            def plain(y):
                return F.layer_norm(y, (size,), eps=TORCH_EPS)

            def gained(y):
                return F.layer_norm(y, (size,), weight=weight, bias=shift, eps=TORCH_EPS)

            with torch.no_grad():
                output = plain(point).numpy().reshape(-1, 1)
            plain_jacobian = torch.autograd.functional.jacobian(plain, point).numpy()
            gained_jacobian = torch.autograd.functional.jacobian(gained, point).numpy()

            pairs["output"].append((models["output"](values), output))
            pairs["gained"].append((models["gained"](values), gained_jacobian.T))
            pairs["gained-untransposed"].append((models["gained"](values), gained_jacobian))
            for key in ("derived", "stated", "no-eps", "fixed-sigma", "reference"):
                pairs[key].append((models[key](values), plain_jacobian.T))

    library = f"torch {torch.__version__} layer_norm"
    sizes = ", ".join(str(size) for size in SIZES)
    return [
        compare("output", f"(y - mu 1) / sqrt(var + eps), population variance (n = {sizes})", library, pairs["output"], TOLERANCE),
        compare("derived", f"Jacobian, differentiated, eps = 1e-5, vs J^T (n = {sizes})", library, pairs["derived"], TOLERANCE),
        compare(
            "stated",
            f"Jacobian, stated (1/sigma)(I - (1 1^T + yhat yhat^T)/n), vs J^T (n = {sizes})",
            library,
            pairs["stated"],
            TOLERANCE,
        ),
        compare(
            "gained",
            f"Jacobian with gain w and bias b, differentiated, vs J^T (n = {sizes})",
            library,
            pairs["gained"],
            TOLERANCE,
        ),
        compare(
            "gained-untransposed",
            f"Jacobian with gain w vs J untransposed, numerator layout (n = {sizes})",
            library,
            pairs["gained-untransposed"],
            FORM_GAP,
            expect_agreement=False,
        ),
        compare(
            "no-eps",
            f"Jacobian with eps = 0 vs torch's eps = 1e-5 (n = {sizes})",
            library,
            pairs["no-eps"],
            EPS_GAP,
            expect_agreement=False,
        ),
        compare(
            "fixed-sigma",
            f"(1/sigma)(I - 1 1^T/n), sigma held fixed, vs J^T (n = {sizes})",
            library,
            pairs["fixed-sigma"],
            FORM_GAP,
            expect_agreement=False,
        ),
        compare(
            "reference",
            f"mean-only form I - 1 1^T/n vs J^T (n = {sizes})",
            library,
            pairs["reference"],
            FORM_GAP,
            expect_agreement=False,
        ),
    ]
