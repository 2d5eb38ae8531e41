"""Decide whether two SymPy expressions (or explicit matrices) are equal.

The decision works on the difference ``obtained - stated``, entry by entry:

1. The claim's named rewrites are applied (see `derive.rewrites`).
2. Every non-polynomial piece of the difference (function applications, sums,
   roots, symbolic powers, constants such as pi) is replaced by a fresh symbol.
   This "atom abstraction" turns the difference into a rational function of
   independent symbols. If that rational function is zero, the original
   difference is zero too, because the abstraction only forgets relations.
3. The abstracted difference is evaluated exactly, with `fractions.Fraction`,
   at seeded random rational points. A non-zero value is confirmed on the
   original difference at a point that respects the symbols' assumptions
   before the claim is declared false, since a relation the abstraction
   forgot (such as sqrt(a)**2 = a for a compound a) can make it non-zero.
4. The abstracted difference is reduced to a rational-function normal form
   (`together`, then `expand` of the numerator) under a time budget. Zero
   there is a proof; running out of budget leaves the random-point evidence,
   reported with its Schwartz-Zippel bound.

SymPy's `equals` and `simplify` are never the sole basis of a "proved"
verdict: both have reported false zeros on some inputs.
"""

from __future__ import annotations

import contextlib
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from derive.errors import BudgetExceeded, MalformedClaim, ShapeMismatch
from derive.rewrites import Rewrite, RewriteContext
from derive.verdict import Counterexample, Method, Verdict

# Random rational points are m / DENOMINATOR with m uniform in [-HALF_WIDTH, HALF_WIDTH]
# (or [1, HALF_WIDTH] for positive symbols): 2e9 + 1 distinct values per coordinate.
DENOMINATOR = 7919
HALF_WIDTH = 10**9
# Numeric confirmation points are kept in [-3, 3] so that sigmoids and exponentials neither
# saturate nor overflow, and evaluated to this many significant digits.
# A difference counts as numerically zero when it is below NUMERIC_ZERO times the size of the
# two sides at NUMERIC_DIGITS digits, so that exp(-100) (about 4e-44) still counts as non-zero.
NUMERIC_DIGITS = 100
NUMERIC_ZERO = sp.Float(10, 110) ** -85


@dataclass(frozen=True)
class CheckSettings:
    """Knobs of one check: random points, seed and time budget."""

    points: int = 6
    seed: int = 2026
    # Budget of the symbolic normal form; past it the verdict rests on the random points.
    budget_seconds: float = 20.0
    # Budget of a whole claim; past it the verdict is "undecided".
    claim_budget_seconds: float = 120.0
    numeric_points: int = 4
    # False skips the symbolic normal form, so a claim is at best identity-tested (used by
    # the seed sweep, where only the random points change from run to run).
    symbolic: bool = True
    # False skips reducing the difference of a false claim for its report (up to 2 s each),
    # for callers that only need the verdict, such as the mutation suite.
    describe_failures: bool = True


DEFAULT_SETTINGS = CheckSettings()


# --- time budget ----------------------------------------------------------------------------


_deadlines: list[float] = []


def _on_alarm(signum: int, frame: object) -> None:
    raise BudgetExceeded("time budget exceeded")


def _arm(deadline: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 1e-4))


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise `BudgetExceeded` inside the block after `seconds` of wall time.

    Budgets nest: an inner budget never outlives the outer one, and leaving
    it re-arms the outer deadline. The budget uses SIGALRM, so it is only
    enforced in the main thread of a POSIX process; elsewhere the block runs
    without a limit.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    deadline = time.monotonic() + seconds
    if _deadlines:
        deadline = min(deadline, _deadlines[-1])
    outermost = not _deadlines
    previous = signal.signal(signal.SIGALRM, _on_alarm) if outermost else None
    _deadlines.append(deadline)
    _arm(deadline)
    try:
        yield
    except BudgetExceeded as error:
        raise BudgetExceeded(f"time budget of {seconds:g} s exceeded") from error
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _deadlines.pop()
        if outermost:
            signal.signal(signal.SIGALRM, previous)
        else:
            _arm(_deadlines[-1])


# --- shapes ---------------------------------------------------------------------------------


Entry = tuple[tuple[int, int] | None, sp.Expr, sp.Expr]


def _as_checkable(value: object, side: str) -> sp.Basic:
    if isinstance(value, str):
        raise MalformedClaim(
            f"the {side} side is the string {value!r}; derive never parses text, build a SymPy expression instead"
        )
    if isinstance(value, (int, Fraction)):
        return sp.Rational(value)
    if isinstance(value, sp.MatrixBase):
        return value
    if isinstance(value, sp.MatrixExpr):
        explicit = value.as_explicit() if all(d.is_Integer for d in value.shape) else None
        if explicit is None:
            raise MalformedClaim(
                f"the {side} side is a matrix expression of symbolic shape {value.shape}; "
                "check it at explicit sizes or in index notation"
            )
        return explicit
    if isinstance(value, sp.Basic):
        return value
    raise MalformedClaim(f"the {side} side has type {type(value).__name__}; expected a SymPy expression or matrix")


def entries_of(obtained: object, stated: object) -> list[Entry]:
    """Pair up the entries of two scalars or two explicit matrices of the same shape."""
    left = _as_checkable(obtained, "obtained")
    right = _as_checkable(stated, "stated")
    left_is_matrix = isinstance(left, sp.MatrixBase)
    right_is_matrix = isinstance(right, sp.MatrixBase)
    if left_is_matrix != right_is_matrix:
        shape = left.shape if left_is_matrix else right.shape
        raise ShapeMismatch(
            f"one side is a {shape[0]}x{shape[1]} matrix and the other a scalar; "
            "compare matrices with matrices"
        )
    if not left_is_matrix:
        return [(None, left, right)]
    if left.shape != right.shape:
        raise ShapeMismatch(
            f"obtained is {left.shape[0]}x{left.shape[1]} but stated is {right.shape[0]}x{right.shape[1]}"
        )
    return [((i, j), left[i, j], right[i, j]) for i in range(left.shape[0]) for j in range(left.shape[1])]


# --- atom abstraction -----------------------------------------------------------------------


class Abstraction:
    """Replace non-polynomial subexpressions by fresh symbols, consistently across entries."""

    def __init__(self) -> None:
        self.atoms: dict[sp.Basic, sp.Symbol] = {}
        self._cache: dict[sp.Basic, sp.Expr] = {}

    def _atom(self, node: sp.Basic) -> sp.Symbol:
        symbol = self.atoms.get(node)
        if symbol is None:
            symbol = sp.Symbol(f"_atom{len(self.atoms)}")
            self.atoms[node] = symbol
        return symbol

    def abstract(self, expr: sp.Basic) -> sp.Expr:
        cached = self._cache.get(expr)
        if cached is not None:
            return cached
        result = self._abstract(expr)
        self._cache[expr] = result
        return result

    def _abstract(self, expr: sp.Basic) -> sp.Expr:
        if expr.is_Symbol or expr.is_Rational:
            return expr
        if isinstance(expr, sp.Add):
            return sp.Add(*[self.abstract(arg) for arg in expr.args])
        if isinstance(expr, sp.Mul):
            return sp.Mul(*[self.abstract(arg) for arg in expr.args])
        if isinstance(expr, sp.Pow):
            base, exponent = expr.args
            if exponent.is_Integer:
                return sp.Pow(self.abstract(base), exponent)
            if exponent.is_Rational:
                # base**(p/q) = (base**(1/q))**p: one atom per root, so powers of it multiply.
                root = sp.Pow(_normalise_argument(base), sp.Rational(1, exponent.q), evaluate=False)
                return sp.Pow(self._atom(root), exponent.p)
            return self._atom(sp.Pow(_normalise_argument(base), _normalise_argument(exponent)))
        if isinstance(expr, sp.exp):
            return self._abstract_exp(expr)
        # Function applications, Indexed, Sum, KroneckerDelta, pi, E, I and anything else.
        return self._atom(_normalise_atom(expr))

    def _abstract_exp(self, expr: sp.exp) -> sp.Expr:
        # exp(a + 2b) = exp(a) * exp(b)**2: keep one atom per distinct exponent term, so that
        # products and quotients of exponentials cancel as they should.
        argument = sp.expand(expr.args[0])
        result = sp.Integer(1)
        for term in sp.Add.make_args(argument):
            coefficient, rest = term.as_coeff_Mul()
            if coefficient.is_Integer and rest != 1:
                result *= self._atom(sp.exp(rest)) ** coefficient
            else:
                result *= self._atom(sp.exp(term))
        return result


def _normalise_argument(expr: sp.Basic) -> sp.Basic:
    return sp.expand(expr) if isinstance(expr, sp.Expr) else expr


def _normalise_atom(expr: sp.Basic) -> sp.Basic:
    """Expand the arguments of a function application so that equal atoms are equal objects."""
    if isinstance(expr, (sp.Sum, sp.Indexed, sp.Derivative, sp.Subs, sp.Integral, sp.Piecewise)) or not expr.args:
        return expr
    if isinstance(expr, (sp.Function, sp.KroneckerDelta)):
        return expr.func(*[_normalise_argument(arg) for arg in expr.args])
    return expr


# --- exact evaluation -----------------------------------------------------------------------


class NotRational(Exception):
    """The abstracted expression contains a node that exact rational evaluation cannot handle."""


def evaluate_exact(expr: sp.Expr, values: dict[sp.Symbol, Fraction], cache: dict[sp.Basic, Fraction]) -> Fraction:
    """Evaluate a rational function of symbols exactly; ZeroDivisionError at a pole."""
    known = cache.get(expr)
    if known is not None:
        return known
    if expr.is_Symbol:
        result = values[expr]
    elif expr.is_Rational:
        result = Fraction(int(expr.p), int(expr.q))
    elif isinstance(expr, sp.Add):
        result = sum((evaluate_exact(arg, values, cache) for arg in expr.args), Fraction(0))
    elif isinstance(expr, sp.Mul):
        result = Fraction(1)
        for arg in expr.args:
            result *= evaluate_exact(arg, values, cache)
    elif isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        base = evaluate_exact(expr.base, values, cache)
        result = base ** int(expr.exp)
    else:
        raise NotRational(f"cannot evaluate {type(expr).__name__} exactly")
    cache[expr] = result
    return result


def degree_bound(expr: sp.Expr, cache: dict[sp.Basic, tuple[int, int]] | None = None) -> tuple[int, int]:
    """Return upper bounds on the total degrees of numerator and denominator of a rational function."""
    cache = {} if cache is None else cache
    known = cache.get(expr)
    if known is not None:
        return known
    if expr.is_Symbol:
        result = (1, 0)
    elif expr.is_Rational:
        result = (0, 0)
    elif isinstance(expr, sp.Add):
        numerator, denominator = degree_bound(expr.args[0], cache)
        for arg in expr.args[1:]:
            arg_numerator, arg_denominator = degree_bound(arg, cache)
            numerator = max(numerator + arg_denominator, arg_numerator + denominator)
            denominator += arg_denominator
        result = (numerator, denominator)
    elif isinstance(expr, sp.Mul):
        pairs = [degree_bound(arg, cache) for arg in expr.args]
        result = (sum(p[0] for p in pairs), sum(p[1] for p in pairs))
    elif isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        numerator, denominator = degree_bound(expr.base, cache)
        power = int(expr.exp)
        result = (numerator * power, denominator * power) if power >= 0 else (denominator * -power, numerator * -power)
    else:
        raise NotRational(f"no degree for {type(expr).__name__}")
    cache[expr] = result
    return result


def _random_rational(rng: random.Random, positive: bool) -> Fraction:
    low = 1 if positive else -HALF_WIDTH
    return Fraction(rng.randint(low, HALF_WIDTH), DENOMINATOR)


def _is_positive_symbol(symbol: sp.Symbol) -> bool:
    return bool(symbol.is_positive)


# --- consistent numeric points --------------------------------------------------------------


@dataclass
class ConsistentPoint:
    """A random point that respects the symbols' assumptions, for evaluating original expressions."""

    values: dict[sp.Basic, sp.Expr] = field(default_factory=dict)
    functions: dict[sp.Basic, sp.Lambda] = field(default_factory=dict)

    def describe(self) -> tuple[tuple[str, str], ...]:
        items = [(str(key), str(value)) for key, value in self.values.items()]
        items += [(str(key), str(value.expr)) for key, value in self.functions.items()]
        return tuple(sorted(items))


def _draw_consistent_point(
    expressions: Sequence[sp.Expr], context: RewriteContext, rng: random.Random, attempt: int = 0
) -> ConsistentPoint:
    """Draw values for every free symbol, indices inside their declared ranges.

    Index coincidences matter (a claim may be wrong only where i = j), so the
    attempts alternate: attempt 0 draws indices independently, attempt 1 gives
    every index the same value where the ranges allow it, and later attempts
    reuse an earlier index's value with probability 1/2.
    """
    point = ConsistentPoint()
    free: set[sp.Symbol] = set()
    for expr in expressions:
        # SymPy lists Indexed entries among the free symbols even when their index is bound by a
        # Sum, as in Sum(rho[k], (k, 1, K)); giving rho[k] one value would make every summand
        # equal. Indexed entries get their values in `_evaluate_at`, once the sums are expanded.
        free |= {symbol for symbol in expr.free_symbols if not isinstance(symbol, sp.Indexed)}
    # A size that only bounds an index still needs a value, even when the rewrites removed it from both sides.
    for index in free & set(context.index_ranges):
        for bound in context.index_ranges[index]:
            free |= sp.sympify(bound).free_symbols
    ordered = sorted(free, key=sp.default_sort_key)

    # Sizes first (positive integers not declared as indices), then indices inside their ranges.
    index_symbols = set(context.index_ranges)
    for symbol in ordered:
        if symbol.is_integer and symbol not in index_symbols:
            # A positive size starts at 2, so that sums and matrices have more than one entry.
            if symbol.is_positive:
                low = 2
            elif symbol.is_nonnegative:
                low = 0
            else:
                low = -6
            point.values[symbol] = sp.Integer(rng.randint(low, 6))
    drawn_indices: list[int] = []
    for symbol in ordered:
        if symbol in index_symbols:
            lower, upper = context.index_ranges[symbol]
            lower = int(sp.sympify(lower).xreplace(point.values))
            upper = int(sp.sympify(upper).xreplace(point.values))
            reusable = [value for value in drawn_indices if lower <= value <= upper]
            if reusable and (attempt == 1 or (attempt > 1 and rng.random() < 0.5)):
                value = reusable[0] if attempt == 1 else rng.choice(reusable)
            else:
                value = rng.randint(lower, upper)
            drawn_indices.append(value)
            point.values[symbol] = sp.Integer(value)
    for symbol in ordered:
        if symbol in point.values:
            continue
        if symbol.is_integer:
            point.values[symbol] = sp.Integer(rng.randint(1, 6))
            continue
        magnitude = sp.Rational(rng.randint(1, 3 * 97), 97)
        if symbol.is_positive or symbol.is_nonnegative:
            point.values[symbol] = magnitude
        else:
            point.values[symbol] = magnitude * rng.choice((-1, 1))

    # Undefined functions become random cubic polynomials.
    applied: set[sp.FunctionClass] = set()
    for expr in expressions:
        applied |= {node.func for node in expr.atoms(AppliedUndef)}
    variable = sp.Dummy("t")
    for function in sorted(applied, key=str):
        coefficients = [sp.Rational(rng.randint(-97, 97), 97) for _ in range(4)]
        point.functions[function] = sp.Lambda(variable, sum(c * variable**k for k, c in enumerate(coefficients)))
    return point


def _evaluate_at(expr: sp.Expr, point: ConsistentPoint, rng: random.Random) -> sp.Expr:
    value = expr
    for function, replacement in point.functions.items():
        value = value.replace(function, replacement)
    value = value.xreplace(point.values).doit()
    # Remaining Indexed entries (now with numeric indices) get random values of their own.
    indexed = sorted(value.atoms(sp.Indexed), key=sp.default_sort_key)
    if indexed:
        extra = {}
        for entry in indexed:
            # An entry of a positive IndexedBase, such as a probability, gets a positive value.
            low = 1 if entry.is_positive or entry.is_nonnegative else -3 * 97
            drawn = sp.Rational(rng.randint(low, 3 * 97), 97)
            point.values[entry] = drawn
            extra[entry] = drawn
        value = value.xreplace(extra).doit()
    return value


class _NotNumeric(Exception):
    """A node still contains a symbol, so it has no numeric value."""


def _to_mpmath(value: sp.Expr) -> mpmath.mpf | mpmath.mpc:
    evaluated = value.evalf(NUMERIC_DIGITS + 10)
    if not evaluated.is_number:
        raise _NotNumeric(str(value))
    real, imaginary = evaluated.as_real_imag()
    if imaginary == 0:
        return mpmath.mpf(real._to_mpmath(mpmath.mp.prec))
    return mpmath.mpc(real._to_mpmath(mpmath.mp.prec), imaginary._to_mpmath(mpmath.mp.prec))


def _from_mpmath(value: mpmath.mpf | mpmath.mpc) -> sp.Expr:
    if isinstance(value, mpmath.mpc):
        return sp.Float(value.real, NUMERIC_DIGITS) + sp.I * sp.Float(value.imag, NUMERIC_DIGITS)
    return sp.Float(value, NUMERIC_DIGITS)


def _evaluate_numeric(node: sp.Basic, cache: dict[sp.Basic, mpmath.mpf | mpmath.mpc]) -> mpmath.mpf | mpmath.mpc:
    """Evaluate a symbol-free expression bottom-up, each distinct subexpression once.

    SymPy's evalf walks the expression as a tree, so a subexpression shared many
    times (as in the Jacobian of a stacked recurrent cell) is evaluated again at
    every occurrence; caching by node keeps the cost linear in the number of
    distinct subexpressions.
    """
    known = cache.get(node)
    if known is not None:
        return known
    if node.is_Number or isinstance(node, sp.NumberSymbol) or node is sp.I:
        result = _to_mpmath(node)
    elif isinstance(node, sp.Add):
        result = mpmath.fsum(_evaluate_numeric(arg, cache) for arg in node.args)
    elif isinstance(node, sp.Mul):
        result = mpmath.fprod(_evaluate_numeric(arg, cache) for arg in node.args)
    elif isinstance(node, sp.Pow):
        base = _evaluate_numeric(node.base, cache)
        exponent = node.exp
        if exponent.is_Integer:
            result = base ** int(exponent)
        else:
            result = mpmath.power(base, _evaluate_numeric(exponent, cache))
    elif isinstance(node, sp.Function) and node.args:
        arguments = [_from_mpmath(_evaluate_numeric(arg, cache)) for arg in node.args]
        result = _to_mpmath(node.func(*arguments))
    else:
        result = _to_mpmath(node)
    cache[node] = result
    return result


def _numeric_value(value: sp.Expr) -> tuple[sp.Expr, bool]:
    """Return (value, exact) for display and comparison: exact for a rational, else 100 digits."""
    if value.is_Rational:
        return value, True
    if value.free_symbols:
        return value, False
    with mpmath.workdps(NUMERIC_DIGITS + 10):
        try:
            evaluated = _evaluate_numeric(value, {})
        except (_NotNumeric, ZeroDivisionError, ValueError, TypeError):
            return value.evalf(NUMERIC_DIGITS), False
        return _from_mpmath(evaluated), False


def find_consistent_counterexample(
    obtained: sp.Expr,
    stated: sp.Expr,
    context: RewriteContext,
    rng: random.Random,
    tries: int,
    entry: tuple[int, int] | None = None,
    point_filter: Callable[[dict[sp.Basic, sp.Expr]], bool] | None = None,
) -> tuple[Counterexample | None, int]:
    """Evaluate both sides at random consistent points; return a point where they differ.

    Returns (counterexample or None, number of points at which both sides agreed).
    """
    agreed = 0
    for attempt in range(tries):
        point = _draw_consistent_point([obtained, stated], context, rng, attempt)
        if point_filter is not None and not point_filter(point.values):
            continue
        try:
            left = _evaluate_at(obtained, point, rng)
            right = _evaluate_at(stated, point, rng)
        except (ZeroDivisionError, TypeError, ValueError):
            continue
        left_value, left_exact = _numeric_value(left)
        right_value, right_exact = _numeric_value(right)
        if not (left_value.is_number and right_value.is_number):
            continue
        if left_value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or right_value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            continue
        gap = sp.Abs(sp.N(left_value - right_value, NUMERIC_DIGITS))
        scale = 1 + sp.Abs(sp.N(left_value, 20)) + sp.Abs(sp.N(right_value, 20))
        if gap > NUMERIC_ZERO * scale:
            exact = left_exact and right_exact
            shown_left = str(left_value) if left_exact else str(sp.N(left_value, 30))
            shown_right = str(right_value) if right_exact else str(sp.N(right_value, 30))
            return (
                Counterexample(point=point.describe(), obtained=shown_left, stated=shown_right, entry=entry, exact=exact),
                agreed,
            )
        agreed += 1
    return None, agreed


# --- the decision ---------------------------------------------------------------------------


def _apply_rewrites(
    expr: sp.Expr, rewrites: Sequence[Rewrite], context: RewriteContext, used: list[str]
) -> sp.Expr:
    for rewrite in rewrites:
        rewritten = rewrite(expr, context)
        if rewritten != expr and rewrite.name not in used:
            used.append(rewrite.name)
        expr = rewritten
    return expr


def _rational_zero(expr: sp.Expr) -> bool:
    """Return True when a rational function of symbols is identically zero."""
    numerator = sp.numer(sp.together(expr))
    expanded = sp.expand(numerator)
    if expanded == 0:
        return True
    if any(isinstance(node, sp.Pow) and node.exp.is_negative for node in sp.preorder_traversal(expanded)):
        return sp.cancel(expr) == 0
    return False


# Differences larger than this many nodes are not printed: the text would be unreadable, and
# printing it can take longer than the check itself.
PRINTABLE_NODES = 3000


def _too_large(expr: sp.Basic) -> bool:
    return any(count > PRINTABLE_NODES for count, _ in enumerate(sp.preorder_traversal(expr), start=1))


def _printable(expr: sp.Basic) -> str:
    if _too_large(expr):
        return f"(not printed: the difference has more than {PRINTABLE_NODES} nodes)"
    return str(expr)


def _reduced_difference(difference: sp.Expr, abstraction: Abstraction, abstracted: sp.Expr) -> str:
    """Return a short, readable form of a non-zero difference, for the error message."""
    if _too_large(abstracted):
        return _printable(abstracted)
    try:
        with time_budget(2.0):
            reduced = sp.cancel(abstracted)
            back = {symbol: atom for atom, symbol in abstraction.atoms.items()}
            return _printable(reduced.xreplace(back))
    except (BudgetExceeded, sp.PolynomialError, NotRational):
        return _printable(difference)


@dataclass
class Prepared:
    """The seed-independent part of a decision: rewritten sides and their atom abstraction.

    Rewrites and abstraction do not depend on the random points, so a caller
    that decides the same claim under many seeds can prepare it once.
    """

    sides: list[tuple[tuple[int, int] | None, sp.Expr, sp.Expr]]
    nonzero: list[tuple[tuple[int, int] | None, sp.Expr, sp.Expr, sp.Expr]]
    used: list[str]
    abstraction: Abstraction
    abstraction_ok: bool
    abstract_sides: list[tuple[sp.Expr, sp.Expr]]
    abstracted: list[sp.Expr]
    degrees: list[int]


def prepare(
    obtained: object, stated: object, rewrites: Sequence[Rewrite] = (), context: RewriteContext | None = None
) -> Prepared:
    """Apply the rewrites to both sides and abstract them; raises `MalformedClaim` for bad sides."""
    context = context or RewriteContext()
    entries = entries_of(obtained, stated)
    used: list[str] = []
    # Rewrites are equalities, so they are applied to each side on its own; the sides are then
    # compared through their difference.
    sides = [
        (index, _apply_rewrites(left, rewrites, context, used), _apply_rewrites(right, rewrites, context, used))
        for index, left, right in entries
    ]
    nonzero = [(index, left, right, left - right) for index, left, right in sides]
    nonzero = [item for item in nonzero if item[3] != 0]

    abstraction = Abstraction()
    abstraction_ok = True
    abstract_sides: list[tuple[sp.Expr, sp.Expr]] = []
    abstracted: list[sp.Expr] = []
    degrees: list[int] = [0]
    try:
        abstract_sides = [(abstraction.abstract(left), abstraction.abstract(right)) for _, left, right in sides]
        abstracted = [abstraction.abstract(diff) for _, _, _, diff in nonzero]
        degrees = [degree_bound(expr)[0] for expr in abstracted] or [0]
    except NotRational:
        abstraction_ok = False
    return Prepared(sides, nonzero, used, abstraction, abstraction_ok, abstract_sides, abstracted, degrees)


def decide(
    obtained: object,
    stated: object,
    *,
    label: str,
    rewrites: Sequence[Rewrite] = (),
    context: RewriteContext | None = None,
    settings: CheckSettings = DEFAULT_SETTINGS,
    point_filter: Callable[[dict[sp.Basic, sp.Expr]], bool] | None = None,
    prepared: Prepared | None = None,
) -> Verdict:
    """Decide ``obtained == stated`` and return a verdict that records how.

    `point_filter`, when given, rejects consistent random points (those that
    respect the symbols' assumptions) that the claim's conditions exclude, so
    a counterexample always satisfies the conditions. `prepared`, from
    `prepare` on the same sides, rewrites and context, skips that work.

    `label` seeds the random points (with `settings.seed`), so a claim is always
    tested at the same points. Raises `MalformedClaim` for mismatched shapes or
    sides that are not SymPy objects.
    """
    started = time.perf_counter()
    context = context or RewriteContext()
    if prepared is None:
        prepared = prepare(obtained, stated, rewrites, context)
    sides, nonzero, used = prepared.sides, prepared.nonzero, prepared.used
    abstraction, abstraction_ok = prepared.abstraction, prepared.abstraction_ok
    abstract_sides, abstracted, degrees = prepared.abstract_sides, prepared.abstracted, prepared.degrees

    def elapsed() -> float:
        return time.perf_counter() - started

    rng = random.Random(f"{settings.seed}:{label}")

    # Step 1: exact random points on the abstraction, each side evaluated on its own; a non-zero
    # difference is confirmed on the original sides before the claim is called false.
    passed_points = 0
    if abstraction_ok:
        symbols = sorted(
            set().union(*[left.free_symbols | right.free_symbols for left, right in abstract_sides]),
            key=sp.default_sort_key,
        )
        attempts = 0
        while passed_points < settings.points and attempts < settings.points * 5:
            attempts += 1
            values = {symbol: _random_rational(rng, _is_positive_symbol(symbol)) for symbol in symbols}
            cache: dict[sp.Basic, Fraction] = {}
            try:
                failing = next(
                    (
                        position
                        for position, (left, right) in enumerate(abstract_sides)
                        if evaluate_exact(left, values, cache) != evaluate_exact(right, values, cache)
                    ),
                    None,
                )
            except ZeroDivisionError:
                continue  # a pole of the rational function: draw another point
            if failing is None:
                passed_points += 1
                continue
            index, left, right = sides[failing]
            counterexample, agreed = find_consistent_counterexample(
                left, right, context, rng, max(settings.numeric_points, 3), entry=index, point_filter=point_filter
            )
            if counterexample is not None:
                abstract_left, abstract_right = abstract_sides[failing]
                return Verdict(
                    Method.FALSE,
                    "the two sides differ",
                    counterexample=counterexample,
                    difference=(
                        _reduced_difference(left - right, abstraction, abstract_left - abstract_right)
                        if settings.describe_failures
                        else None
                    ),
                    rewrites=tuple(used),
                    seconds=elapsed(),
                )
            # The abstraction lost a relation between atoms; fall back to consistent points.
            abstraction_ok = False
            break
        if passed_points == 0:
            abstraction_ok = False

    if abstraction_ok and not nonzero:
        return Verdict(
            Method.PROVED,
            "the difference is 0 after construction and rewrites",
            points=passed_points,
            rewrites=tuple(used),
            seconds=elapsed(),
        )

    if abstraction_ok:
        # Step 2: rational-function normal form under the budget.
        try:
            if not settings.symbolic:
                raise BudgetExceeded("symbolic reduction skipped")
            with time_budget(settings.budget_seconds):
                all_zero = all(_rational_zero(expr) for expr in abstracted)
        except BudgetExceeded:
            bound = Fraction(max(degrees), 2 * HALF_WIDTH + 1) ** passed_points if passed_points else None
            return Verdict(
                Method.IDENTITY_TESTED,
                f"symbolic reduction exceeded {settings.budget_seconds:g} s; exactly zero at {passed_points} random rational points",
                points=passed_points,
                failure_bound=bound,
                rewrites=tuple(used),
                seconds=elapsed(),
            )
        if all_zero:
            return Verdict(
                Method.PROVED,
                "the atom-abstracted difference is the zero rational function",
                points=passed_points,
                rewrites=tuple(used),
                seconds=elapsed(),
            )
        # A non-zero normal form that vanished at every point drawn: look harder for a witness.
        abstraction_ok = False

    # Step 3: only consistent points remain (numeric evidence).
    total_agreed = 0
    for index, left, right in sides:
        diff = left - right
        counterexample, agreed = find_consistent_counterexample(
            left, right, context, rng, settings.numeric_points, entry=index, point_filter=point_filter
        )
        if counterexample is not None:
            return Verdict(
                Method.FALSE,
                "the two sides differ",
                counterexample=counterexample,
                difference=_printable(diff),
                rewrites=tuple(used),
                seconds=elapsed(),
            )
        if agreed == 0:
            return Verdict(
                Method.UNDECIDED,
                f"entry {index}: no random point could be evaluated, and symbolic reduction did not reach 0",
                difference=_printable(diff),
                rewrites=tuple(used),
                seconds=elapsed(),
            )
        total_agreed = agreed if total_agreed == 0 else min(total_agreed, agreed)
    return Verdict(
        Method.NUMERIC,
        f"symbolic reduction did not reach 0; at random points the sides agree to within 1e-85 "
        f"of their size, evaluated with {NUMERIC_DIGITS} digits",
        points=total_agreed,
        rewrites=tuple(used),
        seconds=elapsed(),
    )
