"""Run the claims of selected parts and collect their verdicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from derive.claims import Claim, failure_message
from derive.paper import Answer, Part
from derive.verdict import Verdict
from derive.verify import DEFAULT_SETTINGS, CheckSettings


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim of one part."""

    part: Part
    claim: Claim
    verdict: Verdict

    @property
    def holds(self) -> bool:
        return self.verdict.holds

    def line(self) -> str:
        """Return the one-line report `derive check` prints for this claim."""
        status = "ok  " if self.holds else "FAIL"
        return f"{status} {self.claim.id}: {self.verdict.summary()} [{self.verdict.seconds:.2f} s]"

    def failure(self) -> str:
        return failure_message(self.claim, self.verdict)


def check_parts(
    selected: Sequence[tuple[Answer, Part]],
    settings: CheckSettings = DEFAULT_SETTINGS,
    on_result: Callable[[ClaimResult], None] | None = None,
) -> list[ClaimResult]:
    """Check every claim of the selected parts, in order, and return all results.

    `on_result` is called after each claim, so a caller can stream progress.
    """
    results = []
    for _, part in selected:
        for claim in part.all_claims():
            result = ClaimResult(part, claim, claim.check(settings))
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results
