"""Answer 1: the Jacobians of residual and highway layers, and why skips keep gradients alive.

Conventions: denominator layout throughout, so (dy/dx)[i, j] = dy_j/dx_i and
d(Wx)/dx = W^T. phi is the logistic sigmoid. Explicit sizes use the symbols
W_{i,j}, x_{i}; the symbolic size n uses IndexedBase objects W[j, k], x[k].
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derive.calculus import diag, elementwise, instantiate, jacobian, matrix, vector
from derive.claims import Claim, Derivation, Step
from derive.functions import sigmoid
from derive.limits import limit_claim
from derive.paper import Equation, Erratum, Math, Paragraph, Part, ShowDerivation, TeX
from derive.rewrites import EVALUATE, EXPAND_SUMS

EXPLICIT_SIZES = range(1, 7)

# Symbolic size and indices, all in 1..n.
n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
INDEX_RANGES = {i: (sp.Integer(1), n), j: (sp.Integer(1), n), k: (sp.Integer(1), n)}
x_i = sp.IndexedBase("x")
W_i = sp.IndexedBase("W")
Wg_i = sp.IndexedBase("W_g")

# Matrix-level symbols, used for the printed forms and checked at explicit sizes.
W = sp.MatrixSymbol("W", n, n)
W_g = sp.MatrixSymbol("W_g", n, n)
x = sp.MatrixSymbol("x", n, 1)
z = sp.MatrixSymbol("z", n, 1)
_t = sp.Dummy("t")
_u = sp.Symbol("u", real=True)
PHI = sp.Lambda(_t, sigmoid(_t))


def phi_of(vector_expr: sp.MatrixExpr) -> sp.MatrixExpr:
    """Return phi applied element-wise to a matrix expression."""
    return ElementwiseApplyFunction(PHI, vector_expr)


def sigmoid_derivative_vector(vector_expr: sp.MatrixExpr) -> sp.MatrixExpr:
    """Return phi(v) ⊙ (1 - phi(v)), the element-wise sigmoid derivative, as a matrix expression."""
    size = vector_expr.shape[0]
    return sp.HadamardProduct(phi_of(vector_expr), sp.OneMatrix(size, 1) - phi_of(vector_expr))


# --- 1(a): residual layer -----------------------------------------------------------------


def residual_jacobian(size: int) -> sp.Matrix:
    """Return d(x + phi(Wx))/dx for explicit `size`, by differentiation, in denominator layout."""
    weights, inputs = matrix("W", size, size), vector("x", size)
    outputs = inputs + elementwise(sigmoid, weights * inputs)
    return jacobian(outputs, inputs, layout="denominator")


# The stated form I + W^T diag(phi(z) ⊙ (1 - phi(z))), with z = Wx; printed and checked from this object.
RESIDUAL_STATED = sp.Identity(n) + W.T * sp.DiagMatrix(sigmoid_derivative_vector(z))


def residual_stated(size: int) -> sp.Matrix:
    """Return the stated residual Jacobian at an explicit size (z replaced by Wx)."""
    weights, inputs = matrix("W", size, size), vector("x", size)
    return instantiate(RESIDUAL_STATED, n, size, {"W": weights, "z": weights * inputs})


def _z_index(row: sp.Symbol, base: sp.IndexedBase = W_i) -> sp.Sum:
    """Return z_row = sum_k W[row, k] x[k]."""
    return sp.Sum(base[row, k] * x_i[k], (k, 1, n))


def residual_index_derivation() -> Derivation:
    """Derive dy_j/dx_i = delta_ij + W_ji phi(z_j)(1 - phi(z_j)) for a symbolic size n."""
    z_j = _z_index(j)
    y_j = x_i[j] + sigmoid(z_j)
    dphi = sigmoid(z_j) * (1 - sigmoid(z_j))
    steps = [
        # dy_j/dx_i = dx_j/dx_i + d phi(z_j)/dx_i
        Step(
            sp.Derivative(x_i[j], x_i[i], evaluate=False) + sp.Derivative(sigmoid(z_j), x_i[i], evaluate=False),
            "definition: y = x + φ(z) with z = Wx",
        ),
        # the identity term, and the chain rule through z_j
        Step(
            sp.KroneckerDelta(i, j)
            + sp.Derivative(z_j, x_i[i], evaluate=False) * sp.Subs(sp.Derivative(sigmoid(_u), _u), _u, z_j),
            "the identity term, and the chain rule through z_j",
        ),
        # phi'(z) = phi(z)(1 - phi(z)), only the j-th output depends on z_j
        Step(
            sp.KroneckerDelta(i, j) + sp.Derivative(z_j, x_i[i], evaluate=False) * dphi,
            "the sigmoid's derivative φ' = φ(1 − φ)",
        ),
        # dz_j/dx_i = W_ji: the linear term, W^T in denominator layout
        Step(sp.KroneckerDelta(i, j) + W_i[j, i] * dphi, "the linear term: ∂z_j/∂x_i = W_ji"),
    ]
    return Derivation(
        id="1a/index",
        title="the residual Jacobian in index form",
        lhs=sp.Derivative(y_j, x_i[i], evaluate=False),
        steps=steps,
        stated=sp.KroneckerDelta(i, j) + W_i[j, i] * dphi,
        index_ranges=INDEX_RANGES,
        rewrites=(EVALUATE, EXPAND_SUMS),
    )


def _index_form_at(expr: sp.Expr, size: int, bases: dict[sp.IndexedBase, sp.Matrix | sp.Matrix]) -> sp.Matrix:
    """Instantiate an index-form entry (i, j) at an explicit size as a size x size matrix."""

    def entry(row: int, column: int) -> sp.Expr:
        value = expr.xreplace({n: sp.Integer(size), i: sp.Integer(row + 1), j: sp.Integer(column + 1)}).doit()
        replacements = {}
        for element in value.atoms(sp.Indexed):
            explicit = bases[element.base]
            indices = [int(index) - 1 for index in element.indices]
            replacements[element] = explicit[indices[0], indices[1] if len(indices) > 1 else 0]
        return value.xreplace(replacements)

    return sp.Matrix(size, size, entry)


def part_a() -> Part:
    derivation = residual_index_derivation()
    claims = []
    for size in EXPLICIT_SIZES:
        claims.append(
            Claim(
                id=f"1a/explicit-n{size}",
                statement=f"d(x + phi(Wx))/dx = I + W^T diag(phi(z)(1 - phi(z))) for n = {size}",
                obtained=residual_jacobian(size),
                stated=residual_stated(size),
            )
        )
    for size in (2, 4):
        claims.append(
            Claim(
                id=f"1a/index-vs-explicit-n{size}",
                statement=f"the index form agrees with the explicit Jacobian for n = {size}",
                obtained=residual_jacobian(size),
                stated=_index_form_at(
                    derivation.stated, size, {W_i: matrix("W", size, size), x_i: vector("x", size)}
                ),
            )
        )
    body = [
        Paragraph(
            "The layer computes ",
            TeX(r"\boldsymbol{y} = \boldsymbol{x} + \boldsymbol{\phi}(\boldsymbol{z})"),
            " with ",
            TeX(r"\boldsymbol{z} = \mathbf{W}\boldsymbol{x}"),
            ". The sheet uses denominator layout: entry (i, j) of the Jacobian is the derivative of output j "
            "with respect to input i, so the derivative of a linear map is the transposed weight matrix. "
            "In index notation, for any width n:",
        ),
        ShowDerivation(derivation, names={_z_index(j): sp.Symbol("z_j")}),
        Paragraph("Collecting the entries into a matrix gives"),
        Equation(TeX(r"\frac{\partial \boldsymbol{y}}{\partial \boldsymbol{x}}"), RESIDUAL_STATED),
        Paragraph(
            "The skip connection contributes the identity; the transformation contributes the weight matrix "
            "transposed, scaled column by column by the sigmoid slopes."
        ),
    ]
    return Part(id="1a", title="Jacobian of a residual layer", body=body, claims=claims, derivations=[derivation])


# --- 1(b): saturation ----------------------------------------------------------------------


def part_b() -> Part:
    s = sp.Symbol("s", real=True)
    slope = sigmoid(s) * (1 - sigmoid(s))
    claims = [
        limit_claim("1b/slope-at-plus-infinity", "phi'(s) -> 0 as s -> +oo", slope, s, sp.oo, sp.Integer(0)),
        limit_claim("1b/slope-at-minus-infinity", "phi'(s) -> 0 as s -> -oo", slope, s, -sp.oo, sp.Integer(0)),
        Claim(
            id="1b/slope-bound",
            statement="1/4 - phi(s)(1 - phi(s)) = (phi(s) - 1/2)^2, so phi' <= 1/4",
            obtained=sp.Rational(1, 4) - slope,
            stated=(sigmoid(s) - sp.Rational(1, 2)) ** 2,
        ),
    ]

    # With the pre-activations saturated, entry (i, j) of the plain layer's Jacobian,
    # W_ji phi'(z_j), tends to 0 and entry (i, j) of the residual layer's, delta_ij + W_ji phi'(z_j),
    # tends to delta_ij. Each entry depends on one pre-activation z_j, so these limits hold for
    # every width n.
    z_j = sp.Symbol("z_j", real=True)
    plain_entry = W_i[j, i] * sigmoid(z_j) * (1 - sigmoid(z_j))
    residual_entry = sp.KroneckerDelta(i, j) + plain_entry
    for direction, name in ((sp.oo, "plus"), (-sp.oo, "minus")):
        claims.append(
            limit_claim(
                f"1b/plain-entry-{name}",
                f"entry (i, j) of W^T diag(phi'(z)) tends to 0 as z_j -> {direction}",
                plain_entry,
                z_j,
                direction,
                sp.Integer(0),
            )
        )
        claims.append(
            limit_claim(
                f"1b/residual-entry-{name}",
                f"entry (i, j) of I + W^T diag(phi'(z)) tends to delta_ij as z_j -> {direction}",
                residual_entry,
                z_j,
                direction,
                sp.KroneckerDelta(i, j),
            )
        )

    # A stack of L layers: the Jacobian of the composition is the product of the layers' Jacobians
    # (denominator layout multiplies from the input side). Scale every slope by e and let e -> 0.
    e = sp.Symbol("epsilon", positive=True)
    for depth in (1, 2, 3):
        plain_product = sp.eye(2)
        residual_product = sp.eye(2)
        for layer in range(depth):
            weights = matrix(f"W^{{({layer + 1})}}", 2, 2)
            slopes = diag(vector(f"d^{{({layer + 1})}}", 2)) * e
            plain_product = plain_product * (weights.T * slopes)
            residual_product = residual_product * (sp.eye(2) + weights.T * slopes)
        for row in range(2):
            for column in range(2):
                claims.append(
                    limit_claim(
                        f"1b/stack-L{depth}-plain-entry{row + 1}{column + 1}",
                        f"entry ({row + 1},{column + 1}) of the product of {depth} plain Jacobians -> 0 as the slopes -> 0",
                        sp.expand(plain_product[row, column]),
                        e,
                        0,
                        sp.Integer(0),
                    )
                )
                claims.append(
                    limit_claim(
                        f"1b/stack-L{depth}-residual-entry{row + 1}{column + 1}",
                        f"entry ({row + 1},{column + 1}) of the product of {depth} residual Jacobians -> I as the slopes -> 0",
                        sp.expand(residual_product[row, column]),
                        e,
                        0,
                        sp.Integer(1 if row == column else 0),
                    )
                )

    body = [
        Paragraph(
            "The sigmoid's slope ",
            Math(slope),
            " is at most 1/4 and tends to zero in both saturated regions, where ",
            TeX(r"|s| \to \infty"),
            ". It never reaches zero exactly.",
        ),
        Equation(Math(sp.Rational(1, 4) - slope), (sigmoid(s) - sp.Rational(1, 2)) ** 2),
        Paragraph(
            "Without the skip, the layer's Jacobian ",
            TeX(r"\mathbf{W}^{\mathsf{T}}\operatorname{diag}(\boldsymbol{\phi}'(\boldsymbol{z}))"),
            " therefore tends to the zero matrix when the layer saturates, and a product of such Jacobians "
            "through a deep stack tends to zero even faster: the error signal cannot reach earlier layers. "
            "With the skip the Jacobian tends to the identity, and so does the product over any number of "
            "saturated layers, so the gradient passes through unchanged.",
        ),
    ]
    erratum = Erratum(
        question="1b",
        reference_says="in the saturated region the derivative of the output with respect to z is the zero vector",
        what_holds="the sigmoid's slope is strictly positive and bounded by 1/4; it only tends to zero as |z| grows",
        why="φ'(z) = φ(z)(1 − φ(z)) > 0 for every finite z, with limit 0 as z → ±∞",
    )
    return Part(id="1b", title="Saturation and the skip connection", body=body, claims=claims, errata=[erratum])


# --- 1(c): highway layer -------------------------------------------------------------------


def highway_jacobian(size: int) -> sp.Matrix:
    """Return d((1 - g) ⊙ x + g ⊙ phi(Wx))/dx with g = phi(W_g x), in denominator layout."""
    weights, gate_weights, inputs = matrix("W", size, size), matrix("W_g", size, size), vector("x", size)
    gate = elementwise(sigmoid, gate_weights * inputs)
    transform = elementwise(sigmoid, weights * inputs)
    outputs = (sp.ones(size, 1) - gate).multiply_elementwise(inputs) + gate.multiply_elementwise(transform)
    return jacobian(outputs, inputs, layout="denominator")


g = sp.MatrixSymbol("g", n, 1)
a = sp.MatrixSymbol("a", n, 1)
# The full highway Jacobian, with a = W x and g = phi(W_g x):
# diag(1 - g) + W^T diag(g ⊙ phi'(a)) + W_g^T diag(g ⊙ (1 - g) ⊙ (phi(a) - x)).
# The three terms: the carried input, the transform, and the path through the gate.
HIGHWAY_TERMS = (
    sp.DiagMatrix(sp.OneMatrix(n, 1) - g),
    W.T * sp.DiagMatrix(sp.HadamardProduct(g, sigmoid_derivative_vector(a))),
    W_g.T * sp.DiagMatrix(sp.HadamardProduct(g, sp.OneMatrix(n, 1) - g, phi_of(a) - x)),
)
HIGHWAY_STATED = sp.MatAdd(*HIGHWAY_TERMS)


def highway_stated(size: int) -> sp.Matrix:
    weights, gate_weights, inputs = matrix("W", size, size), matrix("W_g", size, size), vector("x", size)
    gate = elementwise(sigmoid, gate_weights * inputs)
    return instantiate(
        HIGHWAY_STATED, n, size, {"W": weights, "W_g": gate_weights, "x": inputs, "a": weights * inputs, "g": gate}
    )


def highway_index_claim() -> Claim:
    """dy_j/dx_i for the highway layer at symbolic n, against the stated index form."""
    a_j = _z_index(j, W_i)
    b_j = _z_index(j, Wg_i)
    gate = sigmoid(b_j)
    y_j = (1 - gate) * x_i[j] + gate * sigmoid(a_j)
    stated = (
        sp.KroneckerDelta(i, j) * (1 - gate)
        + W_i[j, i] * gate * sigmoid(a_j) * (1 - sigmoid(a_j))
        + Wg_i[j, i] * gate * (1 - gate) * (sigmoid(a_j) - x_i[j])
    )
    return Claim(
        id="1c/index",
        statement="dy_j/dx_i = delta_ij (1 - g_j) + W_ji g_j phi'(a_j) + (W_g)_ji g_j (1 - g_j)(phi(a_j) - x_j) for symbolic n",
        obtained=sp.diff(y_j, x_i[i]),
        stated=stated,
        index_ranges=INDEX_RANGES,
        rewrites=(EXPAND_SUMS,),
    )


def part_c() -> Part:
    claims: list[Claim] = [highway_index_claim()]
    for size in EXPLICIT_SIZES:
        claims.append(
            Claim(
                id=f"1c/explicit-n{size}",
                statement=f"the highway Jacobian has the stated three-term form for n = {size}",
                obtained=highway_jacobian(size),
                stated=highway_stated(size),
            )
        )

    # When does the Jacobian vanish? One entry, with a = W x and b = W_g x as free pre-activations.
    a_s, b_s, x_s, w_s, wg_s = sp.symbols("a b x_j W_ji W_gji", real=True)
    gate = sigmoid(b_s)
    diagonal_entry = (1 - gate) + w_s * gate * sigmoid(a_s) * (1 - sigmoid(a_s)) + wg_s * gate * (1 - gate) * (sigmoid(a_s) - x_s)
    off_entry = w_s * gate * sigmoid(a_s) * (1 - sigmoid(a_s)) + wg_s * gate * (1 - gate) * (sigmoid(a_s) - x_s)
    gate_open = sp.limit(diagonal_entry.rewrite(sp.exp), b_s, sp.oo)
    claims += [
        limit_claim(
            "1c/gate-closed-copies",
            "with the gate saturated at 0 (b -> -oo) a diagonal entry tends to 1: the layer copies x",
            diagonal_entry, b_s, -sp.oo, sp.Integer(1),
        ),
        limit_claim(
            "1c/gate-closed-off-diagonal",
            "with the gate saturated at 0 an off-diagonal entry tends to 0",
            off_entry, b_s, -sp.oo, sp.Integer(0),
        ),
        limit_claim(
            "1c/gate-open-leaves-transform",
            "with the gate saturated at 1 (b -> +oo) an entry tends to W_ji phi'(a), which is not zero for finite a",
            diagonal_entry, b_s, sp.oo, w_s * sigmoid(a_s) * (1 - sigmoid(a_s)),
        ),
        limit_claim(
            "1c/vanishes-transform-plus",
            "with the gate open, the entry tends to 0 as the transform saturates, a -> +oo",
            gate_open, a_s, sp.oo, sp.Integer(0),
        ),
        limit_claim(
            "1c/vanishes-transform-minus",
            "with the gate open, the entry tends to 0 as the transform saturates, a -> -oo",
            gate_open, a_s, -sp.oo, sp.Integer(0),
        ),
    ]
    body = [
        Paragraph(
            "Write ",
            TeX(r"\boldsymbol{a} = \mathbf{W}\boldsymbol{x}"),
            " and ",
            TeX(r"\boldsymbol{g} = \boldsymbol{\phi}(\mathbf{W}_{g}\boldsymbol{x})"),
            " for the transform and gate pre-activation outputs. Differentiating ",
            TeX(r"\boldsymbol{y} = (\boldsymbol{1} - \boldsymbol{g}) \odot \boldsymbol{x} + \boldsymbol{g} \odot \boldsymbol{\phi}(\boldsymbol{a})"),
            " gives three terms: the carried input, the transform, and the path through the gate.",
        ),
        Equation(TeX(r"\frac{\partial \boldsymbol{y}}{\partial \boldsymbol{x}}"), HIGHWAY_STATED),
        Paragraph(
            "If the gate saturates at 0 the layer copies its input and the Jacobian tends to the identity. "
            "If it saturates at 1, the first and third terms vanish and what is left is the plain layer's "
            "Jacobian, which tends to zero only when the transform sigmoid saturates as well. So the "
            "gradient vanishes only when the gate is saturated open and the transform is saturated; "
            "unlike the residual layer, the highway layer does not guarantee a non-zero derivative."
        ),
    ]
    erratum = Erratum(
        question="1c",
        reference_says="a non-zero derivative needs the gate not to be 1; both sigmoids must be in saturation",
        what_holds=(
            "the Jacobian derived in part (c) has three terms: the carried input, the transform, and a path "
            "through the gate. It tends to zero only when the gate saturates open (g → 1) and the transform "
            "saturates too. A gate saturated shut (g → 0) gives the identity"
        ),
        why="the reference gives no Jacobian, omits the term through the gate, and does not say which way the gate saturates",
    )
    return Part(id="1c", title="Jacobian of a highway layer", body=body, claims=claims, errata=[erratum])


def build() -> list[Part]:
    return [part_a(), part_b(), part_c()]
