"""Answer 4: batch and layer normalisation, and the Jacobian of layer normalisation.

Conventions: a batch is a matrix with one row per sample and one column per feature.
Layer norm standardises a row over its features; batch norm standardises a column over
the samples of the batch. Variances are population variances, (1/n) sum_l (y_l - mu)^2,
and eps sits inside the root, sigma = sqrt(var + eps): both as in
torch.nn.functional.layer_norm, whose documentation says the variance uses the biased
estimator. Jacobians are in denominator layout, (dy/dx)[i, j] = dy_j/dx_i.
"""

from __future__ import annotations

import sympy as sp

from derive.calculus import instantiate, jacobian, matrix, vector
from derive.claims import Claim, Derivation, Step
from derive.paper import Equation, Erratum, Math, Paragraph, Part, ShowDerivation, TeX
from derive.rewrites import DELTA_RANGE_PIECEWISE, EVALUATE, EXPAND_SUMS, POWERS_OF_SQUARE_ROOTS
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

EXPLICIT_SIZES = range(2, 7)
BATCH_SIZE = 3

# eps of the model; claims use it as a symbol, so every form covers eps = 0 and eps > 0.
EPS = sp.Symbol("epsilon", nonnegative=True)

# Symbolic width and indices, all in 1..n.
n = sp.Symbol("n", integer=True, positive=True)
i, j, k, l = sp.symbols("i j k l", integer=True, positive=True)
INDEX_RANGES = {i: (sp.Integer(1), n), j: (sp.Integer(1), n)}
y_i = sp.IndexedBase("y")
w_i = sp.IndexedBase("w")
b_i = sp.IndexedBase("b")
yhat_i = sp.IndexedBase("yhat")

# Short names the derivation prints in place of the sums they stand for.
MU = sp.Symbol("mu")
SIGMA = sp.Symbol("sigma", positive=True)
VARIANCE = sp.Symbol("v", nonnegative=True)

# Matrix-level symbols of the printed forms, checked at explicit sizes through `instantiate`.
Y = sp.MatrixSymbol("y", n, 1)
Y_HAT = sp.MatrixSymbol("yhat", n, 1)
GAIN = sp.MatrixSymbol("w", n, 1)
BIAS = sp.MatrixSymbol("b", n, 1)
# The all-ones vector, a symbol so that 1 1^T prints as such; `instantiate` replaces it by ones.
ONES = sp.MatrixSymbol("1", n, 1)

SIGMA_EXPLICIT_NAME = "sigma"


# --- the model at explicit sizes --------------------------------------------------------------


def mean(values: sp.Matrix) -> sp.Expr:
    """Return the mean of the entries of a column vector."""
    return sum(values, sp.Integer(0)) / len(values)


def population_variance(values: sp.Matrix) -> sp.Expr:
    """Return (1/n) sum (v - mean)^2, the biased variance that layer and batch norm use."""
    centre = mean(values)
    return sum(((value - centre) ** 2 for value in values), sp.Integer(0)) / len(values)


def standard_deviation(values: sp.Matrix, eps: sp.Expr = 0) -> sp.Expr:
    """Return sqrt(population variance + eps)."""
    return sp.sqrt(population_variance(values) + eps)


def normalise(values: sp.Matrix, eps: sp.Expr = 0) -> sp.Matrix:
    """Return (y - mu 1) / sigma for a column vector y, with sigma = sqrt(var + eps)."""
    column = sp.Matrix(values)
    return (column - mean(column) * sp.ones(len(column), 1)) / standard_deviation(column, eps)


def layer_norm(batch: sp.Matrix, eps: sp.Expr = 0) -> sp.Matrix:
    """Normalise every row (sample) of a batch over its features."""
    rows = [normalise(batch.row(row).T, eps).T for row in range(batch.rows)]
    return sp.Matrix.vstack(*rows)


def batch_norm(batch: sp.Matrix, eps: sp.Expr = 0) -> sp.Matrix:
    """Normalise every column (feature) of a batch over the samples, with the batch's statistics."""
    columns = [normalise(batch.col(column), eps) for column in range(batch.cols)]
    return sp.Matrix.hstack(*columns)


def batch_norm_inference(batch: sp.Matrix, running_mean: sp.Matrix, running_variance: sp.Matrix, eps: sp.Expr = 0) -> sp.Matrix:
    """Normalise every column with fixed statistics (running estimates), as batch norm does at inference."""
    return sp.Matrix(
        batch.rows,
        batch.cols,
        lambda row, column: (batch[row, column] - running_mean[column]) / sp.sqrt(running_variance[column] + eps),
    )


def _check_size(size: int, eps: sp.Expr) -> None:
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    if size == 1 and sp.sympify(eps) == 0:
        raise ValueError("size 1 with eps = 0 divides by a zero standard deviation; pass eps > 0 or size >= 2")


def layer_norm_jacobian(size: int, eps: sp.Expr = 0) -> sp.Matrix:
    """Return d((y - mu 1)/sigma)/dy by differentiation, size x size, in denominator layout.

    Raises ValueError for a size below 1, and for size 1 with eps = 0, where sigma is 0.
    """
    _check_size(size, eps)
    inputs = vector("y", size)
    return jacobian(normalise(inputs, eps), inputs, layout="denominator")


def gained_layer_norm_jacobian(size: int, eps: sp.Expr = 0) -> sp.Matrix:
    """Return d(w ⊙ (y - mu 1)/sigma + b)/dy by differentiation, in denominator layout."""
    _check_size(size, eps)
    inputs, gain, bias = vector("y", size), vector("w", size), vector("b", size)
    outputs = gain.multiply_elementwise(normalise(inputs, eps)) + bias
    return jacobian(outputs, inputs, layout="denominator")


# --- the printed forms ------------------------------------------------------------------------


def _matrix_form(terms: sp.MatrixExpr, scale: sp.Expr = SIGMA) -> sp.MatrixExpr:
    return sp.MatMul(1 / scale, terms)


# (1/sigma)(I - (1/n)(1 1^T + yhat yhat^T)): the full Jacobian of the normaliser.
LAYER_NORM_STATED = _matrix_form(
    sp.MatAdd(sp.Identity(n), sp.MatMul(-1 / n, sp.MatAdd(ONES * ONES.T, Y_HAT * Y_HAT.T)))
)
# (1/sigma)(I - (1/n) 1 1^T): the Jacobian when sigma is held fixed.
FIXED_SIGMA_STATED = _matrix_form(sp.MatAdd(sp.Identity(n), sp.MatMul(-1 / n, ONES * ONES.T)))
# I - (1/n) 1 1^T: the matrix the reference prints, which is the Jacobian of y - mu 1.
REFERENCE_PRINTED = sp.MatAdd(sp.Identity(n), sp.MatMul(-1 / n, ONES * ONES.T))
# J diag(w), the Jacobian with the trainable gain.
GAINED_STATED = LAYER_NORM_STATED * sp.DiagMatrix(GAIN)
# w ⊙ (y - mu 1)/sigma + b, the trainable form.
TRAINABLE_FORM = sp.HadamardProduct(GAIN, sp.MatMul(1 / SIGMA, sp.MatAdd(Y, sp.MatMul(-MU, ONES)))) + BIAS


def _instantiate(form: sp.MatrixExpr, size: int, eps: sp.Expr, sigma: sp.Expr | None = None) -> sp.Matrix:
    """Evaluate a printed form at an explicit size, with sigma, mu and yhat those of the model.

    The form is instantiated with placeholder symbols for yhat, sigma and mu, which are then
    replaced by the model's expressions: letting `doit` multiply the matrices with the full
    square-root expressions inside took about 1.5 s per call at n = 6.
    """
    inputs = vector("y", size)
    placeholder_yhat = vector("yhat", size)
    placeholder_sigma, placeholder_mu = sp.Dummy("sigma", positive=True), sp.Dummy("mu")
    replacements = {
        "y": inputs,
        "yhat": placeholder_yhat,
        "1": sp.ones(size, 1),
        "w": vector("w", size),
        "b": vector("b", size),
    }
    explicit = instantiate(form.xreplace({SIGMA: placeholder_sigma, MU: placeholder_mu}), n, size, replacements)
    values = dict(zip(placeholder_yhat, normalise(inputs, eps)))
    values[placeholder_sigma] = standard_deviation(inputs, eps) if sigma is None else sigma
    values[placeholder_mu] = mean(inputs)
    return explicit.xreplace(values)


def layer_norm_jacobian_stated(size: int, eps: sp.Expr = 0) -> sp.Matrix:
    """Return the printed form (1/sigma)(I - (1/n)(1 1^T + yhat yhat^T)) at an explicit size."""
    return _instantiate(LAYER_NORM_STATED, size, eps)


# --- symbolic width, index notation -------------------------------------------------------------


def index_mean() -> sp.Expr:
    """Return mu = (1/n) sum_k y_k."""
    return sp.Sum(y_i[k], (k, 1, n)) / n


def index_variance() -> sp.Expr:
    """Return v = (1/n) sum_l (y_l - mu)^2."""
    return sp.Sum((y_i[l] - index_mean()) ** 2, (l, 1, n)) / n


def index_sigma(eps: sp.Expr = EPS) -> sp.Expr:
    return sp.sqrt(index_variance() + eps)


def index_normalised(index: sp.Symbol, eps: sp.Expr = EPS) -> sp.Expr:
    """Return yhat_index = (y_index - mu)/sigma for a symbolic width n."""
    return (y_i[index] - index_mean()) / index_sigma(eps)


def layer_norm_index_stated(eps: sp.Expr = EPS) -> sp.Expr:
    """Return (delta_ij - 1/n - yhat_i yhat_j / n)/sigma, entry (i, j) of the Jacobian."""
    return (
        sp.KroneckerDelta(i, j) - 1 / n - index_normalised(i, eps) * index_normalised(j, eps) / n
    ) / index_sigma(eps)


# doit turns sums of deltas into Piecewise whose otherwise-branch is a sum that only vanishes
# once expanded, so the sums are expanded before and after the Piecewise is dropped.
INDEX_REWRITES = (EVALUATE, EXPAND_SUMS, DELTA_RANGE_PIECEWISE, EXPAND_SUMS, POWERS_OF_SQUARE_ROOTS)


def _abbreviations(eps: sp.Expr = EPS) -> dict[sp.Basic, sp.Expr]:
    """Map each printed short name to the expression it stands for."""
    return {
        MU: index_mean(),
        VARIANCE: index_variance(),
        SIGMA: index_sigma(eps),
        yhat_i[i]: index_normalised(i, eps),
        yhat_i[j]: index_normalised(j, eps),
    }


def _derivative(expr: sp.Expr) -> sp.Derivative:
    return sp.Derivative(expr, y_i[i], evaluate=False)


def _step(display: sp.Expr, justification: str) -> Step:
    """Build a step whose checked value is its display with every short name written out."""
    return Step(display.xreplace(_abbreviations()), justification, display=display)


def layer_norm_index_derivation() -> Derivation:
    """Derive dyhat_j/dy_i = (delta_ij - 1/n - yhat_i yhat_j/n)/sigma for a symbolic width n."""
    deviation_j = y_i[j] - MU
    deviation_i = y_i[i] - MU
    delta = sp.KroneckerDelta(i, j)
    steps = [
        _step(_derivative(deviation_j / SIGMA), "definition, with mu the mean and sigma = sqrt(v + epsilon)"),
        _step(
            _derivative(deviation_j) / SIGMA - deviation_j * _derivative(SIGMA) / SIGMA**2,
            "quotient rule",
        ),
        _step((delta - 1 / n) / SIGMA - deviation_j * _derivative(SIGMA) / SIGMA**2, "dmu/dy_i = 1/n"),
        _step(
            (delta - 1 / n) / SIGMA - deviation_j * deviation_i / (n * SIGMA**3),
            "dsigma/dy_i = (dv/dy_i)/(2 sigma) = (y_i - mu)/(n sigma)",
        ),
        _step((delta - 1 / n - yhat_i[i] * yhat_i[j] / n) / SIGMA, "collect, yhat_i = (y_i - mu)/sigma"),
    ]
    return Derivation(
        id="4b/index",
        title="the layer-norm Jacobian in index form",
        lhs=sp.Derivative(yhat_i[j], y_i[i], evaluate=False),
        steps=steps,
        stated=layer_norm_index_stated(),
        index_ranges=INDEX_RANGES,
        rewrites=INDEX_REWRITES,
    )


def variance_index_derivation() -> Derivation:
    """Derive dv/dy_i = 2 (y_i - mu)/n, the step where the deviations' zero sum is used."""
    deviation_l = y_i[l] - MU
    steps = [
        _step(_derivative(VARIANCE), "v = (1/n) sum_l (y_l - mu)^2"),
        _step(
            2 * sp.Sum(deviation_l * (sp.KroneckerDelta(i, l) - 1 / n), (l, 1, n)) / n,
            "chain rule, with dmu/dy_i = 1/n",
        ),
        _step(2 * (y_i[i] - MU) / n - 2 * sp.Sum(deviation_l, (l, 1, n)) / n**2, "the delta picks l = i"),
        _step(2 * (y_i[i] - MU) / n, "the deviations from the mean sum to zero"),
    ]
    return Derivation(
        id="4b/variance",
        title="the derivative of the variance",
        lhs=sp.Derivative(VARIANCE, y_i[i], evaluate=False),
        steps=steps,
        stated=2 * (y_i[i] - index_mean()) / n,
        index_ranges=INDEX_RANGES,
        rewrites=INDEX_REWRITES,
    )


def index_form_at(expr: sp.Expr, size: int, eps: sp.Expr = EPS) -> sp.Matrix:
    """Instantiate an index-form entry (i, j) as a size x size matrix over the symbols y_{1}..y_{size}."""
    inputs = vector("y", size)

    def entry(row: int, column: int) -> sp.Expr:
        value = expr.xreplace({n: sp.Integer(size), i: sp.Integer(row + 1), j: sp.Integer(column + 1)}).doit()
        return value.xreplace({element: inputs[int(element.indices[0]) - 1] for element in value.atoms(sp.Indexed)})

    return sp.Matrix(size, size, entry)


# --- claims that are not equalities ---------------------------------------------------------------


def nonzero_at_point(claim_id: str, statement: str, expr: sp.Expr, point: dict[sp.Symbol, sp.Expr]) -> Claim:
    """Return a claim that `expr` is not identically zero, shown by its exact value at `point`.

    The value is an algebraic number (rationals and square roots); its minimal polynomial
    over the rationals is x exactly when it is 0, so a different minimal polynomial proves
    it non-zero without floating point.
    """

    def decide(settings: CheckSettings) -> Verdict:
        value = sp.expand(expr.xreplace(point))
        if value.free_symbols:
            names = ", ".join(sorted(str(symbol) for symbol in value.free_symbols))
            return Verdict(Method.UNDECIDED, f"the point leaves {names} free; give every symbol a value")
        variable = sp.Dummy("x")
        polynomial = sp.minimal_polynomial(value, variable)
        if polynomial == variable:
            return Verdict(Method.FALSE, f"the value at the point is exactly 0", difference="0")
        return Verdict(
            Method.PROVED,
            f"exact value {value} at the point, whose minimal polynomial {polynomial.xreplace({variable: sp.Symbol('x')})} is not x",
        )

    return Claim(id=claim_id, statement=statement, decide_with=decide)


# --- 4(a) ---------------------------------------------------------------------------------------


def _zero_claim(claim_id: str, statement: str, obtained: sp.Matrix) -> Claim:
    return Claim(id=claim_id, statement=statement, obtained=obtained, stated=sp.zeros(*obtained.shape))


def part_a() -> Part:
    batch = matrix("y", BATCH_SIZE, BATCH_SIZE)
    layer = layer_norm(batch, EPS)
    batch_normed = batch_norm(batch, EPS)
    first_sample_layer = layer.row(0).T
    first_sample_batch = batch_normed.row(0).T
    claims: list[Claim] = []
    for other in range(1, BATCH_SIZE):
        others = batch.row(other).T
        claims.append(
            _zero_claim(
                f"4a/layer-norm-ignores-sample{other + 1}",
                f"the layer-normalised sample 1 does not depend on sample {other + 1}: the derivatives are 0",
                jacobian(first_sample_layer, others, layout="denominator"),
            )
        )
    # Batch norm: within a feature the samples are coupled through the batch mean and variance.
    for feature in range(BATCH_SIZE):
        column = batch.col(feature)
        claims.append(
            Claim(
                id=f"4a/batch-norm-couples-feature{feature + 1}",
                statement=f"d(batch-normalised feature {feature + 1})/d(feature {feature + 1} of every sample) "
                "is the normaliser's Jacobian over the batch",
                obtained=jacobian(batch_normed.col(feature), column, layout="denominator"),
                stated=_instantiate(LAYER_NORM_STATED, BATCH_SIZE, EPS).xreplace(
                    dict(zip(vector("y", BATCH_SIZE), column))
                ),
                rewrites=(POWERS_OF_SQUARE_ROOTS,),
            )
        )
    claims.append(
        _zero_claim(
            "4a/batch-norm-features-separate",
            "a batch-normalised feature does not depend on the other features",
            sp.Matrix(
                [
                    [sp.diff(batch_normed[0, 0], batch[sample, feature]) for feature in (1, 2)]
                    for sample in range(BATCH_SIZE)
                ]
            ),
        )
    )
    cross = sp.diff(first_sample_batch[0], batch[1, 0])
    point = {batch[0, 0]: 0, batch[1, 0]: 1, batch[2, 0]: 3, EPS: 0}
    claims.append(
        nonzero_at_point(
            "4a/batch-norm-depends-on-sample2",
            "d(batch-normalised y_{1,1})/dy_{2,1} is not 0: at y_{.,1} = (0, 1, 3), eps = 0 it is a non-zero number",
            cross,
            point,
        )
    )

    # Inference: fixed running statistics make each output a function of its own sample.
    running_mean, running_variance = vector("m", BATCH_SIZE), sp.Matrix(
        BATCH_SIZE, 1, lambda row, _: sp.Symbol(f"s_{{{row + 1}}}", positive=True)
    )
    inference = batch_norm_inference(batch, running_mean, running_variance, EPS)
    for other in range(1, BATCH_SIZE):
        claims.append(
            _zero_claim(
                f"4a/inference-ignores-sample{other + 1}",
                f"with running statistics, the batch-normalised sample 1 does not depend on sample {other + 1}",
                jacobian(inference.row(0).T, batch.row(other).T, layout="denominator"),
            )
        )
    claims.append(
        Claim(
            id="4a/inference-is-affine",
            statement="with running statistics, batch norm of a sample is diag(1/sqrt(s + eps)) applied to y - m",
            obtained=jacobian(inference.row(0).T, batch.row(0).T, layout="denominator"),
            stated=sp.diag(*[1 / sp.sqrt(variance + EPS) for variance in running_variance]),
        )
    )

    # What the normaliser produces, and what the trainable gain and bias can do.
    size = 3
    inputs = vector("y", size)
    normalised = normalise(inputs, EPS)
    variance = population_variance(inputs)
    claims += [
        Claim(
            id="4a/zero-mean",
            statement="the normalised vector has mean 0",
            obtained=mean(normalised),
            stated=sp.Integer(0),
        ),
        Claim(
            id="4a/variance-with-eps",
            statement="the normalised vector has population variance var/(var + eps), so 1 only when eps = 0",
            # Multiplied out, because the square-root rewrite only sees roots on its own side and
            # the stated side var/(var + eps) has none.
            obtained=population_variance(normalised) * (variance + EPS),
            stated=variance,
            rewrites=(POWERS_OF_SQUARE_ROOTS,),
        ),
        Claim(
            id="4a/trainable-form",
            statement="the trainable layer is w ⊙ (y - mu 1)/sigma + b, the printed form at n = 3",
            obtained=vector("w", size).multiply_elementwise(normalised) + vector("b", size),
            stated=_instantiate(TRAINABLE_FORM, size, EPS),
        ),
        Claim(
            id="4a/gain-can-undo",
            statement="with w = sigma 1 and b = mu 1 the trainable layer returns its input",
            obtained=(standard_deviation(inputs, EPS) * normalised + mean(inputs) * sp.ones(size, 1)),
            stated=inputs,
        ),
    ]

    body = [
        Paragraph(
            "Both layers standardise: they subtract a mean and divide by a standard deviation. Write the "
            "batch as a matrix with one row per sample and one column per feature. Layer normalisation "
            "takes the statistics of one row, over that sample's features; batch normalisation takes the "
            "statistics of one column, over the samples in the batch, separately for each feature. "
            "Every variance here is the population variance, with 1/n, and a small ",
            Math(EPS),
            " is added under the root, as PyTorch does.",
        ),
        Paragraph(
            "Differentiating a layer-normalised sample of a symbolic 3 x 3 batch with respect to every "
            "entry of the other samples gives exactly zero: each sample is processed on its own. The same "
            "derivative for batch normalisation is the normaliser's Jacobian over the batch; at the batch "
            "column (0, 1, 3) the derivative of the first output with respect to the second sample is ",
            Math(sp.nsimplify(cross.xreplace(point))),
            ", so one sample's output moves when another sample changes.",
        ),
        Paragraph(
            "This matters at inference time, when there may be a single input and no batch. Batch "
            "normalisation then replaces the batch statistics by estimates of the expected mean and "
            "variance (running averages kept during training); with those fixed, the output for a sample "
            "is an affine function of that sample alone. Layer normalisation needs no such estimates, since "
            "it uses only the input itself.",
        ),
        Paragraph(
            "The normalised vector has mean zero and population variance ",
            Math(VARIANCE / (VARIANCE + EPS)),
            ", which is one only without ",
            Math(EPS),
            ". A trainable gain and bias, as used in transformers, restore the freedom to scale and shift "
            "each feature; setting the gain to the standard deviation and the bias to the mean would even "
            "undo the normalisation:",
        ),
        Equation(TeX(r"\tilde{\boldsymbol{y}}"), TRAINABLE_FORM),
    ]
    errata = [
        Erratum(
            question="4a",
            reference_says="both normalisations whiten the data to zero mean and unit variance",
            what_holds=(
                "they standardise each coordinate (zero mean, population variance var/(var + eps)); "
                "they do not decorrelate the features, which whitening would"
            ),
            why="only a mean and a scalar variance per group are estimated; no covariance matrix enters",
        ),
    ]
    return Part(id="4a", title="Batch and layer normalisation", body=body, claims=claims, errata=errata)


# --- 4(b) ---------------------------------------------------------------------------------------


def _display_claims(derivation: Derivation) -> list[Claim]:
    """Check that each printed step, with its short names written out, is the checked step."""
    claims = []
    for number, step in enumerate(derivation.steps, start=1):
        claims.append(
            Claim(
                id=f"{derivation.id}/display{number}",
                statement=f"step {number} of {derivation.title} as printed, with mu, v, sigma, yhat written out",
                obtained=step.display.xreplace(_abbreviations()),
                stated=step.expr,
                index_ranges=derivation.index_ranges,
                rewrites=INDEX_REWRITES,
            )
        )
    return claims


def _differs_claim(claim_id: str, statement: str, first: sp.Matrix, second: sp.Matrix, point: dict) -> Claim:
    """Build a claim that two matrices differ, shown by one entry's exact non-zero difference at a point."""
    difference = (first - second).xreplace(point)
    row, column = next(
        ((r, c) for r in range(difference.rows) for c in range(difference.cols) if abs(sp.N(difference[r, c])) > 1e-9),
        (0, 0),
    )
    return nonzero_at_point(claim_id, f"{statement} (entry {row + 1},{column + 1})", first[row, column] - second[row, column], point)


def part_b() -> Part:
    derivation = layer_norm_index_derivation()
    variance_derivation = variance_index_derivation()
    claims: list[Claim] = [
        Claim(
            id="4b/index-direct",
            statement="SymPy's derivative of yhat_j by y_i equals (delta_ij - 1/n - yhat_i yhat_j/n)/sigma for symbolic n",
            obtained=sp.diff(index_normalised(j), y_i[i]),
            stated=layer_norm_index_stated(),
            index_ranges=INDEX_RANGES,
            rewrites=(EXPAND_SUMS, POWERS_OF_SQUARE_ROOTS),
        ),
        Claim(
            id="4b/gain-index",
            statement="d(w_j yhat_j + b_j)/dy_i = w_j (delta_ij - 1/n - yhat_i yhat_j/n)/sigma, entry (i, j) of J diag(w)",
            obtained=sp.diff(w_i[j] * index_normalised(j) + b_i[j], y_i[i]),
            stated=w_i[j] * layer_norm_index_stated(),
            index_ranges=INDEX_RANGES,
            rewrites=(EXPAND_SUMS, POWERS_OF_SQUARE_ROOTS),
        ),
    ]
    for size in EXPLICIT_SIZES:
        claims.append(
            Claim(
                id=f"4b/full-n{size}",
                statement=f"d((y - mu 1)/sigma)/dy = (1/sigma)(I - (1/n)(1 1^T + yhat yhat^T)) for n = {size}, eps = 0",
                obtained=layer_norm_jacobian(size),
                stated=layer_norm_jacobian_stated(size),
                rewrites=(POWERS_OF_SQUARE_ROOTS,),
            )
        )
        claims.append(
            Claim(
                id=f"4b/full-eps-n{size}",
                statement=f"the same form holds with sigma = sqrt(var + eps) for n = {size}",
                obtained=layer_norm_jacobian(size, EPS),
                stated=layer_norm_jacobian_stated(size, EPS),
                rewrites=(POWERS_OF_SQUARE_ROOTS,),
            )
        )
    for size in (2, 3, 4):
        claims.append(
            Claim(
                id=f"4b/gain-n{size}",
                statement=f"d(w ⊙ yhat + b)/dy = J diag(w) for n = {size}",
                obtained=gained_layer_norm_jacobian(size, EPS),
                stated=_instantiate(GAINED_STATED, size, EPS),
                rewrites=(POWERS_OF_SQUARE_ROOTS,),
            )
        )
        claims.append(
            Claim(
                id=f"4b/index-vs-explicit-n{size}",
                statement=f"the index form, summed out at n = {size}, is the explicit Jacobian",
                obtained=layer_norm_jacobian(size, EPS),
                stated=index_form_at(layer_norm_index_stated(), size),
                rewrites=(POWERS_OF_SQUARE_ROOTS,),
            )
        )

    # Under which assumption does the reference's matrix appear?
    fixed_sigma = sp.Symbol(SIGMA_EXPLICIT_NAME, positive=True)
    for size in EXPLICIT_SIZES:
        inputs = vector("y", size)
        centred = inputs - mean(inputs) * sp.ones(size, 1)
        claims.append(
            Claim(
                id=f"4b/fixed-sigma-n{size}",
                statement=f"with sigma held fixed, d((y - mu 1)/sigma)/dy = (1/sigma)(I - 1 1^T/n) for n = {size}",
                obtained=jacobian(centred / fixed_sigma, inputs, layout="denominator"),
                stated=_instantiate(FIXED_SIGMA_STATED, size, 0, sigma=fixed_sigma),
            )
        )
        claims.append(
            Claim(
                id=f"4b/reference-is-mean-subtraction-n{size}",
                statement=f"the reference's matrix I - 1 1^T/n is d(y - mu 1)/dy for n = {size}",
                obtained=jacobian(centred, inputs, layout="denominator"),
                stated=_instantiate(REFERENCE_PRINTED, size, 0),
            )
        )
    size = 3
    inputs = vector("y", size)
    point = {inputs[0]: 0, inputs[1]: 1, inputs[2]: 3}
    reference = _instantiate(REFERENCE_PRINTED, size, 0)
    claims += [
        _differs_claim(
            "4b/reference-not-full",
            "the reference's matrix is not the full Jacobian: they differ at y = (0, 1, 3)",
            layer_norm_jacobian(size),
            reference,
            point,
        ),
        _differs_claim(
            "4b/reference-not-fixed-sigma",
            "the reference's matrix is not the fixed-sigma Jacobian unless sigma = 1: they differ at sigma = 2",
            jacobian((inputs - mean(inputs) * sp.ones(size, 1)) / fixed_sigma, inputs, layout="denominator"),
            reference,
            {fixed_sigma: 2},
        ),
    ]
    claims += _display_claims(derivation) + _display_claims(variance_derivation)

    body = [
        Paragraph(
            "For the gradient, the chain rule in denominator layout reads ",
            TeX(
                r"\frac{\partial E}{\partial \boldsymbol{y}} = \frac{\partial \tilde{\boldsymbol{y}}}{\partial \boldsymbol{y}}"
                r"\frac{\partial E}{\partial \tilde{\boldsymbol{y}}}"
            ),
            ", so the new ingredient is the Jacobian of the normaliser. Both the mean ",
            Math(MU),
            " and the standard deviation ",
            Math(SIGMA),
            " depend on every input, so each output depends on every input. Here ",
            Math(VARIANCE),
            " is the population variance and ",
            Math(sp.Eq(SIGMA, sp.sqrt(VARIANCE + EPS))),
            ". The derivative of the variance uses the fact that deviations from the mean sum to zero:",
        ),
        ShowDerivation(variance_derivation),
        Paragraph("With it, entry (i, j) of the Jacobian for any width n follows from the quotient rule:"),
        ShowDerivation(derivation),
        Paragraph("As a matrix, with the all-ones vector 1:"),
        Equation(TeX(r"\frac{\partial \hat{\boldsymbol{y}}}{\partial \boldsymbol{y}}"), LAYER_NORM_STATED),
        Paragraph(
            "The same form holds with or without ",
            Math(EPS),
            "; only the definition of ",
            Math(SIGMA),
            " changes. The term ",
            TeX(r"\boldsymbol{1}\boldsymbol{1}^{\mathsf{T}}/n"),
            " removes the component along the all-ones direction, which would move the mean, and the term ",
            TeX(r"\hat{\boldsymbol{y}}\hat{\boldsymbol{y}}^{\mathsf{T}}/n"),
            " removes the component along the output itself, which would change its scale. If the standard "
            "deviation is treated as a constant, the variance term disappears:",
        ),
        Equation(TeX(r"\left.\frac{\partial \hat{\boldsymbol{y}}}{\partial \boldsymbol{y}}\right|_{\sigma\ \mathrm{fixed}}"), FIXED_SIGMA_STATED),
        Paragraph("With the trainable gain and bias the output is scaled column by column:"),
        Equation(TeX(r"\frac{\partial \tilde{\boldsymbol{y}}}{\partial \boldsymbol{y}}"), GAINED_STATED),
    ]
    errata = [
        Erratum(
            question="4b",
            reference_says="the Jacobian of the normalised layer is I - 1 1^T/n (1 - 1/n on the diagonal, -1/n elsewhere)",
            what_holds=(
                "that matrix is the Jacobian of y - mu 1, the mean subtraction alone; with sigma held fixed the "
                "Jacobian of (y - mu 1)/sigma is (1/sigma)(I - 1 1^T/n), and the full Jacobian, with "
                "sigma^2 the population variance (+ eps), is (1/sigma)(I - 1 1^T/n - yhat yhat^T/n)"
            ),
            why=(
                "sigma depends on y, with dsigma/dy_i = (y_i - mu)/(n sigma); the reference drops this term and "
                "also the factor 1/sigma"
            ),
        ),
        Erratum(
            question="4b",
            reference_says="the derivative of the output y-tilde, defined in (a) with a trainable gain w and bias b",
            what_holds="with the gain the Jacobian is J diag(w), J the normaliser's Jacobian; the bias drops out",
            why="the reference differentiates as if w = 1, and does not say whether the variance uses 1/n or 1/(n - 1)",
        ),
    ]
    return Part(
        id="4b",
        title="The Jacobian of layer normalisation",
        body=body,
        claims=claims,
        derivations=[variance_derivation, derivation],
        errata=errata,
    )


def build() -> list[Part]:
    return [part_a(), part_b()]
