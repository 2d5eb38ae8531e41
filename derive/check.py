"""Run the claims of selected parts and collect their verdicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from derive.cache import ProofCache
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
        timing = "from cache" if self.verdict.extra.get("cache") == "hit" else f"{self.verdict.seconds:.2f} s"
        return f"{status} {self.claim.id}: {self.verdict.summary()} [{timing}]"

    def failure(self) -> str:
        return failure_message(self.claim, self.verdict)


def check_parts(
    selected: Sequence[tuple[Answer, Part]],
    settings: CheckSettings = DEFAULT_SETTINGS,
    on_result: Callable[[ClaimResult], None] | None = None,
    cache: ProofCache | None = None,
) -> list[ClaimResult]:
    """Check every claim of the selected parts, in order, and return all results.

    `on_result` is called after each claim, so a caller can stream progress. With a
    `cache`, claims that held before with the same key are read from it (see `derive.cache`).
    """
    results = []
    for _, part in selected:
        for claim in part.all_claims():
            verdict = cache.check(claim, settings) if cache is not None else claim.check(settings)
            result = ClaimResult(part, claim, verdict)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results
