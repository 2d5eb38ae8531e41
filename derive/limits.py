"""Limit claims: SymPy's limit, cross-checked by evaluating close to the limit point."""

from __future__ import annotations

import functools
import random
import time

import sympy as sp

from derive.claims import Claim
from derive.functions import sigmoid
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings, decide

# The expression is evaluated at these distances from an infinite limit point; the value must
# approach the stated limit monotonically in the error, to this many digits.
_PROBE_ARGUMENTS = (sp.Integer(20), sp.Integer(40), sp.Integer(80))


@functools.lru_cache(maxsize=1024)
def _limit_of(expr: sp.Expr, variable: sp.Symbol, point: sp.Expr) -> sp.Expr:
    """Take SymPy's limit with the sigmoid written out in exp, which `limit` understands.

    Cached, because a claim and its mutants ask for the same limit.
    """
    return sp.limit(expr.rewrite(sp.exp) if expr.has(sigmoid) else expr, variable, point)


def limit_claim(
    claim_id: str,
    statement: str,
    expr: sp.Expr,
    variable: sp.Symbol,
    point: sp.Expr,
    stated: sp.Expr,
    assumptions: tuple[str, ...] = (),
) -> Claim:
    """Return a claim that ``lim_{variable -> point} expr == stated``.

    The limit is computed by SymPy (`sympy.limit`, Gruntz's algorithm) and the
    verdict is "proved" only if the stated value also agrees with evaluations
    of `expr` at points approaching an infinite `point`, with the other symbols
    at random values, and the error shrinks along the way. This guards against
    a wrong limit from SymPy as well as a wrong stated value.
    """

    def decide_limit(settings: CheckSettings) -> Verdict:
        started = time.perf_counter()
        obtained = _limit_of(expr, variable, point)
        if obtained.has(sp.Limit) or obtained.has(sp.AccumBounds):
            return Verdict(
                Method.UNDECIDED,
                f"SymPy could not evaluate the limit, it returned {obtained}",
                seconds=time.perf_counter() - started,
            )
        # Compare with the engine, the stated value written in exp as the limit is.
        comparison = decide(
            obtained,
            stated.rewrite(sp.exp) if stated.has(sigmoid) else stated,
            label=f"{claim_id}/value",
            settings=settings,
        )
        if comparison.method is Method.FALSE:
            return Verdict(
                Method.FALSE,
                f"SymPy's limit is {obtained}, not {stated}",
                difference=comparison.difference,
                counterexample=comparison.counterexample,
                seconds=time.perf_counter() - started,
            )
        if not comparison.holds:
            return comparison
        if point not in (sp.oo, -sp.oo):
            return Verdict(Method.PROVED, "SymPy's limit", seconds=time.perf_counter() - started)

        rng = random.Random(f"{settings.seed}:{claim_id}")
        # Indexed entries and real symbols get random rationals, integer symbols small integers.
        values: dict[sp.Basic, sp.Expr] = {
            entry: sp.Rational(rng.randint(-200, 200), 97)
            for entry in sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key)
        }
        plain = expr.xreplace(values)
        for symbol in sorted(plain.free_symbols - {variable}, key=sp.default_sort_key):
            if symbol.is_integer:
                values[symbol] = sp.Integer(rng.randint(1, 4))
            else:
                values[symbol] = sp.Rational(rng.randint(-200, 200), 97)
        sign = 1 if point == sp.oo else -1
        errors = []
        for argument in _PROBE_ARGUMENTS:
            value = expr.xreplace(values).xreplace({variable: sign * argument}).rewrite(sp.exp).evalf(60)
            errors.append(abs(sp.N(value - stated.xreplace(values), 60)))
        shrinking = all(later <= earlier for earlier, later in zip(errors, errors[1:]))
        if not shrinking or errors[-1] > sp.Float("1e-6"):
            return Verdict(
                Method.UNDECIDED,
                f"SymPy's limit is {obtained}, but the errors near the limit point are {[sp.N(e, 5) for e in errors]}",
                seconds=time.perf_counter() - started,
            )
        return Verdict(
            Method.PROVED,
            f"SymPy's limit, cross-checked at {variable} = {sign * _PROBE_ARGUMENTS[-1]} (error {sp.N(errors[-1], 3)})",
            seconds=time.perf_counter() - started,
        )

    return Claim(
        id=claim_id,
        statement=statement,
        stated=stated,
        assumptions=assumptions,
        decide_with=decide_limit,
        restate_with=lambda other: limit_claim(claim_id, statement, expr, variable, point, other, assumptions),
    )
