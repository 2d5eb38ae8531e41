"""Named rewrites that bring a difference towards zero before it is tested.

Each rewrite is a small, total function from an expression to an equal
expression. The engine applies the rewrites a claim names, in order, and the
verdict records which of them changed anything, so the sheet can say how a
claim was reduced. General `simplify` is deliberately not one of them: it is
slow on non-zero differences and its zero is not trusted on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

IndexRanges = Mapping[sp.Symbol, tuple[sp.Expr, sp.Expr]]


@dataclass(frozen=True)
class RewriteContext:
    """Facts a rewrite may rely on: the declared range of each index symbol."""

    index_ranges: IndexRanges = field(default_factory=dict)


@dataclass(frozen=True)
class Rewrite:
    """A named, documented rewrite rule."""

    name: str
    description: str
    apply: Callable[[sp.Expr, RewriteContext], sp.Expr]

    def __call__(self, expr: sp.Expr, context: RewriteContext | None = None) -> sp.Expr:
        return self.apply(expr, context or RewriteContext())


# --- index notation -----------------------------------------------------------------------


def _range_contains(
    inner: tuple[sp.Expr, sp.Expr] | None, lower: sp.Expr, upper: sp.Expr
) -> bool:
    """Return True when the declared range `inner` lies inside [lower, upper] for sure."""
    if inner is None:
        return False
    inner_lower, inner_upper = inner
    return bool(sp.simplify(inner_lower - lower).is_nonnegative) and bool(
        sp.simplify(upper - inner_upper).is_nonnegative
    )


def _delta_partner(delta: sp.KroneckerDelta, variable: sp.Symbol) -> sp.Expr | None:
    """For a delta between `variable` and some other index, return that other index."""
    first, second = delta.args[0], delta.args[1]
    if first == variable and variable not in second.free_symbols:
        return second
    if second == variable and variable not in first.free_symbols:
        return first
    return None


def _expand_one_sum(summation: sp.Sum, context: RewriteContext) -> sp.Expr:
    """Expand Sum(body, (k, lower, upper)) by linearity, deltas and constants."""
    if len(summation.limits) > 1:
        # Sum(f, (i, ...), (j, ...)) sums over i innermost: nest it and expand each level.
        inner = sp.Sum(summation.function, summation.limits[0])
        outer_limits = summation.limits[1:]
        return _expand_one_sum(sp.Sum(_expand_one_sum(inner, context), *outer_limits), context)

    variable, lower, upper = summation.limits[0]
    body = sp.expand(summation.function)
    result = sp.Integer(0)
    for term in sp.Add.make_args(body):
        constant, dependent = term.as_independent(variable, as_Add=False)
        if dependent == 1:
            # Sum over k of a term free of k: (upper - lower + 1) copies of it.
            result += constant * (upper - lower + 1)
            continue
        replaced = False
        for factor in sp.Mul.make_args(dependent):
            if not isinstance(factor, sp.KroneckerDelta):
                continue
            partner = _delta_partner(factor, variable)
            if partner is None:
                continue
            partner_range = context.index_ranges.get(partner) if isinstance(partner, sp.Symbol) else None
            if _range_contains(partner_range, lower, upper):
                # Sum over k of g(k) delta(k, i) = g(i), because i lies in the summation range.
                rest = sp.Mul(*[f for f in sp.Mul.make_args(dependent) if f is not factor])
                result += constant * rest.subs(variable, partner)
                replaced = True
                break
        if not replaced:
            result += constant * sp.Sum(dependent, (variable, lower, upper))
    return result


def _canonical_dummies(expr: sp.Expr) -> sp.Expr:
    """Rename every summation variable to a name fixed by its nesting depth.

    Two sums that differ only in the name of their bound variable, such as
    Sum(y[l], (l, 1, n)) and Sum(y[m], (m, 1, n)), then become the same object
    and cancel in a difference.
    """

    def rebuild(node: sp.Basic, depth: int) -> sp.Basic:
        if isinstance(node, sp.Sum):
            body = node.function
            limits = []
            for offset, (variable, lower, upper) in enumerate(node.limits):
                canonical = sp.Symbol(f"_k{depth + offset}", integer=True)
                body = body.xreplace({variable: canonical})
                limits.append((canonical, rebuild(lower, depth), rebuild(upper, depth)))
            return sp.Sum(rebuild(body, depth + len(node.limits)), *limits)
        if not node.args:
            return node
        return node.func(*[rebuild(arg, depth) for arg in node.args])

    return rebuild(expr, 0)


def _expand_sums(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    current = expr
    for _ in range(8):
        expanded = current.replace(
            lambda node: isinstance(node, sp.Sum), lambda node: _expand_one_sum(node, context)
        )
        expanded = _canonical_dummies(expanded)
        if expanded == current:
            return current
        current = expanded
    return current


EXPAND_SUMS = Rewrite(
    "expand_sums",
    "linearity of finite sums, sum of a constant over 1..n, and sum over k of g(k) delta(k, i) "
    "= g(i) for an index i declared in the summation range; bound variables renamed canonically",
    _expand_sums,
)


def _delta_of_range(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    """Replace Piecewise((value, lower <= i <= upper), (0, True)) by value when i is declared in range."""

    def simplify_piecewise(node: sp.Piecewise) -> sp.Expr:
        if len(node.args) != 2 or node.args[1].expr != 0 or node.args[1].cond != sp.true:
            return node
        value, condition = node.args[0].expr, node.args[0].cond
        bounds = [condition] if not isinstance(condition, sp.And) else list(condition.args)
        for bound in bounds:
            if not isinstance(bound, (sp.GreaterThan, sp.LessThan, sp.StrictGreaterThan, sp.StrictLessThan)):
                return node
            symbols = bound.free_symbols & set(context.index_ranges)
            if len(symbols) != 1:
                return node
            (index,) = symbols
            lower, upper = context.index_ranges[index]
            at_lower = bound.subs(index, lower)
            at_upper = bound.subs(index, upper)
            if not (at_lower == sp.true and at_upper == sp.true):
                return node
        return value

    return expr.replace(lambda node: isinstance(node, sp.Piecewise), simplify_piecewise)


DELTA_RANGE_PIECEWISE = Rewrite(
    "piecewise_in_range",
    "drop the Piecewise((v, 1 <= i <= n), (0, True)) that SymPy's Sum.doit leaves when i is declared in 1..n",
    _delta_of_range,
)


def _delta_power(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return expr.replace(
        lambda node: isinstance(node, sp.Pow)
        and isinstance(node.base, sp.KroneckerDelta)
        and node.exp.is_Integer
        and node.exp > 0,
        lambda node: node.base,
    )


DELTA_IDEMPOTENT = Rewrite("delta_idempotent", "delta(i, j)**k = delta(i, j) for k >= 1", _delta_power)


# --- elementary functions -----------------------------------------------------------------


def _expand_log(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return sp.expand_log(expr, force=True)


EXPAND_LOG = Rewrite(
    "expand_log",
    "log(a b) = log a + log b and log(a**k) = k log a; only valid for positive arguments, "
    "which the claim must state as an assumption",
    _expand_log,
)


def _exp_to_product(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return sp.powsimp(sp.expand(expr, power_exp=True, mul=False, multinomial=False, log=False), combine="exp")


COMBINE_EXP = Rewrite("combine_exp", "exp(a) exp(b) = exp(a + b)", _exp_to_product)


def _evaluate_derivatives(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    return expr.doit(deep=True)


EVALUATE = Rewrite("doit", "evaluate unevaluated derivatives, sums with numeric limits and limits", _evaluate_derivatives)


# --- square roots ---------------------------------------------------------------------------


class SquareRoot(sp.Function):
    """sqrt(x) kept as a function application, so that SymPy never folds SquareRoot(x)**2 back into x.

    Only the `powers_of_square_roots` rewrite creates it. A numeric argument evaluates to
    `sqrt`, so the engine's numeric points give it the same value as the root it replaced.
    """

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_number:
            return sp.sqrt(arg)
        return None

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return r"\sqrt{" + printer._print(self.args[0]) + "}"


def _powers_of_square_roots(expr: sp.Expr, context: RewriteContext) -> sp.Expr:
    # Atom abstraction turns sqrt(b) into a fresh symbol r but keeps a polynomial b as it is, so
    # it cannot see that b = r**2. Writing every b**(k/2) and every bare b as a power of one
    # SquareRoot(b) makes the abstraction map all of them to powers of the same atom.
    roots: dict[sp.Expr, sp.Expr] = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_Rational and node.exp.q == 2:
            roots.setdefault(sp.expand(node.base), node.base)
    if not roots:
        return expr
    structural = {base: key for key, base in roots.items()}
    expanded_cache: dict[sp.Basic, sp.Expr | None] = {}

    def root_key(candidate: sp.Basic) -> sp.Expr | None:
        # A structurally equal base is found at once; otherwise compare expanded forms, but only
        # for sums over the same symbols, because expanding every subexpression is slow.
        if candidate in structural:
            return structural[candidate]
        if not isinstance(candidate, sp.Add):
            return None
        if candidate not in expanded_cache:
            expanded = None
            if any(candidate.free_symbols == key.free_symbols for key in roots):
                key = sp.expand(candidate)
                expanded = key if key in roots else None
            expanded_cache[candidate] = expanded
        return expanded_cache[candidate]

    def rebuild(node: sp.Basic) -> sp.Basic:
        if isinstance(node, sp.Pow) and node.exp.is_Rational and node.exp.q in (1, 2):
            key = root_key(node.base)
            if key is not None:
                return SquareRoot(roots[key]) ** int(2 * node.exp)
        if isinstance(node, sp.Mul):
            factors = []
            for factor in node.args:
                key = root_key(factor) if isinstance(factor, sp.Add) else None
                factors.append(SquareRoot(roots[key]) ** 2 if key is not None else rebuild(factor))
            return sp.Mul(*factors)
        if not node.args or isinstance(node, SquareRoot):
            return node
        return node.func(*[rebuild(arg) for arg in node.args])

    return rebuild(expr)


POWERS_OF_SQUARE_ROOTS = Rewrite(
    "powers_of_square_roots",
    "b**(k/2) = SquareRoot(b)**k and b = SquareRoot(b)**2 for every b whose square root appears, "
    "so that atom abstraction sees one root atom per b (valid for any b, principal branch)",
    _powers_of_square_roots,
)


REGISTRY: dict[str, Rewrite] = {
    rewrite.name: rewrite
    for rewrite in (EXPAND_SUMS, DELTA_RANGE_PIECEWISE, DELTA_IDEMPOTENT, EXPAND_LOG, COMBINE_EXP, EVALUATE,
                    POWERS_OF_SQUARE_ROOTS)
}
