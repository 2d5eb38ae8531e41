"""Answer 3: the gate nonlinearity, one GRU cell, and a stack of two GRU layers.

The cell is written once, in `_gru_stages`, and used three ways: on explicit matrices
of symbols for the checks (`gru_cell`, `gru_stages`), and on matrix symbols for the
equations the sheet prints (`gru_equations`), where each stage refers to the earlier
stages by name. A claim checks that the printed equations, composed, are the model.

Conventions: denominator layout, (∂y/∂x)[i, j] = ∂y_j/∂x_i. φ is the logistic sigmoid
(σ in the question). The update gate u weights the OLD state,
h_t = u ⊙ h_{t-1} + (1 - u) ⊙ h̃_t, as in the reference solution and in PyTorch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Literal

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derive.calculus import diag, elementwise, instantiate, jacobian, matrix, vector
from derive.claims import Claim
from derive.functions import sigmoid
from derive.limits import limit_claim
from derive.paper import Equation, Erratum, Math, Paragraph, Part, TeX
from derive.rewrites import Rewrite, RewriteContext
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

ResetPlacement = Literal["before", "after"]
RESET_PLACEMENTS: tuple[ResetPlacement, ...] = ("before", "after")

# The candidate activation: any scalar function, applied element-wise. Its derivative is
# printed as f' and replaced by SymPy's derivative of f before a claim is checked.
f = sp.Function("f")
# The name is LaTeX, because the house printer puts it inside \boldsymbol, where \operatorname fails.
f_prime = sp.Function(r"f^{\prime}")
_dummy = sp.Dummy("s")

# Symbolic sizes for the printed forms: input size d, hidden size n, output size k.
d, n, k = sp.symbols("d n k", integer=True, positive=True)


# --- printable element-wise maps and softmax -------------------------------------------------------


class Elementwise(ElementwiseApplyFunction):
    """A scalar function applied element-wise to a matrix expression, printed as ``f(v)``.

    The house LaTeX printer already prints the base class as a bold function name. This
    subclass only changes the terminal output of `derive show`, to ``φ(W x + b)`` from a lambda.
    """

    def _pretty(self, printer: object) -> object:
        return printer._print(sp.Function(_function_name(self.function))(self.expr))

    def _sympystr(self, printer: object) -> str:
        return f"{_function_name(self.function)}({printer._print(self.expr)})"


def _function_name(function: sp.Lambda) -> str:
    body = function.expr
    if isinstance(body, sigmoid):
        return "φ"
    return "f′" if body.func == f_prime else str(body.func)


class Softmax(sp.MatrixExpr):
    """softmax(v)_i = exp(v_i) / Σ_j exp(v_j) for a column vector v, as a matrix expression."""

    def __new__(cls, argument: sp.MatrixExpr) -> "Softmax":
        return super().__new__(cls, argument)

    @property
    def argument(self) -> sp.MatrixExpr:
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        return self.argument.shape

    def doit(self, **hints: object) -> sp.MatrixExpr | sp.Matrix:
        argument = self.argument.doit(**hints) if hints.get("deep", True) else self.argument
        if isinstance(argument, sp.MatrixBase):
            return softmax(sp.Matrix(argument))
        return Softmax(argument)

    def _entry(self, i: int, j: int, **kwargs: object) -> sp.Expr:
        return softmax(sp.Matrix(self.argument.as_explicit()))[i, j]

    def _house_latex(self, printer: object) -> str:
        return rf"\operatorname{{softmax}}\left({printer._print(self.argument)}\right)"

    def _pretty(self, printer: object) -> object:
        return printer._print(sp.Function("softmax")(self.argument))

    def _sympystr(self, printer: object) -> str:
        return f"softmax({printer._print(self.argument)})"


class Diag(sp.DiagMatrix):
    """diag(v) for a column vector v; the subclass only makes `derive show` print ``diag(v)``."""

    def _pretty(self, printer: object) -> object:
        return printer._print(sp.Function("diag")(self.args[0]))

    def _sympystr(self, printer: object) -> str:
        return f"diag({printer._print(self.args[0])})"


def softmax(values: sp.Matrix) -> sp.Matrix:
    """Return the softmax of an explicit column vector."""
    exponentials = values.applyfunc(sp.exp)
    total = sum(exponentials)
    return exponentials.applyfunc(lambda entry: entry / total)


# --- matrix operations on explicit matrices and matrix expressions alike ----------------------------


def _is_explicit(value: object) -> bool:
    return isinstance(value, sp.MatrixBase)


def _apply(function: Callable[[sp.Expr], sp.Expr], values: object) -> object:
    if _is_explicit(values):
        return elementwise(function, values)
    return Elementwise(sp.Lambda(_dummy, function(_dummy)), values)


def _hadamard(left: object, right: object) -> object:
    if _is_explicit(left) and _is_explicit(right):
        return sp.Matrix(left).multiply_elementwise(sp.Matrix(right))
    return sp.HadamardProduct(left, right)


def _ones_like(values: object) -> object:
    if _is_explicit(values):
        return sp.ones(*values.shape)
    return sp.OneMatrix(*values.shape)


# --- the cell ---------------------------------------------------------------------------------------


def tagged(name: str, tag: str) -> str:
    """Return a symbol name with a layer tag, "W_r" and "^{(1)}" giving "W_{r}^{(1)}".

    The braces keep the house printer's split of stem and subscript, so the sheet shows
    a bold W with subscript r and superscript (1).
    """
    if not tag:
        return name
    stem, _, subscript = name.partition("_")
    return f"{stem}_{{{subscript}}}{tag}" if subscript else f"{stem}{tag}"


@dataclass(frozen=True)
class GRUParameters:
    """The weights of one GRU cell. Each field is an explicit sympy Matrix or a MatrixSymbol.

    Shapes, for input size d and hidden size n:
    - W_r, W_u, W_h: n x d input weights of the reset gate, update gate and candidate.
    - U_r, U_u, U_h: n x n recurrent weights. b_r, b_u, b_h: n x 1 biases.
    - c_h: optional n x 1 bias of the candidate's recurrent term (None means no such bias).

    Mapping to torch.nn.GRUCell, whose documentation gives r, z, n and h' = (1 - z) ⊙ n + z ⊙ h:
    W_r = W_ir, U_r = W_hr, b_r = b_ir + b_hr; W_u = W_iz, U_u = W_hz, b_u = b_iz + b_hz;
    W_h = W_in, U_h = W_hn, b_h = b_in, c_h = b_hn; f = tanh; reset="after".
    """

    W_r: object
    U_r: object
    b_r: object
    W_u: object
    U_u: object
    b_u: object
    W_h: object
    U_h: object
    b_h: object
    c_h: object = None

    @classmethod
    def explicit(cls, input_size: int, hidden_size: int, tag: str = "", candidate_bias: bool = False) -> "GRUParameters":
        """Return parameters of real symbols such as W_r_{1,2}; `tag` (e.g. "^{(1)}") marks the layer."""

        def weights(name: str, columns: int) -> sp.Matrix:
            return matrix(f"{name}{tag}", hidden_size, columns)

        return cls(
            W_r=weights("W_r", input_size), U_r=weights("U_r", hidden_size), b_r=vector(f"b_r{tag}", hidden_size),
            W_u=weights("W_u", input_size), U_u=weights("U_u", hidden_size), b_u=vector(f"b_u{tag}", hidden_size),
            W_h=weights("W_h", input_size), U_h=weights("U_h", hidden_size), b_h=vector(f"b_h{tag}", hidden_size),
            c_h=vector(f"c_h{tag}", hidden_size) if candidate_bias else None,
        )

    @classmethod
    def symbolic(cls, input_size: sp.Expr, hidden_size: sp.Expr, tag: str = "", candidate_bias: bool = False) -> "GRUParameters":
        """Return the same parameters as matrix symbols, for printing."""

        def weights(name: str, columns: sp.Expr) -> sp.MatrixSymbol:
            return sp.MatrixSymbol(tagged(name, tag), hidden_size, columns)

        def bias(name: str) -> sp.MatrixSymbol:
            return sp.MatrixSymbol(tagged(name, tag), hidden_size, 1)

        return cls(
            W_r=weights("W_r", input_size), U_r=weights("U_r", hidden_size), b_r=bias("b_r"),
            W_u=weights("W_u", input_size), U_u=weights("U_u", hidden_size), b_u=bias("b_u"),
            W_h=weights("W_h", input_size), U_h=weights("U_h", hidden_size), b_h=bias("b_h"),
            c_h=bias("c_h") if candidate_bias else None,
        )

    def by_name(self) -> dict[str, object]:
        """Return the parameters keyed by the names of their matrix symbols (for `instantiate`)."""
        return {field.name: getattr(self, field.name) for field in fields(self) if getattr(self, field.name) is not None}


@dataclass(frozen=True)
class GRUStages:
    """The values of one GRU step: reset gate r, update gate u, candidate pre-activation a,
    candidate h̃ = f(a), and the new state h_t."""

    reset: object
    update: object
    pre_activation: object
    candidate: object
    state: object


def _gru_stages(
    x: object,
    h: object,
    params: GRUParameters,
    reset: ResetPlacement,
    activation: sp.FunctionClass,
    refer: Callable[[str, object], object],
) -> GRUStages:
    """Build the cell once. `refer(stage, value)` returns what later stages use for `value`:
    the value itself for the model, a named matrix symbol for the printed equations."""
    if reset not in RESET_PLACEMENTS:
        raise ValueError(f"reset must be 'before' (the sheet's W (r ⊙ h)) or 'after' (PyTorch's r ⊙ (W h + b)), got {reset!r}")
    reset_value = _apply(sigmoid, params.W_r * x + params.U_r * h + params.b_r)
    r = refer("reset", reset_value)
    update_value = _apply(sigmoid, params.W_u * x + params.U_u * h + params.b_u)
    u = refer("update", update_value)
    recurrent = params.U_h * h if params.c_h is None else params.U_h * h + params.c_h
    if reset == "before":
        gated = params.U_h * _hadamard(r, h)
        if params.c_h is not None:
            gated = gated + params.c_h
        pre_value = params.W_h * x + gated + params.b_h
    else:
        pre_value = params.W_h * x + params.b_h + _hadamard(r, recurrent)
    pre = refer("pre_activation", pre_value)
    candidate_value = _apply(activation, pre)
    candidate = refer("candidate", candidate_value)
    state = _hadamard(u, h) + _hadamard(_ones_like(u) - u, candidate)
    return GRUStages(reset_value, update_value, pre_value, candidate_value, state)


def gru_stages(
    x: sp.Matrix, h: sp.Matrix, params: GRUParameters, reset: ResetPlacement = "before", activation: sp.FunctionClass = f
) -> GRUStages:
    """Return every stage of one GRU step on explicit matrices, each in terms of x, h and the parameters."""
    return _gru_stages(x, h, params, reset, activation, lambda stage, value: value)


def gru_cell(
    x: sp.Matrix, h: sp.Matrix, params: GRUParameters, reset: ResetPlacement = "before", activation: sp.FunctionClass = f
) -> sp.Matrix:
    """Return the new state h_t of one GRU step, as an explicit SymPy column vector.

    `x` is the d x 1 input, `h` the n x 1 previous state, `params` a `GRUParameters`.
    reset="before" gives the sheet's candidate f(W_h x + U_h (r ⊙ h) + b_h);
    reset="after" gives PyTorch's f(W_h x + b_h + r ⊙ (U_h h + c_h)).
    `activation` is the candidate's scalar activation (default: the undefined function f).
    """
    return sp.Matrix(gru_stages(x, h, params, reset, activation).state)


@dataclass(frozen=True)
class StageNames:
    """Matrix symbols that stand for the stages in the printed equations."""

    reset: sp.MatrixSymbol
    update: sp.MatrixSymbol
    pre_activation: sp.MatrixSymbol
    candidate: sp.MatrixSymbol

    @classmethod
    def for_size(cls, size: sp.Expr, tag: str = "") -> "StageNames":
        return cls(*(sp.MatrixSymbol(tagged(f"{stem}_t", tag), size, 1) for stem in ("r", "u", "a", "htilde")))


def gru_equations(
    x: object, h: object, params: GRUParameters, names: StageNames, reset: ResetPlacement = "before"
) -> GRUStages:
    """Return the printed equations: each stage in terms of the names of the earlier stages."""
    return _gru_stages(x, h, params, reset, f, lambda stage, value: getattr(names, stage))


def compose(equations: GRUStages, names: StageNames) -> object:
    """Substitute each named stage by its definition, giving h_t in terms of x, h and the parameters."""
    state = equations.state
    for stage in ("candidate", "pre_activation", "update", "reset"):
        state = state.xreplace({getattr(names, stage): getattr(equations, stage)})
    return state


# --- checking helpers ---------------------------------------------------------------------------------


def _sigmoid_as_exp(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return expr.replace(lambda node: isinstance(node, sigmoid), lambda node: node.rewrite(sp.exp))


SIGMOID_AS_EXP = Rewrite("sigmoid_as_exp", "φ(s) = 1 / (1 + exp(-s))", _sigmoid_as_exp)


def with_derivative(expr: object) -> object:
    """Replace every f'(a) by SymPy's derivative of f at a, the form `jacobian` produces."""
    return expr.replace(
        lambda node: isinstance(node, sp.Function) and node.func == f_prime,
        lambda node: sp.Derivative(f(_dummy), _dummy).subs(_dummy, node.args[0]),
    )


def freeze_activation(expr: object) -> object:
    """Replace each application f(a) by a fresh symbol c_i.

    Used for limits in a variable that no argument a contains, where f(a) is a constant;
    the caller must make sure of that, because the replacement does not check it.
    """
    applications = sorted(expr.atoms(sp.core.function.AppliedUndef), key=sp.default_sort_key)
    return expr.xreplace({node: sp.Symbol(f"c_{{{index + 1}}}", real=True) for index, node in enumerate(applications)})


def positivity_claim(claim_id: str, statement: str, expr: sp.Expr) -> Claim:
    """Return the claim expr > 0 for all real values of its symbols.

    Decided by SymPy's sign assumptions on expr written with exp (exp of a real number is
    positive, sums and quotients of positives are positive). Before that, expr is evaluated
    with every symbol at -20, -2, 0, 2 and 20 in turn: a value <= 0 makes the claim false.
    """

    def decide_sign(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        written = _sigmoid_as_exp(expr, RewriteContext())
        for value in (-20, -2, 0, 2, 20):
            sample = written.xreplace({symbol: sp.Integer(value) for symbol in written.free_symbols})
            if not sample.evalf(30) > 0:
                return Verdict(
                    Method.FALSE,
                    f"with every symbol at {value} the value is {sp.N(sample, 10)}, which is not positive",
                    seconds=time.perf_counter() - started,
                )
        if written.is_positive is True:
            return Verdict(Method.PROVED, "SymPy's sign assumptions on the exp form, for real arguments", seconds=time.perf_counter() - started)
        return Verdict(Method.UNDECIDED, f"SymPy cannot decide the sign of {written}", seconds=time.perf_counter() - started)

    return Claim(id=claim_id, statement=statement, stated=sp.Integer(0), decide_with=decide_sign)


# --- 3(a): the gate nonlinearity ---------------------------------------------------------------------

s = sp.Symbol("s", real=True)
# Gate inputs for the printed forms, and the explicit sizes of the element-wise checks.
x_t = sp.MatrixSymbol("x_t", d, 1)
h_prev = sp.MatrixSymbol("h_{t-1}", n, 1)
h_t = sp.MatrixSymbol("h_t", n, 1)
W_f = sp.MatrixSymbol("W^f", n, d)
W_rec = sp.MatrixSymbol("W^r", n, n)
b = sp.MatrixSymbol("b", n, 1)
g = sp.MatrixSymbol("g", n, 1)
GATE = _apply(sigmoid, W_f * x_t + W_rec * h_prev + b)
# ∂g/∂h_{t-1} = (W^r)ᵀ diag(g ⊙ (1 - g)), denominator layout.
GATE_JACOBIAN = sp.MatMul(W_rec.T, Diag(sp.HadamardProduct(g, sp.OneMatrix(n, 1) - g)), evaluate=False)
GATE_SIZES = ((2, 2), (2, 3), (3, 2))


def _gate_explicit(input_size: int, hidden_size: int) -> tuple[sp.Matrix, dict[str, sp.Matrix]]:
    values = {
        "W^f": matrix("W^f", hidden_size, input_size),
        "W^r": matrix("W^r", hidden_size, hidden_size),
        "b": vector("b", hidden_size),
        "x_t": vector("x", input_size),
        "h_{t-1}": vector("h", hidden_size),
    }
    gate = instantiate(GATE.subs(d, input_size), n, hidden_size, values)
    return gate, values


def part_a() -> Part:
    logistic = 1 / (1 + sp.exp(-s))
    claims = [
        Claim(
            id="3a/exp-form",
            statement="φ(s) = 1 / (1 + exp(-s))",
            obtained=sigmoid(s),
            stated=logistic,
            rewrites=(SIGMOID_AS_EXP,),
        ),
        positivity_claim("3a/above-zero", "φ(s) > 0 for every real s", sigmoid(s)),
        Claim(
            id="3a/complement",
            statement="1 - φ(s) = exp(-s) / (1 + exp(-s))",
            obtained=1 - sigmoid(s),
            stated=sp.exp(-s) / (1 + sp.exp(-s)),
            rewrites=(SIGMOID_AS_EXP,),
        ),
        positivity_claim("3a/below-one", "1 - φ(s) > 0 for every real s, so φ(s) < 1", sp.exp(-s) / (1 + sp.exp(-s))),
        limit_claim("3a/limit-plus", "φ(s) -> 1 as s -> +oo", sigmoid(s), s, sp.oo, sp.Integer(1)),
        limit_claim("3a/limit-minus", "φ(s) -> 0 as s -> -oo", sigmoid(s), s, -sp.oo, sp.Integer(0)),
        Claim(
            id="3a/derivative",
            statement="d/ds [1 / (1 + exp(-s))] = φ(s)(1 - φ(s)), differentiating the exp form",
            obtained=sp.diff(logistic, s),
            stated=sigmoid(s) * (1 - sigmoid(s)),
            rewrites=(SIGMOID_AS_EXP,),
        ),
    ]
    for input_size, hidden_size in GATE_SIZES:
        gate, values = _gate_explicit(input_size, hidden_size)
        pre = values["W^f"] * values["x_t"] + values["W^r"] * values["h_{t-1}"] + values["b"]
        claims.append(
            Claim(
                id=f"3a/elementwise-d{input_size}-n{hidden_size}",
                statement=f"φ(W^f x + W^r h + b) is 1 ./ (1 + exp(-(W^f x + W^r h + b))) entry by entry (d = {input_size}, n = {hidden_size})",
                obtained=gate,
                stated=pre.applyfunc(lambda entry: 1 / (1 + sp.exp(-entry))),
                rewrites=(SIGMOID_AS_EXP,),
            )
        )
        claims.append(
            Claim(
                id=f"3a/gate-jacobian-d{input_size}-n{hidden_size}",
                statement=f"∂g/∂h_(t-1) = (W^r)ᵀ diag(g ⊙ (1 - g)) (d = {input_size}, n = {hidden_size})",
                obtained=jacobian(gate, values["h_{t-1}"], layout="denominator"),
                stated=instantiate(GATE_JACOBIAN, n, hidden_size, {**values, "g": gate}),
            )
        )
    body = [
        Paragraph(
            "A gate multiplies a signal element by element, so it needs values between 0 and 1: 0 blocks the "
            "signal and 1 passes it unchanged. The logistic sigmoid φ (written σ in the question) has that range. "
            "Its exp form is positive, and so is ",
            Math(1 - sigmoid(s)),
            ", which is why φ(s) lies strictly between 0 and 1. It tends to 1 as s → ∞ and to 0 as s → −∞, "
            "and its slope has the closed form",
        ),
        Equation(TeX(r"\frac{d\phi(s)}{ds}"), sigmoid(s) * (1 - sigmoid(s))),
        Paragraph(
            "The gate applies φ to each entry of a pre-activation that mixes the input and the previous state:"
        ),
        Equation(g, GATE),
        Paragraph(
            "which is the question's 1 ./ (1 + exp(−(...))) with ./ the element-wise division. Each gate value "
            "depends on its own pre-activation only, so in denominator layout its Jacobian is a weight matrix "
            "transposed times a diagonal matrix of slopes:"
        ),
        Equation(TeX(r"\frac{\partial \boldsymbol{g}}{\partial \boldsymbol{h}_{t-1}}"), GATE_JACOBIAN),
    ]
    return Part(id="3a", title="The gate nonlinearity", body=body, claims=claims)


# --- 3(b): one GRU cell -------------------------------------------------------------------------------

# The printed model: symbols of symbolic size, the stage names, and the output layer.
PARAMS = {placement: GRUParameters.symbolic(d, n, candidate_bias=placement == "after") for placement in RESET_PLACEMENTS}
NAMES = StageNames.for_size(n)
EQUATIONS = {placement: gru_equations(x_t, h_prev, PARAMS[placement], NAMES, placement) for placement in RESET_PLACEMENTS}
W_y = sp.MatrixSymbol("W_y", k, n)
b_y = sp.MatrixSymbol("b_y", k, 1)
y_t = sp.MatrixSymbol("y_t", k, 1)
OUTPUT = Softmax(W_y * h_t + b_y)


def pre_activation_jacobian(reset: ResetPlacement) -> sp.MatrixExpr:
    """Return ∂a/∂h_{t-1} in denominator layout, for the candidate's pre-activation a."""
    params, r = PARAMS[reset], NAMES.reset
    reset_slope = sp.HadamardProduct(r, sp.OneMatrix(n, 1) - r)
    if reset == "before":
        through_reset = sp.MatMul(params.U_r.T, Diag(sp.HadamardProduct(reset_slope, h_prev)), evaluate=False)
        return sp.MatMul(sp.MatAdd(Diag(r), through_reset, evaluate=False), params.U_h.T, evaluate=False)
    recurrent = params.U_h * h_prev + params.c_h
    return sp.MatAdd(
        sp.MatMul(params.U_h.T, Diag(r), evaluate=False),
        sp.MatMul(params.U_r.T, Diag(sp.HadamardProduct(reset_slope, recurrent)), evaluate=False),
        evaluate=False,
    )


# J_a stands for ∂a/∂h_{t-1} in the printed outline of the Jacobian.
J_a = sp.MatrixSymbol("J_a", n, n)


def _jacobian_outline() -> sp.MatrixExpr:
    """Return ∂h_t/∂h_{t-1} in denominator layout, with the factor ∂a/∂h_{t-1} written J_a.

    diag(u) is the direct path through u ⊙ h_{t-1}; the second term is the path through the
    update gate, the third the path through the candidate (its pre-activation a, then f').
    The update-gate weights U_u have the same name in both reset placements.
    """
    u, a, candidate = NAMES.update, NAMES.pre_activation, NAMES.candidate
    ones = sp.OneMatrix(n, 1)
    # evaluate=False keeps the Diag subclass, which MatAdd's canonical form would turn back into DiagMatrix.
    return sp.MatAdd(
        Diag(u),
        sp.MatMul(PARAMS["before"].U_u.T, Diag(sp.HadamardProduct(u, ones - u, h_prev - candidate)), evaluate=False),
        sp.MatMul(J_a, Diag(sp.HadamardProduct(_apply(f_prime, a), ones - u)), evaluate=False),
        evaluate=False,
    )


JACOBIAN_OUTLINE = _jacobian_outline()
JACOBIAN_FORMS = {
    placement: JACOBIAN_OUTLINE.xreplace({J_a: pre_activation_jacobian(placement)}) for placement in RESET_PLACEMENTS
}
CELL_SIZES = ((2, 2), (3, 2))


@dataclass(frozen=True)
class ExplicitCell:
    """One GRU step at explicit sizes, with the values that `instantiate` needs by name."""

    x: sp.Matrix
    h: sp.Matrix
    params: GRUParameters
    stages: GRUStages

    def values(self) -> dict[str, sp.Matrix]:
        return {
            **self.params.by_name(),
            "x_t": self.x,
            "h_{t-1}": self.h,
            NAMES.reset.name: self.stages.reset,
            NAMES.update.name: self.stages.update,
            NAMES.pre_activation.name: self.stages.pre_activation,
            NAMES.candidate.name: self.stages.candidate,
        }

    def at(self, expr: sp.MatrixExpr) -> sp.Matrix:
        """Evaluate a printed matrix expression on this cell."""
        return with_derivative(instantiate(expr.subs(d, self.x.shape[0]), n, self.h.shape[0], self.values()))


def explicit_cell(input_size: int, hidden_size: int, reset: ResetPlacement) -> ExplicitCell:
    params = GRUParameters.explicit(input_size, hidden_size, candidate_bias=reset == "after")
    x, h = vector("x", input_size), vector("h", hidden_size)
    return ExplicitCell(x, h, params, gru_stages(x, h, params, reset))


def _cell_claims(reset: ResetPlacement, input_size: int, hidden_size: int) -> list[Claim]:
    cell = explicit_cell(input_size, hidden_size, reset)
    where = f"reset {reset}, d = {input_size}, n = {hidden_size}"
    tag = f"{reset}-d{input_size}-n{hidden_size}"
    update, candidate = cell.stages.update, cell.stages.candidate
    return [
        Claim(
            id=f"3b/equations-{tag}",
            statement=f"the printed equations, composed, are the model's h_t ({where})",
            obtained=gru_cell(cell.x, cell.h, cell.params, reset),
            stated=cell.at(compose(EQUATIONS[reset], NAMES)),
        ),
        Claim(
            id=f"3b/convex-{tag}",
            statement=f"h_t = h̃_t + u ⊙ (h_(t-1) - h̃_t): a convex combination with weight u on the old state ({where})",
            obtained=cell.stages.state,
            stated=candidate + update.multiply_elementwise(cell.h - candidate),
        ),
        Claim(
            id=f"3b/jacobian-{tag}",
            statement=f"∂h_t/∂h_(t-1) = diag(u) + the update-gate path + the candidate path, as printed ({where})",
            obtained=jacobian(cell.stages.state, cell.h, layout="denominator"),
            stated=cell.at(JACOBIAN_FORMS[reset]),
        ),
    ]


def _saturation_claims(reset: ResetPlacement) -> list[Claim]:
    """Limits at d = n = 2: the update gate saturating at 1, and the reset gate closing."""
    cell = explicit_cell(2, 2, reset)
    claims = []
    # The update bias b_u,i does not occur inside f(a), so f(a) may be frozen into a symbol.
    frozen_state = freeze_activation(cell.stages.state)
    for index in range(2):
        bias = cell.params.b_u[index]
        claims.append(
            limit_claim(
                f"3b/update-copies-{reset}-entry{index + 1}",
                f"as b_u,{index + 1} -> +oo the update gate -> 1 and h_t,{index + 1} -> h_(t-1),{index + 1} (reset {reset})",
                frozen_state[index],
                bias,
                sp.oo,
                cell.h[index],
            )
        )
    # Shift every reset bias by -c and let c -> oo: all reset gates close together.
    closing = sp.Symbol("c", positive=True)
    shifted = {entry: entry - closing for entry in cell.params.b_r}
    pre = cell.stages.pre_activation.xreplace(shifted)
    without_state = cell.params.W_h * cell.x + cell.params.b_h
    pre_jacobian = jacobian(pre, cell.h, layout="denominator")
    for index in range(2):
        claims.append(
            limit_claim(
                f"3b/reset-closes-{reset}-entry{index + 1}",
                f"as the reset gates -> 0, entry {index + 1} of the candidate's pre-activation -> that of W_h x + b_h (reset {reset})",
                pre[index],
                closing,
                sp.oo,
                without_state[index],
            )
        )
        for column in range(2):
            claims.append(
                limit_claim(
                    f"3b/reset-closes-{reset}-slope{index + 1}{column + 1}",
                    f"as the reset gates -> 0, entry ({index + 1},{column + 1}) of ∂a/∂h_(t-1) -> 0 (reset {reset})",
                    pre_jacobian[index, column],
                    closing,
                    sp.oo,
                    sp.Integer(0),
                )
            )
    return claims


def _output_claims() -> list[Claim]:
    outputs = instantiate(OUTPUT.subs(k, 3), n, 2, {"W_y": matrix("W_y", 3, 2), "b_y": vector("b_y", 3), "h_t": vector("h", 2)})
    return [
        Claim(
            id="3b/softmax-sums-to-one",
            statement="the softmax outputs sum to 1 (k = 3 classes, n = 2)",
            obtained=sum(outputs),
            stated=sp.Integer(1),
        ),
        positivity_claim("3b/softmax-positive", "the first softmax output is positive (k = 3, n = 2)", outputs[0]),
    ]


def _equation_blocks(equations: GRUStages, names: StageNames, state: sp.MatrixSymbol) -> list[Equation]:
    return [
        Equation(names.reset, equations.reset),
        Equation(names.update, equations.update),
        Equation(names.pre_activation, equations.pre_activation),
        Equation(names.candidate, equations.candidate),
        Equation(state, equations.state),
    ]


def part_b() -> Part:
    claims: list[Claim] = []
    for reset in RESET_PLACEMENTS:
        for input_size, hidden_size in CELL_SIZES:
            claims += _cell_claims(reset, input_size, hidden_size)
        claims += _saturation_claims(reset)
    claims += _output_claims()
    before = EQUATIONS["before"]
    body = [
        Paragraph(
            "One step of the network is a gated recurrent unit followed by a softmax classifier. With r the reset "
            "gate, u the update gate, a the candidate's pre-activation and h̃ the candidate state:"
        ),
        *_equation_blocks(before, NAMES, h_t),
        Equation(y_t, OUTPUT),
        Paragraph(
            "Here f is any element-wise activation (tanh or ReLU, say), and the softmax suits a classification "
            "task. The update gate weights the old state, as in the reference answer and in PyTorch, while some "
            "texts swap ", Math(NAMES.update), " and ", Math(sp.OneMatrix(n, 1) - NAMES.update),
            ". Every entry of the update gate lies in (0, 1), so each entry of ", Math(h_t),
            " lies between the old state and the candidate. When the update gate tends to 1 the cell copies the "
            "previous state. When the reset gate tends to 0 the previous state drops out of the candidate, which "
            "then depends on the input alone. PyTorch applies the reset gate after the recurrent product, with a "
            "bias of its own, and the model supports that placement too:"
        ),
        Equation(NAMES.pre_activation, EQUATIONS["after"].pre_activation),
        Paragraph(
            "Differentiating the state update with respect to the previous state (denominator layout) gives a direct "
            "path ", Math(Diag(NAMES.update)), ", which carries the gradient when u is close to 1, plus a path "
            "through the update gate and a path through the candidate:"
        ),
        Equation(TeX(r"\frac{\partial \boldsymbol{h}_{t}}{\partial \boldsymbol{h}_{t-1}}"), JACOBIAN_OUTLINE),
        Paragraph(
            "Here ", Math(J_a), " is the Jacobian of the candidate's pre-activation with respect to the previous "
            "state. With the sheet's reset placement it is"
        ),
        Equation(J_a, pre_activation_jacobian("before")),
        Paragraph("and with PyTorch's placement"),
        Equation(J_a, pre_activation_jacobian("after")),
    ]
    erratum = Erratum(
        question="3b",
        reference_says=(
            "i_f = σ(W_f^f x_t + W_f^r h_(t-1) + b_o); i_c = σ(W_o^f x_t + W_h^r (i_f ⊙ h_(t-1)) + b_h); "
            "h_t = i_o ⊙ h_(t-1) + (1 - i_o) ⊙ h̃_t, then 'the first 4 expressions'"
        ),
        what_holds=(
            "r = φ(W_r x + U_r h + b_r), u = φ(W_u x + U_u h + b_u), h̃ = f(W_h x + U_h (r ⊙ h) + b_h), "
            "h_t = u ⊙ h + (1 - u) ⊙ h̃; one consistent name per gate"
        ),
        why=(
            "the reference's update gate i_o is never defined, its second line merges the update gate with the "
            "candidate (a σ where f belongs), the reset gate uses the bias b_o, and only three of the four "
            "expressions it counts are printed"
        ),
    )
    return Part(id="3b", title="One GRU cell", body=body, claims=claims, errata=[erratum])


# --- 3(c): two stacked layers -------------------------------------------------------------------------

LAYER_TAGS = ("^{(1)}", "^{(2)}")
n_1, n_2 = sp.symbols("n_1 n_2", integer=True, positive=True)
h1_prev = sp.MatrixSymbol("h_{t-1}^{(1)}", n_1, 1)
h2_prev = sp.MatrixSymbol("h_{t-1}^{(2)}", n_2, 1)
h1_t = sp.MatrixSymbol("h_{t}^{(1)}", n_1, 1)
h2_t = sp.MatrixSymbol("h_{t}^{(2)}", n_2, 1)
STACK_PARAMS = (GRUParameters.symbolic(d, n_1, LAYER_TAGS[0]), GRUParameters.symbolic(n_1, n_2, LAYER_TAGS[1]))
STACK_NAMES = (StageNames.for_size(n_1, LAYER_TAGS[0]), StageNames.for_size(n_2, LAYER_TAGS[1]))
# Layer 2 reads layer 1's new state h^(1)_t where layer 1 reads x_t.
STACK_EQUATIONS = (
    gru_equations(x_t, h1_prev, STACK_PARAMS[0], STACK_NAMES[0]),
    gru_equations(h1_t, h2_prev, STACK_PARAMS[1], STACK_NAMES[1]),
)
STACK_OUTPUT = Softmax(W_y.subs(n, n_2) * h2_t + b_y)


@dataclass(frozen=True)
class ExplicitStack:
    """Two GRU layers at explicit sizes d = n_1 = n_2 = 2, built by calling `gru_cell` twice."""

    x: sp.Matrix
    first_previous: sp.Matrix
    second_previous: sp.Matrix
    params: tuple[GRUParameters, GRUParameters]
    first: sp.Matrix
    second: sp.Matrix
    # Layer 2 on a free input vector z, to take its Jacobian with respect to its input.
    free_input: sp.Matrix
    second_of_free_input: sp.Matrix


def explicit_stack(size: int = 2) -> ExplicitStack:
    x = vector("x", size)
    first_previous, second_previous = vector("h^{(1)}", size), vector("h^{(2)}", size)
    params = (GRUParameters.explicit(size, size, LAYER_TAGS[0]), GRUParameters.explicit(size, size, LAYER_TAGS[1]))
    first = gru_cell(x, first_previous, params[0])
    second = gru_cell(first, second_previous, params[1])
    free_input = vector("z", size)
    return ExplicitStack(
        x, first_previous, second_previous, params, first, second, free_input,
        gru_cell(free_input, second_previous, params[1]),
    )


def depends_only_through_claim(claim_id: str, statement: str, expr: sp.Matrix, inputs: sp.Matrix) -> Claim:
    """Return the claim that `expr` contains none of the symbols in `inputs` (decided by its free symbols)."""

    def decide_symbols(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        present = sorted(expr.free_symbols & set(inputs), key=sp.default_sort_key)
        if present:
            names = ", ".join(str(symbol) for symbol in present)
            return Verdict(Method.FALSE, f"the expression contains {names}", seconds=time.perf_counter() - started)
        return Verdict(Method.PROVED, "by construction: none of the input symbols is a free symbol", seconds=time.perf_counter() - started)

    return Claim(id=claim_id, statement=statement, stated=inputs, decide_with=decide_symbols)


def part_c() -> Part:
    stack = explicit_stack()
    composed_first = compose(STACK_EQUATIONS[0], STACK_NAMES[0])
    composed_second = compose(STACK_EQUATIONS[1], STACK_NAMES[1]).xreplace({h1_t: composed_first})
    values: dict[str, sp.Matrix] = {
        "x_t": stack.x,
        h1_prev.name: stack.first_previous,
        h2_prev.name: stack.second_previous,
    }
    for layer, params in zip(LAYER_TAGS, stack.params):
        values.update({tagged(name, layer): value for name, value in params.by_name().items()})
    printed = instantiate(
        composed_second.subs({d: 2, n_1: 2}), n_2, 2, values
    )
    substituted = stack.second_of_free_input.xreplace(dict(zip(stack.free_input, stack.first)))
    chain = jacobian(stack.first, stack.x, layout="denominator") * jacobian(
        stack.second_of_free_input, stack.free_input, layout="denominator"
    ).xreplace(dict(zip(stack.free_input, stack.first)))
    claims = [
        Claim(
            id="3c/equations",
            statement="the printed equations of both layers, composed, are the model's h^(2)_t (d = n_1 = n_2 = 2)",
            obtained=stack.second,
            stated=printed,
        ),
        depends_only_through_claim(
            "3c/input-free-second-layer",
            "layer 2 as a function of its input z and its own state contains no x_t",
            stack.second_of_free_input,
            stack.x,
        ),
        Claim(
            id="3c/through-first-layer",
            statement="h^(2)_t is layer 2 evaluated at z = h^(1)_t, so it depends on x_t only through h^(1)_t",
            obtained=stack.second,
            stated=substituted,
        ),
        Claim(
            id="3c/chain-rule",
            statement="∂h^(2)_t/∂x_t = (∂h^(1)_t/∂x_t)(∂h^(2)_t/∂h^(1)_t) in denominator layout",
            obtained=jacobian(stack.second, stack.x, layout="denominator"),
            stated=chain,
        ),
    ]
    body = [
        Paragraph(
            "The second layer is the same cell with its own parameters (superscripts (1) and (2)); its input is the "
            "first layer's new state, and only the second layer feeds the classifier. Layer 1:"
        ),
        *_equation_blocks(STACK_EQUATIONS[0], STACK_NAMES[0], h1_t),
        Paragraph("Layer 2, reading ", Math(h1_t), " where layer 1 reads ", Math(x_t), ":"),
        *_equation_blocks(STACK_EQUATIONS[1], STACK_NAMES[1], h2_t),
        Equation(y_t, STACK_OUTPUT),
        Paragraph(
            "Layer 2 sees the input only through ", Math(h1_t), ", so in denominator layout its Jacobian with "
            "respect to the input is the product of the two layers' Jacobians, first layer on the left:"
        ),
        Equation(
            TeX(r"\frac{\partial \boldsymbol{h}^{(2)}_{t}}{\partial \boldsymbol{x}_{t}}"),
            TeX(
                r"\frac{\partial \boldsymbol{h}^{(1)}_{t}}{\partial \boldsymbol{x}_{t}}"
                r"\frac{\partial \boldsymbol{h}^{(2)}_{t}}{\partial \boldsymbol{h}^{(1)}_{t}}"
            ),
        ),
    ]
    erratum = Erratum(
        question="3c",
        reference_says="GRU() includes the first 4 expressions in (b)",
        what_holds="GRU() is the reset gate, update gate, candidate and state update, each layer with its own parameters",
        why="the reference's (b) prints three lines before the output, one of them a merge of two expressions",
    )
    return Part(id="3c", title="A two-layer GRU", body=body, claims=claims, errata=[erratum])


def build() -> list[Part]:
    return [part_a(), part_b(), part_c()]
