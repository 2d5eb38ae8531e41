"""The mutation suite: plausible wrong variants of every stated form, which the engine must reject.

Each mutation is a small named change of the kind a hand-typed solution
contains: a flipped sign, ``1 - x`` written ``1 + x``, a dropped term or factor,
a factor of two, an extra term, ``n`` for ``n - 1``, swapped indices, a
transposed matrix, and for stated numbers a shift by -1 or 1/4, or 0 or 1 in its place.
A mutant counts as killed when the engine's verdict on it is FALSE. A mutant
the engine finds equal to the original stated form is equivalent (a true
claim) and is set aside; any other verdict is a survivor and a defect of the
engine or of the claim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from derive.claims import Claim
from derive.paper import Answer, Part
from derive.verdict import Method, Verdict
from derive.rewrites import RewriteContext
from derive.verify import CheckSettings, decide

ExprMutation = Callable[[sp.Expr], sp.Expr | None]


def _first(expr: sp.Basic, predicate: Callable[[sp.Basic], bool]) -> sp.Basic | None:
    return next((node for node in sp.preorder_traversal(expr) if predicate(node)), None)


def _replace_once(expr: sp.Expr, old: sp.Basic, new: sp.Basic) -> sp.Expr:
    return expr.xreplace({old: new})


def flip_sign(expr: sp.Expr) -> sp.Expr | None:
    """Negate one term of the top-level sum, or the whole expression when it is not a sum."""
    if expr == 0:
        return None
    if isinstance(expr, sp.Add):
        first, *rest = expr.args
        return sp.Add(-first, *rest)
    return -expr


def one_minus_to_plus(expr: sp.Expr) -> sp.Expr | None:
    """Turn the first ``1 - x`` into ``1 + x``, as in phi(1 + phi) for phi(1 - phi)."""
    target = _first(
        expr,
        lambda node: isinstance(node, sp.Add)
        and sp.Integer(1) in node.args
        and any(arg.could_extract_minus_sign() for arg in node.args if arg != 1),
    )
    if target is None:
        return None
    flipped = sp.Add(*[-arg if arg != 1 and arg.could_extract_minus_sign() else arg for arg in target.args])
    return _replace_once(expr, target, flipped)


def drop_term(expr: sp.Expr) -> sp.Expr | None:
    """Remove the last term of the first sum found (outermost first)."""
    target = _first(expr, lambda node: isinstance(node, sp.Add) and len(node.args) >= 2)
    if target is None:
        return None
    return _replace_once(expr, target, sp.Add(*target.args[:-1]))


def drop_factor(expr: sp.Expr) -> sp.Expr | None:
    """Remove the last non-numeric factor of the first product with two or more of them."""
    target = _first(
        expr,
        lambda node: isinstance(node, sp.Mul) and sum(1 for arg in node.args if not arg.is_number) >= 2,
    )
    if target is None:
        return None
    factors = list(target.args)
    last = max(index for index, arg in enumerate(factors) if not arg.is_number)
    return _replace_once(expr, target, sp.Mul(*(factors[:last] + factors[last + 1 :])))


def double(expr: sp.Expr) -> sp.Expr | None:
    """Multiply by 2, the typical lost or extra factor of a quadratic form."""
    return None if expr == 0 else 2 * expr


def add_one(expr: sp.Expr) -> sp.Expr | None:
    """Add 1: an extra term, such as an identity matrix that does not belong."""
    return expr + 1


def subtract_one(expr: sp.Expr) -> sp.Expr | None:
    """Subtract 1 from a finite stated number (a limit of 0 stated as -1, say); other forms are left alone."""
    return expr - 1 if expr.is_number and expr.is_finite else None


def add_quarter(expr: sp.Expr) -> sp.Expr | None:
    """Add 1/4 to a finite stated number, the sigmoid's maximum slope; other forms are left alone."""
    return expr + sp.Rational(1, 4) if expr.is_number and expr.is_finite else None


def to_zero(expr: sp.Expr) -> sp.Expr | None:
    """Replace a non-zero stated number (an infinite limit, say) by 0."""
    return sp.Integer(0) if expr.is_number and expr != 0 else None


def to_one(expr: sp.Expr) -> sp.Expr | None:
    """Replace a stated number other than 1 by 1 (a limit of 0 or infinity stated as 1, say)."""
    return sp.Integer(1) if expr.is_number and expr != 1 else None


def shift_size(expr: sp.Expr) -> sp.Expr | None:
    """Replace a positive-integer size symbol n by n - 1 (1/n for 1/(n - 1) and the reverse)."""
    sizes = sorted(
        (symbol for symbol in expr.free_symbols if symbol.is_integer and symbol.is_positive),
        key=sp.default_sort_key,
    )
    if not sizes:
        return None
    return expr.xreplace({sizes[0]: sizes[0] - 1})


def swap_indices(expr: sp.Expr) -> sp.Expr | None:
    """Swap the first two free integer index symbols, such as W_ji for W_ij.

    Summation variables are bound, and swapping them only renames them, so
    only free index symbols take part.
    """
    free = expr.free_symbols
    indices = sorted(
        {
            index
            for node in expr.atoms(sp.Indexed)
            for index in node.indices
            if isinstance(index, sp.Symbol) and index.is_integer and index in free
        }
        | {symbol for symbol in free if isinstance(symbol, sp.Symbol) and symbol.is_integer and not symbol.is_positive},
        key=sp.default_sort_key,
    )
    if len(indices) < 2:
        return None
    first, second = indices[:2]
    return expr.xreplace({first: second, second: first})


# In order of how often the error appears in hand-typed solutions, so that a caller that
# takes the first few mutants of a claim gets the most plausible ones.
EXPRESSION_MUTATIONS: dict[str, ExprMutation] = {
    "flip_sign": flip_sign,
    "one_minus_to_plus": one_minus_to_plus,
    "shift_size": shift_size,
    "swap_indices": swap_indices,
    "drop_term": drop_term,
    "drop_factor": drop_factor,
    "double": double,
    "add_one": add_one,
    "subtract_one": subtract_one,
    "add_quarter": add_quarter,
    "to_zero": to_zero,
    "to_one": to_one,
}


def _mutate_matrix(matrix: sp.MatrixBase, mutation: ExprMutation) -> sp.Matrix | None:
    """Apply a mutation to the first entry (row-major) where it changes something."""
    mutated = sp.Matrix(matrix)
    for row in range(matrix.rows):
        for column in range(matrix.cols):
            entry = matrix[row, column]
            changed = mutation(entry)
            if changed is not None and changed != entry:
                mutated[row, column] = changed
                return mutated
    return None


def mutate_stated(stated: object) -> list[tuple[str, object]]:
    """Return (mutation name, mutated stated side) for every mutation that changes it."""
    variants: list[tuple[str, object]] = []
    if isinstance(stated, sp.MatrixExpr) and not isinstance(stated, sp.MatrixBase):
        # A matrix expression of symbolic shape: only whole-matrix mutations make sense.
        if stated.is_square:
            variants.append(("transpose", sp.Transpose(stated).doit()))
        variants.append(("flip_sign", -stated))
        variants.append(("double", 2 * stated))
        return [(name, variant) for name, variant in variants if variant != stated]
    if isinstance(stated, sp.MatrixBase):
        if stated.rows == stated.cols and stated != stated.T:
            variants.append(("transpose", sp.Matrix(stated.T)))
        for name, mutation in EXPRESSION_MUTATIONS.items():
            mutated = _mutate_matrix(stated, mutation)
            if mutated is not None:
                variants.append((name, mutated))
        return variants
    if not isinstance(stated, sp.Expr):
        return variants
    seen = {stated}
    for name, mutation in EXPRESSION_MUTATIONS.items():
        mutated = mutation(stated)
        if mutated is not None and mutated not in seen:
            seen.add(mutated)
            variants.append((name, mutated))
    return variants


@dataclass(frozen=True)
class MutantResult:
    """The verdict on one mutant of one claim.

    `equivalent` marks a mutant that the engine found equal to the original
    stated form (a sign flip of a zero matrix, a transpose of a symmetric
    one): it is a true claim, set aside rather than counted as a survivor.
    """

    claim_id: str
    mutation: str
    verdict: Verdict
    equivalent: bool = False

    @property
    def killed(self) -> bool:
        return self.verdict.method is Method.FALSE


# Mutants only need to be refuted, which the random points do at once, so skip the normal form.
MUTANT_SETTINGS = CheckSettings(
    points=3, numeric_points=3, symbolic=False, claim_budget_seconds=30.0, describe_failures=False
)


def mutation_candidates(claim: Claim) -> list[tuple[str, Claim]]:
    """Return the mutated claims of one claim (empty when it has no restatable stated side)."""
    if claim.stated is None:
        return []
    candidates = []
    for name, stated in mutate_stated(claim.stated):
        try:
            mutant = claim.restate(stated)
        except Exception:  # noqa: BLE001 - a mutant the claim refuses to build is not a test
            continue
        if mutant is not None:
            candidates.append((name, mutant))
    return candidates


def run_mutants(
    selection: Sequence[tuple[Answer, Part]],
    settings: CheckSettings = MUTANT_SETTINGS,
    per_claim: int | None = None,
) -> list[MutantResult]:
    """Check the mutants of every claim of the selected parts.

    With `per_claim`, each claim stops after that many mutants that are not
    equivalent, so a claim whose first variants happen to be true (a doubled
    zero matrix) still gets `per_claim` real tests.
    """
    results = []
    for _, part in selection:
        for claim in part.all_claims():
            counted = 0
            for name, mutant in mutation_candidates(claim):
                if per_claim is not None and counted >= per_claim:
                    break
                verdict = mutant.check(settings)
                equivalent = verdict.method is not Method.FALSE and _proved_equal(claim, mutant)
                results.append(MutantResult(claim.id, name, verdict, equivalent))
                counted += 0 if equivalent else 1
    return results


def _proved_equal(claim: Claim, mutant: Claim) -> bool:
    """Return True when the engine proves the mutant's stated side equal to the original's."""
    if claim.decide_with is not None:
        same = decide(mutant.stated, claim.stated, label=f"{claim.id}/equivalent")
    else:
        same = decide(
            mutant.stated,
            claim.stated,
            label=f"{claim.id}/equivalent",
            rewrites=claim.rewrites,
            context=RewriteContext(dict(claim.index_ranges)),
        )
    # Numeric agreement at 100 digits counts too: the mutant is then as true as the claim it came from.
    return same.holds


def kill_rate_line(results: Sequence[MutantResult]) -> str:
    """Return the one-line summary of a mutation run."""
    counted = [result for result in results if not result.equivalent]
    killed = sum(1 for result in counted if result.killed)
    total = len(counted)
    rate = 100.0 * killed / total if total else 0.0
    line = f"mutation suite: killed {killed} of {total} mutants ({rate:.1f}%)"
    set_aside = len(results) - total
    if set_aside:
        line += f"; {set_aside} equivalent mutants set aside (equal to the stated form)"
    return line
