"""Claims and derivations: what an answer asserts, and how it gets there."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import dataclasses
import time
from dataclasses import dataclass, field

import sympy as sp

from derive.errors import BudgetExceeded, ClaimFailed, ClaimUndecided, ContradictoryAssumptions, MalformedClaim
from derive.rewrites import Rewrite, RewriteContext
from derive.verdict import Method, Verdict
from derive.verify import DEFAULT_SETTINGS, CheckSettings, Prepared, decide, prepare, time_budget

IndexRanges = Mapping[sp.Symbol, tuple[sp.Expr, sp.Expr]]


@dataclass
class Claim:
    """An equality the sheet asserts: ``obtained == stated`` under `assumptions`.

    `obtained` is what the model gives (by differentiation, solving, ...);
    `stated` is the form the sheet prints. Both are SymPy expressions or
    explicit matrices of the same shape. `assumptions` are prose conditions
    shown on the sheet; conditions SymPy can use go on the symbols themselves
    (``positive=True`` and so on). `index_ranges` declares the range of each
    free index of an index-notation claim, for the sum and delta rewrites.

    `conditions` are SymPy relations the claim relies on (``x > 0``,
    ``n >= 2``); a set of conditions that no value can satisfy is rejected
    when the claim is built, and random points that violate a condition are
    never used as counterexamples.

    A claim that is not an equality (an inequality, an infeasibility
    certificate) passes `decide_with`, a function that returns its verdict.
    """

    id: str
    statement: str
    obtained: object = None
    stated: object = None
    assumptions: tuple[str, ...] = ()
    rewrites: tuple[Rewrite, ...] = ()
    index_ranges: IndexRanges = field(default_factory=dict)
    accept_undecided: str | None = None
    decide_with: Callable[[CheckSettings], Verdict] | None = None
    step: str | None = None
    # For a decide_with claim: rebuilds the claim with another stated value, so the mutation
    # suite can try wrong variants of it.
    restate_with: Callable[[object], "Claim"] | None = None
    conditions: tuple[sp.Basic, ...] = ()
    # Rewritten and abstracted sides, kept after the first check because they do not depend on
    # the seed, with the objects they were prepared from (a changed side is prepared again).
    _prepared: Prepared | None = field(default=None, init=False, repr=False, compare=False)
    _prepared_from: tuple[object, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.decide_with is None and (self.obtained is None or self.stated is None):
            raise MalformedClaim(f"claim {self.id!r} needs both an obtained and a stated side, or a decide_with function")
        self._check_conditions()
        if self.decide_with is None:
            self._check_symbols()

    def _where(self) -> str:
        return f"claim {self.id!r}" + (f", step {self.step}" if self.step else "")

    def _check_conditions(self) -> None:
        for condition in self.conditions:
            if not isinstance(condition, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
                raise MalformedClaim(
                    f"{self._where()}: condition {condition!r} is not a SymPy relation such as x > 0"
                )
            if condition == sp.false:
                raise ContradictoryAssumptions(f"{self._where()}: a condition is always false")
        if len(self.conditions) < 2:
            return
        for symbol in sorted(set().union(*[c.free_symbols for c in self.conditions]), key=sp.default_sort_key):
            about = [c for c in self.conditions if c.free_symbols == {symbol}]
            if len(about) < 2:
                continue
            try:
                solutions = sp.reduce_inequalities(about, symbol)
            except (NotImplementedError, ValueError, TypeError):
                continue  # conditions SymPy cannot solve are kept unchecked
            if solutions == sp.false:
                shown = " and ".join(str(c) for c in about)
                raise ContradictoryAssumptions(f"{self._where()}: the conditions {shown} contradict each other")

    def satisfies_conditions(self, values: Mapping[sp.Basic, sp.Expr]) -> bool:
        """Return False when a point violates a condition (True when a condition cannot be decided)."""
        for condition in self.conditions:
            outcome = condition.xreplace(dict(values))
            if outcome == sp.false:
                return False
        return True

    def _check_symbols(self) -> None:
        obtained_symbols = _free_symbols(self.obtained)
        stated_symbols = _free_symbols(self.stated)
        extra = stated_symbols - obtained_symbols - set(self.index_ranges)
        if extra and obtained_symbols:
            names = ", ".join(sorted(str(symbol) for symbol in extra))
            raise MalformedClaim(
                f"claim {self.id!r}: the stated side uses {names}, which the obtained side does not contain; "
                "a stated form may only use the model's symbols"
            )

    def check(self, settings: CheckSettings = DEFAULT_SETTINGS) -> Verdict:
        """Decide the claim and return its verdict (never raises for a false claim).

        The whole decision runs under `settings.claim_budget_seconds`; past it
        the verdict is "undecided", never a pass. A malformed claim still
        raises `MalformedClaim`.
        """
        started = time.perf_counter()
        try:
            with time_budget(settings.claim_budget_seconds):
                if self.decide_with is not None:
                    verdict = self.decide_with(settings)
                else:
                    context = RewriteContext(dict(self.index_ranges))
                    sources = (self.obtained, self.stated, tuple(self.rewrites), tuple(self.index_ranges.items()))
                    if self._prepared is None or not _same_objects(sources, self._prepared_from):
                        self._prepared = prepare(self.obtained, self.stated, self.rewrites, context)
                        self._prepared_from = sources
                    verdict = decide(
                        self.obtained,
                        self.stated,
                        label=self.id,
                        rewrites=self.rewrites,
                        context=context,
                        settings=settings,
                        point_filter=self.satisfies_conditions if self.conditions else None,
                        prepared=self._prepared,
                    )
        except MalformedClaim as error:
            raise type(error)(f"{self._where()}: {error}") from error
        except BudgetExceeded:
            verdict = Verdict(
                Method.UNDECIDED,
                f"the check did not finish within the claim budget of {settings.claim_budget_seconds:g} s",
                seconds=time.perf_counter() - started,
            )
        if verdict.method is Method.UNDECIDED and self.accept_undecided:
            verdict = _with_accepted(verdict, self.accept_undecided)
        return verdict

    def restate(self, stated: object) -> "Claim | None":
        """Return the same claim with another stated side, or None when the claim cannot be restated."""
        if self.decide_with is None:
            return dataclasses.replace(self, stated=stated)  # a new claim, prepared afresh
        if self.restate_with is not None:
            return self.restate_with(stated)
        return None

    def require(self, settings: CheckSettings = DEFAULT_SETTINGS) -> Verdict:
        """Decide the claim; raise `ClaimFailed` or `ClaimUndecided` unless it holds."""
        verdict = self.check(settings)
        if verdict.holds:
            return verdict
        message = failure_message(self, verdict)
        if verdict.method is Method.FALSE:
            raise ClaimFailed(message, verdict)
        raise ClaimUndecided(message, verdict)

    def __str__(self) -> str:
        from derive.display import claim_text

        return claim_text(self)

    def _repr_latex_(self) -> str:
        """Return the claim as display LaTeX, for Jupyter."""
        from derive.display import claim_latex

        return f"$${claim_latex(self)}$$"


def _same_objects(first: tuple[object, ...], second: tuple[object, ...]) -> bool:
    return len(first) == len(second) and all(a is b or a == b for a, b in zip(first, second))


def _with_accepted(verdict: Verdict, reason: str) -> Verdict:
    return Verdict(
        verdict.method,
        verdict.detail,
        points=verdict.points,
        failure_bound=verdict.failure_bound,
        rewrites=verdict.rewrites,
        difference=verdict.difference,
        seconds=verdict.seconds,
        accepted_reason=reason,
    )


def _free_symbols(value: object) -> set[sp.Symbol]:
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return {symbol for symbol in value.free_symbols if isinstance(symbol, sp.Symbol)}
    return set()


def _show(value: object) -> str:
    if isinstance(value, sp.MatrixBase):
        return "Matrix(" + str(value.tolist()) + ")"
    return str(value)


def failure_message(claim: Claim, verdict: Verdict) -> str:
    """Format the multi-line report of a claim that did not hold."""
    where = f"claim {claim.id}" + (f", step {claim.step}" if claim.step else "")
    lines = [f"{where}: {verdict.method.value}: {claim.statement}"]
    if claim.decide_with is None:
        entry = verdict.counterexample.entry if verdict.counterexample is not None else None
        if entry is not None and isinstance(claim.obtained, sp.MatrixBase) and isinstance(claim.stated, sp.MatrixBase):
            row, column = entry
            lines.append(f"  obtained[{row + 1},{column + 1}]: {claim.obtained[row, column]}")
            lines.append(f"  stated[{row + 1},{column + 1}]:   {claim.stated[row, column]}")
        else:
            lines.append(f"  obtained:   {_show(claim.obtained)}")
            lines.append(f"  stated:     {_show(claim.stated)}")
    if verdict.difference is not None:
        lines.append(f"  difference: {verdict.difference}")
    if verdict.counterexample is not None:
        lines.append(f"  they differ {verdict.counterexample.describe()}")
    if verdict.method is not Method.FALSE:
        lines.append(f"  reason:     {verdict.detail}")
    return "\n".join(lines)


@dataclass
class Step:
    """One line of a derivation: a value, the reason it follows, and optionally how to print it.

    `expr` is the checked value. `display` is what the sheet prints when that
    differs from `expr` (a matrix expression for an index-notation value, say);
    a display form must be checked by a claim of its own.
    """

    expr: object
    justification: str
    display: object = None
    rewrites: tuple[Rewrite, ...] = ()

    @property
    def shown(self) -> object:
        return self.expr if self.display is None else self.display


@dataclass
class Derivation:
    """An ordered chain of steps from a definition to the stated form.

    Each step is checked against the step before it, and the last step
    against `stated`; `lhs` is the quantity being derived, printed once on
    the left of the aligned chain.
    """

    id: str
    title: str
    lhs: object
    steps: Sequence[Step]
    stated: object
    index_ranges: IndexRanges = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    rewrites: tuple[Rewrite, ...] = ()

    _claims: list[Claim] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.steps:
            raise MalformedClaim(f"derivation {self.id!r} has no steps")

    def claims(self) -> list[Claim]:
        """Return one claim per step (each equal to the step before) and one for the stated form.

        The claims are built once and reused, so their prepared sides survive between checks.
        """
        if self._claims is None:
            self._claims = self._build_claims()
        return list(self._claims)

    def _build_claims(self) -> list[Claim]:
        result = []
        for number in range(1, len(self.steps)):
            previous, current = self.steps[number - 1], self.steps[number]
            result.append(
                Claim(
                    id=f"{self.id}/step{number + 1}",
                    statement=f"step {number + 1} of {self.title} ({current.justification}) equals step {number}",
                    obtained=previous.expr,
                    stated=current.expr,
                    assumptions=self.assumptions,
                    rewrites=self.rewrites + current.rewrites,
                    index_ranges=self.index_ranges,
                    step=f"{number + 1} ({current.justification})",
                )
            )
        result.append(
            Claim(
                id=f"{self.id}/stated",
                statement=f"the last step of {self.title} is the stated form",
                obtained=self.steps[-1].expr,
                stated=self.stated,
                assumptions=self.assumptions,
                rewrites=self.rewrites,
                index_ranges=self.index_ranges,
                step=f"{len(self.steps)} against the stated form",
            )
        )
        return result

    def __str__(self) -> str:
        from derive.display import derivation_text

        return derivation_text(self)

    def _repr_latex_(self) -> str:
        """Return the derivation as an aligned chain in display LaTeX, for Jupyter."""
        from derive.display import derivation_latex

        return f"$${derivation_latex(self)}$$"
