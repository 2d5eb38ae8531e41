"""Claims and derivations: failures name the claim and step, malformed input is rejected early."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.claims import Claim, Derivation, Step
from derive.errors import ClaimFailed, ClaimUndecided, ContradictoryAssumptions, MalformedClaim, ShapeMismatch
from derive.verdict import Method, Verdict
from derive.verify import CheckSettings

x, y = sp.symbols("x y", real=True)


def _derivation(last_step: sp.Expr) -> Derivation:
    return Derivation(
        id="t/square",
        title="the square of a sum",
        lhs=(x + y) ** 2,
        steps=[
            Step((x + y) * (x + y), "definition of the square"),
            Step(x * (x + y) + y * (x + y), "distribute"),
            Step(last_step, "collect terms"),
        ],
        stated=x**2 + 2 * x * y + y**2,
    )


def test_derivation_steps_all_hold() -> None:
    claims = _derivation(x**2 + 2 * x * y + y**2).claims()
    assert [claim.id for claim in claims] == ["t/square/step2", "t/square/step3", "t/square/stated"]
    assert all(claim.check().method is Method.PROVED for claim in claims)


def test_wrong_step_names_step() -> None:
    claims = _derivation(x**2 + x * y + y**2).claims()
    failing = [claim for claim in claims if claim.check().method is Method.FALSE]
    assert [claim.id for claim in failing] == ["t/square/step3", "t/square/stated"]
    with pytest.raises(ClaimFailed, match=r"^claim t/square/step3, step 3 \(collect terms\): false: "):
        failing[0].require()


def test_failure_message_has_all_parts() -> None:
    claim = Claim(id="t/wrong", statement="x**2 = x", obtained=x**2, stated=x)
    with pytest.raises(ClaimFailed) as raised:
        claim.require()
    lines = str(raised.value).splitlines()
    assert lines[0] == "claim t/wrong: false: x**2 = x"
    assert lines[1] == "  obtained:   x**2"
    assert lines[2] == "  stated:     x"
    assert lines[3] == "  difference: x**2 - x"
    assert lines[4].startswith("  they differ at x = ")
    assert raised.value.verdict.counterexample is not None


def test_empty_derivation_rejected() -> None:
    with pytest.raises(MalformedClaim, match=r"^derivation 't/empty' has no steps$"):
        Derivation(id="t/empty", title="nothing", lhs=x, steps=[], stated=x)


def test_missing_side_rejected() -> None:
    with pytest.raises(MalformedClaim, match=r"^claim 't/half' needs both an obtained and a stated side"):
        Claim(id="t/half", statement="half a claim", obtained=x)


def test_stated_symbol_unknown_to_model() -> None:
    w = sp.Symbol("w")
    with pytest.raises(MalformedClaim, match=r"^claim 't/typo': the stated side uses w, which the obtained side does not contain"):
        Claim(id="t/typo", statement="a typo in the stated form", obtained=x + y, stated=x + w)


def test_shape_mismatch_names_claim() -> None:
    claim = Claim(id="t/shape", statement="shapes", obtained=sp.Matrix([x, y]), stated=sp.Matrix([[x, y]]))
    with pytest.raises(ShapeMismatch, match=r"^claim 't/shape': obtained is 2x1 but stated is 1x2$"):
        claim.check()


def test_contradictory_conditions_rejected() -> None:
    with pytest.raises(
        ContradictoryAssumptions, match=r"^claim 't/both': the conditions x > 1 and x < 0 contradict each other$"
    ):
        Claim(id="t/both", statement="impossible", obtained=x, stated=x, conditions=(x > 1, x < 0))


def test_non_relation_condition_rejected() -> None:
    with pytest.raises(MalformedClaim, match=r"^claim 't/bad': condition 'x > 0' is not a SymPy relation"):
        Claim(id="t/bad", statement="bad", obtained=x, stated=x, conditions=("x > 0",))


def test_condition_restricts_counterexamples() -> None:
    # |x| = x only for x >= 0: with the condition the claim holds (numerically), without it it is false.
    unconditional = Claim(id="t/abs", statement="|x| = x", obtained=sp.Abs(x), stated=x)
    conditional = Claim(id="t/abs", statement="|x| = x", obtained=sp.Abs(x), stated=x, conditions=(x > 0,))
    assert unconditional.check().method is Method.FALSE
    assert conditional.check().method is Method.NUMERIC


def _undecided(settings: CheckSettings) -> Verdict:
    return Verdict(Method.UNDECIDED, "no method applies")


def test_undecided_claim_fails() -> None:
    claim = Claim(id="t/open", statement="an open question", decide_with=_undecided)
    assert not claim.check().holds
    with pytest.raises(ClaimUndecided, match=r"^claim t/open: undecided: an open question\n  reason:     no method applies$"):
        claim.require()


def test_accepted_undecided_passes_with_reason() -> None:
    claim = Claim(id="t/open", statement="an open question", decide_with=_undecided, accept_undecided="shown on paper")
    verdict = claim.require()
    assert verdict.holds
    assert verdict.accepted_reason == "shown on paper"
    assert verdict.summary() == "undecided, accepted: shown on paper"


def test_claim_budget_gives_undecided() -> None:
    def spin(settings: CheckSettings) -> Verdict:
        while True:
            pass

    claim = Claim(id="t/spin", statement="never finishes", decide_with=spin)
    verdict = claim.check(CheckSettings(claim_budget_seconds=0.05))
    assert verdict.method is Method.UNDECIDED
    assert verdict.detail == "the check did not finish within the claim budget of 0.05 s"


def test_restate_replaces_stated_side() -> None:
    claim = Claim(id="t/sum", statement="sum", obtained=x + x, stated=2 * x)
    restated = claim.restate(3 * x)
    assert restated is not None
    assert restated.stated == 3 * x
    assert restated.check().method is Method.FALSE


def test_changed_side_prepared_again() -> None:
    claim = Claim(id="t/change", statement="x + x = 2x", obtained=x + x, stated=2 * x)
    assert claim.check().method is Method.PROVED
    claim.stated = 3 * x
    assert claim.check().method is Method.FALSE
