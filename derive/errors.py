"""Exception hierarchy of `derive`.

Every error the library raises on purpose derives from `DeriveError`, so the
command line can turn it into a one-line message and an exit code instead of a
traceback. "The claim is false" (`ClaimFailed`) is kept apart from "the engine
could not decide" (`ClaimUndecided`) and from "the claim is malformed"
(`MalformedClaim`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - imported for annotations only
    from derive.verdict import Verdict


class DeriveError(Exception):
    """Base class of every error that `derive` raises deliberately."""


class UsageError(DeriveError):
    """A request that names something that does not exist, such as an unknown answer id."""


class UnknownAnswerError(UsageError):
    """An answer or part id that no registered paper defines."""


class MalformedClaim(DeriveError):
    """A claim that cannot be checked as written: shapes differ, symbols are missing, and so on."""


class ShapeMismatch(MalformedClaim):
    """The obtained and stated sides of a claim have different shapes."""


class ContradictoryAssumptions(MalformedClaim):
    """Two assumptions of a claim cannot hold together."""


class BudgetExceeded(DeriveError):
    """A symbolic step ran past its time budget (raised internally, caught by the engine)."""


class CheckError(DeriveError):
    """A claim did not hold: it is false or the engine could not decide it."""

    def __init__(self, message: str, verdict: "Verdict") -> None:
        super().__init__(message)
        self.verdict = verdict


class ClaimFailed(CheckError):
    """A claim is false: the obtained and stated forms differ at some point."""


class ClaimUndecided(CheckError):
    """The engine could neither prove nor refute a claim within its budget."""


class LatexBuildError(DeriveError):
    """The LaTeX compiler failed on a generated sheet."""
