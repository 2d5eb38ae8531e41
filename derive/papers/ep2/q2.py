"""Answer 2: powers of a diagonalisable recurrence matrix, and when h_t explodes or vanishes.

The recurrence h_t = W h_{t-1} gives h_t = W^t h_0. With W = Q Λ Q⁻¹ (the columns
q_k of Q are eigenvectors, the rows v_kᵀ of Q⁻¹ the matching left eigenvectors),
W^t = Q Λ^t Q⁻¹, so W^t h_0 = Σ_k λ_k^t q_k v_kᵀ h_0. Dividing by the dominant λ^t
leaves terms (λ_k/λ)^t that tend to 0 when |λ_k| < |λ|.

Powers with a symbolic exponent are checked with the rewrite INTEGER_POWERS_AS_EXP,
and every claim about a concrete matrix with a negative eigenvalue is split into
t = 2m + 1 and t = 2m + 2, so that (-1)^t becomes ±1 and no relation between atoms
is lost. SymPy's `limit` is not used on negative bases (see `_ratio_limit_claim`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derive.calculus import matrix, vector
from derive.claims import Claim, Derivation, Step
from derive.paper import Equation, Erratum, ItemList, Math, Paragraph, Part, ShowDerivation, TeX
from derive.rewrites import Rewrite, RewriteContext
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings, decide

# The time step, an integer t >= 1, and the parity variable m >= 0 (t = 2m + 1 or t = 2m + 2).
t = sp.Symbol("t", integer=True, positive=True)
m = sp.Symbol("m", integer=True, nonnegative=True)
PARITIES = (("odd", 2 * m + 1), ("even", 2 * m + 2))

# Matrix-level symbols for the printed forms; checked at explicit sizes.
n = sp.Symbol("n", integer=True, positive=True)
W = sp.MatrixSymbol("W", n, n)
Q = sp.MatrixSymbol("Q", n, n)
LAMBDA = sp.MatrixSymbol("Lambda", n, n)
h_0 = sp.MatrixSymbol("h_0", n, 1)
h_t = sp.MatrixSymbol("h_t", n, 1)
h_prev = sp.MatrixSymbol("h_{t-1}", n, 1)
q_vec = sp.MatrixSymbol("q", n, 1)
v_vec = sp.MatrixSymbol("v", n, 1)
lam = sp.Symbol("lambda", nonzero=True)
DOMINANT_FORM = q_vec * v_vec.T * h_0
N = sp.MatrixSymbol("N", n, n)
JORDAN_POWER_FORM = lam**t * sp.Identity(n) + t * lam ** (t - 1) * N


# --- the rewrite for symbolic powers ---------------------------------------------------------


def _power_as_exp(node: sp.Pow) -> sp.Expr:
    """Write b**e as a product of exp(c·s·log p) factors, for an exponent e that is an integer.

    log b is split into logs of prime factors and symbols (expand_log with force and
    factor). That split can be off by a multiple of 2πi, which an integer exponent
    removes. A log(-1) = iπ piece gives (-1)**(c·s), which is 1 for even c.
    """
    base, exponent = node.args
    if not exponent.free_symbols or not all(symbol.is_integer for symbol in exponent.free_symbols):
        return node
    pieces = sp.Add.make_args(sp.expand(sp.expand_log(sp.log(base), force=True, factor=True)))
    result = sp.Integer(1)
    for term in sp.Add.make_args(sp.expand(exponent)):
        coefficient, rest = term.as_coeff_Mul()
        if not coefficient.is_Integer:
            return node
        if rest == 1:
            result *= base**coefficient
            continue
        for piece in pieces:
            if piece == sp.I * sp.pi:
                result *= sp.Pow(-1, rest) if coefficient % 2 else sp.Integer(1)
            else:
                result *= sp.exp(coefficient * rest * piece)
    return result


def _integer_powers_as_exp(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return expr.replace(lambda node: isinstance(node, sp.Pow) and not node.exp.is_number, _power_as_exp)


INTEGER_POWERS_AS_EXP = Rewrite(
    "integer_powers_as_exp",
    "b**e = product of exp(c s log p) over the prime and symbol factors p of b, for an integer exponent e; "
    "a factor (-1)**(c s) is kept only for odd c",
    _integer_powers_as_exp,
)


def _parity_claim(claim_id: str, statement: str, obtained: sp.Matrix, stated: sp.Matrix) -> Claim:
    """Return a claim that holds for every integer t >= 1, decided for t = 2m + 1 and t = 2m + 2.

    The verdict is the weaker of the two; any false case makes the claim false.
    """

    def decide_both(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        verdicts = []
        for name, value in PARITIES:
            verdict = decide(
                obtained.subs(t, value),
                stated.subs(t, value),
                label=f"{claim_id}/{name}",
                rewrites=(INTEGER_POWERS_AS_EXP,),
                settings=settings,
            )
            if not verdict.holds:
                return Verdict(
                    verdict.method,
                    f"for t = {value}: {verdict.detail}",
                    counterexample=verdict.counterexample,
                    difference=verdict.difference,
                    rewrites=verdict.rewrites,
                    seconds=time.perf_counter() - started,
                )
            verdicts.append(verdict)
        order = [Method.PROVED, Method.IDENTITY_TESTED, Method.NUMERIC]
        weakest = max(verdicts, key=lambda verdict: order.index(verdict.method))
        return Verdict(
            weakest.method,
            f"for t = 2m + 1 and t = 2m + 2 (m >= 0): {weakest.detail}",
            points=min(verdict.points for verdict in verdicts),
            failure_bound=weakest.failure_bound,
            rewrites=weakest.rewrites,
            seconds=time.perf_counter() - started,
        )

    return Claim(
        id=claim_id,
        statement=statement,
        stated=stated,
        decide_with=decide_both,
        restate_with=lambda other: _parity_claim(claim_id, statement, obtained, other),
    )


# --- examples --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """A concrete W = Q diag(eigenvalues) Q⁻¹ and a starting state h_0."""

    name: str
    eigenvectors: sp.Matrix
    eigenvalues: tuple[sp.Rational, ...]
    start: sp.Matrix

    @property
    def matrix(self) -> sp.Matrix:
        return self.eigenvectors * sp.diag(*self.eigenvalues) * self.eigenvectors.inv()

    @property
    def left_eigenvectors(self) -> sp.Matrix:
        """Q⁻¹, whose row k is v_kᵀ."""
        return self.eigenvectors.inv()

    def power(self) -> sp.Matrix:
        """Return W^t as SymPy forms it for a symbolic t, independently of Q."""
        return self.matrix**t

    def term(self, index: int) -> sp.Matrix:
        """Return q_k v_kᵀ h_0, the coefficient of λ_k^t in W^t h_0."""
        return self.eigenvectors[:, index] * (self.left_eigenvectors[index, :] * self.start)


Q2 = sp.Matrix([[1, 1], [1, 2]])
Q3 = sp.Matrix([[1, 1, 0], [1, 2, 1], [0, 1, 2]])
H2 = vector("h", 2)
H3 = vector("h", 3)
HALF, THIRD, QUARTER = sp.Rational(1, 2), sp.Rational(1, 3), sp.Rational(1, 4)

GROWING = Example("growing", Q2, (sp.Integer(2), HALF), H2)
NEGATIVE = Example("negative", Q3, (sp.Integer(-2), sp.Integer(1), THIRD), H3)
VANISHING = Example("vanishing", Q2, (-HALF, QUARTER), H2)
UNIT = Example("unit", Q2, (sp.Integer(-1), HALF), H2)
# Broken conditions: two eigenvalues of equal modulus, and a start orthogonal to v.
TIED = Example("tied", Q2, (sp.Integer(2), sp.Integer(-2)), sp.Matrix([1, 0]))
ORTHOGONAL = Example("orthogonal", Q3, (sp.Integer(-2), sp.Integer(1), THIRD), Q3[:, 1])


def _dominant_index(example: Example) -> int:
    moduli = [abs(value) for value in example.eigenvalues]
    return moduli.index(max(moduli))


def ratio_limit_verdict(example: Example, stated: sp.Matrix, settings: CheckSettings, label: str) -> Verdict:
    """Decide lim_{t→∞} W^t h_0 / λ^t = stated for the eigenvalue λ of largest modulus.

    The argument: (1) W^t h_0 / λ^t = Σ_k (λ_k/λ)^t q_k v_kᵀ h_0, an identity checked for
    both parities of t with W^t as SymPy forms it; (2) every k other than the dominant one
    has |λ_k/λ| < 1, checked exactly; (3) then |(λ_k/λ)^t| = |λ_k/λ|^t → 0, a limit of a
    positive base that SymPy's `limit` handles (it fails on the negative bases themselves);
    (4) so the limit is q vᵀ h_0, compared with `stated`. Without a single eigenvalue of
    strictly largest modulus the argument does not apply and the verdict is undecided.
    """
    started = time.perf_counter()
    dominant = _dominant_index(example)
    top = example.eigenvalues[dominant]
    ties = [value for index, value in enumerate(example.eigenvalues) if index != dominant and abs(value) >= abs(top)]
    if ties:
        return Verdict(
            Method.UNDECIDED,
            f"eigenvalues {top} and {ties[0]} have the same modulus, so no single term dominates",
            seconds=time.perf_counter() - started,
        )
    obtained = example.power() * example.start / top**t
    expansion = sp.zeros(*example.start.shape)
    for index, value in enumerate(example.eigenvalues):
        expansion += (value / top) ** t * example.term(index)
    identity = _parity_claim(f"{label}/expansion", "W^t h_0 / λ^t = Σ (λ_k/λ)^t q_k v_kᵀ h_0", obtained, expansion)
    identity_verdict = identity.check(settings)
    if not identity_verdict.holds:
        return identity_verdict
    for index, value in enumerate(example.eigenvalues):
        if index == dominant:
            continue
        modulus = abs(value / top)
        if sp.limit(modulus**t, t, sp.oo) != 0:
            return Verdict(Method.UNDECIDED, f"SymPy did not find |{value / top}|^t -> 0", seconds=time.perf_counter() - started)
    limit_value = example.term(dominant)
    comparison = decide(limit_value, stated, label=f"{label}/value", settings=settings)
    if comparison.method is Method.FALSE:
        return Verdict(
            Method.FALSE,
            f"the limit is q vᵀ h_0 = {list(limit_value)}, not {list(stated)}",
            difference=comparison.difference,
            counterexample=comparison.counterexample,
            seconds=time.perf_counter() - started,
        )
    if not comparison.holds:
        return comparison
    return Verdict(
        identity_verdict.method,
        f"expansion in powers of λ_k/λ ({identity_verdict.method.value}); every |λ_k/λ| < 1 exactly, "
        "and SymPy's limit of |λ_k/λ|^t is 0",
        points=identity_verdict.points,
        rewrites=identity_verdict.rewrites,
        seconds=time.perf_counter() - started,
    )


def ratio_limit_claim(claim_id: str, statement: str, example: Example, stated: sp.Matrix) -> Claim:
    """Return the claim lim W^t h_0 / λ^t = stated, decided by `ratio_limit_verdict`."""
    return Claim(
        id=claim_id,
        statement=statement,
        stated=stated,
        decide_with=lambda settings: ratio_limit_verdict(example, stated, settings, claim_id),
        restate_with=lambda other: ratio_limit_claim(claim_id, statement, example, other),
    )


def modulus_power_claim(claim_id: str, statement: str, base: sp.Rational, stated: sp.Expr) -> Claim:
    """Return the claim lim_{t→∞} |base|^t = stated (0, 1 or oo), by SymPy's limit on the positive base.

    The value is cross-checked by exact evaluation at t = 20, 40, 80: it must decrease to 0,
    stay at 1, or increase past 10^6, matching `stated`.
    """

    def decide_power(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        modulus = abs(base)
        obtained = sp.limit(modulus**t, t, sp.oo)
        values = [modulus**step for step in (20, 40, 80)]
        if obtained != stated:
            return Verdict(Method.FALSE, f"the limit of |{base}|^t is {obtained}, not {stated}", seconds=time.perf_counter() - started)
        trend = {
            sp.Integer(0): values[0] > values[1] > values[2] and values[2] < sp.Rational(1, 10**6),
            sp.Integer(1): values[0] == values[1] == values[2] == 1,
            sp.oo: values[0] < values[1] < values[2] and values[2] > 10**6,
        }
        if not trend.get(stated, False):
            return Verdict(Method.UNDECIDED, f"|{base}|^t at t = 20, 40, 80 is {values}, which does not approach {stated}", seconds=time.perf_counter() - started)
        return Verdict(
            Method.PROVED,
            "SymPy's limit of a positive base, cross-checked at t = 20, 40, 80",
            seconds=time.perf_counter() - started,
        )

    return Claim(
        id=claim_id,
        statement=statement,
        stated=stated,
        decide_with=decide_power,
        restate_with=lambda other: modulus_power_claim(claim_id, statement, base, other),
    )


# --- the induction W^t = Q Λ^t Q⁻¹ ------------------------------------------------------------

INDUCTION_SIZES = (2, 3)


def _explicit_symbols(size: int) -> dict[sp.Basic, sp.Matrix]:
    """Explicit values of the matrix symbols at `size`: a generic Q and Λ = diag(λ_1, ..., λ_size)."""
    eigenvectors = matrix("Q", size, size)
    eigenvalues = [sp.Symbol(f"lambda_{{{index + 1}}}", nonzero=True) for index in range(size)]
    inverse = eigenvectors.adjugate() / eigenvectors.det()

    def power(exponent: sp.Expr) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(sp.diag(*[value**exponent for value in eigenvalues]))

    explicit_w = sp.ImmutableMatrix(eigenvectors * sp.diag(*eigenvalues) * inverse)
    return {
        sp.Inverse(Q): sp.ImmutableMatrix(inverse),
        sp.MatPow(LAMBDA, t): power(t),
        sp.MatPow(LAMBDA, t - 1): power(t - 1),
        # The induction hypothesis: W^{t-1} = Q Λ^{t-1} Q⁻¹.
        sp.MatPow(W, t - 1): sp.ImmutableMatrix(eigenvectors * power(t - 1) * inverse),
        W: explicit_w,
        Q: sp.ImmutableMatrix(eigenvectors),
        LAMBDA: sp.ImmutableMatrix(sp.diag(*eigenvalues)),
    }


def at_size(expr: sp.MatrixExpr, size: int) -> sp.Matrix:
    """Evaluate a printed matrix expression at an explicit size, with the induction hypothesis for W^{t-1}."""
    mapping = _explicit_symbols(size)
    # Larger subexpressions (the powers) are replaced before the symbols inside them.
    replaced = expr.subs(n, size).xreplace({key.subs(n, size): value for key, value in mapping.items()})
    return sp.Matrix(replaced.doit().as_explicit())


def _unevaluated(*factors: sp.MatrixExpr) -> sp.MatMul:
    return sp.MatMul(*factors, evaluate=False)


def induction_step(size: int) -> Derivation:
    """Build the step W^t = W W^{t-1} = Q Λ^t Q⁻¹, displayed with matrix symbols and checked at `size`."""
    q_inverse = sp.Inverse(Q)
    displays = [
        (_unevaluated(W, sp.MatPow(W, t - 1)), "definition of the matrix power"),
        (
            _unevaluated(Q, LAMBDA, q_inverse, Q, sp.MatPow(LAMBDA, t - 1), q_inverse),
            "W = Q Λ Q⁻¹ and the hypothesis for t - 1",
        ),
        (_unevaluated(Q, LAMBDA, sp.MatPow(LAMBDA, t - 1), q_inverse), "Q⁻¹ Q = I"),
        (_unevaluated(Q, sp.MatPow(LAMBDA, t), q_inverse), "powers of a diagonal matrix act entrywise"),
    ]
    steps = [
        Step(at_size(display, size), reason, display=display, rewrites=(INTEGER_POWERS_AS_EXP,))
        for display, reason in displays
    ]
    return Derivation(
        id=f"2/induction-step-n{size}",
        title=f"the induction step at n = {size}",
        lhs=sp.MatPow(W, t),
        steps=steps,
        stated=at_size(_unevaluated(Q, sp.MatPow(LAMBDA, t), q_inverse), size),
        rewrites=(INTEGER_POWERS_AS_EXP,),
    )


def symbolic_size_step_claim(stated: sp.MatrixExpr) -> Claim:
    """Return the induction step for n x n matrix symbols, decided by SymPy's matrix-expression rules."""
    product = _unevaluated(Q, LAMBDA, sp.Inverse(Q), Q, sp.MatPow(LAMBDA, t - 1), sp.Inverse(Q))

    def decide_rules(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        reduced = product.doit()
        if reduced == stated:
            return Verdict(
                Method.PROVED,
                "SymPy's MatMul canonicalisation (associativity, Q⁻¹Q = I, Λ Λ^(t-1) = Λ^t) gives the stated form",
                seconds=time.perf_counter() - started,
            )
        # A structural mismatch proves nothing, but a difference at n = 2 refutes the stated form.
        refutation = decide(
            at_size(product, 2),
            at_size(stated, 2),
            label="2/induction-step-symbolic-n/n2",
            rewrites=(INTEGER_POWERS_AS_EXP,),
            settings=settings,
        )
        if refutation.method is Method.FALSE:
            return Verdict(
                Method.FALSE,
                "the stated form differs from the product at n = 2",
                counterexample=refutation.counterexample,
                difference=refutation.difference,
                seconds=time.perf_counter() - started,
            )
        return Verdict(
            Method.UNDECIDED,
            f"SymPy's MatMul canonicalisation gives {reduced}, which is not structurally {stated}",
            seconds=time.perf_counter() - started,
        )

    return Claim(
        id="2/induction-step-symbolic-n",
        statement="(Q Λ Q⁻¹)(Q Λ^(t-1) Q⁻¹) = Q Λ^t Q⁻¹ for n x n matrix symbols",
        stated=stated,
        decide_with=decide_rules,
        restate_with=symbolic_size_step_claim,
    )


# --- the part ---------------------------------------------------------------------------------


def _induction_claims() -> tuple[list[Claim], list[Derivation]]:
    claims = []
    for size in INDUCTION_SIZES:
        claims.append(
            Claim(
                id=f"2/induction-base-n{size}",
                statement=f"base case t = 1: W = Q Λ^1 Q⁻¹ at n = {size}",
                obtained=at_size(W, size),
                stated=at_size(_unevaluated(Q, sp.MatPow(LAMBDA, t), sp.Inverse(Q)), size).subs(t, 1),
            )
        )
    claims.append(symbolic_size_step_claim(Q * sp.MatPow(LAMBDA, t) * sp.Inverse(Q)))
    derivations = [induction_step(size) for size in INDUCTION_SIZES]
    return claims, derivations


def _closed_form_claims() -> list[Claim]:
    claims = []
    for example in (GROWING, NEGATIVE):
        claims.append(
            _parity_claim(
                f"2/closed-form-{example.name}",
                f"SymPy's W^t for W = {example.matrix.tolist()} equals Q diag{tuple(example.eigenvalues)}^t Q⁻¹",
                example.power(),
                example.eigenvectors * sp.diag(*[value**t for value in example.eigenvalues]) * example.left_eigenvectors,
            )
        )
    return claims


def _limit_claims() -> list[Claim]:
    claims = []
    for example in (GROWING, NEGATIVE, VANISHING, UNIT):
        top = example.eigenvalues[_dominant_index(example)]
        claims.append(
            ratio_limit_claim(
                f"2/dominant-limit-{example.name}",
                f"W^t h_0 / ({top})^t -> q vᵀ h_0 for eigenvalues {tuple(example.eigenvalues)}",
                example,
                example.term(_dominant_index(example)),
            )
        )
    for name, base, stated in (("explodes", sp.Integer(-2), sp.oo), ("vanishes", -HALF, sp.Integer(0)), ("unit", sp.Integer(-1), sp.Integer(1))):
        claims.append(
            modulus_power_claim(
                f"2/modulus-{name}", f"|λ|^t -> {stated} for λ = {base}, and ‖h_t‖ is about |λ|^t ‖q vᵀ h_0‖", base, stated
            )
        )
    return claims


def _broken_condition_claims() -> list[Claim]:
    claims = []
    # Equal moduli 2 and -2: the even and odd subsequences of W^t h_0 / 2^t are constant and differ.
    ratio = TIED.power() * TIED.start / sp.Integer(2) ** t
    first, second = TIED.term(0), TIED.term(1)
    for name, value, sign in (("odd", 2 * m + 1, -1), ("even", 2 * m + 2, 1)):
        claims.append(
            Claim(
                id=f"2/tied-{name}",
                statement=f"with eigenvalues 2 and -2, W^t h_0 / 2^t = q_1 v_1ᵀ h_0 {'+' if sign > 0 else '-'} q_2 v_2ᵀ h_0 for {name} t",
                obtained=ratio.subs(t, value),
                stated=first + sign * second,
                rewrites=(INTEGER_POWERS_AS_EXP,),
            )
        )
    claims.append(
        Claim(
            id="2/tied-gap",
            statement="the even and odd values differ by 2 q_2 v_2ᵀ h_0 = (-2, -4), which is not zero, so there is no limit",
            obtained=ratio.subs(t, 2 * m + 2) - ratio.subs(t, 2 * m + 1),
            stated=sp.Matrix([-2, -4]),
            rewrites=(INTEGER_POWERS_AS_EXP,),
        )
    )

    # A Jordan block is not diagonalisable: W^t = λ^t I + t λ^(t-1) N grows like t λ^t.
    nilpotent = sp.Matrix([[0, 1], [0, 0]])
    jordan = lam * sp.eye(2) + nilpotent
    jordan_power = lam**t * sp.eye(2) + t * lam ** (t - 1) * nilpotent
    claims += [
        Claim(
            id="2/jordan-not-diagonalisable",
            statement="(W - λI)^2 = 0 while W - λI = N ≠ 0, so λ has a single eigenvector and W is not diagonalisable",
            obtained=(jordan - lam * sp.eye(2)) ** 2,
            stated=sp.zeros(2, 2),
        ),
        Claim(
            id="2/jordan-power-base",
            statement="base case: λ^1 I + 1 λ^0 N = W",
            obtained=jordan,
            stated=jordan_power.subs(t, 1),
        ),
        Claim(
            id="2/jordan-power-step",
            statement="W (λ^(t-1) I + (t-1) λ^(t-2) N) = λ^t I + t λ^(t-1) N",
            obtained=jordan * jordan_power.subs(t, t - 1),
            stated=jordan_power,
            rewrites=(INTEGER_POWERS_AS_EXP,),
        ),
        _parity_claim(
            "2/jordan-power-sympy",
            "SymPy's W^t for the block [[2, 1], [0, 2]] equals 2^t I + t 2^(t-1) N",
            sp.Matrix([[2, 1], [0, 2]]) ** t,
            jordan_power.subs(lam, 2),
        ),
        Claim(
            id="2/jordan-ratio",
            statement="W^t h_0 / λ^t = h_0 + (t/λ) N h_0, which grows linearly in t unless (N h_0) = 0",
            obtained=jordan_power * H2 / lam**t,
            stated=H2 + t / lam * nilpotent * H2,
            rewrites=(INTEGER_POWERS_AS_EXP,),
        ),
    ]

    # h_0 = q_2 is orthogonal to v_1: the dominant term is absent and h_t = q_2 for every t.
    claims += [
        Claim(
            id="2/orthogonal-start",
            statement="v_1ᵀ q_2 = 0 (rows of Q⁻¹ against columns of Q)",
            obtained=ORTHOGONAL.left_eigenvectors[0, :] * ORTHOGONAL.start,
            stated=sp.zeros(1, 1),
        ),
        _parity_claim(
            "2/orthogonal-constant",
            "with h_0 = q_2 (eigenvalue 1) the state stays W^t h_0 = q_2 although |λ| = 2",
            ORTHOGONAL.power() * ORTHOGONAL.start,
            ORTHOGONAL.start,
        ),
        ratio_limit_claim(
            "2/orthogonal-limit",
            "with h_0 = q_2, W^t h_0 / (-2)^t -> q_1 v_1ᵀ h_0 = 0",
            ORTHOGONAL,
            sp.zeros(3, 1),
        ),
    ]
    return claims


def _body(derivation: Derivation) -> list[object]:
    power_chain = [
        W * h_prev,
        sp.MatPow(W, t) * h_0,
        sp.MatPow(Q * LAMBDA * sp.Inverse(Q), t) * h_0,
        Q * sp.MatPow(LAMBDA, t) * sp.Inverse(Q) * h_0,
    ]
    lam_k = sp.Symbol("lambda_k", nonzero=True)
    q_k, v_k = sp.MatrixSymbol("q_k", n, 1), sp.MatrixSymbol("v_k", n, 1)
    modulus = sp.Abs(lam)
    norm_of_limit = TeX(r"\|\boldsymbol{q}\boldsymbol{v}^{\mathsf{T}}\boldsymbol{h}_{0}\|")
    return [
        Paragraph("Unrolling the recurrence gives powers of one matrix. Write its eigen-decomposition as"),
        Equation(W, Q * LAMBDA * sp.Inverse(Q)),
        Paragraph("with the eigenvectors as the columns of Q and the eigenvalues on the diagonal of Λ. Then"),
        Equation(h_t, power_chain),
        Paragraph(
            "The last equality holds for every integer t ≥ 1 by induction. At t = 1 it is the decomposition "
            "itself. Assuming it for t − 1, the inner factors cancel:",
        ),
        ShowDerivation(derivation),
        Paragraph(
            "The matrix ", Math(sp.MatPow(LAMBDA, t)), " is diagonal with entries ", Math(lam_k**t), ", so ",
            Math(sp.MatPow(W, t) * h_0), " is a sum over the eigenvalues of ", Math(lam_k**t * q_k * v_k.T * h_0),
            ", where ", Math(v_k.T), " is row k of ", Math(sp.Inverse(Q)), ". Let ", Math(lam),
            " be the eigenvalue of largest modulus. Dividing by ", Math(lam**t), " leaves the factors ",
            Math((lam_k / lam) ** t), ", and each of them tends to 0 when ", Math(sp.Abs(lam_k) < modulus),
            ", whatever the signs. Hence",
        ),
        Equation(TeX(r"\lim_{t \to \infty} \lambda^{-t} \mathbf{W}^{t} \boldsymbol{h}_{0}"), DOMINANT_FORM),
        Paragraph(
            "and for large t the state behaves like ",
            Math(lam**t * DOMINANT_FORM),
            ". Its norm is about ", Math(modulus**t), " times ", norm_of_limit, ", so:",
        ),
        ItemList(
            (
                Paragraph("if ", Math(modulus > 1), ", the norm of ", Math(h_t), " grows without bound (exploding);"),
                Paragraph("if ", Math(modulus < 1), ", it tends to zero (vanishing);"),
                Paragraph(
                    "if ", Math(sp.Eq(modulus, 1)), ", it tends to the constant ", norm_of_limit, "; for ",
                    Math(sp.Eq(lam, -1)), " the state flips sign at every step.",
                ),
            )
        ),
        Paragraph(
            "A negative eigenvalue such as −2 explodes just as 2 does, so the test is on the modulus, not on the "
            "eigenvalue itself. The limit needs three things, and each is checked on an example that breaks it:",
        ),
        ItemList(
            (
                Paragraph(
                    "a single eigenvalue of strictly largest modulus: with eigenvalues 2 and −2, the ratio "
                    "alternates between two different vectors on odd and even t and has no limit;"
                ),
                Paragraph(
                    "W diagonalisable: for the Jordan block with eigenvalue ", Math(lam), ", ",
                    Math(sp.Eq(sp.MatPow(W, t), JORDAN_POWER_FORM, evaluate=False)),
                    ", so the state grows like ", Math(t * lam**t), " and dividing by ", Math(lam**t),
                    " leaves a term linear in t;",
                ),
                Paragraph(
                    "a start with ", TeX(r"\boldsymbol{v}^{\mathsf{T}}\boldsymbol{h}_{0} \neq 0"),
                    ": with ", Math(h_0), " equal to another eigenvector the dominant term is absent. For eigenvalues "
                    "−2, 1 and 1/3, and ", Math(h_0), " the eigenvector of 1, the state never changes, even though the "
                    "largest modulus is 2."
                ),
            )
        ),
    ]


def _errata() -> list[Erratum]:
    return [
        Erratum(
            question="2",
            reference_says="values explode when λ > 1 and vanish when λ < 1",
            what_holds="they explode when |λ| > 1, vanish when |λ| < 1, and keep a constant norm when |λ| = 1",
            why="W^t h_0 is about λ^t q vᵀ h_0, whose norm is |λ|^t ‖q vᵀ h_0‖; λ = -2 explodes and λ = -1/2 vanishes",
        ),
        Erratum(
            question="2",
            reference_says="h_t ≈ λ^t q vᵀ h_0 for large t, with no conditions",
            what_holds=(
                "the approximation needs one eigenvalue of strictly largest modulus, a diagonalisable W, and vᵀ h_0 ≠ 0"
            ),
            why=(
                "eigenvalues 2 and -2 give an oscillating ratio with no limit; a Jordan block grows like t λ^t; "
                "h_0 orthogonal to v removes the dominant term"
            ),
        ),
        Erratum(
            question="2",
            reference_says="Γ^t is dominated by the largest eigenvalue",
            what_holds="Λ^t, the diagonal matrix of eigenvalues raised to the power t",
            why="Γ appears nowhere else; the decomposition one line earlier is Q Λ^t Q⁻¹",
        ),
        Erratum(
            question="2",
            reference_says="the decomposition is performed on w",
            what_holds="it is performed on the matrix W",
            why="w in lower case is a typo for the recurrence matrix W",
        ),
    ]


def build() -> list[Part]:
    induction, derivations = _induction_claims()
    claims = induction + _closed_form_claims() + _limit_claims() + _broken_condition_claims()
    return [
        Part(
            id="2",
            title="Powers of the recurrence matrix",
            body=_body(derivations[0]),
            claims=claims,
            derivations=derivations,
            errata=_errata(),
        )
    ]
