"""Verdicts: how a claim was decided, and the evidence behind the decision."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction


class Method(enum.Enum):
    """How a verdict was reached, from strongest to weakest evidence.

    PROVED
        The difference of the two sides, after named rewrites and with
        non-polynomial atoms (function applications, sums, roots) replaced by
        fresh symbols, reduces to the zero rational function. Treating atoms as
        independent symbols only removes relations between them, so a zero
        here is a proof for the original expression. It is also backed by
        exact evaluation at random rational points.
    IDENTITY_TESTED
        The same atom-abstracted difference evaluates to exactly zero at every
        one of `points` random rational points, but symbolic reduction ran out
        of budget. The verdict states a Schwartz-Zippel bound on the chance
        that a non-zero difference passed.
    NUMERIC
        The difference only vanished numerically (below 1e-85 of the sides'
        size, evaluated with 100 digits) at random points that respect the
        symbols' assumptions.
    UNDECIDED
        None of the above could be established within the budget.
    FALSE
        The two sides differ at an explicit point, shown in the verdict.
    """

    PROVED = "proved symbolically"
    IDENTITY_TESTED = "identity-tested at exact random points"
    NUMERIC = "checked numerically only"
    UNDECIDED = "undecided"
    FALSE = "false"

    @property
    def holds(self) -> bool:
        return self in (Method.PROVED, Method.IDENTITY_TESTED, Method.NUMERIC)


@dataclass(frozen=True)
class Counterexample:
    """A point where the obtained and stated forms of a claim differ.

    `point` maps symbol names to values. `obtained` and `stated` are the two
    sides at that point (exact where possible, otherwise 30 digits), `entry`
    is the zero-based (row, column) of the differing entry for matrix claims;
    messages print it one-based.
    """

    point: tuple[tuple[str, str], ...]
    obtained: str
    stated: str
    entry: tuple[int, int] | None = None
    exact: bool = True

    def describe(self) -> str:
        where = ", ".join(f"{name} = {value}" for name, value in self.point) or "(no free symbols)"
        entry = f" in entry ({self.entry[0] + 1}, {self.entry[1] + 1})" if self.entry is not None else ""
        kind = "exactly" if self.exact else "numerically, to 30 digits"
        return (
            f"at {where}{entry} ({kind}): obtained = {self.obtained}, stated = {self.stated}"
        )


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one claim."""

    method: Method
    detail: str
    points: int = 0
    failure_bound: Fraction | None = None
    rewrites: tuple[str, ...] = ()
    counterexample: Counterexample | None = None
    difference: str | None = None
    seconds: float = 0.0
    accepted_reason: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        """True when the claim passes: proved, identity-tested, numeric, or accepted undecided."""
        if self.method is Method.UNDECIDED and self.accepted_reason:
            return True
        return self.method.holds

    def summary(self) -> str:
        """Return a one-line description of the method, for `derive check` and the sheet."""
        text = self.method.value
        if self.method is Method.IDENTITY_TESTED:
            text += f" ({self.points} points, chance of a false pass below {_format_bound(self.failure_bound)})"
        elif self.method is Method.PROVED:
            if self.points:
                text += f", confirmed at {self.points} exact random points"
        elif self.method is Method.NUMERIC:
            text += f" ({self.points} points, 100 digits)"
        elif self.method is Method.UNDECIDED and self.accepted_reason:
            text += f", accepted: {self.accepted_reason}"
        if self.rewrites:
            text += "; rewrites: " + ", ".join(self.rewrites)
        return text

    def __str__(self) -> str:
        from derive.display import verdict_text

        return verdict_text(self)

    def _repr_latex_(self) -> str:
        """Return the verdict as LaTeX, for Jupyter."""
        from derive.display import verdict_latex

        return f"$${verdict_latex(self)}$$"


def _format_bound(bound: Fraction | None) -> str:
    if bound is None:
        return "an unknown bound"
    if bound == 0:
        return "0"
    exponent = len(str(bound.denominator)) - len(str(bound.numerator))
    return f"1e-{max(exponent - 1, 0)}"
