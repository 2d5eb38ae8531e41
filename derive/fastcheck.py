"""Check an explicit-size Jacobian without building it, by forward-mode differentiation at exact points.

`check_jacobian(outputs, inputs, stated)` decides ``d(outputs)/d(inputs) == stated`` in
denominator layout, ``J[i, j] = d outputs_j / d inputs_i``. It never forms the n x n
symbolic Jacobian. At each seeded random point it draws a random rational direction v and
evaluates the outputs' SymPy expressions with dual numbers (value, derivative along v)
over `fractions.Fraction`, which gives the row vector vᵀJ exactly. The stated form is
evaluated at the same point and multiplied by v on the left, and the two rows are
compared exactly. The work per point is linear in the size of the expressions.

Square roots (and other rational powers b**(p/q)) are treated as the engine's atom
abstraction treats them: the root r of b gets an independent random value, and its
derivative is dr = db / (q r**(q - 1)). The compared rows are then rational functions
of the inputs, the root values, the other symbols and v, and a zero function for
independent r stays zero at r = b**(1/q). So agreement at every point is an identity
test with the Schwartz-Zippel bound (degree / values per coordinate) ** points,
reported as Method.IDENTITY_TESTED; nothing here is called proved.

A disagreement is confirmed before a claim is called false: the full Jacobian column is
evaluated with 60-digit floats at the same inputs with every root taken as the real
principal root, entry by entry. When no entry differs there, the abstraction lost a
relation (such as r**2 = b) that the stated form relies on, and the verdict is
Method.UNDECIDED, never a pass.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy as sp

from derive.claims import Claim
from derive.errors import MalformedClaim, ShapeMismatch
from derive.verdict import Counterexample, Method, Verdict
from derive.verify import DEFAULT_SETTINGS, DENOMINATOR, HALF_WIDTH, CheckSettings

# Digits of the floating-point confirmation, and the relative size below which a
# difference there counts as zero.
CONFIRM_DIGITS = 60
CONFIRM_ZERO = mpmath.mpf(10) ** -40

# Modes of evaluation: exact rationals, 60-digit floats with real roots, or degree bounds.
EXACT = "exact"
FLOAT = "float"
DEGREE = "degree"


class UnsupportedExpression(MalformedClaim):
    """An expression node that the forward-mode evaluator cannot differentiate exactly."""


# --- the point ------------------------------------------------------------------------------


@dataclass
class Point:
    """Values of the symbols and of the root atoms at one random point, and the direction v.

    `mode` is EXACT (values are `Fraction`s and every root atom has an independent
    random value), FLOAT (60-digit `mpmath.mpf`, and a root is the real principal root
    of its argument) or DEGREE (every value is a `DegreeBound`).
    """

    values: dict[sp.Symbol, object]
    direction: dict[sp.Symbol, object]
    mode: str
    rng: random.Random
    root_values: dict[tuple[sp.Basic, int], object] = field(default_factory=dict)


def _random_rational(rng: random.Random, positive: bool) -> Fraction:
    low = 1 if positive else -HALF_WIDTH
    return Fraction(rng.randint(low, HALF_WIDTH), DENOMINATOR)


def _is_nonnegative(symbol: sp.Symbol) -> bool:
    return bool(symbol.is_positive or symbol.is_nonnegative)


# --- forward-mode evaluation ----------------------------------------------------------------


class ForwardEvaluator:
    """Evaluate SymPy expressions with dual numbers (value, derivative along the point's direction).

    Supports symbols, rationals, sums, products, integer powers and rational powers;
    anything else raises `UnsupportedExpression`. Results are cached per node, so shared
    subexpressions (the mean and the standard deviation of a layer) are evaluated once.
    """

    def __init__(self, point: Point, root_bases: Mapping[sp.Basic, int] | None = None) -> None:
        self.point = point
        # A base b whose q-th root appears is evaluated as r**q wherever b itself appears, with r
        # its root atom, as the powers_of_square_roots rewrite does; see `root_bases_of`.
        self.root_bases = dict(root_bases or {})
        self._cache: dict[sp.Basic, tuple[object, object]] = {}
        self._plain_cache: dict[sp.Basic, tuple[object, object]] = {}
        self._root_keys: dict[tuple[sp.Basic, int], tuple[sp.Basic, int]] = {}

    def _zero(self) -> object:
        if self.point.mode == EXACT:
            return Fraction(0)
        return mpmath.mpf(0) if self.point.mode == FLOAT else DegreeBound.ZERO

    def _number(self, rational: sp.Rational) -> object:
        if self.point.mode == EXACT:
            return Fraction(int(rational.p), int(rational.q))
        if self.point.mode == FLOAT:
            return mpmath.mpf(int(rational.p)) / int(rational.q)
        return DegreeBound.of(rational)

    def dual(self, expr: sp.Basic) -> tuple[object, object]:
        """Return (value, directional derivative) of `expr` at the point."""
        known = self._cache.get(expr)
        if known is not None:
            return known
        result = self._dual(expr)
        self._cache[expr] = result
        return result

    def value(self, expr: sp.Basic) -> object:
        return self.dual(expr)[0]

    def _dual(self, expr: sp.Basic) -> tuple[object, object]:
        degree = self.root_bases.get(expr)
        if degree is not None:
            root, root_tangent = self._root(expr, degree)
            return root**degree, degree * root ** (degree - 1) * root_tangent
        return self._structural_dual(expr)

    def _plain_dual(self, expr: sp.Basic) -> tuple[object, object]:
        """Return the dual of `expr` from its own structure, even when it is a root base."""
        known = self._plain_cache.get(expr)
        if known is None:
            known = self._structural_dual(expr)
            self._plain_cache[expr] = known
        return known

    def _structural_dual(self, expr: sp.Basic) -> tuple[object, object]:
        if expr.is_Symbol:
            if expr not in self.point.values:
                raise UnsupportedExpression(f"symbol {expr} has no value at the point")
            return self.point.values[expr], self.point.direction.get(expr, self._zero())
        if expr.is_Rational:
            return self._number(expr), self._zero()
        if isinstance(expr, sp.Add):
            value, tangent = self._zero(), self._zero()
            for arg in expr.args:
                arg_value, arg_tangent = self.dual(arg)
                value += arg_value
                tangent += arg_tangent
            return value, tangent
        if isinstance(expr, sp.Mul):
            value, tangent = self._number(sp.Integer(1)), self._zero()
            for arg in expr.args:
                arg_value, arg_tangent = self.dual(arg)
                value, tangent = value * arg_value, tangent * arg_value + value * arg_tangent
            return value, tangent
        if isinstance(expr, sp.Pow) and expr.exp.is_Integer:
            base_value, base_tangent = self.dual(expr.base)
            power = int(expr.exp)
            if power == 0:
                return self._number(sp.Integer(1)), self._zero()
            return base_value**power, power * base_value ** (power - 1) * base_tangent
        if isinstance(expr, sp.Pow) and expr.exp.is_Rational:
            return self._rational_power(expr.base, int(expr.exp.p), int(expr.exp.q))
        if type(expr).__name__ == "SquareRoot" and len(expr.args) == 1:
            # derive.rewrites.SquareRoot, a square root kept as a function application.
            return self._rational_power(expr.args[0], 1, 2)
        raise UnsupportedExpression(
            f"cannot differentiate {type(expr).__name__} exactly: {sp.sstr(expr)[:80]}; "
            "the fast check supports sums, products, integer powers and rational powers"
        )

    def _root_key(self, base: sp.Basic, degree: int) -> tuple[sp.Basic, int]:
        # Structurally equal bases share a root. A base that is only equal after expansion (and
        # uses the same symbols) is matched to an earlier root, as the engine's rewrites do.
        key = (base, degree)
        if key in self._root_keys:
            return self._root_keys[key]
        for known_base, known_degree in list(self._root_keys.values()):
            if known_degree == degree and _collect_symbols([known_base]) == _collect_symbols([base]):
                if sp.expand(known_base - base) == 0:
                    self._root_keys[key] = (known_base, known_degree)
                    return self._root_keys[key]
        self._root_keys[key] = key
        return key

    def _root(self, base: sp.Basic, degree: int) -> tuple[object, object]:
        """Return (r, dr) for the root atom r = base**(1/degree)."""
        base_value, base_tangent = self._plain_dual(base)
        key = self._root_key(base, degree)
        root = self.point.root_values.get(key)
        if root is None:
            if self.point.mode == EXACT:
                root = _random_rational(self.point.rng, positive=True)
            elif self.point.mode == FLOAT:
                if base_value < 0 and degree % 2 == 0:
                    raise ValueError("even root of a negative number at the confirmation point")
                root = mpmath.root(base_value, degree)
            else:
                root = DegreeBound.VARIABLE
            self.point.root_values[key] = root
        # r**degree = base, so dr = dbase / (degree r**(degree - 1)).
        return root, base_tangent / (degree * root ** (degree - 1))

    def _rational_power(self, base: sp.Basic, numerator: int, degree: int) -> tuple[object, object]:
        root, root_tangent = self._root(base, degree)
        return root**numerator, numerator * root ** (numerator - 1) * root_tangent


def root_bases_of(expressions: Sequence[sp.Basic]) -> dict[sp.Basic, int]:
    """Map the base b of every rational power b**(p/q) with q > 1 in `expressions` to q (the first q seen)."""
    bases: dict[sp.Basic, int] = {}
    seen: set[sp.Basic] = set()
    stack = list(expressions)
    while stack:
        node = stack.pop()
        if node in seen or not isinstance(node, sp.Basic):
            continue
        seen.add(node)
        if isinstance(node, sp.Pow) and node.exp.is_Rational and not node.exp.is_Integer:
            bases.setdefault(node.base, int(node.exp.q))
        elif type(node).__name__ == "SquareRoot" and len(node.args) == 1:
            bases.setdefault(node.args[0], 2)
        stack.extend(node.args)
    return bases


# --- stated forms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixForm:
    """A printed matrix form of symbolic size, to be evaluated at an explicit size.

    `expr` is the `MatrixExpr` the sheet prints, `size_symbol` its symbolic size and `size`
    the explicit size. `scalars` maps its short scalar names (sigma, mu) to expressions, and
    `matrices` maps the names of its matrix symbols to explicit column vectors. Supported nodes: MatAdd, MatMul with scalar
    factors, Identity, ZeroMatrix, OneMatrix, DiagMatrix of a vector, matrix symbols that
    are column vectors, and their transposes.
    """

    expr: sp.MatrixExpr
    size_symbol: sp.Symbol
    size: int
    scalars: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    matrices: Mapping[str, sp.Matrix] = field(default_factory=dict)


Row = list


class _StatedEvaluator:
    """Compute vᵀ S for a stated form S, with values from a `ForwardEvaluator`."""

    def __init__(self, evaluator: ForwardEvaluator, size: int) -> None:
        self.evaluator = evaluator
        self.size = size

    def scalar(self, expr: sp.Expr, form: MatrixForm | None) -> object:
        if form is not None:
            expr = expr.xreplace({form.size_symbol: sp.Integer(form.size), **form.scalars})
        return self.evaluator.value(sp.sympify(expr))

    def column(self, name: str, form: MatrixForm) -> list[object]:
        explicit = form.matrices.get(name)
        if explicit is None:
            raise MalformedClaim(f"matrix symbol {name} has no explicit value at {form.size_symbol} = {form.size}")
        if explicit.shape != (form.size, 1):
            raise ShapeMismatch(f"matrix symbol {name} must be a {form.size}x1 column, got {explicit.shape}")
        return [self.evaluator.value(entry) for entry in explicit]

    def row_times(self, row: Row, expr: sp.MatrixExpr, form: MatrixForm) -> Row:
        """Return row · expr, for a row of length expr.rows."""
        if isinstance(expr, sp.MatAdd):
            parts = [self.row_times(row, arg, form) for arg in expr.args]
            return [sum(column, self.evaluator._zero()) for column in zip(*parts)]
        if isinstance(expr, sp.MatMul):
            scale = None
            for arg in expr.args:
                if isinstance(arg, sp.MatrixExpr):
                    row = self.row_times(row, arg, form)
                else:
                    value = self.scalar(arg, form)
                    scale = value if scale is None else scale * value
            return row if scale is None else [entry * scale for entry in row]
        if isinstance(expr, sp.Identity):
            return list(row)
        if isinstance(expr, sp.ZeroMatrix):
            return [self.evaluator._zero()] * self.size
        if isinstance(expr, sp.OneMatrix):
            total = sum(row, self.evaluator._zero())
            return [total] * int(expr.cols.xreplace({form.size_symbol: form.size}))
        if isinstance(expr, sp.MatrixSymbol):
            if expr.shape[1] != 1:
                raise UnsupportedExpression(f"matrix symbol {expr.name} is not a column vector")
            column = self.column(expr.name, form)
            if len(row) != len(column):
                raise UnsupportedExpression(f"a product with the column {expr.name} must follow a transposed vector")
            return [sum((a * b for a, b in zip(row, column)), self.evaluator._zero())]
        if isinstance(expr, sp.Transpose) and isinstance(expr.arg, sp.MatrixSymbol):
            column = self.column(expr.arg.name, form)
            if len(row) != 1:
                raise UnsupportedExpression(f"the row vector {expr.arg.name}ᵀ must follow a column vector")
            return [row[0] * entry for entry in column]
        if isinstance(expr, sp.DiagMatrix) and isinstance(expr.args[0], sp.MatrixSymbol):
            column = self.column(expr.args[0].name, form)
            return [a * b for a, b in zip(row, column)]
        raise UnsupportedExpression(f"the fast check cannot evaluate the matrix node {type(expr).__name__}")

    def row_times_stated(self, row: Row, stated: sp.MatrixBase | MatrixForm) -> Row:
        if isinstance(stated, MatrixForm):
            if not isinstance(stated.expr, sp.MatrixExpr):
                raise MalformedClaim("MatrixForm.expr must be a SymPy MatrixExpr")
            return self.row_times(row, stated.expr, stated)
        # An explicit matrix of SymPy expressions: row · S entry by entry.
        zero = self.evaluator._zero()
        result = []
        for column in range(stated.cols):
            total = zero
            for position, weight in enumerate(row):
                entry = stated[position, column]
                if weight != 0 and entry != 0:
                    total += weight * self.evaluator.value(entry)
            result.append(total)
        return result


# --- degree bound ---------------------------------------------------------------------------


class DegreeBound:
    """Upper bounds on the total degrees of the numerator and denominator of a rational function.

    Running `ForwardEvaluator` on these in place of numbers bounds the degree of every
    value it computes, in the drawn symbols, root atoms and direction entries together,
    because each arithmetic rule below bounds the result of the same operation on a
    numerator/denominator pair. `ZERO` stands for the zero function, of no degree.
    """

    __slots__ = ("numerator", "denominator", "is_zero")

    def __init__(self, numerator: int, denominator: int, is_zero: bool = False) -> None:
        self.numerator = numerator
        self.denominator = denominator
        self.is_zero = is_zero

    @staticmethod
    def of(value: object) -> "DegreeBound":
        if isinstance(value, DegreeBound):
            return value
        return DegreeBound.ZERO if value == 0 else DegreeBound.CONSTANT

    def __add__(self, other: object) -> "DegreeBound":
        other = DegreeBound.of(other)
        if self.is_zero:
            return other
        if other.is_zero:
            return self
        return DegreeBound(
            max(self.numerator + other.denominator, other.numerator + self.denominator),
            self.denominator + other.denominator,
        )

    __radd__ = __add__

    def __sub__(self, other: object) -> "DegreeBound":
        return self + other

    def __neg__(self) -> "DegreeBound":
        return self

    def __mul__(self, other: object) -> "DegreeBound":
        other = DegreeBound.of(other)
        if self.is_zero or other.is_zero:
            return DegreeBound.ZERO
        return DegreeBound(self.numerator + other.numerator, self.denominator + other.denominator)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> "DegreeBound":
        other = DegreeBound.of(other)
        if self.is_zero:
            return self
        return DegreeBound(self.numerator + other.denominator, self.denominator + other.numerator)

    def __pow__(self, power: int) -> "DegreeBound":
        if power == 0:
            return DegreeBound.CONSTANT
        if self.is_zero:
            return self
        if power > 0:
            return DegreeBound(self.numerator * power, self.denominator * power)
        return DegreeBound(self.denominator * -power, self.numerator * -power)

    def __eq__(self, other: object) -> bool:
        # Only "is it zero?" is asked of numbers during evaluation.
        if isinstance(other, (int, Fraction)) and other == 0:
            return self.is_zero
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


DegreeBound.ZERO = DegreeBound(0, 0, is_zero=True)
DegreeBound.CONSTANT = DegreeBound(0, 0)
DegreeBound.VARIABLE = DegreeBound(1, 0)


# --- the check ------------------------------------------------------------------------------


def _collect_symbols(roots: Sequence[sp.Basic]) -> set[sp.Symbol]:
    """Return the symbols of expressions, visiting each shared subexpression once.

    SymPy's `free_symbols` walks a shared subtree (the variance inside every output of a
    layer) once per occurrence, which is quadratic in the layer width.
    """
    symbols: set[sp.Symbol] = set()
    seen: set[sp.Basic] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, sp.Symbol):
            symbols.add(node)
        elif isinstance(node, (sp.Basic, sp.MatrixBase)):
            stack.extend(node.args if isinstance(node, sp.Basic) else list(node))
    return symbols


def _expressions_of(outputs: Sequence[sp.Basic], stated: sp.MatrixBase | MatrixForm) -> list[sp.Basic]:
    expressions: list[sp.Basic] = list(outputs)
    if isinstance(stated, MatrixForm):
        expressions.extend(stated.scalars.values())
        for explicit in stated.matrices.values():
            expressions.extend(explicit)
    else:
        expressions.extend(stated)
    return expressions


def _draw_point(
    symbols: Sequence[sp.Symbol], inputs: Sequence[sp.Symbol], rng: random.Random
) -> Point:
    values = {symbol: _random_rational(rng, _is_nonnegative(symbol)) for symbol in symbols}
    direction = {symbol: _random_rational(rng, False) for symbol in inputs}
    return Point(values=values, direction=direction, mode=EXACT, rng=rng)


def _to_float_point(point: Point, direction: dict[sp.Symbol, object]) -> Point:
    values = {symbol: mpmath.mpf(value.numerator) / value.denominator for symbol, value in point.values.items()}
    return Point(values=values, direction=direction, mode=FLOAT, rng=point.rng)


def _degree_of_difference(
    outputs: Sequence[sp.Basic],
    inputs: Sequence[sp.Symbol],
    stated: sp.MatrixBase | MatrixForm,
    symbols: Sequence[sp.Symbol],
    root_bases: Mapping[sp.Basic, int],
) -> int:
    """Return a bound on the numerator degree of every entry of vᵀJ - vᵀS as computed at exact points."""
    point = Point(
        values={symbol: DegreeBound.VARIABLE for symbol in symbols},
        direction={symbol: DegreeBound.VARIABLE for symbol in inputs},
        mode=DEGREE,
        rng=random.Random(0),
    )
    evaluator = ForwardEvaluator(point, root_bases)
    obtained = [evaluator.dual(entry)[1] for entry in outputs]
    row = [DegreeBound.VARIABLE] * len(inputs)
    stated_row = _StatedEvaluator(evaluator, len(inputs)).row_times_stated(row, stated)
    return max(((left - right).numerator for left, right in zip(obtained, stated_row)), default=0)


def _differs(left: object, right: object) -> bool:
    scale = 1 + abs(left) + abs(right)
    return abs(left - right) > CONFIRM_ZERO * scale


def _confirm(
    outputs: Sequence[sp.Basic],
    inputs: Sequence[sp.Symbol],
    stated: sp.MatrixBase | MatrixForm,
    point: Point,
    column: int,
    root_bases: Mapping[sp.Basic, int],
) -> Counterexample | None:
    """Look for an entry (i, column) where J and the stated form differ, at consistent 60-digit values."""
    size = len(inputs)
    with mpmath.workdps(CONFIRM_DIGITS):
        for row in range(size):
            basis = {symbol: mpmath.mpf(1 if position == row else 0) for position, symbol in enumerate(inputs)}
            numeric = _to_float_point(point, basis)
            evaluator = ForwardEvaluator(numeric, root_bases)
            try:
                derivative = evaluator.dual(outputs[column])[1]
                unit_row = [mpmath.mpf(1 if position == row else 0) for position in range(size)]
                stated_entry = _StatedEvaluator(evaluator, size).row_times_stated(unit_row, stated)[column]
            except (ValueError, ZeroDivisionError):
                return None
            if _differs(derivative, stated_entry):
                shown = tuple(sorted((str(symbol), str(value)) for symbol, value in point.values.items()))
                return Counterexample(
                    point=shown,
                    obtained=mpmath.nstr(derivative, 30),
                    stated=mpmath.nstr(stated_entry, 30),
                    entry=(row, column),
                    exact=False,
                )
    return None


def check_jacobian(
    outputs: sp.MatrixBase | Sequence[sp.Basic],
    inputs: sp.MatrixBase | Sequence[sp.Symbol],
    stated: sp.MatrixBase | MatrixForm,
    *,
    label: str,
    settings: CheckSettings = DEFAULT_SETTINGS,
) -> Verdict:
    """Decide ``d(outputs)/d(inputs) == stated`` in denominator layout by forward mode at exact points.

    `stated` is an explicit n x m SymPy matrix or a `MatrixForm`. `label` seeds the
    random points with `settings.seed`, as `verify.decide` does. Returns an
    IDENTITY_TESTED verdict with its Schwartz-Zippel bound, a FALSE verdict with a
    60-digit counterexample entry, or UNDECIDED. Raises `UnsupportedExpression` for
    nodes it cannot differentiate and `ShapeMismatch` for sizes that do not fit.
    """
    started = time.perf_counter()
    output_list = list(outputs)
    input_list = list(inputs)
    if not all(isinstance(symbol, sp.Symbol) for symbol in input_list):
        raise MalformedClaim("inputs must be symbols to differentiate by")
    if len(set(input_list)) != len(input_list):
        raise MalformedClaim("inputs repeat a symbol; each entry must be a distinct variable")
    if isinstance(stated, sp.MatrixBase) and stated.shape != (len(input_list), len(output_list)):
        raise ShapeMismatch(
            f"the stated Jacobian is {stated.shape[0]}x{stated.shape[1]} but denominator layout needs "
            f"{len(input_list)}x{len(output_list)}"
        )

    rng = random.Random(f"{settings.seed}:{label}:fastcheck")
    expressions = _expressions_of(output_list, stated)
    symbols = sorted(_collect_symbols(expressions), key=sp.default_sort_key)
    root_bases = root_bases_of(expressions)
    passed = 0
    attempts = 0
    while passed < settings.points and attempts < settings.points * 5:
        attempts += 1
        point = _draw_point(symbols, input_list, rng)
        evaluator = ForwardEvaluator(point, root_bases)
        try:
            obtained_row = [evaluator.dual(entry)[1] for entry in output_list]
            row = [point.direction[symbol] for symbol in input_list]
            stated_row = _StatedEvaluator(evaluator, len(input_list)).row_times_stated(row, stated)
        except ZeroDivisionError:
            continue  # a pole of one side: draw another point
        if len(stated_row) != len(output_list):
            raise ShapeMismatch(f"the stated form has {len(stated_row)} columns but there are {len(output_list)} outputs")
        failing = next((column for column, (a, b) in enumerate(zip(obtained_row, stated_row)) if a != b), None)
        if failing is None:
            passed += 1
            continue
        counterexample = _confirm(output_list, input_list, stated, point, failing, root_bases)
        if counterexample is not None:
            return Verdict(
                Method.FALSE,
                "the Jacobian and the stated form differ",
                counterexample=counterexample,
                seconds=time.perf_counter() - started,
                extra={"engine": "fastcheck"},
            )
        return Verdict(
            Method.UNDECIDED,
            "forward mode with independent root values found a difference that 60-digit evaluation with "
            "real roots does not confirm; the stated form relies on a relation such as sqrt(b)**2 = b, "
            "so check it with verify.decide on the explicit Jacobian",
            seconds=time.perf_counter() - started,
            extra={"engine": "fastcheck"},
        )

    if passed == 0:
        return Verdict(
            Method.UNDECIDED,
            f"no random point could be evaluated in {attempts} attempts (every point hit a pole)",
            seconds=time.perf_counter() - started,
            extra={"engine": "fastcheck"},
        )
    # Schwartz-Zippel: a non-zero difference of numerator degree d vanishes at a random point with
    # probability at most d / HALF_WIDTH, the fewest values any coordinate is drawn from.
    degree = max(_degree_of_difference(output_list, input_list, stated, symbols, root_bases), 1)
    bound = Fraction(degree, HALF_WIDTH) ** passed
    return Verdict(
        Method.IDENTITY_TESTED,
        f"forward-mode Jacobian-vector products agree exactly at {passed} random rational points and directions "
        f"(square roots as independent values, degree bound {degree})",
        points=passed,
        failure_bound=bound,
        seconds=time.perf_counter() - started,
        extra={"engine": "fastcheck", "degree_bound": str(degree)},
    )


def jacobian_at_point(
    outputs: Sequence[sp.Basic],
    inputs: Sequence[sp.Symbol],
    values: Mapping[sp.Symbol, object],
    exact: bool = True,
    root_values: Mapping[tuple[sp.Basic, int], object] | None = None,
) -> list[list[object]]:
    """Return the full Jacobian at a point, in denominator layout, by one forward pass per input.

    With `exact`, `values` are Fractions and roots take the values in `root_values`
    (drawn at random when missing); otherwise they are mpmath numbers and roots are real
    principal roots. Used to cross-check the fast method against SymPy's Jacobian.
    """
    rng = random.Random(0)
    shared_roots: dict = dict(root_values or {})
    root_bases = root_bases_of(outputs)
    result = []
    for row in range(len(inputs)):
        one, zero = (Fraction(1), Fraction(0)) if exact else (mpmath.mpf(1), mpmath.mpf(0))
        direction = {symbol: one if position == row else zero for position, symbol in enumerate(inputs)}
        mode = EXACT if exact else FLOAT
        point = Point(values=dict(values), direction=direction, mode=mode, rng=rng, root_values=shared_roots)
        evaluator = ForwardEvaluator(point, root_bases)
        result.append([evaluator.dual(entry)[1] for entry in outputs])
    return result


def jacobian_claim(
    claim_id: str,
    statement: str,
    outputs: sp.MatrixBase | Sequence[sp.Basic],
    inputs: sp.MatrixBase | Sequence[sp.Symbol],
    stated: sp.MatrixBase | MatrixForm,
) -> Claim:
    """Return a claim that ``d(outputs)/d(inputs) == stated`` (denominator layout), decided by `check_jacobian`.

    The claim can be restated with another stated form, so the mutation suite can try
    wrong variants of it.
    """

    def decide(settings: CheckSettings) -> Verdict:
        return check_jacobian(outputs, inputs, stated, label=claim_id, settings=settings)

    def restate(other: object) -> Claim:
        return jacobian_claim(claim_id, statement, outputs, inputs, other)

    return Claim(id=claim_id, statement=statement, decide_with=decide, restate_with=restate)


# --- printed forms at explicit sizes ----------------------------------------------------------


def explicit_matrix(
    form: sp.MatrixExpr, size_symbol: sp.Symbol, size: int, replacements: Mapping[str, sp.MatrixBase]
) -> sp.Matrix:
    """Evaluate a printed matrix form at an explicit size by explicit matrix arithmetic, node by node.

    Returns the same matrix as `derive.calculus.instantiate` (entry by entry equal after
    expansion), without `MatrixExpr.as_explicit`, which builds a `Sum` over a dummy index for
    every entry of every product and evaluates it with `Sum.doit`. Nodes other than MatAdd,
    MatMul, Transpose, DiagMatrix, HadamardProduct, Identity, ZeroMatrix, OneMatrix,
    ElementwiseApplyFunction and matrix symbols fall back to `as_explicit`. Raises
    `MalformedClaim` for a matrix symbol without a replacement and `ShapeMismatch` for a
    replacement of the wrong shape.
    """
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

    def dimension(value: sp.Expr) -> int:
        return int(sp.sympify(value).xreplace({size_symbol: size}))

    def evaluate(node: sp.MatrixExpr) -> sp.ImmutableMatrix:
        if isinstance(node, sp.MatrixBase):
            return sp.ImmutableMatrix(node)
        if isinstance(node, sp.MatrixSymbol):
            replacement = replacements.get(node.name)
            if replacement is None:
                raise MalformedClaim(f"matrix symbol {node.name} has no explicit value at {size_symbol} = {size}")
            shape = (dimension(node.shape[0]), dimension(node.shape[1]))
            if tuple(replacement.shape) != shape:
                raise ShapeMismatch(
                    f"matrix symbol {node.name} is {shape[0]}x{shape[1]} "
                    f"but its value is {replacement.shape[0]}x{replacement.shape[1]}"
                )
            return sp.ImmutableMatrix(replacement)
        if isinstance(node, sp.MatAdd):
            terms = [evaluate(arg) for arg in node.args]
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            return total
        if isinstance(node, sp.MatMul):
            scale = sp.Integer(1)
            factors = []
            for arg in node.args:
                if isinstance(arg, sp.MatrixExpr):
                    factors.append(evaluate(arg))
                else:
                    scale *= sp.sympify(arg).xreplace({size_symbol: size})
            product = factors[0]
            for factor in factors[1:]:
                product = product * factor
            return product if scale == 1 else product * scale
        if isinstance(node, sp.Transpose):
            return evaluate(node.arg).T
        if isinstance(node, sp.DiagMatrix):
            return sp.ImmutableMatrix(sp.diag(*list(evaluate(node.args[0]))))
        if isinstance(node, sp.HadamardProduct):
            factors = [evaluate(arg) for arg in node.args]
            product = factors[0]
            for factor in factors[1:]:
                product = product.multiply_elementwise(factor)
            return product
        if isinstance(node, ElementwiseApplyFunction):
            return evaluate(node.expr).applyfunc(node.function)
        if isinstance(node, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)):
            rows, columns = dimension(node.shape[0]), dimension(node.shape[1])
            if isinstance(node, sp.Identity):
                return sp.ImmutableMatrix(sp.eye(rows))
            return sp.ImmutableMatrix(sp.zeros(rows, columns) if isinstance(node, sp.ZeroMatrix) else sp.ones(rows, columns))
        fallback = node.subs(size_symbol, size)
        symbols = {symbol: sp.ImmutableMatrix(evaluate(symbol)) for symbol in fallback.atoms(sp.MatrixSymbol)}
        explicit = fallback.xreplace(symbols).doit()
        return sp.ImmutableMatrix(explicit.as_explicit() if isinstance(explicit, sp.MatrixExpr) else explicit)

    return sp.Matrix(evaluate(form))
