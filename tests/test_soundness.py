"""Soundness of the sheet's verdicts: wrong variants are refuted, true claims survive any seed."""

from __future__ import annotations

import pytest

from derive.check import check_parts
from derive.mutate import MutantResult, mutation_candidates, run_mutants
from derive.registry import get_paper, select_parts
from derive.verdict import Method
from derive.verify import CheckSettings

PAPER = get_paper("ep2")
ANSWERS = [answer.number for answer in PAPER.answers]
SEEDS = range(1, 21)
MUTANTS_PER_CLAIM = 4


@pytest.mark.parametrize("answer", ANSWERS)
def test_mutants_of_answer_killed(answer: str, mutation_log: list[MutantResult]) -> None:
    # The first MUTANTS_PER_CLAIM mutants (the most plausible errors) keep the suite within
    # minutes; `derive mutate` runs every mutant.
    results = run_mutants(select_parts(PAPER, [answer]), per_claim=MUTANTS_PER_CLAIM)
    mutation_log.extend(results)
    survivors = [
        f"{result.claim_id} [{result.mutation}]: {result.verdict.method.value}"
        for result in results
        if not (result.killed or result.equivalent)
    ]
    killed_per_claim: dict[str, int] = {}
    for result in results:
        killed_per_claim[result.claim_id] = killed_per_claim.get(result.claim_id, 0) + int(result.killed)
    thin = sorted(claim_id for claim_id, killed in killed_per_claim.items() if killed < 3)
    assert results, f"answer {answer} produced no mutants"
    assert survivors == []
    assert thin == []


@pytest.mark.parametrize("answer", ANSWERS)
def test_stated_forms_have_three_mutants(answer: str) -> None:
    thin = []
    for _, part in select_parts(PAPER, [answer]):
        for claim in part.all_claims():
            if claim.stated is None or claim.restate(claim.stated) is None:
                # A fact decided by its own function (a sign, an infeasibility certificate) that
                # cannot be rebuilt with another stated value.
                continue
            if len(mutation_candidates(claim)) < 3:
                thin.append(claim.id)
    assert thin == []


@pytest.mark.parametrize("answer", ANSWERS)
def test_true_claims_hold_under_20_seeds(answer: str) -> None:
    # The symbolic normal form does not depend on the seed, so it is skipped here: each claim
    # must pass on its random points alone (identity-tested at least) for every seed.
    selection = select_parts(PAPER, [answer])
    rejected = []
    for seed in SEEDS:
        settings = CheckSettings(seed=seed, symbolic=False)
        for result in check_parts(selection, settings):
            if result.verdict.method in (Method.FALSE, Method.UNDECIDED) and not result.holds:
                rejected.append(f"seed {seed}: {result.claim.id}: {result.verdict.method.value}")
    assert rejected == []
